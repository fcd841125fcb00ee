package dev.asyncloop.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.asyncloop.CancelledError;
import dev.asyncloop.Context;
import dev.asyncloop.ContextVar;
import dev.asyncloop.ExceptionContext;
import dev.asyncloop.Future;
import dev.asyncloop.InvalidStateError;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Group "futures": rules F1.x–F4.x (asyncio's {@code Future}, {@code test_futures}). */
abstract class FutureRules extends ConformanceGroup {
    FutureRules(EventLoopConformanceSuite suite) {
        super(suite);
    }

    // ------------------------------------------------------------------ F1 states, result(), exception()

    @Test
    @DisplayName("F1.0 createFuture returns a pending future bound to the loop")
    void required_F1_0_createFutureBindsToLoop() {
        Future<String> f = loop.createFuture();
        assertSame(loop, f.getLoop(), msg("F1.0", "createFuture().getLoop() must be the loop that created it;"
                + " check createFuture passes the loop to the future"));
        assertEquals(Future.State.PENDING, f.state(), msg("F1.0", "a new future must be PENDING"));
        assertFalse(f.isDone(), msg("F1.0", "a new future must not be done"));
        assertFalse(f.isCancelled(), msg("F1.0", "a new future must not be cancelled"));
    }

    @Test
    @DisplayName("F1.1 result()/exception() of a pending future throw InvalidStateError with asyncio's messages")
    void required_F1_1_pendingFutureHasNoResult() {
        Future<String> f = loop.createFuture();
        InvalidStateError r = assertThrows(InvalidStateError.class, f::result,
                msg("F1.1", "result() of a pending future must throw InvalidStateError; check result()"));
        assertEquals("Result is not ready.", r.getMessage(),
                msg("F1.1", "result() of a pending future: wrong message; check it is asyncio's 'Result is not ready.'"));
        InvalidStateError e = assertThrows(InvalidStateError.class, f::exception,
                msg("F1.1", "exception() of a pending future must throw InvalidStateError; check exception()"));
        assertEquals("Exception is not set.", e.getMessage(),
                msg("F1.1", "exception() of a pending future: wrong message; check it is asyncio's"
                        + " 'Exception is not set.'"));
    }

    @Test
    @DisplayName("F1.2 a finished future returns its result; exception() is empty")
    void required_F1_2_resultIsReturned() {
        Future<String> f = loop.createFuture();
        f.setResult("v");
        assertEquals(Future.State.FINISHED, f.state(), msg("F1.2", "setResult must make the future FINISHED"));
        assertTrue(f.isDone(), msg("F1.2", "a finished future must be done"));
        assertEquals("v", f.result(), msg("F1.2", "result() must return the value given to setResult"));
        assertEquals(Optional.empty(), f.exception(), msg("F1.2", "exception() of a future finished with a"
                + " result must be empty"));
        Future<@Nullable String> n = loop.createFuture();
        n.setResult(null);
        assertEquals(null, n.result(), msg("F1.2", "a null result must be allowed and returned"));
    }

    @Test
    @DisplayName("F1.3 a cancelled future throws CancelledError carrying the cancel message")
    void required_F1_3_cancelledFutureThrowsCancelledError() {
        Future<String> f = loop.createFuture();
        assertTrue(f.cancel("why"), msg("F1.3", "cancel() of a pending future must return true"));
        assertEquals(Future.State.CANCELLED, f.state(), msg("F1.3", "cancel must make the future CANCELLED"));
        assertTrue(f.isDone() && f.isCancelled(), msg("F1.3", "a cancelled future must be done and cancelled"));
        CancelledError r = assertThrows(CancelledError.class, f::result,
                msg("F1.3", "result() of a cancelled future must throw CancelledError"));
        assertEquals("why", r.getMessage(), msg("F1.3", "the CancelledError must carry the message given to"
                + " cancel(msg); check the cancel message is stored"));
        CancelledError e = assertThrows(CancelledError.class, f::exception,
                msg("F1.3", "exception() of a cancelled future must throw CancelledError"));
        assertEquals("why", e.getMessage(), msg("F1.3", "exception() of a cancelled future: the CancelledError"
                + " must carry the cancel message"));
        Future<String> plain = loop.createFuture();
        plain.cancel();
        assertEquals(null, assertThrows(CancelledError.class, plain::result).getMessage(),
                msg("F1.3", "cancel() without message: CancelledError must have a null message"));
    }

    @Test
    @DisplayName("F1.4 result() rethrows unchecked exceptions as they are and wraps checked ones in CompletionException;"
            + " exception() returns the original")
    void required_F1_4_exceptionsAreRethrown() {
        Future<String> unchecked = loop.createFuture();
        IllegalArgumentException iae = new IllegalArgumentException("boom");
        unchecked.setException(iae);
        assertEquals(Future.State.FINISHED, unchecked.state(), msg("F1.4", "setException must make the future"
                + " FINISHED"));
        assertSame(iae, assertThrows(IllegalArgumentException.class, unchecked::result,
                msg("F1.4", "result() must rethrow an unchecked exception as it is")),
                msg("F1.4", "result() must rethrow the very exception given to setException"));
        assertSame(iae, unchecked.exception().orElseThrow(), msg("F1.4", "exception() must return the exception"));

        Future<String> checked = loop.createFuture();
        IOException io = new IOException("io");
        checked.setException(io);
        CompletionException ce = assertThrows(CompletionException.class, checked::result,
                msg("F1.4", "result() must wrap a checked exception in CompletionException"));
        assertSame(io, ce.getCause(), msg("F1.4", "the CompletionException's cause must be the original exception"));
        assertSame(io, checked.exception().orElseThrow(), msg("F1.4", "exception() must return the original checked"
                + " exception, not a wrapper"));
    }

    // ------------------------------------------------------------------ F2 set* and cancel on done futures

    @Test
    @DisplayName("F2.1 setResult/setException on a done future throw InvalidStateError and change nothing")
    void required_F2_1_setOnDoneFutureFails() {
        Future<String> f = loop.createFuture();
        f.setResult("first");
        assertThrows(InvalidStateError.class, () -> f.setResult("second"),
                msg("F2.1", "setResult on a finished future must throw InvalidStateError"));
        assertThrows(InvalidStateError.class, () -> f.setException(new RuntimeException()),
                msg("F2.1", "setException on a finished future must throw InvalidStateError"));
        assertEquals("first", f.result(), msg("F2.1", "a failed set* must not change the result"));

        Future<String> c = loop.createFuture();
        c.cancel();
        assertThrows(InvalidStateError.class, () -> c.setResult("x"),
                msg("F2.1", "setResult on a cancelled future must throw InvalidStateError"));
        assertThrows(InvalidStateError.class, () -> c.setException(new RuntimeException()),
                msg("F2.1", "setException on a cancelled future must throw InvalidStateError"));
        assertTrue(c.isCancelled(), msg("F2.1", "a failed set* must leave the future cancelled"));
    }

    @Test
    @DisplayName("F2.2 cancel() returns true once, false when the future is already done")
    void required_F2_2_cancelReturnValues() {
        Future<String> f = loop.createFuture();
        assertTrue(f.cancel(), msg("F2.2", "first cancel() of a pending future must return true"));
        assertFalse(f.cancel(), msg("F2.2", "cancel() of a cancelled future must return false"));
        Future<String> done = loop.createFuture();
        done.setResult("v");
        assertFalse(done.cancel("late"), msg("F2.2", "cancel() of a finished future must return false"));
        assertFalse(done.isCancelled(), msg("F2.2", "cancel() of a finished future must not cancel it"));
        assertEquals("v", done.result(), msg("F2.2", "cancel() of a finished future must keep the result"));
    }

    // ------------------------------------------------------------------ F3 done-callbacks

    @Test
    @DisplayName("F3.1 done-callbacks are never called inline by setResult/setException/cancel")
    void required_F3_1_callbacksNeverInline() {
        List<String> calls = new ArrayList<>();
        Future<String> a = loop.createFuture();
        Future<String> b = loop.createFuture();
        Future<String> c = loop.createFuture();
        a.addDoneCallback(f -> calls.add("a"));
        b.addDoneCallback(f -> calls.add("b"));
        c.addDoneCallback(f -> calls.add("c"));
        a.setResult("x");
        b.setException(new IllegalStateException("expected by the test"));
        c.cancel();
        assertEquals(List.of(), calls, msg("F3.1", "done-callbacks ran inside setResult/setException/cancel;"
                + " check they are scheduled with callSoon, never called directly"));
        b.exception();
        loop.callSoon(loop::stop);
        runForever("F3.1", defaultWait());
        assertEquals(List.of("a", "b", "c"), calls, msg("F3.1", "done-callbacks must run on the next loop"
                + " iteration, each once; check the future schedules them with callSoon"));
    }

    @Test
    @DisplayName("F3.2 done-callbacks are scheduled in registration order and receive the future")
    void required_F3_2_callbacksInRegistrationOrder() {
        List<Object> calls = new ArrayList<>();
        Future<String> f = loop.createFuture();
        for (int i = 0; i < 10; i++) {
            int n = i;
            f.addDoneCallback(g -> {
                calls.add(n);
                if (g != f) {
                    calls.add("wrong future " + g);
                }
            });
        }
        loop.callSoon(() -> f.setResult("v"));
        loop.callSoon(() -> loop.callSoon(loop::stop));
        runForever("F3.2", defaultWait());
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), calls, msg("F3.2", "done-callbacks must run once each,"
                + " in the order they were added, with the future as argument; check the callback list"
                + " keeps insertion order"));
    }

    @Test
    @DisplayName("F3.3 a done-callback runs in the context captured at registration, or in the explicit one")
    void required_F3_3_callbackContext() {
        ContextVar<String> var = ContextVar.of("F3.3");
        List<String> seen = new ArrayList<>();
        Future<String> f = loop.createFuture();
        Context explicit = new Context();
        explicit.run(() -> var.set("explicit"));
        new Context().run(() -> {
            var.set("at registration");
            f.addDoneCallback(g -> seen.add(var.get("none")));
            f.addDoneCallback(g -> seen.add(var.get("none")), explicit);
            var.set("changed later");
        });
        f.setResult("v");
        loop.callSoon(loop::stop);
        runForever("F3.3", defaultWait());
        assertEquals(List.of("at registration", "explicit"), seen, msg("F3.3", "the first callback must see the"
                + " context copied when it was added, the second the context passed explicitly; check"
                + " addDoneCallback captures Context.copyCurrent() and callbacks are scheduled with their context"));
    }

    @Test
    @DisplayName("F3.4 removeDoneCallback removes every equal registration, returns the count; others still run")
    void required_F3_4_removeDoneCallback() {
        List<String> calls = new ArrayList<>();
        Future<String> f = loop.createFuture();
        Consumer<Future<String>> removed = g -> calls.add("removed");
        Consumer<Future<String>> kept = g -> calls.add("kept");
        f.addDoneCallback(removed);
        f.addDoneCallback(kept);
        f.addDoneCallback(removed);
        f.addDoneCallback(kept);
        f.addDoneCallback(removed);
        assertEquals(3, f.removeDoneCallback(removed), msg("F3.4", "removeDoneCallback must remove all 3"
                + " registrations of the callback and return 3"));
        assertEquals(0, f.removeDoneCallback(removed), msg("F3.4", "removing an absent callback must return 0"));
        f.setResult("v");
        loop.callSoon(loop::stop);
        runForever("F3.4", defaultWait());
        assertEquals(List.of("kept", "kept"), calls, msg("F3.4", "the callbacks not removed must still run, once"
                + " per registration; check removeDoneCallback keeps the other entries"));
    }

    @Test
    @DisplayName("F3.6 removing the first callback keeps the others, and those added later, in order; a callback that"
            + " removes another after completion does not stop it")
    void required_F3_6_removalKeepsOrder() {
        List<String> calls = new ArrayList<>();
        Future<String> f = loop.createFuture();
        Consumer<Future<String>> first = g -> calls.add("first");
        Consumer<Future<String>> later = g -> calls.add("later");
        f.addDoneCallback(first);
        f.addDoneCallback(g -> calls.add("second"));
        f.addDoneCallback(g -> calls.add("third"));
        assertEquals(1, f.removeDoneCallback(first), msg("F3.6", "removing the first callback must return 1"));
        f.addDoneCallback(later);
        f.addDoneCallback(first);
        int[] removedAfterDone = {-1};
        f.addDoneCallback(g -> removedAfterDone[0] = g.removeDoneCallback(later));
        f.addDoneCallback(later);
        f.setResult("v");
        loop.callSoon(loop::stop);
        runForever("F3.6", defaultWait());
        assertEquals(List.of("second", "third", "later", "first", "later"), calls, msg("F3.6", "after removing"
                + " the first callback the others must run in registration order, the ones added afterwards last;"
                + " check the storage of the first callback (a dedicated slot, as asyncio's C future has) keeps"
                + " the order"));
        assertEquals(0, removedAfterDone[0], msg("F3.6", "once done a future holds no callbacks: they were all"
                + " scheduled at completion, so removing one then must return 0 and not stop it"));
    }

    @Test
    @DisplayName("F3.5 a callback added to a done future is scheduled with callSoon, after callbacks already queued")
    void required_F3_5_addToDoneFutureSchedules() {
        List<String> calls = new ArrayList<>();
        Future<String> f = loop.createFuture();
        f.setResult("v");
        loop.callSoon(() -> calls.add("before"));
        f.addDoneCallback(g -> calls.add("done-callback"));
        loop.callSoon(() -> calls.add("after"));
        assertEquals(List.of(), calls, msg("F3.5", "a callback added to a done future ran inline; check"
                + " addDoneCallback schedules it with callSoon"));
        loop.callSoon(loop::stop);
        runForever("F3.5", defaultWait());
        assertEquals(List.of("before", "done-callback", "after"), calls, msg("F3.5", "a callback added to a done"
                + " future must be queued with callSoon at once, in FIFO order with other callbacks"));
    }

    // ------------------------------------------------------------------ F4 exception never retrieved

    @Test
    @DisplayName("F4.1 a failed future whose exception nobody read is reported when it becomes unreachable")
    void required_F4_1_unretrievedExceptionReported() {
        expectReports();
        RuntimeException boom = new IllegalStateException("F4.1 expected by the test: never retrieved");
        failedFuture(boom, false);
        ExceptionContext report = Gc.awaitReport(this, r -> r.exception().orElse(null) == boom);
        if (report == null) {
            throw new AssertionError(msg("F4.1", "a failed future nobody referenced and whose exception was never"
                    + " read was not reported within " + Gc.bound() + " (reports: " + reports() + "); check"
                    + " setException arms a"
                    + " Cleaner/finalizer that calls callExceptionHandler"));
        }
        assertTrue(report.message().contains("exception was never retrieved"), msg("F4.1", "the report's message"
                + " must say 'Future exception was never retrieved', was: " + report.message()));
    }

    @Test
    @DisplayName("F4.2 a failed future whose exception() was read is not reported when it becomes unreachable")
    void required_F4_2_retrievedExceptionNotReported() {
        expectReports();
        RuntimeException read = new IllegalStateException("F4.2 expected by the test: read");
        RuntimeException witness = new IllegalStateException("F4.2 expected by the test: witness");
        WeakReference<Future<?>> readRef = failedFuture(read, true);
        failedFuture(witness, false);
        ExceptionContext report = Gc.awaitReport(this, r -> r.exception().orElse(null) == witness);
        Gc.awaitCleared(this, readRef);
        Gc.spin(this, 5);
        if (report == null || readRef.get() != null) {
            return; // the JVM did not collect both futures in time: nothing can be concluded, no false failure
        }
        for (ExceptionContext r : reports()) {
            if (r.exception().orElse(null) == read) {
                fail(msg("F4.2", "a future whose exception() was called was reported as 'never retrieved': " + r
                        + "; check exception() (and result(), cancel()) disarm the report"));
            }
        }
    }

    @Test
    @DisplayName("F4.3 in debug mode the 'never retrieved' report carries the stack where the future was created")
    void optional_F4_3_debugReportHasSourceTraceback() {
        expectReports();
        loop.setDebug(true);
        RuntimeException boom = new IllegalStateException("F4.3 expected by the test: never retrieved");
        failedFuture(boom, false);
        ExceptionContext report = Gc.awaitReport(this, r -> r.exception().orElse(null) == boom);
        if (report == null) {
            throw new AssertionError(msg("F4.3", "the unretrieved exception was not reported within " + Gc.bound()
                    + "; see F4.1"));
        }
        assertTrue(report.sourceTraceback().stream().anyMatch(f -> f.getMethodName().equals("failedFuture")),
                msg("F4.3", "in debug mode the report's sourceTraceback must include where the future was created"
                        + " (FutureRules.failedFuture), was: " + report.sourceTraceback() + "; check createFuture"
                        + " records the creation stack when getDebug() is true"));
    }

    /** Makes a failed future that nothing references once this returns. */
    private WeakReference<Future<?>> failedFuture(RuntimeException e, boolean retrieve) {
        Future<String> f = loop.createFuture();
        f.setException(e);
        if (retrieve) {
            f.exception();
        }
        return new WeakReference<>(f);
    }
}
