package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.Async;
import dev.asyncloop.AsyncCallable;
import dev.asyncloop.CallGraph;
import dev.asyncloop.CancelledError;
import dev.asyncloop.ConnectOptions;
import dev.asyncloop.Connection;
import dev.asyncloop.Future;
import dev.asyncloop.Protocol;
import dev.asyncloop.Task;
import dev.asyncloop.Transport;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Happy Eyeballs: the staggered race, address interleaving, and createConnection with a delay. */
class StaggeredRaceTest {
    private final ReadinessEventLoop loop = SelectorLoops.newLoop();

    @AfterEach
    void tearDown() {
        loop.close();
    }

    @Test
    void aSlowFirstAttemptIsOvertakenAfterTheDelayAndCancelled() {
        List<String> log = new ArrayList<>();
        Exception[] errors = new Exception[2];
        List<AsyncCallable<String>> attempts = List.of(() -> {
            log.add("start-0");
            try {
                Async.sleep(Duration.ofSeconds(30));
            } catch (CancelledError e) {
                log.add("cancelled-0");
                throw e;
            }
            return "slow";
        }, () -> {
            log.add("start-1");
            return "fast";
        });
        double start = loop.time();
        String winner = loop.runUntilComplete(() -> StaggeredRace.run(loop, attempts, Duration.ofMillis(50),
                errors, r -> log.add("discard-" + r)));
        double took = loop.time() - start;
        Future<Void> tick = loop.createFuture();
        loop.callSoon(() -> loop.callSoon(() -> tick.setResult(null)));
        loop.runUntilComplete(tick);
        assertEquals("fast", winner);
        assertTrue(took >= 0.05, "the second attempt must wait for the delay, took " + took);
        assertTrue(took < 5, "the second attempt must not wait for the first, took " + took);
        assertEquals(List.of("start-0", "start-1", "cancelled-0"), log);
        assertNull(errors[0]);
    }

