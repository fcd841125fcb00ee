package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.Async;
import dev.asyncloop.CancelledError;
import dev.asyncloop.Connection;
import dev.asyncloop.ExceptionContext;
import dev.asyncloop.Future;
import dev.asyncloop.Protocol;
import dev.asyncloop.Server;
import dev.asyncloop.ServerOptions;
import dev.asyncloop.Transport;
import dev.asyncloop.WriteTransport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@code Server} rules of asyncio 3.12–3.13 ({@code base_events.Server}, {@code create_server},
 * {@code create_unix_server}, {@code connect_accepted_socket}) that the TCK's N4/N10 groups leave out.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ServerAsyncioConformanceTest {
    private static final String HOST = "127.0.0.1";
    private final ReadinessEventLoop loop = SelectorLoops.newLoop();
    private final List<Peer> accepted = new ArrayList<>();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        loop.close();
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    /** Records one connection's bytes and end; optionally writes a greeting at once. */
    static final class Peer implements Protocol {
        final ByteArrayOutputStream got = new ByteArrayOutputStream();
        final Future<Void> made;
        final Future<Throwable> lost;
        final Future<Void> eof;
        Transport transport;
        String greeting;

        Peer(ReadinessEventLoop loop) {
            made = loop.createFuture();
            lost = loop.createFuture();
            eof = loop.createFuture();
        }

        @Override
        public void connectionMade(Transport t) {
            transport = t;
            if (greeting != null) {
                ((WriteTransport) t).write(greeting.getBytes(StandardCharsets.UTF_8));
            }
            made.setResult(null);
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            got.writeBytes(b);
        }

        @Override
        public boolean eofReceived() {
            eof.setResult(null);
            return false;
        }

        @Override
        public void connectionLost(Throwable exception) {
            lost.setResult(exception);
        }

        String text() {
            return got.toString(StandardCharsets.UTF_8);
        }
    }

    private Peer acceptedPeer() {
        Peer p = new Peer(loop);
        accepted.add(p);
        return p;
    }

    private Server server(ServerOptions options) {
        return loop.runUntilComplete(loop.createServer(this::acceptedPeer, HOST, 0, options));
    }

    private static int port(Server server) throws IOException {
        return ((InetSocketAddress) server.sockets().getFirst().getLocalAddress()).getPort();
    }

    private Peer connect(int port) {
        Peer client = new Peer(loop);
        loop.runUntilComplete(loop.createConnection(() -> client, HOST, port));
        return client;
    }

    /** Runs a few loop iterations, for "still not done" checks. */
    private void spin() {
        loop.runUntilComplete(() -> {
            for (int i = 0; i < 5; i++) {
                Async.sleep(java.time.Duration.ofMillis(2));
            }
            return null;
        });
    }

    private void awaitAccepted(int n) {
        loop.runUntilComplete(() -> {
            while (accepted.size() < n) {
                Async.sleep(java.time.Duration.ofMillis(1));
            }
            Async.await(accepted.get(n - 1).made);
            return null;
        });
    }

    @Test
    void waitClosedCalledBeforeCloseWaitsForClose() {
        Server server = server(ServerOptions.defaults());
        Future<Void> closed = server.waitClosed();
        spin();
        assertFalse(closed.isDone(), "waitClosed() of an open server without connections finished (3.12.1)");
        server.close();
        loop.runUntilComplete(closed);
        assertTrue(server.waitClosed().isDone(), "waitClosed() after everything ended is not done at once");
    }

    @Test
    void isServingFollowsStartServingAndClose() {
        Server server = server(ServerOptions.builder().startServing(false).build());
        assertFalse(server.isServing());
        assertEquals(1, server.sockets().size(), "sockets exist before serving starts");
        server.startServing();
        assertTrue(server.isServing());
        server.close();
        assertFalse(server.isServing());
        assertTrue(server.sockets().isEmpty());
        assertSame(loop, server.getLoop());
        server.close();
    }

    @Test
    void closeClientsFlushesWhatTheServerWrote() throws Exception {
        Server server = loop.runUntilComplete(loop.createServer(() -> {
            Peer p = acceptedPeer();
            p.greeting = "bye";
            return p;
        }, HOST, 0));
        Peer client = connect(port(server));
        awaitAccepted(1);
        Future<Void> closed = server.waitClosed();
        server.close();
        server.closeClients();
        loop.runUntilComplete(client.eof);
        assertEquals("bye", client.text(), "close_clients() closes gracefully: buffered data is sent first");
        loop.runUntilComplete(closed);
        assertEquals(null, loop.runUntilComplete(accepted.getFirst().lost));
    }

    @Test
    void closeClientsWhileServingKeepsTheServerOpen() throws Exception {
        Server server = server(ServerOptions.defaults());
        Peer first = connect(port(server));
        awaitAccepted(1);
        server.closeClients();
        loop.runUntilComplete(first.eof);
        assertTrue(server.isServing(), "closeClients() closed the server");
        Peer second = connect(port(server));
        awaitAccepted(2);
        second.transport.close();
        server.close();
        loop.runUntilComplete(server.waitClosed());
    }

    /**
     * asyncio 3.12+: the cancelled serveForever closes the server and waits for the connections without closing
     * them (gh-123720, open upstream), so it ends when the last one is lost.
     */
    @Test
    void cancelledServeForeverWaitsForTheOpenConnections() throws Exception {
        Server server = server(ServerOptions.builder().startServing(false).build());
        Future<Void> forever = server.serveForever();
        assertTrue(server.isServing(), "serveForever() starts serving at once");
        Peer client = connect(port(server));
        awaitAccepted(1);
        forever.cancel();
        spin();
        assertFalse(server.isServing(), "cancelling serveForever() closes the server");
        assertFalse(accepted.getFirst().transport.isClosing(), "the accepted connection stays open");
        assertFalse(client.eof.isDone(), "the client saw the end of the stream");
        assertFalse(forever.isDone(), "serveForever() ended with a connection open");
        client.transport.close();
        loop.runUntilComplete(() -> {
            assertThrows(CancelledError.class, () -> Async.await(forever));
            return null;
        });
        assertTrue(forever.isCancelled());
        assertTrue(accepted.getFirst().lost.isDone(), "serveForever() ended before its connection was lost");
    }

    @Test
    void closeEndsServeForeverCancelled() {
        Server server = server(ServerOptions.defaults());
        Future<Void> forever = server.serveForever();
        spin();
        server.close();
        loop.runUntilComplete(() -> {
            assertThrows(CancelledError.class, () -> Async.await(forever));
            return null;
        });
        assertTrue(forever.isCancelled());
    }

    @Test
    void secondServeForeverNamesTheServerAndTheCall() {
        Server server = server(ServerOptions.defaults());
        Future<Void> forever = server.serveForever();
        IllegalStateException e = assertThrows(IllegalStateException.class, server::serveForever);
        assertTrue(e.getMessage().contains("is already being awaited on serveForever()"), e.getMessage());
        forever.cancel();
        loop.runUntilComplete(server.waitClosed());
        IllegalStateException closed = assertThrows(IllegalStateException.class, server::serveForever);
        assertTrue(closed.getMessage().contains("is closed"), closed.getMessage());
    }

    @Test
    void serveForeverCancelledBeforeItRunsStillClosesTheServer() {
        Server server = server(ServerOptions.defaults());
        Future<Void> forever = server.serveForever();
        forever.cancel();
        loop.runUntilComplete(() -> {
            assertThrows(CancelledError.class, () -> Async.await(forever));
            return null;
        });
        assertFalse(server.isServing(), "a serveForever() cancelled before its first step left the server open");
        assertTrue(server.sockets().isEmpty());
        loop.runUntilComplete(server.waitClosed());
    }

    @Test
    void oneListeningSocketPerResolvedAddress() throws Exception {
        // only the addresses an interface holds: ::1 where loopback has no IPv6 is skipped (bpo-30945)
        long distinct = 0;
        for (InetAddress a : Arrays.stream(InetAddress.getAllByName("localhost")).distinct().toList()) {
            distinct += java.net.NetworkInterface.getByInetAddress(a) != null ? 1 : 0;
        }
        Server server = loop.runUntilComplete(loop.createServer(this::acceptedPeer, "localhost", 0));
        try {
            assertEquals(distinct, server.sockets().size(), "one socket per address of localhost that an"
                    + " interface holds: " + server.sockets());
        } finally {
            server.close();
        }
    }

    @Test
    void socketOptionsFollowServerOptions() throws Exception {
        Server plain = server(ServerOptions.builder().reuseAddress(false).build());
        ServerSocketChannel s = plain.sockets().getFirst();
        assertFalse(s.getOption(StandardSocketOptions.SO_REUSEADDR), "reuseAddress(false)");
        plain.close();
        Server reusing = server(ServerOptions.defaults());
        assertTrue(reusing.sockets().getFirst().getOption(StandardSocketOptions.SO_REUSEADDR),
                "SO_REUSEADDR is on by default (asyncio on POSIX)");
        reusing.close();
        if (ServerSocketChannel.open().supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)) {
            ServerOptions sharing = ServerOptions.builder().reusePort(true).build();
            Server a = server(sharing);
            Server b = loop.runUntilComplete(loop.createServer(this::acceptedPeer, HOST, port(a), sharing));
            assertTrue(b.sockets().getFirst().getOption(StandardSocketOptions.SO_REUSEPORT));
            assertEquals(port(a), port(b), "two reusePort servers share the port");
            a.close();
            b.close();
        }
    }

    @Test
    void smallBacklogStillAcceptsEveryConnection() throws Exception {
        Server server = server(ServerOptions.builder().backlog(1).build());
        int port = port(server);
        List<Peer> clients = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            clients.add(connect(port));
        }
        awaitAccepted(5);
        clients.forEach(c -> c.transport.close());
        server.close();
        loop.runUntilComplete(server.waitClosed());
    }

    @Test
    void connectAcceptedSocketTakesABlockingChannelOver() throws Exception {
        ServerSocketChannel listener = ServerSocketChannel.open().bind(new InetSocketAddress(HOST, 0));
        toClose.add(listener);
        SocketChannel client = SocketChannel.open(listener.getLocalAddress());
        toClose.add(client);
        SocketChannel accepted = listener.accept();
        assertTrue(accepted.isBlocking());
        Peer p = new Peer(loop);
        Connection<Peer> c = loop.runUntilComplete(loop.connectAcceptedSocket(() -> p, accepted));
        assertFalse(accepted.isBlocking(), "the channel is switched to non-blocking mode");
        assertSame(p, c.protocol());
        client.write(ByteBuffer.wrap("hi".getBytes(StandardCharsets.UTF_8)));
        client.shutdownOutput();
        loop.runUntilComplete(p.eof);
        assertEquals("hi", p.text());
        loop.runUntilComplete(p.lost);
    }

    @Test
    void connectAcceptedSocketRefusesAnUnconnectedChannel() throws Exception {
        SocketChannel unconnected = SocketChannel.open();
        toClose.add(unconnected);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> loop.connectAcceptedSocket(() -> new Peer(loop), unconnected));
        assertTrue(e.getMessage().contains("channel"), e.getMessage());
        assertTrue(unconnected.isOpen(), "a refused channel is left to its owner");
    }

    @Test
    void connectAcceptedSocketRefusesAClosedChannel() throws Exception {
        SocketChannel closed = SocketChannel.open();
        closed.close();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> loop.connectAcceptedSocket(() -> new Peer(loop), closed));
        assertTrue(e.getMessage().contains("channel"), e.getMessage());
    }

    @Test
    void unixServerTakesOverTheSocketFileOfALiveServer() throws Exception {
        Path dir = Files.createTempDirectory("al-srv");
        Path path = dir.resolve("s.sock");
        try {
            Server first = loop.runUntilComplete(loop.createUnixServer(this::acceptedPeer, path));
            Server second = loop.runUntilComplete(loop.createUnixServer(this::acceptedPeer, path));
            first.close();
            assertTrue(Files.exists(path), "closing the first server deleted the second one's socket file");
            second.close();
            assertFalse(Files.exists(path), "closing the server left its socket file");
        } finally {
            Files.deleteIfExists(path);
            Files.delete(dir);
        }
    }

    @Test
    void unixServerClosedTwiceDeletesNothingTheSecondTime() throws Exception {
        Path dir = Files.createTempDirectory("al-srv");
        Path path = dir.resolve("s.sock");
        try {
            Server server = loop.runUntilComplete(loop.createUnixServer(this::acceptedPeer, path));
            server.close();
            assertFalse(Files.exists(path));
            Files.writeString(path, "not a socket");
            server.close();
            assertTrue(Files.exists(path), "a second close() touched the path again");
        } finally {
            Files.deleteIfExists(path);
            Files.delete(dir);
        }
    }

    @Test
    void exceptionContextOfAFailingFactoryNamesTheConnection() throws Exception {
        List<ExceptionContext> reports = new ArrayList<>();
        loop.setExceptionHandler((l, ctx) -> reports.add(ctx));
        RuntimeException boom = new IllegalStateException("boom");
        Server server = loop.runUntilComplete(loop.createServer(() -> {
            throw boom;
        }, HOST, 0));
        Peer client = connect(port(server));
        loop.runUntilComplete(client.lost);
        assertEquals(1, reports.size(), reports.toString());
        assertEquals("Error on transport creation for incoming connection", reports.getFirst().message());
        assertSame(boom, reports.getFirst().exception().orElseThrow());
        assertTrue(server.isServing(), "the server stops serving after a failing factory");
        server.close();
        loop.runUntilComplete(server.waitClosed());
    }

    @Test
    void anErrorFromTheFactoryStopsTheLoopButClosesTheAcceptedChannel() throws Exception {
        AssertionError fatal = new AssertionError("fatal");
        Server server = loop.runUntilComplete(loop.createServer(() -> {
            throw fatal;
        }, HOST, 0));
        try (SocketChannel client = SocketChannel.open(new InetSocketAddress(HOST, port(server)))) {
            AssertionError thrown = assertThrows(AssertionError.class, () -> loop.runUntilComplete(() -> {
                Async.sleep(java.time.Duration.ofSeconds(10));
                return null;
            }));
            assertSame(fatal, thrown, "an Error leaves the loop as it is (asyncio lets BaseException through)");
            client.socket().setSoTimeout(10_000);
            int read;
            try {
                read = client.socket().getInputStream().read();
            } catch (java.net.SocketException reset) {
                read = -1;
            }
            assertEquals(-1, read, "the accepted channel was left open");
        }
        server.close();
    }
}
