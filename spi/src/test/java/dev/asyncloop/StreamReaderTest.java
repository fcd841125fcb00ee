package dev.asyncloop;

import static dev.asyncloop.Async.await;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link StreamReader} on fed data, no sockets: in the spirit of CPython's test_streams reader tests. */
class StreamReaderTest extends LoopFixture {

    static byte[] b(String s) {
        return s.getBytes(US_ASCII);
    }

    static String s(byte[] b) {
        return new String(b, US_ASCII);
    }

    /** Feeds {@code data} one iteration later, from a callback, as a transport would. */
    void feedSoon(StreamReader r, String data) {
        loop.callSoon(() -> r.feedData(b(data)));
    }

    @Test
    @DisplayName("limit: default 64 KiB; <= 0 refused")
    void limitRules() {
        assertEquals(64 * 1024, new StreamReader(loop).limit());
        assertThrows(IllegalArgumentException.class, () -> new StreamReader(loop, 0));
        assertThrows(IllegalArgumentException.class, () -> new StreamReader(loop, -1));
    }

    @Test
    @DisplayName("feedData: empty data changes nothing; data is copied; atEof only once EOF fed and buffer empty")
    void feedAndEof() {
        run(() -> {
            StreamReader r = new StreamReader(loop);
            r.feedData(new byte[0]);
            assertFalse(r.atEof());
            byte[] data = b("line1\n");
            r.feedData(data);
            data[0] = 'X';
            r.feedEof();
            assertFalse(r.atEof(), "data still buffered");
            assertEquals("line1\n", s(await(r.read(-1))));
            assertTrue(r.atEof());
            assertThrows(IllegalStateException.class, () -> r.feedData(b("x")));
            return null;
        });
    }

    @Test
    @DisplayName("read(n): 0 is empty at once; waits for data, returns at most n; at EOF empty")
    void readN() {
        run(() -> {
            StreamReader r = new StreamReader(loop);
            assertEquals(0, await(r.read(0)).length);
            Future<byte[]> f = r.read(30);
            assertFalse(f.isDone());
            feedSoon(r, "line1\nline2\n");
            assertEquals("line1\nline2\n", s(await(f)));
            r.feedData(b("abcdef"));
            assertEquals("abc", s(await(r.read(3))));
            assertEquals("def", s(await(r.read(10))));
            Future<byte[]> atEnd = r.read(10);
            loop.callSoon(r::feedEof);
            assertEquals(0, await(atEnd).length);
            assertEquals(0, await(r.read(10)).length, "read after EOF");
            return null;
        });
    }

    @Test
    @DisplayName("read(-1) collects everything until EOF, beyond the limit")
    void readToEof() {
        run(() -> {
            StreamReader r = new StreamReader(loop, 4);
            Future<byte[]> all = r.read(-1);
            feedSoon(r, "chunk1\n");
            feedSoon(r, "chunk2");
            loop.callSoon(r::feedEof);
            assertEquals("chunk1\nchunk2", s(await(all)));
            return null;
        });
    }

    @Test
    @DisplayName("readLine: across chunks; incomplete last line at EOF; empty at EOF")
    void readLine() {
        run(() -> {
            StreamReader r = new StreamReader(loop);
            r.feedData(b("chunk1 "));
            Future<byte[]> line = r.readLine();
            feedSoon(r, "chunk2 ");
            feedSoon(r, "chunk3 ");
            feedSoon(r, "\n chunk4");
            assertEquals("chunk1 chunk2 chunk3 \n", s(await(line)));
            r.feedEof();
            assertEquals(" chunk4", s(await(r.readLine())));
            assertEquals(0, await(r.readLine()).length);
            return null;
        });
    }

    @Test
    @DisplayName("readLine over the limit: LimitOverrunError; the long line (or the whole buffer) is dropped")
    void readLineLimit() {
        run(() -> {
            StreamReader r = new StreamReader(loop, 3);
            r.feedData(b("li"));
            r.feedData(b("ne1\nline2\n"));
            LimitOverrunError e = assertThrows(LimitOverrunError.class, () -> await(r.readLine()));
            assertEquals(5, e.consumed(), "index of the newline");
            assertEquals("line2\n", s(await(r.read(100))), "the over-long line and its newline are gone");

            StreamReader r2 = new StreamReader(loop, 3);
            r2.feedData(b("chunk1"));
            assertThrows(LimitOverrunError.class, () -> await(r2.readLine()));
            r2.feedData(b("x\n"));
            assertEquals("x\n", s(await(r2.readLine())), "no newline buffered: the whole buffer was dropped");

            StreamReader r3 = new StreamReader(loop, 7);
            Future<byte[]> waiting = r3.readLine();
            feedSoon(r3, "chunk1");
            feedSoon(r3, "chunk2\n");
            LimitOverrunError late = assertThrows(LimitOverrunError.class, () -> await(waiting));
            assertTrue(late.consumed() > 7, "consumed " + late.consumed());
            return null;
        });
    }

