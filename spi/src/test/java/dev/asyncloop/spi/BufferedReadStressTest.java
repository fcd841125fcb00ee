package dev.asyncloop.spi;

import static dev.asyncloop.testsupport.TlsTestContexts.contexts;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.asyncloop.BufferedProtocol;
import dev.asyncloop.ConnectOptions;
import dev.asyncloop.Protocol;
import dev.asyncloop.ReadTransport;
import dev.asyncloop.Server;
import dev.asyncloop.ServerOptions;
import dev.asyncloop.StreamTransport;
import dev.asyncloop.Transport;
import dev.asyncloop.testsupport.RandomBytes;
import dev.asyncloop.testsupport.RandomChunks;
import dev.asyncloop.testsupport.RandomPauses;
import dev.asyncloop.testsupport.RecordingStreamProtocol;
import dev.asyncloop.testsupport.SocketPair;
import dev.asyncloop.testsupport.StressSeeds;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.WritableByteChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A {@link BufferedProtocol} that hands out random buffers (1 byte, the hinted size, 1 MiB, direct, slices with
 * an offset, the previous buffer again with part of it filled) and pauses reading at random from
 * {@code bufferUpdated}, fed by a sender writing random pieces: over a socket (default I/O and a partial
 * {@link HeapIo}), over TLS, and over a pipe. Checked: every byte once, in order; each {@code bufferUpdated(n)} has
 * {@code 1 <= n <=} the room given, the bytes start at the position the buffer had and the position moved by
 * {@code n}, the limit did not; nothing is asked or delivered while paused; {@code eofReceived} after the last
 * byte, then one {@code connectionLost(null)}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BufferedReadStressTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    @DisplayName("socket: random buffers and read pauses; every byte once, in order")
    void socket() {
        StressSeeds.forEach(seed -> overSocket(seed, null), 201, 202, 203, 204);
    }

    @Test
    @DisplayName("socket through a HeapIo that fills a random part of each read")
    void socketStingyHeapIo() {
        StressSeeds.forEach(seed -> overSocket(seed, new StingyHeapIo(seed)), 211, 212, 213);
    }

    @Test
    @DisplayName("TLS: random buffers and read pauses; every byte once, in order")
    void tls() {
        StressSeeds.forEach(this::overTls, 221, 222, 223, 224);
    }

    @Test
    @DisplayName("pipe: random buffers and read pauses; every byte once, in order")
    void pipe() {
        StressSeeds.forEach(this::overPipe, 231, 232, 233, 234);
    }

    /** The protocol under test. */
    static final class Receiver extends RecordingStreamProtocol<ReadTransport> implements BufferedProtocol {
        final ReadinessEventLoop loop;
        final SplittableRandom rnd;
        final ByteBuffer huge = ByteBuffer.allocate(1 << 20);
        @Nullable ByteBuffer current;
        int position;
        int limit;
        @Nullable String failure;

        Receiver(ReadinessEventLoop loop, SplittableRandom rnd) {
            super(loop, ReadTransport.class);
            this.loop = loop;
            this.rnd = rnd;
        }

        void check(boolean condition, String what) {
            if (!condition && failure == null) {
                failure = what + " (after " + size() + " bytes)";
            }
        }

    @Override
        public ByteBuffer getBuffer(int sizeHint) {
            check(transport().isReading(), "getBuffer while paused");
            check(sizeHint == -1 || sizeHint > 0, "size hint " + sizeHint);
            int want = sizeHint > 0 ? sizeHint : rnd.nextInt(1, 70_000);
            ByteBuffer b;
            int r = rnd.nextInt(12);
            if (r < 2) {
                b = ByteBuffer.allocate(1);
            } else if (r < 4) {
                b = ByteBuffer.allocate(want);
            } else if (r < 5) {
                b = huge.clear();
            } else if (r < 7) {
                b = ByteBuffer.allocateDirect(rnd.nextInt(1, 70_000));
            } else if (r < 9) {
                int n = rnd.nextInt(1, 20_000);
                b = ByteBuffer.allocate(n + 10).position(rnd.nextInt(0, 6));
                b.limit(b.position() + n);
            } else if (current != null && current.hasRemaining()) {
                b = current; // filled in part by the last read
            } else {
                b = ByteBuffer.allocate(rnd.nextInt(1, 5000));
            }
            current = b;
            position = b.position();
            limit = b.limit();
            return b;
        }

        @Override
        public void bufferUpdated(int nbytes) {
            check(transport().isReading(), "bufferUpdated while paused");
            ByteBuffer b = current;
            check(b != null, "bufferUpdated without getBuffer");
            if (b == null) {
                return;
            }
            check(nbytes >= 1 && nbytes <= limit - position, "bufferUpdated(" + nbytes + ") with room "
                    + (limit - position));
            check(b.position() == position + nbytes, "position " + b.position() + " after " + nbytes + " bytes from "
                    + position);
            check(b.limit() == limit, "limit changed from " + limit + " to " + b.limit());
            byte[] bytes = new byte[Math.max(0, Math.min(nbytes, limit - position))];
            b.get(position, bytes);
            keep(bytes);
            position = b.position();
            if (rnd.nextInt(6) == 0) {
                transport().pauseReading();
                check(!transport().isReading(), "isReading after pauseReading");
                Runnable resume = transport()::resumeReading;
                if (rnd.nextBoolean()) {
                    loop.callSoon(resume);
                } else {
                    loop.callLater(Duration.ofNanos(rnd.nextLong(2_000_000L)), resume);
                }
            }
        }

    }

    /** Writes {@code data} in random pieces (small ones with TCP_NODELAY become small reads), then closes. */
    private static Thread sender(WritableByteChannel out, byte[] data, long seed) {
        return Thread.ofPlatform().name("sender-" + seed).start(() -> {
            SplittableRandom rnd = new SplittableRandom(seed * 13);
            try (out) {
                new RandomChunks(rnd, 4, 50, 100_000).writeAll(data, RandomChunks.to(out),
                        new RandomPauses(rnd, 40, Duration.ofMillis(1), Duration.ofDays(1)));
            } catch (IOException | InterruptedException e) {
                throw new AssertionError(e);
            }
        });
    }

    private void finish(ReadinessEventLoop loop, Receiver receiver, byte[] data, List<String> reports,
            @Nullable Thread sender) throws InterruptedException {
        Throwable exc = receiver.awaitLost(loop, WAIT);
        if (sender != null) {
            sender.join(WAIT.toMillis());
        }
        assertNull(receiver.failure);
        assertEquals(List.of(), reports, "exception handler");
        assertNull(exc, "connectionLost(null)");
        assertEquals(List.of("made", "eof", "lost"), receiver.events());
        assertEquals(1, receiver.lostCalls());
        assertEquals(data.length, receiver.eofAt(), "eofReceived after the last byte");
        assertArrayEquals(data, receiver.bytes(), "the bytes differ");
    }

    void overSocket(long seed, @Nullable HeapIo heapIo) throws Exception {
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] data = RandomBytes.perByte(rnd, rnd.nextInt(0, 2 << 20));
        List<String> reports = new ArrayList<>();
        try (ReadinessEventLoop loop = SelectorLoops.newLoop(heapIo); SocketPair ends = SocketPair.open()) {
            loop.setExceptionHandler((l, c) -> reports.add(c.message() + ": " + c.exception()));
            ends.peer().setOption(StandardSocketOptions.TCP_NODELAY, true);
            ends.ours().configureBlocking(false);
            Receiver receiver = new Receiver(loop, rnd);
            loop.runUntilComplete(loop.connectAcceptedSocket(() -> receiver, ends.ours()));
            finish(loop, receiver, data, reports, sender(ends.peer(), data, seed));
        }
    }

    void overPipe(long seed) throws Exception {
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] data = RandomBytes.perByte(rnd, rnd.nextInt(0, 2 << 20));
        List<String> reports = new ArrayList<>();
        try (ReadinessEventLoop loop = SelectorLoops.newLoop(null)) {
            loop.setExceptionHandler((l, c) -> reports.add(c.message() + ": " + c.exception()));
            Pipe pipe = Pipe.open();
            pipe.source().configureBlocking(false);
            Receiver receiver = new Receiver(loop, rnd);
            loop.runUntilComplete(loop.connectReadPipe(() -> receiver, pipe.source()));
            finish(loop, receiver, data, reports, sender(pipe.sink(), data, seed));
        }
    }

    /** A TLS server writes the data in random pieces and closes; the receiver is the TLS client's protocol. */
    void overTls(long seed) throws Exception {
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] data = RandomBytes.perByte(rnd, rnd.nextInt(0, 512 * 1024));
        String protocol = rnd.nextBoolean() ? "TLSv1.2" : "TLSv1.3";
        List<String> reports = new ArrayList<>();
        SSLContext[] ctx = contexts(protocol);
        try (ReadinessEventLoop loop = SelectorLoops.newLoop(rnd.nextBoolean() ? new StingyHeapIo(seed) : null)) {
            loop.setExceptionHandler((l, c) -> reports.add(c.message() + ": " + c.exception()));
            RandomChunks chunks = new RandomChunks(new SplittableRandom(seed * 17), 4, 50, 100_000);
            Server server = loop.runUntilComplete(loop.createServer(() -> new Protocol() {
                @Override
                public void connectionMade(Transport t) {
                    StreamTransport out = (StreamTransport) t;
                    for (int at = 0; at < data.length; ) {
                        int n = chunks.next(data.length - at);
                        out.write(ByteBuffer.wrap(data, at, n));
                        at += n;
                    }
                    out.close();
                }
            }, "127.0.0.1", 0, ServerOptions.builder().ssl(ctx[0]).build()));
            int port = ((InetSocketAddress) server.sockets().getFirst().socket().getLocalSocketAddress()).getPort();
            Receiver receiver = new Receiver(loop, rnd);
            loop.runUntilComplete(loop.createConnection(() -> receiver, "127.0.0.1", port,
                    ConnectOptions.builder().ssl(ctx[1]).serverHostname("localhost").build()));
            finish(loop, receiver, data, reports, null);
            server.close();
        }
    }
}
