package dev.asyncloop;

import static dev.asyncloop.Async.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Behaviour of {@link Condition}, {@link Semaphore}, {@link BoundedSemaphore} and {@link Barrier} (test_locks). */
class ConditionSemaphoreBarrierTest extends LoopFixture {

    static Task<Void> waiter(Condition cond, List<String> woken, String name) {
        return Async.getRunningLoop().createTask(() -> {
            try (var _ = cond.hold()) {
                cond.await();
                assertTrue(cond.locked(), "the lock is held again after await()");
                woken.add(name);
            }
            return null;
        }, name);
    }

    @Test
    @DisplayName("Condition: signal(n) wakes the oldest n waiters, signalAll the rest; await re-acquires the lock")
    void conditionSignal() {
        run(() -> {
            Condition cond = new Condition();
            List<String> woken = new ArrayList<>();
            List<Task<Void>> ts = List.of(waiter(cond, woken, "a"), waiter(cond, woken, "b"),
                    waiter(cond, woken, "c"));
            spin(3);
            assertFalse(cond.locked(), "waiters released the lock");
            try (var _ = cond.hold()) {
                cond.signal();
            }
            spin(3);
            assertEquals(List.of("a"), woken);
            try (var _ = cond.hold()) {
                cond.signal(5);
            }
            spin(5);
            assertEquals(List.of("a", "b", "c"), woken);
            for (Task<Void> t : ts) {
                await(t);
            }
            try (var _ = cond.hold()) {
                cond.signalAll();   // no waiters: nothing happens
            }
            return null;
        });
    }

    @Test
    @DisplayName("Condition: await and signal without the lock are errors; awaitFor checks the predicate")
    void conditionMisuseAndAwaitFor() {
        run(() -> {
            Condition cond = new Condition(new Lock());
            IllegalStateException e = assertThrows(IllegalStateException.class, cond::await);
            assertTrue(e.getMessage().contains("un-acquired"), e.getMessage());
            assertThrows(IllegalStateException.class, cond::signal);
            assertThrows(IllegalStateException.class, cond::signalAll);
            int[] value = {0};
            Task<Boolean> t = loop.createTask(() -> {
                try (var _ = cond.hold()) {
                    return cond.awaitFor(() -> value[0] == 2);
                }
            });
            for (int i = 1; i <= 2; i++) {
                spin(2);
                assertFalse(t.isDone());
                try (var _ = cond.hold()) {
                    value[0] = i;
                    cond.signalAll();
                }
            }
            assertTrue(await(t));
            return null;
        });
    }

    @Test
    @DisplayName("Condition: a waiter cancelled while the lock is contended still re-acquires it (test_wait_cancel_contested)")
    void conditionCancelContested() {
        run(() -> {
            Condition cond = new Condition();
            boolean[] heldWhenCancelled = {false};
            Task<Void> t = loop.createTask(() -> {
                try (var _ = cond.hold()) {
                    try {
                        cond.await();
                    } catch (CancelledError e) {
                        heldWhenCancelled[0] = cond.locked();
                        throw e;
                    }
                }
                return null;
            });
            spin(2);
            cond.acquire();       // contend the lock
            t.cancel();
            spin(3);
            assertFalse(t.isDone(), "the cancelled waiter waits for the lock before it leaves");
            cond.release();
            assertThrows(CancelledError.class, () -> await(t));
            assertTrue(heldWhenCancelled[0], "CancelledError is thrown with the lock held");
            assertFalse(cond.locked());
            return null;
        });
    }

    @Test
    @DisplayName("Condition: a waiter signalled then cancelled hands the signal to the next waiter (no lost wake-up)")
    void conditionSignalThenCancel() {
        run(() -> {
            Condition cond = new Condition();
            List<String> woken = new ArrayList<>();
            Task<Void> a = waiter(cond, woken, "a");
            Task<Void> b = waiter(cond, woken, "b");
            spin(3);
            try (var _ = cond.hold()) {
                cond.signal();   // chooses a
            }
            a.cancel();          // before a ran
            assertThrows(CancelledError.class, () -> await(a));
            await(b);
            assertEquals(List.of("b"), woken);
            assertFalse(cond.locked());
            return null;
        });
    }

