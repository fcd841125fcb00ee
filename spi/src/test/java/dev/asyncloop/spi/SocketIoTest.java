package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The edges of {@link SocketIo} with a {@link HeapIo}: what never reaches it. */
class SocketIoTest {
    /** Counts its calls; reads and writes nothing. */
    private static final class CountingHeapIo implements HeapIo {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public int read(SocketChannel channel, byte[] bytes, int offset, int length) {
            calls.incrementAndGet();
            return length == 0 ? -1 : 0; // what recv(fd, buf, 0, 0) answers: 0, i.e. "end of stream"
        }

        @Override
        public int write(SocketChannel channel, byte[] bytes, int offset, int length) {
            calls.incrementAndGet();
            return 0;
        }
    }

    @Test
    void aReadIntoAFullBufferIsZeroBytesAndNeverAsksTheHeapIo() throws IOException {
        CountingHeapIo heapIo = new CountingHeapIo();
        SocketIo io = SocketIo.of(heapIo);
        try (ServerSocketChannel listener = ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                SocketChannel ours = SocketChannel.open(listener.getLocalAddress());
                SocketChannel peer = listener.accept()) {
            ours.configureBlocking(false);
            ByteBuffer full = ByteBuffer.allocate(16).position(16);
            assertEquals(0, io.read(ours, full), "as the channel's own read of a full buffer");
            assertEquals(0, heapIo.calls.get());
            assertEquals(0, io.read(ours, ByteBuffer.allocate(16)), "nothing waiting: 0 from the HeapIo");
            assertEquals(1, heapIo.calls.get());
        }
    }

    @Test
    void heapBytesForAChannelThatIsNotASocketGoThroughTheChannel() throws IOException {
        CountingHeapIo heapIo = new CountingHeapIo();
        SocketIo io = SocketIo.of(heapIo);
        Pipe pipe = Pipe.open();
        try (Pipe.SinkChannel sink = pipe.sink(); Pipe.SourceChannel source = pipe.source()) {
            byte[] data = new byte[2 * SocketIo.GATHER_LIMIT];
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) i;
            }
            WriteQueue queue = new WriteQueue();
            queue.add(ByteBuffer.wrap(data));
            assertEquals(data.length, queue.writeTo(sink, io));
            assertTrue(queue.isEmpty());
            assertEquals(0, heapIo.calls.get(), "HeapIo is for sockets only");
            ByteBuffer got = ByteBuffer.allocate(data.length);
            while (got.hasRemaining()) {
                source.read(got);
            }
            assertArrayEquals(data, got.array());
        }
    }
}
