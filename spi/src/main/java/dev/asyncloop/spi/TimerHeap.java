package dev.asyncloop.spi;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The timer queue of {@link BaseEventLoop}: a 4-ary min-heap of {@link ScheduledTimer}s ordered by deadline
 * ({@code whenNanos}, compared by subtraction as {@link System#nanoTime()} values must be), then by sequence
 * number, so timers with equal deadlines come out first-in first-out. Loop thread only.
 *
 * <p>Implementation overview. The heap itself is one {@code long[]} of keys, two longs per entry: the deadline,
 * then the sequence number and the timer's slot packed together. The timers sit in a pool indexed by slot
 * ({@link #timers}), which sifting never touches: moving an entry moves two longs, and each level of a sift
 * reads the four children's keys from one or two cache lines instead of also moving a reference in a second
 * array (with 100k timers each of those was a cache miss). Slot {@code i}'s children are {@code 4i+1 .. 4i+4}: a
 * shallower tree than a binary heap. (deadline, sequence) is unique per timer, so every valid heap pops the
 * timers in the same order. The sequence number lives only here, which keeps it out of every
 * {@link ScheduledTimer}.
 *
 * <p>Limits: at most {@code 2^30} timers at once; sequence numbers are compared modulo {@code 2^34}, by
 * subtraction, so two pending timers with the same deadline keep their order while fewer than {@code 2^33}
 * timers were scheduled between them.
 */
final class TimerHeap {
    private static final int INITIAL_CAPACITY = 64;
    private static final int SLOT_BITS = 30;
    private static final long SLOT_MASK = (1L << SLOT_BITS) - 1;

    /** Entry {@code i}'s deadline at {@code 2i}; at {@code 2i+1} its sequence number (high bits) and slot. */
    private long[] keys = new long[2 * INITIAL_CAPACITY];
    /** The timers by slot; null in free slots. */
    private ScheduledTimer[] timers = new ScheduledTimer[INITIAL_CAPACITY];
    /** Free slots below {@link #slotsUsed}, a stack of {@link #freeCount}. */
    private int[] free = new int[INITIAL_CAPACITY];
    private int freeCount;
    private int slotsUsed;
    private int size;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** The earliest timer, or null when empty. */
    @Nullable ScheduledTimer peek() {
        return size == 0 ? null : timers[slotOf(keys[1])];
    }

    /** The earliest deadline; only when not empty. */
    long peekWhen() {
        return keys[0];
    }

    /**
     * Adds {@code timer}; {@code sequence} breaks ties between equal deadlines (smaller first).
     *
     * @throws IllegalStateException if {@code 2^30} timers are already in the heap
     */
    void add(ScheduledTimer timer, long sequence) {
        int slot;
        if (freeCount > 0) {
            slot = free[--freeCount];
        } else {
            if (slotsUsed == timers.length) {
                if (slotsUsed > SLOT_MASK) {
                    throw new IllegalStateException("more than 2^30 pending timers");
                }
                grow();
            }
            slot = slotsUsed++;
        }
        timers[slot] = timer;
        siftUp(size++, timer.whenNanos, sequence << SLOT_BITS | slot);
    }

    /** Removes and returns the earliest timer, or null when empty. */
    @Nullable ScheduledTimer poll() {
        if (size == 0) {
            return null;
        }
        ScheduledTimer head = release(slotOf(keys[1]));
        int last = --size;
        if (last > 0) {
            siftDown(0, keys[2 * last], keys[2 * last + 1]);
        }
        return head;
    }

    /**
     * Drops every cancelled timer (marking it unscheduled) and restores the heap in linear time.
     *
     * @return how many were dropped
     */
    int removeCancelled() {
        int kept = 0;
        for (int i = 0; i < size; i++) {
            long tie = keys[2 * i + 1];
            int slot = slotOf(tie);
            if (timers[slot].isCancelled()) {
                release(slot).scheduled = false;
            } else {
                keys[2 * kept] = keys[2 * i];
                keys[2 * kept + 1] = tie;
                kept++;
            }
        }
        int dropped = size - kept;
        size = kept;
        for (int i = kept > 1 ? (kept - 2) >>> 2 : -1; i >= 0; i--) {
            siftDown(i, keys[2 * i], keys[2 * i + 1]);
        }
        return dropped;
    }

    /** Forgets every timer (without marking them). */
    void clear() {
        Arrays.fill(timers, 0, slotsUsed, null);
        slotsUsed = 0;
        freeCount = 0;
        size = 0;
    }

    private static int slotOf(long tie) {
        return (int) (tie & SLOT_MASK);
    }

    @SuppressWarnings("NullAway") // the slot is cleared for the GC; a free slot is never read
    private ScheduledTimer release(int slot) {
        ScheduledTimer t = timers[slot];
        timers[slot] = null;
        free[freeCount++] = slot;
        return t;
    }

    /** Whether key (w1, t1) comes before (w2, t2); both compared by subtraction (wrap-around). */
    private static boolean before(long w1, long t1, long w2, long t2) {
        long d = w1 - w2;
        return d < 0 || (d == 0 && t1 - t2 < 0);
    }

    private void siftUp(int k, long w, long t) {
        long[] a = keys;
        while (k > 0) {
            int parent = (k - 1) >>> 2;
            long pw = a[2 * parent];
            long pt = a[2 * parent + 1];
            if (!before(w, t, pw, pt)) {
                break;
            }
            a[2 * k] = pw;
            a[2 * k + 1] = pt;
            k = parent;
        }
        a[2 * k] = w;
        a[2 * k + 1] = t;
    }

    @SuppressWarnings("ShortCircuitBoolean") // & and | on purpose: a branch-free choice of the least child
    private void siftDown(int k, long w, long t) {
        long[] a = keys;
        int n = size;
        while (true) {
            int first = (k << 2) + 1;
            if (first >= n) {
                break;
            }
            int best = first;
            long bw = a[2 * first];
            long bt = a[2 * first + 1];
            int end = Math.min(first + 4, n);
            for (int c = first + 1; c < end; c++) {
                long cw = a[2 * c];
                long ct = a[2 * c + 1];
                long d = cw - bw;
                // Non-short-circuit and selects without branches: which child is least is unpredictable.
                boolean better = d < 0 | (d == 0 & ct - bt < 0);
                best = better ? c : best;
                bw = better ? cw : bw;
                bt = better ? ct : bt;
            }
            if (!before(bw, bt, w, t)) {
                break;
            }
            a[2 * k] = bw;
            a[2 * k + 1] = bt;
            k = best;
        }
        a[2 * k] = w;
        a[2 * k + 1] = t;
    }

    private void grow() {
        int capacity = timers.length * 2;
        keys = Arrays.copyOf(keys, 2 * capacity);
        timers = Arrays.copyOf(timers, capacity);
        free = Arrays.copyOf(free, capacity);
    }
}