    @Test
    @DisplayName("Semaphore: permits, FIFO waiters, locked(), initial value checked")
    void semaphore() {
        run(() -> {
            assertThrows(IllegalArgumentException.class, () -> new Semaphore(-1));
            Semaphore sem = new Semaphore(2);
            assertTrue(sem.acquire());
            assertTrue(sem.acquire());
            assertTrue(sem.locked());
            List<String> order = new ArrayList<>();
            List<Task<Void>> ts = new ArrayList<>();
            for (String n : List.of("a", "b", "c")) {
                ts.add(loop.createTask(() -> {
                    sem.acquire();
                    order.add(n);
                    return null;
                }));
            }
            spin(2);
            sem.release();
            sem.release();
            spin(3);
            assertEquals(List.of("a", "b"), order);
            sem.release();
            await(ts.get(2));
            assertEquals(List.of("a", "b", "c"), order);
            assertEquals(0, sem.availablePermits());
            sem.release();
            sem.release();
            sem.release();   // unbounded: above the initial value
            assertEquals(3, sem.availablePermits());
            try (var _ = sem.hold()) {
                assertEquals(2, sem.availablePermits());
            }
            assertEquals(3, sem.availablePermits());
            return null;
        });
    }

    @Test
    @DisplayName("Semaphore: a waiter cancelled after being handed a permit gives it to the next (test_acquire_cancel_before_awoken)")
    void semaphoreCancelBeforeAwoken() {
        run(() -> {
            Semaphore sem = new Semaphore(0);
            List<String> order = new ArrayList<>();
            List<Task<Void>> ts = new ArrayList<>();
            for (String n : List.of("a", "b", "c")) {
                ts.add(loop.createTask(() -> {
                    sem.acquire();
                    order.add(n);
                    return null;
                }));
            }
            spin(1);
            sem.release();       // hands the permit to a
            ts.get(0).cancel();  // before a ran
            assertThrows(CancelledError.class, () -> await(ts.get(0)));
            await(ts.get(1));
            assertEquals(List.of("b"), order);
            assertFalse(ts.get(2).isDone());
            assertEquals(0, sem.availablePermits());
            sem.release();
            await(ts.get(2));
            return null;
        });
    }

    @Test
    @DisplayName("Semaphore: cancelled waiters never hang the others (test_acquire_hang)")
    void semaphoreAcquireHang() {
        run(() -> {
            Semaphore sem = new Semaphore(0);
            Task<Boolean> a = loop.createTask(sem::acquire);
            Task<Boolean> b = loop.createTask(sem::acquire);
            spin(1);
            sem.release();
            a.cancel();
            spin(3);
            assertTrue(b.isDone() && !b.isCancelled(), "b got the permit a gave back");
            assertTrue(sem.locked());
            return null;
        });
    }

    @Test
    @DisplayName("BoundedSemaphore: release above the initial value is an error")
    void boundedSemaphore() {
        run(() -> {
            BoundedSemaphore sem = new BoundedSemaphore(1);
            IllegalStateException e = assertThrows(IllegalStateException.class, sem::release);
            assertTrue(e.getMessage().contains("released too many times"), e.getMessage());
            sem.acquire();
            sem.release();
            assertThrows(IllegalStateException.class, sem::release);
            assertEquals(1, sem.availablePermits());
            return null;
        });
    }

