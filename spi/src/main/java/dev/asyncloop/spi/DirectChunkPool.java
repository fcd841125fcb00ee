package dev.asyncloop.spi;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * Direct buffers of one size for the write queues of one loop's transports, kept for reuse up to a bound. Loop
 * thread only.
 *
 * <p>Queued outbound bytes live in direct memory so that a socket write never makes the JDK copy them into a
 * temporary direct buffer again: bytes are copied once, when queued, however many writes it takes to send them.
 */
final class DirectChunkPool {
    /** Bytes per chunk. */
    static final int CHUNK_SIZE = 64 * 1024;
    /** Chunks kept for reuse; the ones released beyond this are left to the garbage collector. */
    static final int MAX_RETAINED = 64;

    private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();
    private final int chunkSize;
    private final int maxRetained;

    DirectChunkPool() {
        this(CHUNK_SIZE, MAX_RETAINED);
    }

    DirectChunkPool(int chunkSize, int maxRetained) {
        this.chunkSize = chunkSize;
        this.maxRetained = maxRetained;
    }

    /** A cleared chunk. */
    ByteBuffer acquire() {
        ByteBuffer chunk = free.pollFirst();
        return chunk != null ? chunk.clear() : ByteBuffer.allocateDirect(chunkSize);
    }

    /** Gives back a chunk that {@link #acquire()} returned; the caller must not touch it afterwards. */
    void release(ByteBuffer chunk) {
        if (free.size() < maxRetained) {
            free.addFirst(chunk);
        }
    }

    /** Chunks ready for reuse. */
    int retained() {
        return free.size();
    }
}
