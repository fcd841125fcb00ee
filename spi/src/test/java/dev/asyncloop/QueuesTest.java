package dev.asyncloop;

import static dev.asyncloop.Async.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Behaviour of {@link AsyncQueue}, {@link AsyncPriorityQueue} and {@link AsyncLifoQueue} (test_queues). */
class QueuesTest extends LoopFixture {

    static <T> List<T> drain(AsyncQueue<T> q) {
        List<T> out = new ArrayList<>();
        while (!q.empty()) {
            out.add(q.getNowait());
        }
        return out;
    }

    @Test
    @DisplayName("FIFO, LIFO and priority order; qsize/empty/full; nowait errors")
    void orderAndNowait() {
        run(() -> {
            AsyncQueue<Integer> fifo = new AsyncQueue<>(3);
            assertTrue(fifo.empty());
            for (int i : List.of(3, 1, 2)) {
                fifo.putNowait(i);
            }
            assertTrue(fifo.full());
            assertEquals(3, fifo.qsize());
            assertThrows(QueueFull.class, () -> fifo.putNowait(4));
            assertEquals(List.of(3, 1, 2), drain(fifo));
            assertThrows(QueueEmpty.class, fifo::getNowait);

            AsyncLifoQueue<Integer> lifo = new AsyncLifoQueue<>();
            for (int i : List.of(3, 1, 2)) {
                lifo.put(i);
            }
            assertFalse(lifo.full(), "unbounded");
            assertEquals(List.of(2, 1, 3), drain(lifo));

            AsyncPriorityQueue<Integer> natural = new AsyncPriorityQueue<>();
            for (int i : List.of(3, 1, 2)) {
                natural.put(i);
            }
            assertEquals(List.of(1, 2, 3), drain(natural));

            AsyncPriorityQueue<String> byLength = new AsyncPriorityQueue<>(0, Comparator.comparingInt(String::length));
            for (String s : List.of("ccc", "b1", "a", "b2", "b3")) {
                byLength.put(s);
            }
            assertEquals(List.of("a", "b1", "b2", "b3", "ccc"), drain(byLength), "equal items keep insertion order");

            AsyncPriorityQueue<Object> bad = new AsyncPriorityQueue<>();
            assertThrows(ClassCastException.class, () -> bad.putNowait(new Object()));
            assertTrue(bad.empty());
            return null;
        });
    }

    @Test
    @DisplayName("get waits for put; put waits while full; waiters are served FIFO")
    void blockingGetAndPut() {
        run(() -> {
            AsyncQueue<String> q = new AsyncQueue<>(1);
            List<String> got = new ArrayList<>();
            Task<Void> g1 = loop.createTask(() -> {
                got.add("g1:" + q.get());
                return null;
            });
            Task<Void> g2 = loop.createTask(() -> {
                got.add("g2:" + q.get());
                return null;
            });
            spin(1);
            q.put("x");
            q.put("y");   // waits until g1 took x
            await(g1);
            await(g2);
            assertEquals(List.of("g1:x", "g2:y"), got);

            q.putNowait("a");
            Task<Void> p1 = loop.createTask(() -> {
                q.put("b");
                return null;
            });
            Task<Void> p2 = loop.createTask(() -> {
                q.put("c");
                return null;
            });
            spin(1);
            assertFalse(p1.isDone());
            assertEquals("a", q.get());
            assertEquals("b", q.get());
            assertEquals("c", q.get());
            await(p1);
            await(p2);
            return null;
        });
    }

    @Test
    @DisplayName("a getter cancelled after being woken leaves the item to the next getter (test_cancelled_getters / get race)")
    void getCancelRace() {
        run(() -> {
            AsyncQueue<String> q = new AsyncQueue<>();
            Task<String> g1 = loop.createTask(q::get);
            Task<String> g2 = loop.createTask(q::get);
            spin(1);
            q.putNowait("x");   // wakes g1
            g1.cancel();        // before g1 ran
            assertThrows(CancelledError.class, () -> await(g1));
            assertEquals("x", await(g2));
            assertTrue(q.empty());
            Task<String> g3 = loop.createTask(q::get);
            spin(1);
            g3.cancel();
            assertThrows(CancelledError.class, () -> await(g3));
            assertFalse(q.toString().contains("getters"), "a cancelled getter is removed: " + q);
            return null;
        });
    }

