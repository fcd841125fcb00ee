package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.ConnectOptions;
import dev.asyncloop.Connection;
import dev.asyncloop.Future;
import dev.asyncloop.Protocol;
import dev.asyncloop.Server;
import dev.asyncloop.ServerOptions;
import dev.asyncloop.StreamTransport;
import dev.asyncloop.Tasks;
import dev.asyncloop.Transport;
import dev.asyncloop.testsupport.TlsTestContexts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sendfile} on a TLS transport, which cannot hand the file to the kernel: asyncio's fallback reads the
 * file in blocks and writes them with the transport's flow control, then gives the transport back to its
 * protocol; a connection lost meanwhile fails the sendfile and reaches the protocol.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SendfileOverTlsTest {
    private static final Duration BOUND = Duration.ofSeconds(20);

    private final ReadinessEventLoop loop = SelectorLoops.newLoop();
    private final List<Server> servers = new ArrayList<>();
    private SSLContext[] ctx;
    @TempDir
    Path dir;

    @BeforeEach
    void setUp() throws Exception {
        ctx = TlsTestContexts.contexts("TLS");
    }

    @AfterEach
    void tearDown() {
        servers.forEach(Server::close);
        loop.close();
    }

    /** The server's side: collects what it reads, and may act on the first bytes. */
    private static final class Sink implements Protocol {
        final ByteArrayOutputStream got = new ByteArrayOutputStream();
        final Consumer<StreamTransport> onData;
        StreamTransport transport;

        Sink(Consumer<StreamTransport> onData) {
            this.onData = onData;
        }

        @Override
        public void connectionMade(Transport t) {
            transport = (StreamTransport) t;
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            got.writeBytes(b);
            onData.accept(transport);
        }
    }

    /** The client's own protocol, which sendfile stands in for and must give the transport back to. */
    private static final class Client implements Protocol {
        final List<String> events = new ArrayList<>();
        final ByteArrayOutputStream got = new ByteArrayOutputStream();

        @Override
        public void dataReceived(ByteBuffer data) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            got.writeBytes(b);
            events.add("data");
        }

        @Override
        public void connectionLost(@Nullable Throwable exception) {
            events.add("lost " + exception);
        }
    }

    private Connection<Client> connect(Sink sink) throws IOException {
        Server server = loop.runUntilComplete(loop.createServer(() -> sink, "127.0.0.1", 0,
                ServerOptions.builder().ssl(ctx[0]).build()));
        servers.add(server);
        int port = ((InetSocketAddress) server.sockets().getFirst().getLocalAddress()).getPort();
        return loop.runUntilComplete(loop.createConnection(Client::new, "127.0.0.1", port,
                ConnectOptions.builder().ssl(ctx[1]).serverHostname("localhost").build()));
    }

    private static SocketChannel socketOf(StreamTransport transport) {
        return (SocketChannel) transport.getExtraInfo(Transport.SOCKET).orElseThrow();
    }

    private Path file(int size) throws IOException {
        byte[] content = new byte[size];
        new SplittableRandom(size).nextBytes(content);
        return Files.write(dir.resolve("f" + size), content);
    }

    private void runUntil(java.util.function.BooleanSupplier condition) {
        TlsLayerTest.runUntil(loop, condition);
        assertTrue(condition.getAsBoolean(), "the condition did not come true in time");
    }

    @Test
    void aFileLargerThanTheWriteBufferWaitsForTheDrainArrivesWholeAndTheProtocolGetsTheTransportBack()
            throws IOException {
        int size = 4 * 1024 * 1024 + 123;
        Sink sink = new Sink(t -> { });
        Connection<Client> c = connect(sink);
        StreamTransport transport = c.transport();
        transport.setWriteBufferLimits(64 * 1024, 16 * 1024);
        runUntil(() -> sink.transport != null);
        // Fixed kernel buffers (no autotuning), far smaller than the file, whatever the host's tcp_wmem says.
        socketOf(transport).setOption(StandardSocketOptions.SO_SNDBUF, 64 * 1024);
        socketOf(sink.transport).setOption(StandardSocketOptions.SO_RCVBUF, 64 * 1024);
        sink.transport.pauseReading(); // the peer stops reading: the kernel's buffers fill, then the transport's
        Path path = file(size);
        try (FileChannel in = FileChannel.open(path, StandardOpenOption.READ)) {
            Future<Long> sending = loop.sendfile(transport, in, 0);
            runUntil(() -> transport.getWriteBufferSize() > 64 * 1024 || sending.isDone());
            assertFalse(sending.isDone(), "the transfer waits for the buffer to drain below its low-water mark");
            assertTrue(transport.getWriteBufferSize() < 64 * 1024 + 2 * Sendfile.FALLBACK_BLOCK,
                    "no block is written while the transport is over its high-water mark: "
                            + transport.getWriteBufferSize());
            sink.transport.resumeReading();
            long sent = loop.runUntilComplete(() -> Tasks.waitFor(sending, BOUND));
            assertEquals(size, sent);
            assertEquals(size, in.position(), "the file's position moves past what was sent, as asyncio's");
            runUntil(() -> sink.got.size() == size);
            assertArrayEquals(Files.readAllBytes(path), sink.got.toByteArray(), "every byte, in order");
            assertSame(c.protocol(), transport.getProtocol(), "the protocol has its transport back");
            assertTrue(transport.isReading(), "reading resumed");
            sink.transport.write(StandardCharsets.UTF_8.encode("ack"));
            runUntil(() -> c.protocol().got.size() == 3);
            assertEquals("ack", c.protocol().got.toString(StandardCharsets.UTF_8));
        }
        transport.close();
    }

    @Test
    void aConnectionLostDuringTheTransferFailsTheSendfileAndReachesTheProtocol() throws IOException {
        Sink sink = new Sink(StreamTransport::abort); // the peer goes away at the first bytes
        Connection<Client> c = connect(sink);
        StreamTransport transport = c.transport();
        transport.setWriteBufferLimits(8 * 1024, 1024);
        try (FileChannel in = FileChannel.open(file(4 * 1024 * 1024), StandardOpenOption.READ)) {
            Future<Long> sending = loop.sendfile(transport, in, 0);
            try {
                loop.runUntilComplete(() -> Tasks.waitFor(sending, BOUND));
            } catch (RuntimeException expected) {
                // read from the future below
            }
            Throwable e = sending.exception().orElseThrow(() -> new AssertionError("sent " + sending.result()));
            assertInstanceOf(IOException.class, e, "the transfer fails with the connection's end, was " + e);
            runUntil(() -> !c.protocol().events.isEmpty());
            assertEquals(1, c.protocol().events.size(), c.protocol().events.toString());
            assertTrue(c.protocol().events.getFirst().startsWith("lost "), c.protocol().events.toString());
            assertSame(c.protocol(), transport.getProtocol(), "the protocol has its transport back");
        }
    }
}