    @Test
    @DisplayName("readUntil: multi-byte separator across chunks; data stays buffered on LimitOverrunError")
    void readUntil() {
        run(() -> {
            StreamReader r = new StreamReader(loop);
            assertThrows(IllegalArgumentException.class, () -> r.readUntil(new byte[0]));
            r.feedData(b("lineAAA"));
            assertEquals("lineAAA", s(await(r.readUntil(b("AAA")))));
            Future<byte[]> split = r.readUntil(b("AAA"));
            feedSoon(r, "QWEAA");
            feedSoon(r, "XYAA");
            feedSoon(r, "A");
            assertEquals("QWEAAXYAAA", s(await(split)));

            StreamReader small = new StreamReader(loop, 3);
            small.feedData(b("some dataAA"));
            LimitOverrunError notFound = assertThrows(LimitOverrunError.class,
                    () -> await(small.readUntil(b("AAA"))));
            assertTrue(notFound.getMessage().contains("not found"), notFound.getMessage());
            assertEquals("some dataAA", s(await(small.read(100))), "data left in the buffer");

            StreamReader found = new StreamReader(loop, 3);
            found.feedData(b("some dataAAA"));
            LimitOverrunError beyond = assertThrows(LimitOverrunError.class,
                    () -> await(found.readUntil(b("AAA"))));
            assertEquals(9, beyond.consumed(), "index of the separator");
            assertEquals("some dataAAA", s(await(found.read(100))));
            for (LimitOverrunError e : List.of(notFound, beyond)) {
                assertTrue(e.getMessage().contains("limit of 3 bytes")
                        && e.getMessage().contains("Streams.openConnection"), e.getMessage());
            }
            return null;
        });
    }

    @Test
    @DisplayName("readUntil(List): the separator that ends first wins, across chunks; limit and argument errors")
    void readUntilSeveralSeparators() {
        run(() -> {
            StreamReader r = new StreamReader(loop);
            List<byte[]> crlfOrLf = List.of(b("\r\n"), b("\n"));
            r.feedData(b("one\r\ntwo\nthree"));
            assertEquals("one\r\n", s(await(r.readUntil(crlfOrLf))));
            assertEquals("two\n", s(await(r.readUntil(crlfOrLf))));
            Future<byte[]> split = r.readUntil(List.of(b("END"), b("ee!")));
            feedSoon(r, "E");
            feedSoon(r, "N");
            feedSoon(r, "D");
            assertEquals("threeEND", s(await(split)), "the separator completed across three chunks");
            r.feedData(b("axyz"));
            assertEquals("axy", s(await(r.readUntil(List.of(b("xyz"), b("y"))))), "the one ending first, not the"
                    + " first listed");
            r.feedData(b("z"));
            assertEquals("z", s(await(r.read(1))));

            StreamReader small = new StreamReader(loop, 3);
            small.feedData(b("some data"));
            LimitOverrunError notFound = assertThrows(LimitOverrunError.class,
                    () -> await(small.readUntil(List.of(b("A"), b("AAAA")))));
            assertEquals(6, notFound.consumed(), "searched up to where the longest separator could start");
            assertEquals("some data", s(await(small.read(100))), "data left in the buffer");
            small.feedData(b("1234|"));
            LimitOverrunError beyond = assertThrows(LimitOverrunError.class,
                    () -> await(small.readUntil(List.of(b("|"), b("4|")))));
            assertEquals(4, beyond.consumed(), "of two ending together the shorter matched: its start counts");

            assertThrows(IllegalArgumentException.class, () -> r.readUntil(List.of()));
            assertThrows(IllegalArgumentException.class, () -> r.readUntil(List.of(b("x"), new byte[0])));
            assertThrows(NullPointerException.class, () -> r.readUntil(java.util.Arrays.asList(b("x"), null)));
            return null;
        });
    }

