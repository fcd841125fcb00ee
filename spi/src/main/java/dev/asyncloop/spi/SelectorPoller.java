package dev.asyncloop.spi;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A {@link Poller} over a {@link Selector}: the poller of the NIO reference loop, for any loop that wants the
 * JDK's portable selector. Loop thread only, except {@link #wakeup()}.
 *
 * <p>Implementation overview.
 * <ul>
 *   <li><b>Interest.</b> {@link Poller#READ} is {@code OP_ACCEPT} on a server channel, else {@code OP_READ};
 *       {@link Poller#WRITE} is {@code OP_CONNECT} on a socket whose connection is pending, else
 *       {@code OP_WRITE} (the JDK reports {@code OP_WRITE} only for connected sockets, so asking for it while
 *       connecting would spin). Keys that wait with {@code OP_CONNECT} are switched to {@code OP_WRITE} before
 *       each select once their connect is finished, for a writer that stays registered after it.</li>
 *   <li><b>Deregistration</b> cancels the key and flushes it at once with a {@code selectNow} whose events are
 *       dropped (readiness is level-triggered: they are reported again), because a channel closed while its
 *       cancelled key is still in the selector keeps its file descriptor until the next select. Inside a
 *       poll the flush waits until the select is over (the poll flushes before it returns), and registering
 *       the channel again flushes first. A flush clears a pending wake-up, so it wakes the selector again
 *       when a wake-up was asked for since the last blocking poll began.</li>
 *   <li><b>Polling</b> uses {@code select(Consumer, timeout)}, which does not use the selected-key set; the
 *       timeout is rounded up to whole milliseconds, so a timer is due when it returns. {@code wakeup} is the
 *       selector's, which is sticky.</li>
 * </ul>
 */
public final class SelectorPoller implements Poller {
    private final Selector selector;
    private @Nullable EventSink sink;
    private final Consumer<SelectionKey> deliver = this::deliver;
    /** Keys watching a pending connect with OP_CONNECT, switched to OP_WRITE once the connect is finished. */
    private final Set<SelectionKey> connecting = new HashSet<>();
    /**
     * A wake-up was asked for since the last poll that could block began: a flush (which clears it) must renew it.
     */
    private volatile boolean wakeRequested;
    /** The sink deregistered a channel: the poll flushes its cancelled key before it returns. */
    private boolean flushAfterSelect;

    /**
     * Opens a new selector.
     *
     * @throws IOException if the selector cannot be opened
     */
    public SelectorPoller() throws IOException {
        this.selector = Selector.open();
    }

    @Override
    public void register(SelectableChannel channel, int interest, Object attachment) throws IOException {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(attachment, "attachment");
        SelectionKey old = channel.keyFor(selector);
        if (old != null && !old.isValid()) {
            flush();
        }
        track(channel.register(selector, toNio(channel, interest), attachment));
    }

    private void track(SelectionKey key) {
        if ((key.interestOps() & SelectionKey.OP_CONNECT) != 0) {
            connecting.add(key);
        } else {
            connecting.remove(key);
        }
    }

    @Override
    public void modify(SelectableChannel channel, int interest) {
        Objects.requireNonNull(channel, "channel");
        SelectionKey key = channel.keyFor(selector);
        if (key != null && key.isValid()) {
            key.interestOps(toNio(channel, interest));
            track(key);
        }
    }

    @Override
    public void deregister(SelectableChannel channel) {
        Objects.requireNonNull(channel, "channel");
        SelectionKey key = channel.keyFor(selector);
        if (key != null) {
            connecting.remove(key);
            key.cancel();
            // Flush now (or, inside a poll, once its select is over): a channel closed while its cancelled key is
            // still in the selector keeps its file descriptor (a listening socket keeps accepting) until the next
            // select.
            if (sink != null) {
                flushAfterSelect = true;
            } else {
                try {
                    flush();
                } catch (IOException e) {
                    throw new UncheckedIOException("the selector failed while deregistering " + channel, e);
                }
            }
        }
    }

    @Override
    public void poll(long timeoutNanos, EventSink sink) throws IOException {
        Objects.requireNonNull(sink, "sink");
        if (!connecting.isEmpty()) {
            connectsFinished();
        }
        if (timeoutNanos != 0) {
            // Only a poll that may block consumes a wake-up worth renewing; a stale true costs at most one spurious
            // wake-up after a flush, and the non-blocking polls of a busy loop skip the volatile write.
            wakeRequested = false;
        }
        this.sink = sink;
        try {
            if (timeoutNanos == 0) {
                if (selector.keys().isEmpty()) {
                    // Nothing registered: a non-blocking select could only find nothing (and cost a system call).
                    return;
                }
                selector.selectNow(deliver);
            } else if (timeoutNanos < 0) {
                selector.select(deliver);
            } else {
                // Rounded up without adding first, which would overflow for the longest timeouts.
                selector.select(deliver, timeoutNanos / 1_000_000 + (timeoutNanos % 1_000_000 == 0 ? 0 : 1));
            }
        } finally {
            this.sink = null;
        }
        if (flushAfterSelect) {
            flushAfterSelect = false;
            flush();
        }
    }

    /** Lets go of cancelled keys now; their channels' events are dropped (level-triggered, they come back). */
    private void flush() throws IOException {
        selector.selectNow(SelectorPoller::drop);
        if (wakeRequested) {
            selector.wakeup(); // the selectNow cleared it
        }
    }

    private static void drop(SelectionKey key) {
    }

    /** A writer kept after its connect finished must now wait for OP_WRITE, or the selector would spin. */
    private void connectsFinished() {
        for (Iterator<SelectionKey> it = connecting.iterator(); it.hasNext(); ) {
            SelectionKey key = it.next();
            if (!key.isValid()) {
                it.remove();
            } else if (!((SocketChannel) key.channel()).isConnectionPending()) {
                it.remove();
                key.interestOps((key.interestOps() & ~SelectionKey.OP_CONNECT) | SelectionKey.OP_WRITE);
            }
        }
    }

    @SuppressWarnings("NullAway") // runs inside poll(), which set sink
    private void deliver(SelectionKey key) {
        if (!key.isValid()) {
            return;
        }
        int ready = key.readyOps();
        int ops = 0;
        if ((ready & (SelectionKey.OP_READ | SelectionKey.OP_ACCEPT)) != 0) {
            ops |= READ;
        }
        if ((ready & (SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT)) != 0) {
            ops |= WRITE;
        }
        if (ops != 0) {
            sink.ready(key.attachment(), ops);
        }
    }

    private static int toNio(SelectableChannel channel, int interest) {
        int ops = 0;
        if ((interest & READ) != 0) {
            ops |= channel instanceof ServerSocketChannel ? SelectionKey.OP_ACCEPT : SelectionKey.OP_READ;
        }
        if ((interest & WRITE) != 0) {
            ops |= channel instanceof SocketChannel s && s.isConnectionPending()
                    ? SelectionKey.OP_CONNECT : SelectionKey.OP_WRITE;
        }
        return ops & channel.validOps();
    }

    @Override
    public void wakeup() {
        wakeRequested = true;
        try {
            selector.wakeup();
        } catch (ClosedSelectorException closed) {
            // The loop closed meanwhile; nobody is left to wake.
        }
    }

    @Override
    public void close() throws IOException {
        selector.close();
    }
}
