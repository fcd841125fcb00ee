package dev.asyncloop;

import static dev.asyncloop.Async.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.OptionalDouble;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Behaviour of {@link Timeout}, in the spirit of CPython's test_timeouts. */
class TimeoutTest extends LoopFixture {

    @Test
    @DisplayName("an expired timeout turns the body's cancellation into TimeoutError, never early")
    void expiryRaisesTimeoutError() {
        run(() -> {
            double start = loop.time();
            TimeoutError e = assertThrows(TimeoutError.class,
                    () -> Timeout.run(SHORT, () -> Async.sleep(LONG, "late")));
            assertTrue(loop.time() - start >= 0.020, "expired early, after " + (loop.time() - start) + " s");
            assertInstanceOf(CancelledError.class, e.getCause(), "the cause is the body's cancellation");
            assertEquals(0, current().cancelling(), "the timeout withdrew its cancel request");
            return null;
        });
    }

    /** A cancellation of the application's own kind. */
    static final class OwnCancellation extends CancelledError {
        OwnCancellation(String message) {
            super(message);
        }
    }

    @Test
    @DisplayName("a body that turns the expiry's cancellation into a CancelledError subclass still ends in"
            + " TimeoutError; so does a TaskGroup's (asyncio's gh-113848: only CancelledError itself was converted)")
    void cancelledErrorSubclassesAreConverted() {
        run(() -> {
            TimeoutError e = assertThrows(TimeoutError.class, () -> Timeout.run(SHORT, () -> {
                try {
                    return Async.sleep(LONG, "late");
                } catch (CancelledError c) {
                    throw new OwnCancellation("own");
                }
            }));
            assertInstanceOf(OwnCancellation.class, e.getCause());
            assertEquals(0, current().cancelling());

            IllegalStateException boom = new IllegalStateException("boom");
            TaskGroupException g = assertThrows(TaskGroupException.class, () -> TaskGroup.run(group -> {
                group.createTask(() -> {
                    throw boom;
                });
                try {
                    return Async.sleep(LONG, "late");
                } catch (CancelledError c) {
                    throw new OwnCancellation("own");
                }
            }));
            assertEquals(java.util.List.of(boom), g.exceptions());
            assertEquals(0, current().cancelling());
            Async.sleep(Duration.ofMillis(1));   // not cancelled any more
            return null;
        });
    }

    @Test
    @DisplayName("a body that finishes in time returns its result; the timeout is not expired")
    void bodyInTimeReturns() {
        String r = run(() -> Timeout.run(LONG, () -> Async.sleep(Duration.ZERO, "ok")));
        assertEquals("ok", r);
        run(() -> {
            double before = loop.time();
            try (Timeout t = Timeout.after(Duration.ofSeconds(10))) {
                assertTrue(t.when().getAsDouble() >= before + 10, "when() is now + delay");
                Async.sleep(Duration.ofMillis(1));
                assertFalse(t.expired());
            }
            return null;
        });
    }

    @Test
    @DisplayName("try-with-resources form: close() records the expiry and convert() gives TimeoutError")
    void tryWithResourcesForm() {
        run(() -> {
            Timeout t = Timeout.after(SHORT);
            RuntimeException thrown = null;
            try (t) {
                Async.sleep(LONG);
            } catch (CancelledError e) {
                thrown = t.convert(e);
            }
            assertInstanceOf(TimeoutError.class, thrown);
            assertTrue(t.expired());
            assertEquals(0, current().cancelling(), "close() withdrew the timeout's cancel request");
            assertThrows(IllegalStateException.class, () -> t.reschedule(loop.time() + 1),
                    "an expired timeout cannot be rescheduled");
            Async.sleep(Duration.ofMillis(1));   // the task is not cancelled any more
            return null;
        });
    }

    @Test
    @DisplayName("convert() inside the open block is a misuse")
    void convertBeforeClose() {
        run(() -> {
            try (Timeout t = Timeout.never()) {
                assertThrows(IllegalStateException.class, () -> t.convert(new CancelledError()));
            }
            return null;
        });
    }

    @Test
    @DisplayName("a zero or past deadline expires at the next iteration, even across sleep(0)")
    void zeroAndPastDeadlines() {
        run(() -> {
            assertThrows(TimeoutError.class, () -> Timeout.run(Duration.ZERO, () -> Async.sleep(LONG, null)));
            assertThrows(TimeoutError.class, () -> Timeout.runAt(loop.time() - 11, () -> {
                Async.sleep(Duration.ZERO);
                return null;
            }));
            assertEquals(0, current().cancelling());
            return null;
        });
    }

    @Test
    @DisplayName("never() does not expire until rescheduled; reschedule moves and removes the deadline")
    void neverAndReschedule() {
        run(() -> {
            Timeout t = Timeout.never();
            RuntimeException thrown = null;
            try (t) {
                assertTrue(t.when().isEmpty());
                Async.sleep(Duration.ofMillis(5));
                t.reschedule(loop.time() + 3600);
                t.reschedule(OptionalDouble.empty());
                Async.sleep(Duration.ofMillis(5));
                assertFalse(t.expired());
                t.reschedule(loop.time() - 1);
                Async.sleep(LONG);
            } catch (CancelledError e) {
                thrown = t.convert(e);
            }
            assertInstanceOf(TimeoutError.class, thrown);
            return null;
        });
    }

