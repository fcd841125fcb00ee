package dev.asyncloop.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.Async;
import dev.asyncloop.AsyncQueue;
import dev.asyncloop.ExceptionContext;
import dev.asyncloop.Future;
import dev.asyncloop.IncompleteReadError;
import dev.asyncloop.LimitOverrunError;
import dev.asyncloop.Server;
import dev.asyncloop.ServerOptions;
import dev.asyncloop.StreamPair;
import dev.asyncloop.StreamReader;
import dev.asyncloop.StreamTransport;
import dev.asyncloop.StreamWriter;
import dev.asyncloop.Streams;
import dev.asyncloop.Tasks;
import dev.asyncloop.Transport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Rules N7.x: asyncio streams ({@link Streams}, {@link StreamReader}, {@link StreamWriter}) over the loop's TCP
 * transports. The streams are the library's; what these rules check is that the loop's transports give them
 * what asyncio's do: data and EOF in order, pause/resume of reading, write flow control, connection loss.
 */
abstract class StreamRules extends NetworkGroup {
    StreamRules(EventLoopConformanceSuite suite) {
        super(suite);
    }

    /** Inside a task: a stream server whose handler hands each connection's streams to {@code accepted}. */
    final Server streamServer(AsyncQueue<StreamPair> accepted, int limit) {
        return Async.await(Streams.startServer((r, w) -> accepted.put(new StreamPair(r, w)), HOST, 0,
                ServerOptions.defaults(), limit));
    }

    /** Inside a task: the next accepted connection, waited for at most {@link #defaultWait()}. */
    static StreamPair next(String rule, AsyncQueue<StreamPair> accepted) {
        try {
            return Tasks.waitFor(accepted::get, defaultWait());
        } catch (dev.asyncloop.TimeoutError e) {
            throw new AssertionError(msg(rule, "the stream server's handler did not run within " + defaultWait()
                    + "; check that connections are accepted and connectionMade is called"), e);
        }
    }

    static String text(byte[] b) {
        return new String(b, java.nio.charset.StandardCharsets.US_ASCII);
    }

    @Test
    @DisplayName("N7.1 startServer runs the handler once per connection, as its own task; openConnection streams talk to it")
    void required_N7_1_handlerPerConnection() throws Exception {
        run("N7.1", () -> {
            AsyncQueue<StreamPair> accepted = new AsyncQueue<>();
            Server server = streamServer(accepted, StreamReader.DEFAULT_LIMIT);
            StreamPair a = Async.await(Streams.openConnection(HOST, port(server)));
            StreamPair b = Async.await(Streams.openConnection(HOST, port(server)));
            StreamPair sa = next("N7.1", accepted);
            StreamPair sb = next("N7.1", accepted);
            assertNotSame(sa.reader(), sb.reader(), msg("N7.1", "two connections share one reader"));
            a.writer().write(bytes("from a\n"));
            b.writer().write(bytes("from b\n"));
            Async.await(a.writer().drain());
            String first = text(Async.await(sa.reader().readLine()));
            String second = text(Async.await(sb.reader().readLine()));
            assertEquals(List.of("from a\n", "from b\n"), List.of(first, second).stream().sorted().toList(),
                    msg("N7.1", "the handlers' readers got " + first.strip() + " / " + second.strip()
                            + "; check that each accepted transport feeds its own protocol"));
            sa.writer().write(bytes("echo a\n"));
            assertEquals("echo a\n", text(Async.await(first.equals("from a\n") ? a.reader().readLine()
                    : b.reader().readLine())), msg("N7.1", "the reply did not reach the client"));
            for (StreamPair p : List.of(a, b, sa, sb)) {
                p.writer().close();
            }
            Async.await(a.writer().waitClosed());
            server.close();
            return null;
        });
    }

