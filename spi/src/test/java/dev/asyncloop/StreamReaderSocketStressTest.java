package dev.asyncloop;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.asyncloop.spi.ReadinessEventLoop;
import dev.asyncloop.spi.SelectorPoller;
import dev.asyncloop.testsupport.Drain;
import dev.asyncloop.testsupport.RandomChunks;
import dev.asyncloop.testsupport.RandomPauses;
import dev.asyncloop.testsupport.SocketPair;
import dev.asyncloop.testsupport.StressSeeds;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link StreamReader} on a real socket ({@link Streams#openConnection(SocketChannel, int)}) with a small limit,
 * fed by a peer that sends a random byte string in random pieces with short random pauses: random reads, each
 * checked against the stream with an oracle that holds whatever the chunking (a read's result, a
 * {@link LimitOverrunError}'s {@code consumed} and what {@code readLine} dropped, an {@link IncompleteReadError}'s
 * partial data), so that the kernel's timing cannot make it fail. Between reads the reader's flow control must
 * hold on the real transport: more than twice the limit buffered means the socket is not being read. Every read
 * is bounded in time, so a read that waits on a paused transport fails instead of hanging.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StreamReaderSocketStressTest {
    private static final byte[] ALPHABET = "ab\r\nxyz".getBytes(US_ASCII);
    private static final byte[][] SEPARATORS = {
        "\n".getBytes(US_ASCII), "\r\n".getBytes(US_ASCII), "ab".getBytes(US_ASCII), "aba".getBytes(US_ASCII),
        "xyzx".getBytes(US_ASCII),
    };
    private static final Duration READ_WAIT = Duration.ofSeconds(10);

    @Test
    @DisplayName("random reads with a small limit over a socket fed in random pieces: an oracle agrees every time")
    void overASocket() {
        StressSeeds.forEach(this::scenario, 301, 302, 303, 304, 305, 306);
    }

    void scenario(long seed) throws Exception {
        SplittableRandom rnd = new SplittableRandom(seed);
        int limit = rnd.nextBoolean() ? rnd.nextInt(1, 65) : rnd.nextInt(300, 4000);
        byte[] stream = new byte[rnd.nextInt(0, Math.min(60 * limit + 2000, 300_000))];
        for (int i = 0; i < stream.length; i++) {
            stream[i] = rnd.nextInt(10) == 0 ? (byte) rnd.nextInt(256) : ALPHABET[rnd.nextInt(ALPHABET.length)];
        }
        try (ReadinessEventLoop loop = new ReadinessEventLoop(new SelectorPoller(), null) { };
                SocketPair ends = SocketPair.open()) {
            List<ExceptionContext> reports = new ArrayList<>();
            loop.setExceptionHandler((l, c) -> reports.add(c));
            Thread sender = Thread.ofPlatform().name("sender-" + seed).start(() -> send(ends.peer(), stream, seed));
            SocketChannel ours = ends.ours();
            ours.configureBlocking(false);
            StreamPair pair = loop.runUntilComplete(() -> Async.await(Streams.openConnection(ours, limit)));
            Oracle oracle = new Oracle(stream, limit, new SplittableRandom(seed * 7), pair);
            loop.runUntilComplete(loop.createTask(() -> {
                oracle.run();
                return null;
            }));
            pair.writer().close();
            loop.runUntilComplete(pair.writer().waitClosed());
            sender.join(READ_WAIT.toMillis());
            assertEquals(List.of(), reports, "exception handler");
        }
    }

    private static void send(SocketChannel peer, byte[] stream, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed * 13);
        try {
            peer.setOption(StandardSocketOptions.TCP_NODELAY, true);
            new RandomChunks(rnd, 3, 20, 20_000).writeAll(stream, RandomChunks.to(peer),
                    new RandomPauses(rnd, 30, Duration.ofMillis(2), Duration.ofMillis(200)));
            peer.shutdownOutput();
            Drain.untilEof(peer); // until the client closes
            peer.close();
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** Runs random reads on the loop and checks each against the stream from the read position. */
    static final class Oracle {
        final byte[] s;
        final int limit;
        final SplittableRandom rnd;
        final StreamReader reader;
        final WriteTransport transport;
        final StringBuilder log = new StringBuilder();
        int pos;

        Oracle(byte[] stream, int limit, SplittableRandom rnd, StreamPair pair) {
            this.s = stream;
            this.limit = limit;
            this.rnd = rnd;
            this.reader = pair.reader();
            this.transport = pair.writer().transport();
        }

        byte[] rest(int from, int to) {
            return Arrays.copyOfRange(s, from, to);
        }

        void run() {
            while (!reader.atEof()) {
                String where = "limit " + limit + ", at " + pos + " of " + s.length + ", after" + tail();
                int buffered = reader.buffered();
                ReadTransport read = (ReadTransport) transport;
                assertTrue(buffered <= 2 * limit || !read.isReading(), () -> where + ": " + buffered
                        + " bytes buffered, more than twice the limit, and the socket is still read");
                int r = rnd.nextInt(100);
                if (r < 25) {
                    int n = rnd.nextInt(0, 2 * limit + 6);
                    log.append(" read(").append(n).append(')');
                    byte[] got = bounded(reader.read(n));
                    if (n == 0) {
                        assertEquals(0, got.length, where);
                    } else if (got.length == 0) {
                        assertEquals(s.length, pos, () -> where + ": empty read before the end");
                    } else {
                        assertTrue(got.length <= n, where);
                        assertArrayEquals(rest(pos, pos + got.length), got, where);
                        pos += got.length;
                    }
                } else if (r < 45) {
                    int n = rnd.nextInt(0, 3 * limit + 2);
                    log.append(" readExactly(").append(n).append(')');
                    try {
                        byte[] got = bounded(reader.readExactly(n));
                        assertTrue(pos + n <= s.length, where);
                        assertArrayEquals(rest(pos, pos + n), got, where);
                        pos += n;
                    } catch (IncompleteReadError e) {
                        assertTrue(pos + n > s.length, () -> where + ": incomplete with enough data");
                        assertArrayEquals(rest(pos, s.length), e.partial(), where);
                        assertEquals(n, e.expected(), where);
                        pos = s.length;
                    }
                } else if (r < 70) {
                    log.append(" readLine()");
                    readLine(where);
                } else if (r < 71 && rnd.nextInt(8) == 0) {
                    log.append(" read()");
                    assertArrayEquals(rest(pos, s.length), bounded(reader.read()), where);
                    pos = s.length;
                } else {
                    List<byte[]> seps = new ArrayList<>();
                    for (int i = rnd.nextInt(4) == 0 ? rnd.nextInt(2, 4) : 1; i > 0; i--) {
                        seps.add(SEPARATORS[rnd.nextInt(SEPARATORS.length)]);
                    }
                    seps.sort(Comparator.comparingInt(x -> x.length));
                    log.append(" readUntil(").append(seps.size()).append(')');
                    readUntil(seps, where);
                }
            }
            assertEquals(s.length, pos, "everything read at EOF");
        }

        private String tail() {
            return log.length() <= 300 ? log.toString() : "..." + log.substring(log.length() - 300);
        }

        private byte[] bounded(Future<byte[]> read) {
            try {
                return Tasks.waitFor(read, READ_WAIT);
            } catch (TimeoutError e) {
                fail("a read waited " + READ_WAIT + " (the transport paused under it?) after" + tail());
                throw e;
            }
        }

        /** The separator that ends first in the rest of the stream: {start, end}, or null. */
        private int[] match(List<byte[]> seps) {
            int[] best = null;
            for (byte[] sep : seps) {
                int at = indexOf(sep);
                if (at >= 0 && (best == null || at + sep.length < best[1])) {
                    best = new int[] {at, at + sep.length};
                }
            }
            return best;
        }

        private int indexOf(byte[] sep) {
            outer:
            for (int i = pos; i + sep.length <= s.length; i++) {
                for (int j = 0; j < sep.length; j++) {
                    if (s[i + j] != sep[j]) {
                        continue outer;
                    }
                }
                return i - pos;
            }
            return -1;
        }

        private void readUntil(List<byte[]> seps, String where) {
            int[] m = match(seps);
            int longest = seps.get(seps.size() - 1).length;
            int left = s.length - pos;
            try {
                byte[] got = bounded(seps.size() == 1 ? reader.readUntil(seps.get(0)) : reader.readUntil(seps));
                assertTrue(m != null && m[0] <= limit, () -> where + ": a result without a separator within the limit");
                assertArrayEquals(rest(pos, pos + m[1]), got, where);
                pos += m[1];
            } catch (LimitOverrunError e) {
                int c = e.consumed();
                boolean foundTooFar = m != null && m[0] > limit && c == m[0];
                // not found yet: the buffer held c + longest - 1 bytes, all before the separator's end
                boolean notFoundYet = c > limit && c + longest - 1 <= left && (m == null || c + longest - 1 < m[1]);
                assertTrue(foundTooFar || notFoundYet, () -> where + ": overrun with consumed " + c + ", match "
                        + Arrays.toString(m));
            } catch (IncompleteReadError e) {
                assertTrue(m == null, () -> where + ": incomplete although a separator follows");
                assertTrue(left + 1 - longest <= limit || left < seps.get(0).length, where);
                assertArrayEquals(rest(pos, s.length), e.partial(), where);
                pos = s.length;
            }
        }

        private void readLine(String where) {
            int nl = indexOf(new byte[] {'\n'});
            int left = s.length - pos;
            try {
                byte[] got = bounded(reader.readLine());
                if (nl >= 0) {
                    assertTrue(nl <= limit, () -> where + ": a line longer than the limit");
                    assertArrayEquals(rest(pos, pos + nl + 1), got, where);
                    pos += nl + 1;
                } else {
                    assertTrue(left <= limit, () -> where + ": an incomplete last line longer than the limit");
                    assertArrayEquals(rest(pos, s.length), got, where);
                    pos = s.length;
                }
            } catch (LimitOverrunError e) {
                int c = e.consumed();
                if (e.getMessage().startsWith("separator is found")) {
                    assertTrue(nl == c && c > limit, () -> where + ": found overrun, consumed " + c + ", newline " + nl);
                    pos += c + 1;
                } else {
                    assertTrue(c > limit && c <= left && (nl < 0 || c <= nl), () -> where + ": overrun, consumed "
                            + c + ", newline at " + nl);
                    pos += c; // the buffer, c bytes, was dropped
                }
            }
        }
    }
}
