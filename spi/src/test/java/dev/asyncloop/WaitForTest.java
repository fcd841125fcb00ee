package dev.asyncloop;

import static dev.asyncloop.Async.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Behaviour of {@link Tasks#waitFor}, in the spirit of CPython's test_waitfor (3.12 semantics). */
class WaitForTest extends LoopFixture {

    @Test
    @DisplayName("a future done in time gives its result; a null timeout waits as long as needed")
    void resultInTime() {
        run(() -> {
            assertEquals("a", Tasks.waitFor(later(Duration.ofMillis(5), "a"), LONG));
            assertEquals("b", Tasks.waitFor(later(Duration.ofMillis(5), "b"), null));
            assertEquals("c", Tasks.waitFor(() -> Async.sleep(Duration.ofMillis(1), "c"), LONG));
            return null;
        });
    }

    @Test
    @DisplayName("on timeout the inner task is cancelled and waited for, then TimeoutError; never early")
    void timeoutCancelsAndWaits() {
        run(() -> {
            boolean[] cleanedUp = {false};
            Task<String> inner = loop.createTask(() -> {
                try {
                    return Async.sleep(LONG, "never");
                } finally {
                    Async.sleep(Duration.ofMillis(5));   // slow clean-up, still waited for
                    cleanedUp[0] = true;
                }
            });
            double start = loop.time();
            TimeoutError e = assertThrows(TimeoutError.class, () -> Tasks.waitFor(inner, SHORT));
            assertTrue(loop.time() - start >= 0.020, "expired early");
            assertTrue(inner.isCancelled(), "the inner task is cancelled and done when waitFor throws");
            assertTrue(cleanedUp[0]);
            assertInstanceOf(CancelledError.class, e.getCause());
            assertEquals(0, current().cancelling());
            return null;
        });
    }

    @Test
    @DisplayName("an inner task that swallows the cancellation and returns: its result (3.12)")
    void innerSwallowsCancellation() {
        run(() -> {
            Task<String> inner = loop.createTask(() -> {
                try {
                    Async.sleep(LONG);
                } catch (CancelledError e) {
                    current().uncancel();
                }
                return "kept";
            });
            assertEquals("kept", Tasks.waitFor(inner, SHORT));
            assertEquals(0, current().cancelling());
            return null;
        });
    }

    @Test
    @DisplayName("timeout <= 0: a done future's result; a pending one is cancelled, waited for, TimeoutError")
    void nonPositiveTimeout() {
        run(() -> {
            Future<String> done = loop.createFuture();
            done.setResult("done");
            assertEquals("done", Tasks.waitFor(done, Duration.ZERO));
            Task<String> pending = sleeper(LONG, "x");
            assertThrows(TimeoutError.class, () -> Tasks.waitFor(pending, Duration.ofSeconds(-1)));
            assertTrue(pending.isCancelled());
            assertThrows(TimeoutError.class, () -> Tasks.waitFor(() -> Async.sleep(LONG, "y"), Duration.ZERO));
            assertEquals(0, current().cancelling());
            return null;
        });
    }

    @Test
    @DisplayName("the inner's exception passes unchanged")
    void innerException() {
        run(() -> {
            IllegalStateException boom = new IllegalStateException("boom");
            assertSame(boom, assertThrows(IllegalStateException.class,
                    () -> Tasks.waitFor(failLater(Duration.ofMillis(1), boom), LONG)));
            return null;
        });
    }

    @Test
    @DisplayName("cancelling the waiting task cancels the inner and raises CancelledError, not TimeoutError")
    void outerCancelled() {
        run(() -> {
            Task<String> inner = sleeper(LONG, "x");
            Task<String> waiter = loop.createTask(() -> Tasks.waitFor(inner, LONG));
            Async.sleep(Duration.ofMillis(5));
            waiter.cancel();
            assertThrows(CancelledError.class, () -> await(waiter));
            assertTrue(inner.isCancelled());
            assertTrue(waiter.isCancelled());
            return null;
        });
    }

    @Test
    @DisplayName("a body given as AsyncCallable runs inline in the waiting task")
    void bodyRunsInline() {
        run(() -> {
            Task<?> self = current();
            assertSame(self, Tasks.waitFor(() -> current(), LONG));
            assertThrows(TimeoutError.class, () -> Tasks.waitFor(() -> Async.sleep(LONG, null), SHORT));
            return null;
        });
    }

    @Test
    @DisplayName("race: the inner completes in the iteration the deadline passes (3.12: TimeoutError, result kept)")
    void completionAndTimeoutInOneIteration() {
        run(() -> {
            Future<String> f = loop.createFuture();
            // A deadline already passed arms the timeout with callSoon, queued behind the completion: both run in
            // the next iteration, completion first, however late that iteration comes. (A deadline a little
            // ahead would race the clock: passed by the time the timeout is armed, its callSoon would run before
            // a completion timer due in the same iteration.)
            double when = loop.time();
            loop.callSoon(() -> f.setResult("just in time"));
            assertThrows(TimeoutError.class, () -> Timeout.runAt(when, () -> Tasks.waitFor(f, null)));
            assertEquals("just in time", f.result());
            assertFalse(f.isCancelled());
            assertEquals(0, current().cancelling());
            return null;
        });
    }
}
