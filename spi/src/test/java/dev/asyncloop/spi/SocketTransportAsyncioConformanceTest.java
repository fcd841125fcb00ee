package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.Async;
import dev.asyncloop.BufferedProtocol;
import dev.asyncloop.ExceptionContext;
import dev.asyncloop.Future;
import dev.asyncloop.StreamTransport;
import dev.asyncloop.Transport;
import dev.asyncloop.testsupport.DataRecorder;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The rules of asyncio 3.12–3.13's {@code _SelectorSocketTransport} and {@code loop.sendfile} that the TCK's
 * N3/N5/N6/N11 groups leave out, on a transport whose peer is a plain blocking channel of the test.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SocketTransportAsyncioConformanceTest extends LoopbackPeerFixture {
    /** Connects {@code protocol} over loopback; {@link #peer} is the other end, blocking. */
    private StreamTransport connect(DataRecorder protocol) throws IOException {
        collectReports();
        return connectToPeer(protocol).transport();
    }

    private Path sparseFile(long size) throws IOException {
        Path path = Files.createTempFile("al-transport", ".bin");
        toClose.add(() -> Files.deleteIfExists(path));
        try (RandomAccessFile f = new RandomAccessFile(path.toFile(), "rw")) {
            f.setLength(size);
        }
        return path;
    }

    // ------------------------------------------------------------------ sendfile

    /** Starts a zero-copy sendfile far larger than the socket buffers, to a peer that reads nothing. */
    private Future<Long> stuckSendfile(StreamTransport transport) throws Exception {
        return stuckSendfile(transport, bigFile());
    }

    private FileChannel bigFile() throws IOException {
        FileChannel file = FileChannel.open(sparseFile(256L << 20), StandardOpenOption.READ);
        toClose.add(file);
        return file;
    }

    private Future<Long> stuckSendfile(StreamTransport transport, FileChannel file) {
        Future<Long> sending = loop.sendfile(transport, file, 0);
        loop.runUntilComplete(() -> {
            Async.sleep(Duration.ofMillis(100)); // lets the transfer fill the socket buffers and wait
            return null;
        });
        assertFalse(sending.isDone(), "the peer reads nothing, so the transfer must still be waiting");
        return sending;
    }

    @Test
    void closeDuringANativeSendfileFailsItInsteadOfLeavingItPending() throws Exception {
        DataRecorder protocol = new DataRecorder(loop);
        StreamTransport transport = connect(protocol);
        Future<Long> sending = stuckSendfile(transport);
        transport.close();
        assertNull(await(protocol.lost()));
        CompletionException e = assertThrows(CompletionException.class, () -> await(sending));
        assertInstanceOf(IOException.class, e.getCause(), "the sendfile fails with an I/O error: " + e.getCause());
    }

    @Test
    void abortDuringANativeSendfileFailsItInsteadOfLeavingItPending() throws Exception {
        DataRecorder protocol = new DataRecorder(loop);
        StreamTransport transport = connect(protocol);
        Future<Long> sending = stuckSendfile(transport);
        transport.abort();
        assertNull(await(protocol.lost()));
        CompletionException e = assertThrows(CompletionException.class, () -> await(sending));
        assertInstanceOf(IOException.class, e.getCause(), "the sendfile fails with an I/O error: " + e.getCause());
    }

    /** Writes more than the socket buffers hold to a peer that reads nothing, so the rest stays queued. */
    private byte[] fillQueue(StreamTransport transport) {
        byte[] bytes = new byte[16 << 20];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i % 251);
        }
        transport.write(bytes);
        assertTrue(transport.getWriteBufferSize() > 0, "the peer reads nothing, so part of the data is queued");
        return bytes;
    }

    /** Reads on the default executor until end of stream; the loop runs meanwhile. */
    private byte[] peerReadsToEnd() {
        return await(loop.runInExecutor(null, () -> {
            peer.socket().setSoTimeout((int) WAIT.toMillis());
            return peer.socket().getInputStream().readAllBytes();
        }));
    }

    private void runBriefly() {
        loop.runUntilComplete(() -> {
            Async.sleep(Duration.ofMillis(50)); // only to show that nothing more happens
            return null;
        });
    }

    // ------------------------------------------------------------------ writing

    @Test
    void anEmptyWriteDoesNothingButAfterWriteEofItStillThrows() throws Exception {
        DataRecorder protocol = new DataRecorder(loop);
        StreamTransport transport = connect(protocol);
        transport.write(new byte[0]);
        transport.write(ByteBuffer.allocateDirect(8).position(8));
        transport.writeLines(List.of());
        assertEquals(0, transport.getWriteBufferSize());
        transport.writeEof();
        assertThrows(IllegalStateException.class, () -> transport.write(new byte[0]),
                "asyncio checks write_eof before the length");
        assertThrows(IllegalStateException.class, () -> transport.writeLines(List.of(ByteBuffer.allocate(1))));
        assertEquals(-1, peer.read(ByteBuffer.allocate(1)), "the peer reads end of stream");
        transport.close();
        assertNull(await(protocol.lost()));
    }

    @Test
    void writeEofWaitsForTheQueueToDrain() throws Exception {
        DataRecorder protocol = new DataRecorder(loop);
        StreamTransport transport = connect(protocol);
        byte[] sent = fillQueue(transport);
        transport.writeEof();
        assertFalse(transport.isClosing(), "write_eof half-closes, it does not close");
        assertArrayEqualsBrief(sent, peerReadsToEnd());
        assertEquals(0, transport.getWriteBufferSize());
        assertEquals(List.of("made", "pause", "resume"), protocol.events());
        transport.close();
        assertNull(await(protocol.lost()));
    }

    @Test
    void dataWrittenAfterCloseWhileTheQueueDrainsIsStillSent() throws Exception {
        DataRecorder protocol = new DataRecorder(loop);
        StreamTransport transport = connect(protocol);
        byte[] first = fillQueue(transport);
        transport.close();
        assertTrue(transport.isClosing());
        transport.write(new byte[] {1, 2, 3});
        byte[] got = peerReadsToEnd();
        assertEquals(first.length + 3, got.length, "asyncio queues a write made while close() drains the queue");
        assertEquals(3, got[got.length - 1]);
        assertNull(await(protocol.lost()));
        assertEquals(List.of("made", "pause", "resume", "lost"), protocol.events());
    }

    /**
     * {@code writeLines}: over the high-water mark it pauses the protocol (asyncio's gh-127655); an empty chunk
     * behind queued data does not keep {@code close()} from finishing (gh-155888: the transport never closed);
     * after the connection is lost it drops its data as {@code write} does (gh-136234: it failed).
     */
    @Test
    void writeLinesPausesSkipsEmptyChunksAndIsDroppedAfterTheEnd() throws Exception {
        DataRecorder protocol = new DataRecorder(loop);
        StreamTransport transport = connect(protocol);
        byte[] big = new byte[16 << 20];
        big[big.length - 1] = 7;
        transport.writeLines(List.of(ByteBuffer.wrap(big), ByteBuffer.allocate(0), ByteBuffer.wrap(new byte[] {9}),
                ByteBuffer.allocate(0)));
        assertEquals(List.of("made", "pause"), protocol.events(), "over the high-water mark: paused");
        transport.close();
        byte[] got = peerReadsToEnd();
        assertEquals(big.length + 1, got.length);
        assertEquals(9, got[got.length - 1]);
        assertNull(await(protocol.lost()));
        transport.writeLines(List.of(ByteBuffer.wrap(new byte[] {1}), ByteBuffer.allocate(0)));
        transport.write(new byte[] {1});
        runBriefly();
        assertEquals(List.of("made", "pause", "resume", "lost"), protocol.events());
        assertTrue(reports.isEmpty(), reports.toString());
    }

    @Test
    void abortDropsTheQueueAndLosesTheConnectionWithoutAnError() throws Exception {
        DataRecorder protocol = new DataRecorder(loop);
        StreamTransport transport = connect(protocol);
        byte[] sent = fillQueue(transport);
        transport.abort();
        assertEquals(0, transport.getWriteBufferSize(), "abort drops the queue at once");
        assertTrue(transport.isClosing());
        assertFalse(protocol.lost().isDone(), "connectionLost is scheduled, not called inside abort");
        assertNull(await(protocol.lost()));
        assertTrue(peerReadsToEnd().length < sent.length, "the queued bytes were never sent");
        assertEquals(List.of("made", "pause", "lost"), protocol.events(), "abort does not resume writing");
        assertTrue(reports.isEmpty(), "abort is not an error: " + reports);
    }

    @Test
    void closeTwiceAndAbortAfterCloseLoseTheConnectionOnce() throws Exception {
        DataRecorder protocol = new DataRecorder(loop);
        StreamTransport transport = connect(protocol);
        transport.close();
        transport.close();
        transport.abort();
        assertNull(await(protocol.lost()));
        runBriefly();
        assertEquals(List.of("made", "lost"), protocol.events());
        assertFalse(((SocketChannel) transport.getExtraInfo(Transport.SOCKET).orElseThrow()).isOpen(),
                "the channel is closed once connectionLost ran");
    }

    // ------------------------------------------------------------------ reading

    @Test
    void pauseAndResumeReadingWhileClosingAreNoOps() throws Exception {
        DataRecorder protocol = new DataRecorder(loop);
        StreamTransport transport = connect(protocol);
        assertTrue(transport.isReading());
        transport.close();
        assertFalse(transport.isReading(), "a closing transport does not read");
        transport.pauseReading();
        transport.resumeReading();
        assertFalse(transport.isReading());
        assertNull(await(protocol.lost()));
        transport.pauseReading();
        transport.resumeReading();
        assertFalse(transport.isReading());
    }

    @Test
    void pauseAndResumeReadingTwiceIsHarmless() throws Exception {
        DataRecorder protocol = new DataRecorder(loop);
        StreamTransport transport = connect(protocol);
        transport.pauseReading();
        transport.pauseReading();
        assertFalse(transport.isReading());
        peer.write(ByteBuffer.wrap(new byte[] {7}));
        runBriefly();
        assertEquals(List.of("made"), protocol.events(), "no data while paused");
        transport.resumeReading();
        transport.resumeReading();
        assertTrue(transport.isReading());
        peer.shutdownOutput();
        assertNull(await(protocol.lost()));
        assertEquals(List.of("made", "data", "eof", "lost"), protocol.events());
    }

    @Test
    void resumeReadingAfterAKeepOpenEofDoesNotDeliverTheEofAgain() throws Exception {
        DataRecorder protocol = new DataRecorder(loop);
        protocol.keepOpenAfterEof();
        StreamTransport transport = connect(protocol);
        peer.shutdownOutput();
        loop.runUntilComplete(() -> {
            while (!protocol.events().contains("eof")) {
                Async.sleep(Duration.ofMillis(1));
            }
            return null;
        });
        assertFalse(transport.isClosing(), "eofReceived returned true: the transport stays open for writing");
        transport.pauseReading();
        transport.resumeReading();
        runBriefly();
        assertEquals(List.of("made", "eof"), protocol.events(), "eofReceived comes at most once");
        transport.write(new byte[] {5});
        transport.close();
        assertNull(await(protocol.lost()));
        assertEquals(1, peerReadsToEnd().length, "the write side stayed open after the peer's EOF");
    }

    /** A {@link BufferedProtocol} whose {@code getBuffer} answers {@code buffer} (or throws). */
    static final class Buffered extends DataRecorder implements BufferedProtocol {
        java.util.function.Supplier<ByteBuffer> buffer = () -> ByteBuffer.allocate(64);
        RuntimeException onUpdate;

        Buffered(ReadinessEventLoop loop) {
            super(loop);
        }

        @Override
        public ByteBuffer getBuffer(int sizeHint) {
            return buffer.get();
        }

        @Override
        public void bufferUpdated(int nbytes) {
            record("updated");
            if (onUpdate != null) {
                throw onUpdate;
            }
        }
    }

    private void assertFatal(DataRecorder protocol, StreamTransport transport, String message, Class<?> type)
            throws Exception {
        peer.write(ByteBuffer.wrap(new byte[] {1}));
        Throwable lost = await(protocol.lost());
        assertInstanceOf(type, lost, "connectionLost gets the error");
        assertEquals(1, reports.size(), "one report: " + reports);
        ExceptionContext report = reports.getFirst();
        assertEquals(message, report.message());
        assertSame(lost, report.exception().orElseThrow());
        assertSame(transport, report.transport().orElseThrow());
        assertSame(protocol, report.protocol().orElseThrow());
    }

    @Test
    void getBufferReturningAnEmptyBufferIsAFatalError() throws Exception {
        Buffered protocol = new Buffered(loop);
        protocol.buffer = () -> ByteBuffer.allocate(0);
        StreamTransport transport = connect(protocol);
        assertFatal(protocol, transport, "Fatal error: protocol.getBuffer() call failed.", IllegalStateException.class);
        assertTrue(reports.getFirst().exception().orElseThrow().getMessage().contains("getBuffer()"));
    }

    @Test
    void getBufferThatThrowsIsAFatalError() throws Exception {
        Buffered protocol = new Buffered(loop);
        protocol.buffer = () -> {
            throw new UnsupportedOperationException("no buffer");
        };
        StreamTransport transport = connect(protocol);
        assertFatal(protocol, transport, "Fatal error: protocol.getBuffer() call failed.",
                UnsupportedOperationException.class);
    }

    @Test
    void bufferUpdatedThatThrowsIsAFatalError() throws Exception {
        Buffered protocol = new Buffered(loop);
        protocol.onUpdate = new IllegalArgumentException("bad update");
        StreamTransport transport = connect(protocol);
        assertFatal(protocol, transport, "Fatal error: protocol.bufferUpdated() call failed.",
                IllegalArgumentException.class);
        assertEquals(List.of("made", "updated", "lost"), protocol.events());
    }

    @Test
    void aThrowingPauseWritingIsOnlyReported() throws Exception {
        DataRecorder protocol = new DataRecorder(loop) {
            @Override
            public void pauseWriting() {
                super.pauseWriting();
                throw new IllegalStateException("pause");
            }
        };
        StreamTransport transport = connect(protocol);
        fillQueue(transport);
        assertEquals(1, reports.size(), "one report: " + reports);
        assertEquals("protocol.pauseWriting() failed", reports.getFirst().message());
        assertSame(transport, reports.getFirst().transport().orElseThrow());
        assertFalse(transport.isClosing(), "a failing pauseWriting does not close the transport");
        transport.abort();
        assertNull(await(protocol.lost()));
    }

    // ------------------------------------------------------------------ sendfile (more)

    @Test
    void aSecondSendfileWhileOneIsInProgressFails() throws Exception {
        DataRecorder protocol = new DataRecorder(loop);
        StreamTransport transport = connect(protocol);
        Future<Long> first = stuckSendfile(transport);
        Path small = sparseFile(10);
        try (FileChannel file = FileChannel.open(small, StandardOpenOption.READ)) {
            Future<Long> second = loop.sendfile(transport, file, 0);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> await(second));
            assertTrue(e.getMessage().contains("sendfile is already in progress"), e.getMessage());
        }
        assertFalse(first.isDone(), "the first sendfile goes on");
        assertThrows(IllegalStateException.class, () -> transport.write(new byte[] {1}),
                "writes are still refused while the first sendfile is in progress");
        transport.abort();
        assertNull(await(protocol.lost()));
    }

    @Test
    void cancellingANativeSendfileRestoresTheTransportAndLeavesTheFileAfterTheBytesSent() throws Exception {
        DataRecorder protocol = new DataRecorder(loop);
        StreamTransport transport = connect(protocol);
        FileChannel file = bigFile();
        Future<Long> sending = stuckSendfile(transport, file);
        assertFalse(transport.isReading(), "reading is paused during a zero-copy sendfile");
        sending.cancel();
        runBriefly();
        assertTrue(sending.isCancelled());
        assertTrue(file.position() > 0, "the position is after the bytes sent before the cancel");
        assertTrue(transport.isReading(), "reading resumes");
        transport.write(new byte[] {1});
        assertFalse(transport.isClosing());
        transport.abort();
        assertNull(await(protocol.lost()));
    }

    @Test
    void aWriteErrorWhileSendfileWaitsForTheQueueFailsTheSendfileWithThatError() throws Exception {
        DataRecorder protocol = new DataRecorder(loop);
        StreamTransport transport = connect(protocol);
        fillQueue(transport);
        Future<Long> sending = loop.sendfile(transport, bigFile(), 0);
        runBriefly();
        assertFalse(sending.isDone(), "the sendfile waits for the queue to drain");
        peer.setOption(java.net.StandardSocketOptions.SO_LINGER, 0);
        peer.close(); // a reset: the transport's next send fails
        Throwable lost = await(protocol.lost());
        assertInstanceOf(IOException.class, lost);
        CompletionException e = assertThrows(CompletionException.class, () -> await(sending));
        assertSame(lost, e.getCause(), "asyncio fails the empty waiter with the write error itself");
    }

    private static void assertArrayEqualsBrief(byte[] expected, byte[] actual) {
        assertEquals(expected.length, actual.length, "length");
        assertTrue(java.util.Arrays.equals(expected, actual), "the bytes differ");
    }
}
