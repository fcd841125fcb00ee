package dev.asyncloop.spi;

import dev.asyncloop.BufferedProtocol;
import dev.asyncloop.EventLoop;
import dev.asyncloop.Protocol;
import dev.asyncloop.StreamTransport;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Optional;

/**
 * One end of an in-memory stream connection for tests: what one end writes reaches the other end's protocol in a
 * later iteration, cut into pieces of at most {@code piece} bytes, one piece per iteration. No flow control (the
 * buffer never pauses the protocol); {@code close} delivers EOF to the peer.
 */
final class MemoryTransport implements StreamTransport {
    private final EventLoop loop;
    private final int piece;
    private final ArrayDeque<ByteBuffer> incoming = new ArrayDeque<>();
    private MemoryTransport peer;
    private Protocol protocol;
    private boolean closing;
    private boolean lost;
    private boolean paused;
    private boolean eofPending;
    private boolean pumping;
    int written;
    /** When set, the next write calls the protocol's pauseWriting from inside write, as a socket over its mark. */
    boolean pauseProtocolOnNextWrite;

    private MemoryTransport(EventLoop loop, int piece) {
        this.loop = loop;
        this.piece = piece;
    }

    /** Two connected ends; {@link #start} tells each protocol connectionMade. */
    static MemoryTransport[] pair(EventLoop loop, int piece) {
        MemoryTransport a = new MemoryTransport(loop, piece);
        MemoryTransport b = new MemoryTransport(loop, piece);
        a.peer = b;
        b.peer = a;
        return new MemoryTransport[] {a, b};
    }

    void start(Protocol p) {
        protocol = p;
        loop.callSoon(() -> p.connectionMade(this));
    }

    @Override
    public void write(ByteBuffer data) {
        if (closing || !data.hasRemaining()) {
            data.position(data.limit());
            return;
        }
        ByteBuffer copy = ByteBuffer.allocate(data.remaining()).put(data).flip();
        written += copy.remaining();
        MemoryTransport to = peer;
        loop.callSoon(() -> to.receive(copy));
        if (pauseProtocolOnNextWrite) {
            pauseProtocolOnNextWrite = false;
            protocol.pauseWriting();
        }
    }

    private void receive(ByteBuffer data) {
        if (lost) {
            return;
        }
        incoming.add(data);
        schedulePump();
    }

    private void schedulePump() {
        if (!pumping) {
            pumping = true;
            loop.callSoon(this::pump);
        }
    }

    private void pump() {
        pumping = false;
        if (lost || paused) {
            return;
        }
        ByteBuffer head = incoming.peekFirst();
        if (head == null) {
            if (eofPending) {
                eofPending = false;
                if (!protocol.eofReceived()) {
                    close();
                }
            }
            return;
        }
        int n = Math.min(piece, head.remaining());
        if (protocol instanceof BufferedProtocol buffered) {
            ByteBuffer into = buffered.getBuffer(-1);
            n = Math.min(n, into.remaining());
            into.put(head.slice(head.position(), n));
            head.position(head.position() + n);
            buffered.bufferUpdated(n);
        } else {
            ByteBuffer slice = head.slice(head.position(), n);
            head.position(head.position() + n);
            protocol.dataReceived(slice);
        }
        if (!head.hasRemaining()) {
            incoming.pollFirst();
        }
        schedulePump();
    }

    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        MemoryTransport to = peer;
        loop.callSoon(() -> {
            to.eofPending = true;
            to.schedulePump();
            lose();
        });
    }

    @Override
    public void abort() {
        close();
    }

    private void lose() {
        if (!lost) {
            lost = true;
            protocol.connectionLost(null);
        }
    }

    @Override
    public boolean isClosing() {
        return closing;
    }

    @Override
    public void pauseReading() {
        paused = true;
    }

    @Override
    public void resumeReading() {
        if (paused) {
            paused = false;
            schedulePump();
        }
    }

    @Override
    public boolean isReading() {
        return !paused && !closing;
    }

    @Override
    public Optional<Object> getExtraInfo(String key) {
        return Optional.empty();
    }

    @Override
    public void setProtocol(Protocol protocol) {
        this.protocol = protocol;
    }

    @Override
    public Protocol getProtocol() {
        return protocol;
    }

    @Override
    public void writeEof() {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean canWriteEof() {
        return false;
    }

    @Override
    public void setWriteBufferLimits(Integer high, Integer low) {
    }

    @Override
    public int getWriteBufferHighWater() {
        return 64 * 1024;
    }

    @Override
    public int getWriteBufferLowWater() {
        return 16 * 1024;
    }

    @Override
    public int getWriteBufferSize() {
        return 0;
    }
}