    @Test
    @DisplayName("a closed timeout cannot be rescheduled; closing twice does nothing")
    void closedTimeout() {
        run(() -> {
            Timeout t = Timeout.after(LONG);
            t.close();
            t.close();
            assertThrows(IllegalStateException.class, () -> t.reschedule(loop.time() + 1));
            assertFalse(t.expired());
            return null;
        });
    }

    @Test
    @DisplayName("a timeout outside a task is refused")
    void outsideTask() {
        assertThrows(IllegalStateException.class, () -> Timeout.after(SHORT));
        boolean[] refusedInCallback = {false};
        loop.callSoon(() -> {
            try {
                Timeout.after(SHORT);
            } catch (IllegalStateException e) {
                refusedInCallback[0] = true;
            }
        });
        run(() -> Async.sleep(Duration.ofMillis(1), null));
        assertTrue(refusedInCallback[0], "a plain callback is not a task");
    }

    @Test
    @DisplayName("exceptions of the body pass unchanged; checked ones wrapped in CompletionException")
    void foreignExceptionPasses() {
        run(() -> {
            IllegalArgumentException boom = new IllegalArgumentException("boom");
            assertSame(boom, assertThrows(IllegalArgumentException.class, () -> Timeout.run(LONG, () -> {
                throw boom;
            })));
            assertEquals(0, boom.getSuppressed().length, "no TimeoutError note: the timeout did not expire");
            Exception checked = new Exception("checked");
            assertSame(checked, assertThrows(CompletionException.class, () -> Timeout.run(LONG, () -> {
                throw checked;
            })).getCause());
            return null;
        });
    }

