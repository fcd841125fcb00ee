package dev.asyncloop.spi;

import java.nio.channels.SelectableChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A scripted {@link Poller}: records every call, and {@link #poll} delivers the events queued with {@link #emit}. */
final class FakePoller implements Poller {
    final List<String> calls = new ArrayList<>();
    final Map<SelectableChannel, Object> attachments = new HashMap<>();
    private final List<Object[]> pending = new ArrayList<>();
    boolean closed;
    int wakeups;

    void emit(SelectableChannel channel, int ops) {
        pending.add(new Object[] {attachments.get(channel), ops});
    }

    @Override
    public void register(SelectableChannel channel, int interest, Object attachment) {
        calls.add("register " + interest);
        attachments.put(channel, attachment);
    }

    @Override
    public void modify(SelectableChannel channel, int interest) {
        calls.add("modify " + interest);
    }

    @Override
    public void deregister(SelectableChannel channel) {
        calls.add("deregister");
        attachments.remove(channel);
    }

    @Override
    public void poll(long timeoutNanos, EventSink sink) {
        List<Object[]> now = new ArrayList<>(pending);
        pending.clear();
        for (Object[] e : now) {
            if (e[0] != null) {
                sink.ready(e[0], (Integer) e[1]);
            }
        }
    }

    @Override
    public void wakeup() {
        wakeups++;
    }

    @Override
    public void close() {
        closed = true;
    }
}
