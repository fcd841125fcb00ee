package dev.asyncloop.spi;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;

/**
 * How a readiness loop's stream transports put bytes on a socket; one per loop, loop thread only.
 *
 * <p>Direct buffers go to the channel as they are. Handed a heap buffer, a JDK channel copies <em>all</em> its
 * remaining bytes into a temporary direct buffer (of that size, kept per thread) and then writes as much as the
 * socket takes: a partial write of a large buffer is copied again at the next attempt. Heap bytes go instead
 * through the loop's {@link HeapWriter} when it has one (no copy at all), else through one direct scratch buffer,
 * at most its capacity per system call, so a byte is copied again only when the socket refused it after it was
 * staged and no direct memory is allocated per connection. The scratch buffer also gathers small queued writes
 * into one system call ({@link WriteQueue#writeTo}).
 */
final class SocketOutput {
    static final int SCRATCH_SIZE = 256 * 1024;
    /** With a heap writer, a queued buffer at least this large is sent from its array rather than gathered. */
    static final int GATHER_LIMIT = 4 * 1024;
    /** The most one heap-writer call is given: a critical downcall holds off the collector while it runs. */
    static final int MAX_HEAP_WRITE = 256 * 1024;

    /** {@link HeapWriter} over any channel, so that tests can stand in for a socket. */
    @FunctionalInterface
    interface HeapSink {
        int write(WritableByteChannel channel, byte[] bytes, int offset, int length) throws IOException;
    }

    private final HeapSink heapSink;
    private final int scratchSize;
    private ByteBuffer scratch;

    /** @param writer the loop's heap writer, or null to stage heap bytes through the scratch buffer */
    static SocketOutput of(HeapWriter writer) {
        HeapSink sink = writer == null ? null : (ch, bytes, offset, length)
                -> writer.write((SocketChannel) ch, bytes, offset, length);
        return new SocketOutput(sink, SCRATCH_SIZE);
    }

    SocketOutput(HeapSink heapSink, int scratchSize) {
        this.heapSink = heapSink;
        this.scratchSize = scratchSize;
    }

    /** Whether heap arrays go to the socket without being staged. */
    boolean writesHeapDirectly() {
        return heapSink != null;
    }

    /** The loop's direct scratch buffer (allocated on first use); its content is the caller's until it returns. */
    ByteBuffer scratch() {
        if (scratch == null) {
            scratch = ByteBuffer.allocateDirect(scratchSize);
        }
        return scratch;
    }

    /**
     * Sends what the socket takes of {@code data} (heap or direct), advancing its position; the caller queues
     * the rest.
     *
     * @return whether everything was sent
     * @throws IOException as the channel's write does
     */
    boolean send(WritableByteChannel channel, ByteBuffer data) throws IOException {
        if (data.isDirect()) {
            channel.write(data);
            return !data.hasRemaining();
        }
        boolean direct = heapSink != null && data.hasArray();
        ByteBuffer staging = direct ? null : scratch();
        while (data.hasRemaining()) {
            int m;
            int written;
            if (direct) {
                m = Math.min(data.remaining(), MAX_HEAP_WRITE);
                written = writeArray(channel, data, m);
            } else {
                m = Math.min(data.remaining(), staging.capacity());
                staging.clear().put(0, data, data.position(), m).limit(m);
                written = channel.write(staging);
            }
            data.position(data.position() + written);
            if (written < m) {
                return false;
            }
        }
        return true;
    }

    /**
     * Writes at most {@code length} bytes of {@code data}'s array from its position, without moving the position.
     * Only when {@link #writesHeapDirectly()} and {@code data.hasArray()}.
     */
    int writeArray(WritableByteChannel channel, ByteBuffer data, int length) throws IOException {
        return heapSink.write(channel, data.array(), data.arrayOffset() + data.position(), length);
    }
}
