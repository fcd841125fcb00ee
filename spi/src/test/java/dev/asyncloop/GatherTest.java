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
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Behaviour of {@link Tasks#gather}, in the spirit of CPython's gather tests. */
class GatherTest extends LoopFixture {

    @Test
    @DisplayName("results come in argument order, whatever the completion order")
    void argumentOrder() {
        List<String> r = run(() -> await(Tasks.gather(
                later(Duration.ofMillis(15), "a"), later(Duration.ofMillis(1), "b"), sleeper(Duration.ofMillis(5), "c"))));
        assertEquals(List.of("a", "b", "c"), r);
    }

    @Test
    @DisplayName("no futures: a done future with an empty list")
    void empty() {
        run(() -> {
            Future<List<Object>> g = Tasks.gather(List.of(), false);
            assertTrue(g.isDone());
            assertEquals(List.of(), g.result());
            return null;
        });
    }

    @Test
    @DisplayName("all futures already done: the gather is done at once")
    void allDone() {
        run(() -> {
            Future<String> a = loop.createFuture();
            a.setResult("a");
            Future<List<String>> g = Tasks.gather(a, a);
            assertTrue(g.isDone());
            assertEquals(List.of("a", "a"), g.result());
            return null;
        });
    }

    @Test
    @DisplayName("a future given twice is waited for once and listed twice")
    void duplicates() {
        run(() -> {
            Task<String> t = sleeper(Duration.ofMillis(1), "t");
            assertEquals(List.of("t", "u", "t"), await(Tasks.gather(t, later(Duration.ofMillis(2), "u"), t)));
            return null;
        });
    }

    @Test
    @DisplayName("a future given three times counts once: the gather waits for the other futures too")
    void duplicateCountsOnce() {
        run(() -> {
            Future<String> f = loop.createFuture();
            Future<String> g = loop.createFuture();
            Future<List<String>> all = Tasks.gather(f, f, f, g);
            f.setResult("f");
            Async.yieldNow();
            assertFalse(all.isDone(), "g is still pending");
            g.setResult("g");
            assertEquals(List.of("f", "f", "f", "g"), await(all));
            return null;
        });
    }

    @Test
    @org.junit.jupiter.api.Timeout(10)
    @DisplayName("200k futures given twice each, half done before: listed twice in order, in under 10 s")
    void manyDuplicates() {
        int n = 200_000;
        // gather's own cost is measured: debug mode's creation stack per future and per callback (about 10 us
        // each, 400,000 here) would take the whole 10 s on a loaded machine. DebugCreationStackTest covers those.
        loop.setDebug(false);
        run(() -> {
            List<Future<Integer>> futures = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                Future<Integer> f = loop.createFuture();
                if (i % 2 == 0) {
                    f.setResult(i);
                }
                futures.add(f);
            }
            List<Future<Integer>> args = new ArrayList<>(2 * n);
            args.addAll(futures);
            args.addAll(futures.reversed());
            Future<List<Integer>> all = Tasks.gather(args);
            for (int i = n - 1; i > 0; i -= 2) {
                futures.get(i).setResult(i);
            }
            List<Integer> r = await(all);
            assertEquals(2 * n, r.size());
            for (int i = 0; i < n; i++) {
                assertEquals(i, r.get(i));
                assertEquals(i, r.get(2 * n - 1 - i));
            }
            return null;
        });
    }

    @Test
    @DisplayName("returnExceptions: a failed future given twice is listed twice with the same exception")
    void duplicateFailureListedTwice() {
        run(() -> {
            IllegalStateException boom = new IllegalStateException("boom");
            Future<String> f = failLater(Duration.ofMillis(1), boom);
            List<Object> r = await(Tasks.gather(List.of(f, later(Duration.ofMillis(2), "ok"), f), true));
            assertSame(boom, r.get(0));
            assertEquals("ok", r.get(1));
            assertSame(boom, r.get(2));
            return null;
        });
    }

    @Test
    @DisplayName("cancelling a gather of a future given twice cancels it and ends with CancelledError")
    void cancelWithDuplicates() {
        run(() -> {
            Future<String> f = loop.createFuture();
            Future<List<Object>> g = Tasks.gather(List.of(f, f), true);
            assertTrue(g.cancel("stop"));
            assertTrue(f.isCancelled());
            CancelledError e = assertThrows(CancelledError.class, () -> await(g));
            assertEquals("stop", e.getMessage());
            return null;
        });
    }

    @Test
    @DisplayName("the first exception finishes the gather; the other futures go on")
    void firstExceptionPropagates() {
        run(() -> {
            IllegalStateException boom = new IllegalStateException("boom");
            Future<String> slow = loop.createFuture();
            Future<List<String>> g = Tasks.gather(slow, failLater(Duration.ofMillis(1), boom));
            assertSame(boom, assertThrows(IllegalStateException.class, () -> await(g)));
            assertFalse(slow.isDone(), "the other child is not cancelled");
            slow.setResult("slow");
            assertEquals("slow", await(slow));
            return null;
        });
    }

    @Test
    @DisplayName("returnExceptions lists failures and cancellations as values")
    void returnExceptions() {
        run(() -> {
            IllegalStateException boom = new IllegalStateException("boom");
            Future<String> cancelled = loop.createFuture();
            loop.callLater(Duration.ofMillis(1), () -> cancelled.cancel("stop"));
            List<Object> r = await(Tasks.gather(List.of(later(Duration.ofMillis(3), "ok"),
                    failLater(Duration.ofMillis(2), boom), cancelled), true));
            assertEquals("ok", r.get(0));
            assertSame(boom, r.get(1));
            assertInstanceOf(CancelledError.class, r.get(2));
            assertEquals("stop", ((CancelledError) r.get(2)).getMessage());
            return null;
        });
    }

    @Test
    @DisplayName("a cancelled child makes the gather fail with CancelledError")
    void childCancelled() {
        run(() -> {
            Task<String> child = sleeper(LONG, "x");
            Future<List<String>> g = Tasks.gather(child, later(Duration.ofMillis(1), "y"));
            loop.callLater(Duration.ofMillis(2), () -> child.cancel());
            assertThrows(CancelledError.class, () -> await(g));
            assertFalse(g.isCancelled(), "the gather finished with a CancelledError, it was not itself cancelled");
            return null;
        });
    }

    @Test
    @DisplayName("cancelling the gather cancels every child; awaiting it raises CancelledError")
    void cancelGather() {
        run(() -> {
            Task<String> a = sleeper(LONG, "a");
            Future<String> b = loop.createFuture();
            Future<List<Object>> g = Tasks.gather(List.of(a, b), true);
            Async.yieldNow();
            assertTrue(g.cancel("enough"));
            CancelledError e = assertThrows(CancelledError.class, () -> await(g));
            assertEquals("enough", e.getMessage());
            assertTrue(a.isCancelled() && b.isCancelled());
            return null;
        });
    }

    @Test
    @DisplayName("cancelling the task awaiting the gather cancels the children")
    void cancelAwaitingTask() {
        run(() -> {
            Task<String> a = sleeper(LONG, "a");
            Task<String> b = sleeper(LONG, "b");
            Task<List<String>> waiter = loop.createTask(() -> await(Tasks.gather(a, b)));
            Async.sleep(Duration.ofMillis(2));
            waiter.cancel();
            assertThrows(CancelledError.class, () -> await(waiter));
            assertTrue(a.isCancelled() && b.isCancelled() && waiter.isCancelled());
            return null;
        });
    }

    @Test
    @DisplayName("race: cancelling the gather after all children finished but before it heard of it does nothing")
    void cancelWhileChildrenFinish() {
        run(() -> {
            Future<String> a = loop.createFuture();
            Future<String> b = loop.createFuture();
            Future<List<String>> g = Tasks.gather(a, b);
            a.setResult("a");
            b.setResult("b");
            assertFalse(g.isDone(), "the done-callbacks are still scheduled");
            assertFalse(g.cancel(), "no child accepted the cancellation");
            assertEquals(List.of("a", "b"), await(g));
            return null;
        });
    }

    @Test
    @DisplayName("cancelling a gather that is done returns false and changes nothing, as for any future")
    void cancelDoneGather() {
        run(() -> {
            Future<String> a = loop.createFuture();
            Future<List<String>> g = Tasks.gather(a);
            a.setResult("a");
            assertEquals(List.of("a"), await(g));
            assertFalse(g.cancel());
            assertFalse(g.isCancelled());
            assertEquals(List.of("a"), g.result());
            return null;
        });
    }

    @Test
    @DisplayName("race: cancelling the gather while one child finishes and one is pending")
    void cancelWhileOneChildFinishes() {
        run(() -> {
            Future<String> a = loop.createFuture();
            Future<String> b = loop.createFuture();
            Future<List<Object>> g = Tasks.gather(List.of(a, b), true);
            a.setResult("a");
            assertTrue(g.cancel());
            assertThrows(CancelledError.class, () -> await(g));
            assertEquals("a", a.result());
            assertTrue(b.isCancelled());
            return null;
        });
    }

    @Test
    @DisplayName("futures of different loops are refused")
    void differentLoops() {
        EventLoop other = new LibraryTestLoop();
        try {
            Future<String> foreign = other.createFuture();
            run(() -> {
                assertThrows(IllegalArgumentException.class, () -> Tasks.gather(loop.<String>createFuture(), foreign));
                return null;
            });
        } finally {
            other.close();
        }
    }
}
