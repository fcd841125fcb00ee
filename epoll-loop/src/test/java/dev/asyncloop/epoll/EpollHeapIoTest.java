package dev.asyncloop.epoll;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.spi.HeapIo;
import dev.asyncloop.testsupport.ForkedJvm;
import dev.asyncloop.testsupport.SocketPair;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The epoll loop's heap I/O on a loopback connection (this JVM runs with native access), and the loop without
 * native access in a forked JVM: direct buffers used, the same bytes delivered, no restricted-method warning.
 */
@Timeout(60)
class EpollHeapIoTest {
    private SocketPair ends;
    private SocketChannel sender;
    private SocketChannel receiver;
    private HeapIo io;

    @BeforeEach
    void connect() throws IOException {
        assertEquals("<available>", EpollHeapIo.UNAVAILABLE.orElse("<available>"),
                "the test JVM runs with --enable-native-access=ALL-UNNAMED");
        io = EpollHeapIo.create().orElseThrow();
        ends = SocketPair.open();
        sender = ends.ours();
        receiver = ends.peer();
        sender.configureBlocking(false);
    }

    @AfterEach
    void close() throws IOException {
        ends.close();
    }

    /** Reads from the blocking receiver until {@code n} bytes came. */
    private byte[] receive(int n) throws IOException {
        ByteBuffer in = ByteBuffer.allocate(n);
        while (in.hasRemaining()) {
            if (receiver.read(in) < 0) {
                break;
            }
        }
        return in.array();
    }

