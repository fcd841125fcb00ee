package dev.asyncloop.epoll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.EventLoop;
import dev.asyncloop.EventLoopGroup;
import dev.asyncloop.GroupServer;
import dev.asyncloop.ServerOptions;
import dev.asyncloop.testsupport.EchoCheck;
import dev.asyncloop.testsupport.EchoProtocol;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link EventLoopGroup} and {@link GroupServer} over two {@link EpollEventLoop}s made by the provider. */
class EpollEventLoopGroupTest {
    private static final long WAIT = 10;
    private EventLoopGroup group;

    @BeforeEach
    void start() {
        group = EventLoopGroup.create(2, new EpollEventLoopProvider());
    }

    @AfterEach
    void stop() {
        group.close();
    }

    @ParameterizedTest
    @EnumSource(GroupServer.Mode.class)
    @DisplayName("a group server echoes 20 connections; shutting the group down closes its listening sockets")
    void echoThenShutdown(GroupServer.Mode mode) throws Exception {
        Assumptions.assumeTrue(mode != GroupServer.Mode.REUSE_PORT || EventLoopGroup.reusePortSupported(),
                "SO_REUSEPORT not available here");
        for (EventLoop loop : group.loops()) {
            assertInstanceOf(EpollEventLoop.class, loop);
        }
        Map<String, Integer> served = new ConcurrentHashMap<>();
        GroupServer server = group.createServer(() -> new EchoProtocol(served), "127.0.0.1", 0,
                ServerOptions.defaults(), mode).get(WAIT, TimeUnit.SECONDS);
        InetSocketAddress address = server.addresses().getFirst();
        for (int i = 0; i < 20; i++) {
            byte[] message = ("hello-" + i + "\n").getBytes(StandardCharsets.US_ASCII);
            EchoCheck.onNewConnection(address, message, Duration.ofSeconds(WAIT), "connection " + i);
        }
        assertEquals(20, served.values().stream().mapToInt(Integer::intValue).sum(), "served: " + served);
        if (mode == GroupServer.Mode.HAND_OFF) {
            assertEquals(Map.of("asyncloop-group-0", 10, "asyncloop-group-1", 10), served, "not round-robin");
        }
        assertTrue(group.shutdownGracefully(Duration.ofSeconds(WAIT)));
        server.waitClosed().get(WAIT, TimeUnit.SECONDS);
        try (ServerSocket again = new ServerSocket()) {
            again.bind(address); // fails while a listening socket of the server is open
        }
    }
}
