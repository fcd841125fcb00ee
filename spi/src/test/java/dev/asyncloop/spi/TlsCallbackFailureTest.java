package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.BufferedProtocol;
import dev.asyncloop.ExceptionContext;
import dev.asyncloop.Future;
import dev.asyncloop.Protocol;
import dev.asyncloop.StreamTransport;
import dev.asyncloop.TlsOptions;
import dev.asyncloop.Transport;
import dev.asyncloop.testsupport.CapturedLog;
import dev.asyncloop.testsupport.TlsTestContexts;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The application protocol's callbacks throwing (or misbehaving) under TLS, over an in-memory connection: each is
 * reported with the callback's name, the connection is aborted, and the application's connectionLost gets the
 * exception, as on a plain socket transport.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TlsCallbackFailureTest {
    private final ReadinessEventLoop loop = SelectorLoops.newLoop();
    private final List<ExceptionContext> reports = new ArrayList<>();
    private final IllegalStateException boom = new IllegalStateException("boom");
    private SSLContext[] ctx;

    @BeforeEach
    void setUp() throws Exception {
        ctx = TlsTestContexts.contexts("TLS");
        loop.setExceptionHandler((l, context) -> reports.add(context));
    }

    @AfterEach
    void tearDown() {
        loop.close();
    }

    /** A TLS client and server over memory; {@code server}'s handshake future is returned (it may fail). */
    private Future<StreamTransport> connect(Protocol server, Protocol client, Future<StreamTransport> clientDone) {
        MemoryTransport[] ends = MemoryTransport.pair(loop, 100_000);
        Future<StreamTransport> serverDone = loop.createFuture();
        ends[0].start(TlsLayer.wrap(loop, server, ctx[0], TlsOptions.server(), serverDone));
        ends[1].start(TlsLayer.wrap(loop, client, ctx[1], TlsOptions.client("localhost"), clientDone));
        return serverDone;
    }

    private Future<StreamTransport> connected(Protocol server, TlsLayerTest.Recorder client) {
        Future<StreamTransport> clientDone = loop.createFuture();
        Future<StreamTransport> serverDone = connect(server, client, clientDone);
        loop.runUntilComplete(serverDone);
        loop.runUntilComplete(clientDone);
        return clientDone;
    }

    private static ByteBuffer text(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    private void assertOneReport(String message, Throwable e, Protocol protocol) {
        assertEquals(1, reports.size(), reports.toString());
        assertEquals(message, reports.getFirst().message());
        assertSame(e, reports.getFirst().exception().orElseThrow());
        assertSame(protocol, reports.getFirst().protocol().orElseThrow(), "the application's protocol is named");
    }

    @Test
    void anApplicationConnectionMadeThatThrowsFailsTheHandshakeFutureAndAbortsTheConnection() {
        Protocol client = new Protocol() {
            @Override
            public void connectionMade(Transport transport) {
                throw boom;
            }
        };
        TlsLayerTest.Recorder server = new TlsLayerTest.Recorder();
        Future<StreamTransport> clientDone = loop.createFuture();
        connect(server, client, clientDone);
        try {
            loop.runUntilComplete(clientDone);
        } catch (RuntimeException expected) {
            // read from the future below
        }
        assertSame(boom, clientDone.exception().orElseThrow(), "the caller gets the protocol's exception");
        assertOneReport("Fatal error: protocol.connectionMade() call failed.", boom, client);
        TlsLayerTest.runUntil(loop, () -> server.events.contains("lost"));
        assertEquals("lost", server.events.getLast(), "the server's connection ends");
    }

    @Test
    void anApplicationDataReceivedThatThrowsIsReportedAndEndsTheConnectionWithIt() {
        List<Throwable> lost = new ArrayList<>();
        Protocol server = new Protocol() {
            @Override
            public void dataReceived(ByteBuffer data) {
                throw boom;
            }

            @Override
            public void connectionLost(@Nullable Throwable exception) {
                lost.add(exception);
            }
        };
        TlsLayerTest.Recorder client = new TlsLayerTest.Recorder();
        connected(server, client).result().write(text("hello"));
        TlsLayerTest.runUntil(loop, () -> !lost.isEmpty() && client.events.contains("lost"));
        assertOneReport("Fatal error: protocol.dataReceived() call failed.", boom, server);
        assertEquals(List.of(boom), lost, "connectionLost gets the callback's exception");
    }

    @Test
    void aBufferedApplicationThatGivesNoBufferIsReportedAsGetBufferFailing() {
        List<Throwable> lost = new ArrayList<>();
        BufferedProtocol server = new BufferedProtocol() {
            @Override
            public ByteBuffer getBuffer(int sizeHint) {
                return ByteBuffer.allocate(0);
            }

            @Override
            public void bufferUpdated(int nbytes) {
                throw new AssertionError("no buffer was given");
            }

            @Override
            public void connectionLost(@Nullable Throwable exception) {
                lost.add(exception);
            }
        };
        TlsLayerTest.Recorder client = new TlsLayerTest.Recorder();
        connected(server, client).result().write(text("hello"));
        TlsLayerTest.runUntil(loop, () -> !lost.isEmpty());
        assertEquals(1, reports.size(), reports.toString());
        // the same words as the plain socket and pipe transports use for the same mistake
        assertEquals("Fatal error: protocol.getBuffer() call failed.", reports.getFirst().message());
        Throwable e = reports.getFirst().exception().orElseThrow();
        assertInstanceOf(IllegalStateException.class, e);
        assertEquals("getBuffer() returned a full buffer; return a buffer with room left", e.getMessage());
        assertEquals(List.of(e), lost);
    }

    @Test
    void anApplicationEofReceivedThatThrowsIsReportedAndConnectionLostGetsIt() {
        List<String> events = new ArrayList<>();
        Protocol server = new Protocol() {
            @Override
            public boolean eofReceived() {
                events.add("eof");
                throw boom;
            }

            @Override
            public void connectionLost(@Nullable Throwable exception) {
                events.add("lost " + exception);
            }
        };
        TlsLayerTest.Recorder client = new TlsLayerTest.Recorder();
        connected(server, client).result().close();
        TlsLayerTest.runUntil(loop, () -> events.size() == 2);
        assertEquals(List.of("eof", "lost " + boom), events);
        assertOneReport("Error calling eofReceived()", boom, server);
    }

    @Test
    void anApplicationEofReceivedReturningTrueIsWarnedAboutAndTheConnectionStillCloses() {
        try (CapturedLog log = CapturedLog.start()) {
            List<String> events = new ArrayList<>();
            Protocol server = new Protocol() {
                @Override
                public boolean eofReceived() {
                    events.add("eof");
                    return true;
                }

                @Override
                public void connectionLost(@Nullable Throwable exception) {
                    events.add("lost " + exception);
                }
            };
            TlsLayerTest.Recorder client = new TlsLayerTest.Recorder();
            connected(server, client).result().close();
            TlsLayerTest.runUntil(loop, () -> events.size() == 2 && client.events.contains("lost"));
            assertEquals(List.of("eof", "lost null"), events, "TLS closes after EOF whatever eofReceived says");
            assertTrue(log.records().stream().anyMatch(r -> r.getLevel() == Level.WARNING
                    && r.getMessage().equals("returning true from eofReceived() has no effect when using TLS")),
                    "asyncio's warning, got " + log.records());
            assertEquals(List.of(), reports);
        }
    }

    @Test
    void anApplicationPauseOrResumeWritingThatThrowsIsReportedAndTheConnectionStaysUp() {
        List<String> events = new ArrayList<>();
        IllegalStateException pauseFailure = new IllegalStateException("pause");
        IllegalStateException resumeFailure = new IllegalStateException("resume");
        TlsLayerTest.Recorder server = new TlsLayerTest.Recorder();
        Protocol client = new Protocol() {
            @Override
            public void pauseWriting() {
                events.add("pause");
                throw pauseFailure;
            }

            @Override
            public void resumeWriting() {
                events.add("resume");
                throw resumeFailure;
            }

            @Override
            public void connectionLost(@Nullable Throwable exception) {
                events.add("lost");
            }
        };
        MemoryTransport[] ends = MemoryTransport.pair(loop, 100_000);
        Future<StreamTransport> serverDone = loop.createFuture();
        Future<StreamTransport> clientDone = loop.createFuture();
        ends[0].start(TlsLayer.wrap(loop, server, ctx[0], TlsOptions.server(), serverDone));
        BufferedProtocol tls = TlsLayer.wrap(loop, client, ctx[1], TlsOptions.client("localhost"), clientDone);
        ends[1].start(tls);
        loop.runUntilComplete(serverDone);
        StreamTransport app = loop.runUntilComplete(clientDone);

        tls.pauseWriting(); // the raw transport went over its high-water mark
        tls.resumeWriting(); // and drained below its low-water mark
        assertEquals(List.of("pause", "resume"), events);
        assertEquals(2, reports.size(), reports.toString());
        assertEquals("protocol.pauseWriting() failed", reports.get(0).message());
        assertSame(pauseFailure, reports.get(0).exception().orElseThrow());
        assertEquals("protocol.resumeWriting() failed", reports.get(1).message());
        assertSame(resumeFailure, reports.get(1).exception().orElseThrow());

        app.write(text("still up"));
        TlsLayerTest.runUntil(loop, () -> server.data.size() == 8);
        assertEquals("still up", server.data.toString(StandardCharsets.UTF_8));
        assertFalse(app.isClosing());
    }
}
