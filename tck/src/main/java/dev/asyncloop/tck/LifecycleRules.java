package dev.asyncloop.tck;

import static dev.asyncloop.tck.Waits.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.EventLoop;
import dev.asyncloop.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Group "lifecycle & stop": rules L4.x. */
abstract class LifecycleRules extends ConformanceGroup {
    LifecycleRules(EventLoopConformanceSuite suite) {
        super(suite);
    }

    @Test
    @DisplayName("L4.1 stop() lets the current iteration finish; callbacks scheduled during it wait")
    void required_L4_1_stopFinishesCurrentIteration() {
        List<String> ran = new ArrayList<>();
        double past = loop.time() - 1;
        loop.callSoon(() -> {
            ran.add("A stops");
            loop.stop();
            loop.callSoon(() -> ran.add("C"));
            loop.callLater(Duration.ZERO, () -> ran.add("timer scheduled in A"));
        });
        loop.callSoon(() -> ran.add("B"));
        loop.callAt(past, () -> ran.add("due timer"));
        runForever("L4.1", defaultWait());
        assertEquals(List.of("A stops", "B", "due timer"), ran, msg("L4.1", "after stop() the iteration in"
                + " progress must finish (B and the timer that was due run) and nothing scheduled during it may"
                + " run; got " + ran + "; check that runForever checks the stop flag only after runOnce"));
        assertFalse(loop.isRunning(), msg("L4.1", "isRunning() must be false after runForever returned"));
        loop.callSoon(loop::stop);
        runForever("L4.1", defaultWait());
        assertEquals(List.of("A stops", "B", "due timer", "C", "timer scheduled in A"), ran, msg("L4.1",
                "the loop must run again after stop(), starting with what stop() left queued; got " + ran
                        + "; check that runForever resets the stop flag when it returns"));
    }

    @Test
    @DisplayName("L4.2 stop() before runForever(): one iteration that does not block, then return")
    void required_L4_2_preStoppedRunsOneNonBlockingIteration() {
        List<String> ran = new ArrayList<>();
        loop.callLater(Duration.ofHours(1), () -> ran.add("timer in 1 h"));
        loop.callSoon(() -> {
            ran.add("A");
            loop.callSoon(() -> ran.add("scheduled by A"));
        });
        loop.stop();
        long t0 = System.nanoTime();
        runForever("L4.2", defaultWait());
        long tookMillis = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(List.of("A"), ran, msg("L4.2", "a pre-stopped runForever must run exactly one iteration"
                + " (the ready callbacks, not what they schedule); got " + ran + " after " + tookMillis
                + " ms; check that stop() before runForever forces a zero poll timeout and one runOnce"));
        ran.clear();
        loop.stop();
        runForever("L4.2", defaultWait());
        assertEquals(List.of("scheduled by A"), ran, msg("L4.2", "a second pre-stopped runForever must again run"
                + " one iteration; got " + ran + "; check the stop flag is reset when runForever returns"));
        ran.clear();
        loop.stop();
        runForever("L4.2", defaultWait());
        assertEquals(List.of(), ran, msg("L4.2", "a pre-stopped runForever with only a timer 1 h away must return"
                + " without running anything and without blocking until the timer"));
    }

    @Test
    @DisplayName("L4.3 runForever or runUntilComplete while the loop runs → IllegalStateException")
    void required_L4_3_runWhileRunningThrows() {
        Map<String, Throwable> caught = new LinkedHashMap<>();
        Future<Integer> other = loop.createFuture();
        loop.callSoon(() -> {
            caught.put("runForever", catchThrowable(loop::runForever));
            caught.put("runUntilComplete", catchThrowable(() -> loop.runUntilComplete(other)));
            caught.put("runUntilComplete(AsyncCallable)", catchThrowable(() -> loop.runUntilComplete(() -> 1)));
            loop.stop();
        });
        runForever("L4.3", defaultWait());
        caught.forEach((call, e) -> assertTrue(e instanceof IllegalStateException, msg("L4.3", call + " inside a"
                + " callback of the running loop must throw IllegalStateException, threw " + e
                + "; check the already-running check in runForever/runUntilComplete")));
        assertFalse(loop.isRunning(), msg("L4.3", "the failed nested run must leave the outer run intact and end"));
    }

    @Test
    @DisplayName("L4.4 close() while running → IllegalStateException; close() is idempotent")
    void required_L4_4_closeWhileRunningThrowsAndCloseIsIdempotent() {
        AtomicReference<@Nullable Throwable> caught = new AtomicReference<>();
        loop.callSoon(() -> {
            caught.set(catchThrowable(loop::close));
            loop.stop();
        });
        runForever("L4.4", defaultWait());
        assertTrue(caught.get() instanceof IllegalStateException, msg("L4.4", "close() inside a callback of the"
                + " running loop must throw IllegalStateException, threw " + caught.get()
                + "; check close() refuses a running loop (asyncio test_close_running_event_loop)"));
        assertFalse(loop.isClosed(), msg("L4.4", "a refused close() must leave the loop open"));
        loop.close();
        loop.close();
        assertTrue(loop.isClosed(), msg("L4.4", "isClosed() must be true after close()"));
    }

