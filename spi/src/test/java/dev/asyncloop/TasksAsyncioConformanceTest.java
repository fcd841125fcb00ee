package dev.asyncloop;

import static dev.asyncloop.Async.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * asyncio 3.12/3.13 behaviours of the task helpers that the per-helper tests do not already pin, each after the
 * CPython test it follows (test_tasks, test_waitfor, test_timeouts, test_taskgroups).
 */
@org.junit.jupiter.api.Timeout(value = 20, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
class TasksAsyncioConformanceTest extends LoopFixture {

    // ------------------------------------------------------------------ waitFor

    @Test
    @DisplayName("waitFor(body, 0) never starts the body (test_wait_for_timeout_less_then_0_or_0_coroutine_do_not_started)")
    void waitForZeroDoesNotStartBody() {
        run(() -> {
            boolean[] started = {false};
            assertThrows(TimeoutError.class, () -> Tasks.waitFor(() -> {
                started[0] = true;
                return null;
            }, Duration.ZERO));
            assertFalse(started[0]);
            return null;
        });
    }

    @Test
    @DisplayName("waitFor(failed future, 0) throws the future's exception, not TimeoutError")
    void waitForZeroOnFailedFuture() {
        run(() -> {
            IllegalStateException boom = new IllegalStateException("boom");
            Future<String> f = loop.createFuture();
            f.setException(boom);
            assertSame(boom, assertThrows(IllegalStateException.class, () -> Tasks.waitFor(f, Duration.ZERO)));
            return null;
        });
    }

    @Test
    @DisplayName("waitFor(pending plain future, 0): the future is cancelled and TimeoutError raised")
    void waitForZeroOnPendingFuture() {
        run(() -> {
            Future<String> f = loop.createFuture();
            TimeoutError e = assertThrows(TimeoutError.class, () -> Tasks.waitFor(f, Duration.ZERO));
            assertTrue(f.isCancelled());
            assertInstanceOf(CancelledError.class, e.getCause());
            return null;
        });
    }

    @Test
    @DisplayName("waitFor on a future that gets its result: the result, and the future is not cancelled")
    void waitForFutureResult() {
        run(() -> {
            Future<String> f = later(Duration.ofMillis(1), "ok");
            assertEquals("ok", Tasks.waitFor(f, LONG));
            assertEquals(0, current().cancelling());
            return null;
        });
    }

    // ------------------------------------------------------------------ wait

    @Test
    @DisplayName("wait with a zero or negative timeout returns after one iteration, nothing cancelled")
    void waitNonPositiveTimeout() {
        run(() -> {
            Future<String> f = loop.createFuture();
            Future<String> done = loop.createFuture();
            done.setResult("d");
            DoneAndPending<Future<String>> r = Tasks.wait(List.of(f, done), Duration.ofSeconds(-1), ReturnWhen.ALL_COMPLETED);
            assertTrue(r.done().contains(done));
            assertTrue(r.pending().contains(f));
            assertFalse(f.isDone());
            r = Tasks.wait(List.of(f), Duration.ZERO, ReturnWhen.FIRST_COMPLETED);
            assertTrue(r.pending().contains(f));
            return null;
        });
    }

    @Test
    @DisplayName("FIRST_EXCEPTION with no failure waits for all; a cancelled future is no exception")
    void firstExceptionWithoutException() {
        run(() -> {
            Future<String> a = later(Duration.ofMillis(1), "a");
            Future<String> c = loop.createFuture();
            loop.callLater(Duration.ofMillis(2), () -> c.cancel());
            Future<String> b = later(Duration.ofMillis(5), "b");
            DoneAndPending<Future<String>> r = Tasks.wait(List.of(a, c, b), null, ReturnWhen.FIRST_EXCEPTION);
            assertEquals(3, r.done().size());
            assertTrue(r.pending().isEmpty());
            return null;
        });
    }

    @Test
    @DisplayName("wait: a future given twice is one future in the result")
    void waitDuplicates() {
        run(() -> {
            Future<String> a = later(Duration.ofMillis(1), "a");
            DoneAndPending<Future<String>> r = Tasks.wait(List.of(a, a));
            assertEquals(1, r.done().size());
            return null;
        });
    }

    @Test
    @DisplayName("wait: every future already done returns them all done, also with FIRST_COMPLETED")
    void waitAllDoneAlready() {
        run(() -> {
            Future<String> a = loop.createFuture();
            a.setResult("a");
            Future<String> b = loop.createFuture();
            b.setResult("b");
            DoneAndPending<Future<String>> r = Tasks.wait(List.of(a, b), null, ReturnWhen.FIRST_COMPLETED);
            assertEquals(2, r.done().size());
            return null;
        });
    }

    // ------------------------------------------------------------------ asCompleted

    @Test
    @DisplayName("asCompleted of nothing: no items; a timeout set on nothing never fires")
    void asCompletedEmpty() {
        run(() -> {
            AsCompleted<String> ac = Tasks.asCompleted(List.of(), Duration.ZERO);
            assertFalse(ac.hasNext());
            assertThrows(java.util.NoSuchElementException.class, ac::next);
            return null;
        });
    }

    @Test
    @DisplayName("asCompleted: a future given twice is taken once; failures pass through the 3.12 slot")
    void asCompletedDuplicatesAndFailures() {
        run(() -> {
            IllegalStateException boom = new IllegalStateException("boom");
            Future<String> a = later(Duration.ofMillis(1), "a");
            Future<String> b = failLater(Duration.ofMillis(3), boom);
            AsCompleted<String> ac = Tasks.asCompleted(List.of(a, b, a), null);
            assertEquals("a", await(ac.next()));
            assertSame(boom, assertThrows(IllegalStateException.class, () -> await(ac.next())));
            assertFalse(ac.hasNext());
            return null;
        });
    }

    // ------------------------------------------------------------------ shield

    @Test
    @DisplayName("shield: the inner cancelled cancels the outer; the inner's exception passes")
    void shieldInnerOutcomes() {
        run(() -> {
            Future<String> inner = loop.createFuture();
            Future<String> outer = Tasks.shield(inner);
            inner.cancel();
            assertThrows(CancelledError.class, () -> await(outer));
            assertTrue(outer.isCancelled());
            return null;
        });
    }

    @Test
    @DisplayName("shield: outer cancelled, then the inner fails: no 'exception never retrieved' report, inner keeps it")
    void shieldOuterCancelledInnerFails() {
        run(() -> {
            IllegalStateException boom = new IllegalStateException("boom");
            Future<String> inner = loop.createFuture();
            Future<String> outer = Tasks.shield(inner);
            outer.cancel();
            inner.setException(boom);
            spin(3);
            assertSame(boom, inner.exception().orElseThrow());
            assertTrue(outer.isCancelled());
            return null;
        });
    }

    // ------------------------------------------------------------------ gather

    @Test
    @DisplayName("gather cancelled, one child swallows it and returns: the gather ends with CancelledError")
    void gatherChildSwallowsCancel() {
        run(() -> {
            Task<String> stubborn = loop.createTask(() -> {
                try {
                    return Async.sleep(LONG, "slept");
                } catch (CancelledError e) {
                    return "swallowed";
                }
            });
            Future<String> other = loop.createFuture();
            Future<List<Object>> g = Tasks.gather(List.of(stubborn, other), true);
            Async.yieldNow();
            assertTrue(g.cancel("stop"));
            CancelledError e = assertThrows(CancelledError.class, () -> await(g));
            assertFalse(g.isCancelled());
            assertEquals("swallowed", stubborn.result());
            assertTrue(other.isCancelled());
            return null;
        });
    }

    @Test
    @DisplayName("gather: first failure propagates while the others keep running and finish")
    void gatherFirstFailureOthersRun() {
        run(() -> {
            IllegalStateException boom = new IllegalStateException("boom");
            Future<String> release = loop.createFuture(); // the slow child ends when the test says, not by a clock
            Task<String> slow = loop.createTask(() -> Async.await(release));
            Future<List<String>> g = Tasks.gather(slow, failLater(Duration.ofMillis(1), boom));
            assertSame(boom, assertThrows(IllegalStateException.class, () -> await(g)));
            assertFalse(slow.isDone());
            release.setResult("slow");
            assertEquals("slow", await(slow));
            return null;
        });
    }

    @Test
    @DisplayName("gather: cancelling the task that awaits it cancels the children (through the gather)")
    void gatherCancelCountsOnChildTask() {
        run(() -> {
            Task<String> child = sleeper(LONG, "x");
            Future<List<String>> g = Tasks.gather(child);
            Async.yieldNow();
            assertTrue(g.cancel());
            assertEquals(1, child.cancelling());
            assertThrows(CancelledError.class, () -> await(g));
            return null;
        });
    }

    // ------------------------------------------------------------------ runCoroutineThreadsafe

    @Test
    @DisplayName("runCoroutineThreadsafe: a failing task factory fails the future and is reported to the loop"
            + " (test_run_coroutine_threadsafe_task_factory_exception)")
    void runCoroutineThreadsafeFactoryFails() {
        IllegalStateException boom = new IllegalStateException("no tasks today");
        loop.setTaskFactory(new TaskFactory() {
            @Override
            public <T> Task<T> newTask(EventLoop l, Coroutine<T> coroutine, String name, Context context) {
                throw boom;
            }
        });
        java.util.concurrent.CompletableFuture<String> cf = Tasks.runCoroutineThreadsafe(() -> "never", loop);
        Future<Void> settle = loop.createFuture();
        loop.callLater(SHORT, () -> settle.setResult(null));
        loop.runUntilComplete(settle);
        java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> cf.get(0, java.util.concurrent.TimeUnit.SECONDS));
        assertSame(boom, e.getCause());
        assertTrue(reports.stream().anyMatch(r -> r.exception().orElse(null) == boom), reports.toString());
    }

    // ------------------------------------------------------------------ Timeout

    @Test
    @DisplayName("a timeout entered after a swallowed cancellation still converts its own expiry (test_timeout_after_cancellation)")
    void timeoutAfterCancellation() {
        run(() -> {
            try {
                current().cancel();
                Async.sleep(LONG);
            } catch (CancelledError e) {
                // swallowed without uncancel(): cancelling() stays 1
            }
            assertEquals(1, current().cancelling());
            assertThrows(TimeoutError.class, () -> Timeout.run(Duration.ZERO, () -> Async.sleep(LONG, null)));
            assertEquals(1, current().cancelling());
            return null;
        });
    }

    @Test
    @DisplayName("a cancel inside a timeout entered after a swallowed cancellation stays CancelledError")
    void cancelInTimeoutAfterCancellation() {
        run(() -> {
            try {
                current().cancel();
                Async.sleep(LONG);
            } catch (CancelledError e) {
                // swallowed
            }
            assertThrows(CancelledError.class, () -> Timeout.run(Duration.ofSeconds(1), () -> {
                current().cancel();
                return Async.sleep(Duration.ofSeconds(2), null);
            }));
            return null;
        });
    }

    @Test
    @DisplayName("a timeout nested in the finally of an expired one: both raise TimeoutError (test_nested_timeout_in_finally)")
    void nestedTimeoutInFinally() {
        run(() -> {
            TimeoutError[] inner = new TimeoutError[1];
            assertThrows(TimeoutError.class, () -> Timeout.run(Duration.ofMillis(2), () -> {
                try {
                    return Async.sleep(LONG, null);
                } finally {
                    inner[0] = assertThrows(TimeoutError.class,
                            () -> Timeout.run(Duration.ofMillis(2), () -> Async.sleep(LONG, null)));
                }
            }));
            assertTrue(inner[0] != null);
            assertEquals(0, current().cancelling());
            return null;
        });
    }

    @Test
    @DisplayName("reschedule from another task; reschedule(empty) disarms; outside cancel: not expired (test_reschedule)")
    void rescheduleFromElsewhere() {
        run(() -> {
            Future<Timeout> entered = loop.createFuture();
            double deadline1 = loop.time() + 10;
            Task<Void> t = loop.createTask(() -> {
                Timeout cm = Timeout.at(deadline1);
                try (cm) {
                    entered.setResult(cm);
                    Async.sleep(Duration.ofSeconds(50));
                }
                return null;
            });
            Timeout cm = await(entered);
            assertEquals(OptionalDouble.of(deadline1), cm.when());
            cm.reschedule(deadline1 + 20);
            assertEquals(OptionalDouble.of(deadline1 + 20), cm.when());
            cm.reschedule(OptionalDouble.empty());
            assertTrue(cm.when().isEmpty());
            t.cancel();
            assertThrows(CancelledError.class, () -> await(t));
            assertFalse(cm.expired());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> cm.reschedule(1.0));
            assertTrue(e.getMessage().contains("finished"), e.getMessage());
            return null;
        });
    }

    @Test
    @DisplayName("reschedule into the past expires at the next iteration")
    void rescheduleIntoPast() {
        run(() -> {
            Timeout t = Timeout.never();
            TimeoutError e;
            try {
                try (t) {
                    t.reschedule(loop.time() - 1);
                    Async.sleep(LONG);
                }
                throw new AssertionError("not expired");
            } catch (CancelledError c) {
                assertInstanceOf(TimeoutError.class, t.convert(c));
            }
            assertTrue(t.expired());
            assertThrows(IllegalStateException.class, () -> t.reschedule(OptionalDouble.empty()));
            return null;
        });
    }

    // ------------------------------------------------------------------ TaskGroup

    @Test
    @DisplayName("nested groups: an inner task's failure reaches the outer group as a TaskGroupException in one")
    void nestedGroupsFailure() {
        run(() -> {
            IllegalStateException boom = new IllegalStateException("boom");
            Task<?>[] sibling = new Task<?>[1];
            TaskGroupException e = assertThrows(TaskGroupException.class, () -> TaskGroup.run(outer -> {
                sibling[0] = outer.createTask(() -> Async.sleep(LONG, "x"));
                return TaskGroup.run(inner -> inner.createTask(() -> {
                    Async.sleep(Duration.ofMillis(1));
                    throw boom;
                }));
            }));
            assertEquals(1, e.exceptions().size());
            TaskGroupException nested = assertInstanceOf(TaskGroupException.class, e.exceptions().get(0));
            assertEquals(List.of(boom), nested.exceptions());
            assertTrue(sibling[0].isCancelled());
            assertEquals(0, current().cancelling());
            return null;
        });
    }

    @Test
    @DisplayName("nested groups cancelled from outside: CancelledError, all tasks cancelled (test_taskgroup_16)")
    void nestedGroupsOutsideCancel() {
        run(() -> {
            List<Task<?>> children = new ArrayList<>();
            Task<Object> runner = loop.createTask(() -> TaskGroup.run(outer -> {
                children.add(outer.createTask(() -> Async.sleep(LONG, "o")));
                return TaskGroup.run(inner -> {
                    children.add(inner.createTask(() -> Async.sleep(LONG, "i")));
                    return Async.sleep(LONG, null);
                });
            }));
            Async.sleep(Duration.ofMillis(2));
            runner.cancel();
            assertThrows(CancelledError.class, () -> await(runner));
            assertTrue(runner.isCancelled());
            assertEquals(1, runner.cancelling(), "the outside request stands; neither group withdrew it");
            assertEquals(2, children.size());
            children.forEach(c -> assertTrue(c.isCancelled()));
            return null;
        });
    }

    @Test
    @DisplayName("a body that catches the outside cancellation and fails: the failure in a TaskGroupException; cancel kept (test_taskgroup_18)")
    void bodyFailsAfterOutsideCancel() {
        run(() -> {
            IllegalArgumentException mine = new IllegalArgumentException("mine");
            Task<Object> runner = loop.createTask(() -> TaskGroup.run(g -> {
                try {
                    return Async.sleep(LONG, null);
                } catch (CancelledError e) {
                    throw mine;
                }
            }));
            Async.sleep(Duration.ofMillis(2));
            runner.cancel();
            TaskGroupException e = assertThrows(TaskGroupException.class, () -> await(runner));
            assertEquals(List.of(mine), e.exceptions());
            return null;
        });
    }

    @Test
    @DisplayName("a task failing while the body's finally fails too: both in the group's exception (test_taskgroup_19)")
    void childAndBodyFinallyFail() {
        run(() -> {
            ArithmeticException crash = new ArithmeticException("/ by zero");
            IllegalArgumentException mine = new IllegalArgumentException("mine");
            TaskGroupException e = assertThrows(TaskGroupException.class, () -> TaskGroup.run(g -> {
                g.createTask(() -> {
                    Async.sleep(Duration.ofMillis(1));
                    throw crash;
                });
                try {
                    return Async.sleep(LONG, null);
                } finally {
                    throw mine;
                }
            }));
            assertEquals(List.of(crash, mine), e.exceptions());
            assertEquals(0, current().cancelling());
            return null;
        });
    }

    @Test
    @DisplayName("tasks add tasks to the group while it is closing (test_taskgroup_24)")
    void tasksAddTasksWhileClosing() {
        run(() -> {
            List<Task<String>> added = new ArrayList<>();
            TaskGroup.run(g -> g.createTask(() -> {
                Async.sleep(Duration.ofMillis(1));
                added.add(g.createTask(() -> Async.sleep(Duration.ofMillis(1), "a")));
                added.add(g.createTask(() -> Async.sleep(Duration.ofMillis(2), "b")));
                return null;
            }));
            assertEquals(2, added.size());
            added.forEach(t -> assertEquals(true, t.isDone()));
            return null;
        });
    }

    @Test
    @DisplayName("try form: a cancel request swallowed before open() is not taken for a cancellation of the block")
    void tryFormIgnoresCancelRequestsBeforeOpen() {
        run(() -> {
            try {
                current().cancel();
                Async.sleep(LONG);
            } catch (CancelledError e) {
                // swallowed without uncancel(): cancelling() stays 1
            }
            Task<String> work;
            TaskGroup g = TaskGroup.open();
            try (g) {
                work = g.createTask(() -> Async.sleep(Duration.ofMillis(2), "done"));
            }
            assertEquals("done", work.result(), "a block that ended normally waits for its tasks, as __aexit__ does");
            assertEquals(1, current().cancelling());
            return null;
        });
    }

    @Test
    @DisplayName("a task's name is the one given")
    void taskName() {
        run(() -> TaskGroup.run(g -> {
            assertEquals("yolo", g.createTask(() -> null, "yolo").getName());
            return null;
        }));
    }

    @Test
    @DisplayName("a task swallowing the group's cancellation and returning is no failure")
    void siblingSwallowsAbort() {
        run(() -> {
            IllegalStateException boom = new IllegalStateException("boom");
            Task<?>[] stubborn = new Task<?>[1];
            TaskGroupException e = assertThrows(TaskGroupException.class, () -> TaskGroup.run(g -> {
                stubborn[0] = g.createTask(() -> {
                    try {
                        return Async.sleep(LONG, "slept");
                    } catch (CancelledError c) {
                        return "swallowed";
                    }
                });
                g.createTask(() -> {
                    Async.sleep(Duration.ofMillis(1));
                    throw boom;
                });
                return null;
            }));
            assertEquals(List.of(boom), e.exceptions());
            assertEquals("swallowed", stubborn[0].result());
            return null;
        });
    }
}
