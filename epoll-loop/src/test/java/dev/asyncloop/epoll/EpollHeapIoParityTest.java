package dev.asyncloop.epoll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.asyncloop.EventLoop;
import dev.asyncloop.nio.NioEventLoop;
import dev.asyncloop.spi.HeapIo;
import dev.asyncloop.testsupport.SocketPair;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The heap I/O path answers as the JDK channel does ("Errors are those the channel's methods would throw", HeapIo's
 * contract): each test runs one scenario through {@link SocketChannel} and through {@link EpollHeapIo} (or through
 * a NIO loop and an epoll loop) and compares what the two say.
 */
@Timeout(60)
class EpollHeapIoParityTest {
    private HeapIo io;

    @BeforeEach
    void setUp() {
        io = EpollHeapIo.create().orElseThrow();
    }

    /** [0] our non-blocking end, [1] the peer (blocking). */
    private static SocketChannel[] pair() throws IOException {
        SocketPair ends = SocketPair.open();
        ends.ours().configureBlocking(false);
        return new SocketChannel[] {ends.ours(), ends.peer()};
    }

    /** One side of a comparison, on a fresh connection; answers what happened, as text. */
    @FunctionalInterface
    interface Scenario {
        String run(SocketChannel ours, SocketChannel peer) throws Exception;
    }

    /** Runs {@code jdk} and {@code heap} on a fresh connection each and checks that they tell the same. */
    private void assertSameOnBothPaths(Scenario jdk, Scenario heap) throws Exception {
        assertEquals(onFreshPair(jdk), onFreshPair(heap));
    }

    private String onFreshPair(Scenario scenario) throws Exception {
        SocketChannel[] p = pair();
        try {
            return scenario.run(p[0], p[1]);
        } finally {
            p[0].close();
            p[1].close();
        }
    }

    private static void reset(SocketChannel peer) throws IOException {
        peer.setOption(StandardSocketOptions.SO_LINGER, 0);
        peer.close(); // RST
    }

    @FunctionalInterface
    interface Read {
        int read(SocketChannel ch, byte[] b) throws IOException;
    }

    private static final Read JDK_READ = (ch, b) -> ch.read(ByteBuffer.wrap(b));

    private Read heapRead() {
        return (ch, b) -> io.read(ch, b, 0, b.length);
    }

    /** Reads until something other than 0 happens; returns the outcome as text. */
    private static String outcome(SocketChannel ch, Read read) {
        byte[] b = new byte[100];
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        try {
            while (System.nanoTime() < deadline) {
                int n = read.read(ch, b);
                if (n != 0) {
                    return "returned " + n;
                }
                Thread.sleep(1);
            }
            return "timeout";
        } catch (Exception e) {
            return describe(e);
        }
    }

