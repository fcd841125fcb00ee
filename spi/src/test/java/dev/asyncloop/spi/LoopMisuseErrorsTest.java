package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.Connection;
import dev.asyncloop.ConnectOptions;
import dev.asyncloop.Context;
import dev.asyncloop.Coroutine;
import dev.asyncloop.EventLoop;
import dev.asyncloop.ExceptionContext;
import dev.asyncloop.Future;
import dev.asyncloop.Handle;
import dev.asyncloop.Protocol;
import dev.asyncloop.Server;
import dev.asyncloop.Task;
import dev.asyncloop.TaskFactory;
import dev.asyncloop.Tasks;
import dev.asyncloop.testsupport.CapturedLog;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Misuse a user can commit on the readiness loop, each refused at the call with an exception that names the
 * argument and says what to pass instead; and a peer's reset, which is no bug: the protocol hears of it, the
 * exception handler does not, debug mode logs it.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LoopMisuseErrorsTest {
    private static final Duration BOUND = Duration.ofSeconds(10);

    private final ReadinessEventLoop loop = SelectorLoops.newLoop();

    @AfterEach
    void tearDown() {
        loop.close();
    }

    private static InetSocketAddress loopback() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    @Test
    void sockRecvOfNoBytesOnAStreamSocketNamesMaxBytes() throws IOException {
        try (SocketChannel channel = SocketChannel.open()) {
            channel.configureBlocking(false);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> loop.sockRecv(channel, 0));
            assertEquals("maxBytes must be at least 1, got 0", e.getMessage());
        }
    }

    @Test
    void sockRecvOfNoBytesOnADatagramSocketNamesMaxBytes() throws IOException {
        try (DatagramChannel peer = DatagramChannel.open().bind(loopback());
                DatagramChannel channel = DatagramChannel.open().bind(loopback())) {
            channel.connect(peer.getLocalAddress());
            channel.configureBlocking(false);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> loop.sockRecv(channel, -1));
            assertEquals("maxBytes must be at least 1, got -1", e.getMessage());
        }
    }

    @Test
    void sockRecvIntoAReadOnlyBufferOnADatagramSocketIsRefused() throws IOException {
        try (DatagramChannel peer = DatagramChannel.open().bind(loopback());
                DatagramChannel channel = DatagramChannel.open().bind(loopback())) {
            channel.connect(peer.getLocalAddress());
            channel.configureBlocking(false);
            ByteBuffer readOnly = ByteBuffer.allocate(8).asReadOnlyBuffer();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> loop.sockRecvInto(channel, readOnly));
            assertEquals("buffer is read-only; pass a writable buffer to receive into", e.getMessage());
        }
    }

    @Test
    void aUnixConnectionRefusesTheOptionsThatOnlyApplyToIp(@TempDir Path dir) {
        Path path = dir.resolve("s.sock");
        ConnectOptions local = ConnectOptions.builder().localAddress(loopback()).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> loop.createUnixConnection(() -> new Protocol() { }, path, local));
        assertTrue(e.getMessage().startsWith("localAddress and happyEyeballsDelay do not apply to a Unix-domain"
                + " connection, got "), e.getMessage());
        ConnectOptions delay = ConnectOptions.builder().happyEyeballsDelay(Duration.ofMillis(250)).build();
        assertThrows(IllegalArgumentException.class,
                () -> loop.createUnixConnection(() -> new Protocol() { }, path, delay));
    }

    @Test
    void sendfileOnAClosingTransportIsRefusedAtTheCall(@TempDir Path dir) throws IOException {
        Path file = Files.write(dir.resolve("f"), new byte[] {1, 2, 3});
        try (Server server = loop.runUntilComplete(loop.createServer(() -> new Protocol() { }, "127.0.0.1", 0));
                FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            int port = ((InetSocketAddress) server.sockets().getFirst().getLocalAddress()).getPort();
            Connection<Protocol> c = loop.runUntilComplete(
                    loop.createConnection(() -> new Protocol() { }, "127.0.0.1", port));
            c.transport().close();
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> loop.sendfile(c.transport(), in, 0));
            assertEquals("Transport is closing: " + c.transport(), e.getMessage());
        }
    }

    @Test
    void aTaskFactoryThatReturnsNullIsNamed() {
        TaskFactory nulls = new TaskFactory() {
            @Override
            public <T extends @Nullable Object> Task<T> newTask(EventLoop l, Coroutine<T> coroutine,
                    @Nullable String name, @Nullable Context context) {
                return null;
            }

            @Override
            public String toString() {
                return "nulls";
            }
        };
        loop.setTaskFactory(nulls);
        NullPointerException e = assertThrows(NullPointerException.class, () -> loop.createTask(() -> 1));
        assertEquals("task factory nulls returned null", e.getMessage());
    }

    @Test
    void addReadyTakesOnlyTheLoopsOwnHandles() {
        Handle foreign = new Handle() {
            @Override
            public void cancel() {
            }

            @Override
            public boolean isCancelled() {
                return false;
            }

            @Override
            public Context getContext() {
                return Context.copyCurrent();
            }

            @Override
            public String toString() {
                return "foreign";
            }
        };
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> loop.addReady(foreign));
        assertEquals("addReady takes handles made by newHandle, got foreign", e.getMessage());
    }

    /** The transport's end as its protocol sees it, after a peer that resets the connection. */
    private Throwable lostAfterPeerReset() throws IOException {
        List<ExceptionContext> reports = new ArrayList<>();
        loop.setExceptionHandler((l, context) -> reports.add(context));
        Future<Throwable> lost = loop.createFuture();
        try (ServerSocketChannel listener = ServerSocketChannel.open().bind(loopback())) {
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            loop.runUntilComplete(loop.createConnection(() -> new Protocol() {
                @Override
                public void connectionLost(@Nullable Throwable exception) {
                    lost.setResult(exception);
                }
            }, "127.0.0.1", port));
            try (SocketChannel peer = listener.accept()) {
                peer.setOption(StandardSocketOptions.SO_LINGER, 0); // close sends a reset
            }
            Throwable e = loop.runUntilComplete(() -> Tasks.waitFor(lost, BOUND));
            assertEquals(List.of(), reports, "a peer's reset is not reported to the exception handler");
            return e;
        }
    }

    @Test
    void aPeerResetReachesConnectionLostAndIsLoggedInDebugModeOnly() throws IOException {
        try (CapturedLog log = CapturedLog.atLevel(Level.ALL)) {
            Throwable quiet = lostAfterPeerReset();
            assertInstanceOf(IOException.class, quiet, "connectionLost gets the socket's error, was " + quiet);
            assertTrue(log.records().stream().noneMatch(r -> r.getMessage().startsWith("Fatal read error")),
                    "nothing logged outside debug mode");

            loop.setDebug(true);
            Throwable logged = lostAfterPeerReset();
            assertInstanceOf(IOException.class, logged, "connectionLost gets the socket's error, was " + logged);
            List<LogRecord> records = log.records();
            LogRecord r = records.stream().filter(x -> x.getMessage().startsWith("Fatal read error on socket"
                    + " transport SocketTransport[")).findFirst().orElseThrow(() -> new AssertionError(records));
            assertEquals(Level.FINE, r.getLevel(), "debug level");
            assertEquals(logged, r.getThrown());
        }
    }

    @Test
    void writeEofOnAClosingSocketTransportIsIgnoredAndWritesAfterItAreDropped() throws IOException {
        try (Server server = loop.runUntilComplete(loop.createServer(() -> new Protocol() { }, "127.0.0.1", 0))) {
            int port = ((InetSocketAddress) server.sockets().getFirst().getLocalAddress()).getPort();
            Future<@Nullable Void> lost = loop.createFuture();
            Connection<Protocol> c = loop.runUntilComplete(loop.createConnection(() -> new Protocol() {
                @Override
                public void connectionLost(@Nullable Throwable exception) {
                    lost.setResult(null);
                }
            }, "127.0.0.1", port));
            c.transport().close();
            c.transport().writeEof(); // asyncio: a no-op on a closing transport
            loop.runUntilComplete(() -> Tasks.waitFor(lost, BOUND));
            ByteBuffer data = ByteBuffer.wrap(new byte[] {1, 2});
            c.transport().write(data); // asyncio counts and drops it (a warning after a few)
            assertFalse(data.hasRemaining(), "the closed transport consumed the bytes");
            assertEquals(0, c.transport().getWriteBufferSize());
        }
    }
}