    @Test
    @DisplayName("N7.2 readLine, readExactly and readUntil over TCP; at EOF the partial data is in IncompleteReadError")
    void required_N7_2_readsAndPartialData() throws Exception {
        run("N7.2", () -> {
            AsyncQueue<StreamPair> accepted = new AsyncQueue<>();
            Server server = streamServer(accepted, StreamReader.DEFAULT_LIMIT);
            StreamPair c = Async.await(Streams.openConnection(HOST, port(server)));
            StreamPair s = next("N7.2", accepted);
            c.writer().write(bytes("line one\nfixed--rest<END>tail"));
            assertTrue(c.writer().canWriteEof(), msg("N7.2", "a TCP stream cannot write EOF"));
            c.writer().writeEof();
            StreamReader r = s.reader();
            assertEquals("line one\n", text(Async.await(r.readLine())), msg("N7.2", "readLine"));
            assertEquals("fixed", text(Async.await(r.readExactly(5))), msg("N7.2", "readExactly"));
            assertEquals("--rest<END>", text(Async.await(r.readUntil(bytes("<END>")))), msg("N7.2", "readUntil"));
            IncompleteReadError e = assertThrows(IncompleteReadError.class,
                    () -> Async.await(r.readExactly(10)), msg("N7.2", "readExactly past EOF did not fail"));
            assertEquals("tail", text(e.partial()), msg("N7.2", "partial data of the IncompleteReadError; check"
                    + " that eofReceived comes after every dataReceived"));
            assertEquals(10, e.expected(), msg("N7.2", "expected count"));
            assertTrue(r.atEof(), msg("N7.2", "reader not at EOF after the peer's writeEof"));
            assertEquals(0, Async.await(r.readLine()).length, msg("N7.2", "readLine at EOF is empty"));
            s.writer().write(bytes("after half-close"));
            s.writer().writeEof();
            IncompleteReadError u = assertThrows(IncompleteReadError.class,
                    () -> Async.await(c.reader().readUntil(bytes("\n"))));
            assertEquals("after half-close", text(u.partial()), msg("N7.2", "the half-closed side could not"
                    + " receive; check that eofReceived returning true keeps the transport open for writing"));
            c.writer().close();
            s.writer().close();
            Async.await(s.writer().waitClosed());
            Async.await(c.writer().waitClosed());
            server.close();
            return null;
        });
    }

    @Test
    @DisplayName("N7.3 readUntil beyond the limit: LimitOverrunError, data kept; readLine beyond it drops the line")
    void required_N7_3_limitOverrun() throws Exception {
        run("N7.3", () -> {
            AsyncQueue<StreamPair> accepted = new AsyncQueue<>();
            Server server = streamServer(accepted, 8);
            StreamPair c = Async.await(Streams.openConnection(HOST, port(server)));
            StreamPair s = next("N7.3", accepted);
            c.writer().write(bytes("0123456789abcdef|short\n"));
            StreamReader r = s.reader();
            assertEquals(8, r.limit(), msg("N7.3", "startServer's limit not given to the reader"));
            LimitOverrunError e = assertThrows(LimitOverrunError.class, () -> Async.await(r.readUntil(bytes("|"))),
                    msg("N7.3", "a separator 16 bytes in, limit 8, was accepted"));
            assertTrue(e.consumed() > 8, msg("N7.3", "consumed " + e.consumed() + ", not beyond the limit"));
            assertEquals("0123456789abcdef|", text(Async.await(r.readExactly(17))),
                    msg("N7.3", "the data did not stay in the buffer after LimitOverrunError"));
            assertEquals("short\n", text(Async.await(r.readLine())), msg("N7.3", "a line within the limit"));
            c.writer().write(bytes("much-too-long-line\nnext\n"));
            assertThrows(LimitOverrunError.class, () -> Async.await(r.readLine()),
                    msg("N7.3", "readLine over the limit did not fail"));
            assertEquals("next\n", text(Async.await(r.readLine())),
                    msg("N7.3", "readLine over the limit did not drop the long line"));
            c.writer().close();
            s.writer().close();
            Async.await(s.writer().waitClosed());
            Async.await(c.writer().waitClosed());
            server.close();
            return null;
        });
    }

    @Test
    @DisplayName("N7.4 drain waits while the peer does not read (reader paused its transport) and resumes when it does")
    void required_N7_4_drainHonoursFlowControl() throws Exception {
        run("N7.4", () -> {
            AsyncQueue<StreamPair> accepted = new AsyncQueue<>();
            Server server = streamServer(accepted, 1024);
            StreamPair c = Async.await(Streams.openConnection(HOST, port(server)));
            StreamPair s = next("N7.4", accepted);
            c.writer().transport().setWriteBufferLimits(16 * 1024, 4 * 1024);
            byte[] chunk = pattern(64 * 1024);
            ByteArrayOutputStream sent = new ByteArrayOutputStream();
            Future<@Nullable Void> drain = null;
            long end = System.nanoTime() + defaultWait().toNanos();
            while (sent.size() < 256 * 1024 * 1024 && System.nanoTime() < end) {
                c.writer().write(chunk);
                sent.writeBytes(chunk);
                drain = c.writer().drain();
                if (!drain.isDone()) {
                    // Where the socket buffers are small the first chunk already makes drain wait, before the
                    // server has read anything; its reader pauses its transport once it holds more than twice
                    // its limit, so wait for that (or for the drain, if the kernel takes the rest meanwhile).
                    Future<@Nullable Void> pending = drain;
                    waitUntil("N7.4", "the server's transport to pause reading or the drain to end", () ->
                            pending.isDone() || !((StreamTransport) s.writer().transport()).isReading());
                    if (!drain.isDone()) {
                        break;
                    }
                }
                Async.await(drain);
                Async.yieldNow();
            }
            assertFalse(java.util.Objects.requireNonNull(drain, "the loop wrote at least once").isDone(),
                    msg("N7.4", "drain never waited after " + sent.size() + " bytes to a peer that does not read;"
                    + " check that the transport calls pauseWriting above the high-water mark"
                    + " and that pauseReading stops the peer's reads"));
            assertFalse(((StreamTransport) s.writer().transport()).isReading(), msg("N7.4", "the server's"
                    + " transport still reads although its reader holds more than twice its limit; check that pauseReading works on"
                    + " accepted transports"));
            Future<byte[]> all = s.reader().readExactly(sent.size());
            Async.await(drain);
            c.writer().close();
            byte[] got = Async.await(all);
            assertArrayEquals(sent.toByteArray(), got, msg("N7.4", "the bytes received differ from those sent"));
            Async.await(c.writer().waitClosed());
            s.writer().close();
            server.close();
            return null;
        });
    }

