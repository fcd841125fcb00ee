package dev.asyncloop.spi;

import static dev.asyncloop.testsupport.TlsTestContexts.contexts;
import static dev.asyncloop.spi.TlsLayerTest.runUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.BufferedProtocol;
import dev.asyncloop.Future;
import dev.asyncloop.StreamTransport;
import dev.asyncloop.TlsOptions;
import dev.asyncloop.Transport;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The TLS layer against asyncio's {@code sslproto} (3.11+) and {@code test_sslproto.py}, over {@link MemoryTransport}
 * (deterministic: no sockets, no timing).
 */
class TlsAsyncioConformanceTest {

    /**
     * asyncio's {@code _do_read__buffered} stops handing plaintext to a buffered protocol once it pauses reading
     * and hands the rest on after {@code resume_reading}; a record larger than the protocol's buffer must neither
     * be pushed into a paused protocol nor break the connection.
     */
    @Test
    void aBufferedProtocolThatPausesGetsNoMoreUntilItResumes() throws Exception {
        SSLContext[] ctx = contexts("TLS");
        byte[] message = new byte[10_000];
        for (int i = 0; i < message.length; i++) {
            message[i] = (byte) (i * 7 + (i >> 8));
        }
        try (ReadinessEventLoop loop = SelectorLoops.newLoop()) {
            List<String> reports = new ArrayList<>();
            loop.setExceptionHandler((l, c) -> reports.add(c.message()));
            MemoryTransport[] ends = MemoryTransport.pair(loop, 100_000);
            BoundedBuffer server = new BoundedBuffer(1000);
            TlsLayerTest.Recorder client = new TlsLayerTest.Recorder();
            Future<StreamTransport> clientDone = loop.createFuture();
            Future<StreamTransport> serverDone = loop.createFuture();
            ends[0].start(TlsLayer.wrap(loop, server, ctx[0], TlsOptions.server(), serverDone));
            ends[1].start(TlsLayer.wrap(loop, client, ctx[1], TlsOptions.client("localhost"), clientDone));
            StreamTransport c = loop.runUntilComplete(clientDone);
            loop.runUntilComplete(serverDone);
            c.write(ByteBuffer.wrap(message));
            runUntil(loop, () -> !server.transport.isReading() || !server.events.equals(List.of("made")));
            // Let a few iterations pass: nothing more may arrive while paused.
            for (int i = 0; i < 20; i++) {
                loop.runUntilComplete(loop.createTask(() -> null));
            }
            assertEquals(List.of(), reports, "nothing is reported");
            assertEquals(List.of("made"), server.events, "the connection stays up while the protocol is paused");
            assertEquals(0, server.updatesWhilePaused, "no bufferUpdated while paused");
            assertEquals(1000, server.buffer.position(), "exactly one buffer's worth before the pause");
            while (server.data.size() + server.buffer.position() < message.length
                    && server.events.equals(List.of("made"))) {
                server.drain();
                server.transport.resumeReading();
                runUntil(loop, () -> !server.transport.isReading() || !server.events.equals(List.of("made"))
                        || server.data.size() + server.buffer.position() >= message.length);
            }
            server.drain();
            server.transport.resumeReading();
            assertEquals(List.of("made"), server.events);
            assertEquals(0, server.updatesWhilePaused, "no bufferUpdated while paused");
            assertTrue(java.util.Arrays.equals(message, server.data.toByteArray()), "every byte, in order");
            c.close();
            runUntil(loop, () -> client.events.contains("lost") && server.events.contains("lost"));
            assertEquals(List.of("made", "eof", "lost"), server.events);
            assertNull(server.lostWith);
            assertEquals(List.of(), reports);
        }
    }

