package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.asyncloop.ExceptionContext;
import dev.asyncloop.ReadTransport;
import dev.asyncloop.testsupport.FlowCheckingWriter;
import dev.asyncloop.testsupport.RandomBytes;
import dev.asyncloop.testsupport.RandomChunks;
import dev.asyncloop.testsupport.RecordingStreamProtocol;
import dev.asyncloop.testsupport.SlowReader;
import dev.asyncloop.testsupport.StressSeeds;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The thread-pumped transports of a child's pipes ({@link InputStreamTransport} for stdout/stderr,
 * {@link OutputStreamTransport} for stdin) over a blocking socket's streams, with random chunking: the reading
 * side pauses and resumes at random from {@code dataReceived} (a chunk read just before a pause must wait for the
 * resume), the writing side is the socket write path's random writer with its flow-control checks. Checked: every
 * byte once, in order; nothing delivered while paused; {@code eofReceived} after the last byte then one
 * {@code connectionLost(null)}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PumpedStreamTransportStressTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    @DisplayName("InputStreamTransport: random pieces in, random pauses: every byte once, nothing while paused")
    void inputStream() {
        StressSeeds.forEach(this::reading, 401, 402, 403, 404);
    }

    @Test
    @DisplayName("OutputStreamTransport: random writes and marks to a slow reader: every byte once, asyncio's flow")
    void outputStream() {
        StressSeeds.forEach(this::writing, 411, 412, 413);
    }

    /** Pauses at random from dataReceived; checks nothing arrives while paused. */
    static final class Reader extends RecordingStreamProtocol<ReadTransport> {
        final ReadinessEventLoop loop;
        final SplittableRandom rnd;
        boolean paused;
        @Nullable String failure;

        Reader(ReadinessEventLoop loop, SplittableRandom rnd) {
            super(loop, ReadTransport.class);
            this.loop = loop;
            this.rnd = rnd;
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            if (paused && failure == null) {
                failure = "dataReceived while paused, after " + size() + " bytes";
            }
            byte[] b = new byte[data.remaining()];
            data.get(b);
            keep(b);
            if (rnd.nextInt(3) == 0) {
                paused = true;
                transport().pauseReading();
                Runnable resume = () -> {
                    paused = false;
                    transport().resumeReading();
                };
                if (rnd.nextBoolean()) {
                    loop.callSoon(resume);
                } else {
                    loop.callLater(Duration.ofNanos(rnd.nextLong(2_000_000L)), resume);
                }
            }
        }
    }

    /** Blocking sockets (not channels: the pumps read and write their streams), TCP_NODELAY on both. */
    private static Socket[] socketPair() throws IOException {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Socket a = new Socket();
            a.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort()));
            Socket b = listener.accept();
            a.setTcpNoDelay(true);
            b.setTcpNoDelay(true);
            return new Socket[] {a, b};
        }
    }

    void reading(long seed) throws Exception {
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] data = RandomBytes.perByte(rnd, rnd.nextInt(0, 1 << 20));
        List<ExceptionContext> reports = new ArrayList<>();
        try (ReadinessEventLoop loop = SelectorLoops.newLoop(null)) {
            loop.setExceptionHandler((l, c) -> reports.add(c));
            Socket[] ends = socketPair();
            RandomChunks chunks = new RandomChunks(new SplittableRandom(seed * 13), 4, 30, 100_000);
            Thread sender = Thread.ofPlatform().name("sender-" + seed).start(() -> {
                try (Socket s = ends[0]; OutputStream out = s.getOutputStream()) {
                    chunks.writeAll(data, RandomChunks.to(out));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            Reader reader = new Reader(loop, rnd);
            InputStreamTransport t = new InputStreamTransport(loop, ends[1].getInputStream(), reader, "test-in",
                    () -> { });
            loop.runUntilComplete(() -> {
                reader.connectionMade(t);
                t.start();
                return null;
            });
            Throwable exc = reader.awaitLost(loop, WAIT);
            sender.join(WAIT.toMillis());
            ends[1].close();
            assertNull(reader.failure);
            assertNull(exc);
            assertEquals(List.of(), reports);
            assertEquals(List.of("made", "eof", "lost"), reader.events());
            assertEquals(data.length, reader.eofAt(), "eofReceived after the last byte");
            assertArrayEquals(data, reader.bytes(), "the bytes differ");
        }
    }

    void writing(long seed) throws Exception {
        List<ExceptionContext> reports = new ArrayList<>();
        try (ReadinessEventLoop loop = SelectorLoops.newLoop(null)) {
            loop.setExceptionHandler((l, c) -> reports.add(c));
            Socket[] ends = socketPair();
            ends[0].setSendBufferSize(8192);
            SlowReader peer = new SlowReader(Channels.newChannel(ends[1].getInputStream()), seed);
            Thread reading = Thread.ofPlatform().name("slow-reader-" + seed).start(peer);
            WritePathStressTest.Writer writer = new WritePathStressTest.Writer(loop, new SplittableRandom(seed), peer,
                    false);
            OutputStreamTransport t = new OutputStreamTransport(loop, ends[0].getOutputStream(), writer, "test-out",
                    () -> { });
            loop.runUntilComplete(() -> {
                writer.connectionMade(t);
                t.start();
                return null;
            });
            FlowCheckingWriter.finish(loop, writer, peer, reading, reports, WAIT);
            ends[1].close();
        }
    }
}