    @Test
    @DisplayName("N7.5 an exception in the handler is reported with the transport, and its connection closed")
    void required_N7_5_handlerExceptionReported() throws Exception {
        expectReports();
        run("N7.5", () -> {
            IllegalStateException boom = new IllegalStateException("handler failed");
            Server server = Async.await(Streams.startServer((r, w) -> {
                Async.await(r.readLine());
                throw boom;
            }, HOST, 0));
            StreamPair c = Async.await(Streams.openConnection(HOST, port(server)));
            c.writer().write(bytes("hi\n"));
            byte[] rest = Tasks.waitFor(c.reader().read(-1), defaultWait());
            assertEquals(0, rest.length, msg("N7.5", "the client read data instead of EOF"));
            assertEquals(1, reports().size(), msg("N7.5", "expected one report, got " + reports()));
            ExceptionContext report = reports().getFirst();
            assertEquals(boom, report.exception().orElse(null), msg("N7.5", "reported " + report));
            assertTrue(report.transport().isPresent(), msg("N7.5", "the report names no transport"));
            c.writer().close();
            server.close();
            return null;
        });
    }

    @Test
    @DisplayName("N7.6 close and waitClosed: isClosing at once, waitClosed done once lost, peer sees EOF, drain then fails")
    void required_N7_6_closeAndWaitClosed() throws Exception {
        run("N7.6", () -> {
            AsyncQueue<StreamPair> accepted = new AsyncQueue<>();
            Server server = streamServer(accepted, StreamReader.DEFAULT_LIMIT);
            StreamPair c = Async.await(Streams.openConnection(HOST, port(server)));
            StreamPair s = next("N7.6", accepted);
            StreamWriter w = c.writer();
            Object peer = w.getExtraInfo(Transport.PEERNAME).orElse(null);
            InetSocketAddress peerAddress = assertInstanceOf(InetSocketAddress.class, peer, msg("N7.6",
                    "peername extra info"));
            assertEquals(port(server), peerAddress.getPort(), msg("N7.6", "peername port"));
            assertFalse(w.isClosing(), msg("N7.6", "a new writer is closing"));
            w.write(bytes("bye"));
            w.close();
            assertTrue(w.isClosing(), msg("N7.6", "isClosing false right after close"));
            assertTrue(Tasks.waitFor(w.waitClosed(), defaultWait()) == null, msg("N7.6", "waitClosed result"));
            assertEquals("bye", text(Async.await(s.reader().read(-1))), msg("N7.6", "the peer did not get the"
                    + " data written before close, then EOF"));
            assertFalse(s.writer().isClosing(), msg("N7.6", "the server side closed on EOF; a stream protocol keeps"
                    + " it open for writing (eofReceived returns true)"));
            s.writer().close();
            Throwable e = assertThrows(Throwable.class, () -> Async.<@Nullable Void>await(w.drain()),
                    msg("N7.6", "drain after the connection was lost succeeded"));
            Throwable cause = e instanceof CompletionException ? e.getCause() : e;
            assertInstanceOf(SocketException.class, cause, msg("N7.6", "drain after loss failed with " + e));
            Async.await(s.writer().waitClosed());
            server.close();
            Async.await(server.waitClosed());
            return null;
        });
    }
    @Test
    @DisplayName("N7.7 a handler whose task is cancelled: its connection is closed after the data it wrote; nothing is reported")
    void required_N7_7_cancelledHandlerClosesSilently() throws Exception {
        run("N7.7", () -> {
            Server server = Async.await(Streams.startServer((r, w) -> {
                w.write(bytes("hi\n"));
                Async.await(w.drain());
                Async.currentTask().orElseThrow().cancel();
                Async.sleep(defaultWait());
            }, HOST, 0));
            StreamPair c = Async.await(Streams.openConnection(HOST, port(server)));
            byte[] all = Tasks.waitFor(c.reader().read(-1), defaultWait());
            assertEquals("hi\n", text(all), msg("N7.7", "the client did not read the handler's data, then EOF"));
            c.writer().close();
            server.close();
            Tasks.waitFor(server.waitClosed(), defaultWait());
            assertEquals(List.of(), reports(), msg("N7.7", "a cancelled handler is not an error (asyncio's"
                    + " test_unhandled_cancel)"));
            return null;
        });
    }

