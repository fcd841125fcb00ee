package dev.asyncloop.nio;

import dev.asyncloop.spi.ReadinessEventLoop;
import dev.asyncloop.spi.SelectorPoller;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Selector;

/**
 * The portable reference loop: {@link ReadinessEventLoop} over a {@link Selector}, with TCP, UDP, Unix-domain
 * sockets, sendfile, pipes, DNS, reader/writer callbacks and the {@code sock*} operations. A write pipe learns that
 * its reader went away at its next write: a Selector cannot watch a pipe's write end for that (docs/architecture.md).
 *
 * <p>Implementation overview. The loop is the readiness base plus one {@link SelectorPoller}: polling is one
 * {@code select} with the timeout rounded up to whole milliseconds (so a timer is due when the select returns,
 * never early); waking up is {@link Selector#wakeup()}, which is sticky: a wake-up that arrives before the select
 * makes it return at once. The loop owns its selector and closes it in {@link #close()}. Threading and every
 * other rule are {@link dev.asyncloop.spi.BaseEventLoop}'s.
 */
public final class NioEventLoop extends ReadinessEventLoop {
    /**
     * Opens a loop with a new selector.
     *
     * @throws UncheckedIOException if the selector cannot be opened
     */
    public NioEventLoop() {
        super(openPoller());
    }

    private static SelectorPoller openPoller() {
        try {
            return new SelectorPoller();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a java.nio Selector for the event loop", e);
        }
    }
}
