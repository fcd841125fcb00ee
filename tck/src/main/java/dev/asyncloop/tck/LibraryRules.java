package dev.asyncloop.tck;

import static dev.asyncloop.Async.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.asyncloop.Async;
import dev.asyncloop.AsyncQueue;
import dev.asyncloop.CancelledError;
import dev.asyncloop.Condition;
import dev.asyncloop.ContextVar;
import dev.asyncloop.Future;
import dev.asyncloop.Futures;
import dev.asyncloop.Lock;
import dev.asyncloop.QueueShutDown;
import dev.asyncloop.Semaphore;
import dev.asyncloop.Task;
import dev.asyncloop.TaskGroup;
import dev.asyncloop.TaskGroupException;
import dev.asyncloop.Tasks;
import dev.asyncloop.Timeout;
import dev.asyncloop.TimeoutError;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Group "library": rules A1.x-A6.x. The asyncio library of {@code dev.asyncloop} (timeouts, gather, TaskGroup,
 * locks, queues, threads) is written against the public loop API only; these cases run a representative set of
 * its behaviour on the loop under test, so a loop whose tasks, cancellation or thread hand-over differ from
 * asyncio's in a way the library depends on fails here, with the rule the library relies on in the hint.
 */
abstract class LibraryRules extends ConformanceGroup {
    private static final Duration LONG = Duration.ofSeconds(30);
    private static final ContextVar<String> VAR = ContextVar.of("tck-library");

    LibraryRules(EventLoopConformanceSuite suite) {
        super(suite);
    }

    private static void spin(int n) {
        for (int i = 0; i < n; i++) {
            Async.yieldNow();
        }
    }

    private static @Nullable Throwable thrownBy(Runnable r) {
        try {
            r.run();
            return null;
        } catch (RuntimeException | Error e) {
            return e;
        }
    }

    // ------------------------------------------------------------------ A1 timeouts

    @Test
    @DisplayName("A1.1 an expired Timeout cancels the body and throws TimeoutError; the task is not left cancelled")
    void required_A1_1_timeoutConvertsItsCancellation() {
        run("A1.1", () -> {
            boolean[] bodyCancelled = {false};
            double start = loop.time();
            Throwable t = thrownBy(() -> Timeout.run(Duration.ofMillis(20), () -> {
                try {
                    return Async.sleep(LONG, "late");
                } catch (CancelledError e) {
                    bodyCancelled[0] = true;
                    throw e;
                }
            }));
            assertInstanceOf(TimeoutError.class, t, msg("A1.1", "Timeout.run must throw TimeoutError when its"
                    + " deadline passes, threw " + t + "; check that cancel() of a task waiting on a future cancels"
                    + " that future (T2.1) and that uncancel() counts down (T2.4)"));
            assertTrue(bodyCancelled[0], msg("A1.1", "the body must see CancelledError at its await"));
            assertTrue(loop.time() - start >= 0.02, msg("A1.1", "the timeout fired before its deadline; check"
                    + " callAt on the time() clock (L2.5) and never early (L2.4)"));
            Task<?> me = Async.currentTask().orElseThrow();
            assertEquals(0, me.cancelling(), msg("A1.1", "the timeout must withdraw its cancel request, the task"
                    + " still has cancelling() = " + me.cancelling() + "; check uncancel() (T2.4)"));
            Async.sleep(Duration.ofMillis(1));   // the task is not cancelled any more
            return null;
        });
    }

    @Test
    @DisplayName("A1.2 waitFor returns a result in time; on timeout it cancels the task awaited and throws TimeoutError")
    void required_A1_2_waitFor() {
        run("A1.2", () -> {
            assertEquals("fast", Tasks.waitFor(loop.createTask(() -> Async.sleep(Duration.ofMillis(1), "fast")),
                    LONG), msg("A1.2", "waitFor must return the result of a task done before the timeout"));
            Task<String> slow = loop.createTask(() -> Async.sleep(LONG, "slow"));
            Throwable t = thrownBy(() -> Tasks.waitFor(slow, Duration.ofMillis(10)));
            assertInstanceOf(TimeoutError.class, t, msg("A1.2", "waitFor must throw TimeoutError on timeout,"
                    + " threw " + t));
            assertTrue(slow.isCancelled(), msg("A1.2", "waitFor must cancel the task on timeout and wait for it;"
                    + " it is " + slow + "; check that cancelling a sleeping task ends it cancelled (T2.1)"));
            return null;
        });
    }

