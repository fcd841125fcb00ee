package dev.asyncloop.spi;

import static dev.asyncloop.testsupport.TlsTestContexts.contexts;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.asyncloop.Async;
import dev.asyncloop.BufferedProtocol;
import dev.asyncloop.ConnectOptions;
import dev.asyncloop.Future;
import dev.asyncloop.Protocol;
import dev.asyncloop.ReadTransport;
import dev.asyncloop.Server;
import dev.asyncloop.ServerOptions;
import dev.asyncloop.StreamTransport;
import dev.asyncloop.testsupport.StressSeeds;
import dev.asyncloop.Tasks;
import dev.asyncloop.Transport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
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
        StressSeeds.forEach(seed -> overSocket(seed, new WritePathStressTest.StingyHeapIo(seed)), 211, 212, 213);
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
    static final class Receiver implements BufferedProtocol {
        final ReadinessEventLoop loop;
        final SplittableRandom rnd;
        final ByteArrayOutputStream got = new ByteArrayOutputStream();
        final List<String> events = new ArrayList<>();
        final Future<@Nullable Throwable> lost;
        final ByteBuffer huge = ByteBuffer.allocate(1 << 20);
        ReadTransport transport;
        @Nullable ByteBuffer current;
        int position;
        int limit;
        int lostCalls;
        int eofAt = -1;
        @Nullable String failure;

        Receiver(ReadinessEventLoop loop, SplittableRandom rnd) {
            this.loop = loop;
            this.rnd = rnd;
            this.lost = loop.createFuture();
        }

        void check(boolean condition, String what) {
            if (!condition && failure == null) {
                failure = what + " (after " + got.size() + " bytes)";
            }
        }

        @Override
        public void connectionMade(Transport t) {
            transport = (ReadTransport) t;
            events.add("made");
        }

        @Override
        public ByteBuffer getBuffer(int sizeHint) {
            check(transport.isReading(), "getBuffer while paused");
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
            check(transport.isReading(), "bufferUpdated while paused");
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
            got.writeBytes(bytes);
            position = b.position();
            if (rnd.nextInt(6) == 0) {
                transport.pauseReading();
                check(!transport.isReading(), "isReading after pauseReading");
                Runnable resume = transport::resumeReading;
                if (rnd.nextBoolean()) {
                    loop.callSoon(resume);
                } else {
                    loop.callLater(Duration.ofNanos(rnd.nextLong(2_000_000L)), resume);
                }
            }
        }

        @Override
        public boolean eofReceived() {
            events.add("eof");
            eofAt = got.size();
            return false;
        }

        @Override
        public void connectionLost(@Nullable Throwable exception) {
            lostCalls++;
            events.add("lost");
            if (!lost.isDone()) {
                lost.setResult(exception);
            }
        }
    }

    private static byte[] randomBytes(SplittableRandom rnd, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) rnd.nextInt(256);
        }
        return b;
    }

    /** Writes {@code data} in random pieces (small ones with TCP_NODELAY become small reads), then closes. */
    private static Thread sender(WritableByteChannel out, byte[] data, long seed) {
        return Thread.ofPlatform().name("sender-" + seed).start(() -> {
            SplittableRandom rnd = new SplittableRandom(seed * 13);
            try (out) {
                for (int at = 0; at < data.length; ) {
                    int n = Math.min(data.length - at, rnd.nextInt(4) == 0 ? rnd.nextInt(1, 50)
                            : rnd.nextInt(1, 100_000));
                    ByteBuffer piece = ByteBuffer.wrap(data, at, n);
                    while (piece.hasRemaining()) {
                        out.write(piece);
                    }
                    at += n;
                    if (rnd.nextInt(40) == 0) {
                        Thread.sleep(Duration.ofNanos(rnd.nextLong(1_000_000L)));
                    }
                }
            } catch (IOException | InterruptedException e) {
                throw new AssertionError(e);
            }
        });
    }

    private void finish(ReadinessEventLoop loop, Receiver receiver, byte[] data, List<String> reports,
            @Nullable Thread sender) throws InterruptedException {
        Throwable exc = loop.runUntilComplete(() -> Tasks.waitFor(receiver.lost, WAIT));
        loop.runUntilComplete(() -> Async.sleep(Duration.ofMillis(2), null)); // room for a second connectionLost
        if (sender != null) {
            sender.join(WAIT.toMillis());
        }
        assertNull(receiver.failure);
        assertEquals(List.of(), reports, "exception handler");
        assertNull(exc, "connectionLost(null)");
        assertEquals(List.of("made", "eof", "lost"), receiver.events);
        assertEquals(1, receiver.lostCalls);
        assertEquals(data.length, receiver.eofAt, "eofReceived after the last byte");
        assertArrayEquals(data, receiver.got.toByteArray(), "the bytes differ");
    }

    void overSocket(long seed, @Nullable HeapIo heapIo) {
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] data = randomBytes(rnd, rnd.nextInt(0, 2 << 20));
        List<String> reports = new ArrayList<>();
        try (ReadinessEventLoop loop = newLoop(heapIo);
                ServerSocketChannel listener = ServerSocketChannel.open()
                        .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            loop.setExceptionHandler((l, c) -> reports.add(c.message() + ": " + c.exception()));
            SocketChannel ours = SocketChannel.open(listener.getLocalAddress());
            SocketChannel peer = listener.accept();
            peer.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ours.configureBlocking(false);
            Receiver receiver = new Receiver(loop, rnd);
            loop.runUntilComplete(loop.connectAcceptedSocket(() -> receiver, ours));
            finish(loop, receiver, data, reports, sender(peer, data, seed));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    void overPipe(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] data = randomBytes(rnd, rnd.nextInt(0, 2 << 20));
        List<String> reports = new ArrayList<>();
        try (ReadinessEventLoop loop = newLoop(null)) {
            loop.setExceptionHandler((l, c) -> reports.add(c.message() + ": " + c.exception()));
            Pipe pipe = Pipe.open();
            pipe.source().configureBlocking(false);
            Receiver receiver = new Receiver(loop, rnd);
            loop.runUntilComplete(loop.connectReadPipe(() -> receiver, pipe.source()));
            finish(loop, receiver, data, reports, sender(pipe.sink(), data, seed));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** A TLS server writes the data in random pieces and closes; the receiver is the TLS client's protocol. */
    void overTls(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] data = randomBytes(rnd, rnd.nextInt(0, 512 * 1024));
        String protocol = rnd.nextBoolean() ? "TLSv1.2" : "TLSv1.3";
        List<String> reports = new ArrayList<>();
        SSLContext[] ctx;
        try {
            ctx = contexts(protocol);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        try (ReadinessEventLoop loop = newLoop(rnd.nextBoolean() ? new WritePathStressTest.StingyHeapIo(seed) : null)) {
            loop.setExceptionHandler((l, c) -> reports.add(c.message() + ": " + c.exception()));
            SplittableRandom senderRnd = new SplittableRandom(seed * 17);
            Server server = loop.runUntilComplete(loop.createServer(() -> new Protocol() {
                @Override
                public void connectionMade(Transport t) {
                    StreamTransport out = (StreamTransport) t;
                    for (int at = 0; at < data.length; ) {
                        int n = Math.min(data.length - at, senderRnd.nextInt(4) == 0 ? senderRnd.nextInt(1, 50)
                                : senderRnd.nextInt(1, 100_000));
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
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static ReadinessEventLoop newLoop(@Nullable HeapIo heapIo) {
        try {
            return new ReadinessEventLoop(new SelectorPoller(), heapIo) { };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
