package dev.asyncloop.spi;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * The bytes a stream transport still has to send. Loop thread only. Queued bytes are heap copies: {@link #add}
 * copies, so the caller may reuse its buffer at once, as asyncio's {@code write} allows. How they reach the
 * socket (staged through the loop's scratch buffer, or from their arrays) is {@link SocketIo}'s business.
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
     * Sends the queued bytes until the socket takes less than it was offered. Small buffers are gathered into the
     * loop's scratch buffer, one system call for many; with a {@linkplain SocketIo#writesHeapDirectly() heap
     * writer} a buffer of {@link SocketIo#GATHER_LIMIT} or more is sent from its own array instead.
     *
     * @param channel the socket
     * @param output the loop's output; the scratch buffer's content is lost
     * @return the bytes sent
     * @throws IOException as the channel's write does; what earlier system calls of this flush sent is gone from
     *     the queue, the rest is still queued (a transport closes on any write error, so nothing resends it)
     */
    long writeTo(WritableByteChannel channel, SocketIo output) throws IOException {
        boolean direct = output.writesHeapDirectly();
        long total = 0;
        while (size > 0) {
            ByteBuffer head = queue.peekFirst();
            int offered;
            int written;
            if (direct && head.remaining() >= SocketIo.GATHER_LIMIT) {
                offered = Math.min(head.remaining(), SocketIo.MAX_HEAP_IO);
                written = output.writeArray(channel, head, offered);
            } else {
                ByteBuffer scratch = output.scratch().clear();
                for (ByteBuffer b : queue) {
                    if (direct && b != head && b.remaining() >= SocketIo.GATHER_LIMIT) {
                        break;
                    }
                    int m = Math.min(b.remaining(), scratch.remaining());
                    scratch.put(scratch.position(), b, b.position(), m);
                    scratch.position(scratch.position() + m);
                    if (!scratch.hasRemaining()) {
                        break;
                    }
                }
                offered = scratch.flip().remaining();
                written = channel.write(scratch);
            }
            total += written;
            size -= written;
            for (int left = written; left > 0; ) {
                ByteBuffer b = queue.peekFirst();
                int m = Math.min(left, b.remaining());
                b.position(b.position() + m);
                left -= m;
                if (!b.hasRemaining()) {
                    queue.pollFirst();
                }
            }
            if (written < offered) {
                break;
            }
        }
        return total;
    }

    /** Drops every waiting byte. */
    void clear() {
        queue.clear();
        size = 0;
    }
}
