package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.Async;
import dev.asyncloop.BufferedProtocol;
import dev.asyncloop.Connection;
import dev.asyncloop.ExceptionContext;
import dev.asyncloop.Future;
import dev.asyncloop.Protocol;
import dev.asyncloop.StreamTransport;
import dev.asyncloop.Tasks;
import dev.asyncloop.Transport;
import dev.asyncloop.testsupport.DataRecorder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The read side of asyncio 3.12–3.13's {@code _SelectorSocketTransport} ({@code _read_ready__data_received},
 * {@code _read_ready__get_buffer}, {@code _read_ready__on_eof}, {@code set_protocol}, pause/resume) and
 * {@code protocols._feed_data_to_buffered_proto}, on a transport whose peer is a plain blocking channel of the
 * test (asyncio's SelectorSocketTransportTests, SelectorSocketTransportBufferedProtocolTests, test_buffered_proto).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ReadSideAsyncioConformanceTest extends LoopbackPeerFixture {
    /** A buffered protocol handing out {@code buffer} and recording the size hints and updates. */
    static class Buffered extends DataRecorder implements BufferedProtocol {
        final List<Integer> hints = new ArrayList<>();
        ByteBuffer buffer = ByteBuffer.allocate(64);
        int start;

        Buffered(ReadinessEventLoop loop) {
            super(loop);
        }

        @Override
        public ByteBuffer getBuffer(int sizeHint) {
            hints.add(sizeHint);
            start = buffer == null ? 0 : buffer.position();
            return buffer;
        }

        /** The interface's copy through getBuffer/bufferUpdated, not the recorder's. */
        @Override
        public void dataReceived(ByteBuffer data) {
            BufferedProtocol.super.dataReceived(data);
        }

        @Override
        public void bufferUpdated(int nbytes) {
            record("updated");
            byte[] b = new byte[nbytes];
            buffer.get(start, b);
            keep(b);
            if (!buffer.hasRemaining()) {
                buffer.clear();
            }
        }
    }

    private StreamTransport connect(DataRecorder protocol) throws IOException {
        collectReports();
        return connectToPeer(protocol).transport();
    }

    /** Runs the loop until {@code condition} holds (bounded). */
    private void runUntil(BooleanSupplier condition) {
        loop.runUntilComplete(() -> Tasks.waitFor(loop.createTask(() -> {
            while (!condition.getAsBoolean()) {
                Async.sleep(Duration.ofMillis(1));
            }
            return null;
        }), WAIT));
    }

    private void runBriefly() {
        loop.runUntilComplete(() -> {
            Async.sleep(Duration.ofMillis(50)); // only to show that nothing more happens
            return null;
        });
    }

    private void send(int... bytes) throws IOException {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) bytes[i];
        }
        peer.write(ByteBuffer.wrap(b));
    }

    private ExceptionContext onlyReport() {
        assertEquals(1, reports.size(), "one report: " + reports);
        return reports.getFirst();
    }

    // ------------------------------------------------------------------ BufferedProtocol

    @Test
    void getBufferIsAskedWithTheHintMinusOneAndTheBytesLandAtTheBufferPosition() throws Exception {
        Buffered protocol = new Buffered(loop);
        byte[] backing = new byte[32];
        protocol.buffer = ByteBuffer.wrap(backing, 8, 16).slice().position(4); // arrayOffset 8, room from 4
        StreamTransport transport = connect(protocol);
        send(1, 2, 3);
        runUntil(() -> protocol.size() == 3);
        assertArrayEquals(new byte[] {1, 2, 3}, protocol.bytes());
        assertEquals(List.of(-1), protocol.hints, "asyncio calls get_buffer(-1)");
        assertArrayEquals(new byte[] {1, 2, 3}, java.util.Arrays.copyOfRange(backing, 12, 15),
                "the read fills the buffer from its position, in its own backing array");
        transport.abort();
        assertNull(await(protocol.lost()));
        assertEquals(List.of("made", "updated", "lost"), protocol.events());
    }

    @Test
    void aReadOnlyBufferFromGetBufferIsAFatalReadError() throws Exception {
        Buffered protocol = new Buffered(loop);
        protocol.buffer = ByteBuffer.allocate(16).asReadOnlyBuffer();
        StreamTransport transport = connect(protocol);
        send(1);
        Throwable lost = await(protocol.lost());
        assertInstanceOf(IllegalArgumentException.class, lost, "the channel refuses to read into it");
        ExceptionContext report = onlyReport();
        assertEquals("Fatal read error on socket transport", report.message(),
                "asyncio: recv_into a read-only buffer raises TypeError, reported as a fatal read error");
        assertSame(lost, report.exception().orElseThrow());
        assertSame(transport, report.transport().orElseThrow());
    }

    @Test
    void getBufferReturningNullIsAFatalErrorNamingTheCall() throws Exception {
        Buffered protocol = new Buffered(loop);
        protocol.buffer = null;
        connect(protocol);
        send(1);
        Throwable lost = await(protocol.lost());
        ExceptionContext report = onlyReport();
        assertEquals("Fatal error: protocol.getBuffer() call failed.", report.message());
        assertSame(lost, report.exception().orElseThrow());
        assertTrue(lost.getMessage().contains("getBuffer() returned null"), lost.getMessage());
    }

    @Test
    void aPeerResetWhileReadingIntoABufferedProtocolLosesTheConnectionWithoutAReport() throws Exception {
        Buffered protocol = new Buffered(loop);
        connect(protocol);
        peer.setOption(StandardSocketOptions.SO_LINGER, 0);
        peer.close();
        Throwable lost = await(protocol.lost());
        assertInstanceOf(IOException.class, lost, "connection_lost(ConnectionResetError)");
        assertTrue(reports.isEmpty(), "a reset is not a bug: " + reports);
        assertEquals(List.of("made", "lost"), protocol.events());
    }

    @Test
    void setProtocolSwitchesBetweenAPlainAndABufferedProtocolAtRuntime() throws Exception {
        DataRecorder plain = new DataRecorder(loop);
        Buffered buffered = new Buffered(loop);
        StreamTransport transport = connect(plain);
        send(1);
        runUntil(() -> plain.size() == 1);
        transport.setProtocol(buffered);
        assertSame(buffered, transport.getProtocol());
        send(2);
        runUntil(() -> buffered.size() == 1);
        assertEquals(List.of("updated"), buffered.events(), "the buffered protocol reads through getBuffer");
        DataRecorder again = new DataRecorder(loop);
        transport.setProtocol(again);
        assertSame(again, transport.getProtocol());
        send(3);
        runUntil(() -> again.size() == 1);
        peer.shutdownOutput();
        assertNull(await(again.lost()));
        assertEquals(List.of("made", "data"), plain.events());
        assertEquals(List.of("updated"), buffered.events());
        assertEquals(List.of("data", "eof", "lost"), again.events(), "later events go to the current protocol");
        assertArrayEquals(new byte[] {3}, again.bytes());
    }

    @Test
    void feedingBytesToABufferedProtocolSplitsThemOverItsBuffersWithTheRemainingLengthAsHint() {
        Buffered protocol = new Buffered(loop) {
            @Override
            public ByteBuffer getBuffer(int sizeHint) {
                buffer = ByteBuffer.allocate(3);
                return super.getBuffer(sizeHint);
            }
        };
        protocol.dataReceived(ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}));
        assertEquals(List.of(8, 5, 2), protocol.hints, "_feed_data_to_buffered_proto passes what is left");
        assertEquals(List.of("updated", "updated", "updated"), protocol.events());
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, protocol.bytes());
        Buffered empty = new Buffered(loop);
        empty.buffer = ByteBuffer.allocate(0);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> empty.dataReceived(ByteBuffer.wrap(new byte[] {1})));
        assertTrue(e.getMessage().contains("getBuffer"), e.getMessage());
    }

    // ------------------------------------------------------------------ Protocol

    @Test
    void aThrowingEofReceivedIsAFatalError() throws Exception {
        IllegalStateException boom = new IllegalStateException("eof");
        DataRecorder protocol = new DataRecorder(loop) {
            @Override
            public boolean eofReceived() {
                super.eofReceived();
                throw boom;
            }
        };
        StreamTransport transport = connect(protocol);
        peer.shutdownOutput();
        assertSame(boom, await(protocol.lost()));
        ExceptionContext report = onlyReport();
        assertEquals("Fatal error: protocol.eofReceived() call failed.", report.message());
        assertSame(boom, report.exception().orElseThrow());
        assertSame(transport, report.transport().orElseThrow());
        assertSame(protocol, report.protocol().orElseThrow());
        assertEquals(List.of("made", "eof", "lost"), protocol.events());
    }

    @Test
    void aThrowingDataReceivedIsAFatalError() throws Exception {
        IllegalStateException boom = new IllegalStateException("data");
        DataRecorder protocol = new DataRecorder(loop) {
            @Override
            public void dataReceived(ByteBuffer data) {
                super.dataReceived(data);
                throw boom;
            }
        };
        StreamTransport transport = connect(protocol);
        send(1);
        assertSame(boom, await(protocol.lost()));
        ExceptionContext report = onlyReport();
        assertEquals("Fatal error: protocol.dataReceived() call failed.", report.message());
        assertSame(transport, report.transport().orElseThrow());
        assertEquals(List.of("made", "data", "lost"), protocol.events());
    }

    @Test
    void eofReceivedReturningTrueKeepsTheTransportOpenAndStopsReading() throws Exception {
        DataRecorder protocol = new DataRecorder(loop);
        protocol.keepOpenAfterEof();
        StreamTransport transport = connect(protocol);
        peer.shutdownOutput();
        runUntil(() -> protocol.events().contains("eof"));
        runBriefly();
        assertFalse(transport.isClosing());
        assertTrue(transport.isReading(), "asyncio's is_reading stays true: neither paused nor closing");
        assertEquals(List.of("made", "eof"), protocol.events(), "no second eofReceived: the reader was removed");
        transport.close();
        assertNull(await(protocol.lost()));
    }

    @Test
    void pauseReadingInsideDataReceivedHoldsTheRestUntilResume() throws Exception {
        DataRecorder protocol = new DataRecorder(loop) {
            @Override
            public void dataReceived(ByteBuffer data) {
                super.dataReceived(data);
                transport().pauseReading();
            }
        };
        StreamTransport transport = connect(protocol);
        send(1);
        runUntil(() -> protocol.size() == 1);
        assertFalse(transport.isReading());
        send(2);
        runBriefly();
        assertEquals(1, protocol.size(), "nothing is read while paused");
        transport.resumeReading();
        runUntil(() -> protocol.size() == 2);
        assertFalse(transport.isReading(), "dataReceived paused again");
        transport.abort();
        assertNull(await(protocol.lost()));
    }

    @Test
    void pauseReadingInsideConnectionMadeHoldsWaitingDataUntilResume() throws Exception {
        DataRecorder protocol = new DataRecorder(loop) {
            @Override
            public void connectionMade(Transport transport) {
                super.connectionMade(transport);
                ((StreamTransport) transport).pauseReading();
            }
        };
        collectReports();
        SocketChannel ours = openPeer();
        send(9);
        ours.configureBlocking(false);
        StreamTransport transport = loop.runUntilComplete(loop.connectAcceptedSocket(() -> protocol, ours))
                .transport();
        assertFalse(transport.isReading());
        runBriefly();
        assertEquals(List.of("made"), protocol.events());
        transport.resumeReading();
        assertTrue(transport.isReading());
        runUntil(() -> protocol.size() == 1);
        transport.close();
        assertFalse(transport.isReading());
        assertNull(await(protocol.lost()));
        assertTrue(reports.isEmpty(), reports.toString());
    }

    @Test
    void aResetWhileReadingLosesTheConnectionWithoutAReport() throws Exception {
        DataRecorder protocol = new DataRecorder(loop);
        connect(protocol);
        peer.setOption(StandardSocketOptions.SO_LINGER, 0);
        peer.close();
        assertInstanceOf(java.net.SocketException.class, await(protocol.lost()));
        assertTrue(reports.isEmpty(), "a reset is not a bug: " + reports);
    }

    /**
     * test_buffered_proto's create_connection case: a server sends 9 KiB and waits for one byte; the client's
     * buffered protocol, handing out a fresh 100-byte buffer each time, answers once it has everything.
     */
    @Test
    void aBufferedClientReceivesEverythingThroughSmallFreshBuffersAndCanWriteFromBufferUpdated() throws Exception {
        loop.setExceptionHandler((l, context) -> reports.add(context));
        byte[] noise = "12345678+".repeat(1024).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Future<Throwable> serverLost = loop.createFuture();
        dev.asyncloop.Server server = loop.runUntilComplete(loop.createServer(() -> new Protocol() {
            Transport transport;

            @Override
            public void connectionMade(Transport t) {
                transport = t;
                ((StreamTransport) t).write(noise);
            }

            @Override
            public void dataReceived(ByteBuffer data) {
                transport.close();
            }

            @Override
            public void connectionLost(Throwable exception) {
                serverLost.setResult(exception);
            }
        }, "127.0.0.1", 0));
        toClose.add(server::close);
        int port = ((InetSocketAddress) server.sockets().getFirst().getLocalAddress())
                .getPort();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        Future<Throwable> clientLost = loop.createFuture();
        StreamTransport[] tr = new StreamTransport[1];
        int[] largest = new int[1];
        BufferedProtocol client = new BufferedProtocol() {
            ByteBuffer buffer;

            @Override
            public ByteBuffer getBuffer(int sizeHint) {
                buffer = ByteBuffer.allocate(100);
                return buffer;
            }

            @Override
            public void bufferUpdated(int nbytes) {
                largest[0] = Math.max(largest[0], nbytes);
                got.write(buffer.array(), 0, nbytes);
                if (got.size() == noise.length) {
                    tr[0].write(new byte[] {'1'});
                }
            }

            @Override
            public void connectionLost(Throwable exception) {
                clientLost.setResult(exception);
            }
        };
        Connection<BufferedProtocol> c = loop.runUntilComplete(loop.createConnection(() -> client, "127.0.0.1", port));
        tr[0] = c.transport();
        assertNull(await(clientLost), "the server closed after the answer: a clean EOF");
        assertNull(await(serverLost));
        assertArrayEquals(noise, got.toByteArray());
        assertTrue(largest[0] <= 100, "no read is larger than the buffer: " + largest[0]);
        assertTrue(reports.isEmpty(), reports.toString());
    }
}
