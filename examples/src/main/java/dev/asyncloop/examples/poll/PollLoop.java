package dev.asyncloop.examples.poll;

import dev.asyncloop.spi.ReadinessEventLoop;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * An event loop over POSIX {@code poll(2)}: {@link ReadinessEventLoop}, which implements the whole
 * {@link dev.asyncloop.EventLoop}, networking included, over a {@link PollPoller}. Selected by name with
 * {@code -Dasyncloop.loop=poll} ({@link PollLoopProvider}); never by default.
 *
 * <p>The JVM needs {@code --enable-native-access=ALL-UNNAMED} (for the {@code poll(2)} downcall) and
 * {@code --add-exports java.base/sun.nio.ch=ALL-UNNAMED} (for the channels' file descriptors); without them
 * {@link PollPoller#unavailabilityCause()} names the flag to add. Threading and every other rule are
 * {@link dev.asyncloop.spi.BaseEventLoop}'s. The loop owns its poller and closes it in {@link #close()}.
 *
 * <p>This is the worked example of {@code docs/writing-a-loop.md}: a loop author writes the poller, the loop is
 * this one constructor.
 */
public final class PollLoop extends ReadinessEventLoop {
    /**
     * Opens a loop with a new {@link PollPoller}.
     *
     * @throws IllegalStateException if {@code poll(2)} cannot be used in this JVM (the message says why and what
     *     to do)
     * @throws UncheckedIOException if the poller's wake-up pipe cannot be opened
     */
    public PollLoop() {
        super(openPoller());
    }

    private static PollPoller openPoller() {
        try {
            return new PollPoller();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the poll(2) poller for the event loop", e);
        }
    }
}
