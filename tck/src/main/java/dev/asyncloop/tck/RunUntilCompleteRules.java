package dev.asyncloop.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.Async;
import dev.asyncloop.CancelledError;
import dev.asyncloop.EventLoop;
import dev.asyncloop.ExceptionContext;
import dev.asyncloop.Future;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Group "runUntilComplete": rules L5.x. */
abstract class RunUntilCompleteRules extends ConformanceGroup {
    RunUntilCompleteRules(EventLoopConformanceSuite suite) {
        super(suite);
    }

    @Test
    @DisplayName("L5.1 runUntilComplete returns the future's result, also for a future already done")
    void required_L5_1_returnsResult() {
        Future<String> f = loop.createFuture();
        loop.callLater(Duration.ofMillis(2), () -> f.setResult("done"));
        assertEquals("done", runUntil("L5.1", "a future set by a timer", defaultWait(), f), msg("L5.1",
                "runUntilComplete must return the future's result; check it returns future.result()"));
        Future<String> already = loop.createFuture();
        already.setResult("early");
        assertEquals("early", runUntil("L5.1", "a done future", defaultWait(), already), msg("L5.1",
                "runUntilComplete of a done future must return its result; check the done-callback that stops the"
                        + " loop is added even when the future is done"));
        assertFalse(loop.isRunning(), msg("L5.1", "the loop must not be running after runUntilComplete"));
    }

