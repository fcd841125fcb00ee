package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.asyncloop.ExceptionContext;
import dev.asyncloop.TimerHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What {@link BaseEventLoop} does beyond the public loop contract: timer purging, wake-up coalescing, its clock
 * and delay clamping, and {@code toString}. Observed through {@link TestLoop}'s hooks, not through internals.
 */
class BaseEventLoopTest {
    private static final long WAIT_SECONDS = 10;
    private final TestLoop loop = new TestLoop();

    @AfterEach
    void close() {
        if (loop.isRunning()) {
            loop.stop();
        } else {
            loop.close();
        }
    }

    /** Runs exactly one iteration that does not block: stop() before runForever() (rule L4.2). */
    private void runOneIteration() {
        loop.stop();
        loop.runForever();
    }

    /** Runs one iteration with the timeout the loop computed, without blocking; returns that timeout. */
    private long runOneObservedIteration() {
        List<Long> timeouts = new ArrayList<>();
        loop.onPoll(timeout -> {
            timeouts.add(timeout);
            loop.stop();
            loop.wakeup();
        });
        loop.runForever();
        loop.onPoll(timeout -> { });
        assertEquals(1, timeouts.size(), "stop() in the first poll must end runForever after that iteration");
        return timeouts.get(0);
    }

    // ---------------------------------------------------------------- cancelled timers (L2.3)

    @Test
    @DisplayName("L2.3 200 timers, 150 cancelled: no cancelled one runs, every live one runs in deadline order")
    void cancelledTimersArePurgedAndNeverRun() {
        List<Integer> order = new ArrayList<>(IntStream.range(0, 200).boxed().toList());
        Collections.shuffle(order, new Random(42));
        List<Integer> ran = new ArrayList<>();
        List<TimerHandle> byDeadline = new ArrayList<>(Collections.nCopies(200, null));
        double base = loop.time() - 1.0;
        for (int k : order) {
            byDeadline.set(k, loop.callAt(base + k * 1e-6, () -> ran.add(k)));
        }
        List<Integer> live = new ArrayList<>();
        for (int k = 0; k < 200; k++) {
            if (k % 4 == 0) {
                live.add(k);
            } else {
                byDeadline.get(k).cancel();
            }
        }
        runOneIteration();
        assertEquals(live, ran, "[L2.3] exactly the 50 live timers must run, in deadline order");

        // The heap is still sound after the purge: a second batch runs in order too.
        ran.clear();
        double base2 = loop.time() - 1.0;
        List<TimerHandle> second = new ArrayList<>();
        for (int k = 0; k < 120; k++) {
            int id = 1000 + k;
            second.add(loop.callAt(base2 + (119 - k) * 1e-6, () -> ran.add(id)));
        }
        for (int k = 0; k < 120; k += 2) {
            second.get(k).cancel();
        }
        runOneIteration();
        List<Integer> expected = new ArrayList<>();
        for (int k = 119; k >= 0; k--) {
            if (k % 2 == 1) {
                expected.add(1000 + k);
            }
        }
        assertEquals(expected, ran);
    }

    @Test
    @DisplayName("L2.3 a timer cancelled by an earlier callback of the same iteration does not run")
    void timerCancelledDuringIterationDoesNotRun() {
        List<String> ran = new ArrayList<>();
        double base = loop.time() - 1.0;
        AtomicReference<TimerHandle> victim = new AtomicReference<>();
        loop.callAt(base, () -> {
            ran.add("first");
            victim.get().cancel();
        });
        victim.set(loop.callAt(base + 1e-3, () -> ran.add("victim")));
        loop.callAt(base + 2e-3, () -> ran.add("last"));
        runOneIteration();
        assertEquals(List.of("first", "last"), ran);
    }