    @Test
    @DisplayName("an exception thrown while handling the timeout's cancellation carries a TimeoutError note")
    void exceptionDuringExpiry() {
        run(() -> {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Timeout.run(SHORT, () -> {
                try {
                    Async.sleep(LONG);
                } catch (CancelledError c) {
                    throw new IllegalStateException("cleanup failed");
                }
                return null;
            }));
            assertEquals(1, e.getSuppressed().length);
            assertInstanceOf(TimeoutError.class, e.getSuppressed()[0]);
            assertEquals(0, current().cancelling());
            return null;
        });
    }

    @Test
    @DisplayName("a cancellation from elsewhere is not converted when the timeout did not expire")
    void foreignCancelNotExpired() {
        run(() -> {
            Task<?> self = current();
            loop.callLater(Duration.ofMillis(5), () -> self.cancel("foreign"));
            Timeout t = Timeout.after(LONG);
            CancelledError c = assertThrows(CancelledError.class, () -> {
                try (t) {
                    Async.sleep(LONG);
                }
            });
            assertSame(c, t.convert(c));
            assertFalse(t.expired());
            assertEquals(1, self.cancelling(), "the foreign request stays");
            self.uncancel();
            return null;
        });
    }

    @Test
    @DisplayName("a foreign cancellation together with the expiry stays a CancelledError")
    void foreignCancelAndExpiry() {
        run(() -> {
            Task<?> self = current();
            // A deadline already passed: Timeout expires through callSoon, queued before the body schedules the
            // foreign cancel with a timer due at once; both run in the next iteration, expiry first, however late
            // it comes. (A deadline ahead races the clock between the two schedulings.)
            double when = loop.time();
            assertThrows(CancelledError.class, () -> Timeout.runAt(when, () -> {
                loop.callAt(when, () -> self.cancel("foreign"));   // same iteration, after the timeout's timer
                return Async.sleep(LONG, null);
            }));
            assertEquals(1, self.cancelling(), "the timeout withdrew only its own request");
            self.uncancel();
            return null;
        });
    }

    @Test
    @DisplayName("nested: the outer timeout expires, the inner passes the cancellation, the outer converts")
    void nestedOuterExpires() {
        run(() -> {
            Timeout[] inner = new Timeout[1];
            assertThrows(TimeoutError.class, () -> Timeout.run(SHORT, () -> {
                Timeout t = Timeout.after(LONG);
                inner[0] = t;
                try (t) {
                    return Async.sleep(LONG, null);
                }
            }));
            assertFalse(inner[0].expired());
            assertEquals(0, current().cancelling());
            return null;
        });
    }

    @Test
    @DisplayName("nested: the inner timeout expires and converts; the outer sees TimeoutError and does not")
    void nestedInnerExpires() {
        run(() -> {
            Timeout outer = Timeout.after(LONG);
            try (outer) {
                assertThrows(TimeoutError.class, () -> Timeout.run(SHORT, () -> Async.sleep(LONG, null)));
            }
            assertFalse(outer.expired());
            return null;
        });
    }

    @Test
    @DisplayName("nested: both expire in the same iteration; only the outer one converts")
    void nestedBothExpireTogether() {
        run(() -> {
            // A deadline already passed: both expire through callSoon, outer first, in the next iteration however
            // late it comes. (A deadline ahead races the clock: passed between the two, the inner one would expire
            // through callSoon ahead of the outer one's timer.)
            double when = loop.time();
            Timeout outer = Timeout.at(when);
            Timeout inner = Timeout.at(when);
            RuntimeException outcome = null;
            CancelledError innerSaw = null;
            try (outer) {
                try (inner) {
                    Async.sleep(LONG);
                } catch (CancelledError e) {
                    innerSaw = e;
                    throw inner.convert(e);
                }
            } catch (CancelledError e) {
                outcome = outer.convert(e);
            }
            assertTrue(inner.expired() && outer.expired());
            assertInstanceOf(CancelledError.class, innerSaw);
            assertInstanceOf(TimeoutError.class, outcome, "the outer timeout converts");
            assertEquals(0, current().cancelling());
            return null;
        });
    }

    @Test
    @DisplayName("expiry while the awaited task swallows the cancellation: the body's result, no TimeoutError")
    void expiredButBodyFinished() {
        run(() -> {
            Task<String> stubborn = loop.createTask(() -> {
                try {
                    Async.sleep(LONG);
                } catch (CancelledError e) {
                    current().uncancel();
                }
                return "finished anyway";
            });
            Timeout t = Timeout.after(SHORT);
            String r;
            try (t) {
                r = await(stubborn);
            }
            assertEquals("finished anyway", r);
            assertTrue(t.expired(), "it expired");
            assertEquals(0, current().cancelling(), "and withdrew its request");
            Async.sleep(Duration.ofMillis(1));
            return null;
        });
    }

    @Test
    @DisplayName("race: the awaited future completes in the iteration the deadline passes (asyncio: TimeoutError)")
    void expiryInTheIterationTheFutureCompletes() {
        run(() -> {
            // A deadline already passed: Timeout expires (as asyncio does) through callSoon, queued behind the
            // completion, so both run in the next iteration, completion first, however late it comes. (A deadline
            // ahead races the clock: passed by the time runAt arms it, its callSoon would overtake a completion
            // timer due in the same iteration.)
            double when = loop.time();
            Future<String> f = loop.createFuture();
            loop.callSoon(() -> f.setResult("in time?"));
            assertThrows(TimeoutError.class, () -> Timeout.runAt(when, () -> await(f)));
            assertEquals("in time?", f.result(), "the future itself was not cancelled");
            assertEquals(0, current().cancelling());
            return null;
        });
    }

    @Test
    @DisplayName("a deadline passing after the body finished does nothing")
    void deadlineAfterBody() {
        run(() -> {
            Timeout t = Timeout.after(Duration.ofMillis(5));
            try (t) {
                Async.yieldNow();
            }
            Async.sleep(Duration.ofMillis(20));
            assertFalse(t.expired());
            assertEquals(0, current().cancelling());
            return null;
        });
    }

    @Test
    @DisplayName("run(): once the body has returned or thrown, the deadline passing later cancels nothing")
    void runDisarmsOnEveryExit() {
        run(() -> {
            assertEquals("ok", Timeout.run(Duration.ofMillis(5), () -> "ok"));
            Exception checked = new Exception("checked");
            assertSame(checked, assertThrows(CompletionException.class, () -> Timeout.run(Duration.ofMillis(5), () -> {
                throw checked;
            })).getCause());
            AssertionError error = new AssertionError("an Error");
            assertSame(error, assertThrows(AssertionError.class, () -> Timeout.run(Duration.ofMillis(5), () -> {
                throw error;
            })));
            Async.sleep(Duration.ofMillis(30));
            assertEquals(0, current().cancelling(), "no cancel request reached the task");
            return null;
        });
    }

    @Test
    @DisplayName("reschedule to a later deadline: the earlier one no longer fires")
    void rescheduleLaterDisarmsTheEarlierDeadline() {
        run(() -> {
            Timeout t = Timeout.after(Duration.ofMillis(5));
            try (t) {
                t.reschedule(loop.time() + 3600);
                Async.sleep(Duration.ofMillis(30));
            }
            assertFalse(t.expired());
            return null;
        });
    }

    @Test
    @DisplayName("toString: the state, and the deadline while active")
    void toStringShowsStateAndDeadline() {
        run(() -> {
            Timeout t = Timeout.at(loop.time() + 3600);
            assertEquals("Timeout[active, when=" + t.when().getAsDouble() + "]", t.toString());
            t.reschedule(OptionalDouble.empty());
            assertEquals("Timeout[active]", t.toString());
            t.close();
            assertEquals("Timeout[finished]", t.toString());
            Timeout expired = Timeout.after(Duration.ZERO);
            try (expired) {
                Async.sleep(LONG);
            } catch (CancelledError e) {
                assertEquals("Timeout[expired]", expired.toString());
            }
            return null;
        });
    }
}