    @Test
    @DisplayName("a putter cancelled after being woken leaves the free slot to the next putter (put race)")
    void putCancelRace() {
        run(() -> {
            AsyncQueue<String> q = new AsyncQueue<>(1);
            q.putNowait("a");
            Task<Void> p1 = loop.createTask(() -> {
                q.put("b");
                return null;
            });
            Task<Void> p2 = loop.createTask(() -> {
                q.put("c");
                return null;
            });
            spin(1);
            assertEquals("a", q.getNowait());   // wakes p1
            p1.cancel();
            assertThrows(CancelledError.class, () -> await(p1));
            await(p2);
            assertEquals(List.of("c"), drain(q));
            return null;
        });
    }

    @Test
    @DisplayName("join waits until taskDone was called for every item; taskDone too often is an error")
    void joinAndTaskDone() {
        run(() -> {
            AsyncQueue<Integer> q = new AsyncQueue<>();
            q.join();   // nothing unfinished: returns at once
            IllegalStateException e = assertThrows(IllegalStateException.class, q::taskDone);
            assertTrue(e.getMessage().contains("called too many times"), e.getMessage());
            int[] sum = {0};
            for (int i = 1; i <= 4; i++) {
                q.put(i);
            }
            List<Task<Void>> workers = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                workers.add(loop.createTask(() -> {
                    while (true) {
                        int item = q.get();
                        Async.yieldNow();
                        sum[0] += item;
                        q.taskDone();
                    }
                }));
            }
            q.join();
            assertEquals(10, sum[0]);
            for (Task<Void> w : workers) {
                w.cancel();
            }
            return null;
        });
    }

    @Test
    @DisplayName("shutdown(false): puts fail, gets drain the rest then fail, waiting getters and putters fail")
    void shutdownGraceful() {
        run(() -> {
            AsyncQueue<String> empty = new AsyncQueue<>();
            Task<String> getter = loop.createTask(empty::get);
            spin(1);
            empty.shutdown(false);
            assertThrows(QueueShutDown.class, () -> await(getter));
            assertTrue(empty.isShutdown());

            AsyncQueue<String> q = new AsyncQueue<>(1);
            q.putNowait("a");
            Task<Void> putter = loop.createTask(() -> {
                q.put("b");
                return null;
            });
            spin(1);
            q.shutdown(false);
            assertThrows(QueueShutDown.class, () -> await(putter));
            assertThrows(QueueShutDown.class, () -> q.putNowait("c"));
            assertThrows(QueueShutDown.class, () -> q.put("c"));
            assertEquals("a", q.get(), "items left are still delivered");
            assertThrows(QueueShutDown.class, q::get);
            assertThrows(QueueShutDown.class, q::getNowait);
            Task<Void> joiner = loop.createTask(() -> {
                q.join();
                return null;
            });
            spin(2);
            assertFalse(joiner.isDone(), "join still waits for taskDone of the items taken");
            q.taskDone();
            await(joiner);
            return null;
        });
    }

    @Test
    @DisplayName("shutdown(true): items are dropped and counted done, join returns, getters fail")
    void shutdownImmediate() {
        run(() -> {
            AsyncQueue<String> q = new AsyncQueue<>();
            q.putNowait("a");
            q.putNowait("b");
            Task<Void> joiner = loop.createTask(() -> {
                q.join();
                return null;
            });
            spin(2);
            assertFalse(joiner.isDone());
            q.shutdown(true);
            assertTrue(q.empty());
            await(joiner);
            assertThrows(QueueShutDown.class, q::get);
            assertThrows(IllegalStateException.class, q::taskDone, "the dropped items count as done");
            return null;
        });
    }

    @Test
    @DisplayName("waiting outside a task is refused; null items are refused")
    void misuse() {
        AsyncQueue<String> q = new AsyncQueue<>();
        assertThrows(NullPointerException.class, () -> q.putNowait(null));
        assertThrows(IllegalStateException.class, q::get, "no running loop: cannot wait");
        assertThrows(QueueEmpty.class, q::getNowait);
    }
}
