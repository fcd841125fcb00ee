package dev.asyncloop.nio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.Async;
import dev.asyncloop.CancelledError;
import dev.asyncloop.EventLoop;
import dev.asyncloop.EventLoopGroup;
import dev.asyncloop.Future;
import dev.asyncloop.GroupServer;
import dev.asyncloop.Server;
import dev.asyncloop.ServerOptions;
import dev.asyncloop.Transport;
import dev.asyncloop.testsupport.EchoCheck;
import dev.asyncloop.testsupport.EchoProtocol;
import dev.asyncloop.testsupport.Poll;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link EventLoopGroup} and {@link GroupServer} over two {@link NioEventLoop}s. */
class EventLoopGroupTest {
    private static final long WAIT = 10;
    /** The bound on a shutdown that should end at once: generous, as a loaded machine may stall threads. */
    private static final long SHUTDOWN_HANG_SECONDS = 60;
    private EventLoopGroup group;

    @BeforeEach
    void start() {
        group = EventLoopGroup.create(2, NioEventLoop::new);
    }

    @AfterEach
    void stop() {
        group.close();
    }

    @Test
    @DisplayName("next() is round-robin from loop 0; submit(i) runs on thread asyncloop-group-<i>")
    void roundRobinAndThreads() throws Exception {
        List<EventLoop> loops = group.loops();
        assertEquals(2, loops.size());
        assertSame(loops.get(0), group.next());
        assertSame(loops.get(1), group.next());
        assertSame(loops.get(0), group.next());
        for (int i = 0; i < 2; i++) {
            int index = i;
            EventLoop ran = group.submit(i, () -> Async.getRunningLoop()).get(WAIT, TimeUnit.SECONDS);
            assertSame(loops.get(index), ran);
            assertEquals("asyncloop-group-" + i, loopThread(i).getName());
        }
        assertThrows(IndexOutOfBoundsException.class, () -> group.submit(2, () -> null));
    }

    @Test
    @DisplayName("submit passes the task's result and exception to the CompletableFuture")
    void submitResultsAndExceptions() throws Exception {
        assertEquals(42, group.submit(() -> {
            Async.sleep(Duration.ofMillis(1));
            return 42;
        }).get(WAIT, TimeUnit.SECONDS));
        IllegalArgumentException boom = new IllegalArgumentException("boom");
        ExecutionException e = assertThrows(ExecutionException.class, () -> group.submit(() -> {
            throw boom;
        }).get(WAIT, TimeUnit.SECONDS));
        assertSame(boom, e.getCause());
    }

    @Test
    @DisplayName("REUSE_PORT: one socket per loop on one ephemeral port; 20 connections all served and echoed")
    void reusePortEchoServer() throws Exception {
        Assumptions.assumeTrue(EventLoopGroup.reusePortSupported(), "SO_REUSEPORT not available here");
        Map<String, Integer> served = new ConcurrentHashMap<>();
        GroupServer server = group.createServer(() -> new EchoProtocol(served), "127.0.0.1", 0,
                ServerOptions.defaults(), GroupServer.Mode.REUSE_PORT).get(WAIT, TimeUnit.SECONDS);
        assertEquals(2, server.servers().size());
        int port = server.addresses().getFirst().getPort();
        for (var s : server.servers()) {
            assertEquals(port, ((InetSocketAddress) s.sockets().getFirst().getLocalAddress()).getPort());
        }
        echo20(server);
        assertEquals(20, served.values().stream().mapToInt(Integer::intValue).sum(), "served: " + served);
        server.close();
        server.waitClosed().get(WAIT, TimeUnit.SECONDS);
    }

    @Test
    @DisplayName("HAND_OFF: loop 0 accepts, connections are spread round-robin over both loops")
    void handOffEchoServer() throws Exception {
        Map<String, Integer> served = new ConcurrentHashMap<>();
        GroupServer server = group.createServer(() -> new EchoProtocol(served), "127.0.0.1", 0,
                ServerOptions.defaults(), GroupServer.Mode.HAND_OFF).get(WAIT, TimeUnit.SECONDS);
        echo20(server);
        assertEquals(20, served.values().stream().mapToInt(Integer::intValue).sum(), "served: " + served);
        assertTrue(served.getOrDefault("asyncloop-group-0", 0) >= 1, "loop 0 served none: " + served);
        assertTrue(served.getOrDefault("asyncloop-group-1", 0) >= 1, "loop 1 served none: " + served);
        server.close();
        server.waitClosed().get(WAIT, TimeUnit.SECONDS);
        assertThrows(java.io.IOException.class, () -> {
            try (Socket s = new Socket()) {
                s.connect(server.addresses().getFirst(), 2000);
            }
        }, "the listening socket is still open after close()");
    }