    /**
     * asyncio's gh-118950 (3.13): the TLS transport is closing as soon as the transport under it is, before the
     * loss reaches the TLS layer, so that a protocol checking {@code isClosing()} between its writes stops writing
     * into a connection that is gone.
     */
    @Test
    void theTlsTransportIsClosingOnceTheTransportUnderItIs() throws Exception {
        SSLContext[] ctx = contexts("TLS");
        try (ReadinessEventLoop loop = SelectorLoops.newLoop()) {
            List<String> reports = new ArrayList<>();
            loop.setExceptionHandler((l, c) -> reports.add(c.message()));
            MemoryTransport[] ends = MemoryTransport.pair(loop, 100_000);
            TlsLayerTest.Recorder server = new TlsLayerTest.Recorder();
            TlsLayerTest.Recorder client = new TlsLayerTest.Recorder();
            Future<StreamTransport> clientDone = loop.createFuture();
            Future<StreamTransport> serverDone = loop.createFuture();
            ends[0].start(TlsLayer.wrap(loop, server, ctx[0], TlsOptions.server(), serverDone));
            ends[1].start(TlsLayer.wrap(loop, client, ctx[1], TlsOptions.client("localhost"), clientDone));
            StreamTransport c = loop.runUntilComplete(clientDone);
            loop.runUntilComplete(serverDone);
            assertFalse(c.isClosing());
            ends[1].abort();   // the connection under TLS ends; connectionLost is still to come
            assertTrue(c.isClosing(), "closing as the transport under it is");
            runUntil(loop, () -> client.events.contains("lost"));
            assertTrue(c.isClosing());
            assertEquals(List.of("made", "lost"), client.events);
        }
    }

    /** Answers in {@code eofReceived}, as a request/response protocol that reads until EOF does. */
    static final class AnswersAtEof extends TlsLayerTest.Recorder {
        @Override
        public boolean eofReceived() {
            super.eofReceived();
            ((StreamTransport) transport).write(ByteBuffer.wrap("bye".getBytes()));
            return false;
        }
    }

    /**
     * The peer's {@code close_notify}: asyncio calls {@code eof_received}, then shuts down cleanly; a write made
     * in {@code eof_received} is accepted (and with TLS 1.2, where the closed connection cannot carry it, dropped)
     * without turning the clean close into an error.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void aWriteInEofReceivedDoesNotTurnTheCleanCloseIntoAnError(String protocol) throws Exception {
        SSLContext[] ctx = contexts(protocol);
        try (ReadinessEventLoop loop = SelectorLoops.newLoop()) {
            List<String> reports = new ArrayList<>();
            loop.setExceptionHandler((l, c) -> reports.add(c.message()));
            MemoryTransport[] ends = MemoryTransport.pair(loop, 100_000);
            AnswersAtEof server = new AnswersAtEof();
            TlsLayerTest.Recorder client = new TlsLayerTest.Recorder();
            Future<StreamTransport> clientDone = loop.createFuture();
            ends[0].start(TlsLayer.wrap(loop, server, ctx[0], TlsOptions.server(), null));
            ends[1].start(TlsLayer.wrap(loop, client, ctx[1], TlsOptions.client("localhost"), clientDone));
            StreamTransport c = loop.runUntilComplete(clientDone);
            c.write(ByteBuffer.wrap("request".getBytes()));
            runUntil(loop, () -> server.data.size() >= 7);
            c.close();
            runUntil(loop, () -> client.events.contains("lost") && server.events.contains("lost"));
            assertEquals(List.of("made", "data", "eof", "lost"), server.events);
            assertNull(server.lostWith, "a clean close, not an error: " + server.lostWith);
            assertNull(client.lostWith);
            assertEquals(List.of(), reports);
        }
    }
    /**
     * asyncio 3.11+ runs {@code start_tls} over a TLS transport (TLS in TLS, {@code test_start_tls_*} over SSL):
     * the inner connection's records travel as the outer connection's data, both ways, and both close cleanly.
     */
    @ParameterizedTest(name = "pieces of {0} bytes")
    @ValueSource(ints = {3, 100_000})
    void startTlsOverATlsTransport(int piece) throws Exception {
        SSLContext[] ctx = contexts("TLS");
        try (ReadinessEventLoop loop = SelectorLoops.newLoop()) {
            List<String> reports = new ArrayList<>();
            loop.setExceptionHandler((l, c) -> reports.add(c.message() + " " + c.exception().orElse(null)));
            MemoryTransport[] ends = MemoryTransport.pair(loop, piece);
            TlsLayerTest.Recorder server = new TlsLayerTest.Recorder();
            TlsLayerTest.Recorder client = new TlsLayerTest.Recorder();
            Future<StreamTransport> serverDone = loop.createFuture();
            Future<StreamTransport> clientDone = loop.createFuture();
            ends[0].start(TlsLayer.wrap(loop, server, ctx[0], TlsOptions.server(), serverDone));
            ends[1].start(TlsLayer.wrap(loop, client, ctx[1], TlsOptions.client("localhost"), clientDone));
            StreamTransport outerClient = loop.runUntilComplete(clientDone);
            StreamTransport outerServer = loop.runUntilComplete(serverDone);
            Future<StreamTransport> innerServer = TlsLayer.startTls(loop, outerServer, server, ctx[0],
                    TlsOptions.server());
            Future<StreamTransport> innerClient = TlsLayer.startTls(loop, outerClient, client, ctx[1],
                    TlsOptions.client("localhost"));
            StreamTransport c = loop.runUntilComplete(innerClient);
            StreamTransport s = loop.runUntilComplete(innerServer);
            c.write(ByteBuffer.wrap("ping".getBytes()));
            s.write(ByteBuffer.wrap("pong".getBytes()));
            runUntil(loop, () -> server.data.size() >= 4 && client.data.size() >= 4);
            assertEquals("ping", server.data.toString(java.nio.charset.StandardCharsets.US_ASCII));
            assertEquals("pong", client.data.toString(java.nio.charset.StandardCharsets.US_ASCII));
            c.close();
            runUntil(loop, () -> client.events.contains("lost") && server.events.contains("lost"));
            assertEquals(List.of("made", "data", "eof", "lost"), server.events);
            assertNull(server.lostWith);
            assertNull(client.lostWith);
            assertEquals(List.of(), reports);
        }
    }
    /** Writes once more from {@code pauseWriting}, which a protocol may do (the write is buffered). */
    static final class WritesWhenPaused extends TlsLayerTest.Recorder {
        int pauses;