    @Test
    void aFailureStartsTheNextAttemptAtOnceAndAllFailuresAreKept() {
        Exception[] errors = new Exception[3];
        List<AsyncCallable<String>> attempts = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int n = i;
            attempts.add(() -> {
                throw new IOException("attempt " + n);
            });
        }
        double start = loop.time();
        String winner = loop.runUntilComplete(() -> StaggeredRace.run(loop, attempts, Duration.ofSeconds(30),
                errors, r -> { }));
        assertNull(winner);
        assertTrue(loop.time() - start < 5, "a failure must start the next attempt without the delay");
        for (int i = 0; i < 3; i++) {
            assertEquals("attempt " + i, errors[i].getMessage());
        }
    }

    @Test
    void theDelayCountsFromTheLatestStartNotFromAnEarlierAttemptsFailure() {
        // Attempt 1 starts at 0.5 s, attempt 0 fails at 0.95 s, attempt 2 is due at 1.0 s (one delay after attempt
        // 1 started), not at 1.45 s (one delay after attempt 0 failed). Timers never fire early, so the second
        // check below fails for that mistake at any speed, and holds unless the loop stalls 0.45 s right there.
        Duration delay = Duration.ofMillis(500);
        double[] startedAt = new double[3];
        double[] attempt0FailedAt = new double[1];
        List<AsyncCallable<String>> attempts = List.of(() -> {
            Async.sleep(Duration.ofMillis(950));
            attempt0FailedAt[0] = loop.time();
            throw new IOException("attempt 0");
        }, () -> {
            startedAt[1] = loop.time();
            Async.sleep(Duration.ofSeconds(30));
            return "slow";
        }, () -> {
            startedAt[2] = loop.time();
            return "third";
        });
        Exception[] errors = new Exception[3];
        String winner = loop.runUntilComplete(() -> StaggeredRace.run(loop, attempts, delay, errors, r -> { }));
        Future<Void> tick = loop.createFuture();
        loop.callSoon(() -> loop.callSoon(() -> tick.setResult(null)));
        loop.runUntilComplete(tick);
        assertEquals("third", winner);
        assertEquals("attempt 0", errors[0].getMessage());
        double afterAttempt1 = startedAt[2] - startedAt[1];
        assertTrue(afterAttempt1 >= 0.45, "attempt 2 must wait one delay (0.5 s) after attempt 1 started; it started "
                + afterAttempt1 + " s after it");
        double afterFailure = startedAt[2] - attempt0FailedAt[0];
        assertTrue(afterFailure < 0.45, "attempt 2 must start one delay after attempt 1 started, not one delay"
                + " (0.5 s) after attempt 0 failed; it started " + afterFailure + " s after that failure");
    }

    @Test
    void interleavingNoAddressesGivesNone() {
        assertEquals(List.of(), StaggeredRace.interleave(List.of(), 1));
    }

    @Test
    void interleaveAlternatesFamilies() {
        InetSocketAddress a6 = new InetSocketAddress(InetAddress.ofLiteral("::1"), 1);
        InetSocketAddress b6 = new InetSocketAddress(InetAddress.ofLiteral("::2"), 1);
        InetSocketAddress c6 = new InetSocketAddress(InetAddress.ofLiteral("::3"), 1);
        InetSocketAddress a4 = new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 1);
        InetSocketAddress b4 = new InetSocketAddress(InetAddress.ofLiteral("127.0.0.2"), 1);
        List<InetSocketAddress> in = List.of(a6, b6, c6, a4, b4);
        assertEquals(in, StaggeredRace.interleave(in, 0));
        assertEquals(List.of(a6, a4, b6, b4, c6), StaggeredRace.interleave(in, 1));
        assertEquals(List.of(a6, b6, a4, c6, b4), StaggeredRace.interleave(in, 2));
    }

    @Test
    void happyEyeballsConnectionSkipsAFailingAddressAndReportsAllWhenEveryOneFails() throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        InetSocketAddress closedA = new InetSocketAddress(lo, closedPort());
        InetSocketAddress closedB = new InetSocketAddress(lo, closedPort());
        ConnectOptions options = ConnectOptions.builder().happyEyeballsDelay(Duration.ofSeconds(20)).build();
        Future<List<InetSocketAddress>> both = loop.createFuture();
        both.setResult(List.of(closedA, closedB));
        Future<Connection<Protocol>> f = loop.connectTo(() -> new Protocol() { }, both, options, "test");
        Throwable error = assertThrows(CompletionException.class, () -> loop.runUntilComplete(f)).getCause();
        assertInstanceOf(ConnectException.class, error);
        assertTrue(error.getMessage().startsWith("Multiple exceptions: "), error.getMessage());
        assertEquals(2, error.getSuppressed().length);

        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(lo, 0));
            Future<List<InetSocketAddress>> second = loop.createFuture();
            second.setResult(List.of(closedA, (InetSocketAddress) server.getLocalAddress()));
            double start = loop.time();
            Connection<Protocol> c = loop.runUntilComplete(loop.connectTo(() -> new Protocol() { }, second, options,
                    "test"));
            assertTrue(loop.time() - start < 10, "the failure of the first attempt must start the second at once");
            assertEquals(server.getLocalAddress(), c.transport().getExtraInfo(Transport.PEERNAME).orElseThrow());
            c.transport().abort();
            Future<Void> tick = loop.createFuture();
            loop.callSoon(() -> loop.callSoon(() -> tick.setResult(null)));
            loop.runUntilComplete(tick);
        }
    }

    private static int closedPort() throws IOException {
        try (ServerSocketChannel s = ServerSocketChannel.open()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return ((InetSocketAddress) s.getLocalAddress()).getPort();
        }
    }

    /** asyncio's gh-124309 and gh-128479: attempts that end in their eager step, failing or winning. */
    @Test
    void attemptsThatEndInTheirEagerStepRaceAsLazyOnes() {
        loop.setTaskFactory(Async.eagerTaskFactory());
        IllegalStateException refused = new IllegalStateException("refused");
        List<String> discarded = new ArrayList<>();
        Exception[] errors = new Exception[3];
        List<AsyncCallable<String>> attempts = List.of(() -> {
            throw refused;
        }, () -> "second", () -> "third");
        String winner = loop.runUntilComplete(() -> StaggeredRace.run(loop, attempts, Duration.ofSeconds(30),
                errors, discarded::add));
        assertEquals("second", winner, "the failure starts the next attempt, which wins at once");
        assertEquals(refused, errors[0]);
        assertNull(errors[1]);
        assertNull(errors[2], "the third attempt never started");
        assertEquals(List.of(), discarded);

        Exception[] allErrors = new Exception[2];
        assertNull(loop.runUntilComplete(() -> StaggeredRace.run(loop, List.<AsyncCallable<String>>of(() -> {
            throw refused;
        }, () -> {
            throw refused;
        }), Duration.ofSeconds(30), allErrors, discarded::add)), "every attempt failed");
        assertEquals(List.of(refused, refused), List.of(allErrors), "each failure is kept, none lost to the race");
    }

    @Test
    void anAttemptIsAwaitedByTheRacingTaskInTheCallGraphUntilItEnds() {
        List<AsyncCallable<CallGraph>> attempts = List.of(() -> {
            Async.yieldNow(); // the racing task is suspended by now
            return CallGraph.capture().orElseThrow();
        });
        CallGraph graph = loop.runUntilComplete(() -> {
            Task<CallGraph> racer = loop.createTask(() -> StaggeredRace.run(loop, attempts, Duration.ofSeconds(30),
                    new Exception[1], r -> { }), "racer");
            return Async.await(racer);
        });
        assertEquals(1, graph.awaitedBy().size(), graph.format());
        assertEquals("racer", ((Task<?>) graph.awaitedBy().get(0).future()).getName());
        assertTrue(BaseFuture.awaitedBy(graph.future()).isEmpty(), "the record ends with the attempt");
    }
}
