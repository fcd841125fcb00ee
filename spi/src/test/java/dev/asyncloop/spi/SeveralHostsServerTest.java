package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.asyncloop.Async;
import dev.asyncloop.Connection;
import dev.asyncloop.Future;
import dev.asyncloop.Protocol;
import dev.asyncloop.Server;
import dev.asyncloop.ServerOptions;
import dev.asyncloop.StreamPair;
import dev.asyncloop.Streams;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code createServer} and {@code Streams.startServer} with a list of hosts (asyncio's sequence of hosts). */
@Timeout(value = 20, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SeveralHostsServerTest {
    private static final String V4 = "127.0.0.1";
    private static final String V6 = "::1";
    private final ReadinessEventLoop loop = SelectorLoops.newLoop();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        loop.close();
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private static Protocol quiet() {
        return new Protocol() { };
    }

    private static List<InetSocketAddress> addresses(Server server) throws IOException {
        List<InetSocketAddress> out = new ArrayList<>();
        for (var s : server.sockets()) {
            out.add((InetSocketAddress) s.getLocalAddress());
        }
        return out;
    }

    @Test
    void badHostListsAreRefusedAtTheCall() {
        NullPointerException nullList = assertThrows(NullPointerException.class,
                () -> loop.createServer(SeveralHostsServerTest::quiet, (List<String>) null, 0));
        assertEquals("hosts", nullList.getMessage());
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> loop.createServer(SeveralHostsServerTest::quiet, List.of(), 0));
        assertTrue(empty.getMessage().startsWith("hosts is empty"), empty.getMessage());
        NullPointerException nullName = assertThrows(NullPointerException.class,
                () -> loop.createServer(SeveralHostsServerTest::quiet, Arrays.asList(V4, null), 0));
        assertEquals("hosts[1] is null", nullName.getMessage());
        IllegalArgumentException emptyName = assertThrows(IllegalArgumentException.class,
                () -> loop.createServer(SeveralHostsServerTest::quiet, List.of(V4, ""), 0));
        assertTrue(emptyName.getMessage().startsWith("hosts[1] is empty"), emptyName.getMessage());
        IllegalArgumentException port = assertThrows(IllegalArgumentException.class,
                () -> loop.createServer(SeveralHostsServerTest::quiet, List.of(V4), 65536));
        assertEquals("port must be between 0 and 65535, got 65536", port.getMessage());
    }

    @Test
    void theListIsCopiedAtTheCall() throws IOException {
        List<String> hosts = new ArrayList<>(List.of(V4));
        Future<Server> pending = loop.createServer(SeveralHostsServerTest::quiet, hosts, 0);
        hosts.set(0, "no.such.host.invalid");
        try (Server server = loop.runUntilComplete(pending)) {
            assertEquals(List.of(InetAddress.ofLiteral(V4)),
                    addresses(server).stream().map(InetSocketAddress::getAddress).toList());
        }
    }

    @Test
    void oneHostInAListIsTheSameAsTheHost() throws IOException {
        try (Server server = loop.runUntilComplete(loop.createServer(SeveralHostsServerTest::quiet, List.of(V4),
                0))) {
            assertEquals(1, server.sockets().size());
            assertEquals(InetAddress.ofLiteral(V4), addresses(server).getFirst().getAddress());
        }
    }

    @Test
    void repeatedAddressesAreBoundOnce() throws IOException {
        List<String> hosts = List.of(V4, "localhost", V4);
        try (Server server = loop.runUntilComplete(loop.createServer(SeveralHostsServerTest::quiet, hosts, 0))) {
            List<InetAddress> bound = addresses(server).stream().map(InetSocketAddress::getAddress).toList();
            assertEquals(bound.stream().distinct().toList(), bound, "an address bound twice: " + bound);
            assertEquals(InetAddress.ofLiteral(V4), bound.getFirst(), "the first host's address comes first");
            assertTrue(bound.size() <= 2, "localhost is at most 127.0.0.1 and ::1: " + bound);
        }
    }

    @Test
    void aBindErrorOnOneAddressClosesTheOthers() throws IOException {
        assumeTrue(SelectorLoops.ipv6Loopback(), "needs IPv6 loopback");
        // A port taken on ::1 whose IPv4 twin binds without SO_REUSEADDR (no socket of an earlier connection
        // lingers there in TIME_WAIT), checked by a probe bound and closed before the server binds.
        ServerSocketChannel taken = null;
        int port = -1;
        for (int attempt = 0; attempt < 50 && port < 0; attempt++) {
            ServerSocketChannel candidate = ServerSocketChannel.open(StandardProtocolFamily.INET6);
            candidate.bind(new InetSocketAddress(V6, 0));
            int p = ((InetSocketAddress) candidate.getLocalAddress()).getPort();
            try (ServerSocketChannel probe = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
                probe.setOption(java.net.StandardSocketOptions.SO_REUSEADDR, false);
                probe.bind(new InetSocketAddress(V4, p));
                taken = candidate;
                port = p;
            } catch (BindException inUse) {
                candidate.close();
            }
        }
        assertTrue(taken != null, "no port free on both loopbacks in 50 attempts");
        toClose.add(taken);
        int takenPort = port;
        CompletionException failed = assertThrows(CompletionException.class, () -> loop.runUntilComplete(
                loop.createServer(SeveralHostsServerTest::quiet, List.of(V4, V6), takenPort,
                        ServerOptions.builder().reuseAddress(false).build())));
        assertTrue(failed.getCause() instanceof BindException, String.valueOf(failed.getCause()));
        assertTrue(failed.getCause().getMessage().contains("[0:0:0:0:0:0:0:1]:" + takenPort),
                failed.getCause().getMessage());
        try (ServerSocketChannel again = ServerSocketChannel.open()) {
            again.bind(new InetSocketAddress(V4, takenPort)); // throws if the IPv4 socket was left open
        }
    }

    @Test
    void streamsServeOnEveryHost() throws IOException {
        assumeTrue(SelectorLoops.ipv6Loopback(), "needs IPv6 loopback");
        Server server = loop.runUntilComplete(() -> Async.await(Streams.startServer((reader, writer) -> {
            writer.write(Async.await(reader.readLine()));
            Async.await(writer.drain());
            writer.close();
        }, List.of(V4, V6), 0)));
        try (server) {
            List<InetSocketAddress> bound = addresses(server);
            assertEquals(2, bound.size(), bound.toString());
            for (InetSocketAddress address : bound) {
                String host = address.getAddress().getHostAddress();
                String echoed = loop.runUntilComplete(() -> {
                    StreamPair pair = Async.await(Streams.openConnection(host, address.getPort()));
                    pair.writer().write(("via " + host + "\n").getBytes(StandardCharsets.UTF_8));
                    String line = new String(Async.await(pair.reader().read()), StandardCharsets.UTF_8);
                    pair.writer().close();
                    return line;
                });
                assertEquals("via " + host + "\n", echoed);
            }
        }
    }

    @Test
    void everySocketAcceptsWithItsOwnEphemeralPort() throws IOException {
        assumeTrue(SelectorLoops.ipv6Loopback(), "needs IPv6 loopback");
        List<Protocol> accepted = new ArrayList<>();
        try (Server server = loop.runUntilComplete(loop.createServer(() -> {
            Protocol p = quiet();
            accepted.add(p);
            return p;
        }, List.of(V6, V4), 0))) {
            List<InetSocketAddress> bound = addresses(server);
            assertEquals(List.of(InetAddress.ofLiteral(V6), InetAddress.ofLiteral(V4)),
                    bound.stream().map(InetSocketAddress::getAddress).toList(), "one socket per host, in order");
            for (InetSocketAddress address : bound) {
                assertTrue(address.getPort() > 0, bound.toString());
                Connection<Protocol> c = loop.runUntilComplete(loop.createConnection(SeveralHostsServerTest::quiet,
                        address.getAddress().getHostAddress(), address.getPort()));
                c.transport().close();
            }
            loop.runUntilComplete(() -> {
                while (accepted.size() < 2) {
                    Async.sleep(java.time.Duration.ofMillis(1));
                }
                return null;
            });
            server.closeClients();
        }
    }
}
