package dev.asyncloop.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.Context;
import dev.asyncloop.ContextVar;
import dev.asyncloop.Handle;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Group "callbacks & ordering": rules L1.x. */
abstract class CallbackRules extends ConformanceGroup {
    CallbackRules(EventLoopConformanceSuite suite) {
        super(suite);
    }

    @Test
    @DisplayName("L1.1 callSoon callbacks run FIFO, each exactly once")
    void required_L1_1_callSoonRunsFifo() {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            int n = i;
            loop.callSoon(() -> order.add(n));
        }
        loop.callSoon(loop::stop);
        runForever("L1.1", defaultWait());
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            expected.add(i);
        }
        assertEquals(expected, order, msg("L1.1", "callSoon callbacks must run in the order they were scheduled,"
                + " each once; check the ready queue is FIFO"));
    }

    @Test
    @DisplayName("L1.2 a callback scheduled while an iteration runs waits for the next iteration")
    void required_L1_2_callbacksScheduledDuringIterationWait() {
        List<String> order = new ArrayList<>();
        loop.callSoon(() -> {
            order.add("A");
            loop.callSoon(() -> order.add("C"));
            loop.stop();
        });
        loop.callSoon(() -> order.add("B"));
        runForever("L1.2", defaultWait());
        assertEquals(List.of("A", "B"), order, msg("L1.2", "A (which calls stop() and schedules C) and B were"
                + " ready when the iteration started, so A and B run and C waits for the next runForever; got "
                + order + "; check that one iteration runs only the handles that were ready when it started"));
        loop.callSoon(loop::stop);
        runForever("L1.2", defaultWait());
        assertEquals(List.of("A", "B", "C"), order, msg("L1.2", "C must run in the next runForever, before"
                + " callbacks scheduled after it; got " + order + "; check that callbacks left queued by stop()"
                + " are kept"));
    }

    @Test
    @DisplayName("L1.2 a callback that reschedules itself does not starve stop(): one run per iteration")
    void required_L1_2_selfReschedulingCallbackDoesNotStarve() {
        AtomicInteger runs = new AtomicInteger();
        Runnable[] again = new Runnable[1];
        again[0] = () -> {
            // Bounded, so that a loop draining its queue fails this test instead of hanging in it.
            if (runs.incrementAndGet() < 100_000) {
                loop.callSoon(again[0]);
            }
        };
        loop.callSoon(again[0]);
        loop.callSoon(loop::stop);
        runForever("L1.2", defaultWait());
        assertEquals(1, runs.get(), msg("L1.2", "a callback that reschedules itself must run once per"
                + " iteration, so the stop() queued after it ends runForever after one run; it ran " + runs.get()
                + " times; check that the loop does not drain the ready queue until it is empty"));
    }

    @Test
    @DisplayName("L1.3 a callback runs in a copy of the context current at callSoon")
    void required_L1_3_callbackRunsInCapturedContext() {
        ContextVar<String> var = ContextVar.of("L1.3");
        List<String> seen = new ArrayList<>();
        new Context().run(() -> {
            var.set("at-schedule");
            loop.callSoon(() -> {
                seen.add(var.get("<none>"));
                var.set("changed-by-callback");
            });
            var.set("after-schedule");
            loop.callSoon(() -> seen.add(var.get("<none>")));
            loop.callLater(Duration.ZERO, () -> seen.add(var.get("<none>")));
            loop.callSoonThreadsafe(() -> seen.add(var.get("<none>")));
        });
        loop.callSoon(() -> seen.add(var.get("<none>")));
        loop.callLater(Duration.ofMillis(1), loop::stop);
        runForever("L1.3", defaultWait());
        assertEquals(List.of("at-schedule", "after-schedule", "after-schedule", "<none>", "after-schedule"), seen,
                msg("L1.3", "each callback must see the context variables of the moment it was scheduled, and"
                        + " what one callback sets must not leak into another's context; got " + seen
                        + "; check that callSoon/callLater/callSoonThreadsafe capture Context.copyCurrent() and run"
                        + " the callback with Context.run"));
    }

    @Test
    @DisplayName("L1.3 a callback given an explicit context runs in that very context")
    void required_L1_3_callbackRunsInExplicitContext() {
        ContextVar<String> var = ContextVar.of("L1.3");
        Context ctx = new Context();
        ctx.run(() -> var.set("explicit"));
        List<String> seen = new ArrayList<>();
        Handle h = loop.callSoon(() -> {
            seen.add(var.get("<none>"));
            var.set("set-inside");
        }, ctx);
        loop.callLater(Duration.ZERO, () -> seen.add(var.get("<none>")), ctx);
        loop.callSoonThreadsafe(() -> seen.add(var.get("<none>")), ctx);
        loop.callAt(loop.time(), loop::stop);
        runForever("L1.3", defaultWait());
        assertSame(ctx, h.getContext(), msg("L1.3", "Handle.getContext() must return the context passed to"
                + " callSoon; check the handle keeps it"));
        assertEquals(List.of("explicit", "set-inside", "set-inside"), seen, msg("L1.3", "callbacks given a"
                + " context must run in that context itself (not a copy), so a value set by one is seen by the"
                + " next; got " + seen + "; check that the explicit context is used as is"));
        assertEquals("set-inside", ctx.get(var).orElse("<none>"), msg("L1.3", "a value set by a callback must"
                + " stay in its explicit context; check Context.run is used, not a copy"));
    }

    @Test
    @DisplayName("L1.4 a cancelled handle never runs; isCancelled() tells")
    void required_L1_4_cancelledHandleNeverRuns() {
        List<String> order = new ArrayList<>();
        Handle before = loop.callSoon(() -> order.add("cancelled-before-run"));
        AtomicReference<Handle> later = new AtomicReference<>();
        loop.callSoon(() -> {
            order.add("A");
            later.get().cancel();
        });
        later.set(loop.callSoon(() -> order.add("cancelled-in-same-iteration")));
        Handle threadsafe = loop.callSoonThreadsafe(() -> order.add("cancelled-threadsafe"));
        loop.callSoon(() -> order.add("B"));
        loop.callSoon(loop::stop);
        assertFalse(before.isCancelled(), msg("L1.4", "a fresh handle must not be cancelled"));
        before.cancel();
        before.cancel();
        threadsafe.cancel();
        assertTrue(before.isCancelled(), msg("L1.4", "isCancelled() must be true after cancel(); check Handle"));
        runForever("L1.4", defaultWait());
        assertEquals(List.of("A", "B"), order, msg("L1.4", "cancelled handles must never run, also when"
                + " cancelled by an earlier callback of the same iteration; got " + order
                + "; check that runOnce skips cancelled handles when their turn comes"));
        assertTrue(later.get().isCancelled(), msg("L1.4", "isCancelled() must stay true after the loop skipped"
                + " the handle"));
    }

    @Test
    @DisplayName("L1.5 handles already ready run before timers that fall due in the same iteration")
    void required_L1_5_readyHandlesRunBeforeDueTimers() {
        List<String> order = new ArrayList<>();
        loop.callLater(Duration.ZERO, () -> order.add("timer"));
        loop.callSoon(() -> order.add("soon"));
        loop.stop();
        runForever("L1.5", defaultWait());
        assertEquals(List.of("soon", "timer"), order, msg("L1.5", "one iteration runs the handles that were ready,"
                + " then the timers that came due after the poll (asyncio _run_once appends due timers to the"
                + " ready queue), even when the timer was scheduled first; got " + order));
    }

    @Test
    @DisplayName("L1.6 cancel() releases the callback: what it holds can be collected before the loop runs")
    void required_L1_6_cancelReleasesCallback() {
        Object[] held = {new Object(), new Object()};
        WeakReference<Object> soonRef = new WeakReference<>(held[0]);
        WeakReference<Object> timerRef = new WeakReference<>(held[1]);
        Handle soon = loop.callSoon(holding(held, 0));
        Handle timer = loop.callLater(Duration.ofHours(1), holding(held, 1));
        held = null;
        soon.cancel();
        timer.cancel();
        Gc.awaitCleared(this, soonRef);
        Gc.awaitCleared(this, timerRef);
        assertTrue(soon.isCancelled() && timer.isCancelled(), msg("L1.6", "both handles must stay cancelled"));
        assertEquals(null, soonRef.get(), msg("L1.6", "a cancelled callSoon handle must drop its callback (asyncio"
                + " Handle.cancel sets _callback to None), so what the callback holds can be collected; check"
                + " that cancel() clears the callback field"));
        assertEquals(null, timerRef.get(), msg("L1.6", "a cancelled timer must drop its callback although it may"
                + " stay in the heap until it is purged; check that cancel() clears the callback field"));
    }

    @SuppressWarnings("ReturnValueIgnored") // the callback exists to hold o; what it computes is not wanted
    private static Runnable holding(Object[] held, int i) {
        Object o = held[i];
        return o::hashCode;
    }
}
