package dev.asyncloop.spi;

import java.util.Arrays;

/**
 * The timer queue of {@link BaseEventLoop}: a 4-ary min-heap of {@link ScheduledTimer}s ordered by deadline
 * ({@code whenNanos}, compared by subtraction as {@link System#nanoTime()} values must be), then by sequence
 * number, so timers with equal deadlines come out first-in first-out. Loop thread only.
 *
 * <p>Implementation overview. The keys (deadline, sequence) live interleaved in one {@code long[]} beside the
 * timers, so sifting compares array elements instead of dereferencing two timer objects per comparison (with
 * 100k timers those were cache misses). Slot {@code i}'s children are {@code 4i+1 .. 4i+4}: a shallower tree
 * than a binary heap, and the four children's keys sit in one or two cache lines. (deadline, sequence) is unique
 * per timer, so every valid heap pops the timers in the same order. The sequence number lives only here, which
 * keeps it out of every {@link ScheduledTimer}.
 */
final class TimerHeap {
    private static final int INITIAL_CAPACITY = 64;

    /** Slot {@code i}'s deadline at {@code 2i}, its sequence number at {@code 2i+1}: one cache line per key. */
    private long[] keys = new long[2 * INITIAL_CAPACITY];
    private ScheduledTimer[] timers = new ScheduledTimer[INITIAL_CAPACITY];
    private int size;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** The earliest timer, or null when empty. */
    ScheduledTimer peek() {
        return size == 0 ? null : timers[0];
    }

    /** The earliest deadline; only when not empty. */
    long peekWhen() {
        return keys[0];
    }

    /**
     * Adds a timer.
     *
     * @param timer the timer, due at its {@code whenNanos}
     * @param sequence its scheduling order: unique, increasing with each timer the loop schedules
     */
    void add(ScheduledTimer timer, long sequence) {
        if (size == timers.length) {
            grow();
        }
        siftUp(size++, timer.whenNanos, sequence, timer);
    }

    /** Removes and returns the earliest timer, or null when empty. */
    ScheduledTimer poll() {
        if (size == 0) {
            return null;
        }
        ScheduledTimer head = timers[0];
        int last = --size;
        ScheduledTimer moved = timers[last];
        timers[last] = null;
        if (last > 0) {
            siftDown(0, keys[2 * last], keys[2 * last + 1], moved);
        }
        return head;
    }

    /**
     * Drops every cancelled timer, clearing its {@code scheduled} flag, and restores the heap order.
     *
     * @return how many timers were dropped
     */
    int removeCancelled() {
        int kept = 0;
        for (int i = 0; i < size; i++) {
            ScheduledTimer t = timers[i];
            if (t.isCancelled()) {
                t.scheduled = false;
            } else {
                keys[2 * kept] = keys[2 * i];
                keys[2 * kept + 1] = keys[2 * i + 1];
                timers[kept++] = t;
            }
        }
        int dropped = size - kept;
        Arrays.fill(timers, kept, size, null);
        size = kept;
        for (int i = kept > 1 ? (kept - 2) >>> 2 : -1; i >= 0; i--) {
            siftDown(i, keys[2 * i], keys[2 * i + 1], timers[i]);
        }
        return dropped;
    }

    void clear() {
        Arrays.fill(timers, 0, size, null);
        size = 0;
    }

    private static boolean before(long w1, long s1, long w2, long s2) {
        long d = w1 - w2;
        return d < 0 || (d == 0 && s1 < s2);
    }

    private void siftUp(int k, long w, long s, ScheduledTimer t) {
        while (k > 0) {
            int parent = (k - 1) >>> 2;
            long pw = keys[2 * parent];
            long ps = keys[2 * parent + 1];
            if (!before(w, s, pw, ps)) {
                break;
            }
            keys[2 * k] = pw;
            keys[2 * k + 1] = ps;
            timers[k] = timers[parent];
            k = parent;
        }
        keys[2 * k] = w;
        keys[2 * k + 1] = s;
        timers[k] = t;
    }

    private void siftDown(int k, long w, long s, ScheduledTimer t) {
        int n = size;
        while (true) {
            int first = (k << 2) + 1;
            if (first >= n) {
                break;
            }
            int best = first;
            long bw = keys[2 * first];
            long bs = keys[2 * first + 1];
            int end = Math.min(first + 4, n);
            for (int c = first + 1; c < end; c++) {
                long cw = keys[2 * c];
                long cs = keys[2 * c + 1];
                long d = cw - bw;
                // Non-short-circuit and selects without branches: which child is least is unpredictable.
                boolean better = d < 0 | (d == 0 & cs < bs);
                best = better ? c : best;
                bw = better ? cw : bw;
                bs = better ? cs : bs;
            }
            if (!before(bw, bs, w, s)) {
                break;
            }
            keys[2 * k] = bw;
            keys[2 * k + 1] = bs;
            timers[k] = timers[best];
            k = best;
        }
        keys[2 * k] = w;
        keys[2 * k + 1] = s;
        timers[k] = t;
    }

    private void grow() {
        int capacity = timers.length * 2;
        keys = Arrays.copyOf(keys, 2 * capacity);
        timers = Arrays.copyOf(timers, capacity);
    }
}
