package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.AddrInfo;
import dev.asyncloop.AddrInfoOptions;
import dev.asyncloop.Async;
import dev.asyncloop.Connection;
import dev.asyncloop.DatagramOptions;
import dev.asyncloop.Future;
import dev.asyncloop.Protocol;
import dev.asyncloop.Server;
import dev.asyncloop.ServerOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** DNS helpers, option objects and the sendfile fallback, where the TCK does not reach. */
class NetworkExtrasTest {
    private final ReadinessEventLoop loop = SelectorLoops.newLoop();

    @AfterEach
    void tearDown() {
        loop.close();
    }

    @Test
    void literalsAndNullHostsNeedNoResolver() throws Exception {
        assertEquals(List.of(AddrInfo.of(new InetSocketAddress(InetAddress.ofLiteral("10.1.2.3"), 9))),
                Resolver.withoutResolver("10.1.2.3", 9, AddrInfoOptions.defaults()));
        assertEquals(null, Resolver.withoutResolver("example.invalid", 9, AddrInfoOptions.defaults()));
        UnknownHostException e = assertThrows(UnknownHostException.class, () -> Resolver.withoutResolver(
                "example.invalid", 9, AddrInfoOptions.builder().numericHost(true).build()));
        assertTrue(e.getMessage().contains("example.invalid"), e.getMessage());
        List<AddrInfo> canon = Resolver.withoutResolver("127.0.0.1", 1,
                AddrInfoOptions.builder().canonicalName(true).build());
        assertFalse(canon.getFirst().canonicalName().isEmpty());
    }

    @Test
    void addrInfoChecksItsFamily() {
        InetSocketAddress v4 = new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 1);
        assertThrows(IllegalArgumentException.class,
                () -> new AddrInfo(java.net.StandardProtocolFamily.INET6, v4, ""));
        assertThrows(IllegalArgumentException.class,
                () -> new AddrInfo(java.net.StandardProtocolFamily.INET, InetSocketAddress.createUnresolved("h", 1), ""));
    }

    @Test
    void datagramOptionsRefuseAChannelWithOtherOptions() throws IOException {
        try (DatagramChannel c = DatagramChannel.open()) {
            assertThrows(IllegalArgumentException.class,
                    () -> DatagramOptions.builder().channel(c).allowBroadcast(true).build());
            assertTrue(DatagramOptions.builder().channel(c).build().channel().isPresent());
        }
        assertThrows(IllegalArgumentException.class,
                () -> DatagramOptions.builder().family(java.net.StandardProtocolFamily.UNIX));
    }

    @Test
    void staleDetectionLeavesRegularFilesAlone() throws IOException {
        Path dir = Files.createTempDirectory("al");
        Path file = dir.resolve("f");
        Files.writeString(file, "x");
        UnixSocketFiles.removeStale(file);
        assertTrue(Files.exists(file));
        Object key = UnixSocketFiles.key(file);
        UnixSocketFiles.removeIfSame(file, key);
        assertFalse(Files.exists(file));
        UnixSocketFiles.removeStale(file);
        Files.delete(dir);
    }

    /** A protocol collecting bytes; pauses/resumes are counted. */
    static final class Sink implements Protocol {
        final ByteArrayOutputStream got = new ByteArrayOutputStream();

        @Override
        public void dataReceived(ByteBuffer data) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            got.writeBytes(b);
        }
    }

    @Test
    void fallbackWritesTheFileThroughTheTransportWithFlowControl() throws Exception {
        byte[] content = new byte[1_000_000];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i * 7);
        }
        Path path = Files.createTempFile("al-sendfile", ".bin");
        Files.write(path, content);
        try (FileChannel file = FileChannel.open(path, StandardOpenOption.READ)) {
            Sink sink = new Sink();
            Server server = loop.runUntilComplete(loop.createServer(() -> sink, "127.0.0.1", 0));
            int port = ((InetSocketAddress) server.sockets().getFirst().getLocalAddress()).getPort();
            Protocol original = new Protocol() { };
            Connection<Protocol> c = loop.runUntilComplete(loop.createConnection(() -> original, "127.0.0.1", port));
            c.transport().setWriteBufferLimits(4096, 1024);
            long sent = loop.runUntilComplete(Sendfile.fallback(loop, c.transport(), file, 10, content.length));
            assertEquals(content.length - 10, sent);
            assertEquals(content.length, file.position());
            assertEquals(original, c.transport().getProtocol(), "the original protocol is restored");
            assertTrue(c.transport().isReading(), "reading is resumed");
            loop.runUntilComplete(() -> {
                while (sink.got.size() < content.length - 10) {
                    Async.sleep(java.time.Duration.ofMillis(5));
                }
                return null;
            });
            assertArrayEquals(java.util.Arrays.copyOfRange(content, 10, content.length), sink.got.toByteArray());
            c.transport().close();
            server.close();
            Future<Void> closed = server.waitClosed();
            loop.runUntilComplete(closed);
        } finally {
            Files.delete(path);
        }
    }

    @Test
    void unixServerOptionsDefaultToCleanup() {
        assertTrue(ServerOptions.defaults().cleanupSocket());
        assertFalse(ServerOptions.builder().cleanupSocket(false).build().cleanupSocket());
    }
}
