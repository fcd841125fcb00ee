package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.asyncloop.Protocol;
import dev.asyncloop.Server;
import dev.asyncloop.testsupport.CapturedLog;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * asyncio's {@code create_server} skips an address this host cannot have (bpo-30945: "localhost" answers
 * {@code ::1} where loopback has no IPv6) and serves on the others. Documentation addresses (RFC 5737's
 * 192.0.2.0/24, RFC 3849's 2001:db8::/32) stand in for them, so the tests hold with and without IPv6.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class UnavailableAddressServerTest {
    private static final String V4 = "127.0.0.1";
    private static final String ABSENT_V4 = "192.0.2.1";
    private static final String ABSENT_V6 = "2001:db8::1";
    private final ReadinessEventLoop loop = SelectorLoops.newLoop();

    @AfterEach
    void tearDown() {
        loop.close();
    }

    private static Protocol quiet() {
        return new Protocol() { };
    }

    private static void assumeAbsent(String literal) throws SocketException {
        assumeTrue(NetworkInterface.getByInetAddress(InetAddress.ofLiteral(literal)) == null,
                literal + " is held by an interface of this host");
    }

    private static List<InetAddress> bound(Server server) throws IOException {
        List<InetAddress> out = new ArrayList<>();
        for (var s : server.sockets()) {
            out.add(((InetSocketAddress) s.getLocalAddress()).getAddress());
        }
        return out;
    }

    @Test
    void anAddressNoInterfaceHoldsIsSkipped() throws IOException {
        assumeAbsent(ABSENT_V4);
        try (Server server = loop.runUntilComplete(loop.createServer(UnavailableAddressServerTest::quiet,
                List.of(ABSENT_V4, V4), 0))) {
            assertEquals(List.of(InetAddress.ofLiteral(V4)), bound(server));
            assertTrue(server.isServing());
        }
    }

    @Test
    void anIpv6AddressIsSkippedWithOrWithoutIpv6() throws IOException {
        // without IPv6 in the JDK the socket cannot be opened; with it, the bind finds no such address
        assumeAbsent(ABSENT_V6);
        try (Server server = loop.runUntilComplete(loop.createServer(UnavailableAddressServerTest::quiet,
                List.of(V4, ABSENT_V6), 0))) {
            assertEquals(List.of(InetAddress.ofLiteral(V4)), bound(server));
        }
    }

    @Test
    void noAddressLeftFailsNamingEveryAddress() throws SocketException {
        assumeAbsent(ABSENT_V4);
        assumeAbsent(ABSENT_V6);
        CompletionException failed = assertThrows(CompletionException.class, () -> loop.runUntilComplete(
                loop.createServer(UnavailableAddressServerTest::quiet, List.of(ABSENT_V4, ABSENT_V6), 0)));
        BindException none = assertInstanceOf(BindException.class, failed.getCause());
        assertTrue(none.getMessage().startsWith("could not bind on any address out of"), none.getMessage());
        assertTrue(none.getMessage().contains("192.0.2.1") && none.getMessage().contains("2001:db8:0:0:0:0:0:1"),
                none.getMessage());
        assertEquals(2, none.getSuppressed().length, List.of(none.getSuppressed()).toString());
    }

    @Test
    void debugModeWarnsOfEachSkippedAddress() throws IOException {
        assumeAbsent(ABSENT_V4);
        loop.setDebug(true);
        try (CapturedLog log = CapturedLog.start();
                Server server = loop.runUntilComplete(loop.createServer(UnavailableAddressServerTest::quiet,
                        List.of(V4, ABSENT_V4), 0))) {
            assertEquals(1, server.sockets().size());
            assertTrue(log.records().stream().anyMatch(r -> r.getLevel() == Level.WARNING
                    && r.getMessage().contains("192.0.2.1")), "no warning naming 192.0.2.1");
        }
    }
}
