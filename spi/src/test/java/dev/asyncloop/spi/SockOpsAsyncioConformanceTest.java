package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.AddrInfo;
import dev.asyncloop.AddrInfoOptions;
import dev.asyncloop.Async;
import dev.asyncloop.Future;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@code sock*} operations against asyncio's {@code selector_events} where the TCK cannot reach: a name
 * resolved for the socket's family.
 */
@Timeout(30)
class SockOpsAsyncioConformanceTest {
    private static final String DUAL_NAME = "dual.stack.test";

    /** A loop whose resolver answers {@link #DUAL_NAME} with an IPv6 loopback first, then the IPv4 one. */
    private final ReadinessEventLoop loop = newLoop();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    private static ReadinessEventLoop newLoop() {
        try {
            return new ReadinessEventLoop(new SelectorPoller()) {
                @Override
                public Future<List<AddrInfo>> getAddrInfo(String host, int port, AddrInfoOptions options) {
                    if (!DUAL_NAME.equals(host)) {
                        return super.getAddrInfo(host, port, options);
                    }
                    Future<List<AddrInfo>> f = createFuture();
                    f.setResult(List.of(
                            AddrInfo.of(new InetSocketAddress(InetAddress.ofLiteral("::1"), port)),
                            AddrInfo.of(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), port))));
                    return f;
                }
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        loop.close();
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private <C extends AutoCloseable> C track(C c) {
        toClose.add(c);
        return c;
    }

    /** asyncio's sock_connect resolves with the socket's family; an IPv4 channel skips the IPv6 answers. */
    @Test
    void sockConnectResolvesForTheChannelsFamily() throws Exception {
        ServerSocketChannel server = track(ServerSocketChannel.open(StandardProtocolFamily.INET));
        server.bind(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 0));
        int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
        SocketChannel client = track(SocketChannel.open(StandardProtocolFamily.INET));
        client.configureBlocking(false);
        loop.runUntilComplete(() -> {
            Async.await(loop.sockConnect(client, InetSocketAddress.createUnresolved(DUAL_NAME, port)));
            return null;
        });
        assertTrue(client.isConnected(), "the IPv4 channel is not connected");
        assertEquals(InetAddress.ofLiteral("127.0.0.1"),
                ((InetSocketAddress) client.getRemoteAddress()).getAddress());
    }
}