    // ------------------------------------------------------------------ A2 gather, shield

    @Test
    @DisplayName("A2.1 gather lists results in argument order; cancelling it cancels the children")
    void required_A2_1_gatherOrderAndCancel() {
        run("A2.1", () -> {
            Task<String> slow = loop.createTask(() -> Async.sleep(Duration.ofMillis(10), "a"));
            Task<String> fast = loop.createTask(() -> Async.sleep(Duration.ofMillis(1), "b"));
            assertEquals(List.of("a", "b"), await(Tasks.gather(slow, fast)), msg("A2.1", "gather must list"
                    + " results in argument order, not completion order"));
            Task<String> c1 = loop.createTask(() -> Async.sleep(LONG, "c1"));
            Task<String> c2 = loop.createTask(() -> Async.sleep(LONG, "c2"));
            Future<List<String>> g = Tasks.gather(c1, c2);
            spin(1);
            assertTrue(g.cancel(), msg("A2.1", "cancel() of a pending gather must return true"));
            Throwable t = thrownBy(() -> await(g));
            assertInstanceOf(CancelledError.class, t, msg("A2.1", "a cancelled gather must end with"
                    + " CancelledError, got " + t));
            assertTrue(c1.isCancelled() && c2.isCancelled(), msg("A2.1", "cancelling gather must cancel every"
                    + " child: " + c1 + ", " + c2 + "; check that done-callbacks of cancelled tasks run (F3)"));
            return null;
        });
    }

    @Test
    @DisplayName("A2.2 shield: cancelling the shielding future leaves the inner task running to its result")
    void required_A2_2_shield() {
        run("A2.2", () -> {
            Task<String> inner = loop.createTask(() -> Async.sleep(Duration.ofMillis(10), "inner"));
            Task<String> waiter = loop.createTask(() -> await(Tasks.shield(inner)));
            spin(2);
            waiter.cancel();
            assertInstanceOf(CancelledError.class, thrownBy(() -> await(waiter)), msg("A2.2", "the task awaiting"
                    + " the shield must be cancelled"));
            assertFalse(inner.isCancelled(), msg("A2.2", "the shielded task must not be cancelled"));
            assertEquals("inner", await(inner), msg("A2.2", "the shielded task must finish with its result"));
            return null;
        });
    }

    // ------------------------------------------------------------------ A3 TaskGroup

    @Test
    @DisplayName("A3.1 TaskGroup: the first failure cancels the other tasks and the body; all failures are thrown together")
    void required_A3_1_taskGroupFirstFailureCancelsRest() {
        run("A3.1", () -> {
            IllegalStateException boom = new IllegalStateException("A3.1 boom");
            Task<?>[] sibling = new Task<?>[1];
            Throwable t = thrownBy(() -> TaskGroup.run(g -> {
                sibling[0] = g.createTask(() -> Async.sleep(LONG, "sibling"));
                g.createTask(() -> {
                    Async.sleep(Duration.ofMillis(2));
                    throw boom;
                });
                return Async.sleep(LONG, "body");
            }));
            TaskGroupException group = assertInstanceOf(TaskGroupException.class, t, msg("A3.1", "TaskGroup.run"
                    + " must throw TaskGroupException when a task failed, threw " + t));
            assertEquals(List.of(boom), group.exceptions(), msg("A3.1", "the group must hold"
                    + " exactly the task's failure"));
            assertTrue(sibling[0].isCancelled(), msg("A3.1", "the sibling must be cancelled: " + sibling[0]));
            assertEquals(0, Async.currentTask().orElseThrow().cancelling(), msg("A3.1", "the group must withdraw"
                    + " its cancel request of the parent; check uncancel() (T2.4)"));
            return null;
        });
    }

