package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.AddrInfo;
import dev.asyncloop.AddrInfoOptions;
import dev.asyncloop.Future;
import dev.asyncloop.NameInfo;
import dev.asyncloop.testsupport.LoopWaits;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.StandardProtocolFamily;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * asyncio 3.12–3.13's {@code getaddrinfo}/{@code getnameinfo} and the {@code _ipaddr_info} shortcut
 * (test_base_events.py's test_ipaddr_info* and getaddrinfo cases), as far as {@link AddrInfoOptions} carries them.
 * Only literals and the loopback interface: no test needs a resolver or a network.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DnsAsyncioConformanceTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final ReadinessEventLoop loop = SelectorLoops.newLoop();

    @AfterEach
    void tearDown() {
        loop.close();
    }

    private <T> T await(Future<T> future) {
        return LoopWaits.await(loop, future, WAIT);
    }

    private List<AddrInfo> resolve(String host, int port, AddrInfoOptions options) {
        return await(loop.getAddrInfo(host, port, options));
    }

    private Throwable failure(String host, AddrInfoOptions options) {
        Future<List<AddrInfo>> f = loop.getAddrInfo(host, 80, options);
        return assertThrows(CompletionException.class, () -> await(f)).getCause();
    }

    private static AddrInfoOptions family(StandardProtocolFamily family) {
        return AddrInfoOptions.builder().family(family).build();
    }

    /** The loopback interface's name ("lo" on Linux), or a skip where there is none. */
    private static NetworkInterface loopbackInterface() throws Exception {
        NetworkInterface lo = NetworkInterface.networkInterfaces().filter(i -> {
            try {
                return i.isLoopback();
            } catch (java.net.SocketException e) {
                return false;
            }
        }).findFirst().orElse(null);
        Assumptions.assumeTrue(lo != null, "no loopback interface");
        return lo;
    }

    @Test
    void aLiteralIsAnsweredAtOnceWithItsFamilyAndThePort() {
        Future<List<AddrInfo>> v4 = loop.getAddrInfo("1.2.3.4", 1, AddrInfoOptions.defaults());
        assertTrue(v4.isDone(), "no resolver for a literal (asyncio's _ipaddr_info)");
        assertEquals(List.of(new AddrInfo(StandardProtocolFamily.INET,
                new InetSocketAddress(InetAddress.ofLiteral("1.2.3.4"), 1), "")), v4.result());
        List<AddrInfo> v6 = resolve("::3", 1, family(StandardProtocolFamily.INET6));
        assertEquals(1, v6.size());
        assertEquals(StandardProtocolFamily.INET6, v6.getFirst().family());
        assertEquals(new InetSocketAddress(InetAddress.ofLiteral("::3"), 1), v6.getFirst().address());
        assertEquals(0, resolve("1.2.3.4", 0, AddrInfoOptions.defaults()).getFirst().address().getPort(),
                "asyncio's port None is 0");
    }

    @Test
    void aLiteralOfTheOtherFamilyFailsWithUnknownHostNamingIt() {
        Throwable e = failure("::3", family(StandardProtocolFamily.INET));
        assertInstanceOf(UnknownHostException.class, e);
        assertTrue(e.getMessage().contains("::3"), e.getMessage());
        e = failure("1.2.3.4", family(StandardProtocolFamily.INET6));
        assertInstanceOf(UnknownHostException.class, e);
        assertTrue(e.getMessage().contains("1.2.3.4"), e.getMessage());
    }

    @Test
    void aNullHostIsLoopbackOrWithPassiveTheWildcardOfEachFamilyAsked() {
        AddrInfoOptions passive = AddrInfoOptions.builder().passive(true).build();
        assertEquals(List.of(InetAddress.ofLiteral("0.0.0.0"), InetAddress.ofLiteral("::")),
                resolve(null, 80, passive).stream().map(a -> a.address().getAddress()).toList());
        assertEquals(List.of(InetAddress.ofLiteral("::")), resolve(null, 80, AddrInfoOptions.builder()
                .passive(true).family(StandardProtocolFamily.INET6).build()).stream()
                .map(a -> a.address().getAddress()).toList());
        assertEquals(List.of(InetAddress.ofLiteral("::1"), InetAddress.ofLiteral("127.0.0.1")),
                resolve(null, 80, AddrInfoOptions.defaults()).stream().map(a -> a.address().getAddress()).toList(),
                "getaddrinfo(NULL) without AI_PASSIVE answers ::1 before 127.0.0.1 (RFC 6724 precedence)");
        assertEquals(List.of(InetAddress.ofLiteral("127.0.0.1")), resolve(null, 80,
                family(StandardProtocolFamily.INET)).stream().map(a -> a.address().getAddress()).toList());
        assertTrue(resolve(null, 7, AddrInfoOptions.defaults()).stream()
                .allMatch(a -> a.address().getAddress().isLoopbackAddress() && a.address().getPort() == 7));
    }

    @Test
    void anEmptyHostIsNotANameAndFailsWithoutTheResolver() {
        Future<List<AddrInfo>> f = loop.getAddrInfo("", 80);
        assertTrue(f.isDone(), "no resolver is asked for an empty host");
        Throwable e = assertThrows(CompletionException.class, () -> await(f)).getCause();
        assertInstanceOf(UnknownHostException.class, e, "getaddrinfo('') fails: Name or service not known");
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    @Test
    void numericHostRefusesANameWithoutTheResolver() {
        Future<List<AddrInfo>> f = loop.getAddrInfo("example.invalid", 80,
                AddrInfoOptions.builder().numericHost(true).build());
        assertTrue(f.isDone(), "AI_NUMERICHOST never asks the resolver");
        Throwable e = assertThrows(CompletionException.class, () -> await(f)).getCause();
        assertInstanceOf(UnknownHostException.class, e);
        assertTrue(e.getMessage().contains("example.invalid"), e.getMessage());
    }

    @Test
    void aPortOutOfRangeIsRefusedAtTheCall() {
        assertThrows(IllegalArgumentException.class, () -> loop.getAddrInfo("1.2.3.4", 65536));
        assertThrows(IllegalArgumentException.class, () -> loop.getAddrInfo("1.2.3.4", -1));
    }

    @Test
    void anIpv6LiteralWithANumericZoneKeepsItAsTheScopeId() {
        List<AddrInfo> r = resolve("fe80::1%3", 80, AddrInfoOptions.defaults());
        Inet6Address a = (Inet6Address) r.getFirst().address().getAddress();
        assertEquals(3, a.getScopeId());
    }

    @Test
    void anIpv6LiteralWhoseZoneNamesAnInterfaceGetsThatInterfacesIndex() throws Exception {
        NetworkInterface lo = loopbackInterface();
        String host = "fe80::1%" + lo.getName();
        List<AddrInfo> r = resolve(host, 80, AddrInfoOptions.defaults());
        assertEquals(1, r.size(), r.toString());
        Inet6Address a = (Inet6Address) r.getFirst().address().getAddress();
        assertEquals(lo.getIndex(), a.getScopeId(), "getaddrinfo maps the zone name to the interface index"
                + " (asyncio leaves zoned literals to it), even for an interface without a link-local address");
        assertEquals(InetAddress.ofLiteral("fe80::1"), InetAddress.getByAddress(a.getAddress()));
        List<AddrInfo> numeric = resolve(host, 80, AddrInfoOptions.builder().numericHost(true).build());
        assertEquals(r, numeric, "a zoned literal is numeric");
    }

    @Test
    void anIpv6LiteralWithAnUnknownZoneFailsWithUnknownHostNamingIt() {
        Throwable e = failure("fe80::1%no-such-interface0", AddrInfoOptions.defaults());
        assertInstanceOf(UnknownHostException.class, e);
        assertTrue(e.getMessage().contains("fe80::1%no-such-interface0"), e.getMessage());
    }

    @Test
    void theCanonicalNameOfALiteralIsTheLiteralAsWritten() {
        AddrInfoOptions canon = AddrInfoOptions.builder().canonicalName(true).build();
        assertEquals("::1", resolve("::1", 80, canon).getFirst().canonicalName(),
                "getaddrinfo with AI_CANONNAME names a numeric host as it was given");
        assertEquals("127.0.0.1", resolve("127.0.0.1", 80, canon).getFirst().canonicalName());
        assertEquals("", resolve("127.0.0.1", 80, AddrInfoOptions.defaults()).getFirst().canonicalName());
    }

    @Test
    void getNameInfoKeepsThePortAndGivesAHost() {
        NameInfo info = await(loop.getNameInfo(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 4321)));
        assertEquals(4321, info.port());
        assertTrue(!info.host().isEmpty());
        assertThrows(IllegalArgumentException.class,
                () -> loop.getNameInfo(InetSocketAddress.createUnresolved("example.invalid", 1)));
    }
}
