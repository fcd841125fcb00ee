package dev.asyncloop.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.Async;
import dev.asyncloop.AsyncQueue;
import dev.asyncloop.Connection;
import dev.asyncloop.Future;
import dev.asyncloop.Server;
import dev.asyncloop.ServerOptions;
import dev.asyncloop.StreamPair;
import dev.asyncloop.StreamReader;
import dev.asyncloop.StreamWriter;
import dev.asyncloop.Streams;
import dev.asyncloop.Tasks;
import dev.asyncloop.Transport;
import dev.asyncloop.spi.Capability;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Rules N10.x: Unix-domain stream sockets (asyncio's create_unix_connection and create_unix_server) and the
 * streams over them ({@link Streams#openUnixConnection}, {@link Streams#startUnixServer}).
 */
abstract class UnixSocketRules extends NetworkGroup {
    private Path dir;

    UnixSocketRules(EventLoopConformanceSuite suite) {
        super(suite);
    }

    @BeforeEach
    final void requireUnixSockets() throws IOException {
        requireCapability(Capability.UNIX_SOCKETS);
        dir = Files.createTempDirectory("al");
    }

    @AfterEach
    final void deleteDir() throws IOException {
        if (dir != null) {
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    final Path socketPath() {
        return dir.resolve("s.sock");
    }

    /** Inside a task: a Unix echo server at {@code path}. */
    final Server unixServer(Path path, ServerOptions options) {
        return Async.await(loop.createUnixServer(() -> {
            RecordingProtocol p = new RecordingProtocol(loop);
            p.echo = true;
            accepted.add(p);
            return p;
        }, path, options));
    }

    /** Closes the writers, then the server, and waits for each to be closed; inside a task. */
    private static void closeAll(Server server, StreamWriter... writers) {
        for (StreamWriter w : writers) {
            w.close();
        }
        for (StreamWriter w : writers) {
            Async.await(w.waitClosed());
        }
        server.close();
        Async.await(server.waitClosed());
    }

    /** Inside a task: a Unix stream server at {@code path} whose handler hands each connection's streams on. */
    static Server unixStreamServer(Path path, AsyncQueue<StreamPair> accepted) {
        return Async.await(Streams.startUnixServer((r, w) -> accepted.put(new StreamPair(r, w)), path));
    }

    /** Leaves a socket file nobody listens on at {@code path} (the JDK does not delete it on close). */
    static void staleSocket(Path path) throws IOException {
        try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(path));
        }
    }

    @Test
    @DisplayName("N10.1 createUnixServer/createUnixConnection carry bytes both ways; extra info has Unix addresses")
    void required_N10_1_echo() {
        Path path = socketPath();
        List<Object> out = run("N10.1", () -> {
            Server server = unixServer(path, ServerOptions.defaults());
            Connection<RecordingProtocol> c = Async.await(loop.createUnixConnection(() -> new RecordingProtocol(loop),
                    path));
            c.transport().write(bytes("over unix"));
            Async.await(c.protocol().received(9));
            Object peer = c.transport().getExtraInfo(Transport.PEERNAME).orElse(null);
            c.transport().close();
            Async.await(c.protocol().lost);
            server.close();
            Async.await(server.waitClosed());
            return List.of(c.protocol().text(), String.valueOf(peer));
        });
        assertEquals("over unix", out.get(0), msg("N10.1", "the echo was " + out.get(0)
                + "; check the Unix channel goes through the stream transport"));
        assertTrue(((String) out.get(1)).contains("s.sock"), msg("N10.1", "peername was " + out.get(1)
                + "; check extra info for Unix channels"));
    }

    @Test
    @DisplayName("N10.2 a stale socket file at the path is removed before binding")
    void required_N10_2_staleSocketRemoved() throws IOException {
        Path path = socketPath();
        staleSocket(path);
        assertTrue(Files.exists(path), msg("N10.2", "test setup: no stale socket file"));
        String echo = run("N10.2", () -> {
            Server server = unixServer(path, ServerOptions.defaults());
            Connection<RecordingProtocol> c = Async.await(loop.createUnixConnection(() -> new RecordingProtocol(loop),
                    path));
            c.transport().write(bytes("x"));
            Async.await(c.protocol().received(1));
            c.transport().close();
            Async.await(c.protocol().lost);
            server.close();
            return c.protocol().text();
        });
        assertEquals("x", echo, msg("N10.2", "the server at a stale path did not work; check that a socket file"
                + " is removed before bind"));
    }

    @Test
    @DisplayName("N10.3 a regular file at the path is kept and creating the server fails")
    void required_N10_3_regularFileKept() throws IOException {
        Path path = socketPath();
        Files.writeString(path, "not a socket");
        Throwable error = run("N10.3", () -> DnsRules.failure(loop.createUnixServer(
                () -> new RecordingProtocol(loop), path)));
        assertInstanceOf(IOException.class, error, msg("N10.3", "binding over a regular file gave " + error));
        assertEquals("not a socket", Files.readString(path), msg("N10.3", "the regular file was changed; check"
                + " that only socket files are removed"));
    }

    @Test
    @DisplayName("N10.4 closing the server deletes its socket file; with cleanupSocket(false) the file stays")
    void required_N10_4_cleanupOnClose() {
        Path path = socketPath();
        Path kept = dir.resolve("k.sock");
        List<Boolean> out = run("N10.4", () -> {
            Server a = unixServer(path, ServerOptions.defaults());
            Server b = unixServer(kept, ServerOptions.builder().cleanupSocket(false).build());
            boolean existed = Files.exists(path);
            a.close();
            b.close();
            Async.await(a.waitClosed());
            Async.await(b.waitClosed());
            return List.of(existed, Files.exists(path), Files.exists(kept));
        });
        assertTrue(out.get(0), msg("N10.4", "no socket file while serving"));
        assertFalse(out.get(1), msg("N10.4", "the socket file is still there after close; check cleanup_socket"));
        assertTrue(out.get(2), msg("N10.4", "cleanupSocket(false) did not keep the file"));
    }

    @Test
    @DisplayName("N10.5 closing the server keeps the file when another socket replaced it meanwhile")
    void required_N10_5_replacedFileKept() {
        Path path = socketPath();
        boolean exists = run("N10.5", () -> {
            Server a = unixServer(path, ServerOptions.defaults());
            Files.delete(path);
            staleSocket(path);
            a.close();
            Async.await(a.waitClosed());
            return Files.exists(path);
        });
        assertTrue(exists, msg("N10.5", "the server deleted a socket file it did not create; check that cleanup"
                + " compares the file's identity (inode) with the one bound"));
    }

    @Test
    @DisplayName("N10.6 createUnixConnection to a path nobody listens on fails with an IOException")
    void required_N10_6_connectToMissingPath() {
        Path path = socketPath();
        Throwable error = run("N10.6", () -> DnsRules.failure(loop.createUnixConnection(
                () -> new RecordingProtocol(loop), path)));
        assertInstanceOf(IOException.class, error, msg("N10.6", "connecting to a missing path gave " + error));
    }

    @Test
    @DisplayName("N10.7 startUnixServer/openUnixConnection: lines written by the client come back from a handler that echoes them")
    void required_N10_7_streamsRoundTrip() {
        Path path = socketPath();
        run("N10.7", () -> {
            Server server = Async.await(Streams.startUnixServer((r, w) -> {
                for (byte[] line = Async.await(r.readLine()); line.length > 0; line = Async.await(r.readLine())) {
                    w.write(line);
                    Async.await(w.drain());
                }
                w.close();
            }, path));
            StreamPair c = Async.await(Streams.openUnixConnection(path));
            List<ByteBuffer> lines = new ArrayList<>();
            ByteArrayOutputStream sent = new ByteArrayOutputStream();
            for (int i = 0; i < 2000; i++) {
                byte[] line = bytes("line " + i + " " + "x".repeat(i % 97) + "\n");
                lines.add(ByteBuffer.wrap(line));
                sent.writeBytes(line);
            }
            Future<byte[]> echoed = c.reader().readExactly(sent.size());
            c.writer().writeLines(lines);
            Async.await(c.writer().drain());
            assertArrayEquals(sent.toByteArray(), Tasks.waitFor(echoed, defaultWait()), msg("N10.7", "the echo"
                    + " differs from the " + sent.size() + " bytes sent; check that Unix channels go through the"
                    + " stream transport with its flow control"));
            c.writer().writeEof();
            assertEquals(0, Tasks.waitFor(c.reader().read(), defaultWait()).length, msg("N10.7", "the client"
                    + " read data instead of EOF after the handler closed its writer"));
            closeAll(server, c.writer());
            return null;
        });
    }

    @Test
    @DisplayName("N10.8 writeEof on a Unix stream: the peer's reader reaches EOF and the half-closed side still receives")
    void required_N10_8_streamsHalfClose() {
        Path path = socketPath();
        run("N10.8", () -> {
            AsyncQueue<StreamPair> accepted = new AsyncQueue<>();
            Server server = unixStreamServer(path, accepted);
            StreamPair c = Async.await(Streams.openUnixConnection(path));
            StreamPair s = StreamRules.next("N10.8", accepted);
            assertTrue(c.writer().canWriteEof(), msg("N10.8", "a Unix stream cannot write EOF"));
            c.writer().write(bytes("last words"));
            c.writer().writeEof();
            StreamReader r = s.reader();
            assertEquals("last words", StreamRules.text(Tasks.waitFor(r.read(), defaultWait())), msg("N10.8",
                    "the server did not get the data then EOF; check shutdownOutput on Unix channels"));
            assertTrue(r.atEof(), msg("N10.8", "the server's reader is not at EOF after the client's writeEof"));
            assertEquals(0, Async.await(r.read(100)).length, msg("N10.8", "read at EOF is not empty"));
            assertFalse(s.writer().isClosing(), msg("N10.8", "the server side closed on EOF; a stream protocol"
                    + " keeps it open for writing (eofReceived returns true)"));
            s.writer().write(bytes("reply"));
            s.writer().writeEof();
            assertEquals("reply", StreamRules.text(Tasks.waitFor(c.reader().read(), defaultWait())), msg("N10.8",
                    "the half-closed client did not receive the reply"));
            assertTrue(c.reader().atEof(), msg("N10.8", "the client's reader is not at EOF"));
            closeAll(server, c.writer(), s.writer());
            return null;
        });
    }

    @Test
    @DisplayName("N10.9 a Unix stream server's waitClosed is done once it is closed and its connections are gone")
    void required_N10_9_streamServerClose() {
        Path path = socketPath();
        Throwable refused = run("N10.9", () -> {
            AsyncQueue<StreamPair> accepted = new AsyncQueue<>();
            Server server = unixStreamServer(path, accepted);
            StreamPair c = Async.await(Streams.openUnixConnection(path));
            StreamPair s = StreamRules.next("N10.9", accepted);
            server.close();
            Future<@Nullable Void> closed = server.waitClosed();
            Async.sleep(Duration.ofMillis(10));
            assertFalse(closed.isDone(), msg("N10.9", "waitClosed() finished with a connection still open; check"
                    + " that accepted Unix transports are attached to their server"));
            s.writer().close();
            Tasks.waitFor(closed, defaultWait());
            assertEquals(0, Tasks.waitFor(c.reader().read(), defaultWait()).length, msg("N10.9", "the client did"
                    + " not read EOF after the server side closed"));
            c.writer().close();
            Async.await(c.writer().waitClosed());
            return DnsRules.failure(Streams.openUnixConnection(path));
        });
        assertInstanceOf(IOException.class, refused, msg("N10.9", "openUnixConnection after the server closed"
                + " gave " + refused));
    }

    @Test
    @DisplayName("N10.10 openUnixConnection to a path nobody listens on fails as createUnixConnection does")
    void required_N10_10_openToMissingPath() {
        Path path = socketPath();
        List<Throwable> errors = run("N10.10", () -> {
            Throwable streams = DnsRules.failure(Streams.openUnixConnection(path));
            Throwable plain = DnsRules.failure(loop.createUnixConnection(() -> new RecordingProtocol(loop), path));
            return Arrays.asList(streams, plain);
        });
        assertInstanceOf(IOException.class, errors.get(0), msg("N10.10", "openUnixConnection to a missing path"
                + " gave " + errors.get(0)));
        assertEquals(errors.get(1).getClass(), errors.get(0).getClass(), msg("N10.10", "openUnixConnection failed"
                + " with " + errors.get(0) + " but createUnixConnection with " + errors.get(1)));
    }

    @Test
    @DisplayName("N10.11 a Unix stream's extra info: the client's peername and the server's sockname are the path")
    void required_N10_11_streamExtraInfo() {
        Path path = socketPath();
        List<Object> names = run("N10.11", () -> {
            AsyncQueue<StreamPair> accepted = new AsyncQueue<>();
            Server server = unixStreamServer(path, accepted);
            StreamPair c = Async.await(Streams.openUnixConnection(path));
            StreamPair s = StreamRules.next("N10.11", accepted);
            Object peer = c.writer().getExtraInfo(Transport.PEERNAME).orElse(null);
            Object sock = s.writer().getExtraInfo(Transport.SOCKNAME).orElse(null);
            closeAll(server, c.writer(), s.writer());
            return Arrays.asList(peer, sock);
        });
        for (int i = 0; i < 2; i++) {
            String which = i == 0 ? "the client's peername" : "the server side's sockname";
            Object name = names.get(i);
            assertInstanceOf(UnixDomainSocketAddress.class, name, msg("N10.11", which + " was " + name
                    + "; check extra info for Unix channels"));
            assertEquals(path, ((UnixDomainSocketAddress) name).getPath(), msg("N10.11", which));
        }
    }

    @Test
    @DisplayName("N10.12 createUnixServer refuses reusePort with IllegalArgumentException and creates no socket file")
    void required_N10_12_unixServerRefusesReusePort() {
        Path path = socketPath();
        ServerOptions reusePort = ServerOptions.builder().reusePort(true).build();
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> loop.createUnixServer(() -> new RecordingProtocol(loop), path, reusePort),
                msg("N10.12", "createUnixServer accepted reusePort, which has no meaning for a Unix-domain socket"));
        assertTrue(refused.getMessage() != null && refused.getMessage().contains("reusePort"), msg("N10.12",
                "the error does not name the option: " + refused.getMessage()));
        assertFalse(Files.exists(path), msg("N10.12", "the refused call left a socket file at " + path));
    }
    @Test
    @DisplayName("N10.13 the stale-socket check follows a symbolic link: a link to a socket is replaced by the new server's socket, its target kept")
    void required_N10_13_symbolicLinkToSocketReplaced() throws IOException {
        Path target = socketPath();
        Path link = target.resolveSibling("link.sock");
        staleSocket(target);
        try {
            Files.createSymbolicLink(link, target);
        } catch (UnsupportedOperationException e) {
            Assumptions.assumeTrue(false, "no symbolic links on this file system: " + e);
        }
        run("N10.13", () -> {
            Server server = unixServer(link, ServerOptions.defaults());
            assertFalse(Files.isSymbolicLink(link), msg("N10.13", "the link to a socket is still there; asyncio's"
                    + " stale check uses os.stat, which follows the link, and removes the path"));
            assertTrue(Files.exists(target, LinkOption.NOFOLLOW_LINKS), msg("N10.13", "the link's target was"
                    + " removed"));
            Connection<RecordingProtocol> c = Async.await(loop.createUnixConnection(() -> new RecordingProtocol(
                    loop), link));
            c.transport().close();
            server.close();
            Async.await(server.waitClosed());
            assertFalse(Files.exists(link, LinkOption.NOFOLLOW_LINKS), msg("N10.13", "closing the server left its"
                    + " socket file"));
            return null;
        });
    }

    @Test
    @DisplayName("N10.14 close deletes the socket file at once, while connections are still open; a file already deleted is no error")
    void required_N10_14_cleanupAtCloseAndAfterDeletion() {
        Path path = socketPath();
        Path other = path.resolveSibling("other.sock");
        run("N10.14", () -> {
            Server server = unixServer(path, ServerOptions.defaults());
            Connection<RecordingProtocol> c = Async.await(loop.createUnixConnection(() -> new RecordingProtocol(
                    loop), path));
            awaitAccepted("N10.14", 0);
            server.close();
            assertFalse(Files.exists(path), msg("N10.14", "close() left the socket file; asyncio deletes it in"
                    + " _stop_serving, without waiting for the connections"));
            assertFalse(server.waitClosed().isDone(), msg("N10.14", "waitClosed is done with a connection open"));
            c.transport().close();
            server.closeClients();
            Tasks.waitFor(server.waitClosed(), defaultWait());

            Server second = unixServer(other, ServerOptions.defaults());
            Files.delete(other);
            second.close();
            Async.await(second.waitClosed());
            assertFalse(Files.exists(other), msg("N10.14", "closing recreated the deleted socket file"));
            assertEquals(List.of(), reports(), msg("N10.14", "a socket file deleted before close is not an error"));
            return null;
        });
    }

    @Test
    @DisplayName("N10.15 a path too long for a Unix socket address, or in a missing directory, fails with an IOException and creates nothing")
    void required_N10_15_unusablePathsFail() throws IOException {
        Path tooLong = socketPath().resolveSibling("x".repeat(120) + ".sock");
        Path noDir = socketPath().resolveSibling("missing").resolve("s.sock");
        List<Throwable> errors = run("N10.15", () -> Arrays.asList(
                DnsRules.failure(loop.createUnixServer(() -> new RecordingProtocol(loop), tooLong)),
                DnsRules.failure(loop.createUnixConnection(() -> new RecordingProtocol(loop), tooLong)),
                DnsRules.failure(loop.createUnixServer(() -> new RecordingProtocol(loop), noDir))));
        List<String> what = List.of("createUnixServer with a too long path", "createUnixConnection with a too long"
                + " path", "createUnixServer in a missing directory");
        for (int i = 0; i < errors.size(); i++) {
            assertInstanceOf(IOException.class, errors.get(i), msg("N10.15", what.get(i) + " gave "
                    + errors.get(i)));
        }
        try (Stream<Path> left = Files.list(socketPath().getParent())) {
            assertEquals(List.of(), left.toList(), msg("N10.15", "the failed calls left files behind"));
        }
    }

    @Test
    @DisplayName("N10.16 startServing(false): the socket file exists at once, nothing is served until startServing, then connections are")
    void required_N10_16_boundBeforeServing() {
        Path path = socketPath();
        run("N10.16", () -> {
            Server server = unixServer(path, ServerOptions.builder().startServing(false).build());
            assertTrue(Files.exists(path), msg("N10.16", "no socket file before startServing; asyncio binds in"
                    + " create_unix_server"));
            assertFalse(server.isServing(), msg("N10.16", "serving although startServing(false)"));
            server.startServing();
            assertTrue(server.isServing(), msg("N10.16", "not serving after startServing()"));
            Connection<RecordingProtocol> c = Async.await(loop.createUnixConnection(() -> new RecordingProtocol(
                    loop), path));
            awaitAccepted("N10.16", 0);
            c.transport().close();
            server.close();
            server.closeClients();
            Tasks.waitFor(server.waitClosed(), defaultWait());
            assertFalse(Files.exists(path), msg("N10.16", "closing the server left its socket file"));
            return null;
        });
    }

    @Test
    @DisplayName("N10.17 createUnixServer refuses keepAlive and family with IllegalArgumentException and creates no socket file")
    void required_N10_17_unixServerRefusesTcpOptions() {
        Path path = socketPath();
        for (ServerOptions o : List.of(ServerOptions.builder().keepAlive(true).build(),
                ServerOptions.builder().family(StandardProtocolFamily.INET).build())) {
            String option = o.keepAlive() ? "keepAlive" : "family";
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> loop.createUnixServer(() -> new RecordingProtocol(loop), path, o),
                    msg("N10.17", "createUnixServer accepted " + option + ", a TCP option"));
            assertTrue(refused.getMessage() != null && refused.getMessage().contains(option), msg("N10.17",
                    "the error does not name the option " + option + ": " + refused.getMessage()));
            assertFalse(Files.exists(path), msg("N10.17", "the refused call left a socket file at " + path));
        }
    }

    @Test
    @DisplayName("N10.18 createServer(channel) serves a Unix-domain listening socket made elsewhere (not with keepAlive)")
    void required_N10_18_serverOnGivenUnixChannel() throws Exception {
        Path path = socketPath();
        ServerSocketChannel given = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            given.bind(UnixDomainSocketAddress.of(path));
            assertThrows(IllegalArgumentException.class, () -> loop.createServer(() -> new RecordingProtocol(loop),
                    given, ServerOptions.builder().keepAlive(true).build()), msg("N10.18", "keepAlive was accepted"
                    + " for a Unix-domain channel"));
            assertTrue(given.isOpen(), msg("N10.18", "a refused call closed the channel"));
            run("N10.18", () -> {
                Server server = Async.await(loop.createServer(() -> {
                    RecordingProtocol p = new RecordingProtocol(loop);
                    p.echo = true;
                    accepted.add(p);
                    return p;
                }, given, ServerOptions.defaults()));
                Connection<RecordingProtocol> c = Async.await(loop.createUnixConnection(
                        () -> new RecordingProtocol(loop), path));
                c.transport().write(bytes("unix"));
                Async.await(c.protocol().received(4));
                assertEquals("unix", c.protocol().text(), msg("N10.18", "echo through the given channel"));
                c.transport().close();
                server.closeClients();
                server.close();
                Async.await(server.waitClosed());
                assertFalse(given.isOpen(), msg("N10.18", "closing the server left the given channel open"));
                return null;
            });
        } finally {
            given.close();
        }
    }
}