    @ParameterizedTest
    @EnumSource(GroupServer.Mode.class)
    @DisplayName("closeClients() closes the connections served on every loop, abortClients() aborts them, isServing()")
    void closeAndAbortClients(GroupServer.Mode mode) throws Exception {
        Assumptions.assumeTrue(mode != GroupServer.Mode.REUSE_PORT || EventLoopGroup.reusePortSupported(),
                "no SO_REUSEPORT here");
        Map<String, Integer> served = new ConcurrentHashMap<>();
        GroupServer server = group.createServer(() -> new EchoProtocol(served), "127.0.0.1", 0,
                ServerOptions.defaults(), mode).get(WAIT, TimeUnit.SECONDS);
        assertTrue(server.isServing(), "a server started serving at creation says so");
        List<Socket> first = openEchoed(server, 4);
        List<Socket> second = new ArrayList<>();
        try {
            server.closeClients().get(WAIT, TimeUnit.SECONDS);
            for (Socket s : first) {
                assertClosedByServer(s, "closeClients()");
            }
            second.addAll(openEchoed(server, 4)); // still accepting
            assertTrue(served.size() == 2 || mode == GroupServer.Mode.REUSE_PORT,
                    "HAND_OFF spreads over both loops, so both closed theirs: " + served);
            server.abortClients().get(WAIT, TimeUnit.SECONDS);
            for (Socket s : second) {
                assertClosedByServer(s, "abortClients()");
            }
            assertTrue(server.isServing(), "closing clients does not stop serving");
            server.close();
            assertFalse(server.isServing(), "a closed server is not serving");
            server.waitClosed().get(WAIT, TimeUnit.SECONDS);
        } finally {
            for (Socket s : first) {
                s.close();
            }
            for (Socket s : second) {
                s.close();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(GroupServer.Mode.class)
    @DisplayName("ServerOptions.keepAlive and family reach every loop's connections and sockets")
    void keepAliveAndFamily(GroupServer.Mode mode) throws Exception {
        Assumptions.assumeTrue(mode != GroupServer.Mode.REUSE_PORT || EventLoopGroup.reusePortSupported(),
                "no SO_REUSEPORT here");
        java.util.concurrent.BlockingQueue<Boolean> keepAlive = new java.util.concurrent.LinkedBlockingQueue<>();
        GroupServer server = group.createServer(() -> new EchoProtocol() {
            @Override
            public void connectionMade(Transport transport) {
                super.connectionMade(transport);
                try {
                    keepAlive.add(((java.nio.channels.SocketChannel) transport.getExtraInfo(Transport.SOCKET)
                            .orElseThrow()).getOption(java.net.StandardSocketOptions.SO_KEEPALIVE));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        }, null, 0, ServerOptions.builder().keepAlive(true).family(java.net.StandardProtocolFamily.INET).build(),
                mode).get(WAIT, TimeUnit.SECONDS);
        try {
            for (InetSocketAddress a : server.addresses()) {
                assertEquals(InetAddress.getByName("0.0.0.0"), a.getAddress(), "family INET, no host: " + a);
            }
            int port = server.addresses().getFirst().getPort();
            for (int i = 0; i < 4; i++) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                            (int) TimeUnit.SECONDS.toMillis(WAIT));
                    assertEquals(Boolean.TRUE, keepAlive.poll(WAIT, TimeUnit.SECONDS),
                            "SO_KEEPALIVE of accepted connection " + i);
                }
            }
        } finally {
            server.close();
            server.waitClosed().get(WAIT, TimeUnit.SECONDS);
        }
    }

    /** Reads end of stream or a reset from {@code s} within the socket's timeout. */
    private static void assertClosedByServer(Socket s, String by) throws java.io.IOException {
        int read;
        try {
            read = s.getInputStream().read();
        } catch (java.net.SocketTimeoutException open) {
            throw new AssertionError(by + " left " + s + " open: nothing read within " + WAIT + " s", open);
        } catch (java.net.SocketException reset) {
            read = -1;
        }
        assertEquals(-1, read, by + " left " + s + " open: it sent a byte");
    }

    /** Opens {@code n} connections and echoes one line on each, so each is served when this returns. */
    private static List<Socket> openEchoed(GroupServer server, int n) throws Exception {
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Socket s = EchoCheck.connect(server.addresses().getFirst(), Duration.ofSeconds(WAIT));
            sockets.add(s);
            EchoCheck.roundTrip(s, ("open-" + i + "\n").getBytes(StandardCharsets.US_ASCII), "connection " + i);
        }
        return sockets;
    }

    @ParameterizedTest
    @EnumSource(GroupServer.Mode.class)
    @DisplayName("startServing(false): a connection waits unaccepted until GroupServer.startServing(), then is served")
    void startServingLater(GroupServer.Mode mode) throws Exception {
        Assumptions.assumeTrue(mode != GroupServer.Mode.REUSE_PORT || EventLoopGroup.reusePortSupported(),
                "SO_REUSEPORT not available here");
        Map<String, Integer> served = new ConcurrentHashMap<>();
        GroupServer server = group.createServer(() -> new EchoProtocol(served), "127.0.0.1", 0,
                ServerOptions.builder().startServing(false).build(), mode).get(WAIT, TimeUnit.SECONDS);
        try (Socket s = new Socket()) {
            s.connect(server.addresses().getFirst(), (int) TimeUnit.SECONDS.toMillis(WAIT)); // the kernel's backlog
            s.setSoTimeout((int) TimeUnit.SECONDS.toMillis(WAIT));
            s.getOutputStream().write("early\n".getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < 2; i++) { // both loops poll a while: a registered listening socket would be accepted
                group.submit(i, () -> {
                    Async.sleep(Duration.ofMillis(200));
                    return null;
                }).get(WAIT, TimeUnit.SECONDS);
            }
            assertEquals(Map.of(), served, "a connection was served before startServing()");
            server.startServing();
            server.startServing(); // idempotent
            assertArrayEquals("early\n".getBytes(StandardCharsets.US_ASCII), s.getInputStream().readNBytes(6),
                    "the waiting connection was not served after startServing()");
        }
        echo20(server);
        server.close();
        server.startServing(); // after close: nothing
        server.waitClosed().get(WAIT, TimeUnit.SECONDS);
    }

    @Test
    @DisplayName("HAND_OFF resolves the host on the loop's executor: an unknown host fails the future, naming it")
    void handOffUnknownHost() {
        ExecutionException e = assertThrows(ExecutionException.class, () -> group.createServer(
                () -> new EchoProtocol(), "no-such-host.invalid", 0, ServerOptions.defaults(),
                GroupServer.Mode.HAND_OFF).get(WAIT, TimeUnit.SECONDS));
        Throwable cause = e.getCause() instanceof java.util.concurrent.CompletionException ce && ce.getCause() != null
                ? ce.getCause() : e.getCause();
        assertInstanceOf(java.net.UnknownHostException.class, cause, String.valueOf(cause));
        assertTrue(cause.getMessage().contains("no-such-host.invalid"), cause.getMessage());
    }

    @Test
    @DisplayName("the default createServer picks REUSE_PORT where available, HAND_OFF elsewhere")
    void defaultMode() throws Exception {
        GroupServer server = group.createServer(() -> new EchoProtocol(), "127.0.0.1", 0,
                ServerOptions.defaults()).get(WAIT, TimeUnit.SECONDS);
        assertEquals(EventLoopGroup.reusePortSupported() ? GroupServer.Mode.REUSE_PORT : GroupServer.Mode.HAND_OFF,
                server.mode());
        server.close();
        server.waitClosed().get(WAIT, TimeUnit.SECONDS);
    }

    @Test
    @DisplayName("close() stops and closes every loop, ends every thread, is idempotent, refuses new work")
    void orderlyClose() throws Exception {
        Thread t0 = loopThread(0);
        Thread t1 = loopThread(1);
        assertTrue(group.shutdownGracefully(Duration.ofSeconds(WAIT)));
        assertFalse(t0.isAlive(), "thread of loop 0 still alive");
        assertFalse(t1.isAlive(), "thread of loop 1 still alive");
        for (EventLoop loop : group.loops()) {
            assertTrue(loop.isClosed(), "loop not closed: " + loop);
        }
        assertTrue(group.isShutdown());
        group.close();
        assertThrows(IllegalStateException.class, () -> group.submit(() -> 1));
    }

    @Test
    @DisplayName("shutdown cancels the tasks still pending on each loop and lets their finally blocks run first")
    void shutdownCancelsPendingTasks() throws Exception {
        java.util.concurrent.CompletableFuture<String> finallyRan = new java.util.concurrent.CompletableFuture<>();
        java.util.concurrent.CountDownLatch sleeping = new java.util.concurrent.CountDownLatch(2);
        for (int i = 0; i < 2; i++) {
            int index = i;
            group.loops().get(i).callSoonThreadsafe(() -> group.loops().get(index).createTask(() -> {
                sleeping.countDown();
                try {
                    Async.sleep(Duration.ofHours(1));
                } catch (dev.asyncloop.CancelledError e) {
                    if (index == 1) {
                        finallyRan.complete("cancelled on loop " + index
                                + ", loop closed: " + group.loops().get(index).isClosed());
                    }
                    throw e;
                }
                return null;
            }));
        }
        assertTrue(sleeping.await(WAIT, TimeUnit.SECONDS), "the tasks did not start");
        assertTrue(group.shutdownGracefully(Duration.ofSeconds(WAIT)));
        assertEquals("cancelled on loop 1, loop closed: false", finallyRan.getNow("not cancelled"),
                "a pending task must be cancelled, on its still open loop, before shutdown returns");
        for (EventLoop loop : group.loops()) {
            assertTrue(loop.isClosed(), "loop not closed: " + loop);
        }
    }

    @Test
    @DisplayName("create(0) is refused; shutdownGracefully from a task of the group is refused")
    void misuse() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> EventLoopGroup.create(0, NioEventLoop::new));
        Throwable e = group.submit(0, () -> {
            try {
                group.shutdownGracefully(Duration.ofSeconds(1));
                return null;
            } catch (IllegalStateException expected) {
                return expected;
            }
        }).get(WAIT, TimeUnit.SECONDS);
        assertInstanceOf(IllegalStateException.class, e);
    }

    @Test
    @DisplayName("next() under concurrent callers hands out every loop equally often")
    void nextUnderConcurrentCallers() throws Exception {
        Map<EventLoop, Integer> counts = new ConcurrentHashMap<>();
        List<Thread> callers = new java.util.ArrayList<>();
        for (int t = 0; t < 4; t++) {
            callers.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 1000; i++) {
                    counts.merge(group.next(), 1, Integer::sum);
                }
            }));
        }
        for (Thread t : callers) {
            t.join(TimeUnit.SECONDS.toMillis(WAIT));
        }
        assertEquals(Map.of(group.loops().get(0), 2000, group.loops().get(1), 2000), counts);
    }

    @Test
    @DisplayName("while shutdownGracefully waits, a loop may still call isShutdown() and submit() without blocking")
    void loopsMayCallTheGroupDuringShutdown() throws Exception {
        // Every bound below is a bound on a hang, not a duration: when all is well the test takes milliseconds.
        // The shutdown's own timeout counts from before the release, so it must cover a loaded machine's
        // scheduling delays too (10 s was once not enough in a full build beside others).
        long hang = SHUTDOWN_HANG_SECONDS;
        List<Thread> loopThreads = List.of(loopThread(0), loopThread(1));
        CountDownLatch blocking = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<String> seen = new CompletableFuture<>();
        group.loops().get(1).callSoonThreadsafe(() -> {
            blocking.countDown();
            try {
                release.await(hang, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            String submit;
            try {
                group.submit(0, () -> 1);
                submit = "accepted";
            } catch (IllegalStateException refused) {
                submit = "refused";
            }
            seen.complete("isShutdown " + group.isShutdown() + ", submit " + submit);
        });
        assertTrue(blocking.await(hang, TimeUnit.SECONDS), "loop 1 did not run the blocking callback");
        CompletableFuture<Boolean> shutdown = new CompletableFuture<>();
        Thread closer = Thread.ofPlatform().start(
                () -> shutdown.complete(group.shutdownGracefully(Duration.ofSeconds(hang))));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(hang);
        while (closer.getState() != Thread.State.TIMED_WAITING) { // until the closer waits for the loop threads
            assertTrue(System.nanoTime() < deadline, "the closer never started waiting for the loop threads");
            Thread.yield(); // leaves the core to the loop and closer threads on a small, busy machine
        }
        release.countDown();
        assertEquals("isShutdown true, submit refused", seen.get(hang, TimeUnit.SECONDS));
        assertTrue(shutdown.get(2 * hang, TimeUnit.SECONDS), () -> "the loops did not end within " + hang + " s:\n"
                + stacksOf(loopThreads));
    }

    /** The stacks of the threads still alive, to show where a loop thread hangs. */
    private static String stacksOf(List<Thread> threads) {
        StringBuilder out = new StringBuilder();
        for (Thread t : threads) {
            out.append(t.getName()).append(' ').append(t.getState()).append('\n');
            for (StackTraceElement e : t.getStackTrace()) {
                out.append("    at ").append(e).append('\n');
            }
        }
        return out.toString();
    }

    @Test
    @DisplayName("REUSE_PORT: when one loop cannot bind, the sockets of the loops that did are closed before the"
            + " future fails")
    void reusePortPartialBindFailure() throws Exception {
        Assumptions.assumeTrue(EventLoopGroup.reusePortSupported(), "SO_REUSEPORT not available here");
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        int[] made = {0};
        try (EventLoopGroup failing = EventLoopGroup.create(2,
                () -> made[0]++ == 0 ? new NioEventLoop() : refusingCreateServer(new NioEventLoop()))) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> failing.createServer(
                    () -> new EchoProtocol(), "127.0.0.1", port, ServerOptions.defaults(),
                    GroupServer.Mode.REUSE_PORT).get(WAIT, TimeUnit.SECONDS));
            assertEquals("refused by the test", e.getCause().getMessage());
            try (java.net.ServerSocket again = new java.net.ServerSocket()) {
                again.bind(new InetSocketAddress("127.0.0.1", port)); // fails while loop 0's socket is open
            }
        }
    }

    @ParameterizedTest
    @EnumSource(GroupServer.Mode.class)
    @DisplayName("shutting the group down closes the listening sockets of a server left open; waitClosed() completes")
    void shutdownClosesServerSockets(GroupServer.Mode mode) throws Exception {
        Assumptions.assumeTrue(mode != GroupServer.Mode.REUSE_PORT || EventLoopGroup.reusePortSupported(),
                "SO_REUSEPORT not available here");
        GroupServer server = group.createServer(() -> new EchoProtocol(), "127.0.0.1", 0,
                ServerOptions.defaults(), mode).get(WAIT, TimeUnit.SECONDS);
        assertTrue(group.shutdownGracefully(Duration.ofSeconds(WAIT)));
        server.waitClosed().get(WAIT, TimeUnit.SECONDS);
        try (java.net.ServerSocket again = new java.net.ServerSocket()) {
            again.bind(server.addresses().getFirst()); // fails while a listening socket of the server is open
        }
        server.close(); // after shutdown: nothing
    }

    @Test
    @DisplayName("a loop stopped behind the group's back: a task submitted while it finishes is cancelled, its body"
            + " never started (nor left pending in the closed loop); later submits to it are refused")
    void loopEndedBehindTheGroup() throws Exception {
        EventLoop loop1 = group.loops().get(1);
        java.util.concurrent.atomic.AtomicBoolean lateStarted = new java.util.concurrent.atomic.AtomicBoolean();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch cancelled = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        group.submit(1, () -> {
            started.countDown();
            try {
                Async.sleep(Duration.ofHours(1));
            } catch (CancelledError e) {
                cancelled.countDown();
                release.await(WAIT, TimeUnit.SECONDS); // holds the finishing loop: stopped, not yet closed
                throw e;
            }
            return null;
        });
        assertTrue(started.await(WAIT, TimeUnit.SECONDS));
        loop1.callSoonThreadsafe(loop1::stop);
        assertTrue(cancelled.await(WAIT, TimeUnit.SECONDS));
        CompletableFuture<Object> late = group.submit(1, () -> {
            lateStarted.set(true);
            Async.sleep(Duration.ofHours(1));
            return null;
        });
        release.countDown();
        assertThrows(CancellationException.class, () -> late.get(WAIT, TimeUnit.SECONDS));
        // Started while the loop finished, it missed the leftover tasks' cancellation and stayed pending, suspended
        // in the closed loop ("Task was destroyed but it is pending!" once collected).
        assertFalse(lateStarted.get(), "a task handed to a finishing loop must not start");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT); // late is cancelled before the close
        while (!loop1.isClosed() && System.nanoTime() - deadline < 0) {
            Thread.yield();
        }
        assertTrue(loop1.isClosed());
        assertThrows(IllegalStateException.class, () -> group.submit(1, () -> 1));
        assertEquals(7, group.submit(0, () -> 7).get(WAIT, TimeUnit.SECONDS), "loop 0 must go on");
    }

    @ParameterizedTest
    @EnumSource(GroupServer.Mode.class)
    @DisplayName("shutdown while createServer is binding: the future completes, and no listening socket is left")
    void shutdownWhileBinding(GroupServer.Mode mode) throws Exception {
        Assumptions.assumeTrue(mode != GroupServer.Mode.REUSE_PORT || EventLoopGroup.reusePortSupported(),
                "SO_REUSEPORT not available here");
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        int blocked = mode == GroupServer.Mode.REUSE_PORT ? 1 : 0; // the loop whose bind waits behind a callback
        CountDownLatch blocking = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        group.loops().get(blocked).callSoonThreadsafe(() -> {
            blocking.countDown();
            try {
                release.await(WAIT, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(blocking.await(WAIT, TimeUnit.SECONDS));
        CompletableFuture<GroupServer> starting = group.createServer(() -> new EchoProtocol(),
                "127.0.0.1", port, ServerOptions.defaults(), mode);
        CompletableFuture<Boolean> shutdown = new CompletableFuture<>();
        Thread closer = Thread.ofPlatform().start(
                () -> shutdown.complete(group.shutdownGracefully(Duration.ofSeconds(WAIT))));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT);
        while (closer.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < deadline) {
            Thread.onSpinWait(); // until stop() is queued behind the bind
        }
        release.countDown();
        assertTrue(shutdown.get(WAIT, TimeUnit.SECONDS), "the loops did not end in time");
        try {
            starting.get(WAIT, TimeUnit.SECONDS).waitClosed().get(WAIT, TimeUnit.SECONDS);
        } catch (ExecutionException refused) {
            assertInstanceOf(IllegalStateException.class, refused.getCause(), String.valueOf(refused.getCause()));
            assertTrue(refused.getCause().getMessage().contains("shut down"), refused.getCause().getMessage());
        }
        try (java.net.ServerSocket again = new java.net.ServerSocket()) {
            again.bind(new InetSocketAddress("127.0.0.1", port)); // fails while a socket of the server is open
        }
    }

    @ParameterizedTest(name = "{0}, given up by {1}")
    @CsvSource({"REUSE_PORT, cancel", "REUSE_PORT, orTimeout", "HAND_OFF, cancel", "HAND_OFF, orTimeout"})
    @DisplayName("a createServer future given up before the server arrives (cancelled, or timed out by orTimeout)"
            + " closes every listening socket bound for it; the port refuses connections")
    void givenUpCreationClosesWhatItBinds(GroupServer.Mode mode, String how) throws Exception {
        Assumptions.assumeTrue(mode != GroupServer.Mode.REUSE_PORT || EventLoopGroup.reusePortSupported(),
                "SO_REUSEPORT not available here");
        Map<java.nio.channels.ServerSocketChannel, Integer> bound = new ConcurrentHashMap<>(); // socket -> port
        try (EventLoopGroup recording = EventLoopGroup.create(2, () -> recordingListeners(new NioEventLoop(),
                bound))) {
            CountDownLatch blocking = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            recording.loops().getFirst().callSoonThreadsafe(() -> {
                blocking.countDown();
                try {
                    release.await(WAIT, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertTrue(blocking.await(WAIT, TimeUnit.SECONDS), "loop 0 never ran the blocking callback");
            CompletableFuture<GroupServer> starting = recording.createServer(() -> new EchoProtocol(),
                    "127.0.0.1", 0, ServerOptions.defaults(), mode);
            if (how.equals("cancel")) {
                assertTrue(starting.cancel(false), "the future was done while loop 0 was blocked");
            } else {
                ExecutionException e = assertThrows(ExecutionException.class,
                        () -> starting.orTimeout(1, TimeUnit.MILLISECONDS).get(WAIT, TimeUnit.SECONDS));
                assertInstanceOf(java.util.concurrent.TimeoutException.class, e.getCause());
            }
            release.countDown();
            int sockets = mode == GroupServer.Mode.REUSE_PORT ? 2 : 1;
            Poll.until(() -> bound.size() == sockets, Duration.ofSeconds(WAIT),
                    "the group never bound its " + sockets + " listening sockets (bound: " + bound + ")");
            Poll.until(() -> bound.keySet().stream().noneMatch(java.nio.channels.ServerSocketChannel::isOpen),
                    Duration.ofSeconds(WAIT),
                    "the listening sockets of a createServer nobody took stayed open: " + bound);
            // A closed channel that a selector watched keeps its descriptor until the loop's next select lets go
            // of the key, which a loaded machine may delay past the isOpen() check above.
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", bound.values().iterator().next());
            Poll.until(() -> refusesConnections(address), Duration.ofSeconds(WAIT),
                    "the port still accepts connections: " + address);
        }
    }

    private static boolean refusesConnections(InetSocketAddress address) {
        try (Socket s = new Socket()) {
            s.connect(address, (int) TimeUnit.SECONDS.toMillis(WAIT));
            return false;
        } catch (java.net.ConnectException e) {
            return true;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
    /**
     * {@code real}, recording every listening socket it binds: the sockets of the servers its createServer makes,
     * and the server channels given to its addReader (the group's HAND_OFF socket).
     */
    private static EventLoop recordingListeners(EventLoop real, Map<java.nio.channels.ServerSocketChannel, Integer>
            bound) {
        return (EventLoop) Proxy.newProxyInstance(EventLoop.class.getClassLoader(), new Class<?>[] {EventLoop.class},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "equals" -> {
                            return proxy == args[0];
                        }
                        case "hashCode" -> {
                            return System.identityHashCode(proxy);
                        }
                        case "addReader" -> {
                            if (args[0] instanceof java.nio.channels.ServerSocketChannel listening) {
                                bound.put(listening, listening.socket().getLocalPort());
                            }
                        }
                        default -> {
                        }
                    }
                    Object result;
                    try {
                        result = method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (method.getName().equals("createServer") && result instanceof Future<?> creating) {
                        creating.addDoneCallback(f -> {
                            if (!f.isCancelled() && f.exception().isEmpty()) {
                                ((Server) f.result()).sockets().forEach(
                                        c -> bound.put(c, c.socket().getLocalPort()));
                            }
                        });
                    }
                    return result;
                });
    }

    @Test
    @DisplayName("create(n, factory): a factory that throws closes the loops made so far and starts no thread")
    void factoryFailure() {
        List<EventLoop> made = new java.util.ArrayList<>();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> EventLoopGroup.create(3, () -> {
            if (made.size() == 2) {
                throw new IllegalStateException("no more loops");
            }
            EventLoop loop = new NioEventLoop();
            made.add(loop);
            return loop;
        }));
        assertEquals("no more loops", e.getMessage());
        for (EventLoop loop : made) {
            assertTrue(loop.isClosed(), "loop left open: " + loop);
        }
    }

    /** A loop whose createServer always fails, as if its bind were refused. */
    private static EventLoop refusingCreateServer(EventLoop real) {
        return (EventLoop) Proxy.newProxyInstance(EventLoop.class.getClassLoader(), new Class<?>[] {EventLoop.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "equals" -> proxy == args[0];
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "createServer" -> {
                        Future<Server> refused = real.createFuture();
                        refused.setException(new java.net.BindException("refused by the test"));
                        yield refused;
                    }
                    default -> {
                        try {
                            yield method.invoke(real, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    }
                });
    }

    /** The thread running loop {@code i}'s callbacks (coroutine bodies may run elsewhere on some engines). */
    private Thread loopThread(int i) throws Exception {
        java.util.concurrent.CompletableFuture<Thread> t = new java.util.concurrent.CompletableFuture<>();
        group.loops().get(i).callSoonThreadsafe(() -> t.complete(Thread.currentThread()));
        return t.get(WAIT, TimeUnit.SECONDS);
    }

    private static void echo20(GroupServer server) throws Exception {
        InetSocketAddress address = server.addresses().getFirst();
        for (int i = 0; i < 20; i++) {
            byte[] message = ("hello-" + i + "\n").getBytes(StandardCharsets.US_ASCII);
            EchoCheck.onNewConnection(address, message, Duration.ofSeconds(WAIT), "connection " + i);
        }
    }
}
