package dev.asyncloop.epoll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.spi.Poller;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The {@link EpollPoller} on its own: the {@link Poller} contract plus the epoll-specific corners. */
class EpollPollerTest {
    private EpollPoller poller;
    private ServerSocketChannel server;
    private final List<SocketChannel> open = new ArrayList<>();

    @BeforeEach
    void open() throws IOException {
        poller = new EpollPoller();
        server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 2048);
    }

    @AfterEach
    void close() throws IOException {
        poller.close();
        server.close();
        for (SocketChannel c : open) {
            c.close();
        }
    }

    /** A connected pair, both non-blocking; {@code [0]} client, {@code [1]} accepted. */
    private SocketChannel[] pair() throws IOException {
        SocketChannel a = SocketChannel.open(server.getLocalAddress());
        SocketChannel b = server.accept();
        a.configureBlocking(false);
        b.configureBlocking(false);
        open.add(a);
        open.add(b);
        return new SocketChannel[] {a, b};
    }

    private static void send(SocketChannel to, int bytes) throws IOException {
        ByteBuffer data = ByteBuffer.allocate(bytes);
        while (data.hasRemaining()) {
            to.write(data);
        }
    }

    private Map<Object, Integer> pollOnce(long timeoutNanos) throws IOException {
        Map<Object, Integer> got = new HashMap<>();
        poller.poll(timeoutNanos, (attachment, ops) -> got.merge(attachment, ops, (x, y) -> x | y));
        return got;
    }

    @Test
    @DisplayName("a readable channel is reported with READ, again on the next poll while unread (level-triggered)")
    void levelTriggered() throws IOException {
        SocketChannel[] p = pair();
        poller.register(p[1], Poller.READ, "b");
        assertEquals(Map.of(), pollOnce(0), "nothing was sent yet");
        send(p[0], 10);
        assertEquals(Map.of("b", Poller.READ), pollOnce(1_000_000_000L));
        assertEquals(Map.of("b", Poller.READ), pollOnce(0), "unread data must be reported again");
        p[1].read(ByteBuffer.allocate(100));
        assertEquals(Map.of(), pollOnce(0), "read data must not be reported again");
    }

    @Test
    @DisplayName("WRITE is reported for a writable channel and only what the interest holds")
    void writeAndModify() throws IOException {
        SocketChannel[] p = pair();
        send(p[0], 1);
        poller.register(p[1], Poller.WRITE, "b");
        assertEquals(Map.of("b", Poller.WRITE), pollOnce(0));
        poller.modify(p[1], Poller.READ | Poller.WRITE);
        assertEquals(Map.of("b", Poller.READ | Poller.WRITE), pollOnce(0));
        poller.modify(p[1], Poller.READ);
        assertEquals(Map.of("b", Poller.READ), pollOnce(0));
    }

    @Test
    @DisplayName("a peer's close (end of stream) is reported to the reader")
    void hangupReachesReader() throws IOException {
        SocketChannel[] p = pair();
        poller.register(p[1], Poller.READ, "b");
        p[0].close();
        assertEquals(Map.of("b", Poller.READ), pollOnce(1_000_000_000L));
        assertEquals(-1, p[1].read(ByteBuffer.allocate(1)));
    }

    @Test
    @DisplayName("a wake-up before the poll makes it return at once, and is drained by it")
    void wakeupIsStickyAndDrained() throws IOException {
        SocketChannel[] p = pair();
        poller.register(p[1], Poller.READ, "b");
        poller.wakeup();
        poller.wakeup();
        long t0 = System.nanoTime();
        assertEquals(Map.of(), pollOnce(-1));
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "the wake-up must end an unbounded poll");
        t0 = System.nanoTime();
        assertEquals(Map.of(), pollOnce(20_000_000L));
        assertTrue(System.nanoTime() - t0 >= 20_000_000L, "a drained wake-up must not end the next poll early");
    }

    @Test
    @DisplayName("a wake-up from another thread ends a blocked poll; after close() it is ignored")
    void wakeupFromAnotherThread() throws Exception {
        Thread waker = Thread.ofPlatform().start(() -> {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            poller.wakeup();
        });
        assertEquals(Map.of(), pollOnce(-1));
        waker.join();
        poller.close();
        poller.wakeup();
    }

    @Test
    @DisplayName("a channel deregistered by an earlier event of the same poll is not reported")
    void deregisterInsideTheSink() throws IOException {
        SocketChannel[] p = pair();
        send(p[0], 1);
        send(p[1], 1);
        poller.register(p[0], Poller.READ, p[0]);
        poller.register(p[1], Poller.READ, p[1]);
        List<Object> seen = new ArrayList<>();
        poller.poll(1_000_000_000L, (attachment, ops) -> {
            seen.add(attachment);
            poller.deregister(attachment == p[0] ? p[1] : p[0]);
        });
        assertEquals(1, seen.size(), "the other channel was deregistered first: " + seen);
    }

    @Test
    @DisplayName("a descriptor reused after a watched channel was closed without deregister is watched anew")
    void reusedDescriptor() throws IOException {
        SocketChannel[] first = pair();
        poller.register(first[1], Poller.READ, "old");
        int fd = EpollNative.fd(first[1]);
        first[1].close();
        SocketChannel[] second = pair();
        Assumptions.assumeTrue(EpollNative.fd(second[0]) == fd || EpollNative.fd(second[1]) == fd,
                "the kernel did not reuse fd " + fd);
        SocketChannel reused = EpollNative.fd(second[0]) == fd ? second[0] : second[1];
        SocketChannel peer = reused == second[0] ? second[1] : second[0];
        poller.register(reused, Poller.READ, "new");
        poller.deregister(first[1]);
        send(peer, 1);
        assertEquals(Map.of("new", Poller.READ), pollOnce(1_000_000_000L),
                "deregistering the closed channel must not touch the new one");
    }

    @Test
    @DisplayName("register refuses a closed channel, a second registration and a bad interest")
    void misuse() throws IOException {
        SocketChannel[] p = pair();
        poller.register(p[1], Poller.READ, "b");
        assertThrows(IllegalStateException.class, () -> poller.register(p[1], Poller.READ, "again"));
        assertThrows(IllegalArgumentException.class, () -> poller.register(p[0], 0, "none"));
        p[0].close();
        assertThrows(ClosedChannelException.class, () -> poller.register(p[0], Poller.READ, "closed"));
    }

    @Test
    @DisplayName("more ready channels than one poll reports (1024): the next polls report the others")
    void moreReadyChannelsThanOnePollReports() throws IOException {
        int n = 1500;
        for (int i = 0; i < n / 2; i++) {
            SocketChannel[] p = pair();
            send(p[0], 1);
            send(p[1], 1);
            poller.register(p[0], Poller.READ, p[0]);
            poller.register(p[1], Poller.READ, p[1]);
        }
        Map<Object, Integer> first = pollOnce(1_000_000_000L);
        assertEquals(1024, first.size(), "one poll reports at most 1024 events");
        Map<Object, Integer> second = pollOnce(0);
        java.util.Set<Object> all = new java.util.HashSet<>(first.keySet());
        all.addAll(second.keySet());
        assertEquals(n, all.size(), "two polls must have reported every ready channel (level-triggered, "
                + "reported ones move to the back of the kernel's ready list)");
    }

    /** The descriptors the kernel's epoll set of {@code poller} watches, from /proc/self/fdinfo. */
    private static java.util.Set<Integer> watched(EpollPoller poller) throws IOException {
        String s = poller.toString();
        int epfd = Integer.parseInt(s.substring(s.indexOf("epfd=") + 5, s.indexOf(',')));
        java.util.Set<Integer> fds = new java.util.HashSet<>();
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/fdinfo/" + epfd))) {
            if (line.startsWith("tfd:")) {
                fds.add(Integer.parseInt(line.substring(4).trim().split("\\s+")[0]));
            }
        }
        return fds;
    }

    @Test
    @DisplayName("poll with the longest timeout (Long.MAX_VALUE nanoseconds) waits, it does not return after 1 ms")
    void longestTimeoutDoesNotOverflow() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean woken = new java.util.concurrent.atomic.AtomicBoolean();
        Thread waker = Thread.ofPlatform().start(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            woken.set(true);
            poller.wakeup();
        });
        try {
            assertEquals(Map.of(), pollOnce(Long.MAX_VALUE));
            assertTrue(woken.get(), "the poll returned before the wake-up, with nothing to report: its timeout"
                    + " overflowed when rounded up to milliseconds");
        } finally {
            waker.join();
        }
    }

    @Test
    @DisplayName("deregister of a closed channel whose descriptor is still open removes it from the epoll set")
    void deregisterOfClosedChannelWithLiveDescriptor() throws IOException {
        SocketChannel[] p = pair();
        send(p[0], 1);
        try (java.nio.channels.Selector selector = java.nio.channels.Selector.open()) {
            // A channel known to a Selector keeps its descriptor after close() until that selector flushes it.
            p[1].register(selector, java.nio.channels.SelectionKey.OP_READ);
            poller.register(p[1], Poller.READ, "b");
            int fd = EpollNative.fd(p[1]);
            p[1].close();
            assertTrue(watched(poller).contains(fd), "the JDK closed the descriptor at once; nothing to check");
            poller.deregister(p[1]);
            assertFalse(watched(poller).contains(fd), "fd " + fd + " stays in the epoll set after deregister:"
                    + " while it is readable every epoll_wait returns at once for an event nobody receives");
        }
    }

    @Test
    @DisplayName("close() with channels still registered releases the epoll and wake-up descriptors only")
    void closeWithRegistrationsReleasesDescriptors() throws IOException {
        java.nio.file.Path fds = java.nio.file.Path.of("/proc/self/fd");
        SocketChannel[] p = pair();
        long before;
        try (var list = java.nio.file.Files.list(fds)) {
            before = list.count();
        }
        for (int i = 0; i < 8; i++) {
            EpollPoller other = new EpollPoller();
            other.register(p[0], Poller.READ, "a");
            other.register(p[1], Poller.READ | Poller.WRITE, "b");
            other.close();
            other.close();
            other.wakeup();
        }
        long after;
        try (var list = java.nio.file.Files.list(fds)) {
            after = list.count();
        }
        assertEquals(before, after, "descriptors leaked by closed pollers");
        assertTrue(p[0].isOpen() && p[1].isOpen(), "close() must not close registered channels");
    }

    @Test
    @DisplayName("wake-ups from many threads, racing with polls and with close(), never throw or hang")
    void wakeupRaces() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.ConcurrentLinkedQueue<Throwable> failures = new java.util.concurrent.ConcurrentLinkedQueue<>();
        List<Thread> wakers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            wakers.add(Thread.ofPlatform().start(() -> {
                try {
                    while (!stop.get()) {
                        poller.wakeup();
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            }));
        }
        for (int i = 0; i < 2_000; i++) {
            pollOnce(-1); // returns only because of a wake-up
        }
        poller.close();
        Thread.sleep(20);
        stop.set(true);
        for (Thread t : wakers) {
            t.join();
        }
        assertEquals(List.of(), List.copyOf(failures));
    }

    @Test
    @DisplayName("after close(): register and poll throw IllegalStateException, modify, deregister and wakeup do nothing")
    void afterClose() throws IOException {
        SocketChannel[] p = pair();
        poller.register(p[1], Poller.READ, "b");
        poller.close();
        assertThrows(IllegalStateException.class, () -> poller.register(p[0], Poller.READ, "a"));
        assertThrows(IllegalStateException.class, () -> pollOnce(0));
        poller.modify(p[1], Poller.WRITE);
        poller.deregister(p[1]);
        poller.wakeup();
    }

    @Test
    @DisplayName("a signal interrupting epoll_wait (EINTR) is no error: the poll returns empty or keeps waiting")
    void signalInterruptingTheWaitIsNoError() throws Throwable {
        java.lang.foreign.Linker linker = java.lang.foreign.Linker.nativeLinker();
        java.lang.invoke.MethodHandle self = linker.downcallHandle(
                linker.defaultLookup().find("pthread_self").orElseThrow(),
                java.lang.foreign.FunctionDescriptor.of(java.lang.foreign.ValueLayout.JAVA_LONG));
        java.lang.invoke.MethodHandle kill = linker.downcallHandle(
                linker.defaultLookup().find("pthread_kill").orElseThrow(),
                java.lang.foreign.FunctionDescriptor.of(java.lang.foreign.ValueLayout.JAVA_INT,
                        java.lang.foreign.ValueLayout.JAVA_LONG, java.lang.foreign.ValueLayout.JAVA_INT));
        int sigpipe = 13; // the JVM installs a handler that ignores it, so it interrupts system calls harmlessly
        java.util.concurrent.CompletableFuture<Long> thread = new java.util.concurrent.CompletableFuture<>();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        Thread poll = Thread.ofPlatform().start(() -> {
            try {
                thread.complete((long) self.invokeExact());
                while (!stop.get()) {
                    assertEquals(Map.of(), pollOnce(-1));
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        long id = thread.get(5, java.util.concurrent.TimeUnit.SECONDS);
        for (int i = 0; i < 20 && poll.isAlive(); i++) {
            int rc = (int) kill.invokeExact(id, sigpipe);
            assertEquals(0, rc, "pthread_kill failed");
            Thread.sleep(5);
        }
        stop.set(true);
        poller.wakeup();
        poll.join(5_000);
        assertFalse(poll.isAlive(), "the poll did not end after the wake-up");
        assertEquals(null, failure.get(), "a poll interrupted by a signal failed");
    }

    @Test
    @DisplayName("interest narrowed by an earlier event of the same poll applies to the later events")
    void modifyInsideTheSink() throws IOException {
        SocketChannel[] p = pair();
        poller.register(p[0], Poller.WRITE, p[0]);
        poller.register(p[1], Poller.WRITE, p[1]);
        List<Object> seen = new ArrayList<>();
        poller.poll(1_000_000_000L, (attachment, ops) -> {
            seen.add(attachment);
            try {
                poller.modify(attachment == p[0] ? p[1] : p[0], Poller.READ); // nothing to read
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertEquals(1, seen.size(), "a channel no longer watched for WRITE was reported: " + seen);
    }
}
