package dev.asyncloop.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.Async;
import dev.asyncloop.CancelledError;
import dev.asyncloop.ExceptionContext;
import dev.asyncloop.Future;
import dev.asyncloop.Server;
import dev.asyncloop.ServerOptions;
import dev.asyncloop.Timeout;
import dev.asyncloop.TimeoutError;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Rules N4.x: servers (asyncio's create_server and Server). */
abstract class ServerRules extends NetworkGroup {
    ServerRules(EventLoopConformanceSuite suite) {
        super(suite);
    }

    @Test
    @DisplayName("N4.1 createServer listens on an ephemeral port, serves, and makes one protocol per connection")
    void required_N4_1_serverAcceptsConnections() throws Exception {
        run("N4.1", () -> {
            Server server = startServer(true);
            assertTrue(server.isServing(), msg("N4.1", "isServing() is false with startServing defaulting to true"));
            assertEquals(1, server.sockets().size(), msg("N4.1", "one literal address gives one socket, got "
                    + server.sockets()));
            assertTrue(port(server) > 0, msg("N4.1", "the socket has no port"));
            assertTrue(server.getLoop() == loop, msg("N4.1", "getLoop() is not the loop"));
            RecordingProtocol a = connect(port(server));
            RecordingProtocol b = connect(port(server));
            a.transport.write(bytes("a"));
            b.transport.write(bytes("b"));
            Async.await(a.received(1));
            Async.await(b.received(1));
            assertEquals("a", a.text(), msg("N4.1", "echo to a"));
            assertEquals("b", b.text(), msg("N4.1", "echo to b"));
            assertEquals(2, accepted.size(), msg("N4.1", "the factory ran " + accepted.size() + " times"));
            server.closeClients();
            server.close();
            Async.await(server.waitClosed());
            return null;
        });
    }

    @Test
    @DisplayName("N4.2 with startServing(false) no connection is accepted until startServing()")
    void required_N4_2_startServingLater() throws Exception {
        run("N4.2", () -> {
            Server server = Async.await(loop.createServer(() -> {
                RecordingProtocol p = new RecordingProtocol(loop);
                accepted.add(p);
                return p;
            }, HOST, 0, ServerOptions.builder().startServing(false).build()));
            assertFalse(server.isServing(), msg("N4.2", "isServing() is true before startServing()"));
            SocketChannel client = track(SocketChannel.open());
            client.configureBlocking(false);
            Async.await(loop.sockConnect(client, server.sockets().getFirst().getLocalAddress()));
            for (int i = 0; i < 10; i++) {
                Async.sleep(Duration.ofMillis(2));
            }
            assertEquals(0, accepted.size(), msg("N4.2", "a connection was accepted before startServing()"));
            server.startServing();
            server.startServing();
            assertTrue(server.isServing(), msg("N4.2", "isServing() is false after startServing()"));
            awaitAccepted("N4.2", 0);
            server.close();
            server.closeClients();
            Async.await(server.waitClosed());
            return null;
        });
    }

    @Test
    @DisplayName("N4.3 close() stops accepting and closes the listening sockets but leaves connections open")
    void required_N4_3_closeKeepsConnections() throws Exception {
        run("N4.3", () -> {
            Server server = startServer(true);
            int port = port(server);
            RecordingProtocol client = connect(port);
            awaitAccepted("N4.3", 0);
            server.close();
            server.close();
            assertFalse(server.isServing(), msg("N4.3", "isServing() is true after close()"));
            assertTrue(server.sockets().isEmpty(), msg("N4.3", "sockets() is not empty after close()"));
            client.transport.write(bytes("still"));
            Async.await(client.received(5));
            assertEquals("still", client.text(), msg("N4.3", "an accepted connection stopped working after close()"));
            Throwable refused;
            try {
                Async.await(loop.createConnection(() -> new RecordingProtocol(loop), HOST, port));
                refused = null;
            } catch (CompletionException e) {
                refused = e.getCause();
            }
            assertInstanceOf(IOException.class, refused, msg("N4.3", "a connection to a closed server succeeded"));
            assertThrows(IllegalStateException.class, server::startServing,
                    msg("N4.3", "startServing() on a closed server did not throw"));
            client.transport.close();
            Async.await(server.waitClosed());
            return null;
        });
    }

    @Test
    @DisplayName("N4.4 waitClosed() is done only when the server is closed and every connection is gone")
    void required_N4_4_waitClosedWaitsForConnections() throws Exception {
        run("N4.4", () -> {
            Server server = startServer(false);
            RecordingProtocol client = connect(port(server));
            RecordingProtocol srv = awaitAccepted("N4.4", 0);
            Future<@Nullable Void> closed = server.waitClosed();
            Async.sleep(Duration.ofMillis(10));
            assertFalse(closed.isDone(), msg("N4.4", "waitClosed() finished while the server was open"));
            server.close();
            Async.sleep(Duration.ofMillis(10));
            assertFalse(closed.isDone(), msg("N4.4", "waitClosed() finished with a connection still open; check"
                    + " 3.12.1 semantics: closed and all transports detached"));
            server.closeClients();
            Async.await(srv.lost);
            Async.await(closed);
            Async.await(client.lost);
            Future<@Nullable Void> again = server.waitClosed();
            assertTrue(again.isDone(), msg("N4.4", "waitClosed() after everything closed is not done at once"));
            return null;
        });
    }

    @Test
    @DisplayName("N4.5 abortClients() ends every accepted connection at once, dropping buffered data")
    void required_N4_5_abortClients() throws Exception {
        run("N4.5", () -> {
            Server server = startServer(false);
            RecordingProtocol client = connect(port(server));
            RecordingProtocol srv = awaitAccepted("N4.5", 0);
            client.transport.pauseReading();
            srv.transport.write(pattern(8 * 1024 * 1024));
            assertTrue(srv.transport.getWriteBufferSize() > 0, msg("N4.5", "8 MiB to a paused reader was all sent"));
            server.close();
            server.abortClients();
            assertTrue(srv.transport.isClosing(), msg("N4.5", "abortClients() left the transport open"));
            Async.await(srv.lost);
            assertEquals(0, srv.transport.getWriteBufferSize(), msg("N4.5", "abort kept the write buffer"));
            Async.await(server.waitClosed());
            client.transport.abort();
            Async.await(client.lost);
            return null;
        });
    }

    @Test
    @DisplayName("N4.6 serveForever: cancelling it closes the server; a second call or one on a closed server throws")
    void required_N4_6_serveForever() throws Exception {
        run("N4.6", () -> {
            Server server = Async.await(loop.createServer(() -> new RecordingProtocol(loop), HOST, 0,
                    ServerOptions.builder().startServing(false).build()));
            Future<@Nullable Void> forever = server.serveForever();
            assertTrue(server.isServing(), msg("N4.6", "serveForever() did not start serving"));
            assertThrows(IllegalStateException.class, server::serveForever,
                    msg("N4.6", "a second serveForever() did not throw"));
            Async.yieldNow();
            forever.cancel();
            try {
                Async.await(forever);
            } catch (CancelledError expected) {
                // serveForever ends cancelled.
            }
            assertTrue(forever.isCancelled(), msg("N4.6", "serveForever's future is not cancelled"));
            assertFalse(server.isServing(), msg("N4.6", "cancelling serveForever did not close the server"));
            assertTrue(server.sockets().isEmpty(), msg("N4.6", "sockets remain after serveForever was cancelled"));
            assertThrows(IllegalStateException.class, server::serveForever,
                    msg("N4.6", "serveForever() on a closed server did not throw"));
            return null;
        });
    }

    @Test
    @DisplayName("N4.14 cancelling serveForever closes the server but not the accepted connections; it ends once they"
            + " are lost (asyncio 3.12+)")
    void required_N4_14_serveForeverLeavesClientsOpen() throws Exception {
        run("N4.14", () -> {
            Server server = startServer(true);
            RecordingProtocol client = connect(port(server));
            RecordingProtocol srv = awaitAccepted("N4.14", 0);
            Future<@Nullable Void> forever = server.serveForever();
            Async.yieldNow();
            forever.cancel();
            long end = System.nanoTime() + defaultWait().toNanos();
            while (server.isServing()) {
                assertTrue(System.nanoTime() < end, msg("N4.14", "the cancelled serveForever did not close the server"
                        + " within " + defaultWait()));
                Async.sleep(Duration.ofMillis(2));
            }
            client.transport.write(bytes("still"));
            Async.await(client.received(5));
            assertEquals("still", client.text(), msg("N4.14", "echo through the accepted connection after the cancel"));
            assertFalse(srv.transport.isClosing(), msg("N4.14", "the cancelled serveForever closed the accepted"
                    + " connection: it must only close the server and wait, as asyncio's does (closeClients() is the"
                    + " caller's choice)"));
            assertFalse(forever.isDone(), msg("N4.14", "serveForever ended while an accepted connection was open: it"
                    + " must wait for waitClosed()"));
            client.transport.close();
            Async.await(srv.lost);
            try {
                Timeout.run(defaultWait(), () -> Async.await(forever));
            } catch (CancelledError expected) {
                // serveForever ends cancelled once the last connection is lost.
            } catch (TimeoutError e) {
                throw new AssertionError(msg("N4.14", "serveForever did not end within " + defaultWait() + " of its"
                        + " last connection's loss"), e);
            }
            assertTrue(forever.isCancelled(), msg("N4.14", "serveForever's future is not cancelled"));
            Async.await(server.waitClosed());
            Async.await(client.lost);
            return null;
        });
    }

    @Test
    @DisplayName("N4.7 a protocol factory that throws is reported; the server goes on accepting")
    void required_N4_7_failingFactoryReported() throws Exception {
        expectReports();
        RuntimeException boom = new IllegalStateException("factory boom");
        run("N4.7", () -> {
            int[] calls = new int[1];
            Server server = Async.await(loop.createServer(() -> {
                if (calls[0]++ == 0) {
                    throw boom;
                }
                RecordingProtocol p = new RecordingProtocol(loop);
                p.echo = true;
                accepted.add(p);
                return p;
            }, HOST, 0));
            RecordingProtocol first = connect(port(server));
            Async.await(first.lost);
            RecordingProtocol second = connect(port(server));
            second.transport.write(bytes("ok"));
            Async.await(second.received(2));
            second.transport.close();
            Async.await(second.lost);
            server.close();
            Async.await(server.waitClosed());
            return null;
        });
        List<ExceptionContext> r = reports();
        assertEquals(1, r.size(), msg("N4.7", "expected one report, got " + r));
        assertTrue(r.getFirst().exception().orElse(null) == boom, msg("N4.7", "the report lacks the exception: "
                + r.getFirst()));
    }

    @Test
    @DisplayName("N4.8 binding an address in use fails createServer with a BindException; Server is AutoCloseable")
    void required_N4_8_bindErrorAndAutoClose() throws Exception {
        run("N4.8", () -> {
            Server first = Async.await(loop.createServer(() -> new RecordingProtocol(loop), HOST, 0,
                    ServerOptions.builder().reuseAddress(false).build()));
            int port = port(first);
            Throwable error;
            try (Server second = Async.await(loop.createServer(() -> new RecordingProtocol(loop), HOST, port,
                    ServerOptions.builder().reuseAddress(false).build()))) {
                error = null;
                assertTrue(second.isServing(), "unreachable");
            } catch (CompletionException e) {
                error = e.getCause();
            }
            assertInstanceOf(java.net.BindException.class, error, msg("N4.8", "binding a port in use gave " + error));
            try (first) {
                assertEquals(new InetSocketAddress(LOOPBACK, port), first.sockets().getFirst().getLocalAddress(),
                        msg("N4.8", "the socket's address"));
            }
            assertFalse(first.isServing(), msg("N4.8", "try-with-resources did not close the server"));
            return null;
        });
    }

    @Test
    @DisplayName("N4.9 createServer with several hosts binds each distinct address once and serves on every socket")
    void required_N4_9_severalHosts() throws Exception {
        boolean ipv6 = ipv6LoopbackAvailable();
        List<String> hosts = ipv6 ? List.of(HOST, "::1", HOST) : List.of(HOST, HOST);
        assertThrows(IllegalArgumentException.class, () -> loop.createServer(() -> new RecordingProtocol(loop),
                List.of(), 0), msg("N4.9", "an empty host list was accepted"));
        run("N4.9", () -> {
            Server server = Async.await(loop.createServer(acceptedProtocols(true), hosts, 0));
            try (server) {
                List<InetSocketAddress> bound = new java.util.ArrayList<>();
                for (var socket : server.sockets()) {
                    bound.add((InetSocketAddress) socket.getLocalAddress());
                }
                assertEquals(ipv6 ? 2 : 1, bound.size(), msg("N4.9", "hosts " + hosts + " gave the sockets " + bound
                        + "; bind every address of every host, each distinct address once"));
                assertEquals(LOOPBACK, bound.getFirst().getAddress(), msg("N4.9", "first socket " + bound));
                if (ipv6) {
                    assertEquals(java.net.InetAddress.ofLiteral("::1"), bound.get(1).getAddress(),
                            msg("N4.9", "second socket " + bound));
                }
                int i = 0;
                for (InetSocketAddress address : bound) {
                    RecordingProtocol client = Async.await(loop.createConnection(() -> new RecordingProtocol(loop),
                            address.getAddress().getHostAddress(), address.getPort())).protocol();
                    client.transport.write(bytes("h" + i));
                    Async.await(client.received(2));
                    assertEquals("h" + i, client.text(), msg("N4.9", "echo through " + address));
                    client.transport.close();
                    i++;
                }
                server.closeClients();
            }
            return null;
        });
    }

    @Test
    @DisplayName("N4.10 createServer(channel) serves a listening socket made elsewhere and closes it with the server")
    void required_N4_10_serverOnGivenChannel() throws Exception {
        java.nio.channels.ServerSocketChannel unbound = track(java.nio.channels.ServerSocketChannel.open());
        assertThrows(IllegalArgumentException.class, () -> loop.createServer(acceptedProtocols(true), unbound,
                ServerOptions.defaults()), msg("N4.10", "an unbound channel was accepted; it cannot be served"));
        java.nio.channels.ServerSocketChannel closed = java.nio.channels.ServerSocketChannel.open();
        closed.close();
        assertThrows(IllegalArgumentException.class, () -> loop.createServer(acceptedProtocols(true), closed,
                ServerOptions.defaults()), msg("N4.10", "a closed channel was accepted"));
        java.nio.channels.ServerSocketChannel given = track(java.nio.channels.ServerSocketChannel.open());
        given.bind(new InetSocketAddress(LOOPBACK, 0)); // blocking: the loop makes it non-blocking
        run("N4.10", () -> {
            Server server = Async.await(loop.createServer(acceptedProtocols(true), given, ServerOptions.defaults()));
            assertFalse(given.isBlocking(), msg("N4.10", "the loop did not make the channel non-blocking"));
            assertEquals(List.of(given), server.sockets(), msg("N4.10", "sockets() must be the given channel"));
            assertTrue(server.isServing(), msg("N4.10", "not serving with startServing defaulting to true"));
            assertThrows(IllegalStateException.class, () -> loop.createServer(acceptedProtocols(true), given,
                    ServerOptions.defaults()), msg("N4.10", "a channel this loop already serves was accepted"
                    + " again"));
            RecordingProtocol client = connect(port(given));
            client.transport.write(bytes("given"));
            Async.await(client.received(5));
            assertEquals("given", client.text(), msg("N4.10", "echo through the given channel"));
            client.transport.close();
            server.closeClients();
            server.close();
            Async.await(server.waitClosed());
            assertFalse(given.isOpen(), msg("N4.10", "closing the server left the given channel open"));
            return null;
        });
    }

    @Test
    @DisplayName("N4.11 keepAlive(true) sets SO_KEEPALIVE on every accepted connection; the default does not")
    void required_N4_11_keepAlive() throws Exception {
        run("N4.11", () -> {
            for (boolean keepAlive : new boolean[] {false, true}) {
                accepted.clear();
                Server server = Async.await(loop.createServer(acceptedProtocols(false), HOST, 0,
                        ServerOptions.builder().keepAlive(keepAlive).build()));
                try (server) {
                    connect(port(server));
                    RecordingProtocol served = awaitAccepted("N4.11", 0);
                    SocketChannel channel = (SocketChannel) served.transport.getExtraInfo(
                            dev.asyncloop.Transport.SOCKET).orElseThrow(() -> new AssertionError(msg("N4.11",
                            "the accepted transport has no \"socket\" extra info")));
                    assertEquals(keepAlive, channel.getOption(java.net.StandardSocketOptions.SO_KEEPALIVE),
                            msg("N4.11", "SO_KEEPALIVE of a connection accepted with keepAlive(" + keepAlive + ")"));
                    server.abortClients();
                }
            }
            return null;
        });
    }

    @Test
    @DisplayName("N4.12 family restricts a server to one address family, also for the wildcard address")
    void required_N4_12_family() throws Exception {
        run("N4.12", () -> {
            Server wildcard = Async.await(loop.createServer(acceptedProtocols(true), 0,
                    ServerOptions.builder().family(java.net.StandardProtocolFamily.INET).build()));
            try (wildcard) {
                InetSocketAddress bound = (InetSocketAddress) wildcard.sockets().getFirst().getLocalAddress();
                assertEquals(1, wildcard.sockets().size(), msg("N4.12", "the INET wildcard gave "
                        + wildcard.sockets()));
                assertEquals(java.net.InetAddress.getByName("0.0.0.0"), bound.getAddress(), msg("N4.12", "family"
                        + " INET with no host must bind 0.0.0.0, bound " + bound));
                RecordingProtocol client = connect(bound.getPort());
                client.transport.write(bytes("v4"));
                Async.await(client.received(2));
                client.transport.close();
                wildcard.closeClients();
            }
            Throwable wrongFamily = DnsRules.failure(loop.createServer(acceptedProtocols(true), HOST, 0,
                    ServerOptions.builder().family(java.net.StandardProtocolFamily.INET6).build()));
            assertInstanceOf(java.net.UnknownHostException.class, wrongFamily, msg("N4.12", "family INET6 with the"
                    + " IPv4 literal " + HOST + " must fail to resolve, as getaddrinfo does; got " + wrongFamily));
            if (ipv6LoopbackAvailable()) {
                Server six = Async.await(loop.createServer(acceptedProtocols(true), 0,
                        ServerOptions.builder().family(java.net.StandardProtocolFamily.INET6).build()));
                try (six) {
                    InetSocketAddress bound = (InetSocketAddress) six.sockets().getFirst().getLocalAddress();
                    assertEquals(java.net.InetAddress.getByName("::"), bound.getAddress(), msg("N4.12", "family"
                            + " INET6 with no host must bind ::, bound " + bound));
                }
            }
            return null;
        });
    }

    @Test
    @DisplayName("N4.13 addresses() and port() tell where a server listens; port() refuses a closed server and"
            + " several ephemeral ports")
    void required_N4_13_addressesAndPort() throws Exception {
        run("N4.13", () -> {
            Server server = Async.await(loop.createServer(acceptedProtocols(true), HOST, 0));
            InetSocketAddress bound = (InetSocketAddress) server.sockets().getFirst().getLocalAddress();
            assertEquals(List.of(bound), server.addresses(), msg("N4.13", "addresses() must list the listening"
                    + " sockets' local addresses"));
            assertEquals(bound.getPort(), server.port(), msg("N4.13", "port() of a server asked for port 0"));
            RecordingProtocol client = connect(server.port());
            client.transport.write(bytes("p"));
            Async.await(client.received(1));
            client.transport.close();
            server.close();
            assertEquals(List.of(), server.addresses(), msg("N4.13", "a closed server listens nowhere"));
            IllegalStateException closed = assertThrows(IllegalStateException.class, server::port,
                    msg("N4.13", "port() of a closed server"));
            assertTrue(String.valueOf(closed.getMessage()).contains("closed"), msg("N4.13", "the message must say"
                    + " the server is closed: " + closed.getMessage()));
            if (ipv6LoopbackAvailable()) {
                try (Server two = Async.await(loop.createServer(acceptedProtocols(true), List.of(HOST, "::1"), 0))) {
                    List<java.net.SocketAddress> addresses = two.addresses();
                    assertEquals(2, addresses.size(), msg("N4.13", "two hosts, two addresses: " + addresses));
                    int first = ((InetSocketAddress) addresses.get(0)).getPort();
                    int second = ((InetSocketAddress) addresses.get(1)).getPort();
                    if (first != second) {
                        assertThrows(IllegalStateException.class, two::port, msg("N4.13", "port() of a server"
                                + " listening on " + addresses + " must refuse: there is no one port"));
                    } else {
                        assertEquals(first, two.port(), msg("N4.13", "port() of " + addresses));
                    }
                }
            }
            return null;
        });
    }

    @Test
    @DisplayName("N4.15 an address no interface of this host holds is skipped; the server serves on the others, and"
            + " fails only when none is left")
    void required_N4_15_unavailableAddressSkipped() throws Exception {
        // RFC 5737's and RFC 3849's documentation addresses, held by no interface of a sane host
        String absentV4 = "192.0.2.1";
        String absentV6 = "2001:db8::1";
        for (String absent : List.of(absentV4, absentV6)) {
            if (java.net.NetworkInterface.getByInetAddress(java.net.InetAddress.ofLiteral(absent)) != null) {
                org.junit.jupiter.api.Assumptions.abort(absent + " is held by an interface of this host");
            }
        }
        run("N4.15", () -> {
            try (Server server = Async.await(loop.createServer(acceptedProtocols(true),
                    List.of(absentV4, HOST, absentV6), 0))) {
                assertEquals(1, server.sockets().size(), msg("N4.15", "hosts " + absentV4 + ", " + HOST + ", "
                        + absentV6 + " gave the sockets " + server.sockets() + "; skip an address whose bind finds"
                        + " no such address (asyncio's EADDRNOTAVAIL, bpo-30945), or whose socket cannot be made"));
                InetSocketAddress bound = (InetSocketAddress) server.sockets().getFirst().getLocalAddress();
                assertEquals(LOOPBACK, bound.getAddress(), msg("N4.15", "the socket left " + bound));
                RecordingProtocol client = connect(bound.getPort());
                client.transport.write(bytes("ok"));
                Async.await(client.received(2));
                client.transport.close();
                server.closeClients();
            }
            Throwable none = DnsRules.failure(loop.createServer(acceptedProtocols(true),
                    List.of(absentV4, absentV6), 0));
            assertInstanceOf(IOException.class, none, msg("N4.15", "with no address left createServer must fail"
                    + " with an IOException (asyncio's OSError \"could not bind on any address\"); got " + none));
            return null;
        });
    }

    /** Whether {@code ::1} can be bound here (a host without IPv6 cannot). */
    private static boolean ipv6LoopbackAvailable() {
        try (var probe = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.INET6)) {
            probe.bind(new InetSocketAddress(java.net.InetAddress.ofLiteral("::1"), 0));
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