    private static String describe(Exception e) {
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    private static Scenario twoReadsAfterReset(Read read) {
        return (ours, peer) -> {
            reset(peer);
            return outcome(ours, read) + " / " + outcome(ours, read);
        };
    }

    @Test
    @DisplayName("after a reset, a second read fails again as the JDK's does (its connectionReset is sticky)")
    void secondReadAfterReset() throws Exception {
        assertSameOnBothPaths(twoReadsAfterReset(JDK_READ), twoReadsAfterReset(heapRead()));
    }

    @FunctionalInterface
    interface Write {
        int write(SocketChannel ch, byte[] b) throws IOException;
    }

    private static Scenario writeAfterShutdown(Write write) {
        return (ours, peer) -> {
            ours.shutdownOutput();
            try {
                return "returned " + write.write(ours, new byte[10]);
            } catch (Exception e) {
                return describe(e);
            }
        };
    }

    @Test
    @DisplayName("a write after shutdownOutput is AsynchronousCloseException, as the JDK's write says")
    void writeAfterShutdownOutput() throws Exception {
        assertSameOnBothPaths(writeAfterShutdown((ch, b) -> ch.write(ByteBuffer.wrap(b))),
                writeAfterShutdown((ch, b) -> io.write(ch, b, 0, b.length)));
    }

    private static Scenario readAfterShutdownWithBytesWaiting(Read read) {
        return (ours, peer) -> {
            peer.write(ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII)));
            Thread.sleep(100); // loopback: the bytes are in our receive queue
            ours.shutdownInput();
            return outcome(ours, read);
        };
    }

    @Test
    @DisplayName("a read after shutdownInput is end of stream, as the JDK's read says, even with bytes waiting")
    void readAfterShutdownInput() throws Exception {
        assertSameOnBothPaths(readAfterShutdownWithBytesWaiting(JDK_READ),
                readAfterShutdownWithBytesWaiting(heapRead()));
    }

    // ------------------------------------------------------------------ the same, seen through the loops

    private static Scenario sockRecvTwiceAfterReset(Supplier<EventLoop> factory) {
        return (ours, peer) -> {
            reset(peer);
            Thread.sleep(100);
            try (EventLoop loop = factory.get()) {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < 2; i++) {
                    try {
                        int n = loop.runUntilComplete(loop.sockRecv(ours, 100)).length;
                        sb.append("[bytes ").append(n).append("] ");
                    } catch (Exception e) {
                        sb.append('[').append(describe(e)).append("] ");
                    }
                }
                return sb.toString().trim();
            }
        };
    }

    @Test
    @DisplayName("sockRecv after a reset: the epoll loop (heap I/O) answers as the NIO loop does")
    void sockRecvAfterResetSameOnBothLoops() throws Exception {
        assertSameOnBothPaths(sockRecvTwiceAfterReset(NioEventLoop::new), sockRecvTwiceAfterReset(EpollEventLoop::new));
    }

    private static Scenario sockSendAllAfterShutdown(Supplier<EventLoop> factory) {
        return (ours, peer) -> {
            ours.shutdownOutput();
            try (EventLoop loop = factory.get()) {
                loop.runUntilComplete(loop.sockSendAll(ours, ByteBuffer.wrap(new byte[100])));
                return "sent";
            } catch (Exception e) {
                return describe(e);
            }
        };
    }

    @Test
    @DisplayName("sockSendAll after shutdownOutput: the epoll loop (heap I/O) fails as the NIO loop does")
    void sockSendAllAfterShutdownSameOnBothLoops() throws Exception {
        assertSameOnBothPaths(sockSendAllAfterShutdown(NioEventLoop::new),
                sockSendAllAfterShutdown(EpollEventLoop::new));
    }

    // ------------------------------------------------------------------ a concurrent close

    @Test
    @DisplayName("a close from another thread during heap reads and writes is ClosedChannelException, never EBADF")
    void concurrentClose() throws Exception {
        for (int round = 0; round < 300; round++) {
            SocketChannel[] p = pair();
            SocketChannel ours = p[0];
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread worker = Thread.ofPlatform().start(() -> {
                byte[] b = new byte[4096];
                try {
                    while (true) {
                        io.write(ours, b, 0, b.length);
                        io.read(ours, b, 0, b.length);
                    }
                } catch (ClosedChannelException expected) {
                    // the close came first
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            Thread.sleep(0, 50_000);
            ours.close();
            worker.join(10_000);
            p[1].close();
            if (failure.get() != null) {
                fail("round " + round + ": " + failure.get(), failure.get());
            }
        }
    }

    @Test
    @DisplayName("a heap read on a channel left in blocking mode returns when another thread closes it, as the JDK's"
            + " does")
    void closeWakesABlockingModeRead() throws Exception {
        String jdk = closeDuringBlockingRead(JDK_READ);
        assertEquals("AsynchronousCloseException: null", jdk, "the JDK's read, closed while it blocks");
        assertEquals(jdk, closeDuringBlockingRead(heapRead()), "within " + CLOSE_WAIT + " after close()");
    }

    /** The bound on a read's return after a close, and on a reader reaching its blocking read: generous. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(30);

    private String closeDuringBlockingRead(Read read) throws Exception {
        SocketChannel[] p = pair();
        SocketChannel ours = p[0];
        ours.configureBlocking(true); // outside HeapIo's contract
        AtomicReference<String> result = new AtomicReference<>("still blocked");
        Thread reader = Thread.ofPlatform().start(() -> result.set(outcome(ours, read)));
        awaitBlockedInNativeRead(reader);
        ours.close();
        reader.join(CLOSE_WAIT);
        String seen = result.get();
        p[1].close(); // unblocks the recv so the thread ends
        reader.join(CLOSE_WAIT);
        return seen;
    }

    /**
     * Waits until {@code reader} is inside the JDK's native socket read, where a close from another thread is
     * an AsynchronousCloseException. A fixed sleep instead left a reader on a loaded machine short of its read,
     * whose close then made it a ClosedChannelException on one path only.
     */
    private static void awaitBlockedInNativeRead(Thread reader) throws InterruptedException {
        long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
        while (Arrays.stream(reader.getStackTrace()).noneMatch(
                f -> f.getClassName().equals("sun.nio.ch.SocketDispatcher") && f.isNativeMethod())) {
            assertTrue(System.nanoTime() - deadline < 0, "the reader never blocked in the JDK's native read: "
                    + reader.getState() + " " + Arrays.toString(reader.getStackTrace()));
            Thread.sleep(1);
        }
    }

    @Test
    @DisplayName("sockRecvInto and sockSendAll honour a slice's arrayOffset and position (large, partial writes)")
    void slicesThroughTheLoop() throws Exception {
        SocketChannel[] p = pair();
        try (EpollEventLoop loop = new EpollEventLoop()) {
            byte[] backing = new byte[3 * 256 * 1024 + 100];
            new java.util.SplittableRandom(1).nextBytes(backing);
            ByteBuffer out = ByteBuffer.wrap(backing, 7, backing.length - 20).slice();
            out.position(5);
            byte[] expected = java.util.Arrays.copyOfRange(backing, 12, 12 + out.remaining());
            p[1].configureBlocking(false);
            dev.asyncloop.Future<Void> sent = loop.sockSendAll(p[0], out);
            byte[] inBacking = new byte[expected.length + 64];
            java.util.Arrays.fill(inBacking, (byte) 0x55);
            ByteBuffer in = ByteBuffer.wrap(inBacking, 9, expected.length + 10).slice().position(3);
            while (in.position() < 3 + expected.length) {
                int n = loop.runUntilComplete(loop.sockRecvInto(p[1], in));
                assertTrue(n > 0, "n=" + n);
            }
            loop.runUntilComplete(sent);
            assertEquals(0x55, inBacking[11] & 0xff);
            assertEquals(0x55, inBacking[12 + expected.length] & 0xff);
            org.junit.jupiter.api.Assertions.assertArrayEquals(expected,
                    java.util.Arrays.copyOfRange(inBacking, 12, 12 + expected.length));
            assertEquals(out.limit(), out.position());
        } finally {
            p[0].close();
            p[1].close();
        }
    }

    // ------------------------------------------------------------------ writes to a reset peer, blocking channels

    /** Writes until the write fails (the first ones may still be taken before the reset arrives). */
    private static Scenario writesAfterReset(Write write) {
        return (ours, peer) -> {
            reset(peer);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            try {
                while (System.nanoTime() < deadline) {
                    write.write(ours, new byte[1000]);
                    Thread.sleep(1);
                }
                return "timeout";
            } catch (Exception e) {
                return describe(e);
            }
        };
    }

    @Test
    @DisplayName("writes to a peer that reset fail as the JDK's write does (the same exception and message)")
    void writeAfterPeerReset() throws Exception {
        assertSameOnBothPaths(writesAfterReset((ch, b) -> ch.write(ByteBuffer.wrap(b))),
                writesAfterReset((ch, b) -> io.write(ch, b, 0, b.length)));
    }

    private static Scenario blockingRoundTrip(Read read, Write write) {
        return (ours, peer) -> {
            ours.configureBlocking(true);
            int sent = write.write(ours, "hello".getBytes(StandardCharsets.US_ASCII));
            ByteBuffer got = ByteBuffer.allocate(5);
            while (got.hasRemaining()) {
                peer.read(got);
            }
            peer.write(ByteBuffer.wrap("world".getBytes(StandardCharsets.US_ASCII)));
            StringBuilder read5 = new StringBuilder();
            while (read5.length() < 5) {
                byte[] b = new byte[5 - read5.length()];
                int n = read.read(ours, b);
                if (n < 0) {
                    return "end of stream after " + read5;
                }
                read5.append(new String(b, 0, n, StandardCharsets.US_ASCII));
            }
            return "wrote " + sent + ", peer got " + new String(got.array(), StandardCharsets.US_ASCII) + ", read "
                    + read5;
        };
    }

    @Test
    @DisplayName("a channel in blocking mode is read and written as the JDK's own methods do")
    void blockingModeChannel() throws Exception {
        assertSameOnBothPaths(blockingRoundTrip(JDK_READ, (ch, b) -> ch.write(ByteBuffer.wrap(b))),
                blockingRoundTrip(heapRead(), (ch, b) -> io.write(ch, b, 0, b.length)));
        assertEquals("wrote 5, peer got hello, read world",
                onFreshPair(blockingRoundTrip(heapRead(), (ch, b) -> io.write(ch, b, 0, b.length))));
    }
}