    @Test
    @DisplayName("readUntil(List): of two separators ending together the shorter matches in whatever order they are listed; a separator starting at the limit is within it")
    void readUntilTieAndLimitEdge() {
        run(() -> {
            StreamReader small = new StreamReader(loop, 3);
            small.feedData(b("1234|"));
            LimitOverrunError beyond = assertThrows(LimitOverrunError.class,
                    () -> await(small.readUntil(List.of(b("4|"), b("|")))));
            assertEquals(4, beyond.consumed(), "\"|\" (starting at 4) matched, not \"4|\" (starting at 3)");
            assertEquals("1234|", s(await(small.read(100))), "data left in the buffer");
            small.feedData(b("123|"));
            assertEquals("123|", s(await(small.readUntil(b("|")))), "asyncio refuses a separator only when it"
                    + " starts beyond the limit");
            return null;
        });
    }

    @Test
    @DisplayName("readLine and readUntil find a separator at the very start of the buffer: an empty line is its newline")
    void separatorAtTheStart() {
        run(() -> {
            StreamReader r = new StreamReader(loop);
            r.feedData(b("\nnext\n|rest"));
            assertEquals("\n", s(await(r.readLine())));
            assertEquals("next\n", s(await(r.readLine())));
            assertEquals("|", s(await(r.readUntil(b("|")))));
            assertEquals("rest", s(await(r.read(100))));
            return null;
        });
    }

    @Test
    @DisplayName("read(-1) of a paused stream that has ended takes everything and resumes the transport, as asyncio's read() does")
    void readAllResumesThePausedTransport() {
        run(() -> {
            FakeStreamTransport t = new FakeStreamTransport();
            StreamReader r = new StreamReader(loop, 1);
            r.setTransport(t);
            r.feedData(b("abc"));
            r.feedEof();
            assertEquals(List.of("pause"), t.calls);
            assertEquals("abc", s(await(r.read(-1))));
            assertEquals(List.of("pause", "resume"), t.calls);
            return null;
        });
    }

    @Test
    @DisplayName("toString shows what is buffered, eof, a non-default limit, a waiting read, the exception and a paused transport (asyncio's repr)")
    void toStringShowsTheState() {
        run(() -> {
            StreamReader r = new StreamReader(loop);
            assertEquals("StreamReader[0 bytes]", r.toString());
            Future<byte[]> waiting = r.read(1);
            assertEquals("StreamReader[0 bytes, waiting]", r.toString());
            r.feedData(b("x"));
            await(waiting);
            FakeStreamTransport t = new FakeStreamTransport();
            StreamReader small = new StreamReader(loop, 1);
            small.setTransport(t);
            small.feedData(b("abc"));
            small.feedEof();
            assertEquals("StreamReader[3 bytes, eof, limit=1, paused]", small.toString());
            StreamReader failed = new StreamReader(loop);
            failed.setException(new IOException("reset"));
            assertEquals("StreamReader[0 bytes, exception=java.io.IOException: reset]", failed.toString());
            return null;
        });
    }

    @Test
    @DisplayName("readUntil at EOF without separator: IncompleteReadError with the partial data (maybe part of it)")
    void readUntilEof() {
        run(() -> {
            StreamReader r = new StreamReader(loop);
            r.feedData(b("some dataAA"));
            r.feedEof();
            IncompleteReadError e = assertThrows(IncompleteReadError.class, () -> await(r.readUntil(b("AAA"))));
            assertEquals("some dataAA", s(e.partial()));
            assertEquals(-1, e.expected());
            assertTrue(r.atEof(), "partial data left the buffer");
            return null;
        });
    }

    @Test
    @DisplayName("readExactly: waits across chunks; 0 is empty; < 0 refused; EOF gives IncompleteReadError(partial, n)")
    void readExactly() {
        run(() -> {
            StreamReader r = new StreamReader(loop, 3);
            assertThrows(IllegalArgumentException.class, () -> r.readExactly(-1));
            assertEquals(0, await(r.readExactly(0)).length);
            Future<byte[]> f = r.readExactly(10);
            feedSoon(r, "01234");
            feedSoon(r, "56789abc");
            assertEquals("0123456789", s(await(f)), "not bounded by the limit");
            assertEquals("abc", s(await(r.readExactly(3))));
            Future<byte[]> g = r.readExactly(5);
            feedSoon(r, "xy");
            loop.callSoon(r::feedEof);
            IncompleteReadError e = assertThrows(IncompleteReadError.class, () -> await(g));
            assertEquals("xy", s(e.partial()));
            assertEquals(5, e.expected());
            assertTrue(r.atEof());
            return null;
        });
    }

