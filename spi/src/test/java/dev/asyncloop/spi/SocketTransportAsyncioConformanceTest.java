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
import dev.asyncloop.Connection;
import dev.asyncloop.ExceptionContext;
import dev.asyncloop.Future;
import dev.asyncloop.Protocol;
import dev.asyncloop.StreamTransport;
import dev.asyncloop.Tasks;
import dev.asyncloop.Transport;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The rules of asyncio 3.12–3.13's {@code _SelectorSocketTransport} and {@code loop.sendfile} that the TCK's
 * N3/N5/N6/N11 groups leave out, on a transport whose peer is a plain blocking channel of the test.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SocketTransportAsyncioConformanceTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final ReadinessEventLoop loop = newLoop();
    private final List<ExceptionContext> reports = new ArrayList<>();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private SocketChannel peer;

    private static ReadinessEventLoop newLoop() {
        try {
            return new ReadinessEventLoop(new SelectorPoller()) { };
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        loop.close();
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
    }

    /** Records what the transport calls, in order. */
    static class Recorder implements Protocol {
        final List<String> events = new ArrayList<>();
        final java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
        Future<Throwable> lost;
        boolean keepOpen;

        @Override
        public void connectionMade(Transport transport) {
            events.add("made");
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            events.add("data");
            byte[] b = new byte[data.remaining()];
            data.get(b);
            got.writeBytes(b);
        }

        @Override
        public boolean eofReceived() {
            events.add("eof");
            return keepOpen;
        }

        @Override
        public void pauseWriting() {
            events.add("pause");
        }

        @Override
        public void resumeWriting() {
            events.add("resume");
        }

        @Override
        public void connectionLost(Throwable exception) {
            events.add("lost");
            lost.setResult(exception);
        }
    }

    /** Connects {@code protocol} over loopback; {@link #peer} is the other end, blocking. */
    private StreamTransport connect(Recorder protocol) throws IOException {
        loop.setExceptionHandler((l, context) -> reports.add(context));
        protocol.lost = loop.createFuture();
        ServerSocketChannel listener = ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        toClose.add(listener);
        SocketChannel ours = SocketChannel.open(listener.getLocalAddress());
        peer = listener.accept();
        toClose.add(peer);
        ours.configureBlocking(false);
        Connection<Recorder> c = loop.runUntilComplete(loop.connectAcceptedSocket(() -> protocol, ours));
        return c.transport();
    }

    private <T> T await(Future<T> future) {
        return loop.runUntilComplete(() -> Tasks.waitFor(future, WAIT));
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
        FileChannel file = FileChannel.open(sparseFile(256L << 20), StandardOpenOption.READ);
        toClose.add(file);
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
        Recorder protocol = new Recorder();
        StreamTransport transport = connect(protocol);
        Future<Long> sending = stuckSendfile(transport);
        transport.close();
        assertNull(await(protocol.lost));
        CompletionException e = assertThrows(CompletionException.class, () -> await(sending));
        assertInstanceOf(IOException.class, e.getCause(), "the sendfile fails with an I/O error: " + e.getCause());
    }

    @Test
    void abortDuringANativeSendfileFailsItInsteadOfLeavingItPending() throws Exception {
        Recorder protocol = new Recorder();
        StreamTransport transport = connect(protocol);
        Future<Long> sending = stuckSendfile(transport);
        transport.abort();
        assertNull(await(protocol.lost));
        CompletionException e = assertThrows(CompletionException.class, () -> await(sending));
        assertInstanceOf(IOException.class, e.getCause(), "the sendfile fails with an I/O error: " + e.getCause());
    }
}
