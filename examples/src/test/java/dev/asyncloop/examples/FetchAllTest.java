package dev.asyncloop.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.testsupport.ForkedJvms;
import dev.asyncloop.testsupport.InheritedSignals;
import dev.asyncloop.testsupport.Poll;
import dev.asyncloop.testsupport.RunningJvm;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link FetchAll} against a tiny thread-per-connection HTTP server of the test's own, on loopback. */
class FetchAllTest {
    private static final long WAIT_SECONDS = 20;
    private static final Duration WAIT = Duration.ofSeconds(WAIT_SECONDS);
    private final List<AutoCloseable> toClose = new ArrayList<>();
    @RegisterExtension
    final ForkedJvms forked = new ForkedJvms();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
    }

    /**
     * Answers {@code 200 hello} to each request once {@code gate} requests are in at the same time (or at once
     * when {@code gate} is 0); with {@code silent} it never answers. Counts requests in flight.
     */
    static final class TinyHttpServer implements AutoCloseable {
        final ServerSocket socket;
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger maxInFlight = new AtomicInteger();
        final AtomicInteger accepted = new AtomicInteger();
        final AtomicInteger closedByClient = new AtomicInteger();
        private final CountDownLatch gateOpen;
        private final boolean silent;
        private final List<Socket> sockets = Collections.synchronizedList(new ArrayList<>());

        TinyHttpServer(int gate, boolean silent) throws IOException {
            this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            this.gateOpen = new CountDownLatch(gate);
            this.silent = silent;
            Thread acceptor = new Thread(this::accept, "tiny-http-accept");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        String url(String path) {
            return "http://" + RunningServer.HOST + ":" + socket.getLocalPort() + path;
        }

        private void accept() {
            try {
                while (true) {
                    Socket s = socket.accept();
                    sockets.add(s);
                    accepted.incrementAndGet();
                    Thread handler = new Thread(() -> serve(s), "tiny-http");
                    handler.setDaemon(true);
                    handler.start();
                }
            } catch (IOException closed) {
                // the test is over
            }
        }

        private void serve(Socket s) {
            try (s) {
                s.setSoTimeout((int) TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
                InputStream in = s.getInputStream();
                ByteArrayOutputStream head = new ByteArrayOutputStream();
                while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                    int b = in.read();
                    if (b < 0) {
                        return;
                    }
                    head.write(b);
                }
                maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                if (silent) {
                    if (in.read() < 0) {
                        closedByClient.incrementAndGet();
                    }
                    return;
                }
                gateOpen.countDown();
                gateOpen.await(WAIT_SECONDS, TimeUnit.SECONDS);
                // Out of flight before the client can see the answer, so that its next request never overlaps.
                inFlight.decrementAndGet();
                s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello"
                        .getBytes(StandardCharsets.US_ASCII));
            } catch (IOException | InterruptedException e) {
                // the client went away
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
            synchronized (sockets) {
                for (Socket s : sockets) {
                    s.close();
                }
            }
        }
    }

    private TinyHttpServer server(int gate, boolean silent) throws IOException {
        TinyHttpServer s = new TinyHttpServer(gate, silent);
        toClose.add(s);
        return s;
    }

    private static List<String> lines(ByteArrayOutputStream printed) {
        return printed.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void neverMoreThanTheLimitInFlight() throws Exception {
        TinyHttpServer server = server(3, false);
        List<URI> urls = IntStream.range(0, 12).mapToObj(i -> URI.create(server.url("/" + i))).toList();
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        int status = new FetchAll(3, WAIT, 0,
                new PrintStream(printed, true, StandardCharsets.UTF_8)).run(urls);
        assertEquals(0, status, printed.toString(StandardCharsets.UTF_8));
        assertEquals(3, server.maxInFlight.get(), "the server saw this many requests at once");
        List<String> lines = lines(printed);
        assertEquals(13, lines.size(), lines.toString());
        assertTrue(lines.subList(0, 12).stream().allMatch(l -> l.startsWith("200 ") && l.endsWith("(5 bytes)")),
                lines.toString());
        assertEquals("FetchAll: 12 ok, 0 failed, 0 cancelled of 12", lines.getLast());
    }

    @Test
    void timeoutRefusedRetriesAndARealServer() throws Exception {
        TinyHttpServer silent = server(0, true);
        try (RunningServer hello = new RunningServer(HttpHelloServer.app())) {
            // taken and freed after the last bind of the test: a server bound later could get the same port
            int closedPort;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                closedPort = s.getLocalPort();
            }
            List<URI> urls = List.of(URI.create("http://" + RunningServer.HOST + ":" + hello.port + "/"),
                    URI.create(silent.url("/slow")), URI.create("http://" + RunningServer.HOST + ":" + closedPort));
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            int status = new FetchAll(2, Duration.ofMillis(300), 2,
                    new PrintStream(printed, true, StandardCharsets.UTF_8)).run(urls);
            List<String> lines = lines(printed);
            assertEquals(1, status, lines.toString());
            assertTrue(lines.contains("200 " + urls.get(0) + " (13 bytes)"), lines.toString());
            assertTrue(lines.contains("FAIL " + urls.get(1) + ": timed out after 300 ms (after 1 attempt)"),
                    lines.toString());
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("FAIL " + urls.get(2) + ": ")
                    && l.endsWith("(after 3 attempts)")), "refused: tried once and retried twice; " + lines);
            assertEquals("FetchAll: 1 ok, 2 failed, 0 cancelled of 3", lines.getLast());
            Poll.until(() -> silent.closedByClient.get() == 1, WAIT, "the timed-out connection must be closed");
        }
    }

    @Test
    void badCommandLines() {
        assertThrows(IllegalArgumentException.class, () -> FetchAll.parseUrl("https://example.com/"));
        assertThrows(IllegalArgumentException.class, () -> FetchAll.parseUrl("http:/nohost"));
        PrintStream none = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertThrows(IllegalArgumentException.class, () -> new FetchAll(0, Duration.ofSeconds(1), 0, none));
    }

    @Test
    @EnabledOnOs({OS.LINUX, OS.MAC})
    void ctrlCCancelsEveryFetchAndPrintsTheSummary() throws Exception {
        InheritedSignals.assumeSigintDelivered();
        TinyHttpServer silent = server(0, true);
        List<String> args = new ArrayList<>(List.of("--concurrency", "2", "--timeout", "60"));
        for (int i = 0; i < 5; i++) {
            args.add(silent.url("/" + i));
        }
        RunningJvm child = forked.start(ForkedExample.of(FetchAll.class, args.toArray(String[]::new)));
        Poll.until(() -> silent.inFlight.get() == 2, WAIT, "FetchAll never sent its first two requests");
        child.signal("INT");
        List<String> output = child.linesToTheEnd();
        assertEquals(FetchAll.INTERRUPTED, child.awaitExit("FetchAll did not exit after SIGINT"), output.toString());
        assertEquals("FetchAll: 0 ok, 0 failed, 5 cancelled of 5", output.getLast(), output.toString());
        assertEquals(2, silent.accepted.get(), "requests beyond the limit must never have started");
        Poll.until(() -> silent.closedByClient.get() == 2, WAIT,
                "the cancelled fetches' connections were not closed");
    }
}
