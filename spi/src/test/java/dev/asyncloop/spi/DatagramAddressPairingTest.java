package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.asyncloop.AddrInfo;
import dev.asyncloop.AddrInfoOptions;
import dev.asyncloop.Async;
import dev.asyncloop.DatagramConnection;
import dev.asyncloop.DatagramOptions;
import dev.asyncloop.DatagramProtocol;
import dev.asyncloop.DatagramTransport;
import dev.asyncloop.Future;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code createDatagramEndpoint} pairs the resolved addresses by family and tries each pair in turn, as asyncio's
 * {@code create_datagram_endpoint}: a name that resolves to an IPv4 and an IPv6 address binds the IPv6 one when
 * the IPv4 one cannot be bound. The loop's resolver answers {@value #DUAL} with {@code 127.0.0.1} then {@code ::1},
 * so the test does not depend on the host's {@code /etc/hosts}.
 */
class DatagramAddressPairingTest {
    private static final String DUAL = "dual.example";
    private final ReadinessEventLoop loop = newLoop();

    @BeforeEach
    void needsIpv6Loopback() {
        assumeTrue(SelectorLoops.ipv6Loopback(), "no IPv6 loopback here");
    }

    @AfterEach
    void close() {
        loop.close();
    }

    private static ReadinessEventLoop newLoop() {
        try {
            return new ReadinessEventLoop(new SelectorPoller()) {
                @Override
                public Future<List<AddrInfo>> getAddrInfo(@Nullable String host, int port,
                        AddrInfoOptions options) {
                    if (!DUAL.equals(host)) {
                        return super.getAddrInfo(host, port, options);
                    }
                    Future<List<AddrInfo>> answer = createFuture();
                    answer.setResult(List.of(
                            info(StandardProtocolFamily.INET, "127.0.0.1", port),
                            info(StandardProtocolFamily.INET6, "::1", port)).stream()
                            .filter(i -> options.family().map(f -> f == i.family()).orElse(true)).toList());
                    return answer;
                }
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static AddrInfo info(StandardProtocolFamily family, String literal, int port) {
        return new AddrInfo(family, new InetSocketAddress(InetAddress.ofLiteral(literal), port), "");
    }

    /** A UDP port taken on 127.0.0.1 and free on ::1 (no SO_REUSEADDR on either side). */
    private static DatagramChannel takeV4Port() throws IOException {
        for (int attempt = 0; attempt < 20; attempt++) {
            DatagramChannel v4 = DatagramChannel.open(StandardProtocolFamily.INET)
                    .bind(new InetSocketAddress("127.0.0.1", 0));
            int port = ((InetSocketAddress) v4.getLocalAddress()).getPort();
            try (DatagramChannel probe = DatagramChannel.open(StandardProtocolFamily.INET6)) {
                probe.bind(new InetSocketAddress("::1", port));
                return v4;
            } catch (BindException takenOnV6Too) {
                v4.close();
            }
        }
        throw new AssertionError("no UDP port free on ::1 and bindable on 127.0.0.1 in 20 attempts");
    }

    @Test
    void theIpv6PairIsTriedWhenTheIpv4OneCannotBind() throws IOException {
        try (DatagramChannel taken = takeV4Port()) {
            int port = ((InetSocketAddress) taken.getLocalAddress()).getPort();
            InetSocketAddress local = loop.runUntilComplete(() -> {
                DatagramConnection<DatagramProtocol> c = Async.await(loop.createDatagramEndpoint(
                        () -> new DatagramProtocol() { },
                        DatagramOptions.builder().localAddress(InetSocketAddress.createUnresolved(DUAL, port)).build()));
                InetSocketAddress bound = (InetSocketAddress) c.transport()
                        .getExtraInfo(DatagramTransport.SOCKNAME).orElseThrow();
                c.transport().close();
                return bound;
            });
            assertEquals(new InetSocketAddress(InetAddress.ofLiteral("::1"), port), local);
        }
    }

    @Test
    void whenNoPairWorksTheFirstPairsErrorIsThrownWithTheOthersSuppressed() throws IOException {
        try (DatagramChannel v4 = takeV4Port()) {
            int port = ((InetSocketAddress) v4.getLocalAddress()).getPort();
            try (DatagramChannel v6 = DatagramChannel.open(StandardProtocolFamily.INET6)
                    .bind(new InetSocketAddress("::1", port))) {
                CompletionException e = assertThrows(CompletionException.class, () -> loop.runUntilComplete(() ->
                        Async.await(loop.createDatagramEndpoint(() -> new DatagramProtocol() { },
                                DatagramOptions.builder().localAddress(InetSocketAddress.createUnresolved(DUAL, port))
                                        .build()))));
                BindException first = assertInstanceOf(BindException.class, e.getCause());
                assertEquals(1, first.getSuppressed().length, "the ::1 pair's error");
                assertInstanceOf(BindException.class, first.getSuppressed()[0]);
            }
        }
    }

    @Test
    void aLiteralAddressFixesTheFamilyOfTheOther() {
        InetSocketAddress peer = loop.runUntilComplete(() -> {
            DatagramConnection<DatagramProtocol> c = Async.await(loop.createDatagramEndpoint(
                    () -> new DatagramProtocol() { },
                    DatagramOptions.builder().localAddress(new InetSocketAddress(InetAddress.ofLiteral("::1"), 0))
                            .remoteAddress(InetSocketAddress.createUnresolved(DUAL, 9)).build()));
            InetSocketAddress p = (InetSocketAddress) c.transport().getExtraInfo(DatagramTransport.PEERNAME)
                    .orElseThrow();
            c.transport().close();
            return p;
        });
        assertEquals(new InetSocketAddress(InetAddress.ofLiteral("::1"), 9), peer);
    }
}
