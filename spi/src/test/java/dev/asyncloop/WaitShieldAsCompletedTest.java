package dev.asyncloop;

import static dev.asyncloop.Async.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Behaviour of {@link Tasks#wait}, {@link Tasks#shield} and {@link Tasks#asCompleted}. */
class WaitShieldAsCompletedTest {

    @Nested
    @DisplayName("wait")
    class Wait extends LoopFixture {
        @Test
        @DisplayName("ALL_COMPLETED returns when every future is done, failures included")
        void allCompleted() {
            run(() -> {
                Future<String> a = later(Duration.ofMillis(1), "a");
                Future<String> b = failLater(Duration.ofMillis(3), new IllegalStateException("b"));
                DoneAndPending<Future<String>> r = Tasks.wait(List.of(a, b));
                assertEquals(Set.of(a, b), r.done());
                assertTrue(r.pending().isEmpty());
                b.exception();
                return null;
            });
        }

        @Test
        @DisplayName("FIRST_COMPLETED returns after the first completion and cancels nothing")
        void firstCompleted() {
            run(() -> {
                Task<String> slow = sleeper(LONG, "slow");
                Future<String> fast = later(Duration.ofMillis(1), "fast");
                if (Tasks.wait(List.of(slow, fast), null, ReturnWhen.FIRST_COMPLETED)
                        instanceof DoneAndPending<Future<String>>(var done, var pending)) {
                    assertEquals(Set.of(fast), done);
                    assertEquals(Set.of(slow), pending);
                }
                assertFalse(slow.isDone());
                slow.cancel();
                return null;
            });
        }

        @Test
        @DisplayName("FIRST_EXCEPTION returns at the first failure, or when all are done")
        void firstException() {
            run(() -> {
                Task<String> slow = sleeper(LONG, "slow");
                Future<String> bad = failLater(Duration.ofMillis(2), new IllegalStateException("bad"));
                Future<String> good = later(Duration.ofMillis(1), "good");
                DoneAndPending<Future<String>> r = Tasks.wait(List.of(slow, bad, good), null, ReturnWhen.FIRST_EXCEPTION);
                assertEquals(Set.of(bad, good), r.done());
                assertEquals(Set.of(slow), r.pending());
                slow.cancel();
                DoneAndPending<Future<String>> all = Tasks.wait(List.of(later(Duration.ofMillis(1), "x"),
                        later(Duration.ofMillis(2), "y")), null, ReturnWhen.FIRST_EXCEPTION);
                assertEquals(2, all.done().size());
                return null;
            });
        }

        @Test
        @DisplayName("on timeout it returns with pending futures, never early, without cancelling them")
        void timeoutDoesNotCancel() {
            run(() -> {
                Task<String> slow = sleeper(LONG, "slow");
                double start = loop.time();
                DoneAndPending<Task<String>> r = Tasks.wait(List.of(slow), SHORT, ReturnWhen.ALL_COMPLETED);
                assertTrue(loop.time() - start >= 0.020, "returned early");
                assertEquals(Set.of(slow), r.pending());
                assertFalse(slow.isCancelled());
                slow.cancel();
                return null;
            });
        }

        @Test
        @DisplayName("an empty collection is refused; duplicates count once; done futures return at once")
        void argumentRules() {
            run(() -> {
                assertThrows(IllegalArgumentException.class, () -> Tasks.wait(List.<Future<String>>of()));
                Future<String> a = loop.createFuture();
                a.setResult("a");
                DoneAndPending<Future<String>> r = Tasks.wait(List.of(a, a));
                assertEquals(1, r.done().size());
                return null;
            });
        }

        @Test
        @DisplayName("cancelling the waiting task leaves the futures alone")
        void waiterCancelled() {
            run(() -> {
                Task<String> slow = sleeper(LONG, "slow");
                Task<?> waiter = loop.createTask(() -> Tasks.wait(List.of(slow)));
                Async.sleep(Duration.ofMillis(2));
                waiter.cancel();
                assertThrows(CancelledError.class, () -> await(waiter));
                assertFalse(slow.isDone());
                slow.cancel();
                return null;
            });
        }
    }

    @Nested
    @DisplayName("shield")
    class Shield extends LoopFixture {
        @Test
        @DisplayName("cancelling the outer leaves the inner running")
        void outerCancelDoesNotCancelInner() {
            run(() -> {
                Task<String> inner = sleeper(Duration.ofMillis(5), "inner");
                Future<String> outer = Tasks.shield(inner);
                assertTrue(outer.cancel());
                assertThrows(CancelledError.class, () -> await(outer));
                assertEquals("inner", await(inner));
                return null;
            });
        }

        @Test
        @DisplayName("the inner's result, exception or cancellation passes to the outer")
        void outcomePasses() {
            run(() -> {
                assertEquals("v", await(Tasks.shield(later(Duration.ofMillis(1), "v"))));
                IllegalStateException boom = new IllegalStateException("boom");
                assertSame(boom, assertThrows(IllegalStateException.class,
                        () -> await(Tasks.shield(failLater(Duration.ofMillis(1), boom)))));
                Future<String> inner = loop.createFuture();
                Future<String> outer = Tasks.shield(inner);
                inner.cancel();
                assertThrows(CancelledError.class, () -> await(outer));
                assertTrue(outer.isCancelled());
                assertEquals("w", await(Tasks.shield(() -> Async.sleep(Duration.ofMillis(1), "w"))));
                return null;
            });
        }

        @Test
        @DisplayName("a done inner is returned as it is")
        void doneInner() {
            run(() -> {
                Future<String> inner = loop.createFuture();
                inner.setResult("x");
                assertSame(inner, Tasks.shield(inner));
                return null;
            });
        }

        @Test
        @DisplayName("a task awaiting a shield and cancelled gets CancelledError; the inner finishes")
        void awaitingTaskCancelled() {
            run(() -> {
                Future<String> release = loop.createFuture();
                Task<String> inner = loop.createTask(() -> await(release));
                Task<String> waiter = loop.createTask(() -> await(Tasks.shield(inner)));
                Async.sleep(Duration.ofMillis(1));
                waiter.cancel();
                assertThrows(CancelledError.class, () -> await(waiter));
                assertFalse(inner.isDone(), "the shielded task was not cancelled");
                release.setResult("done");
                assertEquals("done", await(inner));
                return null;
            });
        }
    }

    @Nested
    @DisplayName("asCompleted")
    class AsCompletedTests extends LoopFixture {
        @Test
        @DisplayName("without a timeout argument there is no deadline (asyncio's timeout=None default)")
        void noTimeoutArgument() {
            run(() -> {
                Future<String> b = later(Duration.ofMillis(8), "b");
                Future<String> a = later(Duration.ofMillis(1), "a");
                List<String> order = new ArrayList<>();
                for (Future<String> f : Tasks.asCompleted(List.of(b, a)).originals()) {
                    order.add(f.result());
                }
                assertEquals(List.of("a", "b"), order);
                return null;
            });
        }

        @Test
        @DisplayName("next() futures resolve in completion order (3.12 form)")
        void plainIteration() {
            run(() -> {
                List<Future<String>> fs = List.of(later(Duration.ofMillis(15), "c"), later(Duration.ofMillis(1), "a"),
                        later(Duration.ofMillis(8), "b"));
                List<String> order = new ArrayList<>();
                for (Future<String> f : Tasks.asCompleted(fs, null)) {
                    order.add(await(f));
                }
                assertEquals(List.of("a", "b", "c"), order);
                return null;
            });
        }

        @Test
        @DisplayName("made outside a running loop and driven by runUntilComplete (asyncio's gh-157856: 3.14 refused it)")
        void outsideARunningLoop() {
            Future<String> slow = loop.createFuture();
            Future<String> quick = loop.createFuture();
            loop.callLater(Duration.ofMillis(10), () -> slow.setResult("slow"));
            loop.callLater(Duration.ofMillis(1), () -> quick.setResult("quick"));
            List<String> order = new ArrayList<>();
            for (Future<String> f : Tasks.asCompleted(List.of(slow, quick))) {
                order.add(loop.runUntilComplete(f));
            }
            assertEquals(List.of("quick", "slow"), order);
        }

        @Test
        @DisplayName("originals() yields the given futures themselves, done, in completion order (3.13 form)")
        void originals() {
            run(() -> {
                // Deadlines from one base time: a stall between the calls cannot reorder them.
                EventLoop loop = Async.getRunningLoop();
                double t0 = loop.time();
                Future<String> c = loop.createFuture();
                Future<String> a = loop.createFuture();
                Future<String> b = loop.createFuture();
                IllegalStateException boom = new IllegalStateException("b");
                loop.callAt(t0 + 0.015, () -> c.setResult("c"));
                loop.callAt(t0 + 0.001, () -> a.setResult("a"));
                loop.callAt(t0 + 0.008, () -> b.setException(boom));
                List<Future<String>> order = new ArrayList<>();
                for (Future<String> f : Tasks.asCompleted(List.of(c, a, b, a), null).originals()) {
                    assertTrue(f.isDone());
                    order.add(f);
                }
                assertEquals(List.of(a, b, c), order, "duplicates count once");
                assertSame(boom, b.exception().orElseThrow());
                return null;
            });
        }

        @Test
        @DisplayName("on timeout the next take raises TimeoutError; pending futures are not cancelled")
        void timeout() {
            run(() -> {
                // Done before asCompleted: its completion callback is queued at once, so it runs before the
                // timeout's timer however late the next iteration comes. (Completed by a callSoon instead, its
                // callback would be queued only in that iteration, behind a timer due by then.)
                Future<String> fast = loop.createFuture();
                fast.setResult("fast");
                Task<String> slow = sleeper(LONG, "slow");
                double start = loop.time();
                AsCompleted<String> ac = Tasks.asCompleted(List.of(slow, fast), SHORT);
                assertSame(fast, ac.awaitNext());
                assertThrows(TimeoutError.class, ac::awaitNext);
                assertTrue(loop.time() - start >= 0.020, "timed out early: the deadline counts from asCompleted");
                assertFalse(ac.hasNext());
                assertThrows(NoSuchElementException.class, ac::next);
                assertFalse(slow.isCancelled());
                slow.cancel();
                return null;
            });
        }

        @Test
        @DisplayName("3.12 form: the slot future fails with TimeoutError; slots taken early resolve in order")
        void slotsAndTimeout() {
            run(() -> {
                Task<String> slow = sleeper(LONG, "slow");
                // Done before asCompleted: its completion callback is queued at once and runs before the timeout's
                // timer however late the next iteration comes on a loaded machine. (Completed by a callSoon, the
                // callback would only be queued in that iteration, behind a timer already due.)
                Future<String> fast = loop.createFuture();
                fast.setResult("fast");
                AsCompleted<String> ac = Tasks.asCompleted(List.of(slow, fast), SHORT);
                Future<String> first = ac.next();
                Future<String> second = ac.next();
                assertEquals("fast", await(first));
                assertThrows(TimeoutError.class, () -> await(second));
                slow.cancel();
                assertTrue(Tasks.asCompleted(List.<Future<String>>of(), SHORT).iterator().hasNext() == false);
                return null;
            });
        }

        @Test
        @DisplayName("a timeout answers every future still untaken once (duplicates once), even one completed after it")
        void timeoutAnswersEachPendingFutureOnce() {
            run(() -> {
                Future<String> a = loop.createFuture();
                Future<String> b = loop.createFuture();
                Future<String> c = loop.createFuture();
                AsCompleted<String> ac = Tasks.asCompleted(List.of(a, b, a, c), SHORT);
                Future<String> first = ac.next();
                a.setResult("a");
                assertEquals("a", await(first));
                Async.sleep(SHORT.multipliedBy(3)); // the deadline passes with b and c pending
                b.setResult("late"); // completed after the timeout: it must not show up as a take
                Async.yieldNow();
                assertThrows(TimeoutError.class, ac::awaitNext);
                assertThrows(TimeoutError.class, ac::awaitNext);
                assertFalse(ac.hasNext(), "3 distinct futures: 3 takes, no more");
                assertThrows(NoSuchElementException.class, ac::next);
                assertFalse(c.isDone(), "a timeout leaves the pending futures alone");
                return null;
            });
        }

        @Test
        @DisplayName("a take whose waiting task is cancelled does not lose a future")
        void cancelledTake() {
            run(() -> {
                Future<String> a = loop.createFuture();
                AsCompleted<String> ac = Tasks.asCompleted(List.of(a), null);
                Task<Future<String>> taker = loop.createTask(ac::awaitNext);
                Async.yieldNow();
                taker.cancel();
                assertThrows(CancelledError.class, () -> await(taker));
                assertTrue(ac.hasNext());
                a.setResult("a");
                assertSame(a, ac.awaitNext());
                return null;
            });
        }

        @Test
        @DisplayName("next() on futures already done resolves at once; a cancelled slot passes its future to the next slot")
        void nextSlotsDoneAndCancelled() {
            run(() -> {
                Future<String> done = loop.createFuture();
                done.setResult("done");
                AsCompleted<String> ready = Tasks.asCompleted(List.of(done), null);
                spin(1);
                Future<String> slot = ready.next();
                assertTrue(slot.isDone(), "the future completed before next() was called");
                assertEquals("done", slot.result());

                Future<String> a = loop.createFuture();
                Future<String> b = loop.createFuture();
                AsCompleted<String> asCompleted = Tasks.asCompleted(List.of(a, b), null);
                Future<String> first = asCompleted.next();
                Future<String> second = asCompleted.next();
                first.cancel();
                a.setResult("a");
                assertEquals("a", await(second), "the slot given up did not take a");
                b.setResult("b");
                return null;
            });
        }

        @Test
        @DisplayName("awaitNext: a waiter cancelled after it was woken passes the future on to the next waiter")
        void wokenWaiterCancelledPassesItOn() {
            run(() -> {
                Future<String> a = loop.createFuture();
                Future<String> b = loop.createFuture();
                AsCompleted<String> asCompleted = Tasks.asCompleted(List.of(a, b), null);
                Task<Future<String>> first = loop.createTask(asCompleted::awaitNext);
                Task<Future<String>> second = loop.createTask(asCompleted::awaitNext);
                spin(1);
                a.setResult("a");
                spin(1);    // a's callback ran and woke the first waiter, which has not run yet
                first.cancel();
                assertSame(a, await(second));
                assertTrue(first.isCancelled());
                assertTrue(asCompleted.hasNext(), "the cancelled waiter took nothing");
                b.setResult("b");
                assertSame(b, asCompleted.awaitNext());
                return null;
            });
        }

        @Test
        @DisplayName("the timeout still fires after some futures completed, and is cancelled once all did; toString shows what is left")
        void timeoutAfterSomeCompleted() {
            run(() -> {
                // Done before the call: its callback runs before any deadline, however loaded the machine.
                Future<String> a = loop.createFuture();
                a.setResult("a");
                Future<String> never = loop.createFuture();
                AsCompleted<String> some = Tasks.asCompleted(List.of(a, never), Duration.ofMillis(30));
                assertEquals("AsCompleted[2 of 2 left]", some.toString());
                assertSame(a, some.awaitNext());
                assertThrows(TimeoutError.class, some::awaitNext, "the second one times out");
                assertEquals("AsCompleted[0 of 2 left, timed out]", some.toString());
                never.cancel();

                Future<String> b = loop.createFuture();
                b.setResult("b");
                AsCompleted<String> all = Tasks.asCompleted(List.of(b), Duration.ofMillis(20));
                assertSame(b, all.awaitNext());
                Async.sleep(Duration.ofMillis(40));
                assertEquals("AsCompleted[0 of 1 left]", all.toString(), "the timeout was cancelled");
                return null;
            });
        }
    }
}
