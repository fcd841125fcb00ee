package dev.asyncloop.spi;

import dev.asyncloop.EventLoop;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The heap buffers a loop's TLS connections borrow: one set per loop, loop thread only. A connection takes a
 * buffer while it processes a read or a write and gives it back at the end of that call; between calls it keeps
 * only what must outlive them (an incomplete TLS record, plaintext its protocol has not taken), in a buffer of
 * about that size. So an idle connection holds no buffer, and in the steady state nothing is allocated: the
 * buffers go round.
 *
 * <p>Buffers come in power-of-two capacities from {@value #MIN_CAPACITY} bytes up; {@link #take} hands out one
 * at least as large as asked (a kept one when there is one), {@link #give} keeps it for the next taker unless the
 * loop already keeps {@value #KEPT_BYTES_PER_SIZE} bytes of that size, so a loop keeps a bounded amount whatever
 * a burst of connections borrowed. A buffer is held by one taker at a time: nested calls (an application that
 * writes to another TLS connection from its {@code dataReceived}) take buffers of their own.
 */
final class TlsBuffers {
    /** The smallest capacity handed out. */
    static final int MIN_CAPACITY = 256;
    /** Bytes kept, at most, per capacity; at least two buffers of every capacity are kept. */
    static final int KEPT_BYTES_PER_SIZE = 256 * 1024;
    private static final int MIN_SHIFT = Integer.numberOfTrailingZeros(MIN_CAPACITY);
    /** Capacities up to 2^30 have a size class; larger requests cannot be a TLS buffer. */
    private static final int CLASSES = 30 - MIN_SHIFT + 1;
    private static final Map<EventLoop, TlsBuffers> OTHER_LOOPS = Collections.synchronizedMap(new WeakHashMap<>());

    private final ByteBuffer[][] kept = new ByteBuffer[CLASSES][];
    private final int[] keptCount = new int[CLASSES];
    private long keptBytes;
    private long allocations;

    /** The set of {@code loop}: its own when it is a {@link BaseEventLoop}, else one kept while the loop lives. */
    static TlsBuffers of(EventLoop loop) {
        if (loop instanceof BaseEventLoop base) {
            return base.tlsBuffers;
        }
        return OTHER_LOOPS.computeIfAbsent(loop, l -> new TlsBuffers());
    }

    /** The capacity {@link #take} hands out for a request of {@code minCapacity} bytes. */
    static int capacityFor(int minCapacity) {
        if (minCapacity <= MIN_CAPACITY) {
            return MIN_CAPACITY;
        }
        if (minCapacity > 1 << 30) {
            throw new IllegalArgumentException("a TLS buffer of " + minCapacity + " bytes is beyond 1 GiB");
        }
        return Integer.highestOneBit(minCapacity - 1) << 1;
    }

    private static int sizeClass(int capacity) {
        return Integer.numberOfTrailingZeros(capacity) - MIN_SHIFT;
    }

    /** A cleared heap buffer of {@link #capacityFor capacityFor(minCapacity)} bytes, the caller's until given back. */
    @SuppressWarnings("NullAway") // a taken slot is cleared for the GC; slots past keptCount are never read
    ByteBuffer take(int minCapacity) {
        int capacity = capacityFor(minCapacity);
        int c = sizeClass(capacity);
        int n = keptCount[c];
        if (n == 0) {
            allocations++;
            return ByteBuffer.allocate(capacity);
        }
        ByteBuffer b = kept[c][--n];
        kept[c][n] = null;
        keptCount[c] = n;
        keptBytes -= capacity;
        return b.clear();
    }

    /**
     * Takes back a buffer from {@link #take}; the caller must drop every reference to it. A buffer of another
     * capacity (not from {@code take}) is left to the collector.
     */
    void give(ByteBuffer b) {
        int capacity = b.capacity();
        if (capacity < MIN_CAPACITY || Integer.bitCount(capacity) != 1 || b.isDirect() || b.isReadOnly()) {
            return;
        }
        int c = sizeClass(capacity);
        int room = Math.max(2, KEPT_BYTES_PER_SIZE / capacity);
        if (kept[c] == null) {
            kept[c] = new ByteBuffer[room];
        }
        if (keptCount[c] == room) {
            return;
        }
        kept[c][keptCount[c]++] = b;
        keptBytes += capacity;
    }

    /**
     * Moves what {@code writeMode} holds into a buffer of {@link #capacityFor capacityFor(minCapacity)} bytes (at
     * least what it holds) and takes {@code writeMode} back; the caller must drop every reference to it.
     *
     * @return the new buffer, in write mode after the bytes moved
     */
    ByteBuffer move(ByteBuffer writeMode, int minCapacity) {
        ByteBuffer to = take(Math.max(minCapacity, writeMode.position()));
        writeMode.flip();
        to.put(writeMode);
        give(writeMode);
        return to;
    }

    /** Buffers {@link #take} had to allocate so far (none kept of the size asked). */
    long allocations() {
        return allocations;
    }

    /** Bytes of the buffers kept for the next takers. */
    long keptBytes() {
        return keptBytes;
    }
}
