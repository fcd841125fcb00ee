package dev.asyncloop.spi;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * The bytes a stream transport still has to send, and the way every byte goes to the socket. Loop thread only.
 *
 * <p>Handed a heap buffer, a JDK channel copies <em>all</em> its remaining bytes into a temporary direct buffer
 * (of that size, kept per thread) and then writes as much as the socket takes: a partial write of a large buffer
 * is copied again at the next attempt, and a gathering write of a long queue copies the whole queue each time.
 * Here heap bytes go through the loop's one direct scratch buffer instead, at most its capacity per system call,
 * so a byte is copied again only when the socket refused it after it was staged, and no direct memory is
 * allocated per connection. Queued bytes are heap copies: {@link #add} copies, so the caller may reuse its
 * buffer at once, as asyncio's {@code write} allows.
 */
final class WriteQueue {
    private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
    private long size;

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
        if (n == 0) {
            return;
        }
        ByteBuffer copy;
        if (data.hasArray()) {
            // copyOfRange lets the JIT skip zeroing the new array, which would otherwise be a full extra pass
            int from = data.arrayOffset() + data.position();
            copy = ByteBuffer.wrap(Arrays.copyOfRange(data.array(), from, from + n));
            data.position(data.limit());
        } else {
            copy = ByteBuffer.allocate(n);
            copy.put(data).flip();
        }
        queue.addLast(copy);
        size += n;
    }

    /**
     * Sends the queued bytes through {@code scratch} until the socket takes less than was staged.
     *
     * @param channel the socket
     * @param scratch the loop's direct buffer; its content is lost
     * @return the bytes sent
     * @throws IOException as the channel's write does; the queue is unchanged then
     */
    long writeTo(WritableByteChannel channel, ByteBuffer scratch) throws IOException {
        long total = 0;
        while (size > 0) {
            scratch.clear();
            for (ByteBuffer b : queue) {
                int m = Math.min(b.remaining(), scratch.remaining());
                scratch.put(scratch.position(), b, b.position(), m);
                scratch.position(scratch.position() + m);
                if (!scratch.hasRemaining()) {
                    break;
                }
            }
            int staged = scratch.flip().remaining();
            int written = channel.write(scratch);
            total += written;
            size -= written;
            for (int left = written; left > 0; ) {
                ByteBuffer head = queue.peekFirst();
                int m = Math.min(left, head.remaining());
                head.position(head.position() + m);
                left -= m;
                if (!head.hasRemaining()) {
                    queue.pollFirst();
                }
            }
            if (written < staged) {
                break;
            }
        }
        return total;
    }

    /**
     * Sends what the socket takes of {@code data} (heap or direct) without queueing; the caller queues the rest.
     *
     * @return whether everything was sent
     * @throws IOException as the channel's write does
     */
    static boolean send(WritableByteChannel channel, ByteBuffer data, ByteBuffer scratch) throws IOException {
        if (data.isDirect()) {
            channel.write(data);
            return !data.hasRemaining();
        }
        while (data.hasRemaining()) {
            int m = Math.min(data.remaining(), scratch.capacity());
            scratch.clear().put(0, data, data.position(), m).limit(m);
            int written = channel.write(scratch);
            data.position(data.position() + written);
            if (written < m) {
                return false;
            }
        }
        return true;
    }

    /** Drops every waiting byte. */
    void clear() {
        queue.clear();
        size = 0;
    }
}