    @Test
    @DisplayName("A3.2 TaskGroup.cancel() (3.15): ends the tasks and the body's await, and the group ends without error")
    void required_A3_2_taskGroupCancel() {
        run("A3.2", () -> {
            Task<?>[] sibling = new Task<?>[1];
            Object result = TaskGroup.run(g -> {
                sibling[0] = g.createTask(() -> Async.sleep(LONG, "sibling"));
                g.createTask(() -> {
                    Async.sleep(Duration.ofMillis(2));
                    g.cancel();
                    return null;
                });
                return Async.sleep(LONG, "body");
            });
            assertNull(result, msg("A3.2", "TaskGroup.run must return null when cancel() ended the body"));
            assertTrue(sibling[0].isCancelled(), msg("A3.2", "the sibling must be cancelled: " + sibling[0]));
            Task<?> parent = Async.currentTask().orElseThrow();
            assertEquals(0, parent.cancelling(), msg("A3.2", "the group must withdraw its cancel request of the"
                    + " parent; check uncancel() (T2.4)"));
            String plain = TaskGroup.run(g -> {
                g.cancel();
                return "returned";
            });
            assertEquals("returned", plain, msg("A3.2", "a body that returns after cancel() keeps its result"));
            Async.sleep(Duration.ofMillis(1)); // a cancel request that was never delivered must be gone (T2.4)
            return null;
        });
    }

    // ------------------------------------------------------------------ A4 locks

