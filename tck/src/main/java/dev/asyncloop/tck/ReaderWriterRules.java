package dev.asyncloop.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.Async;
import dev.asyncloop.ContextVar;
import dev.asyncloop.Future;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Rules N1.x: addReader/removeReader/addWriter/removeWriter (asyncio's fd watching). */
abstract class ReaderWriterRules extends NetworkGroup {
    ReaderWriterRules(EventLoopConformanceSuite suite) {
        super(suite);
    }

    @Test
    @DisplayName("N1.1 a reader runs while its channel is readable, until removeReader (true, then false)")
    void required_N1_1_readerRunsWhileReadableUntilRemoved() throws Exception {
        SocketChannel[] p = socketPair();
        p[1].write(ByteBuffer.wrap(bytes("x")));
        int runs = run("N1.1", () -> {
            int[] count = new int[1];
            Future<@Nullable Void> thrice = loop.createFuture();
            loop.addReader(p[0], () -> {
                if (++count[0] == 3 && !thrice.isDone()) {
                    thrice.setResult(null);
                }
            });
            Async.await(thrice);
            assertTrue(loop.removeReader(p[0]), msg("N1.1", "removeReader returned false for a registered reader;"
                    + " check that it returns true when something was removed"));
            int seen = count[0];
            for (int i = 0; i < 3; i++) {
                Async.yieldNow();
            }
            assertEquals(seen, count[0], msg("N1.1", "the reader ran after removeReader; check that removal"
                    + " takes effect at once"));
            assertFalse(loop.removeReader(p[0]), msg("N1.1", "a second removeReader returned true; check that"
                    + " it returns false when nothing is registered"));
            return count[0];
        });
        assertTrue(runs >= 3, msg("N1.1", "the reader ran " + runs + " times while unread data was pending;"
                + " check that readiness is level-triggered"));
    }

    @Test
    @DisplayName("N1.2 a writer runs when its channel is writable; removeWriter returns true, then false")
    void required_N1_2_writerRunsWhenWritable() throws Exception {
        SocketChannel[] p = socketPair();
        run("N1.2", () -> {
            Future<@Nullable Void> ran = loop.createFuture();
            loop.addWriter(p[0], () -> {
                if (!ran.isDone()) {
                    ran.setResult(null);
                }
            });
            Async.await(ran);
            assertTrue(loop.removeWriter(p[0]), msg("N1.2", "removeWriter returned false for a registered writer;"
                    + " check its return value"));
            assertFalse(loop.removeWriter(p[0]), msg("N1.2", "removeWriter returned true with no writer left"));
            return null;
        });
    }

    @Test
    @DisplayName("N1.2 a writer added while a connect is pending runs when it finishes and keeps running while"
            + " writable")
    void required_N1_2_writerAddedWhileConnectingKeepsRunning() throws Exception {
        ServerSocketChannel server = listener();
        SocketChannel client = track(SocketChannel.open());
        client.configureBlocking(false);
        client.connect(server.getLocalAddress());       // usually pending on loopback; finished at once is fine too
        int calls = run("N1.2", () -> {
            int[] count = {0};
            Future<@Nullable Void> thrice = loop.createFuture();
            loop.addWriter(client, () -> {
                if (thrice.isDone()) {
                    return;
                }
                try {
                    if (client.isConnectionPending() && !client.finishConnect()) {
                        return;
                    }
                } catch (IOException e) {
                    thrice.setException(e);
                    return;
                }
                if (++count[0] == 3) {
                    thrice.setResult(null);
                }
            });
            awaitDone(thrice, defaultWait().dividedBy(2));   // inside run()'s own bound, so the message below shows
            loop.removeWriter(client);
            if (thrice.isDone()) {
                thrice.result();
            }
            return count[0];
        });
        assertEquals(3, calls, msg("N1.2", "a writer added while the socket was connecting ran " + calls
                + " time(s) after the connect finished, then no more although the socket stayed writable; check"
                + " that the poller maps WRITE from the channel's state at every poll, not only at registration"
                + " (a Selector reports a connected socket's writability only for OP_WRITE, never OP_CONNECT)"));
    }

    @Test
    @DisplayName("N1.3 a second addReader on a channel replaces the first; the first never runs again")
    void required_N1_3_secondReaderReplacesFirst() throws Exception {
        SocketChannel[] p = socketPair();
        p[1].write(ByteBuffer.wrap(bytes("x")));
        List<String> calls = run("N1.3", () -> {
            List<String> seen = new ArrayList<>();
            Future<@Nullable Void> second = loop.createFuture();
            loop.addReader(p[0], () -> seen.add("first"));
            loop.addReader(p[0], () -> {
                seen.add("second");
                if (!second.isDone()) {
                    second.setResult(null);
                }
            });
            Async.await(second);
            loop.removeReader(p[0]);
            return seen;
        });
        assertFalse(calls.contains("first"), msg("N1.3", "the replaced reader ran: " + calls
                + "; check that addReader cancels the previous handle of the channel"));
    }

    @Test
    @DisplayName("N1.4 after close, addReader/addWriter throw IllegalStateException and remove* return false")
    void required_N1_4_closedLoopRefusesWatching() throws Exception {
        SocketChannel[] p = socketPair();
        loop.close();
        assertThrows(IllegalStateException.class, () -> loop.addReader(p[0], () -> { }),
                msg("N1.4", "addReader on a closed loop did not throw IllegalStateException"));
        assertThrows(IllegalStateException.class, () -> loop.addWriter(p[0], () -> { }),
                msg("N1.4", "addWriter on a closed loop did not throw IllegalStateException"));
        assertFalse(loop.removeReader(p[0]), msg("N1.4", "removeReader on a closed loop returned true"));
        assertFalse(loop.removeWriter(p[0]), msg("N1.4", "removeWriter on a closed loop returned true"));
    }

    @Test
    @DisplayName("N1.5 a channel owned by a live transport is refused (add/remove reader & writer, sock*) with IllegalStateException")
    void required_N1_5_transportOwnedChannelRefused() throws Exception {
        SocketChannel[] p = socketPair();
        run("N1.5", () -> {
            var conn = Async.await(loop.connectAcceptedSocket(() -> new RecordingProtocol(loop), p[0]));
            assertThrows(IllegalStateException.class, () -> loop.addReader(p[0], () -> { }),
                    msg("N1.5", "addReader on a transport's channel did not throw; check the transport ownership map"));
            assertThrows(IllegalStateException.class, () -> loop.addWriter(p[0], () -> { }),
                    msg("N1.5", "addWriter on a transport's channel did not throw"));
            assertThrows(IllegalStateException.class, () -> loop.removeReader(p[0]),
                    msg("N1.5", "removeReader on a transport's channel did not throw"));
            assertThrows(IllegalStateException.class, () -> loop.removeWriter(p[0]),
                    msg("N1.5", "removeWriter on a transport's channel did not throw"));
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> loop.sockSendAll(p[0], buf(bytes("x"))),
                    msg("N1.5", "sockSendAll on a transport's channel did not throw"));
            assertTrue(e.getMessage() != null && e.getMessage().contains(String.valueOf(conn.transport())),
                    msg("N1.5", "the message does not name the transport: " + e.getMessage()));
            assertThrows(IllegalStateException.class, () -> loop.sockRecv(p[0], 10),
                    msg("N1.5", "sockRecv on a transport's channel did not throw"));
            conn.transport().close();
            Async.await(conn.protocol().lost);
            return null;
        });
    }

    @Test
    @DisplayName("N1.6 a channel in blocking mode is refused with IllegalArgumentException naming it")
    void required_N1_6_blockingChannelRefused() throws Exception {
        SocketChannel[] p = socketPair();
        p[0].configureBlocking(true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> loop.addReader(p[0], () -> { }),
                msg("N1.6", "addReader accepted a blocking channel; check configureBlocking(false) is required"));
        assertTrue(e.getMessage() != null && e.getMessage().contains("channel"), msg("N1.6",
                "the message does not name the argument: " + e.getMessage()));
    }

    @Test
    @DisplayName("N1.7 a reader runs in the context current when addReader was called")
    void required_N1_7_readerRunsInCapturedContext() throws Exception {
        SocketChannel[] p = socketPair();
        p[1].write(ByteBuffer.wrap(bytes("x")));
        ContextVar<String> var = ContextVar.of("n1.7");
        String seen = run("N1.7", () -> {
            var.set("registered");
            Future<@Nullable String> got = loop.createFuture();
            loop.addReader(p[0], () -> {
                if (!got.isDone()) {
                    got.setResult(var.get("unset"));
                }
            });
            var.set("changed later");
            String v = Async.await(got);
            loop.removeReader(p[0]);
            return v;
        });
        assertEquals("registered", seen, msg("N1.7", "the reader saw " + seen
                + "; check that addReader captures a copy of the current context"));
    }

    @Test
    @DisplayName("N1.8 removeReader of an unwatched channel returns false and leaves the writer in place")
    void required_N1_8_readerAndWriterAreIndependent() throws Exception {
        SocketChannel[] p = socketPair();
        run("N1.8", () -> {
            Future<@Nullable Void> wrote = loop.createFuture();
            loop.addReader(p[0], () -> { });
            loop.addWriter(p[0], () -> {
                if (!wrote.isDone()) {
                    wrote.setResult(null);
                }
            });
            assertTrue(loop.removeReader(p[0]), msg("N1.8", "removeReader returned false"));
            assertFalse(loop.removeReader(p[0]), msg("N1.8", "removeReader of a removed reader returned true"));
            assertTrue(awaitDone(wrote, Duration.ofSeconds(5)), msg("N1.8", "the writer did not run after the"
                    + " reader of the same channel was removed; check that interest is recomputed, not dropped"));
            assertTrue(loop.removeWriter(p[0]), msg("N1.8", "removeWriter returned false"));
            return null;
        });
    }

    @Test
    @DisplayName("N1.9 a reader that throws is reported to the exception handler and stays registered")
    void required_N1_9_throwingReaderIsReportedAndKept() throws Exception {
        expectReports();
        RuntimeException boom = new IllegalStateException("boom in a reader");
        SocketChannel[] p = socketPair();
        p[1].write(ByteBuffer.wrap(bytes("x")));
        run("N1.9", () -> {
            int[] runs = new int[1];
            Future<@Nullable Void> again = loop.createFuture();
            loop.addReader(p[0], () -> {
                if (++runs[0] == 1) {
                    throw boom;
                }
                if (!again.isDone()) {
                    again.setResult(null);
                }
            });
            Async.await(again);
            assertTrue(loop.removeReader(p[0]), msg("N1.9", "the reader was gone after it threw"));
            return null;
        });
        assertEquals(1, reports().size(), msg("N1.9", "expected one report, got " + reports()));
        assertSame(boom, reports().getFirst().exception().orElse(null), msg("N1.9", "the report does not carry"
                + " the reader's exception: " + reports().getFirst()));
    }

    @Test
    @DisplayName("N1.10 a reader removed by another callback of the same iteration does not run")
    void required_N1_10_readerRemovedInTheSameIterationDoesNotRun() throws Exception {
        SocketChannel[] p = socketPair();
        SocketChannel[] q = socketPair();
        p[1].write(ByteBuffer.wrap(bytes("x")));
        q[1].write(ByteBuffer.wrap(bytes("x")));
        List<String> calls = run("N1.10", () -> {
            List<String> seen = new ArrayList<>();
            Future<@Nullable Void> first = loop.createFuture();
            Runnable removeBoth = () -> {
                loop.removeReader(p[0]);
                loop.removeReader(q[0]);
                if (!first.isDone()) {
                    first.setResult(null);
                }
            };
            // Both channels are readable before the loop polls, so one poll reports both.
            loop.addReader(p[0], () -> {
                seen.add("p");
                removeBoth.run();
            });
            loop.addReader(q[0], () -> {
                seen.add("q");
                removeBoth.run();
            });
            Async.await(first);
            for (int i = 0; i < 3; i++) {
                Async.yieldNow();
            }
            return seen;
        });
        assertEquals(1, calls.size(), msg("N1.10", "readers ran " + calls + "; the first removed the second, which"
                + " must not run although its readiness was collected by the same poll; check that removal cancels"
                + " the queued handle and that the poller drops events of a channel deregistered meanwhile"));
    }

    @Test
    @DisplayName("N1.11 a watched channel closed without removeReader does not disturb a new channel (same descriptor)")
    void required_N1_11_closedWatchedChannelDoesNotDisturbItsSuccessor() throws Exception {
        SocketChannel[] old = socketPair();
        List<String> calls = run("N1.11", () -> {
            List<String> seen = new ArrayList<>();
            loop.addReader(old[0], () -> seen.add("old"));
            Async.yieldNow();
            SocketChannel[] fresh = new SocketChannel[2];
            try (ServerSocketChannel server = ServerSocketChannel.open()) {
                server.bind(new InetSocketAddress(LOOPBACK, 0));
                old[0].close();
                // the first descriptor opened after the close: the system likely gives it the closed one's
                // (POSIX: the lowest free number)
                fresh[0] = track(SocketChannel.open(server.getLocalAddress()));
                fresh[1] = track(server.accept());
            }
            old[1].close();
            fresh[0].configureBlocking(false);
            fresh[1].configureBlocking(false);
            List<Future<@Nullable Void>> waiters = new ArrayList<>();
            waiters.add(loop.createFuture());
            loop.addReader(fresh[0], () -> {
                seen.add("new");
                for (Future<@Nullable Void> waiter : waiters) {
                    if (!waiter.isDone()) {
                        waiter.setResult(null);
                    }
                }
            });
            fresh[1].write(ByteBuffer.wrap(bytes("x")));
            assertTrue(awaitDone(waiters.getFirst(), Duration.ofSeconds(5)), msg("N1.11", "the new channel's"
                    + " reader did not run while the closed channel's reader was still added; check that a reused"
                    + " descriptor's events go to its current channel"));
            Async.yieldNow(); // an iteration more, in which a closed channel's reader would run too
            loop.removeReader(old[0]);
            waiters.add(loop.createFuture());
            assertTrue(awaitDone(waiters.getLast(), Duration.ofSeconds(5)), msg("N1.11", "the new channel's reader"
                    + " (its byte unread) no longer ran after the closed channel's reader was removed; check that"
                    + " deregistering a closed channel does not touch a new channel that got its file descriptor"));
            assertTrue(loop.removeReader(fresh[0]), msg("N1.11", "the new channel's reader was gone"));
            return seen;
        });
        assertFalse(calls.contains("old"), msg("N1.11", "the closed channel's reader ran "
                + calls.stream().filter("old"::equals).count() + " time(s); the readers' runs in order, at most 12: "
                + calls.subList(0, Math.min(12, calls.size())) + "; check that an event of a reused descriptor goes"
                + " to its current channel only (a poller keyed by descriptor must recognise that the channel of a"
                + " slot was closed)"));
    }

    @Test
    @DisplayName("N1.12 a writer waiting on a full send buffer runs when the peer resets the connection")
    void required_N1_12_waitingWriterLearnsOfReset() throws Exception {
        SocketChannel[] p = socketPair();
        ByteBuffer chunk = ByteBuffer.allocate(256 * 1024);
        while (true) {
            chunk.clear();
            if (p[0].write(chunk) == 0) {
                break; // the send buffer and the peer's receive buffer are full: no longer writable
            }
        }
        run("N1.12", () -> {
            Future<@Nullable Void> ran = loop.createFuture();
            loop.addWriter(p[0], () -> {
                if (!ran.isDone()) {
                    ran.setResult(null);
                }
            });
            Async.yieldNow();
            resetOnClose(p[1]);
            p[1].close();
            assertTrue(awaitDone(ran, Duration.ofSeconds(5)), msg("N1.12", "the writer of a reset connection never"
                    + " ran; check that the poller reports an error or hang-up (EPOLLERR/EPOLLHUP) to a writer-only"
                    + " registration"));
            assertTrue(loop.removeWriter(p[0]), msg("N1.12", "the writer was gone"));
            return null;
        });
    }

    @Test
    @DisplayName("N1.13 closing a loop that still watches channels releases its descriptors and leaves the channels open")
    void required_N1_13_closeWhileWatchingReleasesDescriptors() throws Exception {
        java.nio.file.Path fds = java.nio.file.Path.of("/proc/self/fd");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isDirectory(fds),
                "N1.13 counts /proc/self/fd, which this system does not have");
        SocketChannel[] p = socketPair();
        suite.newLoop().close(); // loads what a first loop loads
        long before = openDescriptors(fds);
        int loops = 16;
        for (int i = 0; i < loops; i++) {
            dev.asyncloop.EventLoop other = suite.newLoop();
            other.addReader(p[0], () -> { });
            other.addWriter(p[1], () -> { });
            other.close();
        }
        long after = openDescriptors(fds);
        assertTrue(after - before < loops, msg("N1.13", (after - before) + " more descriptors are open after "
                + loops + " loops were closed while watching channels; check that close() releases the poller"
                + " (its own descriptors) although registrations remain"));
        assertTrue(p[0].isOpen() && p[1].isOpen(), msg("N1.13", "closing the loop closed a watched channel"));
    }

    private static long openDescriptors(java.nio.file.Path fds) throws java.io.IOException {
        try (var list = java.nio.file.Files.list(fds)) {
            return list.count();
        }
    }
}
