package dev.asyncloop.spi;

import static dev.asyncloop.Async.await;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.asyncloop.Async;
import dev.asyncloop.ClientConnectedHandler;
import dev.asyncloop.ExceptionContext;
import dev.asyncloop.Future;
import dev.asyncloop.Protocol;
import dev.asyncloop.Server;
import dev.asyncloop.StreamPair;
import dev.asyncloop.StreamReader;
import dev.asyncloop.StreamWriter;
import dev.asyncloop.Streams;
import dev.asyncloop.Transport;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Unix-domain rules of asyncio 3.12–3.13's {@code unix_events.py} ({@code create_unix_connection},
 * {@code create_unix_server} with 3.13's {@code cleanup_socket}) and {@code streams.py}
 * ({@code open_unix_connection}, {@code start_unix_server}) that the TCK's N10 group leaves out.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class UnixAsyncioConformanceTest {
    private final ReadinessEventLoop loop = SelectorLoops.newLoop();
    private final List<ExceptionContext> reports = new ArrayList<>();
    private Path dir;

    @BeforeEach
    void setUp() throws IOException {
        try {
            ServerSocketChannel.open(StandardProtocolFamily.UNIX).close();
        } catch (UnsupportedOperationException | IOException e) {
            assumeTrue(false, "no Unix-domain sockets here: " + e);
        }
        dir = Files.createTempDirectory("al-unix");
        loop.setExceptionHandler((l, context) -> reports.add(context));
    }

    @AfterEach
    void tearDown() throws IOException {
        loop.close();
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static final class Idle implements Protocol {
    }

    private Server server(Path path) {
        return loop.runUntilComplete(loop.createUnixServer(Idle::new, path));
    }

    private StreamPair open(Path path) {
        return loop.runUntilComplete(loop.runUntilComplete(() -> Streams.openUnixConnection(path)));
    }

    private Throwable failureOf(Future<?> f) {
        try {
            loop.runUntilComplete(f);
        } catch (RuntimeException e) {
            return f.exception().orElseThrow(() -> e);
        }
        throw new AssertionError("expected " + f + " to fail");
    }

    /** asyncio's test handler: echo one line, then close and wait until closed. */
    private static void echoLine(StreamReader reader, StreamWriter writer) {
        byte[] line = await(reader.readLine());
        writer.write(line);
        await(writer.drain());
        writer.close();
        await(writer.waitClosed());
    }

    @Test
    @DisplayName("asyncio test_start_unix_server: a handler that serves in its own body and one that only starts a"
            + " task both echo over open_unix_connection; nothing is reported")
    void startUnixServerWithEitherKindOfHandler() {
        ClientConnectedHandler startsATask = (reader, writer) ->
                Async.getRunningLoop().createTask(() -> {
                    echoLine(reader, writer);
                    return null;
                });
        Path path = dir.resolve("echo.sock");
        for (ClientConnectedHandler handler : List.<ClientConnectedHandler>of(
                UnixAsyncioConformanceTest::echoLine, startsATask)) {
            String back = loop.runUntilComplete(() -> {
                Server server = await(Streams.startUnixServer(handler, path));
                StreamPair c = await(Streams.openUnixConnection(path));
                c.writer().write("hello world!\n".getBytes(US_ASCII));
                String line = new String(await(c.reader().readLine()), US_ASCII);
                c.writer().close();
                await(c.writer().waitClosed());
                server.close();
                await(server.waitClosed());
                return line;
            });
            assertEquals("hello world!\n", back);
            assertFalse(Files.exists(path), "the socket file outlived its server");
        }
        assertEquals(List.of(), reports);
    }

    @Test
    @DisplayName("asyncio create_unix_server: the stale-socket check follows a symbolic link (os.stat), so a link"
            + " to a socket is removed and the server binds at the link's path; the target is left alone")
    void symbolicLinkToASocketIsReplaced() throws IOException {
        Path target = dir.resolve("target.sock");
        Path link = dir.resolve("link.sock");
        Server first = server(target);
        Files.createSymbolicLink(link, target);
        Server second = server(link);
        assertFalse(Files.isSymbolicLink(link), "the link is still there");
        assertTrue(Files.exists(target), "the link's target was touched");
        StreamPair c = open(link);
        c.writer().close();
        second.close();
        assertFalse(Files.exists(link));
        first.close();
        assertFalse(Files.exists(target));
        assertEquals(List.of(), reports);
    }

    @Test
    @DisplayName("asyncio create_unix_server: a symbolic link to something other than a socket is kept, and"
            + " binding fails with an error naming the path")
    void symbolicLinkToAFileIsKept() throws IOException {
        Path target = Files.writeString(dir.resolve("data.txt"), "keep me");
        Path link = dir.resolve("link.sock");
        Files.createSymbolicLink(link, target);
        Throwable e = failureOf(loop.createUnixServer(Idle::new, link));
        assertInstanceOf(IOException.class, e);
        assertTrue(e.getMessage().contains(link.toString()), e.getMessage());
        assertTrue(Files.isSymbolicLink(link));
        assertEquals("keep me", Files.readString(target));
    }

    @Test
    @DisplayName("asyncio create_unix_server: closing the server deletes its socket file at once (in close, not"
            + " once the connections end)")
    void closeDeletesTheFileWhileConnectionsAreOpen() {
        Path path = dir.resolve("s.sock");
        Server server = loop.runUntilComplete(loop.runUntilComplete(() ->
                Streams.startUnixServer((reader, writer) -> { }, path)));
        StreamPair c = open(path);
        server.close();
        assertFalse(Files.exists(path), "close() left the socket file");
        Future<Void> closed = server.waitClosed();
        assertFalse(closed.isDone(), "a connection is still open");
        c.writer().close();
        server.closeClients();
        loop.runUntilComplete(closed);
    }

    @Test
    @DisplayName("asyncio _stop_serving: a socket file already deleted by someone else is not an error")
    void socketFileDeletedBeforeCloseIsFine() throws IOException {
        Path path = dir.resolve("s.sock");
        Server server = server(path);
        Files.delete(path);
        server.close();
        loop.runUntilComplete(server.waitClosed());
        assertFalse(Files.exists(path));
        assertEquals(List.of(), reports);
    }

    @Test
    @DisplayName("asyncio create_unix_server / create_unix_connection: a path longer than sun_path fails with an"
            + " OSError (an IOException here) and creates nothing")
    void tooLongPathFails() throws IOException {
        Path path = dir.resolve("x".repeat(120) + ".sock");
        assertInstanceOf(IOException.class, failureOf(loop.createUnixServer(Idle::new, path)));
        assertInstanceOf(IOException.class, failureOf(loop.createUnixConnection(Idle::new, path)));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(), files.toList());
        }
    }

    @Test
    @DisplayName("asyncio create_unix_server: a path in a missing directory fails with FileNotFoundError there, an"
            + " IOException here")
    void pathInAMissingDirectoryFails() {
        Path path = dir.resolve("missing").resolve("s.sock");
        assertInstanceOf(IOException.class, failureOf(loop.createUnixServer(Idle::new, path)));
        assertFalse(Files.exists(path.getParent()));
    }

    @Test
    @DisplayName("asyncio create_unix_connection: a path that is a regular file, not a listening socket, fails"
            + " with ConnectionRefusedError there, an IOException here")
    void connectingToARegularFileFails() throws IOException {
        Path path = Files.writeString(dir.resolve("plain"), "x");
        assertInstanceOf(IOException.class, failureOf(loop.createUnixConnection(Idle::new, path)));
        assertInstanceOf(IOException.class, failureOf(loop.runUntilComplete(() ->
                Streams.openUnixConnection(path))));
        assertEquals("x", Files.readString(path));
    }

    @Test
    @DisplayName("create_unix_server(start_serving=False): the socket file exists at once (as in asyncio); a"
            + " client's connection waits in the backlog until startServing (asyncio listens only in start_serving"
            + " and refuses it; NIO's bind also listens)")
    void notServingYetStillBinds() {
        Path path = dir.resolve("s.sock");
        List<Transport> accepted = new ArrayList<>();
        Server server = loop.runUntilComplete(loop.createUnixServer(() -> new Protocol() {
            @Override
            public void connectionMade(Transport transport) {
                accepted.add(transport);
            }
        }, path, dev.asyncloop.ServerOptions.builder().startServing(false).build()));
        assertTrue(Files.exists(path));
        assertFalse(server.isServing());
        StreamPair c = open(path);
        assertEquals(List.of(), accepted);
        server.startServing();
        loop.runUntilComplete(() -> {
            while (accepted.isEmpty()) {
                Async.sleep(java.time.Duration.ofMillis(1));
            }
            return null;
        });
        c.writer().close();
        server.close();
        server.closeClients();
        loop.runUntilComplete(server.waitClosed());
    }
    @Test
    @DisplayName("asyncio connect_accepted_socket takes any stream socket, AF_UNIX too: a Unix channel the caller"
            + " connected becomes a working transport")
    void connectAcceptedSocketTakesAUnixChannel() throws IOException {
        Path path = dir.resolve("s.sock");
        Server server = loop.runUntilComplete(loop.runUntilComplete(() ->
                Streams.startUnixServer(UnixAsyncioConformanceTest::echoLine, path)));
        java.nio.channels.SocketChannel channel = java.nio.channels.SocketChannel.open(
                UnixDomainSocketAddress.of(path));
        List<String> got = new ArrayList<>();
        Future<Void> lost = loop.createFuture();
        loop.runUntilComplete(loop.connectAcceptedSocket(() -> new Protocol() {
            @Override
            public void connectionMade(Transport transport) {
                ((dev.asyncloop.WriteTransport) transport).write("over unix\n".getBytes(US_ASCII));
            }

            @Override
            public void dataReceived(java.nio.ByteBuffer data) {
                got.add(US_ASCII.decode(data).toString());
            }

            @Override
            public void connectionLost(Throwable exception) {
                lost.setResult(null);
            }
        }, channel));
        loop.runUntilComplete(lost);
        assertEquals("over unix\n", String.join("", got));
        server.close();
        loop.runUntilComplete(server.waitClosed());
        assertEquals(List.of(), reports);
    }
    @Test
    @DisplayName("asyncio test_start_unix_server_1: start_unix_server(start_serving=False), then start_serving and"
            + " serve_forever; the handler cancels serve_forever, which closes the server: no sockets, not serving,"
            + " serve_forever refused, socket file gone")
    void serveForeverOfAUnixStreamServer() {
        Path path = dir.resolve("s.sock");
        byte[] hello = ("1".repeat(5 * 1024) + "\n").getBytes(US_ASCII);
        List<Future<Void>> forever = new ArrayList<>();
        Server srv = loop.runUntilComplete(loop.runUntilComplete(() -> Streams.startUnixServer((reader, writer) -> {
            await(reader.readLine());
            forever.getFirst().cancel();
            writer.write("1".getBytes(US_ASCII));
            writer.close();
            await(writer.waitClosed());
        }, path, dev.asyncloop.ServerOptions.builder().startServing(false).build())));
        assertFalse(srv.isServing());
        srv.startServing();
        assertTrue(srv.isServing());
        forever.add(srv.serveForever());
        loop.createTask(() -> {
            StreamPair c = await(Streams.openUnixConnection(path));
            c.writer().write(hello);
            await(c.reader().read(1));
            c.writer().close();
            return null;
        });
        assertThrows(java.util.concurrent.CancellationException.class, () -> loop.runUntilComplete(
                forever.getFirst()));
        assertEquals(List.of(), srv.sockets());
        assertFalse(srv.isServing());
        IllegalStateException e = assertThrows(IllegalStateException.class, srv::serveForever);
        assertTrue(e.getMessage().contains("is closed"), e.getMessage());
        assertFalse(Files.exists(path));
        assertEquals(List.of(), reports);
    }

    @Test
    void anEmptyPathIsRefusedAtTheCall() {
        IllegalArgumentException server = assertThrows(IllegalArgumentException.class,
                () -> loop.createUnixServer(Idle::new, Path.of("")));
        assertTrue(server.getMessage().startsWith("path is empty"), server.getMessage());
        IllegalArgumentException client = assertThrows(IllegalArgumentException.class,
                () -> loop.createUnixConnection(Idle::new, Path.of("")));
        assertTrue(client.getMessage().startsWith("path is empty"), client.getMessage());
    }
}
