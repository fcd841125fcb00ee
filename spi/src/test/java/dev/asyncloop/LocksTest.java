package dev.asyncloop;

import static dev.asyncloop.Async.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Behaviour of {@link Lock} and {@link Event}, in the spirit of CPython's test_locks. */
class LocksTest extends LoopFixture {

    static Task<Void> acquirer(Lock lock, List<String> order, String name) {
        return Async.getRunningLoop().createTask(() -> {
            lock.acquire();
            order.add(name);
            return null;
        }, name);
    }

    @Test
    @DisplayName("Lock: acquire/release/locked; waiters get the lock in FIFO order")
    void lockFifo() {
        run(() -> {
            Lock lock = new Lock();
            assertFalse(lock.locked());
            assertTrue(lock.acquire());
            assertTrue(lock.locked());
            List<String> order = new ArrayList<>();
            Task<Void> a = acquirer(lock, order, "a");
            Task<Void> b = acquirer(lock, order, "b");
            Task<Void> c = acquirer(lock, order, "c");
            spin(2);
            assertEquals(List.of(), order);
            lock.release();
            await(a);
            assertEquals(List.of("a"), order);
            lock.release();
            await(b);
            lock.release();
            await(c);
            assertEquals(List.of("a", "b", "c"), order);
            assertTrue(lock.locked());
            lock.release();
            assertFalse(lock.locked());
            return null;
        });
    }

    @Test
    @DisplayName("Lock: a new acquire queues behind waiters even when the lock is momentarily free")
    void lockNoBarging() {
        run(() -> {
            Lock lock = new Lock();
            lock.acquire();
            List<String> order = new ArrayList<>();
            Task<Void> a = acquirer(lock, order, "a");
            spin(1);
            lock.release();          // a is woken but has not run yet
            assertFalse(lock.locked());
            Task<Void> late = acquirer(lock, order, "late");
            await(a);
            assertEquals(List.of("a"), order);
            assertFalse(late.isDone());
            lock.release();
            await(late);
            assertEquals(List.of("a", "late"), order);
            return null;
        });
    }

    @Test
    @DisplayName("Lock: a waiter cancelled after release woke it passes the wake-up on (test_acquire_cancel_after_release)")
    void lockCancelAfterRelease() {
        run(() -> {
            Lock lock = new Lock();
            lock.acquire();
            List<String> order = new ArrayList<>();
            Task<Void> a = acquirer(lock, order, "a");
            Task<Void> b = acquirer(lock, order, "b");
            spin(1);
            lock.release();   // wakes a
            a.cancel();       // a is cancelled before it runs
            assertThrows(CancelledError.class, () -> await(a));
            await(b);
            assertEquals(List.of("b"), order);
            assertTrue(lock.locked());
            return null;
        });
    }

    @Test
    @DisplayName("Lock: cancelled waiters are skipped; release with only cancelled waiters leaves it free (test_cancel_race)")
    void lockCancelRace() {
        run(() -> {
            Lock lock = new Lock();
            lock.acquire();
            List<String> order = new ArrayList<>();
            Task<Void> a = acquirer(lock, order, "a");
            Task<Void> b = acquirer(lock, order, "b");
            Task<Void> c = acquirer(lock, order, "c");
            spin(1);
            b.cancel();
            spin(1);
            lock.release();
            await(a);
            assertTrue(b.isCancelled());
            lock.release();
            await(c);
            assertEquals(List.of("a", "c"), order);
            lock.release();
            Task<Void> d = acquirer(lock, order, "d");
            d.cancel();
            spin(2);
            assertFalse(lock.locked(), "a cancelled waiter never takes the lock");
            assertTrue(lock.acquire(), "no live waiters: acquire succeeds at once");
            return null;
        });
    }

    @Test
    @DisplayName("Lock: hold() releases on close, also on exception; release of an unlocked lock is an error")
    @SuppressWarnings("try")
    void lockHoldAndMisuse() {
        run(() -> {
            Lock lock = new Lock();
            try (Held held = lock.hold()) {
                assertTrue(lock.locked());
                held.close();
                assertFalse(lock.locked());
            }   // a second close does nothing
            assertFalse(lock.locked());
            assertThrows(ArithmeticException.class, () -> {
                try (var _ = lock.hold()) {
                    throw new ArithmeticException("body");
                }
            });
            assertFalse(lock.locked());
            IllegalStateException e = assertThrows(IllegalStateException.class, lock::release);
            assertTrue(e.getMessage().contains("not acquired"), e.getMessage());
            return null;
        });
    }

    @Test
    @DisplayName("Lock: waiting outside a task, or on a second loop, is refused")
    void lockMisuseOutsideTaskAndOtherLoop() {
        Lock lock = new Lock();
        run(() -> lock.acquire());
        // a callback cannot wait
        Future<Throwable> seen = loop.createFuture();
        loop.callSoon(() -> {
            try {
                lock.acquire();
                seen.setResult(null);
            } catch (IllegalStateException e) {
                seen.setResult(e);
            }
        });
        assertTrue(loop.runUntilComplete(seen) instanceof IllegalStateException);
        EventLoop other = new LibraryTestLoop();
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> other.runUntilComplete(() -> lock.acquire()));
            assertTrue(e.getMessage().contains("different event loop"), e.getMessage());
        } finally {
            other.close();
        }
    }

    @Test
    @DisplayName("Lock: use from another thread while the loop runs is refused")
    void lockWrongThread() {
        run(() -> {
            Lock lock = new Lock();
            lock.acquire();
            Future<Object> outcome = loop.runInExecutor(null, () -> {
                try {
                    lock.release();
                    return "released";
                } catch (IllegalStateException e) {
                    return e;
                }
            });
            Object o = await(outcome);
            assertTrue(o instanceof IllegalStateException ise && ise.getMessage().contains("not thread-safe"),
                    String.valueOf(o));
            assertTrue(lock.locked());
            return null;
        });
    }

    @Test
    @DisplayName("Event: set wakes every waiter; clear; a woken waiter returns even if cleared before it runs")
    void event() {
        run(() -> {
            Event ev = new Event();
            assertFalse(ev.isSet());
            List<String> woken = new ArrayList<>();
            List<Task<Void>> ts = new ArrayList<>();
            for (String n : List.of("a", "b", "c")) {
                ts.add(loop.createTask(() -> {
                    assertTrue(ev.await());
                    woken.add(n);
                    return null;
                }));
            }
            spin(2);
            assertEquals(List.of(), woken);
            ev.set();
            ev.clear();
            for (Task<Void> t : ts) {
                await(t);
            }
            assertEquals(List.of("a", "b", "c"), woken);
            assertFalse(ev.isSet());
            ev.set();
            assertTrue(ev.await(), "a set event returns at once");
            return null;
        });
    }

    @Test
    @DisplayName("Event: a cancelled waiter leaves; set is idempotent")
    void eventCancel() {
        run(() -> {
            Event ev = new Event();
            Task<Boolean> t = loop.createTask(ev::await);
            spin(1);
            t.cancel();
            assertThrows(CancelledError.class, () -> await(t));
            assertEquals("Event[unset]", ev.toString(), "the cancelled waiter was removed");
            ev.set();
            ev.set();
            assertTrue(ev.isSet());
            return null;
        });
    }
}
