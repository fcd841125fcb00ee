package dev.asyncloop.spi;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import org.jspecify.annotations.Nullable;

/**
 * How a readiness loop's transports move bytes between sockets and buffers; one per loop, loop thread only.
 *
 * <p><b>Reading.</b> Stream transports read into one buffer per loop, lent to {@code dataReceived} for the call:
 * a heap one when the loop has a {@link HeapIo} (the kernel fills the array itself), else a direct one (a JDK
 * channel reading into a heap buffer would go through a temporary direct buffer and a copy). A
 * {@code BufferedProtocol}'s heap buffer is read into directly through the {@code HeapIo} as well, and so are
 * the heap buffers of {@code sockRecv}/{@code sockRecvInto} on a connected socket. Datagram transports always use
 * the direct buffer.
 *
 * <p><b>Writing.</b> Direct buffers go to the channel as they are. Handed a heap buffer, a JDK channel copies
 * <em>all</em> its remaining bytes into a temporary direct buffer (of that size, kept per thread) and then writes
 * as much as the socket takes: a partial write of a large buffer is copied again at the next attempt. Heap bytes
 * go instead through the loop's {@link HeapIo} when it has one (no copy at all), else through one direct scratch
 * buffer, at most its capacity per system call, so a byte is copied again only when the socket refused it after
 * it was staged and no direct memory is allocated per connection; {@code sockSendAll} sends the same way. The
 * scratch buffer also gathers small queued writes into one system call ({@link WriteQueue#writeTo}).
 */
final class SocketIo {
    static final int READ_BUFFER_SIZE = 256 * 1024;
    static final int SCRATCH_SIZE = 256 * 1024;
    /** With heap I/O, a queued buffer at least this large is sent from its array rather than gathered. */
    static final int GATHER_LIMIT = 4 * 1024;
    /** The most one heap read or write is given: a critical downcall holds off the collector while it runs. */
    static final int MAX_HEAP_IO = 256 * 1024;

    /** {@link HeapIo#write} over any channel, so that tests can stand in for a socket. */
    @FunctionalInterface
    interface HeapSink {
        int write(WritableByteChannel channel, byte[] bytes, int offset, int length) throws IOException;
    }

    private final @Nullable HeapIo heapIo;
    private final @Nullable HeapSink heapSink;
    private final int scratchSize;
    private @Nullable ByteBuffer scratch;
    private @Nullable ByteBuffer directReadBuffer;
    private @Nullable ByteBuffer heapReadBuffer;

    /** @param heapIo the loop's heap I/O, or null to read into direct memory and stage heap writes */
    static SocketIo of(@Nullable HeapIo heapIo) {
        // HeapIo is for sockets; any other channel (a pipe, say) writes a wrapped array as the JDK does.
        HeapSink sink = heapIo == null ? null : (ch, bytes, offset, length) -> ch instanceof SocketChannel socket
                ? heapIo.write(socket, bytes, offset, length)
                : ch.write(ByteBuffer.wrap(bytes, offset, length));
        return new SocketIo(heapIo, sink, SCRATCH_SIZE);
    }

    /** For tests of the write path: {@code heapSink} stands in for a {@link HeapIo}'s write; reads are the JDK's. */
    SocketIo(@Nullable HeapSink heapSink, int scratchSize) {
        this(null, heapSink, scratchSize);
    }

    private SocketIo(@Nullable HeapIo heapIo, @Nullable HeapSink heapSink, int scratchSize) {
        this.heapIo = heapIo;
        this.heapSink = heapSink;
        this.scratchSize = scratchSize;
    }

    /** The direct buffer datagram transports receive into, cleared. */
    ByteBuffer directReadBuffer() {
        if (directReadBuffer == null) {
            directReadBuffer = ByteBuffer.allocateDirect(READ_BUFFER_SIZE);
        }
        return directReadBuffer.clear();
    }

    /** The buffer stream transports read into for a plain {@code Protocol}, cleared: heap with heap I/O. */
    ByteBuffer streamReadBuffer() {
        if (heapIo == null) {
            return directReadBuffer();
        }
        if (heapReadBuffer == null) {
            heapReadBuffer = ByteBuffer.allocate(READ_BUFFER_SIZE);
        }
        return heapReadBuffer.clear();
    }

    /**
     * Reads what the socket has into {@code into}'s remaining room, advancing its position.
     *
     * @return the bytes read, 0 if none were waiting, -1 at end of stream
     * @throws IOException as the channel's read does
     */
    int read(SocketChannel channel, ByteBuffer into) throws IOException {
        if (!into.hasRemaining()) {
            if (!channel.isOpen()) {
                throw new ClosedChannelException(); // as the channel's own read
            }
            return 0; // as the channel's read of a full buffer; a HeapIo is never asked for 0 bytes
        }
        if (heapIo == null || !into.hasArray() || !channel.isConnected()) {
            return channel.read(into); // unconnected: the channel's own NotYetConnectedException
        }
        int room = Math.min(into.remaining(), MAX_HEAP_IO);
        int n = heapIo.read(channel, into.array(), into.arrayOffset() + into.position(), room);
        if (n > 0) {
            into.position(into.position() + n);
        }
        return n;
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
    @SuppressWarnings("NullAway") // staging is the scratch buffer whenever direct is false
    boolean send(WritableByteChannel channel, ByteBuffer data) throws IOException {
        if (data.isDirect()) {
            channel.write(data);
            return !data.hasRemaining();
        }
        boolean direct = heapSink != null && data.hasArray() && isConnected(channel);
        ByteBuffer staging = direct ? null : scratch();
        while (data.hasRemaining()) {
            int m;
            int written;
            if (direct) {
                m = Math.min(data.remaining(), MAX_HEAP_IO);
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

    /** Whether a heap write may go to this channel's descriptor: a socket not yet connected takes the JDK path. */
    private static boolean isConnected(WritableByteChannel channel) {
        return !(channel instanceof SocketChannel socket) || socket.isConnected();
    }

    /**
     * Writes at most {@code length} bytes of {@code data}'s array from its position, without moving the position.
     * Only when {@link #writesHeapDirectly()} and {@code data.hasArray()}.
     */
    @SuppressWarnings("NullAway") // only called when writesHeapDirectly(), i.e. heapSink is set
    int writeArray(WritableByteChannel channel, ByteBuffer data, int length) throws IOException {
        return heapSink.write(channel, data.array(), data.arrayOffset() + data.position(), length);
    }
}