    @Test
    @DisplayName("L4.4 scheduling on or running a closed loop → IllegalStateException (\"closed\")")
    void required_L4_4_closedLoopRefusesWork() {
        Future<Integer> future = loop.createFuture();
        loop.close();
        Map<String, Executable> calls = new LinkedHashMap<>();
        calls.put("callSoon", () -> loop.callSoon(() -> { }));
        calls.put("callLater", () -> loop.callLater(Duration.ZERO, () -> { }));
        calls.put("callAt", () -> loop.callAt(loop.time(), () -> { }));
        calls.put("callSoonThreadsafe", () -> loop.callSoonThreadsafe(() -> { }));
        calls.put("createTask", () -> loop.createTask(() -> 1));
        calls.put("runForever", loop::runForever);
        calls.put("runUntilComplete(future)", () -> loop.runUntilComplete(future));
        calls.put("runUntilComplete(AsyncCallable)", () -> loop.runUntilComplete(() -> 1));
        calls.put("runInExecutor", () -> loop.runInExecutor(Runnable::run, () -> 1));
        calls.forEach((name, call) -> {
            IllegalStateException e = assertThrows(IllegalStateException.class, call, msg("L4.4", name
                    + " on a closed loop must throw IllegalStateException; check checkClosed() in " + name));
            assertTrue(e.getMessage() != null && e.getMessage().toLowerCase(Locale.ROOT).contains("closed"), msg("L4.4",
                    name + " on a closed loop must say the loop is closed (\"Event loop is closed\"), said: "
                            + e.getMessage()));
        });
        assertFalse(loop.isRunning(), msg("L4.4", "a refused runForever must leave the loop not running"));
    }

    @Test
    @DisplayName("L4.5 isRunning() is true only inside runForever, for every thread; isClosed() after close()")
    void required_L4_5_isRunningAndIsClosed() {
        assertFalse(loop.isRunning(), msg("L4.5", "a new loop must not be running"));
        assertFalse(loop.isClosed(), msg("L4.5", "a new loop must not be closed"));
        List<Boolean> seen = new ArrayList<>();
        loop.callSoon(() -> {
            seen.add(loop.isRunning());
            boolean[] fromOther = new boolean[1];
            Thread t = Thread.ofPlatform().name("L4.5-observer").start(() -> fromOther[0] = loop.isRunning());
            join(t);
            seen.add(fromOther[0]);
            loop.stop();
        });
        runForever("L4.5", defaultWait());
        assertEquals(List.of(true, true), seen, msg("L4.5", "isRunning() must be true inside a callback, seen from"
                + " the loop thread and from another thread; got " + seen + "; check that the running state is"
                + " set before the first iteration and is volatile"));
        assertFalse(loop.isRunning(), msg("L4.5", "isRunning() must be false once runForever returned"));
        Integer result = run("L4.5", () -> loop.isRunning() ? 7 : -1);
        assertEquals(7, result, msg("L4.5", "isRunning() must be true inside a task run by runUntilComplete"));
        assertFalse(loop.isRunning(), msg("L4.5", "isRunning() must be false after runUntilComplete"));
        loop.close();
        assertTrue(loop.isClosed(), msg("L4.5", "isClosed() must be true after close()"));
    }

    @Test
    @DisplayName("L4.6 running a second loop inside a callback of the first → IllegalStateException")
    void required_L4_6_secondLoopOnSameThreadThrows() {
        EventLoop second = suite.newLoop();
        try {
            AtomicReference<@Nullable Throwable> caught = new AtomicReference<>();
            AtomicReference<@Nullable Throwable> caughtUntil = new AtomicReference<>();
            Future<Integer> f = second.createFuture();
            loop.callSoon(() -> {
                caught.set(catchThrowable(second::runForever));
                caughtUntil.set(catchThrowable(() -> second.runUntilComplete(f)));
                loop.stop();
            });
            runForever("L4.6", defaultWait());
            assertTrue(caught.get() instanceof IllegalStateException, msg("L4.6", "runForever of a second loop"
                    + " called while another loop runs on the thread must throw IllegalStateException, threw "
                    + caught.get() + "; check that runForever refuses to start when RunningLoops.current() is"
                    + " set (asyncio: \"Cannot run the event loop while another loop is running\")"));
            assertTrue(caughtUntil.get() instanceof IllegalStateException, msg("L4.6", "runUntilComplete of a"
                    + " second loop inside the first must throw IllegalStateException, threw " + caughtUntil.get()));
            assertFalse(second.isRunning(), msg("L4.6", "the refused loop must not be left running"));
            second.callSoon(second::stop);
            second.runForever();
            f.setResult(3);
            assertEquals(3, second.runUntilComplete(f), msg("L4.6", "the refused loop must still run normally"
                    + " afterwards; check the failed start left no state behind"));
        } finally {
            if (!second.isRunning()) {
                second.close();
            }
        }
    }

