package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.asyncloop.ConnectOptions;
import dev.asyncloop.Connection;
import dev.asyncloop.Future;
import dev.asyncloop.Protocol;
import dev.asyncloop.Transport;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * createConnection's local address (asyncio's {@code local_addr} in {@code _connect_sock}): each attempt binds to
 * a local address of its own family, an unresolved one is resolved, errors say which address and why.
 */
class ConnectLocalAddressTest {
    private static final InetAddress V4 = InetAddress.ofLiteral("127.0.0.1");
    private static final InetAddress V6 = InetAddress.ofLiteral("::1");

    private final ReadinessEventLoop loop = SelectorLoops.newLoop();
    private ServerSocketChannel v4Server;

    @BeforeEach
    void setUp() throws IOException {
        v4Server = ServerSocketChannel.open(StandardProtocolFamily.INET);
        v4Server.bind(new InetSocketAddress(V4, 0));
    }

    @AfterEach
    void tearDown() throws IOException {
        v4Server.close();
        loop.close();
    }

    @Test
    void aLocalAddressOfAnotherFamilyFailsTheAttemptWithAnIoErrorNamingTheFamily() throws IOException {
        SocketAddress v6Local = new InetSocketAddress(V6, 0);
        for (ConnectOptions.Builder b : List.of(ConnectOptions.builder(),
                ConnectOptions.builder().happyEyeballsDelay(Duration.ofMillis(50)))) {
            Throwable error = failure(connect(List.of(address(v4Server)), b.localAddress(v6Local).build()));
            assertInstanceOf(SocketException.class, error);
            assertTrue(error.getMessage().contains("no matching local address with family=INET found"),
                    error.getMessage());
        }
    }

    @Test
    void theAttemptWithoutALocalAddressOfItsFamilyIsSkippedAndTheNextConnects() throws IOException {
        assumeTrue(SelectorLoops.ipv6Loopback(), "needs IPv6 loopback");
        try (ServerSocketChannel v6Server = ServerSocketChannel.open(StandardProtocolFamily.INET6)) {
            v6Server.bind(new InetSocketAddress(V6, 0));
            for (ConnectOptions.Builder b : List.of(ConnectOptions.builder(),
                    ConnectOptions.builder().happyEyeballsDelay(Duration.ofSeconds(20)))) {
                Connection<Protocol> c = loop.runUntilComplete(connect(List.of(address(v4Server), address(v6Server)),
                        b.localAddress(new InetSocketAddress(V6, 0)).build()));
                assertEquals(address(v6Server), c.transport().getExtraInfo(Transport.PEERNAME).orElseThrow());
                assertEquals(V6, sockname(c).getAddress());
                close(c);
            }
        }
    }

    @Test
    void aWildcardLocalAddressFitsEitherFamily() throws IOException {
        Connection<Protocol> c = loop.runUntilComplete(connect(List.of(address(v4Server)),
                ConnectOptions.builder().localAddress(new InetSocketAddress(InetAddress.ofLiteral("::"), 0)).build()));
        assertEquals(V4, sockname(c).getAddress());
        close(c);
        assumeTrue(SelectorLoops.ipv6Loopback(), "needs IPv6 loopback");
        try (ServerSocketChannel v6Server = ServerSocketChannel.open(StandardProtocolFamily.INET6)) {
            v6Server.bind(new InetSocketAddress(V6, 0));
            c = loop.runUntilComplete(connect(List.of(address(v6Server)),
                    ConnectOptions.builder().localAddress(new InetSocketAddress(0)).build()));
            assertEquals(V6, sockname(c).getAddress());
            close(c);
        }
    }

    @Test
    void anUnresolvedLocalAddressIsResolved() throws IOException {
        Connection<Protocol> c = loop.runUntilComplete(connect(List.of(address(v4Server)), ConnectOptions.builder()
                .localAddress(InetSocketAddress.createUnresolved("127.0.0.1", 0)).build()));
        assertEquals(V4, sockname(c).getAddress());
        close(c);
    }

    @Test
    void aBindErrorNamesTheLocalAddress() throws IOException {
        InetSocketAddress taken = address(v4Server);
        Throwable error = failure(connect(List.of(taken), ConnectOptions.builder().localAddress(taken).build()));
        assertInstanceOf(BindException.class, error);
        assertTrue(error.getMessage().startsWith("error while attempting to bind on address " + taken + ": "),
                error.getMessage());
    }

    @Test
    void onlyAnInetSocketAddressIsALocalAddress() {
        assertThrows(IllegalArgumentException.class,
                () -> ConnectOptions.builder().localAddress(UnixDomainSocketAddress.of("/tmp/x.sock")));
    }

    private Future<Connection<Protocol>> connect(List<InetSocketAddress> addresses, ConnectOptions options) {
        Future<List<InetSocketAddress>> resolved = loop.createFuture();
        resolved.setResult(addresses);
        return loop.connectTo(() -> new Protocol() { }, resolved, options, "test");
    }

    private Throwable failure(Future<?> f) {
        return assertThrows(CompletionException.class, () -> loop.runUntilComplete(f)).getCause();
    }

    private void close(Connection<Protocol> c) {
        c.transport().abort();
        Future<Void> tick = loop.createFuture();
        loop.callSoon(() -> loop.callSoon(() -> tick.setResult(null)));
        loop.runUntilComplete(tick);
    }

    private static InetSocketAddress sockname(Connection<Protocol> c) {
        return (InetSocketAddress) c.transport().getExtraInfo(Transport.SOCKNAME).orElseThrow();
    }

    private static InetSocketAddress address(ServerSocketChannel server) throws IOException {
        return (InetSocketAddress) server.getLocalAddress();
    }
}
