package dev.asyncloop.spi;

import static dev.asyncloop.testsupport.TlsTestContexts.contexts;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.asyncloop.ConnectOptions;
import dev.asyncloop.Connection;
import dev.asyncloop.Server;
import dev.asyncloop.ServerOptions;
import dev.asyncloop.StreamTransport;
import dev.asyncloop.Transport;
import dev.asyncloop.testsupport.RandomBytes;
import dev.asyncloop.testsupport.RandomChunks;
import dev.asyncloop.testsupport.RandomPauses;
import dev.asyncloop.testsupport.RecordingStreamProtocol;
import dev.asyncloop.testsupport.StressSeeds;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * TLS over a loopback relay that forwards each direction's record stream in random small pieces (1 byte and up,
 * with random pauses of up to 2 ms), so that records, and the handshake, arrive cut at every offset. The client
 * sends a length-prefixed request in random writes; the server echoes it in random writes and then, in one of two
 * endings, either writes a random trailer and closes at once with all that still buffered, or the client closes
 * at once after its last write. Checked: every byte arrives once, in order; the side that did not close gets
 * {@code eofReceived} (the peer's {@code close_notify}) and then {@code connectionLost(null)}; each side gets
 * exactly one {@code connectionLost}, with null; nothing reaches the exception handler. TLS 1.2 and 1.3; the
 * loop's default I/O or a {@link HeapIo} that reads and writes random parts.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TlsSegmentationStressTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    @DisplayName("TLS echo through a relay that cuts records at random: all bytes, one clean connectionLost each")
    void hostileSegmentation() {
        StressSeeds.forEach(this::scenario, 101, 102, 103, 104, 105, 106, 107, 108);
    }

    /** Forwards one direction in random pieces with random short pauses; passes EOF on as a half-close. */
    static final class Pump implements Runnable {
        final SocketChannel from;
        final SocketChannel to;
        final SplittableRandom rnd;
        final RandomPauses pauses;
        final int maxPiece;
        volatile @Nullable Throwable failure;

        Pump(SocketChannel from, SocketChannel to, SplittableRandom rnd, int maxPiece) {
            this.from = from;
            this.to = to;
            this.rnd = rnd;
            this.pauses = new RandomPauses(rnd, 64, Duration.ofMillis(2), Duration.ofMillis(150));
            this.maxPiece = maxPiece;
        }

        @Override
        public void run() {
            ByteBuffer buf = ByteBuffer.allocate(16 * 1024);
            try {
                while (from.read(buf.clear()) >= 0) {
                    buf.flip();
                    while (buf.hasRemaining()) {
                        int piece = Math.min(buf.remaining(), rnd.nextInt(1, maxPiece + 1));
                        ByteBuffer part = buf.slice(buf.position(), piece);
                        while (part.hasRemaining()) {
                            to.write(part);
                        }
                        buf.position(buf.position() + piece);
                        pauses.maybePause();
                    }
                }
                to.shutdownOutput();
            } catch (IOException e) {
                // The other pump closed both sockets, or a side aborted: the end checks say whether that was right.
                closeQuietly(to);
                closeQuietly(from);
            } catch (Throwable t) {
                failure = t;
            }
        }
    }

    static void closeQuietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** Both protocols' shared bookkeeping. */
    abstract static class Side extends RecordingStreamProtocol<StreamTransport> {
        final SplittableRandom rnd;
        final RandomChunks chunks;
        final ReadinessEventLoop loop;
        boolean paused;
        boolean readPauses;

        Side(ReadinessEventLoop loop, SplittableRandom rnd) {
            super(loop, StreamTransport.class);
            this.loop = loop;
            this.rnd = rnd;
            this.chunks = new RandomChunks(rnd, 10, 100_000, 3000);
        }

        @Override
        public void connectionMade(Transport t) {
            super.connectionMade(t);
            readPauses = rnd.nextBoolean();
            if (rnd.nextBoolean()) {
                int high = rnd.nextInt(0, 64 * 1024);
                transport().setWriteBufferLimits(high, rnd.nextInt(0, high + 1));
            }
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            if (!"data".equals(lastEvent())) {
                record("data");
            }
            byte[] b = new byte[data.remaining()];
            data.get(b);
            keep(b);
            received(b);
            maybePauseReading();
        }

        /** Now and then stops reading for a moment, as an application applying back pressure does. */
        void maybePauseReading() {
            if (readPauses && transport().isReading() && rnd.nextInt(4) == 0) {
                transport().pauseReading();
                Runnable resume = () -> transport().resumeReading();
                if (rnd.nextBoolean()) {
                    loop.callSoon(resume);
                } else {
                    loop.callLater(Duration.ofNanos(rnd.nextLong(2_000_000L)), resume);
                }
            }
        }

        abstract void received(byte[] b);

        @Override
        public void pauseWriting() {
            record(paused ? "pause-while-paused" : "pause");
            paused = true;
        }

        @Override
        public void resumeWriting() {
            record(paused ? "resume" : "resume-while-running");
            paused = false;
        }

        /** Writes {@code data} in random pieces, as arrays, heap slices and direct buffers. */
        void writeRandomly(byte[] data) {
            for (int at = 0; at < data.length; ) {
                int n = chunks.next(data.length - at);
                switch (rnd.nextInt(3)) {
                    case 0 -> transport().write(Arrays.copyOfRange(data, at, at + n));
                    case 1 -> transport().write(ByteBuffer.wrap(data, at, n));
                    default -> transport().write(ByteBuffer.allocateDirect(n).put(data, at, n).flip());
                }
                at += n;
            }
        }

        /** Events without the flow-control ones (which depend on timing), which must alternate on their own. */
        List<String> mainEvents() {
            List<String> main = new ArrayList<>();
            String last = "resume";
            for (String e : events()) {
                if (e.equals("pause") || e.equals("resume")) {
                    if (e.equals(last)) {
                        main.add("flow out of order: " + e);
                    }
                    last = e;
                } else {
                    main.add(e);
                }
            }
            return main;
        }
    }

    /** Echoes the request; after it, writes the trailer and closes at once (when {@code closes}). */
    static final class EchoServer extends Side {
        final byte[] trailer;
        final boolean closes;
        long expected = -1;
        long seen;

        EchoServer(ReadinessEventLoop loop, SplittableRandom rnd, byte[] trailer, boolean closes) {
            super(loop, rnd);
            this.trailer = trailer;
            this.closes = closes;
        }

        @Override
        void received(byte[] b) {
            int from = 0;
            if (expected < 0) {
                if (size() < 8) {
                    return;
                }
                expected = ByteBuffer.wrap(bytes(), 0, 8).getLong();
                from = b.length - (size() - 8);
            }
            seen += b.length - from;
            if (from < b.length) {
                writeRandomly(Arrays.copyOfRange(b, from, b.length));
            }
            if (seen == expected && closes) {
                writeRandomly(trailer);
                transport().close();
            }
        }
    }

    /** Sends the length and then the request in random writes over several iterations; closes at once if told. */
    static final class Client extends Side {
        final byte[] request;
        final boolean closes;
        int sent;

        Client(ReadinessEventLoop loop, SplittableRandom rnd, byte[] request, boolean closes) {
            super(loop, rnd);
            this.request = request;
            this.closes = closes;
        }

        @Override
        public void connectionMade(Transport t) {
            super.connectionMade(t);
            transport().write(ByteBuffer.allocate(8).putLong(0, request.length));
            loop.callSoon(this::step);
        }

        void step() {
            if (transport().isClosing()) {
                return;
            }
            int n = Math.min(request.length - sent, rnd.nextInt(0, 40_000));
            writeRandomly(Arrays.copyOfRange(request, sent, sent + n));
            sent += n;
            if (sent < request.length) {
                loop.callSoon(this::step);
            } else if (closes) {
                transport().close();
            }
        }

        @Override
        void received(byte[] b) {
        }
    }

    void scenario(long seed) throws Exception {
        SplittableRandom rnd = new SplittableRandom(seed);
        int maxPiece = new int[] {1, 7, 100, 1500, 17_000}[rnd.nextInt(5)];
        int cap = maxPiece < 100 ? 24 * 1024 : 400 * 1024;
        byte[] request = RandomBytes.perByte(rnd, rnd.nextInt(0, cap));
        boolean serverCloses = rnd.nextBoolean();
        byte[] trailer = serverCloses ? RandomBytes.perByte(rnd, rnd.nextInt(0, cap)) : new byte[0];
        String protocol = rnd.nextBoolean() ? "TLSv1.2" : "TLSv1.3";
        HeapIo heapIo = rnd.nextBoolean() ? new StingyHeapIo(seed) : null;
        String setting = "pieces of 1.." + maxPiece + ", " + protocol + ", request " + request.length
                + (serverCloses ? ", server closes after a trailer of " + trailer.length : ", client closes")
                + (heapIo != null ? ", stingy HeapIo" : "");
        setting += " (seed " + seed + ")";
        List<Thread> pumps = new ArrayList<>();
        List<Pump> pumped = new ArrayList<>();
        List<String> reports = new ArrayList<>();
        SSLContext[] ctx = contexts(protocol);
        try (ReadinessEventLoop loop = SelectorLoops.newLoop(heapIo);
                ServerSocketChannel relay = ServerSocketChannel.open()
                        .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            loop.setExceptionHandler((l, c) -> reports.add(c.message() + ": " + c.exception()));
            EchoServer server = new EchoServer(loop, new SplittableRandom(seed * 3), trailer, serverCloses);
            Client client = new Client(loop, new SplittableRandom(seed * 5), request, !serverCloses);
            Server listening = loop.runUntilComplete(loop.createServer(() -> server, "127.0.0.1", 0,
                    ServerOptions.builder().ssl(ctx[0]).build()));
            InetSocketAddress serverAddress = (InetSocketAddress) listening.sockets().getFirst().socket()
                    .getLocalSocketAddress();
            Thread acceptor = Thread.ofPlatform().name("tls-relay-" + seed).start(() -> {
                try {
                    SocketChannel a = relay.accept();
                    SocketChannel b = SocketChannel.open(serverAddress);
                    for (SocketChannel s : List.of(a, b)) {
                        s.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    }
                    Pump up = new Pump(a, b, new SplittableRandom(seed * 7), maxPiece);
                    Pump down = new Pump(b, a, new SplittableRandom(seed * 11), maxPiece);
                    synchronized (pumps) {
                        pumped.add(up);
                        pumped.add(down);
                        pumps.add(Thread.ofPlatform().name("tls-up-" + seed).start(up));
                        pumps.add(Thread.ofPlatform().name("tls-down-" + seed).start(down));
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            int relayPort = ((InetSocketAddress) relay.getLocalAddress()).getPort();
            Connection<Client> c = loop.runUntilComplete(loop.createConnection(() -> client, "127.0.0.1", relayPort,
                    ConnectOptions.builder().ssl(ctx[1]).serverHostname("localhost").build()));
            Throwable clientLost = client.awaitLost(loop, WAIT);
            Throwable serverLost = server.awaitLost(loop, WAIT);
            listening.close();
            acceptor.join(WAIT.toMillis());
            synchronized (pumps) {
                for (Thread t : pumps) {
                    t.join(WAIT.toMillis());
                }
            }
            for (Pump p : pumped) {
                assertNull(p.failure, "relay failed");
            }
            assertEquals(List.of(), reports, setting + ": exception handler");
            assertNull(clientLost, setting + ": client's connectionLost");
            assertNull(serverLost, setting + ": server's connectionLost");
            byte[] header = ByteBuffer.allocate(8).putLong(0, request.length).array();
            ByteArrayOutputStream wanted = new ByteArrayOutputStream();
            wanted.writeBytes(header);
            wanted.writeBytes(request);
            assertArrayEquals(wanted.toByteArray(), server.bytes(), setting + ": what the server got");
            if (serverCloses) {
                ByteArrayOutputStream back = new ByteArrayOutputStream();
                back.writeBytes(request);
                back.writeBytes(trailer);
                assertArrayEquals(back.toByteArray(), client.bytes(), setting + ": what the client got");
                assertEquals(List.of("made", "eof", "lost"),
                        client.mainEvents().stream().filter(e -> !e.equals("data")).toList(), setting + ": client");
                assertEquals(List.of("made", "lost"),
                        server.mainEvents().stream().filter(e -> !e.equals("data")).toList(), setting + ": server");
            } else {
                assertEquals(List.of("made", "eof", "lost"),
                        server.mainEvents().stream().filter(e -> !e.equals("data")).toList(), setting + ": server");
                assertEquals(List.of("made", "lost"),
                        client.mainEvents().stream().filter(e -> !e.equals("data")).toList(), setting + ": client");
            }
            assertEquals(1, client.lostCalls(), setting);
            assertEquals(1, server.lostCalls(), setting);
            assertEquals(0, c.transport().getWriteBufferSize(), setting + ": client's write buffer at the end");
        }
    }
}
