package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.Future;
import dev.asyncloop.Tasks;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A connect the kernel fails at once (Linux: a TCP connect to the broadcast address is "Network is unreachable"
 * or "Permission denied" before any packet; a BSD kernel refuses a loopback connect so) names the address, as a
 * failure found later by finishConnect does.
 */
class ImmediateConnectFailureTest {
    private final ReadinessEventLoop loop = SelectorLoops.newLoop();

    @AfterEach
    void close() {
        loop.close();
    }

    @Test
    void aSocketErrorAtOnceNamesTheAddress() throws Exception {
        InetSocketAddress broadcast = new InetSocketAddress("255.255.255.255", 80);
        try (SocketChannel channel = SocketChannel.open()) {
            channel.configureBlocking(false);
            Future<?> connect = loop.sockConnect(channel, broadcast);
            Throwable failure = assertThrows(CompletionException.class,
                    () -> loop.runUntilComplete(() -> Tasks.waitFor(connect, Duration.ofSeconds(10)))).getCause();
            SocketException e = assertInstanceOf(SocketException.class, failure, "a socket error, was " + failure);
            assertTrue(e.getMessage().startsWith("Connect call failed " + broadcast + ": "), e.getMessage());
            assertInstanceOf(SocketException.class, e.getCause(), "the system's error is the cause");
            assertEquals(e.getCause().getClass(), e.getClass(), "the same kind of exception as the system's");
        }
    }
}
