package dev.asyncloop.spi;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * The bytes a stream transport still has to send, in chunks of a {@link DirectChunkPool}. Loop thread only.
 *
 * <p>{@link #add} copies the caller's bytes once (so the caller may reuse its buffer at once, as asyncio's
 * {@code write} allows); small writes share a chunk. {@link #writeTo} sends the chunks with one gathering write
 * and gives the sent ones back to the pool.
 */
final class WriteQueue {
    /** iovecs per gathering write; Linux's IOV_MAX is 1024, far more than a few chunks need. */
    private static final int MAX_GATHER = 64;

    private final DirectChunkPool pool;
    /** Chunks in flip mode: [position, limit) waits to be sent. Only the last one may still take bytes. */
    private final ArrayDeque<ByteBuffer> chunks = new ArrayDeque<>();
    private final ByteBuffer[] batch = new ByteBuffer[MAX_GATHER];
    private long size;

    WriteQueue(DirectChunkPool pool) {
        this.pool = pool;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Bytes waiting. */
    long size() {
        return size;
    }

    /** Copies {@code data}'s remaining bytes to the end of the queue and advances its position to its limit. */
    void add(ByteBuffer data) {
        int n = data.remaining();
        ByteBuffer last = chunks.peekLast();
        while (data.hasRemaining()) {
            if (last == null || last.limit() == last.capacity()) {
                last = pool.acquire().limit(0);
                chunks.addLast(last);
            }
            int room = last.capacity() - last.limit();
            int m = Math.min(room, data.remaining());
            int at = last.limit();
            last.limit(at + m);
            last.put(at, data, data.position(), m);
            data.position(data.position() + m);
        }
        size += n;
    }

    /**
     * Sends as much as {@code channel} takes in one (gathering) write.
     *
     * @return the bytes sent
     * @throws IOException as the channel's write does; the queue is unchanged then
     */
    long writeTo(GatheringByteChannel channel) throws IOException {
        long written;
        if (chunks.size() == 1) {
            written = channel.write(chunks.peekFirst());
        } else {
            int n = 0;
            for (ByteBuffer c : chunks) {
                if (n == MAX_GATHER) {
                    break;
                }
                batch[n++] = c;
            }
            try {
                written = channel.write(batch, 0, n);
            } finally {
                Arrays.fill(batch, 0, n, null);
            }
        }
        size -= written;
        while (!chunks.isEmpty() && !chunks.peekFirst().hasRemaining()) {
            pool.release(chunks.pollFirst());
        }
        return written;
    }

    /** Drops every waiting byte and gives the chunks back. */
    void clear() {
        for (ByteBuffer c : chunks) {
            pool.release(c);
        }
        chunks.clear();
        size = 0;
    }
}
