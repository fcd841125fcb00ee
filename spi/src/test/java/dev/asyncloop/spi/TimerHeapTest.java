package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.Context;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class TimerHeapTest {
    private final TestLoop loop = new TestLoop();
    /** The sequence number each test timer was given, as the loop's counter does. */
    private final Map<ScheduledTimer, Long> sequences = new IdentityHashMap<>();
    /** The reference order: deadline by subtraction, then sequence. */
    private final Comparator<ScheduledTimer> order = (a, b) -> {
        int c = Long.signum(a.whenNanos - b.whenNanos);
        return c != 0 ? c : Long.compare(sequences.get(a), sequences.get(b));
    };

    @AfterEach
    void closeLoop() {
        loop.close();
    }

    private ScheduledTimer timer(long when) {
        ScheduledTimer t = new ScheduledTimer(loop, when, () -> { }, new Context(), List.of());
        t.scheduled = true;
        sequences.put(t, (long) sequences.size());
        return t;
    }

    private void add(TimerHeap heap, ScheduledTimer t) {
        heap.add(t, sequences.get(t));
    }

    @Test
    @DisplayName("an empty heap peeks and polls null")
    void emptyHeap() {
        TimerHeap heap = new TimerHeap();
        assertTrue(heap.isEmpty());
        assertNull(heap.peek());
        assertNull(heap.poll());
        assertEquals(0, heap.removeCancelled());
    }

    @Test
    @DisplayName("timers come out in deadline order, equal deadlines first-in first-out")
    void deadlineThenFifo() {
        TimerHeap heap = new TimerHeap();
        ScheduledTimer late = timer(30);
        ScheduledTimer a = timer(10);
        ScheduledTimer b = timer(10);
        ScheduledTimer early = timer(-5);
        ScheduledTimer c = timer(10);
        for (ScheduledTimer t : List.of(late, a, b, early, c)) {
            add(heap, t);
        }
        assertEquals(5, heap.size());
        assertEquals(-5, heap.peekWhen());
        for (ScheduledTimer expected : List.of(early, a, b, c, late)) {
            assertSame(expected, heap.poll(), "deadline order, then scheduling order");
        }
        assertTrue(heap.isEmpty());
    }

    @Test
    @DisplayName("deadlines compare by subtraction, so the order holds across the long overflow of nanoTime")
    void deadlinesWrapAround() {
        TimerHeap heap = new TimerHeap();
        ScheduledTimer afterWrap = timer(Long.MIN_VALUE + 5);
        ScheduledTimer beforeWrap = timer(Long.MAX_VALUE - 5);
        add(heap, afterWrap);
        add(heap, beforeWrap);
        assertSame(beforeWrap, heap.poll(), "MAX_VALUE - 5 is 11 ns before MIN_VALUE + 5 on the nanoTime clock");
        assertSame(afterWrap, heap.poll());
    }

    @Test
    @DisplayName("removeCancelled that keeps one timer, or none, leaves a heap that polls it, then nothing")
    void removeCancelledKeepingOneOrNone() {
        TimerHeap heap = new TimerHeap();
        ScheduledTimer early = timer(1);
        ScheduledTimer kept = timer(5);
        ScheduledTimer late = timer(9);
        add(heap, late);
        add(heap, kept);
        add(heap, early);
        early.cancel();
        late.cancel();
        assertEquals(2, heap.removeCancelled());
        assertEquals(1, heap.size());
        assertSame(kept, heap.poll());
        assertNull(heap.poll());

        ScheduledTimer only = timer(3);
        add(heap, only);
        only.cancel();
        assertEquals(1, heap.removeCancelled());
        assertTrue(heap.isEmpty());
        assertNull(heap.poll());
    }

    @Test
    @DisplayName("removeCancelled drops exactly the cancelled timers, clears their scheduled flag, keeps the order")
    void removeCancelled() {
        TimerHeap heap = new TimerHeap();
        List<ScheduledTimer> all = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            ScheduledTimer t = timer((i * 7919L) % 101);
            all.add(t);
            add(heap, t);
        }
        List<ScheduledTimer> live = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            if (i % 3 != 0) {
                all.get(i).cancel();
            } else {
                live.add(all.get(i));
            }
        }
        assertEquals(200, heap.removeCancelled());
        assertEquals(100, heap.size());
        for (ScheduledTimer t : all) {
            assertEquals(!t.isCancelled(), t.scheduled, "scheduled flag of " + t);
        }
        live.sort(order);
        for (ScheduledTimer expected : live) {
            assertSame(expected, heap.poll());
        }
        assertTrue(heap.isEmpty());
    }

    @Test
    @DisplayName("clear empties the heap")
    void clear() {
        TimerHeap heap = new TimerHeap();
        for (int i = 0; i < 100; i++) {
            add(heap, timer(i));
        }
        heap.clear();
        assertTrue(heap.isEmpty());
        assertNull(heap.poll());
        add(heap, timer(3));
        assertEquals(1, heap.size());
    }

    @Test
    @DisplayName("random adds, polls, cancels and purges match a PriorityQueue<ScheduledTimer> model step by step")
    void matchesPriorityQueueModel() {
        for (long seed = 1; seed <= 20; seed++) {
            Random random = new Random(seed);
            TimerHeap heap = new TimerHeap();
            PriorityQueue<ScheduledTimer> model = new PriorityQueue<>(order);
            List<ScheduledTimer> scheduled = new ArrayList<>();
            int deadlineSpread = 1 + random.nextInt(1000);
            for (int step = 0; step < 20_000; step++) {
                int op = random.nextInt(100);
                if (op < 50) {
                    ScheduledTimer t = timer(random.nextInt(deadlineSpread) - deadlineSpread / 4);
                    add(heap, t);
                    model.add(t);
                    scheduled.add(t);
                } else if (op < 75) {
                    ScheduledTimer expected = model.poll();
                    assertSame(expected, heap.poll(), "seed " + seed + " step " + step);
                } else if (op < 95) {
                    if (!scheduled.isEmpty()) {
                        scheduled.get(random.nextInt(scheduled.size())).cancel();
                    }
                } else if (op < 97) {
                    int dropped = heap.removeCancelled();
                    int before = model.size();
                    model.removeIf(ScheduledTimer::isCancelled);
                    assertEquals(before - model.size(), dropped, "seed " + seed + " step " + step);
                } else {
                    while (model.peek() != null && model.peek().isCancelled()) {
                        assertSame(model.poll(), heap.poll(), "seed " + seed + " step " + step);
                    }
                }
                assertEquals(model.size(), heap.size(), "seed " + seed + " step " + step);
                assertSame(model.peek(), heap.peek(), "seed " + seed + " step " + step);
                if (!model.isEmpty()) {
                    assertEquals(model.peek().whenNanos, heap.peekWhen());
                }
                if (scheduled.size() > 5000) {
                    scheduled.subList(0, 2500).clear();
                }
            }
            while (!model.isEmpty()) {
                assertSame(model.poll(), heap.poll(), "seed " + seed + " draining");
            }
            assertFalse(heap.size() > 0);
        }
    }
}
