package dev.asyncloop.nio;

import dev.asyncloop.spi.BaseEventLoop;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.Selector;
import java.util.concurrent.TimeUnit;

/**
 * The portable reference loop: {@link BaseEventLoop} over a {@link Selector}.
 *
 * <p>Implementation overview. {@link #poll(long)} is one {@code select} with the timeout rounded up to whole
 * milliseconds (so a timer is due when the select returns, never early); {@link #wakeup()} is
 * {@link Selector#wakeup()}, which is sticky: a wake-up that arrives before the select makes it return at once.
 * The loop owns its selector and closes it in {@link #closeResources()}. Threading and every other rule are
 * {@link BaseEventLoop}'s.
 */
public final class NioEventLoop extends BaseEventLoop {
    private final Selector selector;

    /**
     * Opens a loop with a new selector.
     *
     * @throws UncheckedIOException if the selector cannot be opened
     */
    public NioEventLoop() {
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a java.nio Selector for the event loop", e);
        }
    }

    @Override
    protected void poll(long timeoutNanos) throws IOException {
        if (timeoutNanos == 0) {
            if (selector.keys().isEmpty()) {
                // Nothing registered: a non-blocking select could only find nothing (and cost a system call).
                return;
            }
            selector.selectNow();
        } else if (timeoutNanos < 0) {
            selector.select();
        } else {
            selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNanos + 999_999)));
        }
        selector.selectedKeys().clear();
    }

    @Override
    protected void wakeup() {
        try {
            selector.wakeup();
        } catch (ClosedSelectorException closed) {
            // The loop closed meanwhile; nobody is left to wake.
        }
    }

    @Override
    protected void closeResources() {
        try {
            selector.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close the selector of " + this, e);
        }
    }
}