    @Test
    @DisplayName("L4.1 the loop runs again after stop(): runForever twice, runUntilComplete after")
    void required_L4_1_loopRunsAgainAfterStop() {
        List<Integer> ran = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            int r = round;
            loop.callSoon(() -> {
                ran.add(r);
                loop.stop();
            });
            runForever("L4.1", defaultWait());
        }
        assertEquals(List.of(0, 1, 2), ran, msg("L4.1", "each runForever after a stop() must run the loop again;"
                + " got " + ran + "; check runForever resets its stop flag and running thread on exit"));
        assertEquals(5, run("L4.1", () -> 5), msg("L4.1", "runUntilComplete must work after runForever/stop"));
    }


    @Test
    @DisplayName("L4.7 an Error thrown by a callback propagates out of runForever; the rest stays queued")
    void required_L4_7_errorFromCallbackEscapesRunForever() {
        AssertionError fatal = new AssertionError("L4.7 fatal");
        List<String> ran = new ArrayList<>();
        loop.callSoon(() -> {
            ran.add("A throws");
            throw fatal;
        });
        loop.callSoon(() -> ran.add("B"));
        Throwable thrown = catchThrowable(() -> runForever("L4.7", defaultWait()));
        assertSame(fatal, thrown, msg("L4.7", "an Error thrown by a callback must propagate out of runForever as"
                + " is (asyncio: KeyboardInterrupt/SystemExit escape run_forever), got " + thrown
                + "; check that runOnce reports Exceptions only"));
        assertFalse(loop.isRunning(), msg("L4.7", "the loop must not be left running after the Error"));
        assertTrue(reports().isEmpty(), msg("L4.7", "an Error must not be reported to the exception handler, got "
                + reports()));
        loop.callSoon(loop::stop);
        runForever("L4.7", defaultWait());
        assertEquals(List.of("A throws", "B"), ran, msg("L4.7", "the callbacks left in the ready queue by the Error"
                + " must run in the next runForever; got " + ran));
    }

    @Test
    @DisplayName("L4.8 a refused runUntilComplete(AsyncCallable) runs nothing: no task is left behind")
    void required_L4_8_refusedRunUntilCompleteRunsNoBody() {
        EventLoop second = suite.newLoop();
        try {
            List<String> ran = new ArrayList<>();
            Map<String, Throwable> caught = new LinkedHashMap<>();
            loop.callSoon(() -> {
                caught.put("the running loop's own runUntilComplete", catchThrowable(() -> loop.runUntilComplete(
                        () -> ran.add("nested body of the running loop"))));
                caught.put("another loop's runUntilComplete", catchThrowable(() -> second.runUntilComplete(
                        () -> ran.add("body of the second loop"))));
                loop.callSoon(loop::stop);
            });
            runForever("L4.8", defaultWait());
            caught.forEach((call, e) -> assertTrue(e instanceof IllegalStateException, msg("L4.8", call + " inside"
                    + " a callback of a running loop must throw IllegalStateException, threw " + e)));
            second.callSoon(second::stop);
            second.runForever();
            assertEquals(List.of(), ran, msg("L4.8", "a runUntilComplete(AsyncCallable) refused because a loop"
                    + " runs must not run its body, then or later (asyncio test_run_until_complete_nesting: the"
                    + " coroutine is never awaited); ran " + ran + "; check the running checks come before"
                    + " createTask"));
        } finally {
            if (!second.isRunning()) {
                second.close();
            }
        }
    }

    @Test
    @DisplayName("L4.9 an interrupt of the loop thread neither stops nor spins the loop; runForever returns with"
            + " the interrupt status set")
    void required_L4_9_interruptOfTheLoopThreadIsDeferred() {
        loop.callSoon(() -> Thread.currentThread().interrupt());
        long busyMillis;
        boolean interruptedOnReturn;
        try {
            busyMillis = cpuMillisWhileIdle("L4.9", "the loop thread was interrupted");
        } finally {
            interruptedOnReturn = Thread.interrupted(); // the test thread must not stay interrupted
        }
        assertTrue(interruptedOnReturn, msg("L4.9", "runForever returned with the interrupt status cleared; the loop"
                + " must set it again on return, so the code that called runForever still sees the interrupt"));
        assertTrue(busyMillis < MAX_IDLE_CPU_MILLIS, msg("L4.9", "the loop thread used " + busyMillis + " ms of CPU"
                + " in " + IDLE_WINDOW.toMillis() + " ms with nothing to do after an interrupt: it spins (a"
                + " Selector, wait() or park returns at once while the interrupt status is set); check that the loop"
                + " clears the status before it blocks (BaseEventLoop does)"));
    }

    /** Runs {@code call} and returns what it threw, or null. */
    static @Nullable Throwable catchThrowable(Executable call) {
        try {
            call.execute();
            return null;
        } catch (Throwable e) {
            return e;
        }
    }
}
