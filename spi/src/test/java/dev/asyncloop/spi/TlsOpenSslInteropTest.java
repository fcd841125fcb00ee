package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.asyncloop.BufferedProtocol;
import dev.asyncloop.ConnectOptions;
import dev.asyncloop.Connection;
import dev.asyncloop.EventLoop;
import dev.asyncloop.Future;
import dev.asyncloop.Protocol;
import dev.asyncloop.Server;
import dev.asyncloop.ServerOptions;
import dev.asyncloop.StreamTransport;
import dev.asyncloop.TlsOptions;
import dev.asyncloop.Transport;
import dev.asyncloop.testsupport.DataRecorder;
import dev.asyncloop.testsupport.LoopWaits;
import dev.asyncloop.testsupport.TlsTestContexts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The TLS layer against OpenSSL ({@code openssl s_server} and {@code s_client} as child processes, over loopback),
 * a TLS implementation other than the JDK's engine at the far end: its post-handshake session tickets, KeyUpdate,
 * renegotiation, session resumption, small records, alerts, a {@code close_notify} that comes first, crosses data
 * or answers ours, a peer killed without one, and {@code startTls} after a plain-text STARTTLS exchange. The events
 * the application sees are asyncio's {@code sslproto}'s. Each wait is bounded and follows openssl's own output
 * (its {@code -msg} trace shows the protocol messages it sends and gets). Skipped where no {@code openssl} runs.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TlsOpenSslInteropTest {
    private final List<OpenSslPeer> peers = new ArrayList<>();
    private final List<Server> servers = new ArrayList<>();
    private final List<String> reports = new ArrayList<>();
    private ReadinessEventLoop loop;
    private SSLContext[] ctx;
    private Path cert;
    private Path key;
    @TempDir
    Path dir;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(OpenSslPeer.available(), "no openssl command on PATH to be the other TLS peer");
        Path[] pem = TlsTestContexts.writePem(dir);
        cert = pem[0];
        key = pem[1];
        ctx = TlsTestContexts.contexts("TLS");
        loop = SelectorLoops.newLoop();
        loop.setExceptionHandler((l, c) -> reports.add(c.message() + ": " + c.exception().orElse(null)));
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        for (OpenSslPeer p : peers) {
            p.close();
        }
        servers.forEach(Server::close);
        if (loop != null) {
            loop.close();
        }
    }

    // ------------------------------------------------------------------ the peers

    private static String versionFlag(String version) {
        return switch (version) {
            case "TLSv1.2" -> "-tls1_2";
            case "TLSv1.3" -> "-tls1_3";
            default -> throw new IllegalArgumentException("version: expected TLSv1.2 or TLSv1.3, got " + version);
        };
    }

    private OpenSslPeer openssl(List<String> args) throws IOException {
        OpenSslPeer p = OpenSslPeer.start(args.toArray(String[]::new));
        peers.add(p);
        return p;
    }

    /** {@code s_server} for one connection of {@code version}, showing the protocol messages it sends and gets. */
    private OpenSslPeer sServer(String version, String... mode) throws IOException {
        List<String> args = new ArrayList<>(List.of("s_server", "-accept", "127.0.0.1:0", "-naccept", "1",
                "-cert", cert.toString(), "-key", key.toString(), versionFlag(version), "-msg"));
        args.addAll(List.of(mode));
        return openssl(args);
    }

    /** {@code s_client} of {@code version} to our server, verifying its certificate for {@code localhost}. */
    private OpenSslPeer sClient(int port, String version, String... mode) throws IOException {
        List<String> args = new ArrayList<>(List.of("s_client", "-connect", "127.0.0.1:" + port,
                "-servername", "localhost", "-CAfile", cert.toString(), "-verify_return_error",
                "-verify_hostname", "localhost", versionFlag(version)));
        args.addAll(List.of(mode));
        return openssl(args);
    }

    private Connection<DataRecorder> connect(int port) {
        DataRecorder recorder = new DataRecorder(loop);
        return await(loop.createConnection(() -> recorder, "127.0.0.1", port,
                ConnectOptions.builder().ssl(ctx[1]).serverHostname("localhost").build()));
    }

    /** A TLS server that echoes and records; {@code accepted} gets each connection's protocol. */
    private int echoServer(List<EchoRecorder> accepted) throws IOException {
        Server server = await(loop.createServer(() -> {
            EchoRecorder p = new EchoRecorder(loop);
            accepted.add(p);
            return p;
        }, "127.0.0.1", 0, ServerOptions.builder().ssl(ctx[0]).build()));
        servers.add(server);
        return ((InetSocketAddress) server.sockets().getFirst().getLocalAddress()).getPort();
    }

    /** Records what it gets and writes a copy back. */
    static final class EchoRecorder extends DataRecorder {
        EchoRecorder(EventLoop loop) {
            super(loop);
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            ByteBuffer copy = ByteBuffer.allocate(data.remaining()).put(data.duplicate()).flip();
            super.dataReceived(data);
            transport().write(copy);
        }
    }

    // ------------------------------------------------------------------ waits and checks

    /** Runs the loop until {@code future} is done (bounded). */
    private <T> T await(Future<T> future) {
        return LoopWaits.await(loop, future, OpenSslPeer.BOUND);
    }

    /** Runs the loop until {@code condition} holds, a millisecond at a time; fails after {@link OpenSslPeer#BOUND}. */
    private void runUntil(BooleanSupplier condition, String what) {
        long end = System.nanoTime() + OpenSslPeer.BOUND.toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() - end < 0) {
            LoopWaits.settle(loop, Duration.ofMillis(1));
        }
        assertTrue(condition.getAsBoolean(), what + " did not happen in time; openssl's output:\n" + outputs());
    }

    private String outputs() {
        StringBuilder s = new StringBuilder();
        for (OpenSslPeer p : peers) {
            s.append("--- ").append(p).append('\n').append(p.output()).append('\n');
        }
        return s.toString();
    }

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    private static String text(DataRecorder r) {
        return new String(r.bytes(), StandardCharsets.US_ASCII);
    }

    private static String protocolOf(StreamTransport t) {
        return ((SSLEngine) t.getExtraInfo(Transport.SSL_OBJECT).orElseThrow()).getSession().getProtocol();
    }

    /** Whether openssl's {@code -msg} trace shows a message it received ({@code <<<}) naming {@code what}. */
    private static boolean received(OpenSslPeer p, String what) {
        return receivedCount(p, what) > 0;
    }

    /** How many messages naming {@code what} openssl's {@code -msg} trace shows it received. */
    private static int receivedCount(OpenSslPeer p, String what) {
        return (int) p.output().lines().filter(l -> l.startsWith("<<<") && l.contains(what)).count();
    }

    /**
     * The lines of the output that start with {@code prefix}, each with its newline: the data openssl printed, as
     * long as each of our records ends with a line (its {@code -msg} trace and status lines come between
     * records).
     */
    private static String linesStartingWith(OpenSslPeer p, String prefix) {
        StringBuilder s = new StringBuilder();
        p.output().lines().filter(l -> l.startsWith(prefix)).forEach(l -> s.append(l).append('\n'));
        return s.toString();
    }

    /** The recorder's events with runs of "data" folded into one. */
    private static List<String> events(DataRecorder r) {
        List<String> folded = new ArrayList<>();
        for (String e : r.events()) {
            if (!(e.equals("data") && !folded.isEmpty() && folded.getLast().equals("data"))) {
                folded.add(e);
            }
        }
        return folded;
    }

    private static String reversed(String s) {
        return new StringBuilder(s).reverse().toString();
    }

    // ------------------------------------------------------------------ 1. our client, s_server

    /**
     * Our client to {@code s_server -rev} (it answers each line reversed): data both ways in several writes and
     * records, the server's TLS 1.3 session tickets absorbed, and our {@code close()} reaching OpenSSL as a
     * {@code close_notify} that it answers, so both ends close cleanly.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void ourClientTalksToOpenSslAndClosesWithCloseNotify(String version) throws Exception {
        OpenSslPeer server = sServer(version, "-rev");
        Connection<DataRecorder> c = connect(server.acceptPort(loop));
        StreamTransport t = c.transport();
        assertEquals(version, protocolOf(t));
        t.write(ascii("olleh"));
        t.write(ascii(" dl"));
        t.write(ascii("row\n"));
        runUntil(() -> text(c.protocol()).contains("world hello"), "the first line's answer");
        StringBuilder block = new StringBuilder();
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            String line = ("line " + i + " ").repeat(150);
            block.append(line).append('\n');
            expected.append(reversed(line)).append('\n');
        }
        t.write(ascii(block.toString()));   // 30 KB: two records at least
        runUntil(() -> text(c.protocol()).endsWith(expected.toString()), "the block's answer");
        assertEquals("world hello\n" + expected, text(c.protocol()), "every byte back, in order");
        t.close();
        assertNull(c.protocol().awaitLost(loop, OpenSslPeer.BOUND), "a clean close");
        assertEquals(List.of("made", "data", "lost"), events(c.protocol()));
        assertEquals(0, server.awaitExit(loop), server.output());
        assertTrue(received(server, "close_notify"), "OpenSSL got our close_notify:\n" + server.output());
        assertEquals(List.of(), reports);
    }

    /**
     * {@code s_server} with a line already waiting on its stdin writes it as soon as the handshake is done, right
     * behind its TLS 1.3 session tickets (often in the same segment, the first read after our handshake): the
     * tickets are absorbed and the data reaches the application after {@code connectionMade}, whole.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void dataRightBehindTheSessionTickets(String version) throws Exception {
        OpenSslPeer server = sServer(version);
        int port = server.acceptPort(loop);
        server.send("waiting before the handshake");
        Connection<DataRecorder> c = connect(port);
        runUntil(() -> text(c.protocol()).contains("waiting before the handshake\n"), "the waiting line");
        assertEquals("waiting before the handshake\n", text(c.protocol()));
        assertEquals(List.of("made", "data"), events(c.protocol()));
        c.transport().write(ascii("answer\n"));
        server.await(loop, "answer\n");
        assertEquals(List.of(), reports);
    }

    /**
     * The client context with the peer's port: the layer makes a client's engine with {@code createSSLEngine(host,
     * -1)}, and the JDK keeps a client session for resumption only under a host and a real port, so without this
     * every connection makes a full handshake (as asyncio's: Python's {@code ssl} resumes only a session passed to
     * it).
     */
    private static SSLContext withPort(SSLContext context, int port) {
        SSLContextSpi spi = new SSLContextSpi() {
            @Override
            protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom random) {
                throw new UnsupportedOperationException("already initialised");
            }

            @Override
            protected SSLSocketFactory engineGetSocketFactory() {
                return context.getSocketFactory();
            }

            @Override
            protected SSLServerSocketFactory engineGetServerSocketFactory() {
                return context.getServerSocketFactory();
            }

            @Override
            protected SSLEngine engineCreateSSLEngine() {
                return context.createSSLEngine();
            }

            @Override
            protected SSLEngine engineCreateSSLEngine(String host, int ignored) {
                return context.createSSLEngine(host, port);
            }

            @Override
            protected SSLSessionContext engineGetServerSessionContext() {
                return context.getServerSessionContext();
            }

            @Override
            protected SSLSessionContext engineGetClientSessionContext() {
                return context.getClientSessionContext();
            }
        };
        return new SSLContext(spi, context.getProvider(), context.getProtocol()) { };
    }

    /**
     * Session resumption with OpenSSL: a second connection offers the session {@code s_server} gave the first (a
     * TLS 1.2 session id or ticket, a TLS 1.3 ticket), OpenSSL resumes it, and the abbreviated handshake, whose
     * order differs from a full one (under TLS 1.2 the server's Finished comes first, and the client's handshake
     * ends on a wrap), completes through the layer both ways. The client context is given the port (see
     * {@link #withPort}).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void aResumedSessionWithOpenSsl(String version) throws Exception {
        OpenSslPeer server = sServer(version, "-rev", "-naccept", "2");
        int port = server.acceptPort(loop);
        SSLContext client = withPort(ctx[1], port);
        for (int round = 0; round < 2; round++) {
            DataRecorder recorder = new DataRecorder(loop);
            Connection<DataRecorder> c = await(loop.createConnection(() -> recorder, "127.0.0.1", port,
                    ConnectOptions.builder().ssl(client).serverHostname("localhost").build()));
            c.transport().write(ascii("dnuor\n"));
            runUntil(() -> text(c.protocol()).contains("round\n"), "the answer");
            c.transport().close();
            assertNull(c.protocol().awaitLost(loop, OpenSslPeer.BOUND));
            assertEquals(List.of("made", "data", "lost"), events(c.protocol()));
        }
        assertEquals(1, server.output().lines().filter(l -> l.startsWith(">>>") && l.endsWith(", Certificate"))
                .count(), "the second handshake sent no certificate: it resumed the session\n" + server.output());
        assertEquals(0, server.awaitExit(loop));
        assertEquals(List.of(), reports);
    }

    /**
     * Our {@code close()} right after a write that OpenSSL answers: its answers cross our {@code close_notify}
     * (they are dropped, as {@code close()} stops delivery here) and its own {@code close_notify} ends the
     * shutdown; neither side sees an error and nothing waits for the shutdown timeout.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void ourCloseNotifyCrossesOpenSslsData(String version) throws Exception {
        OpenSslPeer server = sServer(version, "-rev");
        Connection<DataRecorder> c = connect(server.acceptPort(loop));
        StreamTransport t = c.transport();
        t.write(ascii(("some line to answer\n").repeat(300)));
        t.close();
        assertNull(c.protocol().awaitLost(loop, OpenSslPeer.BOUND), "a clean close");
        assertEquals(List.of("made", "lost"), events(c.protocol()));
        assertEquals(0, server.awaitExit(loop), server.output());
        assertTrue(received(server, "close_notify"), "OpenSSL got our close_notify:\n" + server.output());
        assertFalse(server.output().contains(":error:"), server.output());
        assertEquals(List.of(), reports);
    }

    /**
     * {@code s_server -rev} closes first when it reads "CLOSE": its answer to the line before and its
     * {@code close_notify} give our application the data, {@code eofReceived}, then {@code connectionLost(null)},
     * as asyncio's {@code sslproto}; we answer with our {@code close_notify}.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void openSslClosesFirstWithCloseNotify(String version) throws Exception {
        OpenSslPeer server = sServer(version, "-rev");
        Connection<DataRecorder> c = connect(server.acceptPort(loop));
        c.transport().write(ascii("cba\n"));
        runUntil(() -> text(c.protocol()).contains("abc\n"), "the answer");
        c.transport().write(ascii("fed\nCLOSE\n"));
        assertNull(c.protocol().awaitLost(loop, OpenSslPeer.BOUND), "a clean close");
        assertEquals(List.of("made", "data", "eof", "lost"), events(c.protocol()));
        assertEquals("abc\ndef\n", text(c.protocol()));
        assertEquals(8, c.protocol().eofAt(), "EOF after the data");
        assertEquals(0, server.awaitExit(loop), server.output());
        assertEquals(List.of(), reports);
    }

    /**
     * {@code s_server -Verify 1} requires a client certificate, which our client has none of: OpenSSL refuses with
     * an alert. Under TLS 1.2 that comes within the handshake, so the connect fails with an {@link SSLException};
     * under TLS 1.3 the client's handshake is over when it sends its Finished, so the application's protocol is
     * made and the alert that follows ends the connection: {@code connectionLost} gets the {@link SSLException},
     * which is logged, not reported (asyncio's {@code sslproto} treats its {@code SSLError}, an {@code OSError},
     * so).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void openSslRefusingOurClientWithoutACertificate(String version) throws Exception {
        OpenSslPeer server = sServer(version, "-Verify", "1");
        int port = server.acceptPort(loop);
        DataRecorder recorder = new DataRecorder(loop);
        Future<Connection<DataRecorder>> connect = loop.createConnection(() -> recorder, "127.0.0.1", port,
                ConnectOptions.builder().ssl(ctx[1]).serverHostname("localhost").build());
        if (version.equals("TLSv1.2")) {
            Throwable e = assertThrows(RuntimeException.class, () -> await(connect));
            assertInstanceOf(SSLException.class, e.getCause() != null ? e.getCause() : e, e.toString());
            assertEquals(List.of(), recorder.events(), "no protocol callbacks for a failed connect");
        } else {
            await(connect);
            assertInstanceOf(SSLException.class, recorder.awaitLost(loop, OpenSslPeer.BOUND));
            assertEquals(List.of("made", "lost"), events(recorder));
        }
        assertEquals(List.of(), reports);
    }

    /**
     * OpenSSL's {@code close_notify} crossing our data: "CLOSE" is followed by 40 KB more in the same write, which
     * reaches {@code s_server} after it sent its {@code close_notify}. Our application gets the answer to the line
     * before, then {@code eofReceived}, then {@code connectionLost}, and nothing is reported. {@code s_server} exits
     * right after its {@code close_notify}, with our data unread, so its kernel may reset the connection before our
     * {@code close_notify} goes out: {@code connectionLost} gets null or that reset, as asyncio's would.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void openSslsCloseNotifyCrossesOurData(String version) throws Exception {
        OpenSslPeer server = sServer(version, "-rev");
        Connection<DataRecorder> c = connect(server.acceptPort(loop));
        c.transport().write(ascii("fed\nCLOSE\n" + "too late\n".repeat(4500)));
        Throwable lost = c.protocol().awaitLost(loop, OpenSslPeer.BOUND);
        assertTrue(lost == null || lost instanceof IOException, "a clean close or the reset: " + lost);
        assertEquals(List.of("made", "data", "eof", "lost"), events(c.protocol()));
        assertEquals("def\n", text(c.protocol()));
        server.awaitExit(loop);
        assertEquals(List.of(), reports);
    }

    /**
     * A buffered protocol that pauses reading every 256 bytes while {@code s_server -rev} answers 5 KB and sends its
     * {@code close_notify}: all of it waits in our socket; each {@code resumeReading} hands on the next
     * buffer's worth and nothing while paused, then comes {@code eofReceived} and a clean {@code connectionLost},
     * as asyncio's {@code sslproto} with its buffered read path.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void aPausedBufferedProtocolGetsOpenSslsDataThenItsCloseNotify(String version) throws Exception {
        OpenSslPeer server = sServer(version, "-rev");
        int port = server.acceptPort(loop);
        BoundedBuffer app = new BoundedBuffer(256);
        await(loop.createConnection(() -> app, "127.0.0.1", port,
                ConnectOptions.builder().ssl(ctx[1]).serverHostname("localhost").build()));
        StringBuilder lines = new StringBuilder();
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            String line = String.format("%03d", i) + "-abcdefghijklmnopqrstuvwxyz".repeat(3);
            lines.append(line).append('\n');
            expected.append(reversed(line)).append('\n');
        }
        StreamTransport t = java.util.Objects.requireNonNull(app.transport);
        t.write(ascii(lines + "CLOSE\n"));
        // OpenSSL waits for our close_notify before it exits: that comes after the protocol has read everything.
        runUntil(() -> server.output().lines().anyMatch(l -> l.startsWith(">>>") && l.contains("close_notify")),
                "OpenSSL's close_notify");
        while (!app.events.contains("lost")) {
            runUntil(() -> !t.isReading() || app.events.contains("lost"), "a pause or the end");
            LoopWaits.settle(loop, Duration.ofMillis(2));   // room for a delivery that must not come
            app.drain();
            t.resumeReading();
        }
        app.drain();
        assertEquals(expected.toString(), app.data.toString(StandardCharsets.US_ASCII), "every byte, in order");
        assertEquals(0, app.updatesWhilePaused, "nothing while paused");
        assertEquals(List.of("made", "eof", "lost"), app.events);
        assertNull(app.lostWith);
        assertEquals(0, server.awaitExit(loop), server.output());
        assertEquals(List.of(), reports);
    }

    /**
     * {@code s_server}'s "P" writes plain text into the connection, where a record is due: our engine fails on it
     * and sends an alert; the application's {@code connectionLost} gets the {@link SSLException}, logged, not
     * reported (asyncio: an {@code SSLError} is an {@code OSError}), and no {@code eofReceived}.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void plainTextWhereARecordIsDue(String version) throws Exception {
        OpenSslPeer server = sServer(version);
        Connection<DataRecorder> c = connect(server.acceptPort(loop));
        c.transport().write(ascii("to the server\n"));
        server.await(loop, "to the server\n");
        server.send("P");
        assertInstanceOf(SSLException.class, c.protocol().awaitLost(loop, OpenSslPeer.BOUND));
        assertEquals(List.of("made", "lost"), events(c.protocol()));
        assertEquals(List.of(), reports);
    }

    /**
     * ALPN through the options' {@code sslParameters} configurer, against OpenSSL's choice and offer: our client
     * offers two protocols and {@code s_server} picks its own; {@code s_client} offers two and our server picks.
     */
    @Test
    void alpnBothWays() throws Exception {
        OpenSslPeer server = sServer("TLSv1.3", "-alpn", "http/1.1");
        int port = server.acceptPort(loop);
        DataRecorder recorder = new DataRecorder(loop);
        Connection<DataRecorder> c = await(loop.createConnection(() -> recorder, "127.0.0.1", port,
                ConnectOptions.builder().ssl(ctx[1]).serverHostname("localhost")
                        .sslParameters(p -> p.setApplicationProtocols(new String[] {"h2", "http/1.1"})).build()));
        assertEquals("http/1.1", ((SSLEngine) c.transport().getExtraInfo(Transport.SSL_OBJECT).orElseThrow())
                .getApplicationProtocol());
        c.transport().close();
        assertNull(recorder.awaitLost(loop, OpenSslPeer.BOUND));

        List<EchoRecorder> accepted = new ArrayList<>();
        Server ours = await(loop.createServer(() -> {
            EchoRecorder p = new EchoRecorder(loop);
            accepted.add(p);
            return p;
        }, "127.0.0.1", 0, ServerOptions.builder().ssl(ctx[0])
                .sslParameters(p -> p.setApplicationProtocols(new String[] {"h2"})).build()));
        servers.add(ours);
        int ourPort = ((InetSocketAddress) ours.sockets().getFirst().getLocalAddress()).getPort();
        OpenSslPeer client = sClient(ourPort, "TLSv1.3", "-alpn", "http/1.1,h2");
        client.await(loop, "ALPN protocol: h2");
        client.send("over h2");
        client.await(loop, "over h2\n");
        assertEquals("h2", ((SSLEngine) accepted.getFirst().transport().getExtraInfo(Transport.SSL_OBJECT)
                .orElseThrow()).getApplicationProtocol());
        assertEquals(List.of(), reports);
    }

    // ------------------------------------------------------------------ 2. s_client, our server

    /**
     * {@code s_client -quiet} to our echo server: its stdin's lines come back on its stdout; its stdin's end makes
     * it send {@code close_notify}, which our server's protocol sees as {@code eofReceived}, then
     * {@code connectionLost(null)}.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void openSslClientTalksToOurServerAndEndsWithCloseNotify(String version) throws Exception {
        List<EchoRecorder> accepted = new ArrayList<>();
        int port = echoServer(accepted);
        OpenSslPeer client = sClient(port, version, "-quiet", "-no_ign_eof");
        client.send("first line");
        client.await(loop, "first line\n");
        client.send("second line");
        client.send("x".repeat(5000));
        client.await(loop, "x".repeat(5000) + "\n");
        EchoRecorder server = accepted.getFirst();
        assertEquals(version, protocolOf(server.transport()));
        client.closeInput();
        assertNull(server.awaitLost(loop, OpenSslPeer.BOUND), "a clean close");
        assertEquals(List.of("made", "data", "eof", "lost"), events(server));
        assertEquals("first line\nsecond line\n" + "x".repeat(5000) + "\n", text(server));
        assertEquals(0, client.awaitExit(loop), client.output());
        assertEquals(List.of(), reports);
    }

    /**
     * Half a MiB through {@code s_client} and back: our server's writes outrun what OpenSSL reads and it writes to a
     * pipe, so flow control and many records of full size meet a real peer; every byte comes back in order, and
     * our server's {@code close()} ends the connection for OpenSSL cleanly ({@code -quiet} ignores its stdin's end).
     * OpenSSL sends records of up to 16 KiB, or of 512 bytes: a thousand records, many in each of our reads.
     */
    @ParameterizedTest(name = "records of {0} bytes at most")
    @ValueSource(ints = {16384, 512})
    void halfAMebibyteEchoesThroughOpenSsl(int recordSize) throws Exception {
        List<EchoRecorder> accepted = new ArrayList<>();
        int port = echoServer(accepted);
        OpenSslPeer client = sClient(port, "TLSv1.3", "-quiet", "-max_send_frag", Integer.toString(recordSize));
        StringBuilder block = new StringBuilder();
        for (int i = 0; block.length() < 1 << 19; i++) {
            block.append("line ").append(i).append(' ').append("0123456789abcdef".repeat(4)).append('\n');
        }
        block.append("END\n");
        client.sendAndCloseInBackground(block.toString());
        client.await(loop, "END\n");
        assertTrue(client.output().endsWith(block.toString()), "every byte back, in order");
        EchoRecorder server = accepted.getFirst();
        assertEquals(block.toString(), text(server));
        server.transport().close();
        assertNull(server.awaitLost(loop, OpenSslPeer.BOUND), "a clean close");
        assertEquals(List.of("made", "data", "lost"), events(server));
        assertEquals(0, client.awaitExit(loop), client.output().substring(0, 2000));
        assertEquals(List.of(), reports);
    }

    // ------------------------------------------------------------------ 3. KeyUpdate

    /**
     * {@code s_client}'s "K" sends a TLS 1.3 KeyUpdate that requests one back: our server answers it at once, with
     * no application data of its own to carry it (the engine's {@code NEED_WRAP} after the unwrap), and data
     * flows before and after.
     */
    @Test
    void ourServerAnswersAKeyUpdateRequestedByOpenSsl() throws Exception {
        sClientCommandBetweenData("TLSv1.3", "K", "KEYUPDATE", "KeyUpdate", "our KeyUpdate reaching OpenSSL");
    }

    /**
     * Sends {@code command} from {@code s_client} to our echo server between two lines of data: OpenSSL announces
     * it with {@code announcement}, then receives one more {@code message} from our side than before ({@code what}),
     * and both lines come back whole.
     */
    private void sClientCommandBetweenData(String version, String command, String announcement, String message,
            String what) throws Exception {
        List<EchoRecorder> accepted = new ArrayList<>();
        int port = echoServer(accepted);
        OpenSslPeer client = sClient(port, version, "-msg");
        client.send("before " + command);
        client.await(loop, "before " + command + "\n");
        int before = receivedCount(client, message);
        client.send(command);
        client.await(loop, announcement);
        runUntil(() -> receivedCount(client, message) > before, what);
        client.send("after " + command);
        client.await(loop, "after " + command + "\n");
        assertEquals("before " + command + "\nafter " + command + "\n", text(accepted.getFirst()));
        assertEquals(List.of(), reports);
    }

    /**
     * {@code s_server}'s "K" sends our client a KeyUpdate that requests one back: the client answers while it has
     * nothing to write, and data flows both ways after it.
     */
    @Test
    void ourClientAnswersAKeyUpdateRequestedByOpenSsl() throws Exception {
        OpenSslPeer server = sServer("TLSv1.3");
        Connection<DataRecorder> c = connect(server.acceptPort(loop));
        server.send("before update");
        runUntil(() -> text(c.protocol()).contains("before update\n"), "data from OpenSSL");
        int before = receivedCount(server, "KeyUpdate");
        server.send("K");
        runUntil(() -> receivedCount(server, "KeyUpdate") > before, "our KeyUpdate reaching OpenSSL");
        server.send("after update");
        runUntil(() -> text(c.protocol()).contains("after update\n"), "data from OpenSSL after the update");
        c.transport().write(ascii("from our client\n"));
        server.await(loop, "from our client\n");
        assertEquals(List.of(), reports);
    }

    /**
     * KeyUpdates that request ours, sent by {@code s_server} while our client's writes are on their way: each is
     * answered between our records, and every byte arrives in order under the new keys.
     */
    @Test
    void keyUpdatesCrossingOurWrites() throws Exception {
        OpenSslPeer server = sServer("TLSv1.3");
        Connection<DataRecorder> c = connect(server.acceptPort(loop));
        StringBuilder expected = new StringBuilder();
        for (int chunk = 0; chunk < 40; chunk++) {
            StringBuilder lines = new StringBuilder();
            for (int i = 0; i < 100; i++) {
                lines.append("chunk ").append(chunk).append(" line ").append(i).append('\n');
            }
            expected.append(lines);
            c.transport().write(ascii(lines.toString()));
        }
        c.transport().write(ascii("the end\n"));
        int before = receivedCount(server, "KeyUpdate");
        for (int i = 0; i < 3; i++) {
            server.send("K");
        }
        server.await(loop, "the end\n");
        assertEquals(expected.toString(), linesStartingWith(server, "chunk "), "every line, in order");
        runUntil(() -> receivedCount(server, "KeyUpdate") > before, "our KeyUpdate reaching OpenSSL");
        c.transport().write(ascii("after the updates\n"));
        server.await(loop, "after the updates\n");
        assertEquals(List.of(), reports);
    }

    // ------------------------------------------------------------------ 4. renegotiation

    /**
     * {@code s_client}'s "R" renegotiates a TLS 1.2 connection: the JDK's server engine accepts a secure
     * renegotiation the client starts, as OpenSSL under asyncio does by default, so it happens transparently and
     * data flows after it.
     */
    @Test
    void openSslClientRenegotiatesWithOurServer() throws Exception {
        sClientCommandBetweenData("TLSv1.2", "R", "RENEGOTIATING", "Finished", "the second handshake");
    }

    /**
     * {@code s_server}'s "r" asks our TLS 1.2 client to renegotiate (HelloRequest): the JDK's client engine does,
     * and data flows both ways after it.
     */
    @Test
    void openSslServerRenegotiatesWithOurClient() throws Exception {
        OpenSslPeer server = sServer("TLSv1.2");
        Connection<DataRecorder> c = connect(server.acceptPort(loop));
        c.transport().write(ascii("before renegotiation\n"));
        server.await(loop, "before renegotiation\n");
        int finished = receivedCount(server, "Finished");
        server.send("r");
        // Written without waiting: the HelloRequest and the records that follow cross these writes.
        StringBuilder block = new StringBuilder();
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            block.append("during renegotiation ").append(i).append('\n');
            expected.append("during renegotiation ").append(i).append('\n');
            if (i % 100 == 99) {
                c.transport().write(ascii(block.toString()));
                block.setLength(0);
            }
        }
        c.transport().write(ascii("after renegotiation\n"));
        server.await(loop, "after renegotiation\n");
        assertEquals(expected.toString(), linesStartingWith(server, "during renegotiation "), "every line, in order");
        runUntil(() -> receivedCount(server, "Finished") > finished, "the second handshake");
        server.send("to our client");
        runUntil(() -> text(c.protocol()).contains("to our client\n"), "data from OpenSSL after the handshake");
        assertEquals(List.of(), reports);
    }

    // ------------------------------------------------------------------ 5. a peer killed

    /**
     * {@code s_server} killed mid-stream: its socket closes with no {@code close_notify}; asyncio's
     * {@code sslproto} gives the application {@code eof_received}, then {@code connection_lost(None)}, and so do
     * we, at once (no wait for the shutdown timeout).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void openSslServerKilledMidStream(String version) throws Exception {
        OpenSslPeer server = sServer(version);
        Connection<DataRecorder> c = connect(server.acceptPort(loop));
        c.transport().write(ascii("to the server\n"));
        server.await(loop, "to the server\n");
        server.send("to our client");
        runUntil(() -> text(c.protocol()).contains("to our client\n"), "data from OpenSSL");
        server.kill();
        assertNull(c.protocol().awaitLost(loop, OpenSslPeer.BOUND), "EOF without close_notify is no error");
        assertEquals(List.of("made", "data", "eof", "lost"), events(c.protocol()));
        assertEquals(List.of(), reports);
    }

    /** {@code s_client} killed mid-stream: our server's protocol gets {@code eofReceived}, then the loss. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void openSslClientKilledMidStream(String version) throws Exception {
        List<EchoRecorder> accepted = new ArrayList<>();
        int port = echoServer(accepted);
        OpenSslPeer client = sClient(port, version, "-quiet");
        client.send("some data");
        client.await(loop, "some data\n");
        client.kill();
        EchoRecorder server = accepted.getFirst();
        assertNull(server.awaitLost(loop, OpenSslPeer.BOUND), "EOF without close_notify is no error");
        assertEquals(List.of("made", "data", "eof", "lost"), events(server));
        assertEquals(List.of(), reports);
    }

    /**
     * {@code s_server} stopped with our data unread in its socket, then killed: the kernel resets the connection.
     * asyncio's {@code sslproto} passes the transport's {@code ConnectionResetError} to {@code connection_lost}
     * (logged in debug mode only, not reported); here the application's {@code connectionLost} gets the
     * {@link IOException}, without {@code eofReceived}, and nothing is reported.
     */
    @Test
    void openSslServerKilledWithOurDataUnreadResetsTheConnection() throws Exception {
        OpenSslPeer server = sServer("TLSv1.3");
        Connection<DataRecorder> c = connect(server.acceptPort(loop));
        c.transport().write(ascii("to the server\n"));
        server.await(loop, "to the server\n");
        server.stop();
        c.transport().write(ascii("unread ".repeat(1_000)));
        runUntil(() -> c.transport().getWriteBufferSize() == 0, "our data reaching the stopped server's socket");
        server.kill();
        Throwable lost = c.protocol().awaitLost(loop, OpenSslPeer.BOUND);
        assertInstanceOf(IOException.class, lost, "the reset, as asyncio's ConnectionResetError");
        assertEquals(List.of("made", "lost"), events(c.protocol()));
        assertEquals(List.of(), reports);
    }

    // ------------------------------------------------------------------ 6. startTls

    /**
     * The protocol {@code startTls} hands the TLS connection to. As in asyncio, {@code startTls} does not call its
     * {@code connectionMade} (it is the protocol of the connection already); it learns the TLS transport from the
     * returned future, and records unwrapped in the read that ends the handshake may come before that: it answers
     * them once it has the transport.
     */
    static final class UpgradedEcho extends DataRecorder {
        private final List<ByteBuffer> early = new ArrayList<>();
        private @Nullable StreamTransport tls;

        UpgradedEcho(EventLoop loop) {
            super(loop);
        }

        void upgraded(StreamTransport transport) {
            tls = transport;
            early.forEach(transport::write);
            early.clear();
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            ByteBuffer copy = ByteBuffer.allocate(data.remaining()).put(data.duplicate()).flip();
            super.dataReceived(data);
            if (tls != null) {
                tls.write(copy);
            } else {
                early.add(copy);
            }
        }
    }

    /**
     * Just enough SMTP for {@code s_client -starttls smtp}: the greeting, an EHLO answer that offers STARTTLS,
     * and on "STARTTLS" the go-ahead, then {@code startTls} on the same connection with an echo protocol.
     */
    static final class SmtpStartTls implements Protocol {
        private final ReadinessEventLoop loop;
        private final SSLContext context;
        private final UpgradedEcho afterUpgrade;
        private final StringBuilder line = new StringBuilder();
        final List<String> commands = new ArrayList<>();
        @Nullable Future<StreamTransport> upgrade;
        private StreamTransport plain;

        SmtpStartTls(ReadinessEventLoop loop, SSLContext context, UpgradedEcho afterUpgrade) {
            this.loop = loop;
            this.context = context;
            this.afterUpgrade = afterUpgrade;
        }

        @Override
        public void connectionMade(Transport transport) {
            plain = (StreamTransport) transport;
            plain.write(ascii("220 localhost ESMTP asyncloop\r\n"));
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            while (data.hasRemaining()) {
                char ch = (char) data.get();
                if (ch != '\n') {
                    line.append(ch);
                    continue;
                }
                String command = line.toString().strip();
                line.setLength(0);
                commands.add(command);
                if (command.startsWith("EHLO")) {
                    plain.write(ascii("250-localhost\r\n250 STARTTLS\r\n"));
                } else if (command.equals("STARTTLS")) {
                    plain.write(ascii("220 Ready to start TLS\r\n"));
                    Future<StreamTransport> tls = loop.startTls(plain, afterUpgrade, context, TlsOptions.server());
                    tls.addDoneCallback(f -> {
                        if (f.exception().isEmpty()) {
                            afterUpgrade.upgraded(f.result());
                        }
                    });
                    upgrade = tls;
                    return;
                } else {
                    plain.write(ascii("502 not here\r\n"));
                }
            }
        }
    }

    /**
     * {@code s_client -starttls smtp}: a plain-text SMTP exchange, then our server's {@code startTls} on the same
     * connection; data flows over TLS after it and the client's {@code close_notify} ends it cleanly.
     */
    @Test
    void startTlsUpgradesAPlainConnectionForOpenSsl() throws Exception {
        UpgradedEcho tls = new UpgradedEcho(loop);
        List<SmtpStartTls> accepted = new ArrayList<>();
        Server server = await(loop.createServer(() -> {
            SmtpStartTls p = new SmtpStartTls(loop, ctx[0], tls);
            accepted.add(p);
            return p;
        }, "127.0.0.1", 0, ServerOptions.builder().build()));
        servers.add(server);
        int port = ((InetSocketAddress) server.sockets().getFirst().getLocalAddress()).getPort();
        OpenSslPeer client = sClient(port, "TLSv1.3", "-starttls", "smtp", "-quiet", "-no_ign_eof");
        client.send("over tls");
        client.await(loop, "over tls\n");
        SmtpStartTls smtp = accepted.getFirst();
        StreamTransport upgraded = await(java.util.Objects.requireNonNull(smtp.upgrade, "no STARTTLS"));
        assertEquals("TLSv1.3", protocolOf(upgraded));
        assertEquals("STARTTLS", smtp.commands.getLast());
        assertTrue(smtp.commands.getFirst().startsWith("EHLO"), smtp.commands.toString());
        client.closeInput();
        assertNull(tls.awaitLost(loop, OpenSslPeer.BOUND), "a clean close");
        assertEquals(List.of("data", "eof", "lost"), events(tls), "no connectionMade: startTls does not call it");
        assertEquals("over tls\n", text(tls));
        assertEquals(List.of(), reports);
    }
}
