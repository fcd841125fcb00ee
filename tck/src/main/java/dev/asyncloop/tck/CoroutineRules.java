package dev.asyncloop.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.asyncloop.Async;
import dev.asyncloop.CancelledError;
import dev.asyncloop.Context;
import dev.asyncloop.ContextVar;
import dev.asyncloop.Coroutine;
import dev.asyncloop.Future;
import dev.asyncloop.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Group "coroutines": rules K1.x (the coroutine protocol and the engines behind {@link Coroutine#of}). */
abstract class CoroutineRules extends ConformanceGroup {
    CoroutineRules(EventLoopConformanceSuite suite) {
        super(suite);
    }

    @Test
    @DisplayName("K1.1 Coroutine.engineName() is 'continuation' or 'virtual'")
    void required_K1_1_engineName() {
        assertTrue(Set.of("continuation", "virtual").contains(Coroutine.engineName()), msg("K1.1", "unknown engine '"
                + Coroutine.engineName() + "'; check -Dasyncloop.coroutines"));
    }

    @Test
    @DisplayName("K1.2 Async.await/sleep/yieldNow outside a task throw IllegalStateException saying what to do")
    void required_K1_2_suspendingOutsideTaskFails() {
        Future<String> pending = loop.createFuture();
        checkOutsideTask("await on the test thread", () -> Async.await(pending));
        checkOutsideTask("sleep on the test thread", () -> Async.sleep(Duration.ofMillis(1)));
        checkOutsideTask("yieldNow on the test thread", Async::yieldNow);
        List<Throwable> inCallback = new ArrayList<>();
        loop.callSoon(() -> {
            for (Executable e : List.<Executable>of(() -> Async.await(pending), Async::yieldNow,
                    () -> Async.sleep(Duration.ZERO))) {
                try {
                    e.execute();
                    inCallback.add(null);
                } catch (Throwable t) {
                    inCallback.add(t);
                }
            }
            loop.stop();
        });
        runForever("K1.2", defaultWait());
        for (Throwable t : inCallback) {
            assertInstanceOf(IllegalStateException.class, t, msg("K1.2", "await/yieldNow/sleep in a plain callback"
                    + " must throw IllegalStateException, got " + t));
            assertTrue(String.valueOf(t.getMessage()).contains("task"), msg("K1.2", "the message must say to call"
                    + " it from a task, was: " + t.getMessage()));
        }
        assertEquals(3, inCallback.size());
        pending.cancel();
    }

    private static void checkOutsideTask(String what, Executable call) {
        IllegalStateException e = assertThrows(IllegalStateException.class, call,
                msg("K1.2", what + " must throw IllegalStateException"));
        assertTrue(e.getMessage() != null && e.getMessage().contains("task"), msg("K1.2", what + ": the message"
                + " must say to call it from a task's body, was: " + e.getMessage()));
    }

    @Test
    @DisplayName("K1.3 yieldNow() and sleep(Duration.ZERO) give up control for exactly one loop iteration")
    void required_K1_3_yieldGivesOneIteration() {
        List<String> order = new ArrayList<>();
        Task<@Nullable Void> a = loop.createTask(() -> {
            for (int i = 0; i < 3; i++) {
                order.add("A");
                Async.yieldNow();
            }
            return null;
        });
        Task<@Nullable Void> b = loop.createTask(() -> {
            for (int i = 0; i < 3; i++) {
                order.add("B");
                Async.sleep(Duration.ZERO);
            }
            return null;
        });
        List<String> ticks = new ArrayList<>();
        Runnable[] tick = new Runnable[1];
        tick[0] = () -> {
            ticks.add("tick" + ticks.size());
            order.add("tick");
            if (ticks.size() < 3) {
                loop.callSoon(tick[0]);
            }
        };
        loop.callSoon(tick[0]);
        runUntil("K1.3", "task a", defaultWait(), a);
        runUntil("K1.3", "task b", defaultWait(), b);
        assertEquals(List.of("A", "B", "tick", "A", "B", "tick", "A", "B", "tick"), order, msg("K1.3",
                "two tasks that yield and a callback that reschedules itself must strictly alternate, one step each"
                        + " per iteration; check yieldNow/sleep(ZERO) reschedule the task with one callSoon"));
    }

    @Test
    @DisplayName("K1.4 Async.sleep(d) never returns before loop.time() advanced by d")
    void required_K1_4_sleepNeverEarly() {
        double[] elapsed = new double[3];
        Duration[] delays = {Duration.ofMillis(1), Duration.ofMillis(20), Duration.ofMillis(50)};
        run("K1.4", () -> {
            for (int i = 0; i < delays.length; i++) {
                double t0 = loop.time();
                Async.sleep(delays[i]);
                elapsed[i] = loop.time() - t0;
            }
            return null;
        });
        for (int i = 0; i < delays.length; i++) {
            double wanted = delays[i].toNanos() / 1e9;
            assertTrue(elapsed[i] >= wanted - 1e-9, msg("K1.4", "sleep(" + delays[i] + ") returned after only "
                    + elapsed[i] + " s of loop.time(); check the timer deadline and that timers never fire early"));
        }
    }

    @Test
    @DisplayName("K1.5 a hand-written Coroutine (Awaiting then Returned) is driven by createTask in its context")
    void required_K1_5_handWrittenCoroutine() {
        ContextVar<String> var = ContextVar.of("K1.5");
        Context context = new Context();
        context.run(() -> var.set("task context"));
        Future<Integer> input = loop.createFuture();
        AwaitOnceCoroutine<Integer, String> coro = new AwaitOnceCoroutine<>(input,
                v -> v + " in " + var.get("no context"));
        Task<String> task = loop.createTask(coro, "hand-written", context);
        loop.callLater(Duration.ofMillis(1), () -> input.setResult(7));
        String result = runUntil("K1.5", "the hand-written coroutine's task", defaultWait(), task);
        assertEquals("7 in task context", result, msg("K1.5", "the task must resume the coroutine once the awaited"
                + " future is done, in the task's context, and finish with what it returned"));
        assertEquals(List.of("send", "send"), coro.calls, msg("K1.5", "the task must send exactly twice: to start"
                + " and after the awaited future is done"));

        Future<Integer> never = loop.createFuture();
        AwaitOnceCoroutine<Integer, String> cancelled = new AwaitOnceCoroutine<>(never, v -> "not cancelled");
        Task<String> t2 = loop.createTask(cancelled, "hand-written-cancelled", null);
        loop.callSoon(t2::cancel);
        assertThrows(CancelledError.class, () -> runUntil("K1.5", "the cancelled task", defaultWait(), t2),
                msg("K1.5", "cancelling the task must cancel it"));
        assertEquals(List.of("send", "throw CancelledError"), cancelled.calls, msg("K1.5", "cancelling a task"
                + " awaiting a future must throw CancelledError into its coroutine"));
    }

    @Test
    @DisplayName("K1.6 throwInto on a suspended engine coroutine throws at the await")
    void required_K1_6_throwIntoThrowsAtAwait() {
        Future<String> pending = loop.createFuture();
        Coroutine<String> coro = Coroutine.of(() -> {
            try {
                return Async.await(pending);
            } catch (IllegalArgumentException e) {
                return "caught at await: " + e.getMessage();
            }
        });
        Coroutine.Step<String> first = coro.send(null);
        assertEquals(new Coroutine.Awaiting<String>(pending), first, msg("K1.6", "a body awaiting a pending future"
                + " must suspend with Awaiting(that future)"));
        Coroutine.Step<String> second = coro.throwInto(new IllegalArgumentException("thrown in"));
        assertEquals(new Coroutine.Returned<>("caught at await: thrown in"), second, msg("K1.6", "throwInto must"
                + " throw the exception at the suspended await, where the body can catch it"));
        assertThrows(IllegalStateException.class, () -> coro.send(null), msg("K1.6", "send to an ended coroutine"
                + " must throw IllegalStateException"));
        pending.cancel();
    }

    @Test
    @DisplayName("K1.7 close() on a suspended engine coroutine runs its finally blocks; on a new one, nothing runs")
    void required_K1_7_closeRunsFinally() {
        Future<String> pending = loop.createFuture();
        List<String> events = new ArrayList<>();
        Coroutine<String> coro = Coroutine.of(() -> {
            try {
                events.add("started");
                return Async.await(pending);
            } finally {
                events.add("finally");
            }
        });
        assertInstanceOf(Coroutine.Awaiting.class, coro.send(null), msg("K1.7", "the body must suspend at await"));
        coro.close();
        assertEquals(List.of("started", "finally"), events, msg("K1.7", "close() of a suspended coroutine must"
                + " run its finally blocks"));
        AtomicBoolean ran = new AtomicBoolean();
        Coroutine<String> fresh = Coroutine.of(() -> {
            ran.set(true);
            return "ran";
        });
        fresh.close();
        assertTrue(!ran.get(), msg("K1.7", "close() of a coroutine that never started must not run its body"));
        pending.cancel();
    }

    @Test
    @DisplayName("K1.8 a body can await from deep inside a recursion")
    void required_K1_8_awaitFromDeepRecursion() {
        Future<Integer> input = loop.createFuture();
        loop.callLater(Duration.ofMillis(1), () -> input.setResult(1));
        int depth = 3000;
        Integer result = run("K1.8", () -> recurse(depth, input));
        assertEquals(depth + 1, result, msg("K1.8", "awaiting " + depth + " frames deep must suspend and resume the"
                + " whole stack; check the engine keeps deep stacks (" + Coroutine.engineName() + ")"));
    }

    private static int recurse(int depth, Future<Integer> input) {
        if (depth == 0) {
            return Async.await(input);
        }
        return 1 + recurse(depth - 1, input);
    }

    @Test
    @DisplayName("K1.9 a body can await while holding a monitor (synchronized), on JDK 24+")
    void required_K1_9_awaitInsideSynchronized() {
        Object lock = new Object();
        Future<String> input = loop.createFuture();
        loop.callLater(Duration.ofMillis(1), () -> input.setResult("through"));
        AtomicReference<Throwable> failure = new AtomicReference<>();
        String result = run("K1.9", () -> {
            try {
                synchronized (lock) {
                    return Async.await(input);
                }
            } catch (RuntimeException e) {
                if (e instanceof CancelledError) {
                    throw e;
                }
                failure.set(e);
                return null;
            }
        });
        if (failure.get() != null) {
            fail(msg("K1.9", "await inside a synchronized block failed on the " + Coroutine.engineName()
                    + " engine: " + failure.get() + "; JDK 24+ lets a coroutine suspend while holding a monitor"
                    + " (JEP 491), check the engine does not pin"), failure.get());
        }
        assertSame("through", result, msg("K1.9", "await inside synchronized must return the future's result"));
    }
}
