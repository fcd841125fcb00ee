package dev.asyncloop;

import static dev.asyncloop.Async.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Cases of CPython's {@code test_locks.py} and {@code test_queues.py} that the other lock and queue tests do not
 * cover, each named after its asyncio test where there is one.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SyncAsyncioConformanceTest extends LoopFixture {

    @Test
    @DisplayName("Lock: cancelling a later waiter while the first is being woken loses no wake-up (test_finished_waiter_cancelled)")
    void lockFinishedWaiterCancelled() {
        run(() -> {
            Lock lock = new Lock();
            lock.acquire();
            Task<Boolean> a = loop.createTask(lock::acquire);
            spin(1);
            Task<Boolean> b = loop.createTask(lock::acquire);
            lock.release();     // wakes a
            b.cancel();
            spin(2);
            assertTrue(a.isDone() && lock.locked(), "a got the lock");
            assertTrue(b.isCancelled());
            lock.release();
            assertFalse(lock.locked());
            return null;
        });
    }

    @Test
    @DisplayName("Lock: cancel the first waiter and release in one callback: only one waiter gets the lock (test_cancel_release_race)")
    void lockCancelReleaseRace() {
        run(() -> {
            Lock lock = new Lock();
            int[] acquired = {0};
            lock.acquire();
            List<Task<Void>> ts = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ts.add(loop.createTask(() -> {
                    lock.acquire();
                    acquired[0]++;
                    return null;
                }));
            }
            spin(1);
            loop.callSoon(() -> {
                ts.get(0).cancel();
                lock.release();
            });
            assertThrows(CancelledError.class, () -> await(ts.get(0)));
            await(ts.get(1));
            assertEquals(1, acquired[0], "only one waiter took the lock");
            assertFalse(ts.get(2).isDone());
            ts.get(2).cancel();
            assertThrows(CancelledError.class, () -> await(ts.get(2)));
            assertTrue(lock.locked(), "still held by the second waiter");
            return null;
        });
    }

    @Test
    @DisplayName("Condition: await outside a task is refused and leaves the lock held, not handed to a waiter")
    void conditionAwaitOutsideTask() {
        run(() -> {
            Condition cond = new Condition();
            cond.acquire();
            Task<Boolean> other = loop.createTask(cond::acquire);
            spin(1);
            Future<Throwable> thrown = loop.createFuture();
            loop.callSoon(() -> {
                try {
                    cond.await();
                    thrown.setResult(null);
                } catch (Throwable e) {
                    thrown.setResult(e);
                }
            });
            assertInstanceOf(IllegalStateException.class, await(thrown));
            spin(2);
            assertTrue(cond.locked());
            assertFalse(other.isDone(), "the lock was not released to the waiting task");
            cond.release();
            assertTrue(await(other));
            cond.release();
            return null;
        });
    }

    @Test
    @DisplayName("Condition: awaitFor without the lock returns when the predicate holds, else is refused (test_wait_for_unacquired)")
    void conditionAwaitForUnacquired() {
        run(() -> {
            Condition cond = new Condition();
            assertTrue(cond.awaitFor(() -> true));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> cond.awaitFor(() -> false));
            assertTrue(e.getMessage().contains("un-acquired"), e.getMessage());
            assertFalse(cond.locked());
            return null;
        });
    }

    @Test
    @DisplayName("Condition: conditions over one lock share it (test_explicit_lock)")
    void conditionExplicitLock() {
        run(() -> {
            Lock lock = new Lock();
            Condition first = new Condition(lock);
            Condition second = new Condition(lock);
            lock.acquire();
            assertTrue(first.locked() && second.locked());
            List<String> woken = new ArrayList<>();
            Task<Void> t = loop.createTask(() -> {
                try (var _ = second.hold()) {
                    second.await();
                    woken.add("second");
                }
                return null;
            });
            lock.release();
            spin(2);
            assertFalse(lock.locked(), "await released the shared lock");
            try (var _ = first.hold()) {
                first.signalAll();          // a waiter of the other condition is not signalled
            }
            spin(2);
            assertTrue(woken.isEmpty());
            try (var _ = lock.hold()) {
                second.signal();
            }
            await(t);
            assertEquals(List.of("second"), woken);
            return null;
        });
    }

    @Test
    @DisplayName("Condition: cancelled while waiting, the CancelledError leaves awaitFor unchanged (test_cancelled_error_wakeup)")
    void conditionCancelledErrorWakeup() {
        run(() -> {
            Condition cond = new Condition();
            CancelledError[] raised = new CancelledError[1];
            Task<Void> t = loop.createTask(() -> {
                try (var _ = cond.hold()) {
                    try {
                        cond.awaitFor(() -> false);
                    } catch (CancelledError e) {
                        raised[0] = e;
                        throw e;
                    }
                }
                return null;
            });
            spin(2);
            t.cancel("foo");
            CancelledError e = assertThrows(CancelledError.class, () -> await(t));
            assertEquals("foo", raised[0].getMessage());
            assertEquals("foo", e.getMessage());
            assertFalse(cond.locked());
            return null;
        });
    }

    @Test
    @DisplayName("Condition: cancelled while re-acquiring after a signal, it still re-acquires and keeps the message (test_cancelled_error_re_aquire)")
    void conditionCancelledErrorReacquire() {
        run(() -> {
            Condition cond = new Condition();
            boolean[] wake = {false};
            CancelledError[] raised = new CancelledError[1];
            boolean[] heldAtCancel = {false};
            Task<Void> t = loop.createTask(() -> {
                try (var _ = cond.hold()) {
                    try {
                        cond.awaitFor(() -> wake[0]);
                    } catch (CancelledError e) {
                        raised[0] = e;
                        heldAtCancel[0] = cond.locked();
                        throw e;
                    }
                }
                return null;
            });
            spin(2);
            cond.acquire();
            wake[0] = true;
            cond.signal();
            spin(1);             // t is now waiting for the lock
            assertFalse(t.isDone());
            t.cancel("foo");
            spin(1);
            assertFalse(t.isDone(), "it waits for the lock before it leaves");
            cond.release();
            CancelledError e = assertThrows(CancelledError.class, () -> await(t));
            assertEquals("foo", raised[0].getMessage());
            assertEquals("foo", e.getMessage());
            assertTrue(heldAtCancel[0]);
            assertFalse(cond.locked());
            return null;
        });
    }

    @Test
    @DisplayName("Semaphore: a task that releases and re-acquires queues behind earlier waiters (test_acquire_fifo_order_2)")
    void semaphoreFifoOrder2() {
        run(() -> {
            Semaphore sem = new Semaphore(1);
            List<Integer> result = new ArrayList<>();
            Task<Void> t1 = loop.createTask(() -> {
                sem.acquire();
                result.add(1);
                return null;
            });
            Task<Void> t2 = loop.createTask(() -> {
                sem.acquire();
                result.add(2);
                sem.release();
                sem.acquire();
                result.add(4);
                return null;
            });
            Task<Void> t3 = loop.createTask(() -> {
                sem.acquire();
                result.add(3);
                return null;
            });
            spin(1);
            sem.release();
            sem.release();
            for (Task<Void> t : List.of(t1, t2, t3)) {
                await(t);
            }
            assertEquals(List.of(1, 2, 3, 4), result);
            return null;
        });
    }

    @Test
    @DisplayName("Semaphore: a waiter cancelled before any release takes no permit (test_acquire_fifo_order_3)")
    void semaphoreFifoOrder3() {
        run(() -> {
            Semaphore sem = new Semaphore(0);
            List<Integer> result = new ArrayList<>();
            List<Task<Void>> ts = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                int n = i;
                ts.add(loop.createTask(() -> {
                    sem.acquire();
                    result.add(n);
                    return null;
                }));
            }
            spin(1);
            ts.get(0).cancel();
            spin(1);
            sem.release();
            sem.release();
            assertThrows(CancelledError.class, () -> await(ts.get(0)));
            await(ts.get(1));
            await(ts.get(2));
            assertEquals(List.of(2, 3), result);
            assertEquals(0, sem.availablePermits());
            return null;
        });
    }

    @Test
    @DisplayName("Semaphore: the first woken acquire hands the permits left to the waiters queued behind it (test_acquire_fifo_order_4)")
    void semaphoreFifoOrder4() {
        run(() -> {
            Semaphore sem = new Semaphore(0);
            List<Integer> result = new ArrayList<>();
            List<Task<Void>> later = new ArrayList<>();
            Task<Void> t1 = loop.createTask(() -> {
                sem.acquire();
                assertEquals(0, sem.availablePermits(), "the permits left went to the queued waiters");
                later.add(loop.createTask(() -> {
                    sem.acquire();
                    result.add(4);
                    return null;
                }));
                result.add(1);
                return null;
            });
            spin(1);
            Task<Void> t2 = loop.createTask(() -> {
                sem.release();
                sem.release();
                sem.release();
                assertEquals(2, sem.availablePermits());
                sem.acquire();   // waits: t1 was woken but has not run
                result.add(2);
                return null;
            });
            Task<Void> t3 = loop.createTask(() -> {
                sem.acquire();
                result.add(3);
                return null;
            });
            for (Task<Void> t : List.of(t1, t2, t3)) {
                await(t);
            }
            assertEquals(List.of(1, 2, 3), result);
            assertFalse(later.get(0).isDone(), "the fourth waits: every permit is taken");
            sem.release();
            await(later.get(0));
            assertEquals(List.of(1, 2, 3, 4), result);
            return null;
        });
    }

    @Test
    @DisplayName("Semaphore: a waiter cancelled while the holder runs does not keep the permit (test_acquire_no_hang)")
    void semaphoreAcquireNoHang() {
        run(() -> {
            Semaphore sem = new Semaphore(1);
            Task<?>[] second = new Task<?>[1];
            Task<Void> first = loop.createTask(() -> {
                try (var _ = sem.hold()) {
                    Async.yieldNow();
                    second[0].cancel();
                }
                return null;
            });
            second[0] = loop.createTask(() -> {
                try (var _ = sem.hold()) {
                    throw new AssertionError("the cancelled task must not get the permit");
                }
            });
            await(first);
            assertThrows(CancelledError.class, () -> await(second[0]));
            assertFalse(sem.locked());
            assertTrue(sem.acquire(), "the permit is free again");
            return null;
        });
    }

    @Test
    @DisplayName("BoundedSemaphore: release from another thread is refused as such, before the bound is checked")
    void boundedSemaphoreWrongThread() {
        run(() -> {
            BoundedSemaphore sem = new BoundedSemaphore(1);
            sem.acquire();
            sem.release();
            assertRefusedOffLoopThread(sem::release);
            assertEquals(1, sem.availablePermits());
            return null;
        });
    }

    @Test
    @DisplayName("Barrier: a task arriving while the last round drains waits for the next round; waiting() is 0 meanwhile")
    void barrierDraining() {
        run(() -> {
            Barrier barrier = new Barrier(2);
            Task<Integer> a = loop.createTask(barrier::await);
            spin(2);
            assertEquals(1, barrier.await(), "main arrives last");
            assertFalse(a.isDone(), "a is woken but has not left yet");
            assertEquals(0, barrier.waiting(), "asyncio's n_waiting is 0 while draining");
            Task<Integer> b = loop.createTask(barrier::await);
            Task<Integer> c = loop.createTask(barrier::await);
            assertEquals(0, await(a));
            assertEquals(0, await(b), "b started the next round");
            assertEquals(1, await(c));
            assertFalse(barrier.isBroken());
            return null;
        });
    }

    @Test
    @DisplayName("Barrier: reset with nobody waiting keeps it usable; abort then reset repairs it")
    void barrierResetIdle() {
        run(() -> {
            Barrier barrier = new Barrier(1);
            barrier.reset();
            assertEquals(0, barrier.await(), "a one-party barrier passes at once");
            barrier.abort();
            barrier.abort();
            assertTrue(barrier.isBroken());
            barrier.reset();
            assertFalse(barrier.isBroken());
            assertEquals(0, barrier.await());
            return null;
        });
    }

    @Test
    @DisplayName("Barrier: reset and abort from another thread while the loop runs are refused, as for the other primitives")
    void barrierWrongThread() {
        run(() -> {
            Barrier barrier = new Barrier(2);
            Task<Integer> a = loop.createTask(barrier::await);
            spin(2);
            for (Runnable misuse : List.<Runnable>of(barrier::abort, barrier::reset)) {
                assertRefusedOffLoopThread(misuse);
            }
            assertFalse(barrier.isBroken());
            assertEquals(1, barrier.waiting());
            assertEquals(1, barrier.await());
            assertEquals(0, await(a));
            return null;
        });
    }

    @Test
    @DisplayName("Event, Semaphore, Condition and Queue: every call from another thread while the loop runs is refused and changes nothing, as for Lock and Barrier")
    void primitivesWrongThread() {
        run(() -> {
            Event event = new Event();
            event.clear();
            Semaphore semaphore = new Semaphore(1);
            semaphore.release();
            Condition condition = new Condition();
            condition.acquire();
            condition.signal();
            condition.release();
            AsyncQueue<String> queue = new AsyncQueue<>(1);
            queue.putNowait("x");
            List<Runnable> misuses = List.of(event::set, event::clear, event::await, semaphore::acquire,
                    semaphore::release, condition::await, condition::signal, () -> queue.put("y"),
                    () -> queue.putNowait("y"), queue::get, queue::getNowait, queue::taskDone, queue::join,
                    () -> queue.shutdown(true));
            for (Runnable misuse : misuses) {
                assertRefusedOffLoopThread(misuse);
            }
            assertFalse(event.isSet());
            assertEquals(2, semaphore.availablePermits());
            assertEquals(1, queue.qsize());
            assertFalse(queue.isShutdown());
            assertEquals("x", queue.getNowait());
            queue.taskDone();
            queue.join();
            return null;
        });
    }

    @Test
    @DisplayName("Lock, Semaphore, Condition and Event: acquire and wait return true also after waiting (test_acquire, test_wait, test_wait_for)")
    void waitsReturnTrue() {
        run(() -> {
            Lock lock = new Lock();
            Semaphore semaphore = new Semaphore(0);
            Event event = new Event();
            Condition condition = new Condition();
            boolean[] ready = {false};
            lock.acquire();
            Task<Boolean> lockWaiter = loop.createTask(lock::acquire);
            Task<Boolean> semaphoreWaiter = loop.createTask(semaphore::acquire);
            Task<Boolean> eventWaiter = loop.createTask(event::await);
            Task<Boolean> conditionWaiter = loop.createTask(() -> {
                try (var _ = condition.hold()) {
                    return condition.await();
                }
            });
            Task<Boolean> predicateWaiter = loop.createTask(() -> {
                try (var _ = condition.hold()) {
                    return condition.awaitFor(() -> ready[0]);
                }
            });
            spin(2);
            lock.release();
            semaphore.release();
            event.set();
            try (var _ = condition.hold()) {
                condition.signal(0);   // asyncio's notify(0) wakes nobody
                ready[0] = true;
                condition.signalAll();
            }
            for (Task<Boolean> waiter : List.of(lockWaiter, semaphoreWaiter, eventWaiter, conditionWaiter,
                    predicateWaiter)) {
                assertTrue(await(waiter), String.valueOf(waiter));
            }
            return null;
        });
    }

    @Test
    @DisplayName("Lock, Semaphore, Event, Condition and Queue: toString shows the state and the waiters, as asyncio's repr does (test_repr)")
    void primitivesToString() {
        run(() -> {
            Lock lock = new Lock();
            assertEquals("Lock[unlocked]", lock.toString());
            lock.acquire();
            assertEquals("Lock[locked]", lock.toString());
            Task<Boolean> lockWaiter = loop.createTask(lock::acquire);
            Semaphore semaphore = new Semaphore(1);
            assertEquals("Semaphore[unlocked, value:1]", semaphore.toString());
            semaphore.acquire();
            assertEquals("Semaphore[locked]", semaphore.toString());
            Task<Boolean> semaphoreWaiter = loop.createTask(semaphore::acquire);
            Event event = new Event();
            assertEquals("Event[unset]", event.toString());
            Task<Boolean> eventWaiter = loop.createTask(event::await);
            Condition condition = new Condition();
            assertEquals("Condition[unlocked]", condition.toString());
            Task<Boolean> conditionWaiter = loop.createTask(() -> {
                try (var _ = condition.hold()) {
                    return condition.await();
                }
            });
            AsyncQueue<String> queue = new AsyncQueue<>(1);
            assertEquals("AsyncQueue[maxsize=1, qsize=0]", queue.toString());
            Task<String> getter = loop.createTask(queue::get);
            spin(2);
            assertEquals("Lock[locked, waiters:1]", lock.toString());
            assertEquals("Semaphore[locked, waiters:1]", semaphore.toString());
            assertEquals("Event[unset, waiters:1]", event.toString());
            assertEquals("Condition[unlocked, waiters:1]", condition.toString());
            assertEquals("AsyncQueue[maxsize=1, qsize=0, getters:1]", queue.toString());
            lock.release();
            semaphore.release();
            event.set();
            assertEquals("Event[set, waiters:1]", event.toString());
            try (var _ = condition.hold()) {
                assertEquals("Condition[locked, waiters:1]", condition.toString());
                condition.signal();
            }
            queue.putNowait("a");
            assertEquals("a", await(getter));
            queue.putNowait("b");
            Task<Void> putter = loop.createTask(() -> {
                queue.put("c");
                return null;
            });
            spin(1);
            assertEquals("AsyncQueue[maxsize=1, qsize=1, putters:1, unfinished:2]", queue.toString());
            queue.shutdown(false);
            assertThrows(QueueShutDown.class, () -> await(putter));
            assertEquals("AsyncQueue[maxsize=1, qsize=1, unfinished:2, shut down]", queue.toString());
            for (Task<Boolean> waiter : List.of(lockWaiter, semaphoreWaiter, eventWaiter, conditionWaiter)) {
                await(waiter);
            }
            assertEquals("Lock[locked]", lock.toString());
            assertEquals("Event[set]", event.toString());
            return null;
        });
    }

    @Test
    @DisplayName("Barrier: tasks that arrive while a round drains pass in the next round once the last one has left (test_draining_state)")
    void barrierArrivalsWhileDrainingPassNextRound() {
        run(() -> {
            Barrier barrier = new Barrier(2);
            assertEquals(2, barrier.parties());
            Task<Integer> first = loop.createTask(barrier::await);
            spin(2);
            // In one loop iteration: the second party fills the round and wakes the first, whose wake-up runs
            // after the two arrivals scheduled behind it.
            Task<Integer> filler = loop.createTask(barrier::await);
            Task<Integer> early = loop.createTask(barrier::await);
            Task<Integer> late = loop.createTask(barrier::await);
            spin(1);
            assertTrue(filler.isDone(), "the second party passes at once");
            assertFalse(early.isDone() || late.isDone(), "arrivals wait while the round drains");
            assertEquals(0, barrier.waiting(), "and count in no round yet");
            spin(3);
            assertTrue(early.isDone() && late.isDone(), "the first party left, so the next round filled");
            assertEquals(0, await(first));
            assertEquals(1, await(filler));
            assertEquals(0, await(early));
            assertEquals(1, await(late));
            return null;
        });
    }

    @Test
    @DisplayName("Queue: maxsize 0 or negative is unbounded (test_maxsize)")
    void queueUnboundedMaxsize() {
        run(() -> {
            for (int maxsize : new int[] {0, -1}) {
                AsyncQueue<Integer> q = new AsyncQueue<>(maxsize);
                for (int i = 0; i < 100; i++) {
                    q.putNowait(i);
                }
                assertFalse(q.full());
                assertEquals(maxsize, q.maxsize());
                assertEquals(100, q.qsize());
                q.put(100);   // never waits
                assertEquals(0, q.get());
            }
            return null;
        });
    }

    @Test
    @DisplayName("Queue: join on a queue with nothing unfinished returns at once (test_join_empty_queue)")
    void queueJoinEmpty() {
        run(() -> {
            AsyncQueue<String> q = new AsyncQueue<>();
            q.join();
            q.putNowait("x");
            q.getNowait();
            q.taskDone();
            q.join();
            return null;
        });
    }

    @Test
    @DisplayName("Queue: shutdown(true) counts only the dropped items done; join waits for items taken earlier")
    void queueImmediateShutdownKeepsTakenItemsUnfinished() {
        run(() -> {
            AsyncQueue<String> q = new AsyncQueue<>();
            q.putNowait("taken");
            q.putNowait("dropped");
            assertEquals("taken", q.getNowait());
            Task<Void> joiner = loop.createTask(() -> {
                q.join();
                return null;
            });
            spin(1);
            q.shutdown(true);
            spin(2);
            assertFalse(joiner.isDone(), "the item taken earlier is still unfinished");
            assertThrows(QueueShutDown.class, q::getNowait);
            q.taskDone();
            await(joiner);
            assertThrows(IllegalStateException.class, q::taskDone, "the dropped item was already counted done");
            return null;
        });
    }

    @Test
    @DisplayName("Queue: shutdown(false) leaves join waiting until the items left are processed")
    void queueGracefulShutdownDoesNotReleaseJoin() {
        run(() -> {
            AsyncQueue<String> q = new AsyncQueue<>();
            q.putNowait("x");
            Task<Void> joiner = loop.createTask(() -> {
                q.join();
                return null;
            });
            spin(1);
            q.shutdown(false);
            spin(2);
            assertFalse(joiner.isDone());
            assertEquals("x", q.get());
            q.taskDone();
            await(joiner);
            return null;
        });
    }

    @Test
    @DisplayName("Queue: a putter woken by shutdown fails even if a get freed a slot before it ran")
    void queueShutdownPutterFailsAfterSlotFreed() {
        run(() -> {
            AsyncQueue<Integer> q = new AsyncQueue<>(1);
            q.putNowait(0);
            Task<Void> putter = loop.createTask(() -> {
                q.put(1);
                return null;
            });
            spin(1);
            q.shutdown(false);
            assertEquals(0, q.getNowait());
            assertThrows(QueueShutDown.class, () -> await(putter));
            assertTrue(q.empty(), "the shut-down putter put nothing");
            return null;
        });
    }

    @Test
    @DisplayName("Queue: created while one loop runs, it binds at its first use, as a Lock does (join included)")
    void queueCreatedInOneLoopUsedInAnother() {
        AsyncQueue<String> q = run(AsyncQueue::new);
        EventLoop other = new LibraryTestLoop();
        try {
            String got = other.runUntilComplete(() -> {
                q.put("x");
                Task<Void> joiner = Async.getRunningLoop().createTask(() -> {
                    q.join();
                    return null;
                });
                spin(1);
                if (joiner.isDone()) {
                    await(joiner);   // fails with the reason it ended
                }
                assertFalse(joiner.isDone(), "join waits for the item");
                String item = q.get();
                q.taskDone();
                await(joiner);
                return item;
            });
            assertEquals("x", got);
        } finally {
            other.close();
        }
    }

    @Test
    @DisplayName("PriorityQueue: a put of an item that is not Comparable fails at once, also on a full queue")
    void priorityQueueRefusesIncomparableBeforeWaiting() {
        run(() -> {
            AsyncPriorityQueue<Object> q = new AsyncPriorityQueue<>(1);
            q.putNowait(1);
            Task<Void> bad = loop.createTask(() -> {
                q.put(new Object());
                return null;
            });
            Task<Void> good = loop.createTask(() -> {
                q.put(2);
                return null;
            });
            spin(2);
            assertTrue(bad.isDone(), "refused without waiting for room");
            assertThrows(ClassCastException.class, () -> await(bad));
            assertEquals(1, q.getNowait());   // the free slot goes to the waiting putter
            await(good);
            assertEquals(2, q.getNowait());
            return null;
        });
    }

    /** Runs {@code misuse} on an executor thread while the loop runs: it must throw the "not thread-safe" refusal. */
    private void assertRefusedOffLoopThread(Runnable misuse) {
        Future<Object> outcome = loop.runInExecutor(null, () -> {
            try {
                misuse.run();
                return "ran";
            } catch (IllegalStateException e) {
                return e;
            }
        });
        Object o = await(outcome);
        assertTrue(o instanceof IllegalStateException e && e.getMessage().contains("not thread-safe"),
                String.valueOf(o));
    }
}
