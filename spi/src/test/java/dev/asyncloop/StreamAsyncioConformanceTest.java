package dev.asyncloop;

import static dev.asyncloop.Async.await;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.ref.WeakReference;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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

    /** A stream protocol and writer over a {@link FakeStreamTransport}, as {@code Streams} wires them. */
    private record Wired(StreamProtocol protocol, StreamWriter writer, StreamReader reader) {
    }

    private Wired wired() {
        FakeStreamTransport transport = new FakeStreamTransport();
        StreamReader reader = new StreamReader(loop);
        StreamProtocol protocol = new StreamProtocol(loop, reader, null);
        protocol.connectionMade(transport);
        return new Wired(protocol, new StreamWriter(transport, protocol, reader, loop), reader);
    }

    @Test
    @DisplayName("asyncio StreamWriter.drain: done at once unless paused; paused, it waits for resume_writing")
    void drainWaitsWhilePaused() {
        run(() -> {
            Wired c = wired();
            assertTrue(c.writer().drain().isDone(), "not paused: done at once");
            c.protocol().pauseWriting();
            Future<Void> d = c.writer().drain();
            assertFalse(d.isDone());
            c.protocol().resumeWriting();
            await(d);
            return null;
        });
    }

    @Test
    @DisplayName("asyncio StreamWriter.drain: paused then connection_lost(exc) fails with exc, and so does every"
            + " later drain (the reader's exception first); connection_lost(None) lets it return")
    void drainWhenTheConnectionIsLost() {
        run(() -> {
            Wired c = wired();
            c.protocol().pauseWriting();
            Future<Void> d = c.writer().drain();
            IOException lost = new IOException("reset");
            c.protocol().connectionLost(lost);
            assertSame(lost, d.exception().orElseThrow());
            assertSame(lost, c.writer().drain().exception().orElseThrow(), "reader exception first");

            Wired clean = wired();
            clean.protocol().pauseWriting();
            Future<Void> d2 = clean.writer().drain();
            clean.protocol().connectionLost(null);
            await(d2);
            return null;
        });
    }

    @Test
    @DisplayName("asyncio StreamWriter.drain while closing: yields once, then fails (ConnectionResetError there);"
            + " a write after close is dropped")
    void drainWhileClosing() {
        run(() -> {
            Wired c = wired();
            c.writer().close();
            loop.callSoon(() -> c.protocol().connectionLost(null)); // as a real transport's close() schedules it
            c.writer().write(b("after close"));
            Future<Void> d = c.writer().drain();
            assertFalse(d.isDone(), "sleep(0) first");
            Throwable e = assertThrows(Throwable.class, () -> await(d));
            assertTrue(root(e) instanceof SocketException, e.toString());
            return null;
        });
    }

    @Test
    @DisplayName("asyncio test_multiple_drain: every drain waiting while paused completes on resume_writing")
    void everyWaitingDrainResumes() {
        run(() -> {
            Wired c = wired();
            c.protocol().pauseWriting();
            List<Future<Void>> drains = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                drains.add(c.writer().drain());
            }
            loop.callSoon(() -> c.protocol().resumeWriting());
            await(Tasks.gather(drains));
            return null;
        });
    }

    @Test
    @DisplayName("asyncio StreamReaderProtocol.connection_lost: None feeds EOF and ends wait_closed; an error is"
            + " the reader's exception and wait_closed's failure")
    void connectionLostFeedsTheReaderAndWaitClosed() {
        run(() -> {
            Wired clean = wired();
            clean.protocol().connectionLost(null);
            assertTrue(clean.reader().atEof());
            assertTrue(clean.writer().waitClosed().isDone());
            assertTrue(clean.writer().waitClosed().exception().isEmpty());

            Wired reset = wired();
            IOException lost = new IOException("reset");
            reset.protocol().connectionLost(lost);
            assertSame(lost, reset.reader().exception().orElseThrow());
            assertSame(lost, reset.writer().waitClosed().exception().orElseThrow());
            assertSame(reset.writer().waitClosed(), reset.writer().waitClosed(), "one close waiter");
            return null;
        });
    }

    @Test
    @DisplayName("asyncio StreamReaderProtocol.__del__: a wait_closed failure nobody awaited is not reported as"
            + " 'exception was never retrieved' when it becomes unreachable (a plain failed future is)")
    void unawaitedWaitClosedFailureIsNotReported() {
        WeakReference<Future<Void>> closed = run(() -> {
            Wired reset = wired();
            reset.protocol().connectionLost(new IOException("reset"));
            Future<Void> control = loop.createFuture();
            control.setException(new IOException("control"));
            return new WeakReference<>(reset.writer().waitClosed());
        });
        // Generous: on a loaded machine the Cleaner thread that posts the report may wait seconds for a core.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while ((closed.get() != null || reports.isEmpty()) && System.nanoTime() < deadline) {
            System.gc();
            run(() -> Async.sleep(Duration.ofMillis(10), null));
        }
        assertEquals(null, closed.get(), "the close waiter was never collected; the test proves nothing");
        for (int i = 0; i < 3; i++) {
            System.gc();
            run(() -> Async.sleep(Duration.ofMillis(10), null));
        }
        assertEquals(1, reports.size(), reports.toString());
        assertEquals("control", reports.getFirst().exception().orElseThrow().getMessage());
    }
}
