package dev.asyncloop.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.asyncloop.TimerHandle;
import java.lang.ref.Reference;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Group "timers": rules L2.x. */
abstract class TimerRules extends ConformanceGroup {
    TimerRules(EventLoopConformanceSuite suite) {
        super(suite);
    }

    @Test
    @DisplayName("L2.1 timers with random deadlines run in deadline order, each once")
    void required_L2_1_timersRunInDeadlineOrder() {
        Random random = new Random(42);
        double base = loop.time() + 0.005;
        List<double[]> scheduled = new ArrayList<>();
        List<Integer> ran = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            double when = base + random.nextInt(40) * 0.001;
            int index = i;
            scheduled.add(new double[] {when, i});
            loop.callAt(when, () -> ran.add(index));
        }
        loop.callAt(base + 0.050, loop::stop);
        runForever("L2.1", defaultWait());
        List<Integer> expected = scheduled.stream()
                .sorted(Comparator.<double[]>comparingDouble(a -> a[0]).thenComparingDouble(a -> a[1]))
                .map(a -> (int) a[1]).toList();
        assertEquals(expected, ran, msg("L2.1", "300 timers must run in order of their deadlines, equal"
                + " deadlines in scheduling order, each once; check the timer heap orders by (deadline, sequence)"));
    }

    @Test
    @DisplayName("L2.1 timers with equal deadlines run FIFO")
    void required_L2_1_equalDeadlinesRunFifo() {
        double when = loop.time() + 0.002;
        List<Integer> ran = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            int n = i;
            loop.callAt(when, () -> ran.add(n));
        }
        loop.callAt(when, loop::stop);
        runForever("L2.1", defaultWait());
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            expected.add(i);
        }
        assertEquals(expected, ran, msg("L2.1", "timers with the same deadline must run in the order they were"
                + " scheduled; got " + ran + "; check that the heap breaks ties with a sequence number"
                + " (a binary heap alone is not stable)"));
    }

    @Test
    @DisplayName("L2.2 zero and negative delays are due now and still run in deadline order")
    void required_L2_2_negativeDelaysOrderedByWhen() {
        List<String> ran = new ArrayList<>();
        loop.callLater(Duration.ofSeconds(-1), () -> ran.add("-1s"));
        loop.callLater(Duration.ofSeconds(-2), () -> ran.add("-2s"));
        loop.callLater(Duration.ZERO, () -> ran.add("0"));
        loop.callLater(Duration.ofMillis(-1500), () -> ran.add("-1.5s"));
        loop.callAt(loop.time() - 10, () -> ran.add("at-10s"));
        loop.callLater(Duration.ofSeconds(-1_000_000_000L * 1000), () -> ran.add("-huge"));
        loop.callSoon(loop::stop);
        runForever("L2.2", defaultWait());
        assertEquals(List.of("-huge", "at-10s", "-2s", "-1.5s", "-1s", "0"), ran, msg("L2.2", "timers with zero or"
                + " negative delays must all run in the first iteration, ordered by when = time() + delay; got "
                + ran + "; check that callLater does not clamp negative delays to 0 (asyncio"
                + " test_call_later_negative_delays)"));
    }

    @Test
    @DisplayName("L2.2 infinite and far-off deadlines keep their order and never wrap around")
    void required_L2_2_infiniteDeadlinesKeepOrder() {
        List<String> ran = new ArrayList<>();
        TimerHandle never = loop.callAt(Double.POSITIVE_INFINITY, () -> ran.add("+inf"));
        loop.callAt(loop.time() - 1, () -> ran.add("-1s"));
        loop.callAt(Double.NEGATIVE_INFINITY, () -> ran.add("-inf"));
        loop.callAt(-1e300, () -> ran.add("-1e300"));
        loop.callLater(Duration.ZERO, () -> ran.add("0"));
        loop.callSoon(loop::stop);
        runForever("L2.2", defaultWait());
        never.cancel();
        assertEquals(List.of("-inf", "-1e300", "-1s", "0"), ran, msg("L2.2", "deadlines in the far past must run at"
                + " once, in deadline order (equal ones FIFO), and one at +infinity never; got " + ran
                + "; check that callAt clamps extreme deadlines instead of overflowing the internal clock"));
    }

    @Test
    @DisplayName("L2.3 cancelled timers never run (few timers)")
    void required_L2_3_cancelledTimersNeverRun() {
        List<Integer> ran = new ArrayList<>();
        List<TimerHandle> handles = new ArrayList<>();
        double when = loop.time() + 0.002;
        for (int i = 0; i < 10; i++) {
            int n = i;
            handles.add(loop.callAt(when + i * 0.0005, () -> ran.add(n)));
        }
        for (int i = 1; i < 10; i += 2) {
            handles.get(i).cancel();
            assertTrue(handles.get(i).isCancelled(), msg("L2.3", "isCancelled() must be true after cancel()"));
        }
        AtomicReference<TimerHandle> victim = new AtomicReference<>();
        double past = loop.time() - 1;
        loop.callAt(past, () -> {
            ran.add(100);
            victim.get().cancel();
        });
        victim.set(loop.callAt(past, () -> ran.add(101)));
        loop.callAt(when + 0.010, loop::stop);
        runForever("L2.3", defaultWait());
        assertEquals(List.of(100, 0, 2, 4, 6, 8), ran, msg("L2.3", "cancelled timers must never run, also a"
                + " timer cancelled by a timer callback of the same iteration; got " + ran
                + "; check that cancelled timers are skipped both in the heap and in the ready queue"));
    }

    @Test
    @DisplayName("L2.3 cancelled timers never run when most of many timers are cancelled (purge path)")
    void required_L2_3_cancelledTimersNeverRunWhenPurged() {
        List<Integer> ran = new ArrayList<>();
        List<TimerHandle> handles = new ArrayList<>();
        double when = loop.time() + 0.005;
        for (int i = 0; i < 300; i++) {
            int n = i;
            handles.add(loop.callAt(when + (i % 30) * 0.0005, () -> ran.add(n)));
        }
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            if (i % 4 != 0) {
                handles.get(i).cancel();
            }
        }
        // More cancellations while the loop runs, after a first iteration has purged the heap.
        loop.callSoon(() -> {
            for (int i = 0; i < 300; i += 8) {
                handles.get(i).cancel();
            }
        });
        for (int i = 0; i < 300; i++) {
            if (i % 4 == 0 && i % 8 != 0) {
                expected.add(i);
            }
        }
        expected.sort(Comparator.<Integer>comparingInt(i -> i % 30).thenComparingInt(i -> i));
        loop.callAt(when + 0.030, loop::stop);
        runForever("L2.3", defaultWait());
        assertEquals(expected, ran, msg("L2.3", "with 300 timers of which more than half are cancelled, only"
                + " the live ones may run, in deadline order; got " + ran + "; check the purge that rebuilds the"
                + " heap (asyncio: more than 100 timers and more than half cancelled) keeps exactly the live"
                + " timers and resets the cancelled count"));
    }

    @Test
    @DisplayName("L2.4 a timer never runs before loop.time() reaches its deadline")
    void required_L2_4_timerNeverEarly() {
        List<String> early = new ArrayList<>();
        AtomicInteger fired = new AtomicInteger();
        int count = 60;
        for (int i = 0; i < count; i++) {
            AtomicReference<TimerHandle> self = new AtomicReference<>();
            Duration delay = Duration.ofNanos(1 + i * 250_000L);
            self.set(loop.callLater(delay, () -> {
                double now = loop.time();
                if (now < self.get().when()) {
                    early.add("callLater(" + delay + ") ran at " + now + " < when " + self.get().when());
                }
                if (fired.incrementAndGet() == count) {
                    loop.stop();
                }
            }));
        }
        runForever("L2.4", defaultWait());
        assertTrue(early.isEmpty(), msg("L2.4", "a timer must not run before loop.time() >= when(): " + early
                + "; check that the poll timeout is rounded up (never down) and that due means when <= time()"));
        double t0 = loop.time();
        double slept = run("L2.4", () -> {
            dev.asyncloop.Async.sleep(Duration.ofMillis(20));
            return loop.time();
        });
        assertTrue(slept - t0 >= 0.020, msg("L2.4", "Async.sleep(20 ms) must take at least 0.020 s of"
                + " loop.time(), took " + (slept - t0) + " s; check callLater and the poll timeout"));
    }

    @Test
    @DisplayName("L2.5 callAt runs on the loop.time() clock; when() reports the deadline")
    void required_L2_5_callAtUsesLoopClock() {
        double when = loop.time() + 0.015;
        AtomicReference<Double> ranAt = new AtomicReference<>();
        TimerHandle h = loop.callAt(when, () -> {
            ranAt.set(loop.time());
            loop.stop();
        });
        assertEquals(when, h.when(), 1e-6, msg("L2.5", "TimerHandle.when() must return the deadline given to"
                + " callAt; check the conversion between loop.time() seconds and the internal clock"));
        double before = loop.time();
        TimerHandle later = loop.callLater(Duration.ofMillis(500), () -> { });
        double after = loop.time();
        assertTrue(later.when() >= before + 0.5 - 1e-6 && later.when() <= after + 0.5 + 1e-6, msg("L2.5",
                "callLater(500 ms).when() must be time() + 0.5 (between " + (before + 0.5) + " and " + (after + 0.5)
                        + "), got " + later.when() + "; check callLater uses the loop.time() clock"));
        runForever("L2.5", defaultWait());
        later.cancel();
        assertTrue(ranAt.get() != null && ranAt.get() >= when, msg("L2.5", "callAt(time() + 0.015) must run at"
                + " loop.time() >= " + when + ", ran at " + ranAt.get() + "; check callAt uses the time() clock"));
    }

    @Test
    @DisplayName("L2.5 timer arguments are validated: null delay or callback → NPE, callAt(NaN) → IAE")
    @SuppressWarnings("NullAway") // passes null on purpose: the rule is that it is rejected
    void required_L2_5_timerArgumentsValidated() {
        assertThrows(NullPointerException.class, () -> loop.callLater(null, () -> { }),
                msg("L2.5", "callLater(null, cb) must throw NullPointerException; check argument checks"));
        assertThrows(NullPointerException.class, () -> loop.callLater(Duration.ZERO, null),
                msg("L2.5", "callLater(d, null) must throw NullPointerException; check argument checks"));
        assertThrows(NullPointerException.class, () -> loop.callAt(loop.time(), null),
                msg("L2.5", "callAt(t, null) must throw NullPointerException; check argument checks"));
        assertThrows(NullPointerException.class, () -> loop.callSoon(null),
                msg("L2.5", "callSoon(null) must throw NullPointerException; check argument checks"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> loop.callAt(Double.NaN, () -> { }),
                msg("L2.5", "callAt(NaN) must throw IllegalArgumentException; check callAt validates when"));
        assertTrue(e.getMessage() != null && e.getMessage().contains("NaN"), msg("L2.5", "the message of"
                + " callAt(NaN)'s exception must name the problem (NaN), got: " + e.getMessage()));
        TimerHandle far = loop.callLater(Duration.ofDays(365L * 10_000), () -> fail("far timer ran"));
        assertTrue(far.when() > loop.time(), msg("L2.5", "a very long delay must give a deadline in the future,"
                + " got " + far.when() + "; check overflow handling in callLater"));
        far.cancel();
    }

    @Test
    @DisplayName("L2.6 a due timer runs in the iteration that finds it due, not one later")
    void required_L2_6_dueTimerRunsInSameIteration() {
        // A self-rescheduling callback runs once per iteration and counts the iterations in which loop.time()
        // had reached the timer's deadline; before the timer runs there can be at most two: the one whose due
        // check came just before the deadline, and the one that found the timer due.
        AtomicReference<TimerHandle> timer = new AtomicReference<>();
        AtomicInteger ticksAtOrAfterDeadline = new AtomicInteger();
        AtomicInteger countedBeforeTimer = new AtomicInteger(-1);
        Runnable[] tick = new Runnable[1];
        tick[0] = () -> {
            double now = loop.time();
            double when = timer.get().when();
            if (now >= when) {
                ticksAtOrAfterDeadline.incrementAndGet();
            }
            // Bounded, so that a loop that never moves the timer fails this test instead of hanging in it.
            if (countedBeforeTimer.get() < 0 && now < when + 2) {
                loop.callSoon(tick[0]);
            }
        };
        timer.set(loop.callLater(Duration.ofMillis(3), () -> {
            countedBeforeTimer.set(ticksAtOrAfterDeadline.get());
            loop.stop();
        }));
        loop.callSoon(tick[0]);
        runForever("L2.6", defaultWait());
        assertTrue(countedBeforeTimer.get() >= 0 && countedBeforeTimer.get() <= 2, msg("L2.6", "the timer must run"
                + " in the iteration whose due check finds it due; " + countedBeforeTimer.get() + " iterations ran"
                + " at or after its deadline before it did (at most 2 allowed); check that runOnce moves every"
                + " timer with when <= now into the ready queue right after polling"));
    }

    @Test
    @DisplayName("L2.3 cancelled timers are purged: with more than 100 scheduled and most cancelled, the loop lets go of them")
    void required_L2_3_cancelledTimersArePurged() {
        // A live timer ahead of them, so the cancelled ones never reach the heap's head and only a purge drops them.
        TimerHandle live = loop.callLater(Duration.ofHours(1), () -> { });
        try {
            List<WeakReference<TimerHandle>> cancelled = new ArrayList<>();
            for (int i = 0; i < 150; i++) {
                TimerHandle t = loop.callLater(Duration.ofHours(2), () -> { });
                t.cancel();
                cancelled.add(new WeakReference<>(t));
            }
            Gc.awaitCleared(this, cancelled.getLast());
            Gc.spin(this, 2);
            long kept = cancelled.stream().filter(ref -> ref.get() != null).count();
            assertEquals(0L, kept, msg("L2.3", kept + " of 150 cancelled timers were still reachable after the loop"
                    + " ran for " + Gc.bound() + " with garbage collections; with more than 100 timers scheduled and"
                    + " more than half of them cancelled, each iteration must rebuild the heap without the cancelled"
                    + " ones (asyncio's _run_once), not only pop cancelled timers at the head"));
        } finally {
            Reference.reachabilityFence(live);
        }
    }
}