    @Test
    @DisplayName("N7.8 after close and waitClosed the reader is at EOF; a later write is dropped and drain fails with SocketException")
    void required_N7_8_closedWriterFeedsEofAndDropsWrites() throws Exception {
        run("N7.8", () -> {
            AsyncQueue<StreamPair> accepted = new AsyncQueue<>();
            Server server = streamServer(accepted, StreamReader.DEFAULT_LIMIT);
            StreamPair c = Async.await(Streams.openConnection(HOST, port(server)));
            StreamPair s = next("N7.8", accepted);
            c.writer().close();
            Tasks.waitFor(c.writer().waitClosed(), defaultWait());
            assertTrue(c.reader().atEof(), msg("N7.8", "waitClosed is done but the reader is not at EOF; check"
                    + " that close() ends with connectionLost(null)"));
            assertEquals(0, Async.await(c.reader().read(-1)).length, msg("N7.8", "read after close"));
            c.writer().write(bytes("data"));
            Throwable e = assertThrows(Throwable.class, () -> Async.<@Nullable Void>await(c.writer().drain()),
                    msg("N7.8", "drain after close succeeded"));
            Throwable cause = e instanceof CompletionException ? e.getCause() : e;
            assertInstanceOf(SocketException.class, cause, msg("N7.8", "drain after close failed with " + e));
            assertEquals("", text(Tasks.waitFor(s.reader().read(-1), defaultWait())), msg("N7.8", "the peer"
                    + " received bytes written after close"));
            s.writer().close();
            Tasks.waitFor(s.writer().waitClosed(), defaultWait());
            server.close();
            Async.await(server.waitClosed());
            assertEquals(List.of(), reports(), msg("N7.8", "a write after close is dropped silently"));
            return null;
        });
    }

    @Test
    @DisplayName("N7.9 a connection reset by the peer: the reader fails with the IOException, waitClosed and drain with the same one")
    void required_N7_9_resetFailsReaderWaitClosedAndDrain() throws Exception {
        run("N7.9", () -> {
            AsyncQueue<StreamPair> accepted = new AsyncQueue<>();
            Server server = streamServer(accepted, StreamReader.DEFAULT_LIMIT);
            SocketChannel raw = track(SocketChannel.open(new InetSocketAddress(HOST, port(server))));
            StreamPair s = next("N7.9", accepted);
            resetOnClose(raw);
            raw.close();
            Throwable read = failure(s.reader().read(-1));
            assertInstanceOf(IOException.class, read, msg("N7.9", "reading a reset connection gave " + read
                    + "; check that a read error ends the transport with connectionLost(thatIOException)"));
            assertSame(read, failure(s.writer().waitClosed()), msg("N7.9", "waitClosed did not fail with the"
                    + " error the connection was lost with"));
            assertSame(read, failure(s.writer().drain()), msg("N7.9", "drain did not fail with the reader's"
                    + " exception"));
            server.close();
            Tasks.waitFor(server.waitClosed(), defaultWait());
            assertEquals(List.of(), reports(), msg("N7.9", "a reset connection is not reported (asyncio ignores"
                    + " ConnectionResetError in _fatal_error)"));
            return null;
        });
    }

    @Test
    @DisplayName("N7.10 write and drain in a loop against a peer that closed: drain fails with an IOException, nothing is reported")
    void required_N7_10_drainFailsOncePeerClosed() throws Exception {
        ServerSocketChannel raw = listener();
        run("N7.10", () -> {
            StreamPair c = Async.await(Streams.openConnection(HOST, port(raw)));
            raw.configureBlocking(true);
            raw.accept().close();
            Throwable failed = null;
            for (int i = 0; i < 1_000_000 && failed == null; i++) {
                c.writer().write(bytes("foo\n"));
                failed = failure(c.writer().drain());
            }
            assertInstanceOf(IOException.class, failed, msg("N7.10", "write and drain to a closed peer never"
                    + " failed (asyncio's test_drain_raises); check that a failed send closes the transport"));
            assertEquals(List.of(), reports(), msg("N7.10", "a write to a closed peer is not reported (asyncio"
                    + " ignores BrokenPipeError and ConnectionResetError in _fatal_error)"));
            return null;
        });
    }

    /** Inside a task: the failure of {@code f}, unwrapped; null if it succeeds. */
    static @Nullable Throwable failure(Future<?> f) {
        return DnsRules.failure(f);
    }
}
