package dev.asyncloop.tck;

import static dev.asyncloop.tck.Waits.awaitLatch;
import static dev.asyncloop.tck.Waits.join;
import static dev.asyncloop.tck.Waits.joinAll;
import static dev.asyncloop.tck.Waits.pause;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.Async;
import dev.asyncloop.EventLoop;
import dev.asyncloop.Future;
import dev.asyncloop.Handle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Group "threadsafe": rules L3.x. */
abstract class ThreadsafeRules extends ConformanceGroup {
    /* How long a helper thread waits so that the loop has most likely gone to sleep in poll(). The tests pass
       whether or not it has; they can only fail when a wake-up is lost. */
    private static final long LET_LOOP_BLOCK_MILLIS = 5;

    ThreadsafeRules(EventLoopConformanceSuite suite) {
        super(suite);
    }

    @Test
    @DisplayName("L3.1 callSoonThreadsafe wakes a loop blocked with nothing to do")
    void required_L3_1_callSoonThreadsafeWakesBlockedLoop() {
        int rounds = 20;
        AtomicInteger woken = new AtomicInteger();
        List<Thread> threads = Collections.synchronizedList(new ArrayList<>());
        Runnable[] round = new Runnable[1];
        round[0] = () -> {
            Thread t = Thread.ofPlatform().name("L3.1-waker").start(() -> {
                pause(LET_LOOP_BLOCK_MILLIS);
                try {
                    loop.callSoonThreadsafe(() -> {
                        if (woken.incrementAndGet() == rounds) {
                            loop.stop();
                        } else {
                            round[0].run();
                        }
                    });
                } catch (IllegalStateException closed) {
                    // the loop lost a wake-up, the test failed and closed it: the assertion below says so
                }
            });
            threads.add(t);
        };
        loop.callSoon(round[0]);
        runForever("L3.1", defaultWait());
        assertEquals(rounds, woken.get(), msg("L3.1", "each callSoonThreadsafe from another thread must wake the"
                + " loop blocked in poll() with no timers; check that callSoonThreadsafe calls wakeup() and that"
                + " no wake-up is lost between the ready check and the poll"));
        joinAll(threads);
    }