    @Test
    @DisplayName("setException fails the pending read and every later one; buffered data is no longer readable")
    void exceptions() {
        run(() -> {
            StreamReader r = new StreamReader(loop);
            Future<byte[]> pending = r.readLine();
            IOException boom = new IOException("boom");
            loop.callSoon(() -> r.setException(boom));
            Throwable got = assertThrows(Throwable.class, () -> await(pending));
            assertSame(boom, got.getCause() == null ? got : got.getCause());
            assertEquals(Optional.of(boom), r.exception());
            r.feedData(b("data\n"));
            Future<byte[]> later = r.read(10);
            assertTrue(later.isDone());
            assertSame(boom, later.exception().orElseThrow());
            return null;
        });
    }

    @Test
    @DisplayName("one read at a time: a second read while one waits throws; cancelling the first frees the reader")
    void oneReadAtATime() {
        run(() -> {
            StreamReader r = new StreamReader(loop);
            Future<byte[]> first = r.readExactly(4);
            assertThrows(IllegalStateException.class, r::readLine);
            first.cancel();
            r.feedData(b("ab"));
            Future<byte[]> second = r.readLine();
            r.feedData(b("c\n"));
            assertEquals("abc\n", s(await(second)), "the cancelled read took nothing");
            return null;
        });
    }

    @Test
    @DisplayName("flow control: pauses the transport above 2 x limit, resumes at the limit or when a read waits")
    void pauseAndResume() {
        run(() -> {
            FakeStreamTransport t = new FakeStreamTransport();
            StreamReader r = new StreamReader(loop, 4);
            r.setTransport(t);
            assertThrows(IllegalStateException.class, () -> r.setTransport(t));
            r.feedData(b("12345678"));
            assertEquals(List.of(), t.calls, "8 bytes is not above 2 x 4");
            r.feedData(b("9"));
            assertEquals(List.of("pause"), t.calls);
            r.feedData(b("abc"));
            assertEquals(List.of("pause"), t.calls, "paused once");
            assertEquals("1234567", s(await(r.read(7))));
            assertEquals(List.of("pause"), t.calls, "5 bytes left, above the limit");
            assertEquals("8", s(await(r.read(1))));
            assertEquals(List.of("pause", "resume"), t.calls, "4 bytes left: at the limit, resumed");

            r.feedData(b("defghi"));
            assertEquals(List.of("pause", "resume", "pause"), t.calls);
            Future<byte[]> big = r.readExactly(20);
            assertEquals(List.of("pause", "resume", "pause", "resume"), t.calls,
                    "a read that has to wait resumes the transport (no deadlock)");
            r.feedData(b("01234"));
            assertEquals(List.of("pause", "resume", "pause", "resume"), t.calls,
                    "11 bytes buffered but the read still waits: no pause");
            r.feedData(b("56789"));
            assertEquals("9abcdefghi0123456789", s(await(big)));
            return null;
        });
    }

    @Test
    @DisplayName("a transport that cannot pause is forgotten; everything is buffered")
    void unpausableTransport() {
        run(() -> {
            FakeStreamTransport t = new FakeStreamTransport();
            t.canPause = false;
            StreamReader r = new StreamReader(loop, 1);
            r.setTransport(t);
            r.feedData(b("abc"));
            r.feedData(b("def"));
            assertEquals(List.of("pause"), t.calls, "tried once, then forgotten");
            assertEquals("abcdef", s(await(r.read(100))));
            return null;
        });
    }

    @Test
    @DisplayName("feedData(ByteBuffer) consumes the buffer and copies its bytes")
    void feedByteBuffer() {
        run(() -> {
            StreamReader r = new StreamReader(loop);
            ByteBuffer bb = ByteBuffer.wrap(b("xxhello"));
            bb.position(2);
            r.feedData(bb);
            assertFalse(bb.hasRemaining());
            bb.array()[2] = 'J';
            assertEquals("hello", s(await(r.read(100))));
            return null;
        });
    }
}
