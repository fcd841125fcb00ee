package dev.asyncloop.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.Async;
import dev.asyncloop.Connection;
import dev.asyncloop.Server;
import dev.asyncloop.ServerOptions;
import dev.asyncloop.Transport;
import dev.asyncloop.spi.Capability;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Rules N10.x: Unix-domain stream sockets (asyncio's create_unix_connection and create_unix_server). */
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
}