    @Test
    @DisplayName("L3.2 callSoonThreadsafe on the loop thread shares the FIFO order of callSoon")
    void required_L3_2_threadsafeSharesFifoWithCallSoon() {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            int n = i;
            if (i % 3 == 0) {
                loop.callSoonThreadsafe(() -> order.add(n));
            } else {
                loop.callSoon(() -> order.add(n));
            }
        }
        loop.callSoon(() -> {
            for (int i = 50; i < 100; i++) {
                int n = i;
                if (i % 2 == 0) {
                    loop.callSoonThreadsafe(() -> order.add(n));
                } else {
                    loop.callSoon(() -> order.add(n));
                }
            }
            loop.callSoonThreadsafe(loop::stop);
        });
        runForever("L3.2", defaultWait());
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            expected.add(i);
        }
        assertEquals(expected, order, msg("L3.2", "callbacks scheduled from one thread with callSoon and"
                + " callSoonThreadsafe must run in the order they were scheduled; got " + order + "; check that"
                + " both feed the same ready queue"));
    }

    @Test
    @DisplayName("L3.3 4 threads × 10,000 callSoonThreadsafe: each runs once, per-thread order kept")
    void required_L3_3_manyProducersNothingLost() {
        int producers = 4;
        int perThread = 10_000;
        int[] next = new int[producers];
        List<String> errors = new ArrayList<>();
        AtomicInteger total = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int producer = p;
            threads.add(Thread.ofPlatform().name("L3.3-producer-" + p).start(() -> {
                awaitLatch(go);
                for (int i = 0; i < perThread; i++) {
                    int seq = i;
                    loop.callSoonThreadsafe(() -> {
                        if (next[producer] != seq && errors.size() < 10) {
                            errors.add("producer " + producer + ": expected " + next[producer] + ", got " + seq);
                        }
                        next[producer] = seq + 1;
                        if (total.incrementAndGet() == producers * perThread) {
                            loop.stop();
                        }
                    });
                }
            }));
        }
        loop.callSoon(go::countDown);
        runForever("L3.3", defaultWait());
        joinAll(threads);
        assertTrue(errors.isEmpty(), msg("L3.3", "callbacks of one producer thread must run in its order: " + errors
                + "; check the ready queue is a FIFO safe for many producers"));
        for (int p = 0; p < producers; p++) {
            assertEquals(perThread, next[p], msg("L3.3", "every callback of producer " + p + " must run exactly"
                    + " once; check that concurrent callSoonThreadsafe calls lose nothing"));
        }
        assertEquals(producers * perThread, total.get(), msg("L3.3", "exactly " + producers * perThread
                + " callbacks must run; check for lost or duplicated handles"));
    }

    @Test
    @DisplayName("L3.4 a handle cancelled from another thread before its turn never runs")
    void required_L3_4_cancelFromOtherThread() {
        AtomicBoolean ran = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        loop.callSoon(() -> {
            Handle onLoop = loop.callSoon(() -> ran.set(true));
            Thread t = Thread.ofPlatform().name("L3.4-canceller").start(() -> {
                try {
                    onLoop.cancel();
                    Handle foreign = loop.callSoonThreadsafe(() -> ran.set(true));
                    foreign.cancel();
                    loop.callSoonThreadsafe(() -> {
                        order.add("marker");
                        loop.stop();
                    });
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            join(t);
        });
        runForever("L3.4", defaultWait());
        assertEquals(null, failure.get(), msg("L3.4", "cancelling from another thread must not throw: "
                + failure.get() + "; check Handle.cancel is thread-safe"));
        assertEquals(List.of("marker"), order, msg("L3.4", "the marker must run"));
        assertFalse(ran.get(), msg("L3.4", "a handle cancelled from another thread before its turn must never"
                + " run; check the cancelled flag is visible across threads (volatile) and checked when the"
                + " handle's turn comes"));
    }

    @Test
    @DisplayName("L3.6 cancel() of a callSoonThreadsafe handle from another thread waits for its running callback")
    void required_L3_6_cancelWaitsForTheRunningCallback() {
        CountDownLatch running = new CountDownLatch(1);
        AtomicBoolean cancelling = new AtomicBoolean();
        AtomicBoolean cancelReturned = new AtomicBoolean();
        AtomicBoolean returnedWhileRunning = new AtomicBoolean();
        AtomicInteger runs = new AtomicInteger();
        AtomicReference<Handle> handle = new AtomicReference<>();
        Thread canceller = Thread.ofPlatform().name("L3.6-canceller").unstarted(() -> {
            awaitLatch(running);
            cancelling.set(true);
            handle.get().cancel();
            cancelReturned.set(true);
        });
        handle.set(loop.callSoonThreadsafe(() -> {
            runs.incrementAndGet();
            canceller.start();
            running.countDown();
            // Bounded: until the canceller waits inside cancel(), or its cancel() returned.
            long deadline = System.nanoTime() + defaultWait().toNanos();
            while (!cancelReturned.get() && !(cancelling.get() && waiting(canceller))
                    && System.nanoTime() - deadline < 0) {
                Thread.onSpinWait();
            }
            returnedWhileRunning.set(cancelReturned.get());
            loop.stop();
        }));
        runForever("L3.6", defaultWait());
        join(canceller);
        assertEquals(1, runs.get(), msg("L3.6", "the callback must run once"));
        assertFalse(returnedWhileRunning.get(), msg("L3.6", "cancel() from another thread returned while the"
                + " callback ran; it must wait for the callback to finish (asyncio 3.14's thread-safe handle), so that"
                + " once it returns the callback either ran to its end or never runs: run the callback and cancel"
                + " under one lock, and check the cancelled flag again inside it"));
        assertTrue(cancelReturned.get(), msg("L3.6", "cancel() must return once the callback finished"));
        assertTrue(handle.get().isCancelled(), msg("L3.6", "isCancelled() is true after cancel(), also after the"
                + " callback ran"));
    }

    private static boolean waiting(Thread t) {
        Thread.State state = t.getState();
        return state == Thread.State.BLOCKED || state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING;
    }

    @Test
    @DisplayName("L3.4 stop() from another thread ends a loop blocked with nothing to do")
    void required_L3_4_stopFromOtherThreadEndsBlockedLoop() {
        List<Thread> threads = new ArrayList<>();
        loop.callSoon(() -> threads.add(Thread.ofPlatform().name("L3.4-stopper").start(() -> {
            pause(LET_LOOP_BLOCK_MILLIS);
            loop.stop();
        })));
        runForever("L3.4", defaultWait());
        assertFalse(loop.isRunning(), msg("L3.4", "runForever returned, so isRunning() must be false"));
        joinAll(threads);
    }

    @Test
    @DisplayName("L3.1 a loop with nothing to do but wait for a timer blocks in poll() instead of spinning")
    void required_L3_1_idleLoopDoesNotSpin() {
        long busyMillis = cpuMillisWhileIdle("L3.1", "the loop started");
        Assumptions.assumeTrue(busyMillis >= 0, "this JVM cannot measure a thread's CPU time");
        assertTrue(busyMillis < MAX_IDLE_CPU_MILLIS, msg("L3.1", "the loop thread used " + busyMillis + " ms of CPU in "
                + IDLE_WINDOW.toMillis() + " ms waiting for a timer: it spins; check that poll blocks for the"
                + " timeout it is given (a millisecond poller rounds up, and Selector.select(0) means forever, so a"
                + " short wait must become at least 1 ms, never selectNow)"));
    }

    @Test
    @DisplayName("L3.5 loops run on virtual threads, and their waits in poll leave the carriers to other threads")
    void required_L3_5_loopsOnVirtualThreads() {
        int count = Carriers.toOccupyAll();
        List<EventLoop> loops = new ArrayList<>();
        loops.add(loop);
        List<Thread> threads = new ArrayList<>();
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        try {
            while (loops.size() < count) {
                loops.add(suite.newLoop());
            }
            CountDownLatch idle = new CountDownLatch(loops.size());
            for (int i = 0; i < loops.size(); i++) {
                EventLoop l = loops.get(i);
                int n = i;
                l.callSoon(() -> l.callLater(Duration.ofMillis(10), () -> {
                    seen.add(n + ": timer on " + (Thread.currentThread().isVirtual() ? "a virtual" : "a platform")
                            + " thread");
                    idle.countDown();
                }));
                threads.add(Thread.ofVirtual().name("L3.5-loop-" + i).start(l::runForever));
            }
            // a loop whose wait holds its carrier leaves the loops started after it without one: they never run
            boolean allRan = await(idle, defaultWait());
            pause(LET_LOOP_BLOCK_MILLIS * 4); // now every loop most likely waits in poll with nothing to do
            CountDownLatch other = new CountDownLatch(1);
            Thread.ofVirtual().name("L3.5-other").start(other::countDown);
            boolean otherRan = await(other, Duration.ofSeconds(5));
            assertTrue(allRan && otherRan, msg("L3.5", "with " + loops.size() + " loops on virtual threads (more than"
                    + " the virtual-thread scheduler has carriers), " + (allRan
                            ? "all waiting in poll, a new virtual thread did not run in 5 s"
                            : "only " + (loops.size() - idle.getCount()) + " ran their first timer: the loops started"
                                    + " later found no carrier")
                    + "; the loop's wait holds its carrier: check that a poll on a virtual thread parks (the JDK's"
                    + " Selector and its poller do) instead of blocking in native code"));
            for (int i = 0; i < loops.size(); i++) {
                String prefix = i + ":";
                assertEquals(i + ": timer on a virtual thread", seen.stream().filter(x -> x.startsWith(prefix))
                        .findFirst().orElse(i + ": no timer"), msg("L3.5", "a loop run on a virtual thread runs its"
                        + " callbacks and timers on that thread"));
            }
            List<Future<String>> results = new ArrayList<>();
            for (EventLoop l : loops) {
                Future<String> result = l.createFuture();
                results.add(result);
                l.callSoonThreadsafe(() -> l.createTask(() -> Async.sleep(Duration.ofMillis(1), "task"))
                        .addDoneCallback(t -> {
                            result.setResult(t.isCancelled() || t.exception().isPresent() ? "failed: " + t : "task");
                            l.stop();
                        }));
            }
            threads.forEach(Waits::join);
            for (Future<String> result : results) {
                assertTrue(result.isDone() && "task".equals(result.result()), msg("L3.5", "a loop on a virtual"
                        + " thread, woken from another thread, runs a task that sleeps: "
                        + (result.isDone() ? result.result() : "not run")));
            }
        } finally {
            // every loop stops, also one whose thread has not run yet (it runs the stop first when it does), so
            // that no loop is left holding a carrier for the tests after this one
            for (EventLoop l : loops) {
                if (!l.isClosed()) {
                    l.callSoonThreadsafe(l::stop);
                }
            }
            for (Thread t : threads) {
                try {
                    t.join(defaultWait());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            for (EventLoop l : loops.subList(1, loops.size())) {
                if (!l.isRunning()) {
                    l.close();
                }
            }
        }
    }

    private static boolean await(CountDownLatch latch, Duration timeout) {
        try {
            return latch.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