    @Test
    @DisplayName("L2.3 timers cancelled from another thread (against the contract) still never run; the heap stays"
            + " sound")
    void timersCancelledFromAnotherThreadNeverRun() throws InterruptedException {
        int count = 300;
        List<Integer> ran = new ArrayList<>();
        TimerHandle[] handles = new TimerHandle[count];
        CountDownLatch scheduled = new CountDownLatch(1);
        CountDownLatch cancelled = new CountDownLatch(1);
        Thread loopThread = Thread.ofPlatform().name("test-loop").start(loop::runForever);
        loop.callSoonThreadsafe(() -> {
            // Due at once: the loop thread, held in this callback until the cancels are done, is what keeps them
            // from running (a deadline a little ahead was passed before the cancels on a loaded machine).
            double at = loop.time();
            for (int k = 0; k < count; k++) {
                int id = k;
                handles[k] = loop.callAt(at + k * 1e-6, () -> ran.add(id));
            }
            loop.callAt(at + 1e-3, loop::stop);
            scheduled.countDown();
            try {
                cancelled.await(WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(scheduled.await(WAIT_SECONDS, TimeUnit.SECONDS), "the loop never ran the scheduling callback");
        List<Integer> live = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            if (k % 3 == 0) {
                live.add(k);
            } else {
                handles[k].cancel();
            }
        }
        cancelled.countDown();
        loopThread.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        assertFalse(loopThread.isAlive(), "the stopping timer never ran");
        assertEquals(live, ran, "exactly the live timers, in deadline order");

        // The purge bookkeeping is still sound: a batch cancelled on the loop's own thread is purged and skipped.
        ran.clear();
        double base = loop.time() - 1.0;
        List<TimerHandle> second = new ArrayList<>();
        for (int k = 0; k < 120; k++) {
            int id = 1000 + k;
            second.add(loop.callAt(base + k * 1e-6, () -> ran.add(id)));
        }
        for (int k = 0; k < 120; k += 2) {
            second.get(k).cancel();
        }
        runOneIteration();
        assertEquals(IntStream.range(0, 60).map(k -> 1001 + 2 * k).boxed().toList(), ran);
    }

    @Test
    @DisplayName("L2.3 cancelled early timers do not shorten the poll timeout (many timers: heap rebuilt)")
    void cancelledTimersDoNotShortenPollManyTimers() {
        pollTimeoutIgnoresCancelled(150, 50);
    }

    @Test
    @DisplayName("L2.3 cancelled early timers do not shorten the poll timeout (few timers: heads popped)")
    void cancelledTimersDoNotShortenPollFewTimers() {
        pollTimeoutIgnoresCancelled(30, 20);
    }

    private void pollTimeoutIgnoresCancelled(int cancelled, int live) {
        long before = System.nanoTime();
        List<String> ran = new ArrayList<>();
        List<TimerHandle> early = new ArrayList<>();
        for (int i = 0; i < cancelled; i++) {
            early.add(loop.callLater(Duration.ofSeconds(1 + i), () -> ran.add("cancelled")));
        }
        for (int i = 0; i < live; i++) {
            loop.callLater(Duration.ofHours(1).plusMillis(i), () -> ran.add("live"));
        }
        early.forEach(TimerHandle::cancel);
        long timeout = runOneObservedIteration();
        long spent = System.nanoTime() - before;
        long hour = TimeUnit.HOURS.toNanos(1);
        assertTrue(timeout <= hour && timeout >= hour - TimeUnit.SECONDS.toNanos(1) - spent,
                "[L2.3] the poll timeout must be set by the first live timer (1 h), not by a cancelled one; got "
                        + timeout + " ns");
        assertEquals(List.of(), ran);
    }

    // ---------------------------------------------------------------- wake-ups (L3.1, L3.3)

    @Test
    @DisplayName("L3.1 1,000 callSoonThreadsafe calls while the loop is blocked cause one wakeup(), and all run FIFO")
    void wakeupsAreCoalesced() throws InterruptedException {
        CountDownLatch blocking = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        loop.onPoll(timeout -> {
            if (timeout < 0) {
                blocking.countDown();
            }
        });
        loop.onWoken(() -> {
            try {
                // Keep the loop inside poll while the test thread submits: it is "blocked" for the whole burst.
                release.await(WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        List<Integer> ran = new ArrayList<>();
        Thread loopThread = Thread.ofPlatform().name("test-loop").start(loop::runForever);
        try {
            assertTrue(blocking.await(WAIT_SECONDS, TimeUnit.SECONDS), "the loop never blocked in poll");
            for (int i = 0; i < 1000; i++) {
                int n = i;
                loop.callSoonThreadsafe(() -> {
                    ran.add(n);
                    if (n == 999) {
                        loop.stop();
                    }
                });
            }
            release.countDown();
            loopThread.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            if (loopThread.isAlive()) {
                loop.stop();
                loopThread.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
                fail("[L3.1] the loop did not run the 1,000 callbacks: a wake-up was lost; ran " + ran.size());
            }
        } finally {
            release.countDown();
        }
        assertEquals(IntStream.range(0, 1000).boxed().toList(), ran, "[L3.1] every callback once, FIFO");
        assertTrue(loop.wakeupCount() <= 50, "[L3.1] wakeup() calls: " + loop.wakeupCount());
        assertEquals(1, loop.wakeupCount(),
                "[L3.1] one sleep needs exactly one wakeup(); the loop stayed blocked during the whole burst");
    }

    @Test
    @DisplayName("L3.3 4 producer threads, 1,000 calls: nothing lost, per-producer FIFO, at most one wakeup() per"
            + " iteration")
    void manyProducersLoseNothing() throws InterruptedException {
        int producers = 4;
        int each = 250;
        CountDownLatch blocking = new CountDownLatch(1);
        loop.onPoll(timeout -> {
            if (timeout < 0) {
                blocking.countDown();
            }
        });
        List<int[]> ran = new CopyOnWriteArrayList<>();
        int[] count = {0};
        Thread loopThread = Thread.ofPlatform().name("test-loop").start(loop::runForever);
        assertTrue(blocking.await(WAIT_SECONDS, TimeUnit.SECONDS), "the loop never blocked in poll");
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int producer = p;
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < each; i++) {
                    int n = i;
                    loop.callSoonThreadsafe(() -> {
                        ran.add(new int[] {producer, n});
                        if (++count[0] == producers * each) {
                            loop.stop();
                        }
                    });
                    if (i % 50 == 0) {
                        Thread.yield();
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        }
        loopThread.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        if (loopThread.isAlive()) {
            loop.stop();
            loopThread.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            fail("[L3.3] the loop did not run all callbacks: a wake-up was lost; ran " + ran.size());
        }
        assertEquals(producers * each, ran.size(), "[L3.3] every callback must run exactly once");
        int[] next = new int[producers];
        for (int[] r : ran) {
            assertEquals(next[r[0]]++, r[1], "[L3.2] callbacks of one producer must run in submission order");
        }
        assertTrue(loop.wakeupCount() >= 1, "the loop was blocked, so at least one wakeup() was needed");
        assertTrue(loop.wakeupCount() <= loop.pollCount(),
                "[L3.1] at most one wakeup() per sleep: " + loop.wakeupCount() + " wake-ups for " + loop.pollCount()
                        + " polls");
    }

    @Test
    @DisplayName("L3.4 stop() from another thread is not lost when it lands after the loop read the stop flag and"
            + " before it announced that it may sleep")
    void stopFromAnotherThreadWhileTheLoopDecidesToBlock() throws InterruptedException {
        // The one hook inside that window: the warning about the loop thread's first interrupt, logged there.
        Thread loopThread = Thread.ofPlatform().name("test-loop").unstarted(loop::runForever);
        AtomicReference<String> stopper = new AtomicReference<>("the interrupt warning was never logged");
        Handler stopInsideTheWindow = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (Thread.currentThread() != loopThread || !String.valueOf(r.getMessage()).contains("interrupted")) {
                    return;
                }
                Thread t = Thread.ofPlatform().name("test-stopper").start(loop::stop);
                try {
                    t.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
                    stopper.set(t.isAlive() ? "stop() did not return" : "stopped");
                } catch (InterruptedException e) {
                    stopper.set("interrupted"); // cannot happen: the loop thread's status was just cleared
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger jul = Logger.getLogger("dev.asyncloop");
        jul.addHandler(stopInsideTheWindow);
        try {
            loop.callSoon(() -> Thread.currentThread().interrupt());
            loopThread.start();
            loopThread.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            if (loopThread.isAlive()) {
                loop.callSoonThreadsafe(loop::stop);
                loopThread.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
                fail("[L3.4] stop() from another thread, called after the loop had read the stop flag and before it"
                        + " cleared awake, did not end the loop (" + stopper.get() + "): the loop must read the"
                        + " stop flag again after it announces that it may sleep, as it reads the ready queue");
            }
        } finally {
            jul.removeHandler(stopInsideTheWindow);
        }
        assertEquals("stopped", stopper.get(), "the test did not reach the window it is about");
        assertEquals(0, loop.wakeupCount(), "the stop was seen without a wake-up, by the loop's own re-check");
    }

    @Test
    @DisplayName("L3.1 callSoonThreadsafe from the loop's own thread while it is not blocked needs no wakeup()")
    void noWakeupWhenAwake() {
        List<String> ran = new ArrayList<>();
        loop.callSoon(() -> loop.callSoonThreadsafe(() -> {
            ran.add("second");
            loop.stop();
        }));
        loop.runForever();
        assertEquals(List.of("second"), ran);
        assertEquals(0, loop.wakeupCount());
    }

    // ---------------------------------------------------------------- clock and delays (L2.4, L2.5)

    @Test
    @DisplayName("L2.5 time() is monotonic and counts seconds")
    void timeIsMonotonicSeconds() {
        double previous = loop.time();
        for (int i = 0; i < 100_000; i++) {
            double now = loop.time();
            assertTrue(now >= previous, "time() went back from " + previous + " to " + now);
            previous = now;
        }
        long n0 = System.nanoTime();
        double t0 = loop.time();
        long n1 = System.nanoTime();
        while (System.nanoTime() - n1 < TimeUnit.MILLISECONDS.toNanos(50)) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        long n2 = System.nanoTime();
        double t1 = loop.time();
        long n3 = System.nanoTime();
        double elapsed = t1 - t0;
        assertTrue(elapsed >= (n2 - n1) / 1e9 - 1e-6 && elapsed <= (n3 - n0) / 1e9 + 1e-6,
                "time() must advance in seconds: it advanced " + elapsed + " while " + (n2 - n1) / 1e9 + " to "
                        + (n3 - n0) / 1e9 + " s passed");
    }

    @Test
    @DisplayName("L2.5 a timer's when() is on the time() clock")
    void whenIsOnTimeClock() {
        double before = loop.time();
        TimerHandle h = loop.callLater(Duration.ofSeconds(2), () -> { });
        double after = loop.time();
        assertTrue(h.when() >= before + 2 - 1e-6 && h.when() <= after + 2 + 1e-6,
                "when() " + h.when() + " must be 2 s after a time() between " + before + " and " + after);
        TimerHandle at = loop.callAt(before + 5, () -> { });
        assertEquals(before + 5, at.when(), 1e-6);
    }

    @Test
    @DisplayName("L2.4 a huge delay is clamped: no exception, no overflow, a far-future deadline and a bounded poll")
    void hugeDelaysDoNotOverflow() {
        List<String> ran = new ArrayList<>();
        double before = loop.time();
        double year = 365 * 86_400.0;
        TimerHandle days = loop.callLater(Duration.ofDays(1_000_000), () -> ran.add("days"));
        TimerHandle max = loop.callLater(Duration.ofSeconds(Long.MAX_VALUE, 999_999_999), () -> ran.add("max"));
        TimerHandle inf = loop.callAt(Double.POSITIVE_INFINITY, () -> ran.add("inf"));
        for (TimerHandle h : List.of(days, max, inf)) {
            assertTrue(Double.isFinite(h.when()) && h.when() > before + year,
                    "a huge delay must give a far-future deadline, got when()=" + h.when() + " at time() " + before);
        }
        long timeout = runOneObservedIteration();
        assertTrue(timeout > 0 && timeout <= TimeUnit.HOURS.toNanos(24),
                "the poll timeout must be positive and capped at 24 h, got " + timeout + " ns");
        assertEquals(List.of(), ran, "far-future timers must not run");
    }

    @Test
    @DisplayName("L2.2 huge negative delays and deadlines far in the past are due now, in deadline order")
    void hugeNegativeDelaysAreDueNow() {
        List<String> ran = new ArrayList<>();
        loop.callAt(Double.NEGATIVE_INFINITY, () -> ran.add("-inf"));
        loop.callAt(-1e12, () -> ran.add("-1e12"));
        loop.callLater(Duration.ofDays(-1_000_000), () -> ran.add("days"));
        loop.callLater(Duration.ofSeconds(Long.MIN_VALUE), () -> ran.add("min"));
        loop.callAt(loop.time() - 1, () -> ran.add("recent"));
        runOneIteration();
        // The first four are all clamped to the same deadline, 100 years ago, so they keep scheduling order.
        assertEquals(List.of("-inf", "-1e12", "days", "min", "recent"), ran,
                "[L2.2] every timer in the past must run in the first iteration, in deadline order");
    }

    @Test
    @DisplayName("L2.5 callAt(NaN) is rejected")
    void callAtNaN() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> loop.callAt(Double.NaN, () -> { }));
        assertEquals("callAt: when is NaN; pass a time on the loop.time() clock", e.getMessage());
    }

    // ---------------------------------------------------------------- reports queued from other threads

    @Test
    @DisplayName("a report queued from another thread reaches the exception handler even when the loop closes"
            + " before it runs again; other pending callbacks are dropped, as asyncio's close drops them")
    void closeDeliversQueuedReports() throws InterruptedException {
        List<String> handled = new CopyOnWriteArrayList<>();
        loop.setExceptionHandler((l, context) -> handled.add(context.message()));
        List<String> ran = new ArrayList<>();
        loop.callSoon(() -> ran.add("pending callback"));
        Thread reporter = new Thread(() -> Debug.reportFromAnyThread(loop,
                ExceptionContext.builder("Future exception was never retrieved").build()));
        reporter.start();
        reporter.join();
        assertEquals(List.of(), handled, "not on the reporting thread: the loop was open, so it takes the report");
        loop.close();
        assertEquals(List.of("Future exception was never retrieved"), handled);
        assertEquals(List.of(), ran);
    }

    @Test
    @DisplayName("a report queued from another thread is handled once on the loop thread when the loop runs")
    void queuedReportRunsOnTheLoopThreadOnce() throws InterruptedException {
        List<Thread> handledOn = new CopyOnWriteArrayList<>();
        loop.setExceptionHandler((l, context) -> handledOn.add(Thread.currentThread()));
        Thread reporter = new Thread(() -> Debug.reportFromAnyThread(loop,
                ExceptionContext.builder("Task was destroyed but it is pending!").build()));
        reporter.start();
        reporter.join();
        runOneIteration();
        loop.close();
        assertEquals(List.of(Thread.currentThread()), handledOn);
    }

    @Test
    @DisplayName("a report made after close() is handled at once on the reporting thread")
    void reportAfterCloseIsHandledDirectly() throws InterruptedException {
        List<Thread> handledOn = new CopyOnWriteArrayList<>();
        loop.setExceptionHandler((l, context) -> handledOn.add(Thread.currentThread()));
        loop.close();
        Thread reporter = new Thread(() -> Debug.reportFromAnyThread(loop,
                ExceptionContext.builder("Future exception was never retrieved").build()));
        reporter.start();
        reporter.join();
        assertEquals(List.of(reporter), handledOn);
    }

    // ---------------------------------------------------------------- toString

    @Test
    @DisplayName("toString() shows idle, running and closed, and the debug flag")
    void toStringShowsState() {
        loop.setDebug(false);
        assertEquals("TestLoop[idle, debug=false]", loop.toString());
        AtomicReference<String> whileRunning = new AtomicReference<>();
        loop.callSoon(() -> whileRunning.set(loop.toString()));
        runOneIteration();
        assertEquals("TestLoop[running, debug=false]", whileRunning.get());
        loop.setDebug(true);
        assertEquals("TestLoop[idle, debug=true]", loop.toString());
        loop.close();
        assertEquals("TestLoop[closed, debug=true]", loop.toString());
        assertFalse(loop.isRunning());
    }
}