        @Override
        public void pauseWriting() {
            pauses++;
            ((StreamTransport) transport).write(ByteBuffer.wrap("B".getBytes()));
        }
    }

    /**
     * asyncio's TLS layer tells the application to pause only after a write has been wrapped and handed on
     * ({@code _process_outgoing}, then {@code _control_app_writing}); a raw transport that pauses the layer in the
     * middle of a large write must not let a write from {@code pauseWriting} cut into it.
     */
    @Test
    void aWriteFromPauseWritingComesAfterTheWriteThatPaused() throws Exception {
        SSLContext[] ctx = contexts("TLS");
        byte[] big = new byte[40_000];
        java.util.Arrays.fill(big, (byte) 'A');
        try (ReadinessEventLoop loop = SelectorLoops.newLoop()) {
            List<String> reports = new ArrayList<>();
            loop.setExceptionHandler((l, c) -> reports.add(c.message() + " " + c.exception().orElse(null)));
            MemoryTransport[] ends = MemoryTransport.pair(loop, 100_000);
            TlsLayerTest.Recorder server = new TlsLayerTest.Recorder();
            WritesWhenPaused client = new WritesWhenPaused();
            Future<StreamTransport> clientDone = loop.createFuture();
            ends[0].start(TlsLayer.wrap(loop, server, ctx[0], TlsOptions.server(), null));
            ends[1].start(TlsLayer.wrap(loop, client, ctx[1], TlsOptions.client("localhost"), clientDone));
            StreamTransport c = loop.runUntilComplete(clientDone);
            ends[1].pauseProtocolOnNextWrite = true;
            c.write(ByteBuffer.wrap(big));
            runUntil(loop, () -> server.data.size() >= big.length + 1 || !reports.isEmpty());
            assertEquals(List.of(), reports);
            assertEquals(1, client.pauses);
            byte[] expected = java.util.Arrays.copyOf(big, big.length + 1);
            expected[big.length] = 'B';
            assertTrue(java.util.Arrays.equals(expected, server.data.toByteArray()),
                    "the write made in pauseWriting must follow the whole write that caused the pause");
            c.close();
            runUntil(loop, () -> client.events.contains("lost"));
        }
    }
}
