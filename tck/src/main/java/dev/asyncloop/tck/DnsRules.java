package dev.asyncloop.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.AddrInfo;
import dev.asyncloop.AddrInfoOptions;
import dev.asyncloop.Async;
import dev.asyncloop.ConnectOptions;
import dev.asyncloop.Connection;
import dev.asyncloop.NameInfo;
import dev.asyncloop.Server;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Rules N8.x: getAddrInfo, getNameInfo and Happy Eyeballs (asyncio's getaddrinfo, getnameinfo, staggered_race). */
abstract class DnsRules extends NetworkGroup {
    DnsRules(EventLoopConformanceSuite suite) {
        super(suite);
    }

    /** Inside a task: the error the future failed with, or null if it succeeded. */
    static @Nullable Throwable failure(dev.asyncloop.Future<?> f) {
        try {
            Async.await(f);
            return null;
        } catch (CompletionException e) {
            return e.getCause();
        } catch (RuntimeException e) {
            return e;
        }
    }

    @Test
    @DisplayName("N8.1 getAddrInfo of a literal IPv4 address gives that one address, family INET, the port given")
    void required_N8_1_literalIpv4() {
        List<AddrInfo> infos = run("N8.1", () -> Async.await(loop.getAddrInfo("127.0.0.1", 4242)));
        assertEquals(List.of(new AddrInfo(StandardProtocolFamily.INET,
                new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 4242), "")), infos,
                msg("N8.1", "getAddrInfo(\"127.0.0.1\", 4242) gave " + infos + "; check that a literal address is"
                        + " returned as is, without asking the resolver"));
    }

    @Test
    @DisplayName("N8.2 getAddrInfo of a literal IPv6 address gives family INET6")
    void required_N8_2_literalIpv6() {
        List<AddrInfo> infos = run("N8.2", () -> Async.await(loop.getAddrInfo("::1", 80)));
        assertEquals(1, infos.size(), msg("N8.2", "expected one result for ::1, got " + infos
                + "; check literal parsing"));
        assertEquals(StandardProtocolFamily.INET6, infos.getFirst().family(), msg("N8.2", "family of ::1 was "
                + infos.getFirst().family() + "; check the family is taken from the address"));
        assertTrue(infos.getFirst().address().getAddress().isLoopbackAddress(), msg("N8.2", "address was "
                + infos.getFirst().address() + "; check literal parsing"));
    }

    @Test
    @DisplayName("N8.3 a family filter that removes every address fails with UnknownHostException naming the host")
    void required_N8_3_familyFilter() {
        Throwable error = run("N8.3", () -> failure(loop.getAddrInfo("127.0.0.1", 80,
                AddrInfoOptions.builder().family(StandardProtocolFamily.INET6).build())));
        Throwable unknown = assertInstanceOf(UnknownHostException.class, error, msg("N8.3", "getAddrInfo(127.0.0.1,"
                + " INET6) gave " + error + "; check that results are filtered by family and an empty answer is an"
                + " error"));
        assertTrue(String.valueOf(unknown.getMessage()).contains("127.0.0.1"), msg("N8.3", "the message does not"
                + " name the host: " + unknown.getMessage() + "; check the UnknownHostException text"));
    }

    @Test
    @DisplayName("N8.4 numericHost: a name fails with UnknownHostException without asking the resolver")
    void required_N8_4_numericHost() {
        Throwable error = run("N8.4", () -> failure(loop.getAddrInfo("localhost", 80,
                AddrInfoOptions.builder().numericHost(true).build())));
        Throwable unknown = assertInstanceOf(UnknownHostException.class, error, msg("N8.4", "getAddrInfo(localhost,"
                + " numericHost) gave " + error + "; check AI_NUMERICHOST handling"));
        assertTrue(String.valueOf(unknown.getMessage()).contains("localhost"), msg("N8.4", "the message does not"
                + " name the host: " + unknown.getMessage()));
    }

    @Test
    @DisplayName("N8.5 a null host means loopback; with passive, the wildcard address")
    void required_N8_5_nullHost() {
        List<List<AddrInfo>> both = run("N8.5", () -> List.of(Async.await(loop.getAddrInfo(null, 7)),
                Async.await(loop.getAddrInfo(null, 7, AddrInfoOptions.builder().passive(true).build()))));
        assertFalse(both.get(0).isEmpty(), msg("N8.5", "getAddrInfo(null) gave nothing"));
        assertTrue(both.get(0).stream().allMatch(i -> i.address().getAddress().isLoopbackAddress()
                && i.address().getPort() == 7), msg("N8.5", "getAddrInfo(null) gave " + both.get(0)
                + "; check that a null host is loopback (AI_PASSIVE unset)"));
        assertFalse(both.get(1).isEmpty(), msg("N8.5", "getAddrInfo(null, passive) gave nothing"));
        assertTrue(both.get(1).stream().allMatch(i -> i.address().getAddress().isAnyLocalAddress()),
                msg("N8.5", "getAddrInfo(null, passive) gave " + both.get(1) + "; check AI_PASSIVE handling"));
    }

    @Test
    @DisplayName("N8.6 getAddrInfo with a port out of range throws IllegalArgumentException at the call")
    void required_N8_6_portOutOfRange() {
        run("N8.6", () -> {
            assertThrows(IllegalArgumentException.class, () -> loop.getAddrInfo("127.0.0.1", 65536),
                    msg("N8.6", "port 65536 was accepted; check the port range"));
            assertThrows(IllegalArgumentException.class, () -> loop.getAddrInfo("127.0.0.1", -1),
                    msg("N8.6", "port -1 was accepted; check the port range"));
            return null;
        });
    }

    @Test
    @DisplayName("N8.7 getNameInfo of a loopback address gives a non-empty host and the same port")
    void required_N8_7_nameInfo() {
        NameInfo info = run("N8.7", Duration.ofSeconds(25), () -> Async.await(loop.getNameInfo(
                new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 5353))));
        assertEquals(5353, info.port(), msg("N8.7", "port was " + info.port() + "; check getNameInfo keeps it"));
        assertFalse(info.host().isEmpty(), msg("N8.7", "host was empty; check the reverse lookup falls back to"
                + " the numeric address"));
    }

    @Test
    @DisplayName("N8.8 getAddrInfo(\"localhost\") gives loopback addresses only (optional: needs the machine's resolver)")
    void optional_N8_8_localhost() {
        List<AddrInfo> infos = run("N8.8", Duration.ofSeconds(25), () -> Async.await(loop.getAddrInfo("localhost",
                80)));
        assertFalse(infos.isEmpty(), msg("N8.8", "no address for localhost"));
        assertTrue(infos.stream().allMatch(i -> i.address().getAddress().isLoopbackAddress()),
                msg("N8.8", "localhost gave " + infos + "; check resolution on the default executor"));
        assertEquals(infos.size(), infos.stream().distinct().count(), msg("N8.8", "duplicates in " + infos
                + "; check that duplicates are dropped"));
    }

    @Test
    @DisplayName("N8.9 an unknown host fails with UnknownHostException naming it (optional: needs a prompt resolver)")
    void optional_N8_9_unknownHost() {
        Throwable error = run("N8.9", Duration.ofSeconds(25), () -> failure(loop.getAddrInfo("no-such-host.invalid",
                80)));
        Throwable unknown = assertInstanceOf(UnknownHostException.class, error, msg("N8.9", "resolving .invalid gave "
                + error));
        assertTrue(String.valueOf(unknown.getMessage()).contains("no-such-host.invalid"), msg("N8.9",
                "the message does not name the host: " + unknown.getMessage()));
    }

    @Test
    @DisplayName("N8.10 createConnection with a Happy Eyeballs delay connects to a listening address")
    void required_N8_10_happyEyeballsConnects() {
        String text = run("N8.10", () -> {
            Server server = startServer(true);
            ConnectOptions options = ConnectOptions.builder().happyEyeballsDelay(Duration.ofMillis(50))
                    .interleave(2).build();
            Connection<RecordingProtocol> c = Async.await(loop.createConnection(() -> new RecordingProtocol(loop),
                    HOST, port(server), options));
            c.transport().write(bytes("hello"));
            Async.await(c.protocol().received(5));
            c.transport().close();
            Async.await(c.protocol().lost);
            server.close();
            return c.protocol().text();
        });
        assertEquals("hello", text, msg("N8.10", "echo through a Happy Eyeballs connection gave " + text
                + "; check the staggered race returns the winner's socket"));
    }

    @Test
    @DisplayName("N8.11 createConnection with a Happy Eyeballs delay to a closed port fails with the connect error")
    void required_N8_11_happyEyeballsAllFail() throws IOException {
        int port = closedPort();
        Throwable error = run("N8.11", () -> failure(loop.createConnection(() -> new RecordingProtocol(loop), HOST,
                port, ConnectOptions.builder().happyEyeballsDelay(Duration.ofMillis(10)).build())));
        assertInstanceOf(IOException.class, error, msg("N8.11", "connecting to a closed port gave " + error
                + "; check that every attempt's error is reported when all fail"));
    }

    @Test
    @DisplayName("N8.12 an IPv6 literal whose zone names an interface (fe80::1%lo) gets that interface's index as scope id, also with numericHost; an unknown zone fails naming the host")
    void required_N8_12_zoneNameInIpv6Literal() throws Exception {
        java.net.NetworkInterface lo = java.net.NetworkInterface.networkInterfaces().filter(i -> {
            try {
                return i.isLoopback() && i.getIndex() > 0;
            } catch (java.net.SocketException e) {
                return false;
            }
        }).findFirst().orElse(null);
        org.junit.jupiter.api.Assumptions.assumeTrue(lo != null, "no loopback interface with an index");
        String host = "fe80::1%" + java.util.Objects.requireNonNull(lo).getName();
        String unknown = "fe80::1%no-such-interface0";
        List<Object> got = run("N8.12", () -> List.of(
                Async.await(loop.getAddrInfo(host, 80)),
                Async.await(loop.getAddrInfo(host, 80, AddrInfoOptions.builder().numericHost(true).build())),
                String.valueOf(failure(loop.getAddrInfo(unknown, 80)))));
        for (int i = 0; i < 2; i++) {
            @SuppressWarnings("unchecked")
            List<AddrInfo> infos = (List<AddrInfo>) got.get(i);
            assertEquals(1, infos.size(), msg("N8.12", host + " gave " + infos));
            InetAddress a = infos.getFirst().address().getAddress();
            assertTrue(a instanceof java.net.Inet6Address six && six.getScopeId() == lo.getIndex(), msg("N8.12",
                    host + " gave " + a + "; getaddrinfo maps a zone name to the interface index (if_nametoindex),"
                            + " even for an interface without a link-local address"));
        }
        String error = (String) got.get(2);
        assertTrue(error.contains("UnknownHostException") && error.contains(unknown), msg("N8.12",
                "an unknown zone gave " + error));
    }

    @Test
    @DisplayName("N8.13 with canonicalName, a literal's canonical name is the literal as written")
    void required_N8_13_canonicalNameOfALiteral() {
        List<AddrInfo> infos = run("N8.13", () -> Async.await(loop.getAddrInfo("::1", 80,
                AddrInfoOptions.builder().canonicalName(true).build())));
        assertEquals("::1", infos.getFirst().canonicalName(), msg("N8.13", "getaddrinfo(\"::1\", AI_CANONNAME)"
                + " names the host as given, not in another spelling"));
    }

    @Test
    @DisplayName("N8.14 a null host gives ::1 then 127.0.0.1 (0.0.0.0 then :: with passive), as getaddrinfo orders them; an empty host fails with UnknownHostException at once")
    void required_N8_14_nullAndEmptyHost() {
        List<Object> got = run("N8.14", () -> {
            dev.asyncloop.Future<List<AddrInfo>> empty = loop.getAddrInfo("", 80);
            boolean emptyDoneAtOnce = empty.isDone();
            return List.of(Async.await(loop.getAddrInfo(null, 80)),
                    Async.await(loop.getAddrInfo(null, 80, AddrInfoOptions.builder().passive(true).build())),
                    emptyDoneAtOnce, String.valueOf(failure(empty)));
        });
        @SuppressWarnings("unchecked")
        List<InetAddress> loopback = ((List<AddrInfo>) got.get(0)).stream().map(a -> a.address().getAddress())
                .toList();
        @SuppressWarnings("unchecked")
        List<InetAddress> wildcard = ((List<AddrInfo>) got.get(1)).stream().map(a -> a.address().getAddress())
                .toList();
        assertEquals(List.of(InetAddress.ofLiteral("::1"), InetAddress.ofLiteral("127.0.0.1")), loopback,
                msg("N8.14", "getAddrInfo(null) without passive"));
        assertEquals(List.of(InetAddress.ofLiteral("0.0.0.0"), InetAddress.ofLiteral("::")), wildcard,
                msg("N8.14", "getAddrInfo(null) with passive"));
        assertTrue((Boolean) got.get(2), msg("N8.14", "an empty host must fail without the resolver"));
        assertTrue(((String) got.get(3)).contains("UnknownHostException"), msg("N8.14", "getAddrInfo(\"\") gave "
                + got.get(3) + "; InetAddress answers loopback for \"\", getaddrinfo fails"));
    }
}
