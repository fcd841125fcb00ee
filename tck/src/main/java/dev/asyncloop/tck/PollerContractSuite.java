package dev.asyncloop.tck;

import static dev.asyncloop.spi.Poller.READ;
import static dev.asyncloop.spi.Poller.WRITE;
import static dev.asyncloop.tck.PollerHarness.drain;
import static dev.asyncloop.tck.PollerHarness.fill;
import static dev.asyncloop.tck.PollerHarness.helper;
import static dev.asyncloop.tck.PollerHarness.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.asyncloop.spi.Poller;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link Poller}, checked on a poller alone: every clause of its Javadoc, one rule (PC1.x) per
 * clause, with failure messages that name the clause and what the poller did. A loop author tests a new poller
 * with this suite first, then the whole loop with {@link EventLoopConformanceSuite}, where a broken poller shows
 * only as a hang or a distant failure:
 *
 * <pre>{@code
 * class MyPollerContractTest extends PollerContractSuite {
 *     @Override
 *     protected Poller newPoller() throws IOException {
 *         return new MyPoller();
 *     }
 * }
 * }</pre>
 *
 * <p>Each test opens a new poller through {@link #newPoller()} and drives it from one platform thread of its own
 * (the loop thread: every call but {@link Poller#wakeup()} is made there; {@code wakeup} also from other
 * threads; rules PC1.29 and PC1.30 hand the poller to a virtual thread), then closes it and every channel it opened.
 * Channels are loopback TCP, Unix domain sockets (skipped where the JDK or the system has none), UDP and pipes. Every report of every poll is checked: the attachment is
 * one the poller was given, its channel is neither deregistered nor closed, the ready operations are within the
 * interest in force, and no channel is reported twice in one poll. Waits are bounded (10 s each); a test that does
 * not end is reported as hung, with where the poller's thread is. No test depends on timing: "not reported" is
 * checked with a poll that reports a sentinel channel, which is ready all along. A poller that needs JVM flags
 * needs them in the test JVM's arguments (surefire's {@code argLine}).
 *
 * <p>Rule IDs, display names and what to check when one fails are listed in {@code docs/tck-rules.md}, section
 * "Poller contract (PC1)".
 */
public abstract class PollerContractSuite {
    private PollerHarness h;

    /** Creates the suite; JUnit calls this through the loop author's subclass. */
    protected PollerContractSuite() {
    }

    /**
     * Opens a new poller. Called once per test, on the thread that then makes every call of the test but
     * {@link Poller#wakeup()}; the suite closes the poller after the test. Rule PC1.29 opens one more per carrier
     * of the virtual-thread scheduler, each used by one virtual thread.
     *
     * @return a new, open poller with nothing registered
     * @throws IOException if the poller cannot be opened (the test then fails with it)
     */
    protected abstract Poller newPoller() throws IOException;

    @BeforeEach
    final void openHarness() {
        h = new PollerHarness(this::newPoller);
    }

    @AfterEach
    final void closeHarness() throws Exception {
        h.close();
    }

    private Poller poller() {
        return h.poller();
    }

    // ------------------------------------------------------------------ readiness

    @Test
    @DisplayName("PC1.1 READ: a socket is reported READ once data arrives, not before and not after it was read")
    final void pc1_1_read() throws Exception {
        h.run("PC1.1", () -> {
            SocketChannel[] p = h.pair();
            h.register(p[1], READ, "reader");
            Map<String, Integer> idle = h.pollWithSentinel();
            assertFalse(idle.containsKey("reader"), h.msg("poll reported " + idle + " for a socket with nothing to"
                    + " read, registered for READ"));
            send(p[0], 10);
            h.pollUntilReported("reader", READ, "10 bytes were sent to it");
            assertEquals(10, drain(p[1]), h.msg("the socket reported READ did not have the 10 bytes sent"));
            Map<String, Integer> drained = h.pollWithSentinel();
            assertFalse(drained.containsKey("reader"), h.msg("poll reported READ for a socket whose data was all"
                    + " read: " + drained));
        });
    }

    @Test
    @DisplayName("PC1.2 WRITE and both: a connected socket is reported WRITE, READ|WRITE with data; modify changes what is reported")
    final void pc1_2_writeAndModify() throws Exception {
        h.run("PC1.2", () -> {
            SocketChannel[] p = h.pair();
            h.register(p[1], WRITE, "socket");
            h.pollUntilReported("socket", WRITE, "a connected socket with an empty send buffer is writable");
            send(p[0], 1);
            h.modify(p[1], READ | WRITE);
            h.pollUntilReported("socket", READ | WRITE, "after modify(READ|WRITE), with a byte to read");
            h.modify(p[1], READ);
            h.pollUntilReported("socket", READ, "after modify(READ)");
            h.modify(p[1], WRITE);
            h.pollUntilReported("socket", WRITE, "after modify(WRITE)");
            drain(p[1]);
            h.modify(p[1], READ);
            Map<String, Integer> got = h.pollWithSentinel();
            assertFalse(got.containsKey("socket"), h.msg("after modify(READ) of a writable socket with nothing to"
                    + " read, poll still reported it: " + got + "; modify must replace the interest"));
        });
    }

    @Test
    @DisplayName("PC1.3 level-triggered: a channel that stays ready is reported again by every poll")
    final void pc1_3_levelTriggered() throws Exception {
        h.run("PC1.3", () -> {
            SocketChannel[] p = h.pair();
            h.register(p[1], READ, "reader");
            h.register(p[0], WRITE, "writer");
            send(p[0], 5);
            h.pollUntil("reader READ and writer WRITE in one poll", got -> Integer.valueOf(READ).equals(got.get("reader"))
                    && Integer.valueOf(WRITE).equals(got.get("writer")));
            for (int i = 1; i <= 3; i++) {
                Map<String, Integer> again = h.poll(0);
                assertEquals(READ, again.getOrDefault("reader", 0), h.msg("poll " + i + " after the first report"
                        + " did not report READ again for a socket whose data nobody read: " + again
                        + "; the poller must be level-triggered (an edge-triggered primitive must re-arm)"));
                assertEquals(WRITE, again.getOrDefault("writer", 0), h.msg("poll " + i + " after the first report"
                        + " did not report WRITE again for a socket that stayed writable: " + again));
            }
        });
    }

    @Test
    @DisplayName("PC1.4 readyOps is the ready part of the interest: a readable, writable socket registered for one is reported for that one")
    final void pc1_4_readyOpsWithinInterest() throws Exception {
        h.run("PC1.4", () -> {
            SocketChannel[] p = h.pair();
            send(p[0], 1);
            send(p[1], 1);
            h.register(p[0], READ, "read-only");
            h.register(p[1], WRITE, "write-only");
            // the harness fails any report outside the interest; this waits for both to be seen
            h.pollUntil("read-only READ and write-only WRITE (both sockets are readable and writable)",
                    got -> Integer.valueOf(READ).equals(got.get("read-only"))
                            && Integer.valueOf(WRITE).equals(got.get("write-only")));
        });
    }

    @Test
    @DisplayName("PC1.5 one poll reports each of 40 ready channels exactly once")
    final void pc1_5_eachReadyChannelOncePerPoll() throws Exception {
        h.run("PC1.5", () -> {
            Set<String> all = new java.util.HashSet<>();
            try (ServerSocketChannel server = ServerSocketChannel.open()) {
                server.bind(PollerHarness.loopback(), 64);
                for (int i = 0; i < 20; i++) {
                    SocketChannel[] p = h.pair(server, server.getLocalAddress());
                    send(p[0], 1);
                    send(p[1], 1);
                    h.register(p[0], READ | WRITE, "client" + i);
                    h.register(p[1], READ | WRITE, "accepted" + i);
                    all.add("client" + i);
                    all.add("accepted" + i);
                }
            }
            h.pollUntil("all 40 sockets (each readable and writable) reported READ|WRITE in one poll",
                    got -> got.keySet().containsAll(all)
                            && all.stream().allMatch(l -> Integer.valueOf(READ | WRITE).equals(got.get(l))));
            Map<String, Integer> next = h.poll(0);
            assertEquals(all, next.keySet(), h.msg("the next poll(0) did not report each of the 40 ready sockets"
                    + " (the harness fails a channel reported twice)"));
        });
    }

    // ------------------------------------------------------------------ waiting and waking

    @Test
    @DisplayName("PC1.6 poll(0) does not block, with nothing registered and with an idle channel registered")
    final void pc1_6_pollZeroDoesNotBlock() throws Exception {
        h.run("PC1.6", () -> {
            h.returnsWithin("poll(0) with nothing registered", () -> h.poll(0));
            SocketChannel[] p = h.pair();
            h.register(p[1], READ, "idle");
            for (int i = 0; i < 3; i++) {
                h.returnsWithin("poll(0) with one idle socket registered for READ", () -> {
                    Map<String, Integer> got = h.poll(0);
                    assertTrue(got.isEmpty(), h.msg("poll(0) reported " + got + " for an idle socket"));
                });
            }
        });
    }

    @Test
    @DisplayName("PC1.7 poll(-1) blocked with an idle channel returns when another thread calls wakeup()")
    final void pc1_7_wakeupFromAnotherThread() throws Exception {
        h.run("PC1.7", () -> {
            SocketChannel[] p = h.pair();
            h.register(p[1], READ, "idle");
            CountDownLatch polling = new CountDownLatch(1);
            Thread waker = helper("waker", () -> {
                Waits.awaitLatch(polling);
                Waits.pause(100); // lets the poll block; a wake-up that comes first must work as well (PC1.8)
                poller().wakeup();
            });
            polling.countDown();
            h.returnsWithin("poll(-1), blocked, after wakeup() from another thread,", () -> h.poll(-1));
            Waits.join(waker);
        });
    }

    @Test
    @DisplayName("PC1.8 a wakeup() before poll makes the next poll return at once, also after register, modify and deregister calls")
    final void pc1_8_wakeupBeforePoll() throws Exception {
        h.run("PC1.8", () -> {
            poller().wakeup();
            h.returnsWithin("poll(-1) with nothing registered, after wakeup() before it,", () -> h.poll(-1));
            SocketChannel[] p = h.pair();
            h.register(p[1], READ, "idle");
            poller().wakeup();
            h.returnsWithin("poll(Long.MAX_VALUE) with an idle socket, after wakeup() before it,",
                    () -> h.poll(Long.MAX_VALUE));
            Pipe pipe = h.pipe();
            poller().wakeup();
            h.register(pipe.source(), READ, "pipe");
            h.deregister(pipe.source());
            h.register(pipe.source(), READ, "pipe-again");
            h.modify(p[1], READ | WRITE);
            h.modify(p[1], READ);
            h.deregister(p[1]);
            h.returnsWithin("poll(-1) after wakeup(), then register, deregister, register again, modify and"
                    + " deregister (a Selector's selectNow, used to flush a cancelled key, clears a pending"
                    + " wake-up: wake the selector again after it if one was asked for),", () -> h.poll(-1));
        });
    }

    @Test
    @DisplayName("PC1.9 wake-ups coalesce: after 400 wakeup() calls one poll consumes them all")
    final void pc1_9_wakeupsCoalesce() throws Exception {
        h.run("PC1.9", () -> {
            Pipe pipe = h.pipe();
            h.register(pipe.source(), READ, "pipe");
            List<Thread> wakers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                wakers.add(helper("waker-" + i, () -> {
                    for (int n = 0; n < 100; n++) {
                        poller().wakeup();
                    }
                }));
            }
            wakers.forEach(Waits::join);
            h.returnsWithin("poll(-1) after 400 wakeup() calls", () -> h.poll(-1));
            Map<String, Integer> got = h.poll(0);
            assertTrue(got.isEmpty(), h.msg("poll(0) reported " + got + " with nothing ready"));
            Thread writer = helper("writer", () -> {
                Waits.pause(200); // the data comes late, so that polls ended by leftover wake-ups can be counted
                try {
                    send(pipe.sink(), 1);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            int empty = 0;
            Map<String, Integer> last = Map.of();
            long deadline = System.nanoTime() + PollerHarness.boundedWait().toNanos();
            while (!last.containsKey("pipe") && System.nanoTime() - deadline < 0) {
                AtomicReference<Map<String, Integer>> polled = new AtomicReference<>(Map.of());
                h.returnsWithin("poll(-1) while a byte is on its way to a registered pipe",
                        () -> polled.set(h.poll(-1)));
                last = polled.get();
                if (!last.containsKey("pipe")) {
                    empty++;
                }
            }
            Waits.join(writer);
            assertTrue(last.containsKey("pipe"), h.msg("the pipe was never reported READ after a byte was written"));
            assertTrue(empty <= 2, h.msg("after 400 wake-ups and the poll that returned for them, " + empty
                    + " more polls returned with nothing reported: wake-ups must coalesce (a wake-up is a flag or a"
                    + " counter drained to 0 by the poll that sees it, not one return per call)"));
        });
    }

    @Test
    @DisplayName("PC1.10 timeouts: poll(50 ms) and poll(1 ns) return; poll(Long.MAX_VALUE) waits for the wake-up, it does not return at once")
    final void pc1_10_timeoutHonoured() throws Exception {
        h.run("PC1.10", () -> {
            SocketChannel[] p = h.pair();
            h.register(p[1], READ, "idle");
            h.returnsWithin("poll(50 ms) with only an idle socket registered", () -> h.poll(50_000_000L));
            h.returnsWithin("poll(1 ns) with only an idle socket registered (round up to the primitive's"
                    + " resolution, never to its 'forever')", () -> h.poll(1));
            h.returnsWithin("poll(999_999 ns) with only an idle socket registered", () -> h.poll(999_999));
            AtomicBoolean woken = new AtomicBoolean();
            Thread waker = helper("waker", () -> {
                Waits.pause(200); // polls that return before it are counted
                woken.set(true);
                poller().wakeup();
            });
            int early = 0;
            while (!woken.get()) {
                h.returnsWithin("poll(Long.MAX_VALUE) before its wakeup()", () -> h.poll(Long.MAX_VALUE));
                if (!woken.get()) {
                    early++;
                }
                if (early > 5) {
                    break;
                }
            }
            Waits.join(waker);
            assertTrue(early <= 2, h.msg("poll(Long.MAX_VALUE) with an idle socket returned " + early + " times"
                    + " before the wake-up: its timeout overflowed or was rounded to 'don't block' (compute"
                    + " ceil(n / 1 ms) without adding first, and cap it at the primitive's largest wait)"));
        });
    }

    // ------------------------------------------------------------------ connects, accepts, errors

    @Test
    @DisplayName("PC1.11 a pending connect registered for WRITE is reported when it finishes; the same WRITE interest then reports writability")
    final void pc1_11_pendingConnectThenWritable() throws Exception {
        h.run("PC1.11", () -> {
            ServerSocketChannel server = h.listener();
            SocketChannel client = h.track(SocketChannel.open());
            client.configureBlocking(false);
            boolean connected = client.connect(server.getLocalAddress());
            Assumptions.assumeFalse(connected, "the system finished a loopback connect at once; nothing was pending");
            h.register(client, WRITE, "client");
            h.pollUntilReported("client", WRITE, "its connect to a listening socket finishes");
            assertTrue(client.finishConnect(), h.msg("the socket reported WRITE has not finished connecting"));
            h.pollUntilReported("client", WRITE, "the connected socket is writable: a Selector poller must switch"
                    + " OP_CONNECT to OP_WRITE once isConnectionPending() is false, at each poll");
            SocketChannel accepted = null;
            for (long end = System.nanoTime() + PollerHarness.boundedWait().toNanos();
                    accepted == null && System.nanoTime() - end < 0; ) {
                accepted = server.accept();
            }
            assertTrue(accepted != null, h.msg("the connection was never accepted"));
            SocketChannel peer = h.track(java.util.Objects.requireNonNull(accepted));
            peer.configureBlocking(false);
            // Fill the send buffer until a poll no longer reports WRITE, then let the peer read: WRITE comes back.
            boolean blocked = false;
            for (int i = 0; i < 50 && !blocked; i++) {
                fill(client);
                blocked = !h.pollWithSentinel().containsKey("client");
            }
            assertTrue(blocked, h.msg("a socket whose send buffer was filled 50 times was still reported WRITE"));
            CountDownLatch reading = new CountDownLatch(1);
            Thread reader = helper("reader", () -> {
                reading.countDown();
                try {
                    long end = System.nanoTime() + PollerHarness.boundedWait().toNanos();
                    while (peer.isOpen() && System.nanoTime() - end < 0 && drain(peer) >= 0) {
                        Thread.onSpinWait();
                    }
                } catch (IOException done) {
                    // the test closed the peer
                }
            });
            Waits.awaitLatch(reading);
            h.pollUntilReported("client", WRITE, "the peer read the data that filled its send buffer");
            peer.close();
            Waits.join(reader);
        });
    }

    @Test
    @DisplayName("PC1.12 a refused connect is reported as the interest it has: WRITE, or READ|WRITE")
    final void pc1_12_refusedConnect() throws Exception {
        h.run("PC1.12", () -> {
            int port = NetworkGroup.closedPort();
            InetSocketAddress nobody = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
            SocketChannel writeOnly = h.track(SocketChannel.open());
            SocketChannel both = h.track(SocketChannel.open());
            writeOnly.configureBlocking(false);
            both.configureBlocking(false);
            try {
                writeOnly.connect(nobody);
                both.connect(nobody);
            } catch (ConnectException refusedAtOnce) {
                Assumptions.abort("the system refused the loopback connect in connect() itself; nothing was pending");
            }
            h.register(writeOnly, WRITE, "write-only");
            h.register(both, READ | WRITE, "read-write");
            h.pollUntilReported("write-only", WRITE, "its connect to port " + port + " was refused");
            h.pollUntilReported("read-write", READ | WRITE, "its connect was refused: an error is reported as every"
                    + " interest the channel has");
            assertThrows(IOException.class, writeOnly::finishConnect,
                    h.msg("finishConnect of the socket reported after a refused connect did not throw"));
        });
    }

    @Test
    @DisplayName("PC1.13 a server channel is reported READ while a connection waits to be accepted, and not after it was accepted")
    final void pc1_13_acceptReady() throws Exception {
        h.run("PC1.13", () -> {
            ServerSocketChannel server = h.listener();
            h.register(server, READ, "server");
            Map<String, Integer> idle = h.pollWithSentinel();
            assertFalse(idle.containsKey("server"), h.msg("poll reported " + idle + " for a listening socket with"
                    + " no connection to accept"));
            h.track(SocketChannel.open(server.getLocalAddress()));
            h.pollUntilReported("server", READ, "a client connected: READ on a server channel is OP_ACCEPT");
            SocketChannel accepted = server.accept();
            assertTrue(accepted != null, h.msg("the server reported READ had no connection to accept"));
            h.track(accepted);
            Map<String, Integer> after = h.pollWithSentinel();
            assertFalse(after.containsKey("server"), h.msg("poll reported the server again after its only"
                    + " connection was accepted: " + after));
        });
    }

    @Test
    @DisplayName("PC1.14 a peer's close is reported to the reader; a peer's reset is reported to a writer whose send buffer is full")
    final void pc1_14_peerCloseAndReset() throws Exception {
        h.run("PC1.14", () -> {
            SocketChannel[] closed = h.pair();
            h.register(closed[1], READ, "reader");
            closed[0].close();
            h.pollUntilReported("reader", READ, "its peer closed the connection (end of stream)");
            assertEquals(-1, closed[1].read(ByteBuffer.allocate(1)), h.msg("the socket reported READ after its"
                    + " peer closed is not at end of stream"));

            SocketChannel[] reset = h.pair();
            h.register(reset[1], WRITE, "writer");
            boolean blocked = false;
            for (int i = 0; i < 50 && !blocked; i++) {
                fill(reset[1]);
                blocked = !h.pollWithSentinel().containsKey("writer");
            }
            assertTrue(blocked, h.msg("a socket whose send buffer was filled 50 times was still reported WRITE"));
            reset[0].setOption(StandardSocketOptions.SO_LINGER, 0);
            reset[0].close(); // with unread data and linger 0: a reset
            h.pollUntilReported("writer", WRITE, "its peer reset the connection while its send buffer was full:"
                    + " an error (EPOLLERR/POLLERR, POLLHUP) is reported as every interest the channel has");
            assertThrows(IOException.class, () -> fill(reset[1]), h.msg("writing to the socket reported after"
                    + " its peer's reset did not fail"));
        });
    }

    // ------------------------------------------------------------------ the sink, and registration lifetime

    @Test
    @DisplayName("PC1.15 deregister inside the sink: no event is reported for that channel afterwards, even one the poll already collected")
    final void pc1_15_deregisterInSink() throws Exception {
        h.run("PC1.15", () -> {
            SocketChannel[] p = h.pair();
            send(p[0], 1);
            send(p[1], 1);
            h.register(p[0], READ, "a");
            h.register(p[1], READ, "b");
            h.pollUntil("a and b, both with data to read, in one poll", got -> got.containsKey("a")
                    && got.containsKey("b"));
            // the harness fails the poll if the other is reported after the sink deregistered it
            Map<String, Integer> got = h.poll(0, (label, ops) -> h.deregister(label.equals("a") ? p[1] : p[0]));
            assertEquals(1, got.size(), h.msg("poll(0) with a and b readable reported " + got));
            Map<String, Integer> next = h.poll(0);
            assertEquals(1, next.size(), h.msg("the poll after the sink deregistered one of two readable sockets"
                    + " reported " + next));
        });
    }

    @Test
    @DisplayName("PC1.16 modify inside the sink applies to the events the same poll reports after it")
    final void pc1_16_modifyInSink() throws Exception {
        h.run("PC1.16", () -> {
            SocketChannel[] p = h.pair();
            h.register(p[0], WRITE, "a");
            h.register(p[1], WRITE, "b");
            h.pollUntil("a and b, both writable, in one poll", got -> got.containsKey("a") && got.containsKey("b"));
            String[] first = new String[1];
            Map<String, Integer> got = h.poll(0, (label, ops) -> {
                if (first[0] == null) {
                    first[0] = label;
                    // nothing to read: the other's collected WRITE is now outside its interest
                    h.modify(label.equals("a") ? p[1] : p[0], READ);
                    h.modify(label.equals("a") ? p[0] : p[1], READ | WRITE);
                }
            });
            assertEquals(Set.of(first[0]), got.keySet(), h.msg("after the sink changed the other socket's"
                    + " interest to READ (nothing to read), the same poll reported it: " + got));
            send(first[0].equals("a") ? p[1] : p[0], 1);
            h.pollUntilReported(first[0], READ | WRITE, "the sink widened its interest to READ|WRITE and a byte"
                    + " arrived");
        });
    }

    @Test
    @DisplayName("PC1.17 a channel registered again right after deregister, before any poll, is reported with its new attachment only")
    final void pc1_17_registerRightAfterDeregister() throws Exception {
        h.run("PC1.17", () -> {
            SocketChannel[] p = h.pair();
            send(p[0], 1);
            h.register(p[1], READ, "first");
            h.pollUntilReported("first", READ, "a byte was sent to it");
            h.deregister(p[1]);
            h.register(p[1], READ | WRITE, "second");
            h.pollUntilReported("second", READ | WRITE, "it was registered again for READ|WRITE right after"
                    + " deregister, with a byte to read (a Selector throws CancelledKeyException there unless a"
                    + " selectNow flushed the cancelled key first)");
            h.pollUntil("second reported, so that the sink deregisters it", got -> got.containsKey("second"),
                    (label, ops) -> h.deregister(p[1]));
            h.register(p[1], READ, "third");
            h.pollUntilReported("third", READ, "it was deregistered in the sink and registered again right after"
                    + " that poll");
        });
    }

    @Test
    @DisplayName("PC1.18 a channel closed while registered is not reported; a new channel (maybe on its descriptor) gets its own events; deregister of the closed one leaves it alone")
    final void pc1_18_closedWhileRegistered() throws Exception {
        h.run("PC1.18", () -> {
            SocketChannel[] old = h.pair();
            send(old[0], 1);
            h.register(old[1], READ, "old");
            h.pollUntilReported("old", READ, "a byte was sent to it");
            h.pollWithSentinel(); // opens the sentinel's pipe now, so that it cannot take the closed descriptor
            SocketChannel[] fresh;
            try (ServerSocketChannel server = ServerSocketChannel.open()) {
                server.bind(PollerHarness.loopback());
                h.closeWhileRegistered(old[1]);
                h.pollWithSentinel(); // the harness fails if "old" is reported
                // the client is the first descriptor opened after the close: the system likely gives it the
                // closed one's (POSIX: the lowest free number)
                fresh = h.pair(server, server.getLocalAddress());
            }
            h.register(fresh[0], READ, "new-client");
            h.register(fresh[1], READ, "new-accepted");
            send(fresh[0], 1);
            send(fresh[1], 1);
            // the closed channel is still registered while its descriptor's successor is ready: the harness
            // fails if "old" is reported for the new socket's events
            h.pollUntil("new-client and new-accepted READ in one poll (each was sent a byte; the closed channel"
                    + " is still registered)", got -> got.containsKey("new-client") && got.containsKey("new-accepted"));
            poller().deregister(old[1]);
            h.pollUntil("new-client and new-accepted READ in one poll (their bytes are unread) after the closed"
                    + " channel's deregister", got -> got.containsKey("new-client") && got.containsKey("new-accepted"));
        });
    }

    @Test
    @DisplayName("PC1.19 a listening socket closed right after deregister refuses connections at once, also when the sink deregistered it")
    final void pc1_19_closedAfterDeregisterIsReleased() throws Exception {
        h.run("PC1.19", () -> {
            ServerSocketChannel first = h.listener();
            int port = NetworkGroup.port(first);
            h.register(first, READ, "first");
            h.pollWithSentinel();
            h.deregister(first);
            first.close();
            assertRefused(port, "deregister and close() returned, with no poll since");

            ServerSocketChannel second = h.listener();
            int secondPort = NetworkGroup.port(second);
            h.register(second, READ, "second");
            h.track(SocketChannel.open(second.getLocalAddress()));
            h.pollUntilReported("second", READ, "a client connected");
            h.pollUntil("second reported, so that the sink deregisters it", got -> got.containsKey("second"),
                    (label, ops) -> {
                        if (label.equals("second")) {
                            h.deregister(second);
                        }
                    });
            second.close();
            assertRefused(secondPort, "the sink deregistered it, poll returned and close() returned, with no poll"
                    + " since (a Selector poller must flush the cancelled key after a poll whose sink"
                    + " deregistered)");
        });
    }

    private void assertRefused(int port, String what) throws IOException {
        try (SocketChannel probe = SocketChannel.open()) {
            probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            fail(h.msg(what + ", yet a connection to its port " + port + " was accepted: the closed listening"
                    + " socket kept its descriptor (a Selector keeps the descriptor of a channel whose cancelled key"
                    + " it has not flushed)"));
        } catch (ConnectException expected) {
            // refused: the descriptor was released
        }
    }

    @Test
    @DisplayName("PC1.20 register of a closed channel throws ClosedChannelException")
    final void pc1_20_registerClosed() throws Exception {
        h.run("PC1.20", () -> {
            SocketChannel[] p = h.pair();
            p[1].close();
            assertThrows(ClosedChannelException.class, () -> poller().register(p[1], READ, "closed"),
                    h.msg("register of a closed socket did not throw ClosedChannelException"));
            Pipe pipe = h.pipe();
            pipe.source().close();
            assertThrows(ClosedChannelException.class, () -> poller().register(pipe.source(), READ, "closed-pipe"),
                    h.msg("register of a closed pipe did not throw ClosedChannelException"));
        });
    }

    @Test
    @DisplayName("PC1.21 after close(): register and poll throw IllegalStateException; modify, deregister and wakeup do nothing; close is idempotent; channels stay open")
    final void pc1_21_afterClose() throws Exception {
        h.run("PC1.21", () -> {
            SocketChannel[] p = h.pair();
            h.register(p[1], READ, "registered");
            poller().close();
            assertThrows(IllegalStateException.class, () -> poller().register(p[0], READ, "late"),
                    h.msg("register after close() did not throw IllegalStateException"));
            h.returnsWithin("poll(0) after close()", () -> assertThrows(IllegalStateException.class,
                    () -> poller().poll(0, (a, o) -> { }), h.msg("poll(0) after close() did not throw"
                            + " IllegalStateException")));
            h.returnsWithin("poll(-1) after close()", () -> assertThrows(IllegalStateException.class,
                    () -> poller().poll(-1, (a, o) -> { }), h.msg("poll(-1) after close() did not throw"
                            + " IllegalStateException")));
            poller().modify(p[1], WRITE);
            poller().deregister(p[1]);
            poller().deregister(p[0]);
            poller().wakeup();
            poller().close();
            assertTrue(p[0].isOpen() && p[1].isOpen(), h.msg("close() closed a channel that was registered"));
        });
    }

    @Test
    @DisplayName("PC1.22 wakeup() from 4 threads at once, racing with polls and with close(), never throws nor loses a poll's return")
    final void pc1_22_concurrentWakeups() throws Exception {
        h.run("PC1.22", () -> {
            SocketChannel[] p = h.pair();
            h.register(p[1], READ, "idle");
            AtomicBoolean stop = new AtomicBoolean();
            ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            List<Thread> wakers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                wakers.add(helper("waker-" + i, () -> {
                    try {
                        while (!stop.get()) {
                            poller().wakeup();
                        }
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                }));
            }
            try {
                h.returnsWithin("one of 500 polls with an idle socket, while 4 threads call wakeup(),", () -> {
                    for (int i = 0; i < 500; i++) {
                        h.poll(-1);
                    }
                });
                send(p[0], 1);
                h.pollUntilReported("idle", READ, "a byte was sent to it, among the wake-ups");
                poller().close();
            } finally {
                stop.set(true);
                wakers.forEach(Waits::join);
            }
            assertEquals(List.of(), List.copyOf(failures), h.msg("wakeup() threw, racing with poll and close()"));
        });
    }

    // ------------------------------------------------------------------ other channels

    @Test
    @DisplayName("PC1.23 pipes: the read end is reported READ with data and at the write end's close; the write end is reported WRITE")
    final void pc1_23_pipes() throws Exception {
        h.run("PC1.23", () -> {
            Pipe pipe = h.pipe();
            h.register(pipe.source(), READ, "source");
            h.register(pipe.sink(), WRITE, "sink");
            Map<String, Integer> idle = h.pollUntilReported("sink", WRITE, "an empty pipe's write end is writable");
            assertFalse(idle.containsKey("source"), h.msg("an empty pipe's read end was reported: " + idle));
            send(pipe.sink(), 3);
            h.pollUntilReported("source", READ, "3 bytes were written to the pipe");
            assertEquals(3, drain(pipe.source()), h.msg("the pipe reported READ did not have the 3 bytes"));
            h.deregister(pipe.sink());
            pipe.sink().close();
            h.pollUntilReported("source", READ, "the write end was closed (end of stream, or a hang-up)");
            assertEquals(-1, drain(pipe.source()), h.msg("the pipe reported READ after its write end closed is"
                    + " not at end of stream"));
        });
    }

    @Test
    @DisplayName("PC1.24 a pipe's write end registered for READ is never reported while the read end is open; at most READ (its error) once it closed")
    final void pc1_24_pipeWriteEndForRead() throws Exception {
        h.run("PC1.24", () -> {
            Pipe pipe = h.pipe();
            h.register(pipe.sink(), READ, "sink-for-read");
            Map<String, Integer> open = h.pollWithSentinel();
            assertFalse(open.containsKey("sink-for-read"), h.msg("a pipe's write end registered for READ was"
                    + " reported " + open + " while its read end was open: it is writable, never readable"));
            pipe.source().close();
            // A poller that sees the error (epoll) reports READ, one that masks with validOps (a Selector) nothing;
            // the harness fails anything else.
            for (int i = 0; i < 3; i++) {
                h.pollWithSentinel();
            }
        });
    }

    @Test
    @DisplayName("PC1.25 UDP: a datagram channel is reported READ while a datagram waits, not after it was received; WRITE when registered for it")
    final void pc1_25_datagrams() throws Exception {
        h.run("PC1.25", () -> {
            DatagramChannel receiver = h.track(DatagramChannel.open());
            receiver.bind(PollerHarness.loopback());
            receiver.configureBlocking(false);
            DatagramChannel sender = h.track(DatagramChannel.open());
            sender.configureBlocking(false);
            h.register(receiver, READ, "receiver");
            h.register(sender, WRITE, "sender");
            Map<String, Integer> idle = h.pollUntilReported("sender", WRITE, "a datagram channel is writable");
            assertFalse(idle.containsKey("receiver"), h.msg("a datagram channel with nothing received was reported: "
                    + idle));
            sender.send(ByteBuffer.wrap(new byte[] {1, 2}), receiver.getLocalAddress());
            h.pollUntilReported("receiver", READ, "a datagram was sent to it");
            assertTrue(receiver.receive(ByteBuffer.allocate(16)) != null, h.msg("the datagram channel reported READ"
                    + " had nothing to receive"));
            Map<String, Integer> after = h.pollWithSentinel();
            assertFalse(after.containsKey("receiver"), h.msg("a datagram channel was reported again after its only"
                    + " datagram was received: " + after));
        });
    }

    @Test
    @DisplayName("PC1.26 Unix domain sockets: accept, READ and WRITE are reported as for TCP (skipped where the system has none)")
    final void pc1_26_unixSockets() throws Exception {
        h.run("PC1.26", () -> {
            ServerSocketChannel server;
            try {
                server = h.track(ServerSocketChannel.open(StandardProtocolFamily.UNIX));
            } catch (UnsupportedOperationException | IOException e) {
                Assumptions.abort("Unix domain sockets are not available here: " + e);
                return;
            }
            Path dir = Files.createTempDirectory("pc");
            Path path = dir.resolve("s");
            h.track(() -> {
                Files.deleteIfExists(path);
                Files.deleteIfExists(dir);
            });
            server.bind(UnixDomainSocketAddress.of(path));
            server.configureBlocking(false);
            h.register(server, READ, "server");
            SocketChannel client = h.track(SocketChannel.open(StandardProtocolFamily.UNIX));
            client.connect(UnixDomainSocketAddress.of(path));
            client.configureBlocking(false);
            h.pollUntilReported("server", READ, "a client connected to the Unix domain server");
            SocketChannel accepted = h.track(server.accept());
            accepted.configureBlocking(false);
            h.register(accepted, READ | WRITE, "accepted");
            h.pollUntilReported("accepted", WRITE, "a connected Unix domain socket is writable, nothing to read");
            send(client, 4);
            h.pollUntilReported("accepted", READ | WRITE, "4 bytes were sent to it");
            assertEquals(4, drain(accepted), h.msg("the Unix domain socket reported READ did not have the 4 bytes"));
            client.close();
            h.modify(accepted, READ);
            h.pollUntilReported("accepted", READ, "its peer closed (end of stream)");
        });
    }

    @Test
    @DisplayName("PC1.27 an interest the channel does not offer (validOps) is accepted by register and modify and never reported")
    final void pc1_27_interestOutsideValidOps() throws Exception {
        h.run("PC1.27", () -> {
            ServerSocketChannel server = h.listener();
            Pipe pipe = h.pipe();
            h.register(server, WRITE, "server-for-write");
            h.register(pipe.source(), WRITE, "source-for-write");
            Map<String, Integer> got = h.pollWithSentinel();
            assertFalse(got.containsKey("server-for-write") || got.containsKey("source-for-write"),
                    h.msg("channels registered only for an interest they do not offer were reported: " + got));
            h.track(SocketChannel.open(server.getLocalAddress()));
            h.modify(server, READ | WRITE);
            h.pollUntilReported("server-for-write", READ, "a client connected; a server channel is never writable");
            send(pipe.sink(), 1);
            h.modify(pipe.source(), READ | WRITE);
            h.pollUntilReported("source-for-write", READ, "a byte was written to the pipe; its read end is never"
                    + " writable");
        });
    }

    @Test
    @DisplayName("PC1.28 deregister of a channel never registered does nothing; modify of a channel closed since it was registered does nothing or throws ClosedChannelException")
    final void pc1_28_unregisteredAndClosedChannels() throws Exception {
        h.run("PC1.28", () -> {
            SocketChannel[] p = h.pair();
            poller().deregister(p[0]);
            h.register(p[1], READ, "closed-later");
            h.closeWhileRegistered(p[1]);
            try {
                poller().modify(p[1], WRITE);
            } catch (ClosedChannelException allowed) {
                // the contract allows either answer
            } catch (IOException | RuntimeException e) {
                fail(h.msg("modify of a channel closed since it was registered threw " + e + "; do nothing or throw"
                        + " ClosedChannelException"), e);
            }
            poller().deregister(p[1]);
            poller().deregister(p[1]);
            h.pollWithSentinel();
        });
    }

    @Test
    @DisplayName("PC1.29 on a virtual thread a poll reports readiness, returns on wakeup and on its timeout, and leaves its carrier to other virtual threads")
    final void pc1_29_virtualThreads() throws Exception {
        h.run("PC1.29", () -> {
            Pipe pipe = h.pipe();
            onVirtualThread("the polls on a virtual thread", () -> {
                h.register(pipe.source(), READ, "pipe");
                h.returnsWithin("poll(50 ms) on a virtual thread", () -> h.poll(50_000_000L));
                Thread waker = helper("waker", () -> {
                    Waits.pause(100); // lets the poll block
                    poller().wakeup();
                });
                h.returnsWithin("poll(-1) on a virtual thread, after wakeup() from another thread,", () -> h.poll(-1));
                Waits.join(waker);
                Thread writer = helper("writer", () -> {
                    Waits.pause(100); // lets the poll block
                    try {
                        send(pipe.sink(), 1);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                h.returnsWithin("poll(-1) on a virtual thread, after a byte was written to a registered pipe,",
                        () -> h.pollUntilReported("pipe", READ, "a byte was written while the poll waited"));
                Waits.join(writer);
            });
            int carriers = Integer.getInteger("jdk.virtualThreadScheduler.parallelism",
                    Runtime.getRuntime().availableProcessors());
            int polls = Carriers.toOccupyAll();
            List<Poller> others = new ArrayList<>();
            List<Thread> blocked = new ArrayList<>();
            CountDownLatch polling = new CountDownLatch(carriers);
            ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            AtomicBoolean stop = new AtomicBoolean();
            try {
                for (int i = 0; i < polls; i++) {
                    Poller other = h.openAnother();
                    others.add(other);
                    Pipe idle = h.pipe();
                    blocked.add(Thread.ofVirtual().name("asyncloop-tck-poller-virtual-" + i).start(() -> {
                        try {
                            other.register(idle.source(), READ, "idle");
                            polling.countDown();
                            while (!stop.get()) {
                                other.poll(-1, (a, o) -> { });
                            }
                        } catch (Throwable t) {
                            failures.add(t);
                            polling.countDown();
                        }
                    }));
                }
                Waits.awaitLatch(polling);
                Waits.pause(100); // lets the polls block
                CountDownLatch ran = new CountDownLatch(1);
                Thread.ofVirtual().start(ran::countDown);
                boolean free = ran.await(PollerHarness.boundedWait().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                assertTrue(free, h.msg("a new virtual thread did not run within " + PollerHarness.boundedWait()
                        + " while " + polls + " virtual threads (more than the scheduler's carriers) were"
                        + " blocked in poll(-1): the poll holds its carrier (a native wait pins it; check without"
                        + " blocking, then park until the primitive's descriptor is ready, as the epoll poller does"
                        + " through the JDK's poller, or let the JDK compensate as a Selector does)"));
            } finally {
                stop.set(true);
                others.forEach(Poller::wakeup);
                blocked.forEach(Waits::join);
            }
            assertEquals(List.of(), List.copyOf(failures), h.msg("polls on virtual threads failed"));
        });
    }

    @Test
    @DisplayName("PC1.30 an interrupt of the thread blocked in poll is not an error: poll does not throw, returns by the next wakeup(), and leaves the interrupt status set (platform and virtual thread)")
    final void pc1_30_interruptDuringPoll() throws Exception {
        h.run("PC1.30", () -> {
            Pipe pipe = h.pipe();
            h.register(pipe.source(), READ, "pipe");
            pollWhileInterrupted("a platform thread");
            onVirtualThread("the interrupted poll on a virtual thread", () -> pollWhileInterrupted("a virtual thread"));
            send(pipe.sink(), 1);
            h.pollUntilReported("pipe", READ, "a byte was written after the two interrupted polls");
        });
    }

    /**
     * Polls with no timeout on this thread while a helper interrupts it, then wakes the poller 100 ms later; checks
     * that no poll threw and that the status was still set when the poll returned. Leaves the status cleared.
     */
    private void pollWhileInterrupted(String where) throws Exception {
        Thread self = Thread.currentThread();
        CountDownLatch interrupted = new CountDownLatch(1);
        Thread interrupter = helper("interrupter", () -> {
            Waits.pause(100); // lets the poll block
            self.interrupt();
            interrupted.countDown();
            Waits.pause(100); // a poll may go on waiting after the interrupt, until this wake-up
            poller().wakeup();
        });
        boolean statusSet;
        try {
            do { // an empty return before the interrupt is allowed: poll again
                h.returnsWithin("poll(-1) on " + where + ", interrupted, then woken 100 ms later,", () -> {
                    try {
                        h.poll(-1);
                    } catch (IOException | RuntimeException e) {
                        throw new AssertionError(h.msg("poll(-1) on " + where + " threw " + e + " when its thread was"
                                + " interrupted: an interrupt is not an error (return as from a wake-up, or go on"
                                + " waiting, and leave the interrupt status set for the loop)"), e);
                    }
                });
            } while (interrupted.getCount() > 0);
            statusSet = Thread.currentThread().isInterrupted();
        } finally {
            Thread.interrupted(); // cleared, so that the join and the rest of the test run uninterrupted
            Waits.join(interrupter);
            Thread.interrupted(); // in case the interrupt came after a poll failed
        }
        assertTrue(statusSet, h.msg("poll(-1) on " + where + " returned after its thread was interrupted with the"
                + " interrupt status cleared: the loop, which clears it before each blocking poll and sets it again"
                + " when runForever returns, then loses the interrupt (do not call Thread.interrupted() to end the"
                + " wait; after an InterruptedException from a park or a Future, interrupt the thread again)"));
    }

    /** Runs {@code body} on a virtual thread, which has the poller meanwhile; waits for it, bounded. */
    private void onVirtualThread(String what, PollerHarness.Body body) throws Exception {
        Exception[] failed = new Exception[1];
        Error[] broken = new Error[1];
        Thread t = Thread.ofVirtual().name("asyncloop-tck-poller-virtual").start(() -> {
            try {
                body.run();
            } catch (Exception e) {
                failed[0] = e;
            } catch (Error e) {
                broken[0] = e;
            }
        });
        t.join(PollerHarness.boundedWait().multipliedBy(3));
        if (t.isAlive()) {
            poller().wakeup();
            fail(h.msg(what + " did not end within " + PollerHarness.boundedWait().multipliedBy(3)));
        }
        if (broken[0] != null) {
            throw broken[0];
        }
        if (failed[0] != null) {
            throw failed[0];
        }
    }
}