    @Test
    @DisplayName("A4.1 Lock: waiters acquire in FIFO order")
    void required_A4_1_lockFifo() {
        run("A4.1", () -> {
            Lock lock = new Lock();
            lock.acquire();
            List<Integer> order = new ArrayList<>();
            List<Task<@Nullable Void>> ts = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                int n = i;
                ts.add(loop.createTask(() -> {
                    try (var _ = lock.hold()) {
                        order.add(n);
                        Async.yieldNow();
                    }
                    return null;
                }));
            }
            spin(1);
            lock.release();
            await(Tasks.gather(ts));
            assertEquals(List.of(0, 1, 2, 3, 4), order, msg("A4.1", "waiters must get the lock in the order they"
                    + " asked; check that tasks start in creation order and done-callbacks run FIFO (L1.1, F3)"));
            assertFalse(lock.locked(), msg("A4.1", "the lock must be free at the end"));
            return null;
        });
    }

    @Test
    @DisplayName("A4.2 Lock and Semaphore: a waiter cancelled after being woken passes the wake-up on")
    void required_A4_2_cancelWhileWokenLosesNothing() {
        run("A4.2", () -> {
            Lock lock = new Lock();
            lock.acquire();
            Task<Boolean> a = loop.createTask(lock::acquire);
            Task<Boolean> b = loop.createTask(lock::acquire);
            spin(1);
            lock.release();
            a.cancel();
            assertInstanceOf(CancelledError.class, thrownBy(() -> await(a)), msg("A4.2", "a waiter cancelled"
                    + " after its future was completed must still end cancelled; check that cancel() of a task"
                    + " whose awaited future is already done throws CancelledError into the next step (T2)"));
            spin(2);
            assertTrue(b.isDone() && !b.isCancelled() && lock.locked(), msg("A4.2", "the next lock waiter must"
                    + " get the lock, got " + b + " / " + lock));

            Semaphore sem = new Semaphore(0);
            Task<Boolean> s1 = loop.createTask(sem::acquire);
            Task<Boolean> s2 = loop.createTask(sem::acquire);
            spin(1);
            sem.release();
            s1.cancel();
            spin(3);
            assertTrue(s1.isCancelled(), msg("A4.2", "the cancelled semaphore waiter must end cancelled"));
            assertTrue(s2.isDone() && !s2.isCancelled(), msg("A4.2", "the next semaphore waiter must get the"
                    + " permit given back, got " + s2));
            return null;
        });
    }

    @Test
    @DisplayName("A4.3 Condition: a waiter signalled then cancelled hands the signal on and leaves with the lock held")
    void required_A4_3_conditionSignalThenCancel() {
        run("A4.3", () -> {
            Condition cond = new Condition();
            List<String> woken = new ArrayList<>();
            boolean[] heldOnCancel = {false};
            Task<@Nullable Void> a = loop.createTask(() -> {
                try (var _ = cond.hold()) {
                    try {
                        cond.await();
                    } catch (CancelledError e) {
                        heldOnCancel[0] = cond.locked();
                        throw e;
                    }
                    woken.add("a");
                }
                return null;
            });
            Task<@Nullable Void> b = loop.createTask(() -> {
                try (var _ = cond.hold()) {
                    cond.await();
                    woken.add("b");
                }
                return null;
            });
            spin(3);
            try (var _ = cond.hold()) {
                cond.signal();
            }
            a.cancel();
            assertInstanceOf(CancelledError.class, thrownBy(() -> await(a)), msg("A4.3", "the cancelled waiter"
                    + " must end cancelled"));
            assertTrue(heldOnCancel[0], msg("A4.3", "the waiter must hold the lock again when CancelledError"
                    + " leaves await()"));
            await(b);
            assertEquals(List.of("b"), woken, msg("A4.3", "the signal must go to the next waiter"));
            return null;
        });
    }

    // ------------------------------------------------------------------ A5 queues

    @Test
    @DisplayName("A5.1 AsyncQueue: a bounded queue hands items FIFO between waiting producers and consumers")
    void required_A5_1_queueProducerConsumer() {
        run("A5.1", () -> {
            AsyncQueue<Integer> q = new AsyncQueue<>(2);
            List<Integer> got = new ArrayList<>();
            Task<@Nullable Void> producer = loop.createTask(() -> {
                for (int i = 0; i < 20; i++) {
                    q.put(i);
                }
                q.join();
                return null;
            });
            Task<@Nullable Void> consumer = loop.createTask(() -> {
                for (int i = 0; i < 20; i++) {
                    got.add(q.get());
                    q.taskDone();
                }
                return null;
            });
            await(Tasks.gather(producer, consumer));
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                expected.add(i);
            }
            assertEquals(expected, got, msg("A5.1", "items must come out in the order they were put"));
            return null;
        });
    }

    @Test
    @DisplayName("A5.2 AsyncQueue: a getter cancelled after being woken leaves the item; shutdown wakes waiters with QueueShutDown")
    void required_A5_2_queueCancelRaceAndShutdown() {
        run("A5.2", () -> {
            AsyncQueue<String> q = new AsyncQueue<>();
            Task<String> g1 = loop.createTask(q::get);
            Task<String> g2 = loop.createTask(q::get);
            spin(1);
            q.putNowait("x");
            g1.cancel();
            assertInstanceOf(CancelledError.class, thrownBy(() -> await(g1)), msg("A5.2", "the woken then"
                    + " cancelled getter must end cancelled"));
            assertEquals("x", await(g2), msg("A5.2", "the item must go to the next getter"));

            Task<String> g3 = loop.createTask(q::get);
            spin(1);
            q.shutdown(false);
            assertInstanceOf(QueueShutDown.class, thrownBy(() -> await(g3)), msg("A5.2", "a getter waiting on"
                    + " an empty queue must get QueueShutDown when it is shut down"));
            assertInstanceOf(QueueShutDown.class, thrownBy(() -> q.putNowait("y")), msg("A5.2", "put after"
                    + " shutdown must throw QueueShutDown"));
            return null;
        });
    }

    // ------------------------------------------------------------------ A6 threads & bridges

    @Test
    @DisplayName("A6.1 toThread runs off the loop thread with the caller's ContextVar values")
    void required_A6_1_toThreadContext() {
        run("A6.1", () -> {
            Thread loopThread = Thread.currentThread();
            VAR.set("A6.1 value");
            Thread[] worker = new Thread[1];
            String seen = await(Tasks.toThread(() -> {
                worker[0] = Thread.currentThread();
                return VAR.get("none");
            }));
            assertNotSame(loopThread, worker[0], msg("A6.1", "toThread must run on an executor thread"));
            assertEquals("A6.1 value", seen, msg("A6.1", "the worker must see the caller's context; check that"
                    + " runInExecutor delivers on the loop thread (X1.1) and Context.copyCurrent() in a task"
                    + " returns the task's context (C1)"));
            return null;
        });
    }

    @Test
    @DisplayName("A6.2 runCoroutineThreadsafe from another thread: the result arrives; cancelling the CompletableFuture cancels the task")
    void required_A6_2_runCoroutineThreadsafe() {
        run("A6.2", () -> {
            String r = await(loop.runInExecutor(null, () -> Tasks.runCoroutineThreadsafe(
                    () -> Async.sleep(Duration.ofMillis(1), "A6.2"), loop).get(5, TimeUnit.SECONDS)));
            assertEquals("A6.2", r, msg("A6.2", "the CompletableFuture must get the task's result; check that"
                    + " callSoonThreadsafe wakes the loop (L3.1)"));
            CountDownLatch started = new CountDownLatch(1);
            Future<String> sawCancel = loop.createFuture();
            CompletableFuture<String> cf = await(loop.runInExecutor(null, () -> {
                CompletableFuture<String> f = Tasks.runCoroutineThreadsafe(() -> {
                    started.countDown();
                    try {
                        return Async.sleep(LONG, "never");
                    } catch (CancelledError e) {
                        sawCancel.setResult("cancelled");
                        throw e;
                    }
                }, loop);
                if (!started.await(5, TimeUnit.SECONDS)) {
                    fail(msg("A6.2", "the task did not start within 5 s"));
                }
                f.cancel(false);
                return f;
            }));
            assertEquals("cancelled", await(sawCancel), msg("A6.2", "cancelling the CompletableFuture must"
                    + " cancel the task"));
            assertTrue(cf.isCancelled(), msg("A6.2", "the CompletableFuture must stay cancelled"));
            return null;
        });
    }

    @Test
    @DisplayName("A6.3 Futures bridges: outcomes pass to CompletableFuture and back; cancellation crosses both ways")
    void required_A6_3_futureBridges() {
        run("A6.3", () -> {
            Future<String> f = loop.createFuture();
            CompletableFuture<String> cf = Futures.toCompletableFuture(f);
            f.setResult("v");
            spin(1);
            assertEquals("v", cf.getNow(null), msg("A6.3", "the CompletableFuture must complete with the loop"
                    + " future's result; check that done-callbacks run (F3)"));
            Future<String> target = loop.createFuture();
            CompletableFuture<String> cft = Futures.toCompletableFuture(target);
            await(loop.runInExecutor(null, () -> cft.cancel(false)));
            spin(2);
            assertTrue(target.isCancelled(), msg("A6.3", "cancelling the CompletableFuture from another thread"
                    + " must cancel the loop future"));
            CompletableFuture<String> source = new CompletableFuture<>();
            Future<String> wrapped = Futures.wrap(loop, source);
            loop.runInExecutor(null, () -> source.complete("from thread"));
            assertEquals("from thread", await(wrapped), msg("A6.3", "wrap must deliver a completion from another"
                    + " thread"));
            CompletableFuture<String> toCancel = new CompletableFuture<>();
            Future<String> w2 = Futures.wrap(loop, toCancel);
            w2.cancel();
            spin(1);
            assertSame(true, toCancel.isCancelled(), msg("A6.3", "cancelling the wrapping future must cancel the"
                    + " CompletableFuture"));
            return null;
        });
    }
}
