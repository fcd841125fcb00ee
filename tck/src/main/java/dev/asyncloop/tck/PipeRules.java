package dev.asyncloop.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.asyncloop.Async;
import dev.asyncloop.BufferedProtocol;
import dev.asyncloop.EventLoop;
import dev.asyncloop.ExceptionContext;
import dev.asyncloop.Future;
import dev.asyncloop.PipeConnection;
import dev.asyncloop.Protocol;
import dev.asyncloop.ReadTransport;
import dev.asyncloop.StreamReader;
import dev.asyncloop.StreamWriter;
import dev.asyncloop.Streams;
import dev.asyncloop.Task;
import dev.asyncloop.Transport;
import dev.asyncloop.WriteTransport;
import dev.asyncloop.spi.Capability;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.logging.Level;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Rules N13.x: pipe transports (asyncio's {@code connect_read_pipe}/{@code connect_write_pipe},
 * {@code _UnixReadPipeTransport}, {@code _UnixWritePipeTransport}) and the pipe streams, over
 * {@link java.nio.channels.Pipe}. Runs when the loop claims {@link Capability#PIPES}.
 */
abstract class PipeRules extends ConformanceGroup {
    /** The longest wait for one pipe event; below the suite's watchdog, so the message names what hung. */
    static final Duration WAIT = Duration.ofSeconds(5);
    /** More than any default pipe buffer (64 KiB on Linux) plus the default high-water mark. */
    static final int BIG = 4 * 1024 * 1024;
    private final List<Channel> opened = new ArrayList<>();

    PipeRules(EventLoopConformanceSuite suite) {
        super(suite);
    }

    @BeforeEach
    final void requirePipes() {
        requireCapability(Capability.PIPES);
    }

    @AfterEach
    final void closePipes() {
        for (Channel c : opened) {
            try {
                c.close();
            } catch (IOException ignored) {
                // Best effort: the test is over.
            }
        }
    }

    @Override
    String hangHint() {
        return super.hangHint() + "; for a loop on ReadinessEventLoop, check that the Poller reports a"
                + " Pipe.SourceChannel as READ when it has data or its write end was closed (POLLHUP), and a"
                + " Pipe.SinkChannel as WRITE when it has room, again on every poll while it lasts";
    }

    /** A new pipe whose ends are closed after the test. */
    final Pipe pipe() throws IOException {
        Pipe p = Pipe.open();
        opened.add(p.source());
        opened.add(p.sink());
        return p;
    }

    /**
     * A protocol that records every call: {@code events} holds "made", "data", "eof", "lost", "lost-again",
     * "pause", "resume" in order (consecutive data calls as one "data"). Loop thread only.
     */
    static class PipeProtocol implements Protocol {
        final List<String> events = new ArrayList<>();
        final ByteArrayOutputStream data = new ByteArrayOutputStream();
        final Future<@Nullable Void> made;
        final Future<@Nullable Throwable> lost;
        final EventLoop loop;
        Transport transport;
        boolean keepOpenOnEof;
        private int waitingFor = -1;
        private @Nullable Future<@Nullable Void> enough;
        private @Nullable Future<@Nullable Void> resumed;

        PipeProtocol(EventLoop loop) {
            this.loop = loop;
            this.made = loop.createFuture();
            this.lost = loop.createFuture();
        }

        /** A future done once {@code n} bytes in total have arrived. */
        Future<@Nullable Void> received(int n) {
            enough = loop.createFuture();
            waitingFor = n;
            check();
            return enough;
        }

        /** A future done at the next resumeWriting. */
        Future<@Nullable Void> nextResume() {
            resumed = loop.createFuture();
            return resumed;
        }

        private void check() {
            if (enough != null && !enough.isDone() && data.size() >= waitingFor) {
                enough.setResult(null);
            }
        }

        @Override
        public void connectionMade(Transport transport) {
            events.add("made");
            this.transport = transport;
            made.setResult(null);
        }

        @Override
        public void dataReceived(ByteBuffer bytes) {
            if (events.isEmpty() || !events.getLast().equals("data")) {
                events.add("data");
            }
            byte[] copy = new byte[bytes.remaining()];
            bytes.get(copy);
            data.writeBytes(copy);
            check();
        }

        @Override
        public boolean eofReceived() {
            events.add("eof");
            return keepOpenOnEof;
        }

        @Override
        public void connectionLost(@Nullable Throwable exception) {
            if (lost.isDone()) {
                events.add("lost-again");
                return;
            }
            events.add("lost");
            lost.setResult(exception);
        }

        @Override
        public void pauseWriting() {
            events.add("pause");
        }

        @Override
        public void resumeWriting() {
            events.add("resume");
            if (resumed != null && !resumed.isDone()) {
                resumed.setResult(null);
            }
        }

        long count(String event) {
            return events.stream().filter(event::equals).count();
        }

        ReadTransport reading() {
            return (ReadTransport) transport;
        }

        WriteTransport writing() {
            return (WriteTransport) transport;
        }
    }

    /**
     * A recording protocol that checks the bytes it receives against {@code chunk} repeated, as they come, and
     * keeps none of them: a large transfer then needs no copy of itself (the kit runs in small heaps too).
     */
    static final class RepeatCheckingProtocol extends PipeProtocol {
        private final byte[] chunk;
        long received;
        long firstWrong = -1;

        RepeatCheckingProtocol(EventLoop loop, byte[] chunk) {
            super(loop);
            this.chunk = chunk;
        }

        @Override
        public void dataReceived(ByteBuffer bytes) {
            if (events.isEmpty() || !events.getLast().equals("data")) {
                events.add("data");
            }
            while (bytes.hasRemaining()) {
                if (bytes.get() != chunk[(int) (received % chunk.length)] && firstWrong < 0) {
                    firstWrong = received;
                }
                received++;
            }
        }
    }

    /** Inside a task: {@code future}'s result, failing with "[rule] hung: what" after {@link #WAIT}. */
    final <T extends @Nullable Object> T within(String rule, String what, Future<T> future) {
        long end = System.nanoTime() + WAIT.toNanos();
        while (!future.isDone()) {
            if (System.nanoTime() > end) {
                throw new AssertionError(msg(rule, "hung: " + what + " was not done within " + WAIT + "; "
                        + hangHint()));
            }
            Async.sleep(Duration.ofMillis(2));
        }
        return Async.await(future);
    }

    /** Inside a task: waits (bounded) for {@code future} to fail and returns its exception. */
    final Throwable failureOf(String rule, String what, Future<?> future) {
        long end = System.nanoTime() + WAIT.toNanos();
        while (!future.isDone()) {
            if (System.nanoTime() > end) {
                throw new AssertionError(msg(rule, "hung: " + what + " was not done within " + WAIT));
            }
            Async.sleep(Duration.ofMillis(2));
        }
        assertFalse(future.isCancelled(), msg(rule, what + " was cancelled instead of failing"));
        return future.exception().orElseThrow(() -> new AssertionError(msg(rule, what + " succeeded with "
                + future.result() + "; it should have failed")));
    }

    /** Inside a task: connects a recording protocol to the read end. */
    final PipeProtocol readPipe(String rule, Pipe.SourceChannel source) {
        return readPipe(rule, source, new PipeProtocol(loop));
    }

    /** Inside a task: connects {@code p} to the read end. */
    final <P extends PipeProtocol> P readPipe(String rule, Pipe.SourceChannel source, P p) {
        PipeConnection<ReadTransport, P> c = within(rule, "connectReadPipe", loop.connectReadPipe(() -> p, source));
        assertSame(p, c.protocol(), msg(rule, "the PipeConnection's protocol is not the factory's"));
        assertSame(p.transport, c.transport(), msg(rule, "the PipeConnection's transport is not the one"
                + " connectionMade received"));
        return p;
    }

    /** Inside a task: connects a recording protocol to the write end. */
    final PipeProtocol writePipe(String rule, Pipe.SinkChannel sink) {
        PipeProtocol p = new PipeProtocol(loop);
        PipeConnection<WriteTransport, PipeProtocol> c = within(rule, "connectWritePipe",
                loop.connectWritePipe(() -> p, sink));
        assertSame(p, c.protocol(), msg(rule, "the PipeConnection's protocol is not the factory's"));
        assertSame(p.transport, c.transport(), msg(rule, "the PipeConnection's transport is not the one"
                + " connectionMade received"));
        return p;
    }

    /** Writes all of {@code bytes} to a blocking channel end the test holds (small amounts: the pipe takes them). */
    static void put(Pipe.SinkChannel sink, byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            sink.write(b);
        }
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + (i >> 9));
        }
        return b;
    }

    /** Lets a few loop iterations pass, for a callback that must not come (a second connectionLost, say). */
    static void settle() {
        Async.sleep(Duration.ofMillis(30));
    }

    // ------------------------------------------------------------------ read pipes

    @Test
    @DisplayName("N13.1 connectReadPipe schedules connectionMade (never inline), makes the channel non-blocking and"
            + " hands the pipe's bytes to dataReceived in order")
    void required_N13_1_readPipeDelivers() throws IOException {
        Pipe p = pipe();
        assertTrue(p.source().isBlocking(), msg("N13.1", "test setup: a new Pipe's source is blocking"));
        String got = run("N13.1", () -> {
            PipeProtocol proto = new PipeProtocol(loop);
            Future<PipeConnection<ReadTransport, PipeProtocol>> f = loop.connectReadPipe(() -> proto, p.source());
            assertTrue(proto.events.isEmpty(), msg("N13.1", "connectionMade was called inside connectReadPipe;"
                    + " it must be scheduled with callSoon"));
            PipeConnection<ReadTransport, PipeProtocol> c = within("N13.1", "connectReadPipe", f);
            assertSame(proto, c.protocol(), msg("N13.1", "the PipeConnection's protocol is not the factory's"));
            assertEquals(List.of("made"), proto.events, msg("N13.1", "events when the future is done"));
            assertFalse(p.source().isBlocking(), msg("N13.1", "the loop did not put the channel in non-blocking"
                    + " mode (asyncio's os.set_blocking(False))"));
            put(p.sink(), ascii("hello "));
            put(p.sink(), ascii("pipe"));
            within("N13.1", "dataReceived of 10 bytes", proto.received(10));
            assertEquals(List.of("made", "data"), proto.events, msg("N13.1", "events after the data"));
            return proto.data.toString(StandardCharsets.US_ASCII);
        });
        assertEquals("hello pipe", got, msg("N13.1", "the read pipe delivered other bytes"));
    }

    @Test
    @DisplayName("N13.2 at end of stream the read pipe calls eofReceived then connectionLost(null), each once, even"
            + " when eofReceived asks to stay open, and closes the channel")
    void required_N13_2_readPipeEof() throws IOException {
        Pipe p = pipe();
        PipeProtocol proto = run("N13.2", () -> {
            PipeProtocol pr = readPipe("N13.2", p.source());
            pr.keepOpenOnEof = true;
            put(p.sink(), ascii("abc"));
            within("N13.2", "dataReceived", pr.received(3));
            p.sink().close();
            Throwable e = within("N13.2", "connectionLost after the write end was closed", pr.lost);
            assertNull(e, msg("N13.2", "connectionLost got " + e + " at end of stream; asyncio passes None"));
            settle();
            return pr;
        });
        assertEquals(List.of("made", "data", "eof", "lost"), proto.events, msg("N13.2", "the protocol's calls;"
                + " end of stream must bring eofReceived once, then connectionLost once"));
        assertTrue(proto.transport.isClosing(), msg("N13.2", "isClosing() is false after end of stream"));
        assertFalse(p.source().isOpen(), msg("N13.2", "the channel is still open after connectionLost"));
    }

    @Test
    @DisplayName("N13.3 getExtraInfo(\"pipe\") is the channel; read and write pipe transports are Read- and"
            + "WriteTransports without socket information")
    void required_N13_3_extraInfo() throws IOException {
        Pipe p = pipe();
        run("N13.3", () -> {
            PipeProtocol r = readPipe("N13.3", p.source());
            PipeProtocol w = writePipe("N13.3", p.sink());
            assertInstanceOf(ReadTransport.class, r.transport, msg("N13.3", "a read pipe's transport"));
            assertInstanceOf(WriteTransport.class, w.transport, msg("N13.3", "a write pipe's transport"));
            assertSame(p.source(), r.transport.getExtraInfo(Transport.PIPE).orElse(null),
                    msg("N13.3", "getExtraInfo(PIPE) of the read pipe"));
            assertSame(p.sink(), w.transport.getExtraInfo(Transport.PIPE).orElse(null),
                    msg("N13.3", "getExtraInfo(PIPE) of the write pipe"));
            for (String key : List.of(Transport.SOCKET, Transport.PEERNAME, Transport.SOCKNAME)) {
                assertTrue(r.transport.getExtraInfo(key).isEmpty(), msg("N13.3", "a read pipe has " + key));
                assertTrue(w.transport.getExtraInfo(key).isEmpty(), msg("N13.3", "a write pipe has " + key));
            }
            assertTrue(w.writing().canWriteEof(), msg("N13.3", "canWriteEof() of a write pipe is false"));
            r.transport.close();
            w.transport.close();
            within("N13.3", "connectionLost of the read pipe", r.lost);
            within("N13.3", "connectionLost of the write pipe", w.lost);
            return null;
        });
    }

    @Test
    @DisplayName("N13.4 pauseReading stops dataReceived until resumeReading; isReading follows; both are idempotent")
    void required_N13_4_pauseResume() throws IOException {
        Pipe p = pipe();
        run("N13.4", () -> {
            PipeProtocol r = readPipe("N13.4", p.source());
            ReadTransport t = r.reading();
            assertTrue(t.isReading(), msg("N13.4", "isReading() of a new read pipe"));
            t.pauseReading();
            t.pauseReading();
            assertFalse(t.isReading(), msg("N13.4", "isReading() after pauseReading()"));
            put(p.sink(), ascii("xyz"));
            settle();
            assertEquals(0, r.data.size(), msg("N13.4", "dataReceived was called while paused"));
            t.resumeReading();
            t.resumeReading();
            assertTrue(t.isReading(), msg("N13.4", "isReading() after resumeReading()"));
            within("N13.4", "dataReceived after resumeReading", r.received(3));
            assertEquals(List.of("made", "data"), r.events, msg("N13.4", "events"));
            t.close();
            within("N13.4", "connectionLost", r.lost);
            return null;
        });
    }

    @Test
    @DisplayName("N13.5 close() of a read pipe: isClosing at once, connectionLost(null) once on a later iteration,"
            + " the channel closed (the writer then gets a broken pipe); close() again does nothing")
    void required_N13_5_readPipeClose() throws IOException {
        Pipe p = pipe();
        PipeProtocol proto = run("N13.5", () -> {
            PipeProtocol r = readPipe("N13.5", p.source());
            r.transport.close();
            assertTrue(r.transport.isClosing(), msg("N13.5", "isClosing() right after close()"));
            assertFalse(r.reading().isReading(), msg("N13.5", "isReading() right after close()"));
            assertFalse(r.lost.isDone(), msg("N13.5", "connectionLost was called inside close(); it must be"
                    + " scheduled"));
            r.transport.close();
            r.reading().resumeReading();
            assertNull(within("N13.5", "connectionLost after close()", r.lost),
                    msg("N13.5", "connectionLost after close() must get null"));
            settle();
            return r;
        });
        assertEquals(List.of("made", "lost"), proto.events, msg("N13.5", "the protocol's calls"));
        assertFalse(p.source().isOpen(), msg("N13.5", "the channel is open after connectionLost"));
        assertThrows(IOException.class, () -> put(p.sink(), ascii("late")),
                msg("N13.5", "writing to a pipe whose read end the loop closed should fail (broken pipe)"));
    }

    @Test
    @DisplayName("N13.6 an exception from dataReceived of a read pipe is reported with the transport and protocol and"
            + " ends the transport with connectionLost(thatException)")
    void required_N13_6_dataReceivedThrows() throws IOException {
        expectReports();
        Pipe p = pipe();
        IllegalStateException boom = new IllegalStateException("boom in dataReceived");
        PipeProtocol proto = run("N13.6", () -> {
            PipeProtocol r = new PipeProtocol(loop) {
                @Override
                public void dataReceived(ByteBuffer bytes) {
                    throw boom;
                }
            };
            within("N13.6", "connectReadPipe", loop.connectReadPipe(() -> r, p.source()));
            put(p.sink(), ascii("x"));
            Throwable e = within("N13.6", "connectionLost after dataReceived threw", r.lost);
            assertSame(boom, e, msg("N13.6", "connectionLost got " + e + " instead of the callback's exception"));
            settle();
            return r;
        });
        assertEquals(List.of("made", "lost"), proto.events, msg("N13.6", "the protocol's calls"));
        List<ExceptionContext> reports = reports();
        assertEquals(1, reports.size(), msg("N13.6", "reports to the exception handler: " + reports));
        ExceptionContext report = reports.getFirst();
        assertSame(boom, report.exception().orElse(null), msg("N13.6", "the report's exception"));
        assertSame(proto.transport, report.transport().orElse(null), msg("N13.6", "the report's transport"));
        assertSame(proto, report.protocol().orElse(null), msg("N13.6", "the report's protocol"));
    }

    @Test
    @DisplayName("N13.7 a BufferedProtocol on a read pipe gets its bytes through getBuffer/bufferUpdated, then end of"
            + " stream")
    void required_N13_7_bufferedProtocol() throws IOException {
        Pipe p = pipe();
        byte[] sent = pattern(100);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        List<String> calls = new ArrayList<>();
        run("N13.7", () -> {
            ByteBuffer small = ByteBuffer.allocate(16);
            Future<@Nullable Throwable> lost = loop.createFuture();
            BufferedProtocol proto = new BufferedProtocol() {
                @Override
                public ByteBuffer getBuffer(int sizeHint) {
                    return small.clear();
                }

                @Override
                public void bufferUpdated(int nbytes) {
                    if (calls.isEmpty() || !calls.getLast().equals("updated")) {
                        calls.add("updated");
                    }
                    got.write(small.array(), 0, nbytes);
                }

                @Override
                public void dataReceived(ByteBuffer data) {
                    calls.add("dataReceived");
                }

                @Override
                public boolean eofReceived() {
                    calls.add("eof");
                    return false;
                }

                @Override
                public void connectionLost(@Nullable Throwable exception) {
                    calls.add("lost");
                    lost.setResult(exception);
                }
            };
            within("N13.7", "connectReadPipe", loop.connectReadPipe(() -> proto, p.source()));
            put(p.sink(), sent);
            p.sink().close();
            assertNull(within("N13.7", "connectionLost at end of stream", lost), msg("N13.7", "connectionLost"));
            return null;
        });
        assertEquals(List.of("updated", "eof", "lost"), calls, msg("N13.7", "the buffered protocol's calls"));
        assertArrayEquals(sent, got.toByteArray(), msg("N13.7", "the bytes written into the protocol's buffers"));
    }

    // ------------------------------------------------------------------ write pipes

    @Test
    @DisplayName("N13.8 connectWritePipe schedules connectionMade, makes the channel non-blocking; write(ByteBuffer),"
            + " write(byte[]) and writeLines arrive in order, and write consumes its buffer")
    void required_N13_8_writePipeWrites() throws IOException {
        Pipe p = pipe();
        String got = run("N13.8", () -> {
            PipeProtocol r = readPipe("N13.8", p.source());
            PipeProtocol w = new PipeProtocol(loop);
            Future<PipeConnection<WriteTransport, PipeProtocol>> f = loop.connectWritePipe(() -> w, p.sink());
            assertTrue(w.events.isEmpty(), msg("N13.8", "connectionMade was called inside connectWritePipe"));
            PipeConnection<WriteTransport, PipeProtocol> c = within("N13.8", "connectWritePipe", f);
            assertSame(w.transport, c.transport(), msg("N13.8", "the PipeConnection's transport"));
            assertFalse(p.sink().isBlocking(), msg("N13.8", "the loop did not put the channel in non-blocking"
                    + " mode"));
            WriteTransport t = c.transport();
            ByteBuffer first = ByteBuffer.wrap(ascii("one "));
            t.write(first);
            assertFalse(first.hasRemaining(), msg("N13.8", "write(ByteBuffer) left the buffer's position at "
                    + first.position() + " of " + first.limit()));
            t.write(ascii("two "));
            t.writeLines(List.of(ByteBuffer.wrap(ascii("three ")), ByteBuffer.wrap(ascii("four"))));
            t.write(new byte[0]);
            within("N13.8", "the read end receiving 18 bytes", r.received(18));
            assertEquals(0, t.getWriteBufferSize(), msg("N13.8", "getWriteBufferSize() after the pipe took all"));
            t.close();
            within("N13.8", "connectionLost of the write pipe", w.lost);
            within("N13.8", "connectionLost of the read pipe", r.lost);
            return r.data.toString(StandardCharsets.US_ASCII);
        });
        assertEquals("one two three four", got, msg("N13.8", "what the read end got"));
    }

    @Test
    @DisplayName("N13.9 a reader that does not read makes the write pipe call pauseWriting once above the high-water"
            + " mark and resumeWriting once at the low-water mark; getWriteBufferSize counts the queue; no byte is"
            + " lost")
    void required_N13_9_flowControl() throws IOException {
        Pipe p = pipe();
        byte[] sent = pattern(BIG);
        PipeProtocol[] ends = run("N13.9", () -> {
            PipeProtocol w = writePipe("N13.9", p.sink());
            WriteTransport t = w.writing();
            t.write(sent);
            int queued = t.getWriteBufferSize();
            assertTrue(queued > t.getWriteBufferHighWater(), msg("N13.9", "test setup: the pipe took all but "
                    + queued + " of " + BIG + " bytes, so the high-water mark "
                    + t.getWriteBufferHighWater() + " was not crossed"));
            assertTrue(queued <= BIG, msg("N13.9", "getWriteBufferSize() " + queued + " exceeds what was written"));
            assertEquals(List.of("made", "pause"), w.events, msg("N13.9", "pauseWriting must be called once the"
                    + " queue exceeds the high-water mark, inside write()"));
            Future<@Nullable Void> resumed = w.nextResume();
            PipeProtocol r = readPipe("N13.9", p.source());
            within("N13.9", "resumeWriting once the reader reads", resumed);
            assertTrue(t.getWriteBufferSize() <= t.getWriteBufferLowWater(), msg("N13.9", "resumeWriting came with "
                    + t.getWriteBufferSize() + " bytes queued, above the low-water mark " + t.getWriteBufferLowWater()));
            within("N13.9", "the read end receiving every byte", r.received(BIG));
            assertEquals(0, t.getWriteBufferSize(), msg("N13.9", "getWriteBufferSize() once all was sent"));
            t.close();
            within("N13.9", "connectionLost of the write pipe", w.lost);
            within("N13.9", "connectionLost of the read pipe", r.lost);
            return new PipeProtocol[] {w, r};
        });
        assertEquals(List.of("made", "pause", "resume", "lost"), ends[0].events,
                msg("N13.9", "the write pipe's protocol calls"));
        assertArrayEquals(sent, ends[1].data.toByteArray(), msg("N13.9", "the bytes the read end got"));
    }

    @Test
    @DisplayName("N13.10 close() and writeEof() of a write pipe send the queue first, then close: the reader gets"
            + " every byte and end of stream; connectionLost(null) once")
    void required_N13_10_closeFlushes() throws IOException {
        for (boolean eof : new boolean[] {false, true}) {
            String how = eof ? "writeEof()" : "close()";
            Pipe p = pipe();
            byte[] sent = pattern(BIG / 4);
            PipeProtocol[] ends = run("N13.10", () -> {
                PipeProtocol w = writePipe("N13.10", p.sink());
                WriteTransport t = w.writing();
                t.write(sent);
                assertTrue(t.getWriteBufferSize() > 0, msg("N13.10", "test setup: nothing was queued"));
                if (eof) {
                    t.writeEof();
                } else {
                    t.close();
                }
                assertTrue(t.isClosing(), msg("N13.10", "isClosing() right after " + how));
                settle();
                assertFalse(w.lost.isDone(), msg("N13.10", "connectionLost came after " + how + " although "
                        + t.getWriteBufferSize() + " bytes were still queued; the queue must be sent first"));
                PipeProtocol r = readPipe("N13.10", p.source());
                assertNull(within("N13.10", "connectionLost of the read pipe at end of stream", r.lost),
                        msg("N13.10", "the read pipe's connectionLost"));
                assertNull(within("N13.10", "connectionLost of the write pipe after " + how, w.lost),
                        msg("N13.10", "the write pipe's connectionLost after " + how));
                settle();
                return new PipeProtocol[] {w, r};
            });
            assertEquals(List.of("made", "pause", "resume", "lost"), ends[0].events, msg("N13.10", "the write"
                    + " pipe's calls after " + how + " (the queue drains while closing, so the protocol resumes)"));
            assertEquals(List.of("made", "data", "eof", "lost"), ends[1].events, msg("N13.10", "the reader's"
                    + " calls after " + how));
            assertArrayEquals(sent, ends[1].data.toByteArray(), msg("N13.10", "the bytes read after " + how));
            assertFalse(p.sink().isOpen(), msg("N13.10", "the write end is open after connectionLost"));
        }
    }

    @Test
    @DisplayName("N13.11 abort() of a write pipe drops the queue: getWriteBufferSize 0, connectionLost(null) once on"
            + " a later iteration, the channel closed, the reader sees end of stream")
    void required_N13_11_abort() throws IOException {
        Pipe p = pipe();
        PipeProtocol[] ends = run("N13.11", () -> {
            PipeProtocol w = writePipe("N13.11", p.sink());
            WriteTransport t = w.writing();
            t.write(pattern(BIG));
            assertTrue(t.getWriteBufferSize() > 0, msg("N13.11", "test setup: nothing was queued"));
            t.abort();
            assertTrue(t.isClosing(), msg("N13.11", "isClosing() right after abort()"));
            assertEquals(0, t.getWriteBufferSize(), msg("N13.11", "getWriteBufferSize() after abort()"));
            assertFalse(w.lost.isDone(), msg("N13.11", "connectionLost was called inside abort()"));
            t.abort();
            t.close();
            assertNull(within("N13.11", "connectionLost after abort()", w.lost), msg("N13.11", "connectionLost"
                    + " after abort() must get null"));
            PipeProtocol r = readPipe("N13.11", p.source());
            within("N13.11", "end of stream at the read end", r.lost);
            settle();
            return new PipeProtocol[] {w, r};
        });
        assertEquals(List.of("made", "pause", "lost"), ends[0].events, msg("N13.11", "the write pipe's calls"));
        assertTrue(ends[1].data.size() < BIG, msg("N13.11", "the reader got all " + BIG + " bytes; abort() must"
                + " drop the queue"));
        assertTrue(ends[1].events.contains("eof"), msg("N13.11", "the reader saw no end of stream: " + ends[1].events));
        assertFalse(p.sink().isOpen(), msg("N13.11", "the write end is open after connectionLost"));
    }

    @Test
    @DisplayName("N13.12 writes after close() are dropped without an exception; from the fifth on each logs a warning")
    void required_N13_12_writesAfterClose() throws IOException {
        LogCapture.assumeJulBackend();
        Pipe p = pipe();
        try (LogCapture log = new LogCapture()) {
            int[] warnings = new int[6];
            PipeProtocol r = run("N13.12", () -> {
                PipeProtocol w = writePipe("N13.12", p.sink());
                PipeProtocol reader = readPipe("N13.12", p.source());
                WriteTransport t = w.writing();
                t.write(ascii("kept"));
                t.close();
                for (int i = 0; i < 6; i++) {
                    t.write(ascii("dropped"));
                    warnings[i] = (int) log.entries().stream().filter(e -> e.level() == Level.WARNING).count();
                }
                assertEquals(0, t.getWriteBufferSize(), msg("N13.12", "writes after close() were queued"));
                within("N13.12", "end of stream at the read end", reader.lost);
                return reader;
            });
            assertEquals("kept", r.data.toString(StandardCharsets.US_ASCII), msg("N13.12", "what the reader got"));
            assertEquals(List.of(0, 0, 0, 0, 1, 2), Arrays.stream(warnings).boxed().toList(), msg("N13.12",
                    "WARNING records after each dropped write; asyncio warns from the fifth on: "
                            + log.entries()));
        }
    }

    @Test
    @DisplayName("N13.13 the read end closing while bytes are queued ends the write pipe with connectionLost(an"
            + " IOException) once, without a report, and closes the channel")
    void required_N13_13_readerGoneWithQueue() throws IOException {
        Pipe p = pipe();
        PipeProtocol proto = run("N13.13", () -> {
            PipeProtocol w = writePipe("N13.13", p.sink());
            w.writing().write(pattern(BIG));
            assertTrue(w.writing().getWriteBufferSize() > 0, msg("N13.13", "test setup: nothing was queued"));
            p.source().close();
            Throwable e = within("N13.13", "connectionLost after the read end was closed", w.lost);
            assertInstanceOf(IOException.class, e, msg("N13.13", "connectionLost got " + e + "; a broken pipe with"
                    + " bytes queued is an IOException (asyncio's BrokenPipeError)"));
            assertEquals(0, w.writing().getWriteBufferSize(), msg("N13.13", "the queue after the broken pipe"));
            settle();
            return w;
        });
        assertEquals(List.of("made", "pause", "lost"), proto.events, msg("N13.13", "the write pipe's calls"));
        assertTrue(proto.transport.isClosing(), msg("N13.13", "isClosing() after the broken pipe"));
        assertFalse(p.sink().isOpen(), msg("N13.13", "the write end is open after connectionLost"));
    }

    @Test
    @DisplayName("N13.14 the read end closing while nothing is queued ends the write pipe no later than the next"
            + " write: connectionLost (null or an IOException) once, and that write does not throw")
    void required_N13_14_readerGoneIdle() throws IOException {
        Pipe p = pipe();
        PipeProtocol proto = run("N13.14", () -> {
            PipeProtocol w = writePipe("N13.14", p.sink());
            p.source().close();
            settle();
            w.writing().write(ascii("anyone?"));
            w.writing().write(ascii("still?"));
            Throwable e = within("N13.14", "connectionLost after the read end was closed and a write", w.lost);
            assertTrue(e == null || e instanceof IOException, msg("N13.14", "connectionLost got " + e
                    + "; expected null (seen before the write, as asyncio) or an IOException (broken pipe)"));
            settle();
            return w;
        });
        assertEquals(1, proto.count("lost"), msg("N13.14", "connectionLost calls: " + proto.events));
        assertEquals(0, proto.count("lost-again"), msg("N13.14", "connectionLost was called twice: " + proto.events));
        assertFalse(p.sink().isOpen(), msg("N13.14", "the write end is open after connectionLost"));
    }

    @Test
    @DisplayName("N13.15 a large transfer: 32 MiB from a write pipe to a read pipe of the same loop arrive whole and"
            + " in order, the writer paused and resumed as often as each other")
    void required_N13_15_largeTransfer() throws IOException {
        Pipe p = pipe();
        int total = 32 * 1024 * 1024;
        byte[] chunk = pattern(256 * 1024);
        PipeProtocol[] ends = run("N13.15", Duration.ofSeconds(60), () -> {
            PipeProtocol r = readPipe("N13.15", p.source(), new RepeatCheckingProtocol(loop, chunk));
            PipeProtocol w = writePipe("N13.15", p.sink());
            WriteTransport t = w.writing();
            for (int sent = 0; sent < total; sent += chunk.length) {
                t.write(chunk);
                if (w.count("pause") > w.count("resume")) {
                    within("N13.15", "resumeWriting while the read pipe reads", w.nextResume());
                }
            }
            t.close();
            within("N13.15", "connectionLost of the write pipe", w.lost);
            within("N13.15", "end of stream at the read pipe", r.lost);
            return new PipeProtocol[] {w, r};
        });
        assertTrue(ends[0].count("pause") >= 1, msg("N13.15", "the writer never paused: " + ends[0].events));
        assertEquals(ends[0].count("pause"), ends[0].count("resume"), msg("N13.15", "pauses and resumes differ"));
        RepeatCheckingProtocol reader = (RepeatCheckingProtocol) ends[1];
        assertEquals(total, reader.received, msg("N13.15", "bytes received"));
        assertEquals(-1, reader.firstWrong, msg("N13.15", "the offset of the first byte that differs from what was"
                + " written"));
    }

    // ------------------------------------------------------------------ streams

    @Test
    @DisplayName("N13.16 Streams.openReadPipe: a StreamReader over a pipe reads lines and the rest, then end of"
            + " stream")
    void required_N13_16_openReadPipe() throws IOException {
        Pipe p = pipe();
        List<String> got = run("N13.16", () -> {
            StreamReader reader = within("N13.16", "openReadPipe", Streams.openReadPipe(p.source()));
            put(p.sink(), ascii("line1\nline2\nrest"));
            p.sink().close();
            List<String> out = new ArrayList<>();
            out.add(new String(within("N13.16", "readLine", reader.readLine()), StandardCharsets.US_ASCII));
            out.add(new String(within("N13.16", "readLine", reader.readLine()), StandardCharsets.US_ASCII));
            out.add(new String(within("N13.16", "read() to the end", reader.read()), StandardCharsets.US_ASCII));
            out.add(new String(within("N13.16", "read() at the end", reader.read()), StandardCharsets.US_ASCII));
            assertTrue(reader.atEof(), msg("N13.16", "atEof() after end of stream"));
            return out;
        });
        assertEquals(List.of("line1\n", "line2\n", "rest", ""), got, msg("N13.16", "what the reader read"));
        assertFalse(p.source().isOpen(), msg("N13.16", "the read end is open after end of stream"));
    }

    @Test
    @DisplayName("N13.17 Streams.openWritePipe: drain waits while the pipe is paused and completes once the reader"
            + " reads; close then waitClosed: the reader has every byte and end of stream")
    void required_N13_17_openWritePipe() throws IOException {
        Pipe p = pipe();
        byte[] sent = pattern(BIG);
        byte[][] got = run("N13.17", () -> {
            StreamWriter writer = within("N13.17", "openWritePipe", Streams.openWritePipe(p.sink()));
            assertSame(p.sink(), writer.getExtraInfo(Transport.PIPE).orElse(null), msg("N13.17", "PIPE extra info"));
            writer.write(sent);
            Future<@Nullable Void> drained = writer.drain();
            settle();
            assertFalse(drained.isDone(), msg("N13.17", "drain() completed while " + writer.transport()
                    .getWriteBufferSize() + " bytes were queued above the high-water mark and nobody read"));
            StreamReader reader = within("N13.17", "openReadPipe", Streams.openReadPipe(p.source()));
            Task<byte[][]> reading = loop.createTask(() -> new byte[][] {Async.await(reader.readExactly(BIG)),
                    Async.await(reader.read())});
            within("N13.17", "drain() once the reader reads", drained);
            writer.close();
            assertTrue(writer.isClosing(), msg("N13.17", "isClosing() after close()"));
            within("N13.17", "waitClosed()", writer.waitClosed());
            return within("N13.17", "the reader reading everything", reading);
        });
        assertArrayEquals(sent, got[0], msg("N13.17", "the bytes read"));
        assertEquals(0, got[1].length, msg("N13.17", "read() after everything should be end of stream"));
    }

    @Test
    @DisplayName("N13.18 a pipe's StreamWriter whose read end closes: waitClosed and drain fail with an IOException")
    void required_N13_18_writerBrokenPipe() throws IOException {
        Pipe p = pipe();
        run("N13.18", () -> {
            StreamWriter writer = within("N13.18", "openWritePipe", Streams.openWritePipe(p.sink()));
            writer.write(pattern(BIG));
            Future<@Nullable Void> drained = writer.drain();
            p.source().close();
            Throwable closed = failureOf("N13.18", "waitClosed() after the read end closed", writer.waitClosed());
            assertInstanceOf(IOException.class, closed, msg("N13.18", "waitClosed() failed with " + closed));
            Throwable drain = failureOf("N13.18", "the pending drain()", drained);
            assertInstanceOf(IOException.class, drain, msg("N13.18", "drain() failed with " + drain));
            Throwable later = failureOf("N13.18", "drain() after the loss", writer.drain());
            assertInstanceOf(IOException.class, later, msg("N13.18", "a drain() after the loss failed with "
                    + later));
            return null;
        });
    }

    // ------------------------------------------------------------------ misuse

    @Test
    @DisplayName("N13.19 a channel in use is refused at the call with IllegalStateException: one a live pipe"
            + " transport owns (connect again, addReader/addWriter), one with a reader or writer callback")
    void required_N13_19_ownership() throws IOException {
        Pipe p = pipe();
        run("N13.19", () -> {
            PipeProtocol r = readPipe("N13.19", p.source());
            assertThrows(IllegalStateException.class, () -> loop.connectReadPipe(() -> new PipeProtocol(loop),
                    p.source()), msg("N13.19", "connectReadPipe of a channel a live transport reads"));
            assertThrows(IllegalStateException.class, () -> loop.addReader(p.source(), () -> { }),
                    msg("N13.19", "addReader on a channel a live pipe transport reads"));
            p.sink().configureBlocking(false);
            loop.addWriter(p.sink(), () -> { });
            assertThrows(IllegalStateException.class, () -> loop.connectWritePipe(() -> new PipeProtocol(loop),
                    p.sink()), msg("N13.19", "connectWritePipe of a channel with a writer callback"));
            assertTrue(loop.removeWriter(p.sink()), msg("N13.19", "the writer callback was lost"));
            PipeProtocol w = writePipe("N13.19", p.sink());
            assertThrows(IllegalStateException.class, () -> loop.addWriter(p.sink(), () -> { }),
                    msg("N13.19", "addWriter on a channel a live pipe transport writes"));
            r.transport.close();
            w.transport.close();
            within("N13.19", "connectionLost of the read pipe", r.lost);
            within("N13.19", "connectionLost of the write pipe", w.lost);
            return null;
        });
    }

    @Test
    @DisplayName("N13.20 bad arguments fail at the call: null factory or pipe NullPointerException, a closed channel"
            + " IllegalArgumentException")
    @SuppressWarnings("NullAway") // passes null on purpose: the rule is that it is rejected
    void required_N13_20_badArguments() throws IOException {
        Pipe p = pipe();
        p.source().close();
        p.sink().close();
        run("N13.20", () -> {
            assertThrows(NullPointerException.class, () -> loop.connectReadPipe(null, pipe().source()),
                    msg("N13.20", "connectReadPipe(null, pipe)"));
            assertThrows(NullPointerException.class, () -> loop.connectReadPipe(() -> new PipeProtocol(loop),
                    (Pipe.SourceChannel) null), msg("N13.20", "connectReadPipe(factory, null)"));
            assertThrows(NullPointerException.class, () -> loop.connectWritePipe(() -> new PipeProtocol(loop),
                    (Pipe.SinkChannel) null), msg("N13.20", "connectWritePipe(factory, null)"));
            IllegalArgumentException read = assertThrows(IllegalArgumentException.class,
                    () -> loop.connectReadPipe(() -> new PipeProtocol(loop), p.source()),
                    msg("N13.20", "connectReadPipe of a closed channel"));
            assertTrue(read.getMessage() != null && read.getMessage().contains("closed"), msg("N13.20", "the"
                    + " message should say the channel is closed: " + read.getMessage()));
            assertThrows(IllegalArgumentException.class,
                    () -> loop.connectWritePipe(() -> new PipeProtocol(loop), p.sink()),
                    msg("N13.20", "connectWritePipe of a closed channel"));
            return null;
        });
    }

    @Test
    @DisplayName("N13.21 a protocol factory that throws or returns null fails the future and the channel is closed")
    void required_N13_21_factoryFails() throws IOException {
        Pipe p = pipe();
        Pipe q = pipe();
        IllegalStateException boom = new IllegalStateException("factory failed");
        run("N13.21", () -> {
            Throwable e = failureOf("N13.21", "connectReadPipe with a throwing factory",
                    loop.connectReadPipe(() -> {
                        throw boom;
                    }, p.source()));
            assertSame(boom, e, msg("N13.21", "the future failed with " + e + " instead of the factory's exception"));
            assertFalse(p.source().isOpen(), msg("N13.21", "the channel is open after the factory failed"));
            Throwable n = failureOf("N13.21", "connectWritePipe with a factory returning null",
                    loop.connectWritePipe(() -> (Protocol) null, q.sink()));
            assertInstanceOf(NullPointerException.class, n, msg("N13.21", "a factory returning null"));
            assertFalse(q.sink().isOpen(), msg("N13.21", "the channel is open after the factory returned null"));
            return null;
        });
    }

    @Test
    @DisplayName("N13.22 a pipe transport that ends deregisters and closes its channel: 50 pipes in turn on one loop"
            + " (descriptors reused) each carry their bytes")
    void required_N13_22_manyPipes() {
        List<String> got = run("N13.22", Duration.ofSeconds(60), () -> {
            List<String> out = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                Pipe p = pipe();
                PipeProtocol r = readPipe("N13.22", p.source());
                PipeProtocol w = writePipe("N13.22", p.sink());
                w.writing().write(ascii("pipe " + i));
                w.transport.close();
                within("N13.22", "connectionLost of write pipe #" + i, w.lost);
                within("N13.22", "end of stream of read pipe #" + i, r.lost);
                if (p.source().isOpen() || p.sink().isOpen()) {
                    fail(msg("N13.22", "pipe #" + i + ": a channel is open after its transport ended"));
                }
                out.add(r.data.toString(StandardCharsets.US_ASCII));
            }
            return out;
        });
        for (int i = 0; i < 50; i++) {
            assertEquals("pipe " + i, got.get(i), msg("N13.22", "what read pipe #" + i + " got"));
        }
    }

    @Test
    @DisplayName("N13.23 an exception from a write pipe's connectionMade is reported, fails the future, and the"
            + " protocol gets connectionLost(thatException); the channel is closed")
    void required_N13_23_connectionMadeThrows() throws IOException {
        expectReports();
        Pipe p = pipe();
        IllegalStateException boom = new IllegalStateException("boom in connectionMade");
        List<Throwable> lost = Collections.synchronizedList(new ArrayList<>());
        run("N13.23", () -> {
            Protocol proto = new Protocol() {
                @Override
                public void connectionMade(Transport transport) {
                    throw boom;
                }

                @Override
                public void connectionLost(@Nullable Throwable exception) {
                    lost.add(exception);
                }
            };
            Throwable e = failureOf("N13.23", "connectWritePipe whose connectionMade throws",
                    loop.connectWritePipe(() -> proto, p.sink()));
            assertSame(boom, e, msg("N13.23", "the future failed with " + e));
            settle();
            return null;
        });
        assertEquals(List.of(boom), lost, msg("N13.23", "connectionLost calls"));
        assertEquals(1, reports().size(), msg("N13.23", "reports: " + reports()));
        assertSame(boom, reports().getFirst().exception().orElse(null), msg("N13.23", "the report's exception"));
        assertFalse(p.sink().isOpen(), msg("N13.23", "the channel is open after connectionLost"));
    }

    @Test
    @DisplayName("N13.25 a connected socket as a write pipe: the peer closing ends the transport with"
            + " connectionLost(null) without a write (asyncio's test_write_pipe_disconnect_on_close)")
    void required_N13_25_socketAsWritePipe() throws IOException {
        requireCapability(Capability.TCP);
        SocketChannel[] pair = new SocketChannel[2];
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            pair[0] = SocketChannel.open(server.getLocalAddress());
            opened.add(pair[0]);
            pair[1] = server.accept();
            opened.add(pair[1]);
        }
        PipeProtocol proto = run("N13.25", () -> {
            PipeProtocol w = new PipeProtocol(loop);
            within("N13.25", "connectWritePipe of a socket", loop.connectWritePipe(() -> w, pair[0]));
            assertSame(pair[0], w.transport.getExtraInfo(Transport.PIPE).orElse(null), msg("N13.25", "PIPE"));
            w.writing().write(ascii("1"));
            ByteBuffer one = ByteBuffer.allocate(1);
            while (one.hasRemaining()) {
                pair[1].read(one);
            }
            pair[1].close();
            Throwable e = within("N13.25", "connectionLost after the peer closed", w.lost);
            assertNull(e, msg("N13.25", "connectionLost got " + e + "; nothing was queued, so asyncio passes None"));
            settle();
            return w;
        });
        assertEquals(List.of("made", "lost"), proto.events, msg("N13.25", "the write pipe's calls"));
        assertFalse(pair[0].isOpen(), msg("N13.25", "the socket is open after connectionLost"));
    }

    @Test
    @DisplayName("N13.24 setProtocol on a read pipe: later data and end of stream go to the new protocol")
    void required_N13_24_setProtocol() throws IOException {
        Pipe p = pipe();
        PipeProtocol[] both = run("N13.24", () -> {
            PipeProtocol first = readPipe("N13.24", p.source());
            put(p.sink(), ascii("a"));
            within("N13.24", "the first protocol's data", first.received(1));
            PipeProtocol second = new PipeProtocol(loop);
            first.transport.setProtocol(second);
            assertSame(second, first.transport.getProtocol(), msg("N13.24", "getProtocol() after setProtocol"));
            put(p.sink(), ascii("bc"));
            p.sink().close();
            within("N13.24", "the second protocol's connectionLost", second.lost);
            return new PipeProtocol[] {first, second};
        });
        assertEquals(List.of("made", "data"), both[0].events, msg("N13.24", "the first protocol's calls"));
        assertEquals(List.of("data", "eof", "lost"), both[1].events, msg("N13.24", "the second protocol's calls"));
        assertEquals("bc", both[1].data.toString(StandardCharsets.US_ASCII), msg("N13.24", "the second's data"));
    }
}
