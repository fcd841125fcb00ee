package dev.asyncloop.tck;

import dev.asyncloop.DatagramProtocol;
import dev.asyncloop.DatagramTransport;
import dev.asyncloop.EventLoop;
import dev.asyncloop.Future;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A datagram protocol that records every call, for the UDP group: {@code events} holds "made", "datagram",
 * "error", "lost" in order; each datagram is kept as text with its sender. Loop thread only.
 */
class RecordingDatagramProtocol implements DatagramProtocol {
    record Received(String text, SocketAddress from) {
    }

    final EventLoop loop;
    final List<String> events = new ArrayList<>();
    final List<Received> datagrams = new ArrayList<>();
    final List<Exception> errors = new ArrayList<>();
    final Future<@Nullable Void> made;
    final Future<@Nullable Throwable> lost;
    DatagramTransport transport;
    boolean echo;
    private @Nullable Future<@Nullable Void> next;
    private @Nullable Future<Exception> nextError;

    RecordingDatagramProtocol(EventLoop loop) {
        this.loop = loop;
        this.made = loop.createFuture();
        this.lost = loop.createFuture();
    }

    /** A future done when {@code n} datagrams in total have arrived. */
    Future<@Nullable Void> received(int n) {
        next = loop.createFuture();
        waitingFor = n;
        check();
        return next;
    }

    private int waitingFor;

    private void check() {
        if (next != null && !next.isDone() && datagrams.size() >= waitingFor) {
            next.setResult(null);
        }
    }

    /** A future of the first error received (at once if one arrived already). */
    Future<Exception> firstError() {
        nextError = loop.createFuture();
        if (!errors.isEmpty()) {
            nextError.setResult(errors.getFirst());
        }
        return nextError;
    }

    @Override
    public void connectionMade(DatagramTransport transport) {
        events.add("made");
        this.transport = transport;
        made.setResult(null);
    }

    @Override
    public void datagramReceived(ByteBuffer data, SocketAddress address) {
        events.add("datagram");
        byte[] copy = new byte[data.remaining()];
        data.get(copy);
        datagrams.add(new Received(new String(copy, StandardCharsets.US_ASCII), address));
        if (echo) {
            transport.sendTo(ByteBuffer.wrap(copy), address);
        }
        check();
    }

    @Override
    public void errorReceived(Exception exception) {
        events.add("error");
        errors.add(exception);
        if (nextError != null && !nextError.isDone()) {
            nextError.setResult(exception);
        }
    }

    @Override
    public void connectionLost(@Nullable Throwable exception) {
        events.add("lost");
        if (!lost.isDone()) {
            lost.setResult(exception);
        }
    }
}