    @Test
    @DisplayName("L5.2 the future's exception is rethrown: unchecked as is, checked in CompletionException")
    void required_L5_2_exceptionRethrown() {
        Future<String> unchecked = loop.createFuture();
        IllegalArgumentException boom = new IllegalArgumentException("L5.2 boom");
        loop.callSoon(() -> unchecked.setException(boom));
        IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
                () -> loop.runUntilComplete(unchecked), msg("L5.2", "an unchecked exception must be rethrown"));
        assertSame(boom, thrown, msg("L5.2", "runUntilComplete must rethrow the future's unchecked exception"
                + " itself, not a copy or wrapper; check it returns future.result()"));
        Future<String> checked = loop.createFuture();
        IOException io = new IOException("L5.2 io");
        loop.callSoon(() -> checked.setException(io));
        CompletionException wrapped = assertThrows(CompletionException.class,
                () -> loop.runUntilComplete(checked), msg("L5.2", "a checked exception must arrive wrapped in"
                        + " CompletionException"));
        assertSame(io, wrapped.getCause(), msg("L5.2", "the CompletionException's cause must be the future's"
                + " checked exception"));
        Future<String> cancelled = loop.createFuture();
        loop.callSoon(() -> cancelled.cancel("L5.2 cancel"));
        assertThrows(CancelledError.class, () -> loop.runUntilComplete(cancelled), msg("L5.2", "a cancelled"
                + " future must make runUntilComplete throw CancelledError"));
    }

    @Test
    @DisplayName("L5.3 a future of another loop → IllegalArgumentException")
    void required_L5_3_foreignFutureRejected() {
        EventLoop other = suite.newLoop();
        try {
            Future<Integer> foreign = other.createFuture();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> loop.runUntilComplete(foreign), msg("L5.3", "runUntilComplete of a future bound to"
                            + " another loop must throw IllegalArgumentException; check getLoop() is compared"));
            assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), msg("L5.3", "the message must say"
                    + " what is wrong"));
            assertFalse(loop.isRunning(), msg("L5.3", "the loop must not be left running"));
        } finally {
            other.close();
        }
    }

    @Test
    @DisplayName("L5.4 stop() before the future is done → IllegalStateException")
    void required_L5_4_stoppedBeforeDone() {
        Future<Integer> never = loop.createFuture();
        loop.callSoon(loop::stop);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> loop.runUntilComplete(never),
                msg("L5.4", "runUntilComplete must throw IllegalStateException when the loop stops before the"
                        + " future is done"));
        assertEquals("Event loop stopped before Future completed.", e.getMessage(), msg("L5.4", "the message must"
                + " be asyncio's; check runUntilComplete's check after runForever returns"));
        never.setResult(9);
        assertEquals(9, loop.runUntilComplete(never), msg("L5.4", "the loop must still run after that"));
    }

    @Test
    @DisplayName("L5.5 runUntilComplete(AsyncCallable) runs the body as a task and returns its result")
    void required_L5_5_asyncCallableForm() {
        double t0 = loop.time();
        double[] inside = new double[1];
        String result = loop.runUntilComplete(() -> {
            Async.sleep(Duration.ofMillis(30));
            inside[0] = loop.time();
            return Async.currentTask().map(t -> "in a task").orElse("not in a task");
        });
        assertEquals("in a task", result, msg("L5.5", "runUntilComplete(AsyncCallable) must run the body inside a"
                + " task and return its result; check it wraps the body with createTask"));
        assertTrue(inside[0] - t0 >= 0.030, msg("L5.5", "sleep(30 ms) inside must take at least 0.030 s of"
                + " loop.time(), took " + (inside[0] - t0) + "; check timers (asyncio test_run_until_complete)"));
        IllegalStateException e = new IllegalStateException("L5.5 body failed");
        IllegalStateException thrown = assertThrows(IllegalStateException.class,
                () -> loop.runUntilComplete(() -> {
                    Async.yieldNow();
                    throw e;
                }), msg("L5.5", "the body's exception must be rethrown"));
        assertSame(e, thrown, msg("L5.5", "the body's unchecked exception must be rethrown as is"));
    }

    @Test
    @DisplayName("L5.6 an Error thrown in a task escapes runUntilComplete; nothing is reported")
    void required_L5_6_errorEscapesAndIsNotReported() {
        AssertionError error = new AssertionError("L5.6 fatal");
        Throwable thrown = LifecycleRules.catchThrowable(() -> loop.runUntilComplete(() -> {
            Async.yieldNow();
            throw error;
        }));
        assertSame(error, thrown, msg("L5.6", "an Error thrown by a task must propagate out of runUntilComplete"
                + " as is (asyncio: KeyboardInterrupt/SystemExit escape run_until_complete), got " + thrown
                + "; check that runOnce catches Exception, not Throwable"));
        assertFalse(loop.isRunning(), msg("L5.6", "after the Error the loop must not be left running"));
        assertTrue(reports().isEmpty(), msg("L5.6", "an escaping Error must not be reported to the exception"
                + " handler, got " + reports()));
        loop.callSoon(loop::stop);
        runForever("L5.6", defaultWait());
        assertTrue(reports().isEmpty(), msg("L5.6", "nothing may be reported after the Error either, got "
                + reports() + "; check the task's exception is marked retrieved when runUntilComplete created it"));
    }

    @Test
    @DisplayName("L5.7 after an Error of its task escapes runUntilComplete, nothing left queued stops the loop")
    void required_L5_7_errorLeavesNoPendingStop() {
        AssertionError error = new AssertionError("L5.7 fatal");
        Throwable thrown = LifecycleRules.catchThrowable(() -> loop.runUntilComplete(() -> {
            Async.yieldNow();
            throw error;
        }));
        assertSame(error, thrown, msg("L5.7", "the task's Error must escape runUntilComplete, got " + thrown));
        List<String> ran = new ArrayList<>();
        loop.callSoon(() -> loop.callSoon(() -> {
            ran.add("second iteration");
            loop.stop();
        }));
        runForever("L5.7", defaultWait());
        assertEquals(List.of("second iteration"), ran, msg("L5.7", "the next runForever must run until its own"
                + " stop(), but it stopped after its first iteration: the stop scheduled for the finished future"
                + " of the failed runUntilComplete was still queued (asyncio test_run_until_complete_baseexception,"
                + " bpo-22429); check that the done-callback does not stop the loop for a future whose Error"
                + " escaped"));
        Future<String> later = loop.createFuture();
        loop.callSoon(() -> loop.callSoon(() -> later.setResult("ok")));
        assertEquals("ok", runUntil("L5.7", "a future done in the second iteration", defaultWait(), later),
                msg("L5.7", "runUntilComplete must work after the Error"));
    }

    @Test
    @DisplayName("L5.8 a future whose runUntilComplete ended by an Error no longer stops the loop when done")
    void required_L5_8_abandonedFutureDoesNotStopLaterRuns() {
        AssertionError error = new AssertionError("L5.8 fatal");
        Future<String> first = loop.createFuture();
        loop.callSoon(() -> {
            throw error;
        });
        Throwable thrown = LifecycleRules.catchThrowable(() -> loop.runUntilComplete(first));
        assertSame(error, thrown, msg("L5.8", "the callback's Error must escape runUntilComplete, got " + thrown));
        assertFalse(first.isDone(), msg("L5.8", "the first future must still be pending"));
        Future<String> second = loop.createFuture();
        loop.callSoon(() -> {
            first.setResult("first");
            loop.callSoon(() -> loop.callSoon(() -> second.setResult("second")));
        });
        Throwable late = LifecycleRules.catchThrowable(() -> runUntil("L5.8", "the second future", defaultWait(),
                second));
        assertNull(late, msg("L5.8", "completing the first future must not stop the loop running"
                + " runUntilComplete(second), but it threw " + late + " (asyncio"
                + " test_run_until_complete_loop_orphan_future_close_loop); check that runUntilComplete removes"
                + " its done-callback when runForever ends by an exception"));
        assertEquals("second", second.result());
    }

    @Test
    @DisplayName("L5.9 the Error of a task that escaped runUntilComplete(task) is not reported as never retrieved")
    void required_L5_9_escapedErrorIsRetrieved() {
        expectReports();
        AssertionError fatal = new AssertionError("L5.9 expected by the test: escapes runUntilComplete");
        RuntimeException witness = new IllegalStateException("L5.9 expected by the test: never retrieved");
        WeakReference<Future<?>> taskRef = taskWhoseErrorEscapes(fatal);
        Future<Object> unread = loop.createFuture();
        unread.setException(witness);
        unread = null;
        ExceptionContext witnessed = Gc.awaitReport(this, r -> r.exception().orElse(null) == witness);
        Gc.awaitCleared(this, taskRef);
        Gc.spin(this, 5);
        if (witnessed == null || taskRef.get() != null) {
            return; // the JVM did not collect both in time: nothing can be concluded, no false failure
        }
        for (ExceptionContext r : reports()) {
            assertFalse(r.exception().orElse(null) == fatal, msg("L5.9", "the task's Error reached the caller of"
                    + " runUntilComplete, yet it was reported as never retrieved: " + r + " (asyncio: the"
                    + " done-callback of run_until_complete reads the exception); check runUntilComplete reads the"
                    + " exception of a done future when runForever ends by an exception"));
        }
    }

    private WeakReference<Future<?>> taskWhoseErrorEscapes(AssertionError fatal) {
        Future<Object> task = loop.createTask(() -> {
            Async.yieldNow();
            throw fatal;
        });
        Throwable thrown = LifecycleRules.catchThrowable(() -> loop.runUntilComplete(task));
        assertSame(fatal, thrown, msg("L5.9", "the task's Error must escape runUntilComplete, got " + thrown));
        return new WeakReference<>(task);
    }
}
