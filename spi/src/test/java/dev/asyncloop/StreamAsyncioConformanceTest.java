package dev.asyncloop;

import static dev.asyncloop.Async.await;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * StreamReader and StreamWriter rules checked against CPython asyncio's streams.py, each test named after the
 * asyncio behaviour it checks.
 */
class StreamAsyncioConformanceTest extends LoopFixture {

    static byte[] b(String s) {
        return s.getBytes(US_ASCII);
    }

    static String s(byte[] b) {
        return new String(b, US_ASCII);
    }

    static Throwable root(Throwable t) {
        return t.getCause() != null && !(t instanceof IOException) ? t.getCause() : t;
    }

    @Test
    @DisplayName("asyncio read/readexactly/readuntil: exception checked before n == 0 and before buffered data")
    void exceptionBeforeEverything() {
        run(() -> {
            StreamReader r = new StreamReader(loop);
            r.feedData(b("line\n"));
            IOException boom = new IOException("boom");
            r.setException(boom);
            assertSame(boom, r.read(0).exception().orElseThrow());
            assertSame(boom, r.readExactly(0).exception().orElseThrow());
            assertSame(boom, r.read(2).exception().orElseThrow());
            assertSame(boom, r.readLine().exception().orElseThrow());
            assertSame(boom, r.readUntil(b("\n")).exception().orElseThrow());
            assertThrows(IllegalArgumentException.class, () -> r.readExactly(-1), "ValueError before exception");
            assertThrows(IllegalArgumentException.class, () -> r.readUntil(new byte[0]));
            return null;
        });
    }

    @Test
    @DisplayName("asyncio feed_data after feed_eof fails even for empty data; feed_eof twice is fine")
    void feedAfterEof() {
        run(() -> {
            StreamReader r = new StreamReader(loop);
            r.feedEof();
            r.feedEof();
            assertThrows(IllegalStateException.class, () -> r.feedData(new byte[0]));
            assertTrue(r.atEof());
            return null;
        });
    }

    @Test
    @DisplayName("asyncio: cancelling the task awaiting readline leaves the reader usable and the buffer intact; "
            + "set_exception afterwards is harmless (test_exception_cancel)")
    void taskCancelKeepsReaderUsable() {
        run(() -> {
            StreamReader r = new StreamReader(loop);
            r.feedData(b("par"));
            Task<byte[]> t = loop.createTask(() -> await(r.readLine()));
            await(later(SHORT, null));
            t.cancel();
            await(later(SHORT, null));
            assertTrue(t.isCancelled());
            Future<byte[]> next = r.readLine();
            r.feedData(b("tial\n"));
            assertEquals("partial\n", s(await(next)));
            StreamReader r2 = new StreamReader(loop);
            Task<byte[]> t2 = loop.createTask(() -> await(r2.readLine()));
            await(later(SHORT, null));
            t2.cancel();
            await(later(SHORT, null));
            r2.setException(new RuntimeException("message"));
            assertFalse(r2.toString().contains("waiting"), r2.toString());
            return null;
        });
    }

    @Test
    @DisplayName("asyncio readuntil: separator split over three feeds while waiting; limit boundary is inclusive")
    void splitSeparatorAndLimitBoundary() {
        run(() -> {
            StreamReader r = new StreamReader(loop, 4);
            Future<byte[]> f = r.readUntil(b("\r\n\r\n"));
            loop.callSoon(() -> r.feedData(b("abc\r")));
            loop.callSoon(() -> r.feedData(b("\n\r")));
            loop.callSoon(() -> r.feedData(b("\nxyz")));
            assertEquals("abc\r\n\r\n", s(await(f)));
            r.feedData(b("z\r\n\r\n"));
            assertEquals("xyzz\r\n\r\n", s(await(r.readUntil(b("\r\n\r\n")))), "4 bytes before sep == limit: ok");
            r.feedData(b("12345\r\n\r\n"));
            LimitOverrunError e = assertThrows(LimitOverrunError.class, () -> await(r.readUntil(b("\r\n\r\n"))));
            assertEquals(5, e.consumed());
            assertEquals("12345\r\n\r\n", s(await(r.read(100))));
            return null;
        });
    }

    /** A stream transport that only records what happens. */
    static final class FakeStream implements StreamTransport {
        boolean closing;
        final List<String> writes = new ArrayList<>();

        @Override public void write(ByteBuffer data) {
            byte[] x = new byte[data.remaining()];
            data.get(x);
            writes.add(s(x));
        }
        @Override public void writeEof() { }
        @Override public boolean canWriteEof() { return true; }
        @Override public void abort() { closing = true; }
        @Override public void setWriteBufferLimits(Integer high, Integer low) { }
        @Override public int getWriteBufferHighWater() { return 0; }
        @Override public int getWriteBufferLowWater() { return 0; }
        @Override public int getWriteBufferSize() { return 0; }
        @Override public void pauseReading() { }
        @Override public void resumeReading() { }
        @Override public boolean isReading() { return true; }
        @Override public void close() { closing = true; }
        @Override public boolean isClosing() { return closing; }
        @Override public Optional<Object> getExtraInfo(String key) { return Optional.empty(); }
        @Override public void setProtocol(Protocol protocol) { }
        @Override public Protocol getProtocol() { return null; }
    }

    @Test
    @DisplayName("asyncio StreamWriter.drain: paused then lost(exc) fails with exc; paused then lost(None) returns; "
            + "closing yields once then raises ConnectionResetError; reader exception first")
    void drainRules() {
        run(() -> {
            FakeStream t = new FakeStream();
            StreamReader reader = new StreamReader(loop);
            StreamProtocol p = new StreamProtocol(loop, reader, null);
            p.connectionMade(t);
            StreamWriter w = new StreamWriter(t, p, reader, loop);
            assertTrue(w.drain().isDone(), "not paused: done at once");
            p.pauseWriting();
            Future<Void> d1 = w.drain();
            assertFalse(d1.isDone());
            p.resumeWriting();
            await(d1);

            p.pauseWriting();
            Future<Void> d2 = w.drain();
            IOException lost = new IOException("reset");
            p.connectionLost(lost);
            assertSame(lost, d2.exception().orElseThrow());
            assertSame(lost, w.drain().exception().orElseThrow(), "reader exception first");

            FakeStream t2 = new FakeStream();
            StreamReader reader2 = new StreamReader(loop);
            StreamProtocol p2 = new StreamProtocol(loop, reader2, null);
            p2.connectionMade(t2);
            StreamWriter w2 = new StreamWriter(t2, p2, reader2, loop);
            p2.pauseWriting();
            Future<Void> d3 = w2.drain();
            p2.connectionLost(null);
            await(d3);

            FakeStream t3 = new FakeStream();
            StreamReader reader3 = new StreamReader(loop);
            StreamProtocol p3 = new StreamProtocol(loop, reader3, null);
            p3.connectionMade(t3);
            StreamWriter w3 = new StreamWriter(t3, p3, reader3, loop);
            w3.close();
            loop.callSoon(() -> p3.connectionLost(null)); // as a real transport's close() schedules it
            w3.write(b("after close"));
            Future<Void> d4 = w3.drain();
            assertFalse(d4.isDone(), "sleep(0) first");
            Throwable e = assertThrows(Throwable.class, () -> await(d4));
            assertTrue(root(e) instanceof SocketException, e.toString());
            return null;
        });
    }
}
