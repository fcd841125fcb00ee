package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.Future;
import dev.asyncloop.Protocol;
import dev.asyncloop.StreamTransport;
import dev.asyncloop.TlsOptions;
import dev.asyncloop.Transport;
import dev.asyncloop.testsupport.TlsTestContexts;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The TLS layer over a transport that is no socket ({@link MemoryTransport}), with the ciphertext cut into tiny
 * pieces: every record arrives in several reads (BUFFER_UNDERFLOW) and several records in one read.
 */
class TlsLayerTest {
    /** Records what it gets; echoes when asked. */
    // not the toolkit's DataRecorder: one "data" for a run of reads, so that the events do not depend on the pieces
    static class Recorder implements Protocol {
        final List<String> events = new ArrayList<>();
        final ByteArrayOutputStream data = new ByteArrayOutputStream();
        Transport transport;
        Throwable lostWith;

        @Override
        public void connectionMade(Transport transport) {
            this.transport = transport;
            events.add("made");
        }

        @Override
        public void dataReceived(ByteBuffer bytes) {
            byte[] b = new byte[bytes.remaining()];
            bytes.get(b);
            data.writeBytes(b);
            if (events.isEmpty() || !events.getLast().equals("data")) {
                events.add("data");
            }
        }

        @Override
        public boolean eofReceived() {
            events.add("eof");
            return false;
        }

        @Override
        public void connectionLost(Throwable exception) {
            lostWith = exception;
            events.add("lost");
        }
    }

    private static SSLContext[] contexts() throws Exception {
        return TlsTestContexts.contexts("TLS");
    }

