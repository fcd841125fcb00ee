package dev.asyncloop;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.asyncloop.testsupport.StressSeeds;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link StreamReader} against a model of asyncio's {@code StreamReader} (a byte array and a read position): a
 * random byte string arrives in random chunks (1 byte to 3 x limit, as byte arrays, heap buffers with an offset
 * and direct buffers) through a transport that honours pause/resume, interleaved with random reads, cancelled
 * reads, EOF and a stream error. Every read's outcome (result, {@link LimitOverrunError#consumed()},
 * {@link IncompleteReadError#partial()}), the bytes left, and the pause/resume calls are checked against the
 * model at every step. Reads complete synchronously inside {@code feedData}/{@code feedEof}, so the model
 * decides after each feed whether the waiting read is over.
 */
class StreamReaderModelTest extends LoopFixture {
    private static final byte[] ALPHABET = "ab\r\nxyz".getBytes(US_ASCII);
    private static final byte[][] SEPARATORS = {
        b("\n"), b("\r\n"), b("ab"), b("aba"), b("xyzx"), b("\r\n\r\n"), b("z"),
    };

    static byte[] b(String s) {
        return s.getBytes(US_ASCII);
    }

    @Test
    @DisplayName("random chunkings, reads, limits, cancellations and EOF agree with asyncio's StreamReader model")
    void againstModel() {
        run(() -> {
            StressSeeds.forEach(this::scenario, LongStream.rangeClosed(1, 400).toArray());
            return null;
        });
    }

    // ------------------------------------------------------------------ the model

    enum Kind { READ, EXACTLY, UNTIL, LINE }

    /** One read: its kind, its count or its separators (sorted by length, as asyncio sorts them). */
    record Op(Kind kind, int n, List<byte[]> seps) {
        @Override
        public String toString() {
            return switch (kind) {
                case READ -> "read(" + n + ")";
                case EXACTLY -> "readExactly(" + n + ")";
                case LINE -> "readLine()";
                case UNTIL -> "readUntil(" + seps.stream().map(s -> HexFormat.of().formatHex(s)).toList() + ")";
            };
        }
    }

    /** What the model says a read does now. */
    sealed interface Outcome permits More, Result, Overrun, Incomplete { }

    record More() implements Outcome { }

    record Result(byte[] bytes) implements Outcome { }

    record Overrun(int consumed) implements Outcome { }

    record Incomplete(byte[] partial, int expected) implements Outcome { }

    /** asyncio's reader over the stream: {@code stream[pos, fed)} is the buffer. */
    static final class Model {
        final byte[] stream;
        final int limit;
        int pos;
        int fed;
        boolean eof;
        /** What a pending read(-1) has taken so far. */
        final ByteArrayOutputStream all = new ByteArrayOutputStream();

        Model(byte[] stream, int limit) {
            this.stream = stream;
            this.limit = limit;
        }

        int size() {
            return fed - pos;
        }

        byte[] take(int n) {
            int k = Math.min(n, size());
            byte[] out = Arrays.copyOfRange(stream, pos, pos + k);
            pos += k;
            return out;
        }

        /** One attempt of {@code op}, as asyncio's coroutine would run it on waking with this buffer. */
        Outcome attempt(Op op) {
            switch (op.kind) {
                case READ -> {
                    if (op.n == 0) {
                        return new Result(new byte[0]);
                    }
                    if (op.n < 0) {
                        all.writeBytes(take(size()));
                        return eof ? new Result(all.toByteArray()) : new More();
                    }
                    if (size() == 0 && !eof) {
                        return new More();
                    }
                    return new Result(take(op.n));
                }
                case EXACTLY -> {
                    if (size() >= op.n) {
                        return new Result(take(op.n));
                    }
                    return eof ? new Incomplete(take(size()), op.n) : new More();
                }
                case UNTIL -> {
                    return until(op.seps);
                }
                case LINE -> {
                    Outcome o = until(List.of(b("\n")));
                    if (o instanceof Incomplete i) {
                        return new Result(i.partial);
                    }
                    if (o instanceof Overrun over) {
                        if (over.consumed < size() && stream[pos + over.consumed] == '\n') {
                            pos += over.consumed + 1;
                        } else {
                            pos = fed;
                        }
                    }
                    return o;
                }
                default -> throw new AssertionError(op);
            }
        }

        /** readuntil: the match that ends first (the shorter separator on a tie), from the buffer's start. */
        private Outcome until(List<byte[]> seps) {
            int start = -1;
            int end = -1;
            for (byte[] sep : seps) {
                int at = indexOf(sep);
                if (at >= 0 && (end < 0 || at + sep.length < end)) {
                    start = at;
                    end = at + sep.length;
                }
            }
            if (end >= 0) {
                return start > limit ? new Overrun(start) : new Result(take(end));
            }
            int longest = seps.get(seps.size() - 1).length;
            int shortest = seps.get(0).length;
            int offset = Math.max(0, size() + 1 - longest);
            if (size() >= shortest && offset > limit) {
                return new Overrun(offset);
            }
            return eof ? new Incomplete(take(size()), -1) : new More();
        }

        private int indexOf(byte[] sep) {
            outer:
            for (int i = pos; i + sep.length <= fed; i++) {
                for (int j = 0; j < sep.length; j++) {
                    if (stream[i + j] != sep[j]) {
                        continue outer;
                    }
                }
                return i - pos;
            }
            return -1;
        }
    }

    // ------------------------------------------------------------------ one run

    /** The state of one scenario, for the checks and the failure messages. */
    private final class Run {
        final SplittableRandom rnd;
        final int limit;
        final Model model;
        final List<int[]> chunks = new ArrayList<>();
        final FakeStreamTransport transport = new FakeStreamTransport();
        final StreamReader reader;
        final StringBuilder log = new StringBuilder();
        int nextChunk;

        Run(long seed) {
            rnd = new SplittableRandom(seed);
            int r = rnd.nextInt(10);
            limit = r < 5 ? rnd.nextInt(1, 9) : r < 8 ? rnd.nextInt(9, 65) : rnd.nextInt(300, 1500);
            byte[] stream = new byte[rnd.nextInt(0, Math.min(40 * limit + 64, 120_000))];
            for (int i = 0; i < stream.length; i++) {
                stream[i] = rnd.nextInt(10) == 0 ? (byte) rnd.nextInt(256) : ALPHABET[rnd.nextInt(ALPHABET.length)];
            }
            for (int at = 0; at < stream.length; ) {
                int n = Math.min(stream.length - at, rnd.nextInt(1, 3 * limit + 1));
                chunks.add(new int[] {at, n});
                at += n;
            }
            model = new Model(stream, limit);
            reader = new StreamReader(loop, limit);
            reader.setTransport(transport);
        }

        boolean allFed() {
            return nextChunk == chunks.size();
        }

        /** Delivers the next chunk in one of three buffer shapes; the model's buffer grows with it. */
        void feedChunk() {
            int[] c = chunks.get(nextChunk++);
            byte[] src = model.stream;
            switch (rnd.nextInt(3)) {
                case 0 -> reader.feedData(Arrays.copyOfRange(src, c[0], c[0] + c[1]));
                case 1 -> {
                    byte[] padded = new byte[c[1] + 7];
                    System.arraycopy(src, c[0], padded, 3, c[1]);
                    ByteBuffer bb = ByteBuffer.wrap(padded, 3, c[1]).slice();
                    reader.feedData(bb);
                    assertFalse(bb.hasRemaining(), "feedData consumes the buffer");
                    Arrays.fill(padded, (byte) 0); // the reader copied
                }
                default -> {
                    ByteBuffer bb = ByteBuffer.allocateDirect(c[1]).put(src, c[0], c[1]).flip();
                    reader.feedData(bb);
                    assertFalse(bb.hasRemaining(), "feedData consumes the buffer");
                }
            }
            model.fed += c[1];
            log.append(" feed").append(c[1]);
        }

        void feedEof() {
            reader.feedEof();
            model.eof = true;
            log.append(" eof");
        }

        Op randomOp() {
            int r = rnd.nextInt(100);
            if (r < 30) {
                int k = rnd.nextInt(20);
                int n = k == 0 ? 0 : k == 1 && allFed() ? -1 : rnd.nextInt(1, 2 * limit + 6);
                return new Op(Kind.READ, n, List.of());
            }
            if (r < 50) {
                return new Op(Kind.EXACTLY, rnd.nextInt(0, 3 * limit + 2), List.of());
            }
            if (r < 70) {
                return new Op(Kind.LINE, 0, List.of());
            }
            List<byte[]> seps = new ArrayList<>();
            int count = rnd.nextInt(4) == 0 ? rnd.nextInt(2, 4) : 1;
            for (int i = 0; i < count; i++) {
                seps.add(SEPARATORS[rnd.nextInt(SEPARATORS.length)]);
            }
            seps.sort(Comparator.comparingInt(s -> s.length));
            return new Op(Kind.UNTIL, 0, seps);
        }

        Future<byte[]> start(Op op) {
            return switch (op.kind) {
                case READ -> reader.read(op.n);
                case EXACTLY -> reader.readExactly(op.n);
                case LINE -> reader.readLine();
                case UNTIL -> op.seps.size() == 1 && rnd.nextBoolean()
                        ? reader.readUntil(op.seps.get(0)) : reader.readUntil(op.seps);
            };
        }

        /** The reader's future agrees with the model's outcome; returns whether the read is over. */
        boolean check(Op op, Future<byte[]> f, Outcome expected) {
            String where = op + " after" + log;
            switch (expected) {
                case More m -> {
                    assertFalse(f.isDone(), () -> where + ": the model still waits, the reader completed: " + f);
                    return false;
                }
                case Result res -> {
                    assertTrue(f.isDone(), () -> where + ": the model completed, the reader still waits");
                    assertTrue(f.exception().isEmpty(), () -> where + ": expected a result, got " + f.exception());
                    assertArrayEquals(res.bytes, f.result(), () -> where + ": result");
                }
                case Overrun over -> {
                    assertTrue(f.isDone(), () -> where + ": the model overran, the reader still waits");
                    LimitOverrunError e = assertInstanceOf(LimitOverrunError.class,
                            f.exception().orElse(null), where);
                    assertEquals(over.consumed, e.consumed(), () -> where + ": consumed");
                }
                case Incomplete inc -> {
                    assertTrue(f.isDone(), () -> where + ": the model hit EOF, the reader still waits");
                    IncompleteReadError e = assertInstanceOf(IncompleteReadError.class,
                            f.exception().orElse(null), where);
                    assertArrayEquals(inc.partial, e.partial(), () -> where + ": partial");
                    assertEquals(inc.expected, e.expected(), () -> where + ": expected");
                }
            }
            return true;
        }

        /**
         * Flow control: calls alternate starting with pause; a waiting read never sits on a paused transport;
         * data that leaves more than 2 x limit buffered with no read waiting pauses (only data does: a waiting
         * read that is cancelled leaves what it waited over buffered until the next data, as in asyncio, where
         * the waiting read resumed the transport); paused only above the limit (or at EOF).
         */
        void checkInvariants(boolean readWaiting) {
            checkInvariants(readWaiting, false);
        }

        void checkInvariants(boolean readWaiting, boolean justFed) {
            String where = "after" + log;
            assertEquals(model.size(), reader.buffered(), () -> where + ": bytes buffered");
            List<String> calls = transport.calls;
            for (int i = 0; i < calls.size(); i++) {
                assertEquals(i % 2 == 0 ? "pause" : "resume", calls.get(i), () -> where + ": calls " + calls);
            }
            boolean paused = !transport.reading;
            if (readWaiting) {
                assertFalse(paused, () -> where + ": a read waits on a paused transport (deadlock)");
            } else if (justFed && reader.buffered() > 2 * limit) {
                assertTrue(paused, () -> where + ": " + reader.buffered() + " bytes buffered, limit " + limit
                        + ", no read waiting, yet not paused");
            }
            if (paused) {
                assertTrue(reader.buffered() > limit || model.eof, () -> where + ": paused with "
                        + reader.buffered() + " bytes, limit " + limit);
            }
            assertEquals(model.eof && model.size() == 0, reader.atEof(), () -> where + ": atEof");
        }
    }

    void scenario(long seed) {
        Run run = new Run(seed);
        Model model = run.model;
        SplittableRandom rnd = run.rnd;
        int ops = rnd.nextInt(10, 80);
        for (int i = 0; i < ops; i++) {
            for (int k = rnd.nextInt(3); k > 0 && !run.allFed() && run.transport.reading; k--) {
                run.feedChunk();
                run.checkInvariants(false, true);
            }
            if (run.allFed() && !model.eof && rnd.nextInt(8) == 0) {
                run.feedEof();
                run.checkInvariants(false);
            }
            if (rnd.nextInt(60) == 0) {
                failStream(run);
                return;
            }
            Op op = run.randomOp();
            run.log.append(' ').append(op);
            model.all.reset();
            Future<byte[]> f = run.start(op);
            boolean over = run.check(op, f, model.attempt(op));
            run.checkInvariants(!over);
            while (!over) {
                if (rnd.nextInt(12) == 0) {
                    assertTrue(f.cancel(), "a waiting read can be cancelled");
                    run.log.append(" cancel");
                    run.checkInvariants(false);
                    break;
                }
                if (!run.allFed()) {
                    run.feedChunk();
                } else if (!model.eof) {
                    run.feedEof();
                } else {
                    fail(op + " still waits at EOF after" + run.log);
                }
                over = run.check(op, f, model.attempt(op));
                run.checkInvariants(!over, true);
            }
        }
        // Whatever is left, through read(-1): a read that waits resumes the transport, so this always ends.
        run.log.append(" rest");
        model.all.reset();
        Op rest = new Op(Kind.READ, -1, List.of());
        Future<byte[]> f = run.start(rest);
        boolean over = run.check(rest, f, model.attempt(rest));
        while (!over) {
            if (!run.allFed()) {
                run.feedChunk();
            } else {
                run.feedEof();
            }
            over = run.check(rest, f, model.attempt(rest));
            run.checkInvariants(!over);
        }
        assertTrue(run.reader.atEof(), "atEof after reading everything");
        assertEquals(model.stream.length, model.fed);
    }

    /** setException: the waiting read and every later read fail with it; buffered bytes are not readable. */
    private void failStream(Run run) {
        Future<byte[]> waiting = run.allFed() && run.model.eof ? null : run.reader.read(-1);
        IllegalStateException broken = new IllegalStateException("stream broke");
        run.reader.setException(broken);
        if (waiting != null) {
            assertTrue(waiting.isDone());
            assertEquals(broken, waiting.exception().orElseThrow());
        }
        for (Future<byte[]> f : List.of(run.reader.read(0), run.reader.read(5), run.reader.readLine(),
                run.reader.readExactly(0), run.reader.readUntil(b("ab")))) {
            assertTrue(f.isDone());
            assertEquals(broken, f.exception().orElseThrow());
        }
        assertNotEquals(null, run.reader.exception().orElse(null));
    }
}
