package dev.asyncloop.tck.mutants;

import dev.asyncloop.spi.Poller;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A third-party {@link Poller} written from the contract (a {@link Selector} read through its selected-key set,
 * events collected first and handed to the sink after the select, unlike asyncloop's {@code SelectorPoller}),
 * with one flaw that {@code PollerContractSuite} must catch by the rule the flaw breaks. {@link Flaw#NONE} is the
 * control, which passes the whole suite.
 */
public final class FlawedPoller implements Poller {
    /** What the poller gets wrong, and the rule of {@code PollerContractSuite} that must catch it. */
    public enum Flaw {
        /** Nothing: the control. */
        NONE(""),
        /** Hands the sink every event the select collected, also of a channel the sink has just deregistered. */
        REPORTS_DEREGISTERED_IN_SINK("PC1.15"),
        /** Reports a channel once per readiness, as an edge-triggered primitive that never re-arms. */
        NO_LEVEL_TRIGGERED_REPORT("PC1.3"),
        /** Begins each poll with a selectNow, which clears a wake-up that came before the poll. */
        LOSES_WAKEUP_BEFORE_POLL("PC1.8"),
        /** Keeps OP_CONNECT after the connect finished, so the WRITE interest never reports writability. */
        KEEPS_OP_CONNECT("PC1.11"),
        /** On a virtual thread, waits in native sleeps between non-blocking selects: the carrier is held. */
        PINS_CARRIER("PC1.29"),
        /**
         * Keeps the slot of a channel closed without deregister, as a poller keyed by descriptor that never looks
         * at the channel: the next channel registered after the close (which the system likely gave the same
         * descriptor) has its events reported to the closed channel's attachment too, until the closed channel's
         * deregister.
         */
        REPORTS_CLOSED_FOR_ITS_SUCCESSOR("PC1.18"),
        /** Ends each wait with {@code Thread.interrupted()}, as an author "handling" an interrupt: the status is lost. */
        CLEARS_INTERRUPT("PC1.30");

        private final String rule;

        Flaw(String rule) {
            this.rule = rule;
        }

        /** @return the ID of the rule whose test must fail on this flaw; empty for the control */
        public String rule() {
            return rule;
        }
    }

    private static final Consumer<SelectionKey> DROP = key -> { };

    private final Flaw flaw;
    private final Selector selector;
    private final Set<SelectionKey> connecting = new HashSet<>();
    private final Set<SelectionKey> reportedOnce = new HashSet<>();
    private final List<Watch> slots = new ArrayList<>();            // REPORTS_CLOSED_FOR_ITS_SUCCESSOR only
    private final Map<Watch, Watch> staleSlotOf = new HashMap<>();  // successor -> the closed channel's watch
    private volatile boolean closed;
    private volatile boolean wakeRequested;
    private boolean polling;
    private boolean flushPending;

    /** What the poller was given for a channel. */
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

    /** An event collected by a select, handed to the sink after it. */
    private record Event(SelectionKey key, Watch watch, int readyOps) {
    }

    /**
     * Opens a selector.
     *
     * @param flaw what to get wrong
     * @throws IOException if the selector cannot be opened
     */
    public FlawedPoller(Flaw flaw) throws IOException {
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
        if (stale != null && !stale.isValid()) {
            flush();
        }
        Watch w = new Watch(channel, attachment, interest);
        if (flaw == Flaw.REPORTS_CLOSED_FOR_ITS_SUCCESSOR) {
            slots.stream().filter(s -> !s.channel.isOpen() && !staleSlotOf.containsValue(s)).findFirst()
                    .ifPresent(closedOne -> staleSlotOf.put(w, closedOne));
            slots.add(w);
        }
        SelectionKey key = channel.register(selector, 0, w);
        key.interestOps(ops(key, w));
    }

    @Override
    public void modify(SelectableChannel channel, int interest) {
        SelectionKey key = closed ? null : channel.keyFor(selector);
        if (key != null && key.isValid()) {
            Watch w = (Watch) key.attachment();
            w.interest = interest;
            key.interestOps(ops(key, w));
            reportedOnce.remove(key);
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
        connecting.remove(key);
        reportedOnce.remove(key);
        key.cancel();
        if (polling) {
            flushPending = true;
        } else {
            try {
                flush();
            } catch (IOException e) {
                flushPending = true;
            }
        }
    }

    @Override
    public void poll(long timeoutNanos, EventSink sink) throws IOException {
        if (closed) {
            throw new IllegalStateException("the poller is closed");
        }
        if (flaw == Flaw.LOSES_WAKEUP_BEFORE_POLL) {
            selector.selectNow(DROP);
        }
        if (flaw != Flaw.KEEPS_OP_CONNECT) {
            switchFinishedConnects();
        }
        wakeRequested = false;
        if (timeoutNanos == 0) {
            selector.selectNow();
        } else if (flaw == Flaw.PINS_CARRIER && Thread.currentThread().isVirtual()) {
            long start = System.nanoTime();
            while (selector.selectNow() == 0 && !wakeRequested
                    && (timeoutNanos < 0 || System.nanoTime() - start < timeoutNanos)) {
                NativeSleep.millisecond();
            }
        } else if (timeoutNanos < 0) {
            selector.select();
        } else {
            selector.select(timeoutNanos / 1_000_000 + (timeoutNanos % 1_000_000 == 0 ? 0 : 1));
        }
        if (flaw == Flaw.CLEARS_INTERRUPT) {
            Thread.interrupted();
        }
        List<Event> events = new ArrayList<>();
        for (Iterator<SelectionKey> it = selector.selectedKeys().iterator(); it.hasNext(); ) {
            SelectionKey key = it.next();
            it.remove();
            if (key.isValid()) {
                events.add(new Event(key, (Watch) key.attachment(), key.readyOps()));
            }
        }
        polling = true;
        try {
            for (Event e : events) {
                deliver(e, sink);
            }
        } finally {
            polling = false;
        }
        if (flushPending) {
            flush();
        }
    }

    private void deliver(Event e, EventSink sink) {
        Watch w = e.watch();
        if (w.dropped && flaw != Flaw.REPORTS_DEREGISTERED_IN_SINK) {
            return;
        }
        int ready = e.readyOps();
        int ops = ((ready & (SelectionKey.OP_READ | SelectionKey.OP_ACCEPT)) != 0 ? READ : 0)
                | ((ready & (SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT)) != 0 ? WRITE : 0);
        ops &= w.interest;
        if (ops == 0) {
            return;
        }
        if (flaw == Flaw.NO_LEVEL_TRIGGERED_REPORT && !reportedOnce.add(e.key())) {
            return;
        }
        sink.ready(w.attachment, ops);
        Watch stale = staleSlotOf.get(w);
        if (stale != null && (ops & stale.interest) != 0) {
            sink.ready(stale.attachment, ops & stale.interest);
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

    /** Lets go of cancelled keys; renews a wake-up the selectNow cleared. */
    private void flush() throws IOException {
        flushPending = false;
        selector.selectNow(DROP);
        if (wakeRequested) {
            selector.wakeup();
        }
    }

    private void switchFinishedConnects() {
        for (Iterator<SelectionKey> it = connecting.iterator(); it.hasNext(); ) {
            SelectionKey key = it.next();
            if (!key.isValid()) {
                it.remove();
            } else if (!((SocketChannel) key.channel()).isConnectionPending()) {
                it.remove();
                key.interestOps(ops(key, (Watch) key.attachment()));
            }
        }
    }

    private int ops(SelectionKey key, Watch w) {
        SelectableChannel ch = w.channel;
        int ops = 0;
        if ((w.interest & READ) != 0) {
            ops |= ch instanceof ServerSocketChannel ? SelectionKey.OP_ACCEPT : SelectionKey.OP_READ;
        }
        if ((w.interest & WRITE) != 0) {
            if (ch instanceof SocketChannel s && s.isConnectionPending()) {
                ops |= SelectionKey.OP_CONNECT;
                connecting.add(key);
            } else {
                ops |= SelectionKey.OP_WRITE;
            }
        }
        return ops & ch.validOps();
    }
}
