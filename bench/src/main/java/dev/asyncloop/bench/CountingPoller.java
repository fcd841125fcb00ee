package dev.asyncloop.bench;

import dev.asyncloop.spi.Poller;
import java.io.IOException;
import java.nio.channels.SelectableChannel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link Poller} that forwards to another and remembers which channels are registered with it, so that a soak
 * can see from outside the loop whether every channel the loop watched was deregistered. The loop calls it on its
 * own thread; {@link #registered()} and {@link #registeredButClosed()} may be read from any thread.
 */
final class CountingPoller implements Poller {
    private final Poller delegate;
    private final Set<SelectableChannel> registered = ConcurrentHashMap.newKeySet();

    CountingPoller(Poller delegate) {
        this.delegate = delegate;
    }

    /** How many channels are registered now. */
    int registered() {
        return registered.size();
    }

    /** How many registered channels are already closed: each is a registration the loop forgot to drop. */
    int registeredButClosed() {
        int n = 0;
        for (SelectableChannel c : registered) {
            if (!c.isOpen()) {
                n++;
            }
        }
        return n;
    }

    @Override
    public void register(SelectableChannel channel, int interest, Object attachment) throws IOException {
        delegate.register(channel, interest, attachment);
        registered.add(channel);
    }

    @Override
    public void modify(SelectableChannel channel, int interest) throws IOException {
        delegate.modify(channel, interest);
    }

    @Override
    public void deregister(SelectableChannel channel) {
        delegate.deregister(channel);
        registered.remove(channel);
    }

    @Override
    public void poll(long timeoutNanos, EventSink sink) throws IOException {
        delegate.poll(timeoutNanos, sink);
    }

    @Override
    public void wakeup() {
        delegate.wakeup();
    }

    @Override
    public void close() throws IOException {
        registered.clear();
        delegate.close();
    }
}
