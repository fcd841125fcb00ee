package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.asyncloop.Connection;
import dev.asyncloop.ExceptionContext;
import dev.asyncloop.Future;
import dev.asyncloop.PipeConnection;
import dev.asyncloop.Protocol;
import dev.asyncloop.testsupport.StressSeeds;
import dev.asyncloop.Tasks;
import dev.asyncloop.Transport;
import dev.asyncloop.WriteTransport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The socket transport's write path under random load: a protocol writes random sizes (0 .. 1 MiB, as arrays,
 * heap slices, direct buffers and {@code writeLines}), scribbles over its buffer once {@code write} returns,
 * sometimes ignores a pause, and ends with {@code writeEof} or {@code close}; a blocking peer reads slowly at
 * random. Checked: the peer gets every byte once, in order; {@code pauseWriting}/{@code resumeWriting}
 * alternate, starting with pause, called exactly when the buffer goes above the high mark / back to the low
 * mark (asyncio's {@code _maybe_pause_protocol}/{@code _maybe_resume_protocol}); {@code getWriteBufferSize()}
 * is never negative nor more than written minus received, and 0 at the end; one {@code connectionLost(null)}.
 * Run with the default I/O (heap writes staged through the scratch buffer) and with a stingy {@link HeapIo} that
 * takes a random part of each write and read (partial writes at every offset of the queue), and into a pipe.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class WritePathStressTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final long BUDGET = 6L << 20;

    @Test
    @DisplayName("random writes, marks and a slow peer: bytes in order once, flow control as asyncio's")
    void scratchPath() {
        StressSeeds.forEach(seed -> scenario(seed, null), 11, 12, 13, 14);
    }

    @Test
    @DisplayName("the same through a HeapIo that takes a random part of each write: partial writes everywhere")
    void stingyHeapIo() {
        StressSeeds.forEach(seed -> scenario(seed, new StingyHeapIo(seed)), 21, 22, 23);
    }

    @Test
    @DisplayName("the same into a pipe (writeEof closes it), read slowly at the other end")
    void pipe() {
        StressSeeds.forEach(this::overPipe, 41, 42, 43);
    }

    /** Takes a random part (sometimes nothing) of each write and fills a random part of each read. */
    static final class StingyHeapIo implements HeapIo {
        private final SplittableRandom rnd;

        StingyHeapIo(long seed) {
            rnd = new SplittableRandom(~seed);
        }

        @Override
        public int read(SocketChannel channel, byte[] bytes, int offset, int length) throws IOException {
            return channel.read(ByteBuffer.wrap(bytes, offset, rnd.nextInt(1, length + 1)));
        }

        @Override
        public int write(SocketChannel channel, byte[] bytes, int offset, int length) throws IOException {
            int k = rnd.nextInt(8) == 0 ? 0 : rnd.nextInt(1, length + 1);
            return k == 0 ? 0 : channel.write(ByteBuffer.wrap(bytes, offset, k));
        }
    }

    /** Reads everything until EOF, slowly at random; {@link #received} counts as it goes. */
    static final class SlowPeer implements Runnable {
        final ReadableByteChannel channel;
        final SplittableRandom rnd;
        final ByteArrayOutputStream got = new ByteArrayOutputStream();
        final AtomicLong received = new AtomicLong();
        volatile @Nullable Throwable failure;

        SlowPeer(ReadableByteChannel channel, long seed) {
            this.channel = channel;
            this.rnd = new SplittableRandom(seed * 31 + 7);
        }

        @Override
        public void run() {
            try (channel) {
                ByteBuffer buf = ByteBuffer.allocate(128 * 1024);
                long sleptNanos = 0;
                while (true) {
                    int want = rnd.nextInt(10) == 0 ? rnd.nextInt(1, 17) : rnd.nextInt(1024, buf.capacity() + 1);
                    buf.clear().limit(want);
                    int n = channel.read(buf);
                    if (n < 0) {
                        return;
                    }
                    got.write(buf.array(), 0, n);
                    received.addAndGet(n);
                    if (rnd.nextInt(16) == 0 && sleptNanos < 300_000_000L) { // a slow reader, 0.3 s at most
                        long nanos = rnd.nextLong(2_000_000L);
                        Thread.sleep(Duration.ofNanos(nanos));
                        sleptNanos += nanos;
                    }
                }
            } catch (Throwable t) {
                failure = t;
            }
        }
    }

    /** Writes at random; checks flow control at every step and in the callbacks. */
    static final class Writer implements Protocol {
        final SplittableRandom rnd;
        final ReadinessEventLoop loop;
        final SlowPeer peer;
        final ByteArrayOutputStream sent = new ByteArrayOutputStream();
        final List<String> flow = new ArrayList<>();
        final Future<@Nullable Throwable> lost;
        WriteTransport transport;
        boolean paused;
        boolean ended;
        int lostCalls;
        @Nullable AssertionError failure;
        /**
         * Whether the buffer shrinks as the system call returns (a readiness transport), so that it is never more
         * than written minus received; a pumped transport learns what its thread wrote a little later.
         */
        boolean knowsWhatTheKernelTook = true;

        Writer(ReadinessEventLoop loop, SplittableRandom rnd, SlowPeer peer) {
            this.loop = loop;
            this.rnd = rnd;
            this.peer = peer;
            this.lost = loop.createFuture();
        }

        @Override
        public void connectionMade(Transport t) {
            transport = (WriteTransport) t;
            int r = rnd.nextInt(4);
            if (r == 1) {
                transport.setWriteBufferLimits(0, 0);
            } else if (r == 2) {
                int high = rnd.nextInt(0, 512 * 1024);
                transport.setWriteBufferLimits(high, rnd.nextInt(0, high + 1));
            } else if (r == 3) {
                transport.setWriteBufferLimits(null, rnd.nextInt(0, 64 * 1024));
            }
            loop.callSoon(this::step);
        }

        void check(boolean condition, String what) {
            if (!condition && failure == null) {
                failure = new AssertionError(what + "; flow " + tail(flow) + ", size "
                        + transport.getWriteBufferSize() + ", marks " + transport.getWriteBufferHighWater() + "/"
                        + transport.getWriteBufferLowWater() + ", sent " + sent.size());
            }
        }

        /** At any moment outside the transport: paused exactly while above low since last above high. */
        void checkState() {
            int size = transport.getWriteBufferSize();
            check(size >= 0, "negative buffer size");
            if (knowsWhatTheKernelTook) {
                check(size <= sent.size() - peer.received.get(), "buffer larger than written minus received");
            }
            if (paused) {
                check(size > transport.getWriteBufferLowWater(), "still paused at or below the low mark");
            } else {
                check(size <= transport.getWriteBufferHighWater(), "above the high mark but not paused");
            }
        }

        void step() {
            if (ended) {
                return;
            }
            if (failure != null) {
                end(); // fail fast: finish() reports the failure once the connection is lost
                return;
            }
            checkState();
            if (sent.size() >= BUDGET || rnd.nextInt(200) == 0) {
                end();
                return;
            }
            for (int k = rnd.nextInt(1, 4); k > 0 && sent.size() < BUDGET; k--) {
                writeOne();
                checkState();
                if (paused && rnd.nextInt(10) != 0) {
                    return; // resumeWriting schedules the next step
                }
            }
            loop.callSoon(this::step);
        }

        private int randomSize() {
            int r = rnd.nextInt(10);
            return r < 4 ? rnd.nextInt(0, 101) : r < 7 ? rnd.nextInt(0, 16 * 1024) : r < 9
                    ? rnd.nextInt(0, 256 * 1024) : rnd.nextInt(0, (1 << 20) + 1);
        }

        private byte[] randomBytes(int n) {
            byte[] b = new byte[n];
            for (int i = 0; i < n; i += 8) {
                long v = rnd.nextLong();
                for (int j = i; j < Math.min(n, i + 8); j++) {
                    b[j] = (byte) v;
                    v >>>= 8;
                }
            }
            return b;
        }

        private void writeOne() {
            int kind = rnd.nextInt(4);
            if (kind == 0) {
                byte[] data = randomBytes(randomSize());
                sent.writeBytes(data);
                transport.write(data);
                java.util.Arrays.fill(data, (byte) 0x55);
            } else if (kind == 1) {
                byte[] data = randomBytes(randomSize() + 10);
                int from = rnd.nextInt(0, 6);
                ByteBuffer slice = ByteBuffer.wrap(data, from, data.length - from - rnd.nextInt(0, 5)).slice();
                sent.write(data, slice.arrayOffset(), slice.remaining());
                transport.write(slice);
                check(!slice.hasRemaining(), "write left the heap buffer's bytes unconsumed");
                java.util.Arrays.fill(data, (byte) 0x55);
            } else if (kind == 2) {
                byte[] data = randomBytes(randomSize());
                ByteBuffer direct = ByteBuffer.allocateDirect(data.length).put(data).flip();
                sent.writeBytes(data);
                transport.write(direct);
                check(!direct.hasRemaining(), "write left the direct buffer's bytes unconsumed");
                direct.clear();
                while (direct.hasRemaining()) {
                    direct.put((byte) 0x55);
                }
            } else {
                List<ByteBuffer> lines = new ArrayList<>();
                List<byte[]> arrays = new ArrayList<>();
                for (int i = rnd.nextInt(0, 5); i > 0; i--) {
                    byte[] data = randomBytes(rnd.nextInt(0, 5000));
                    arrays.add(data);
                    sent.writeBytes(data);
                    lines.add(ByteBuffer.wrap(data));
                }
                transport.writeLines(lines);
                arrays.forEach(a -> java.util.Arrays.fill(a, (byte) 0x55));
            }
        }

        private void end() {
            ended = true;
            if (rnd.nextBoolean()) {
                transport.writeEof();
                transport.close();
            } else {
                transport.close();
            }
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            check(false, "the peer sends nothing");
        }

        @Override
        public void pauseWriting() {
            flow.add("pause");
            check(!paused, "pauseWriting while paused");
            check(transport.getWriteBufferSize() > transport.getWriteBufferHighWater(),
                    "pauseWriting at or below the high mark");
            paused = true;
        }

        @Override
        public void resumeWriting() {
            flow.add("resume");
            check(paused, "resumeWriting while not paused");
            check(transport.getWriteBufferSize() <= transport.getWriteBufferLowWater(),
                    "resumeWriting above the low mark");
            paused = false;
            if (!ended && rnd.nextInt(8) == 0) {
                end(); // from inside the writer callback, possibly with the queue just emptied
            } else if (!ended) {
                loop.callSoon(this::step);
            }
        }

        @Override
        public void connectionLost(@Nullable Throwable exception) {
            lostCalls++;
            check(lostCalls == 1, "connectionLost called " + lostCalls + " times");
            check(transport.getWriteBufferSize() == 0, "buffer not empty at connectionLost");
            if (!lost.isDone()) {
                lost.setResult(exception);
            }
        }
    }

    static String tail(List<String> flow) {
        return flow.size() <= 6 ? flow.toString() : "[..." + flow.subList(flow.size() - 6, flow.size()) + "]";
    }

    void scenario(long seed, @Nullable HeapIo heapIo) {
        List<ExceptionContext> reports = new ArrayList<>();
        SplittableRandom sockets = new SplittableRandom(seed ^ 0x5DEECE66DL);
        try (ReadinessEventLoop loop = newLoop(heapIo); ServerSocketChannel listener = ServerSocketChannel.open()) {
            // small kernel buffers, so that the transport's own buffer and flow control take the load
            listener.setOption(StandardSocketOptions.SO_RCVBUF, sockets.nextInt(4096, 65537));
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            loop.setExceptionHandler((l, context) -> reports.add(context));
            SocketChannel ours = SocketChannel.open();
            ours.setOption(StandardSocketOptions.SO_SNDBUF, sockets.nextInt(4096, 65537));
            ours.connect(listener.getLocalAddress());
            SlowPeer peer = new SlowPeer(listener.accept(), seed);
            Thread reader = Thread.ofPlatform().name("slow-peer-" + seed).start(peer);
            ours.configureBlocking(false);
            Writer writer = new Writer(loop, new SplittableRandom(seed), peer);
            Connection<Writer> c = loop.runUntilComplete(loop.connectAcceptedSocket(() -> writer, ours));
            finish(loop, writer, peer, reader, c.transport(), reports);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    void overPipe(long seed) {
        List<ExceptionContext> reports = new ArrayList<>();
        try (ReadinessEventLoop loop = newLoop(null)) {
            loop.setExceptionHandler((l, context) -> reports.add(context));
            Pipe pipe = Pipe.open();
            pipe.sink().configureBlocking(false);
            SlowPeer peer = new SlowPeer(pipe.source(), seed);
            Thread reader = Thread.ofPlatform().name("slow-pipe-reader-" + seed).start(peer);
            Writer writer = new Writer(loop, new SplittableRandom(seed), peer);
            PipeConnection<WriteTransport, Writer> c = loop.runUntilComplete(
                    loop.connectWritePipe(() -> writer, pipe.sink()));
            finish(loop, writer, peer, reader, c.transport(), reports);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static void finish(ReadinessEventLoop loop, Writer writer, SlowPeer peer, Thread reader,
            WriteTransport transport, List<ExceptionContext> reports) throws InterruptedException {
        Throwable exc = loop.runUntilComplete(() -> Tasks.waitFor(writer.lost, WAIT));
        reader.join(WAIT.toMillis());
        assertTrue(!reader.isAlive(), "the peer did not see EOF");
        loop.runUntilComplete(() -> dev.asyncloop.Async.sleep(Duration.ofMillis(1), null)); // a second lost?
        if (writer.failure != null) {
            throw writer.failure;
        }
        assertNull(peer.failure, () -> "peer failed: " + peer.failure);
        assertNull(exc, "connectionLost(null) after a clean close");
        assertEquals(1, writer.lostCalls, "connectionLost calls");
        assertEquals(writer.sent.size(), peer.got.size(), "bytes received");
        assertArrayEquals(writer.sent.toByteArray(), peer.got.toByteArray(), "the bytes differ");
        assertEquals(0, transport.getWriteBufferSize(), "write buffer at the end");
        assertEquals(List.of(), reports, "exception handler reports");
        List<String> flow = writer.flow;
        for (int i = 0; i < flow.size(); i++) {
            if (!flow.get(i).equals(i % 2 == 0 ? "pause" : "resume")) {
                fail("pause/resume do not alternate from pause: " + flow);
            }
        }
    }

    static ReadinessEventLoop newLoop(@Nullable HeapIo heapIo) {
        try {
            return new ReadinessEventLoop(new SelectorPoller(), heapIo) { };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
