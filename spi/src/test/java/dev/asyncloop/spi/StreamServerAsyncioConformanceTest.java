package dev.asyncloop.spi;

import static dev.asyncloop.Async.await;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.asyncloop.Async;
import dev.asyncloop.AsyncCallable;
import dev.asyncloop.ClientConnectedHandler;
import dev.asyncloop.ExceptionContext;
import dev.asyncloop.Future;
import dev.asyncloop.Server;
import dev.asyncloop.StreamPair;
import dev.asyncloop.StreamReader;
import dev.asyncloop.StreamWriter;
import dev.asyncloop.Streams;
import dev.asyncloop.Task;
import dev.asyncloop.Tasks;
import dev.asyncloop.Transport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The server side and the writer's lifecycle of asyncio 3.12–3.13's {@code streams.py} ({@code start_server},
 * {@code StreamReaderProtocol}, {@code StreamWriter}) over real loopback connections, each test named after the
 * asyncio test or rule it follows ({@code test_streams.py}).
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StreamServerAsyncioConformanceTest {
    private static final String HOST = "127.0.0.1";
    private final ReadinessEventLoop loop = SelectorLoops.newLoop();
    private final List<ExceptionContext> reports = new ArrayList<>();

    @BeforeEach
    void recordReports() {
        loop.setExceptionHandler((l, context) -> reports.add(context));
    }

    @AfterEach
    void tearDown() {
        loop.close();
    }

    static byte[] b(String s) {
        return s.getBytes(US_ASCII);
    }

    static String s(byte[] b) {
        return new String(b, US_ASCII);
    }

    private <T> T run(AsyncCallable<T> main) {
        return loop.runUntilComplete(loop.createTask(main, "main"));
    }

    private static int port(Server server) throws IOException {
        return ((InetSocketAddress) server.sockets().getFirst().getLocalAddress()).getPort();
    }

    /** The failure of {@code f} once it is done; fails the test if it succeeds. */
    private static Throwable failure(Future<?> f) {
        try {
            await(f);
        } catch (RuntimeException expected) {
            return f.exception().orElseThrow(() -> expected);
        }
        return fail("expected " + f + " to fail");
    }

    /** asyncio's test handler: echo one line, then close and wait until closed. */
    private static void echoLine(StreamReader reader, StreamWriter writer) {
        byte[] line = await(reader.readLine());
        writer.write(line);
        await(writer.drain());
        writer.close();
        await(writer.waitClosed());
    }

    /** asyncio's test client: send a line, read it back, close. */
    private static String lineBack(int port) {
        StreamPair c = await(Streams.openConnection(HOST, port));
        c.writer().write(b("hello world!\n"));
        String back = s(await(c.reader().readLine()));
        c.writer().close();
        await(c.writer().waitClosed());
        return back;
    }

    @Test
    @DisplayName("asyncio test_start_server: a handler that serves in its own body and one that only starts a task"
            + " both echo; nothing is reported")
    void handlerServingInItsBodyOrThroughATask() {
        ClientConnectedHandler startsATask = (reader, writer) ->
                Async.getRunningLoop().createTask(() -> {
                    echoLine(reader, writer);
                    return null;
                });
        for (ClientConnectedHandler handler : List.<ClientConnectedHandler>of(
                StreamServerAsyncioConformanceTest::echoLine, startsATask)) {
            String back = run(() -> {
                Server server = await(Streams.startServer(handler, HOST, 0));
                try {
                    return lineBack(port(server));
                } finally {
                    server.close();
                    await(server.waitClosed());
                }
            });
            assertEquals("hello world!\n", back);
        }
        assertEquals(List.of(), reports);
    }

    @Test
    @DisplayName("asyncio StreamReaderProtocol: a handler that returns leaves its connection open for both"
            + " directions")
    void returningHandlerLeavesTheConnectionOpen() {
        run(() -> {
            List<Task<?>> tasks = new ArrayList<>();
            List<StreamPair> served = new ArrayList<>();
            Server server = await(Streams.startServer((reader, writer) -> {
                tasks.add(Async.currentTask().orElseThrow());
                served.add(new StreamPair(reader, writer));
                writer.write(b("hi\n"));
            }, HOST, 0));
            StreamPair c = await(Streams.openConnection(HOST, port(server)));
            assertEquals("hi\n", s(await(c.reader().readLine())));
            await(tasks.getFirst()); // the protocol's done callback was added first, so it has run
            StreamPair s = served.getFirst();
            assertFalse(s.writer().isClosing(), "the connection was closed when the handler returned");
            c.writer().write(b("more\n"));
            assertEquals("more\n", s(await(s.reader().readLine())));
            s.writer().write(b("bye\n"));
            assertEquals("bye\n", s(await(c.reader().readLine())));
            c.writer().close();
            s.writer().close();
            await(s.writer().waitClosed());
            server.close();
            await(server.waitClosed());
            return null;
        });
        assertEquals(List.of(), reports);
    }

    @Test
    @DisplayName("asyncio test_unhandled_cancel: a handler task cancelled after writing closes its connection"
            + " (the client reads the data, then EOF) and nothing is reported")
    void cancelledHandlerClosesItsConnectionSilently() {
        run(() -> {
            Server server = await(Streams.startServer((reader, writer) -> {
                writer.write(b("hi\n"));
                await(writer.drain());
                Async.currentTask().orElseThrow().cancel();
                Async.sleep(Duration.ofSeconds(30));
            }, HOST, 0));
            StreamPair c = await(Streams.openConnection(HOST, port(server)));
            assertEquals("hi\n", s(await(c.reader().readLine())));
            assertEquals("", s(await(c.reader().read())), "EOF: the server side was closed");
            c.writer().close();
            server.close();
            await(server.waitClosed());
            return null;
        });
        assertEquals(List.of(), reports);
    }

    @Test
    @DisplayName("asyncio test_unhandled_exceptions: a handler that throws is reported once with its exception and"
            + " transport, and its connection is closed")
    void throwingHandlerIsReportedAndClosed() {
        IllegalStateException boom = new IllegalStateException("boom");
        Transport[] transport = new Transport[1];
        run(() -> {
            Server server = await(Streams.startServer((reader, writer) -> {
                transport[0] = writer.transport();
                throw boom;
            }, HOST, 0));
            StreamPair c = await(Streams.openConnection(HOST, port(server)));
            assertEquals("", s(await(c.reader().read())), "EOF: the server side was closed");
            c.writer().close();
            await(c.writer().waitClosed());
            server.close();
            await(server.waitClosed());
            return null;
        });
        assertEquals(1, reports.size(), reports.toString());
        ExceptionContext r = reports.getFirst();
        assertEquals("Unhandled exception in client connected handler", r.message());
        assertSame(boom, r.exception().orElseThrow());
        assertSame(transport[0], r.transport().orElseThrow());
    }

    @Test
    @DisplayName("asyncio test_eof_feed_when_closing_writer: after close and wait_closed the reader is at EOF and"
            + " read() returns empty; nothing is reported")
    void closeFeedsEofToTheReader() {
        run(() -> {
            Server server = await(Streams.startServer((reader, writer) -> {
                await(reader.read());
                writer.close();
            }, HOST, 0));
            StreamPair c = await(Streams.openConnection(HOST, port(server)));
            assertFalse(c.writer().isClosing());
            c.writer().close();
            assertTrue(c.writer().isClosing(), "is_closing at once after close");
            await(c.writer().waitClosed());
            assertTrue(c.reader().atEof());
            assertEquals(0, await(c.reader().read()).length);
            server.close();
            await(server.waitClosed());
            return null;
        });
        assertEquals(List.of(), reports);
    }

    @Test
    @DisplayName("asyncio test_wait_closed_on_close_with_unread_data: wait_closed completes although the peer's"
            + " data was not read")
    void waitClosedWithUnreadData() {
        run(() -> {
            Server server = await(Streams.startServer((reader, writer) -> {
                writer.write(b("HTTP/1.0 200 OK\r\n" + "x".repeat(10_000) + "\r\n\r\nTest message"));
                writer.close();
            }, HOST, 0));
            StreamPair c = await(Streams.openConnection(HOST, port(server)));
            assertEquals("HTTP/1.0 200 OK\r\n", s(await(c.reader().readLine())));
            c.writer().close();
            await(c.writer().waitClosed());
            server.close();
            await(server.waitClosed());
            return null;
        });
        assertEquals(List.of(), reports);
    }

    @Test
    @DisplayName("asyncio test_async_writer_api_exception_after_close: write then drain after close fails with the"
            + " lost connection (ConnectionResetError there); nothing is reported")
    void writeAndDrainAfterCloseFail() {
        run(() -> {
            Server server = await(Streams.startServer((reader, writer) -> {
                writer.write(b("HTTP/1.0 200 OK\r\n\r\nTest message"));
                writer.close();
            }, HOST, 0));
            StreamPair c = await(Streams.openConnection(HOST, port(server)));
            assertEquals("HTTP/1.0 200 OK\r\n", s(await(c.reader().readLine())));
            assertTrue(s(await(c.reader().read())).endsWith("\r\nTest message"));
            c.writer().close();
            c.writer().write(b("data"));
            Throwable e = failure(c.writer().drain());
            assertInstanceOf(java.net.SocketException.class, e);
            server.close();
            await(server.waitClosed());
            return null;
        });
        assertEquals(List.of(), reports);
    }

    @Test
    @DisplayName("asyncio test_drain_raises: write and drain in a loop against a peer that closed at once ends with"
            + " the connection's error instead of spinning; nothing is reported")
    void drainFailsOnceThePeerHasGone() throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            Thread peer = Thread.ofPlatform().daemon().start(() -> {
                try (SocketChannel accepted = listener.accept()) {
                    // closed at once
                } catch (IOException ignored) {
                    // the test fails on the client side
                }
            });
            Throwable e = run(() -> {
                StreamPair c = await(Streams.openConnection(HOST, port));
                for (int i = 0; i < 10_000_000; i++) {
                    c.writer().write(b("foo\n"));
                    Future<Void> d = c.writer().drain();
                    try {
                        await(d);
                    } catch (RuntimeException failed) {
                        return d.exception().orElseThrow(() -> failed);
                    }
                }
                return null;
            });
            assertNotNull(e, "drain never failed");
            assertInstanceOf(IOException.class, e);
            peer.join(5_000);
        }
        assertEquals(List.of(), reports);
    }

    @Test
    @DisplayName("asyncio StreamReaderProtocol.connection_lost(exc): the reader fails with exc, wait_closed fails"
            + " with the same, drain raises the reader's exception; nothing is reported")
    void resetConnectionFeedsTheReaderAndWaitClosed() throws Exception {
        Future<Throwable[]> seen = loop.createFuture();
        Server server = loop.runUntilComplete(loop.runUntilComplete(() -> Streams.startServer((reader, writer) -> {
            Throwable read = failure(reader.read());
            Throwable closed = failure(writer.waitClosed());
            Throwable drained = failure(writer.drain());
            seen.setResult(new Throwable[] {read, closed, drained, reader.exception().orElse(null)});
        }, HOST, 0)));
        try (SocketChannel client = SocketChannel.open(new InetSocketAddress(HOST, port(server)))) {
            client.setOption(StandardSocketOptions.SO_LINGER, 0); // close() sends RST
        }
        Throwable[] e = loop.runUntilComplete(seen);
        assertInstanceOf(IOException.class, e[0]);
        assertSame(e[0], e[1], "wait_closed fails with the connection's error");
        assertSame(e[0], e[2], "drain raises the reader's exception");
        assertSame(e[0], e[3]);
        server.close();
        loop.runUntilComplete(server.waitClosed());
        assertEquals(List.of(), reports);
    }

    @Test
    @DisplayName("asyncio StreamWriter.transport / get_extra_info / can_write_eof on both sides of a connection")
    void writerExposesItsTransport() {
        run(() -> {
            Future<StreamWriter> served = loop.createFuture();
            Server server = await(Streams.startServer((reader, writer) -> served.setResult(writer), HOST, 0));
            StreamPair c = await(Streams.openConnection(HOST, port(server)));
            StreamWriter s = await(served);
            assertSame(c.writer().transport().getExtraInfo(Transport.SOCKNAME).orElseThrow(),
                    c.writer().getExtraInfo(Transport.SOCKNAME).orElseThrow());
            assertEquals(c.writer().getExtraInfo(Transport.SOCKNAME).orElseThrow(),
                    s.getExtraInfo(Transport.PEERNAME).orElseThrow());
            assertEquals(s.getExtraInfo(Transport.SOCKNAME).orElseThrow(),
                    c.writer().getExtraInfo(Transport.PEERNAME).orElseThrow());
            assertTrue(c.writer().canWriteEof());
            assertTrue(s.canWriteEof());
            c.writer().close();
            s.close();
            await(s.waitClosed());
            await(c.writer().waitClosed());
            server.close();
            await(server.waitClosed());
            return null;
        });
        assertEquals(List.of(), reports);
    }
    @Test
    @DisplayName("asyncio StreamReaderProtocol keeps the handler's task referenced: a handler waiting on its reader"
            + " survives garbage collection and still serves")
    void waitingHandlerSurvivesGarbageCollection() {
        run(() -> {
            Server server = await(Streams.startServer(StreamServerAsyncioConformanceTest::echoLine, HOST, 0));
            StreamPair c = await(Streams.openConnection(HOST, port(server)));
            for (int i = 0; i < 5; i++) {
                System.gc();
                Async.sleep(Duration.ofMillis(10));
            }
            c.writer().write(b("still there\n"));
            assertEquals("still there\n", s(Tasks.waitFor(c.reader().readLine(), Duration.ofSeconds(5))));
            c.writer().close();
            server.close();
            await(server.waitClosed());
            return null;
        });
        assertEquals(List.of(), reports);
    }
}
