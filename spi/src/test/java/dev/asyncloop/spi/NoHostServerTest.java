package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.Async;
import dev.asyncloop.Protocol;
import dev.asyncloop.Server;
import dev.asyncloop.ServerOptions;
import dev.asyncloop.StreamPair;
import dev.asyncloop.Streams;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The server overloads without a host ({@code createServer(factory, port[, options])},
 * {@code Streams.startServer(handler, port[, options[, limit]])}): asyncio's {@code host=None}, every interface,
 * the same as a null or empty host.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class NoHostServerTest {
    private final ReadinessEventLoop loop = SelectorLoops.newLoop();

    @AfterEach
    void tearDown() {
        loop.close();
    }

    private static Protocol quiet() {
        return new Protocol() { };
    }

    private static InetSocketAddress onlyAddress(Server server) throws IOException {
        assertEquals(1, server.sockets().size(), "one wildcard socket: " + server.sockets());
        return (InetSocketAddress) server.sockets().getFirst().getLocalAddress();
    }

    @Test
    void noHostBindsTheWildcardAsANullHostDoes() throws IOException {
        try (Server none = loop.runUntilComplete(loop.createServer(NoHostServerTest::quiet, 0));
                Server nullHost = loop.runUntilComplete(loop.createServer(NoHostServerTest::quiet, (String) null,
                        0))) {
            InetSocketAddress bound = onlyAddress(none);
            assertTrue(bound.getAddress().isAnyLocalAddress(), "not the wildcard: " + bound);
            assertEquals(onlyAddress(nullHost).getAddress(), bound.getAddress());
        }
    }

    @Test
    void noHostTakesTheOptions() throws IOException {
        ServerOptions v4 = ServerOptions.builder().family(StandardProtocolFamily.INET).startServing(false).build();
        try (Server server = loop.runUntilComplete(loop.createServer(NoHostServerTest::quiet, 0, v4))) {
            assertEquals(InetAddress.ofLiteral("0.0.0.0"), onlyAddress(server).getAddress());
            assertFalse(server.isServing(), "startServing(false) was not applied");
        }
    }

    @Test
    void noHostRefusesABadPortAtTheCall() {
        IllegalArgumentException port = assertThrows(IllegalArgumentException.class,
                () -> loop.createServer(NoHostServerTest::quiet, 65536));
        assertEquals("port must be between 0 and 65535, got 65536", port.getMessage());
    }

    @Test
    void streamsServeOnEveryInterface() throws IOException {
        Server server = loop.runUntilComplete(() -> Async.await(Streams.startServer((reader, writer) -> {
            writer.write(Async.await(reader.readLine()));
            Async.await(writer.drain());
            writer.close();
        }, 0)));
        try (server) {
            assertTrue(onlyAddress(server).getAddress().isAnyLocalAddress(), server.addresses().toString());
            String echoed = loop.runUntilComplete(() -> {
                StreamPair pair = Async.await(Streams.openConnection("127.0.0.1", server.port()));
                pair.writer().write("hello\n".getBytes(StandardCharsets.UTF_8));
                String line = new String(Async.await(pair.reader().read()), StandardCharsets.UTF_8);
                pair.writer().close();
                return line;
            });
            assertEquals("hello\n", echoed);
        }
    }

    @Test
    void streamsTakeTheOptionsAndLimit() throws IOException {
        ServerOptions v4 = ServerOptions.builder().family(StandardProtocolFamily.INET).build();
        try (Server server = loop.runUntilComplete(() -> Async.await(Streams.startServer((reader, writer) ->
                writer.close(), 0, v4)))) {
            assertEquals(InetAddress.ofLiteral("0.0.0.0"), onlyAddress(server).getAddress());
        }
        IllegalArgumentException limit = loop.runUntilComplete(() -> assertThrows(IllegalArgumentException.class,
                () -> Streams.startServer((reader, writer) -> writer.close(), 0, ServerOptions.defaults(), 0)));
        assertTrue(limit.getMessage().contains("limit"), limit.getMessage());
    }
}