    @Test
    @DisplayName("Barrier: parties meet, indices 0..n-1, reusable for a second round")
    void barrier() {
        run(() -> {
            assertThrows(IllegalArgumentException.class, () -> new Barrier(0));
            Barrier barrier = new Barrier(3);
            for (int round = 0; round < 2; round++) {
                List<Task<Integer>> ts = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    ts.add(loop.createTask(barrier::await));
                }
                spin(3);
                assertEquals(2, barrier.waiting());
                assertFalse(ts.get(0).isDone());
                int last = barrier.await();
                assertEquals(2, last, "the last to arrive gets parties - 1");
                Set<Integer> indices = new TreeSet<>();
                for (Task<Integer> t : ts) {
                    indices.add(await(t));
                }
                assertEquals(Set.of(0, 1), indices);
                assertEquals(0, barrier.waiting());
            }
            assertFalse(barrier.isBroken());
            return null;
        });
    }

    @Test
    @DisplayName("Barrier: abort breaks waiters and later arrivals until reset; reset breaks current waiters")
    void barrierAbortReset() {
        run(() -> {
            Barrier barrier = new Barrier(3);
            Task<Integer> a = loop.createTask(barrier::await);
            spin(2);
            barrier.abort();
            assertThrows(BrokenBarrierError.class, () -> await(a));
            assertTrue(barrier.isBroken());
            assertThrows(BrokenBarrierError.class, barrier::await);
            barrier.reset();
            assertFalse(barrier.isBroken());
            Task<Integer> b = loop.createTask(barrier::await);
            spin(2);
            barrier.reset();
            assertThrows(BrokenBarrierError.class, () -> await(b));
            // usable again
            Task<Integer> c = loop.createTask(barrier::await);
            Task<Integer> d = loop.createTask(barrier::await);
            spin(3);
            assertEquals(2, barrier.await());
            assertEquals(Set.of(0, 1), Set.of(await(c), await(d)));
            return null;
        });
    }

    @Test
    @DisplayName("Barrier: a cancelled waiter leaves without breaking the barrier")
    void barrierCancel() {
        run(() -> {
            Barrier barrier = new Barrier(2);
            Task<Integer> a = loop.createTask(barrier::await);
            spin(2);
            assertEquals(1, barrier.waiting());
            a.cancel();
            assertThrows(CancelledError.class, () -> await(a));
            assertEquals(0, barrier.waiting());
            assertFalse(barrier.isBroken());
            Task<Integer> b = loop.createTask(barrier::await);
            spin(2);
            assertEquals(1, barrier.await());
            assertEquals(0, await(b));
            return null;
        });
    }

    @Test
    @DisplayName("Barrier.hold(): waits as await() and gives the arrival index in a try-with-resources; closing"
            + " changes nothing; a broken barrier throws before the block")
    void barrierHold() {
        run(() -> {
            Barrier barrier = new Barrier(2);
            Task<Integer> first = loop.createTask(() -> {
                try (Barrier.Arrival arrival = barrier.hold()) {
                    return arrival.index();
                }
            });
            spin(2);
            assertEquals(1, barrier.waiting(), "hold() must wait as await() does");
            int last;
            try (var arrival = barrier.hold()) {
                last = arrival.index();
            }
            assertEquals(1, last, "the last to arrive gets parties - 1");
            assertEquals(0, await(first));
            assertEquals(0, barrier.waiting());
            assertFalse(barrier.isBroken(), "closing an arrival must not break the barrier");
            barrier.abort();
            boolean[] entered = {false};
            assertThrows(BrokenBarrierError.class, () -> {
                try (var ignored = barrier.hold()) {
                    entered[0] = true;
                }
            });
            assertFalse(entered[0], "the block must not run on a broken barrier");
            return null;
        });
    }

    @Test
    @DisplayName("Barrier's toString names its state the same in every default locale (Turkish lower-cases I to ı)")
    void barrierToStringIgnoresTheLocale() {
        Locale before = Locale.getDefault();
        Locale.setDefault(Locale.forLanguageTag("tr-TR"));
        try {
            assertEquals("Barrier[filling, waiters:0/2]", new Barrier(2).toString());
        } finally {
            Locale.setDefault(before);
        }
    }
}