    @Test
    @DisplayName("slices of heap arrays arrive byte for byte")
    void slicesArriveIntact() throws IOException {
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < 200; i++) {
            byte[] bytes = new byte[1 + random.nextInt(5_000)];
            random.nextBytes(bytes);
            int offset = random.nextInt(bytes.length);
            int length = 1 + random.nextInt(bytes.length - offset);
            int sent = 0;
            while (sent < length) {
                sent += io.write(sender, bytes, offset + sent, length - sent);
            }
            assertArrayEquals(Arrays.copyOfRange(bytes, offset, offset + length), receive(length));
        }
    }

    @Test
    @DisplayName("a full socket takes 0 bytes instead of blocking, and what it took arrives")
    void fullSocketAnswersZero() throws IOException {
        byte[] bytes = new byte[64 * 1024];
        new SplittableRandom(9).nextBytes(bytes);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        boolean full = false;
        for (int i = 0; i < 10_000 && !full; i++) {
            int n = io.write(sender, bytes, 0, bytes.length);
            assertTrue(n >= 0 && n <= bytes.length, "n=" + n);
            expected.write(bytes, 0, n);
            full = n == 0;
        }
        assertTrue(full, "the socket filled up without the call blocking");
        assertArrayEquals(expected.toByteArray(), receive(expected.size()));
    }

    @Test
    @DisplayName("a closed channel is ClosedChannelException, before any system call")
    void closedChannel() throws IOException {
        sender.close();
        assertThrows(ClosedChannelException.class, () -> io.write(sender, new byte[10], 0, 10));
        assertThrows(ClosedChannelException.class, () -> io.read(sender, new byte[10], 0, 10));
    }

    /** Reads with the heap I/O until {@code n} bytes came into {@code into} at {@code offset}; returns the calls. */
    private int readFully(byte[] into, int offset, int n) throws IOException {
        int calls = 0;
        for (int got = 0; got < n; calls++) {
            int r = io.read(sender, into, offset + got, n - got);
            assertTrue(r >= 0 && r <= n - got, "r=" + r);
            got += r;
        }
        return calls;
    }

    @Test
    @DisplayName("reads fill the array at the offset, answer 0 when nothing waits and -1 at end of stream")
    void readsFillTheArray() throws IOException {
        byte[] buffer = new byte[8_192];
        assertEquals(0, io.read(sender, buffer, 0, buffer.length), "nothing sent yet");
        SplittableRandom random = new SplittableRandom(13);
        for (int i = 0; i < 100; i++) {
            byte[] sent = new byte[1 + random.nextInt(4_000)];
            random.nextBytes(sent);
            receiver.write(ByteBuffer.wrap(sent));
            Arrays.fill(buffer, (byte) 0x55);
            int offset = random.nextInt(buffer.length - sent.length);
            readFully(buffer, offset, sent.length);
            assertArrayEquals(sent, Arrays.copyOfRange(buffer, offset, offset + sent.length));
            assertEquals(0x55, buffer[offset + sent.length] & 0xff, "nothing written past what was read");
            if (offset > 0) {
                assertEquals(0x55, buffer[offset - 1] & 0xff, "nothing written before the offset");
            }
        }
        receiver.shutdownOutput();
        int r;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while ((r = io.read(sender, buffer, 0, buffer.length)) == 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(-1, r, "the peer's shutdown is end of stream");
    }

    @Test
    @DisplayName("a reset seen by a read is SocketException \"Connection reset\", as the JDK's read says")
    void readAfterReset() throws IOException {
        receiver.setOption(StandardSocketOptions.SO_LINGER, 0);
        receiver.close(); // RST
        byte[] buffer = new byte[100];
        SocketException e = assertThrows(SocketException.class, () -> {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline) {
                io.read(sender, buffer, 0, buffer.length);
                Thread.sleep(1);
            }
        });
        assertEquals("Connection reset", e.getMessage());
    }

    @Test
    @DisplayName("a reset peer is an IOException with the system's text, not a signal or a silent loss")
    void resetPeer() throws IOException {
        receiver.setOption(StandardSocketOptions.SO_LINGER, 0);
        receiver.close(); // RST
        byte[] bytes = new byte[1024];
        IOException e = assertThrows(IOException.class, () -> {
            for (int i = 0; i < 1_000; i++) {
                io.write(sender, bytes, 0, bytes.length);
                Thread.sleep(1);
            }
        });
        assertFalse(e instanceof ClosedChannelException, e.toString());
        String message = String.valueOf(e.getMessage());
        // the C library's text, in the process's locale: compare with what it says for those codes
        assertTrue(message.equals(EpollHeapIo.strerror(104)) || message.equals(EpollHeapIo.strerror(32)), message);
    }

    @Test
    @DisplayName("error texts come from the C library into a buffer of our own, unknown codes included")
    void errorTexts() throws Exception {
        String epipe = EpollHeapIo.strerror(32);
        String econnreset = EpollHeapIo.strerror(104);
        assertFalse(epipe.startsWith("errno") || econnreset.startsWith("errno") || epipe.equals(econnreset),
                epipe + " / " + econnreset);
        if (englishMessages()) { // the texts are translated in other locales
            assertEquals("Broken pipe", epipe); // EPIPE
            assertEquals("Connection reset by peer", econnreset); // ECONNRESET
        }
        String unknown = EpollHeapIo.strerror(4242);
        assertTrue(unknown.contains("4242"), unknown);
        // the text is ours: other threads asking for other codes at the same time cannot change it
        Thread[] threads = new Thread[4];
        AtomicReference<String> wrong = new AtomicReference<>();
        for (int t = 0; t < threads.length; t++) {
            int code = 5000 + t;
            threads[t] = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 2_000; i++) {
                    String text = EpollHeapIo.strerror(code);
                    if (!text.contains(Integer.toString(code))) {
                        wrong.compareAndSet(null, code + " -> " + text);
                    }
                }
            });
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertNull(wrong.get(), "a thread saw another code's text");
    }

    @Test
    @DisplayName("sock operations on a socket not yet connected fail as the JDK channel does, heap buffer or not")
    void unconnectedSocketIsTheChannelsError() throws IOException {
        try (EpollEventLoop loop = new EpollEventLoop();
                SocketChannel unconnected = SocketChannel.open()) {
            unconnected.configureBlocking(false);
            assertThrows(NotYetConnectedException.class, () -> loop.runUntilComplete(loop.sockRecv(unconnected, 10)));
            assertThrows(NotYetConnectedException.class,
                    () -> loop.runUntilComplete(loop.sockSendAll(unconnected, ByteBuffer.wrap(new byte[10]))));
        }
    }

    /** Runs in the forked JVM: the cause, then a 1 MiB echo between two epoll loops. */
    public static final class Probe {
        private Probe() {
        }

        /**
         * Prints {@code cause=...} and {@code echo=ok}.
         *
         * @param args ignored
         * @throws Exception if the echo fails
         */
        public static void main(String[] args) throws Exception {
            System.out.println("cause=" + EpollHeapIo.UNAVAILABLE.orElse("<available>"));
            CrossLoopEchoTest.echo(EpollEventLoop::new, EpollEventLoop::new);
            System.out.println("echo=ok");
        }
    }

    @Test
    @DisplayName("without native access: direct buffers are used, the echo is intact, no warning is printed")
    void withoutNativeAccess() throws Exception {
        String out = ForkedJvm.of(Probe.class).moduleFlags("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED")
                .property("asyncloop.coroutines", "virtual").withoutSettingsFromEnvironment().stderrIntoStdout()
                .run().expectExit(0).stdout();
        assertTrue(out.contains("cause=add --enable-native-access=ALL-UNNAMED to the JVM command line to let the"
                + " epoll loop read and write heap arrays without copies"), out);
        assertTrue(out.contains("echo=ok"), out);
        assertFalse(out.contains("WARNING"), "no restricted-method warning without the flag: " + out);
    }

    /** Whether the C library speaks English here: the first of LC_ALL, LC_MESSAGES, LANG set is C, POSIX or en*. */
    private static boolean englishMessages() {
        for (String name : new String[] {"LC_ALL", "LC_MESSAGES", "LANG"}) {
            String value = System.getenv(name);
            if (value != null && !value.isEmpty()) {
                return value.equals("C") || value.startsWith("C.") || value.equals("POSIX") || value.startsWith("en");
            }
        }
        return true;
    }
}