    @ParameterizedTest(name = "pieces of {0} bytes")
    @ValueSource(ints = {1, 7, 1000, 100_000})
    void handshakeDataAndCloseOverAnyTransport(int piece) throws Exception {
        SSLContext[] ctx = contexts();
        byte[] big = new byte[60_000];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31 + (i >> 9));
        }
        try (ReadinessEventLoop loop = SelectorLoops.newLoop()) {
            MemoryTransport[] ends = MemoryTransport.pair(loop, piece);
            Recorder server = new Recorder();
            Recorder client = new Recorder();
            Future<StreamTransport> serverDone = loop.createFuture();
            Future<StreamTransport> clientDone = loop.createFuture();
            ends[0].start(TlsLayer.wrap(loop, server, ctx[0], TlsOptions.server(), serverDone));
            ends[1].start(TlsLayer.wrap(loop, client, ctx[1], TlsOptions.client("localhost"), clientDone));
            StreamTransport c = loop.runUntilComplete(clientDone);
            c.write(big);
            c.write(ByteBuffer.wrap("tail".getBytes()));
            loop.runUntilComplete(serverDone);
            long end = System.nanoTime() + 20_000_000_000L;
            while (server.data.size() < big.length + 4 && System.nanoTime() < end) {
                loop.runUntilComplete(loop.createTask(() -> {
                    dev.asyncloop.Async.sleep(java.time.Duration.ofMillis(1));
                    return null;
                }));
            }
            byte[] expected = new byte[big.length + 4];
            System.arraycopy(big, 0, expected, 0, big.length);
            System.arraycopy("tail".getBytes(), 0, expected, big.length, 4);
            assertArrayEquals(expected, server.data.toByteArray(), "every byte, in order, with pieces of " + piece);
            assertInstanceOf(SSLEngine.class, c.getExtraInfo(Transport.SSL_OBJECT).orElse(null));
            c.close();
            end = System.nanoTime() + 20_000_000_000L;
            while ((!client.events.contains("lost") || !server.events.contains("lost")) && System.nanoTime() < end) {
                loop.runUntilComplete(loop.createTask(() -> {
                    dev.asyncloop.Async.sleep(java.time.Duration.ofMillis(1));
                    return null;
                }));
            }
            assertEquals(List.of("made", "data", "eof", "lost"), server.events, "the server's view of the close");
            assertEquals(List.of("made", "lost"), client.events, "the closing client's view");
            assertNull(server.lostWith);
            assertNull(client.lostWith);
            assertTrue(((SSLEngine) server.transport.getExtraInfo(Transport.SSL_OBJECT).get()).isInboundDone(),
                    "the server's engine got close_notify");
        }
    }

    static void runUntil(ReadinessEventLoop loop, java.util.function.BooleanSupplier done) {
        long end = System.nanoTime() + 20_000_000_000L;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() >= end) {
                throw new AssertionError("the condition did not hold within 20 s");
            }
            loop.runUntilComplete(loop.createTask(() -> {
                dev.asyncloop.Async.sleep(java.time.Duration.ofMillis(1));
                return null;
            }));
        }
    }

    @ParameterizedTest(name = "pieces of {0} bytes")
    @ValueSource(ints = {5, 100_000})
    void writesDuringARenegotiationWaitForIt(int piece) throws Exception {
        SSLContext[] ctx = TlsTestContexts.contexts("TLSv1.2");
        try (ReadinessEventLoop loop = SelectorLoops.newLoop()) {
            MemoryTransport[] ends = MemoryTransport.pair(loop, piece);
            Recorder server = new Recorder();
            Recorder client = new Recorder();
            Future<StreamTransport> clientDone = loop.createFuture();
            ends[0].start(TlsLayer.wrap(loop, server, ctx[0], TlsOptions.server(), null));
            ends[1].start(TlsLayer.wrap(loop, client, ctx[1], TlsOptions.client("localhost"), clientDone));
            StreamTransport c = loop.runUntilComplete(clientDone);
            c.write(ByteBuffer.wrap("before".getBytes()));
            runUntil(loop, () -> server.data.size() >= 6);
            SSLEngine engine = (SSLEngine) c.getExtraInfo(Transport.SSL_OBJECT).orElseThrow();
            assertEquals("TLSv1.2", engine.getSession().getProtocol());
            engine.beginHandshake();
            c.write(ByteBuffer.wrap("-during".getBytes()));
            c.write(ByteBuffer.wrap("-after".getBytes()));
            runUntil(loop, () -> server.data.size() >= 19);
            assertEquals("before-during-after", server.data.toString(java.nio.charset.StandardCharsets.US_ASCII),
                    "writes made while the engine renegotiates are held, then sent in order");
            assertEquals(javax.net.ssl.SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING, engine.getHandshakeStatus());
            ((StreamTransport) server.transport).write(ByteBuffer.wrap("reply".getBytes()));
            runUntil(loop, () -> client.data.size() >= 5);
            assertEquals("reply", client.data.toString(java.nio.charset.StandardCharsets.US_ASCII));
            c.close();
            runUntil(loop, () -> client.events.contains("lost") && server.events.contains("lost"));
            assertEquals(List.of("made", "data", "lost"), client.events);
        }
    }

    /** A buffered protocol with a tiny buffer, so every decrypted record is handed over in many pieces. */
    static final class TinyBuffers implements dev.asyncloop.BufferedProtocol {
        final ByteArrayOutputStream data = new ByteArrayOutputStream();
        final ByteBuffer buffer = ByteBuffer.allocate(5);
        int updates;

        @Override
        public ByteBuffer getBuffer(int sizeHint) {
            buffer.clear();
            return buffer;
        }

        @Override
        public void bufferUpdated(int nbytes) {
            updates++;
            data.write(buffer.array(), 0, nbytes);
        }
    }

    @org.junit.jupiter.api.Test
    void aBufferedProtocolGetsTheBytesThroughItsOwnBuffer() throws Exception {
        SSLContext[] ctx = contexts();
        try (ReadinessEventLoop loop = SelectorLoops.newLoop()) {
            MemoryTransport[] ends = MemoryTransport.pair(loop, 100_000);
            TinyBuffers server = new TinyBuffers();
            Recorder client = new Recorder();
            Future<StreamTransport> clientDone = loop.createFuture();
            ends[0].start(TlsLayer.wrap(loop, server, ctx[0], TlsOptions.server(), null));
            ends[1].start(TlsLayer.wrap(loop, client, ctx[1], TlsOptions.client("localhost"), clientDone));
            StreamTransport c = loop.runUntilComplete(clientDone);
            byte[] message = "a message longer than the protocol's five-byte buffer".getBytes();
            c.write(ByteBuffer.wrap(message));
            runUntil(loop, () -> server.data.size() >= message.length);
            assertArrayEquals(message, server.data.toByteArray());
            assertTrue(server.updates >= message.length / 5, "bufferUpdated once per filled buffer");
            c.close();
            runUntil(loop, () -> client.events.contains("lost"));
        }
    }
}
