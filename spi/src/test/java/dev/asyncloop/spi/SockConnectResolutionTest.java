package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.Future;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code sockConnect} to an unresolved address resolves the name first (asyncio's {@code sock_connect} with a
 * host name): a name that does not resolve fails the connect with the resolver's error, and a connect cancelled
 * while the name resolves leaves the socket unconnected and usable.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SockConnectResolutionTest {
    private final ReadinessEventLoop loop = SelectorLoops.newLoop();

    @AfterEach
    void tearDown() {
        loop.close();
    }

    private static SocketChannel nonBlocking() throws IOException {
        SocketChannel channel = SocketChannel.open();
        channel.configureBlocking(false);
        return channel;
    }

    @Test
    void aNameThatDoesNotResolveFailsTheConnectWithTheResolversError() throws IOException {
        try (SocketChannel channel = nonBlocking()) {
            Future<@Nullable Void> connect = loop.sockConnect(channel, InetSocketAddress.createUnresolved("", 80));
            try {
                loop.runUntilComplete(connect);
            } catch (RuntimeException expected) {
                // read from the future below
            }
            Throwable e = connect.exception().orElseThrow(() -> new AssertionError("connected: " + connect));
            assertInstanceOf(UnknownHostException.class, e);
            assertFalse(channel.isConnected() || channel.isConnectionPending(), "no connect was started");
        }
    }

    @Test
    void aConnectCancelledWhileTheNameResolvesLeavesTheSocketUnconnectedAndUsable() throws IOException {
        try (ServerSocketChannel listener = ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                SocketChannel channel = nonBlocking()) {
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            Future<@Nullable Void> connect = loop.sockConnect(channel,
                    InetSocketAddress.createUnresolved("localhost", port));
            assertFalse(connect.isDone(), "a name is resolved off the loop thread");
            connect.cancel();
            // The resolver's answer, if it comes, must not start a connect: a connect to the literal address
            // afterwards is the socket's first and succeeds.
            loop.runUntilComplete(loop.sockConnect(channel, listener.getLocalAddress()));
            assertTrue(connect.isCancelled());
            assertTrue(channel.isConnected());
        }
    }
}
