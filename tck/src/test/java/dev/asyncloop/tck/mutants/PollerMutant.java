package dev.asyncloop.tck.mutants;

import dev.asyncloop.spi.Poller;
import dev.asyncloop.spi.ReadinessEventLoop;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A loop on {@link ReadinessEventLoop} over a third-party {@link Poller} written from the contract (a Selector
 * driven through its action-based select, not asyncloop's {@code SelectorPoller}), with one flaw in how it lets
 * go of cancelled keys, or in how it waits. Its control is the same loop without the flaw.
 */
public final class PollerMutant extends ReadinessEventLoop {
    /** What the poller gets wrong. */
    public enum Flaw {
        /** Nothing: the control. */
        NONE,
        /** Never flushes a cancelled key: registering the channel again throws CancelledKeyException (P1.1). */
        NEVER_FLUSHES,
        /** Flushes before registering again, not on deregister: a closed channel keeps its descriptor (P1.3). */
        NO_FLUSH_ON_DEREGISTER,
        /**
         * Keeps the slot of a channel closed without deregister, as a poller keyed by descriptor that never looks
         * at the channel: the next channel registered after the close (which the system likely gave the same
         * descriptor) has its events reported to the closed channel's attachment too, until the closed channel's
         * deregister (N1.11).
         */
        REPORTS_CLOSED_FOR_ITS_SUCCESSOR,
        /**
         * On a virtual thread, waits by non-blocking selects between native one-millisecond sleeps, which hold the
         * carrier: loops waiting on as many virtual threads as there are carriers starve every other virtual
         * thread (L3.5).
         */
        PINS_CARRIER
    }

    /**
     * Opens a loop over a poller with {@code flaw}.
     *
     * @param flaw the flaw
     */
    public PollerMutant(Flaw flaw) {
        super(open(flaw));
    }

    private static Poller open(Flaw flaw) {
        try {
            return new ActionPoller(flaw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Hands events to the sink from inside the select; remaps pending connects before each select. */
    private static final class ActionPoller implements Poller {
        private final Flaw flaw;
        private final Selector selector;
        private final List<Watch> connecting = new ArrayList<>();
        private volatile boolean closed;
        private volatile boolean wakeRequested;                         // PINS_CARRIER only
        private boolean polling;
        private boolean flushPending;
        private EventSink sink;
        private final List<Watch> slots = new ArrayList<>();            // REPORTS_CLOSED_FOR_ITS_SUCCESSOR only
        private final Map<Watch, Watch> staleSlotOf = new HashMap<>();  // successor -> the closed channel's watch

        private static final class Watch {
            final SelectableChannel channel;
            final Object attachment;
            int interest;
            boolean dropped;

            Watch(SelectableChannel channel, Object attachment, int interest) {
                this.channel = channel;
                this.attachment = attachment;
                this.interest = interest;
            }
        }

        ActionPoller(Flaw flaw) throws IOException {
            this.flaw = flaw;
            this.selector = Selector.open();
        }

        @Override
        public void register(SelectableChannel channel, int interest, Object attachment) throws IOException {
            if (closed) {
                throw new IllegalStateException("the poller is closed");
            }
            if (!channel.isOpen()) {
                throw new ClosedChannelException();
            }
            SelectionKey stale = channel.keyFor(selector);
            if (stale != null && !stale.isValid() && flaw != Flaw.NEVER_FLUSHES) {
                flush();
            }
            Watch w = new Watch(channel, attachment, interest);
            if (flaw == Flaw.REPORTS_CLOSED_FOR_ITS_SUCCESSOR) {
                slots.stream().filter(s -> !s.channel.isOpen() && !staleSlotOf.containsValue(s)).findFirst()
                        .ifPresent(closedOne -> staleSlotOf.put(w, closedOne));
                slots.add(w);
            }
            channel.register(selector, ops(w), w);
        }

        @Override
        public void modify(SelectableChannel channel, int interest) {
            SelectionKey key = closed ? null : channel.keyFor(selector);
            if (key != null && key.isValid()) {
                Watch w = (Watch) key.attachment();
                w.interest = interest;
                key.interestOps(ops(w));
            }
        }

        @Override
        public void deregister(SelectableChannel channel) {
            if (flaw == Flaw.REPORTS_CLOSED_FOR_ITS_SUCCESSOR) {
                slots.removeIf(s -> s.channel == channel);
                staleSlotOf.values().removeIf(s -> s.channel == channel);
            }
            SelectionKey key = closed ? null : channel.keyFor(selector);
            if (key == null) {
                return;
            }
            ((Watch) key.attachment()).dropped = true;
            key.cancel();
            if (flaw == Flaw.NEVER_FLUSHES || flaw == Flaw.NO_FLUSH_ON_DEREGISTER) {
                return;
            }
            if (polling) {
                flushPending = true;
            } else {
                flush();
            }
        }

        @Override
        public void poll(long timeoutNanos, EventSink sink) throws IOException {
            if (closed) {
                throw new IllegalStateException("the poller is closed");
            }
            remapConnects();
            this.sink = sink;
            polling = true;
            try {
                if (timeoutNanos == 0) {
                    selector.selectNow(this::report);
                } else if (flaw == Flaw.PINS_CARRIER && Thread.currentThread().isVirtual()) {
                    long start = System.nanoTime();
                    while (selector.selectNow(this::report) == 0 && !wakeRequested
                            && (timeoutNanos < 0 || System.nanoTime() - start < timeoutNanos)) {
                        NativeSleep.millisecond();
                    }
                    wakeRequested = false;
                } else if (timeoutNanos < 0) {
                    selector.select(this::report);
                } else {
                    selector.select(this::report, timeoutNanos / 1_000_000 + (timeoutNanos % 1_000_000 == 0 ? 0 : 1));
                }
            } finally {
                polling = false;
                this.sink = null;
            }
            if (flushPending) {
                flush();
            }
        }

        private void report(SelectionKey key) {
            Watch w = (Watch) key.attachment();
            if (w.dropped || !key.isValid()) {
                return;
            }
            int ready = key.readyOps();
            int ops = ((ready & (SelectionKey.OP_READ | SelectionKey.OP_ACCEPT)) != 0 ? READ : 0)
                    | ((ready & (SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT)) != 0 ? WRITE : 0);
            ops &= w.interest;
            if (ops != 0) {
                sink.ready(w.attachment, ops);
                Watch stale = staleSlotOf.get(w);
                if (stale != null && (ops & stale.interest) != 0) {
                    sink.ready(stale.attachment, ops & stale.interest);
                }
            }
        }

        @Override
        public void wakeup() {
            if (!closed) {
                wakeRequested = true;
                selector.wakeup();
            }
        }

        @Override
        public void close() throws IOException {
            if (!closed) {
                closed = true;
                selector.close();
            }
        }

        private void flush() {
            flushPending = false;
            try {
                selector.selectNow(key -> { });
            } catch (IOException e) {
                flushPending = true;
            }
        }

        private void remapConnects() {
            for (int i = connecting.size() - 1; i >= 0; i--) {
                Watch w = connecting.get(i);
                SelectionKey key = w.channel.keyFor(selector);
                if (w.dropped || key == null || !key.isValid()) {
                    connecting.remove(i);
                } else if (!((SocketChannel) w.channel).isConnectionPending()) {
                    connecting.remove(i);
                    key.interestOps(ops(w));
                }
            }
        }

        private int ops(Watch w) {
            SelectableChannel ch = w.channel;
            int ops = 0;
            if ((w.interest & READ) != 0) {
                ops |= ch instanceof ServerSocketChannel ? SelectionKey.OP_ACCEPT : SelectionKey.OP_READ;
            }
            if ((w.interest & WRITE) != 0) {
                if (ch instanceof SocketChannel s && s.isConnectionPending()) {
                    ops |= SelectionKey.OP_CONNECT;
                    if (!connecting.contains(w)) {
                        connecting.add(w);
                    }
                } else {
                    ops |= SelectionKey.OP_WRITE;
                }
            }
            return ops & ch.validOps();
        }
    }
}
