package dev.asyncloop;

import java.util.List;

/**
 * An index by identity over the elements of a list: an open-addressing {@code int[]} of positions in the list
 * (position + 1; 0 = free), sized for the whole list, with Fibonacci hashing of {@link System#identityHashCode}.
 *
 * <p>A primitive array, not an {@code IdentityHashMap} or a hash set: for 100,000 futures their tables are
 * arrays of references large enough for G1 to allocate them as humongous (old) objects whose every slot then
 * points into the young generation, and young collections became 20 times slower
 * ({@code LibraryBenchmarks.gather100k}); an {@code int[]} is never scanned. Not thread-safe.
 */
final class IdentityIndex {
    private final List<?> items;
    private final int shift;
    private final int mask;
    private final int[] slots;

    /** An empty index for the elements of {@code items}, which must not change while it is used. */
    IdentityIndex(List<?> items) {
        this.items = items;
        int bits = 32 - Integer.numberOfLeadingZeros(Math.max(1, 2 * items.size() - 1)); // >= 2n slots
        this.shift = 32 - bits;
        this.slots = new int[1 << bits];
        this.mask = slots.length - 1;
    }

    /**
     * Indexes the element at position {@code i}, unless an identical element is indexed already.
     *
     * @return whether it was added
     */
    boolean add(int i) {
        Object item = items.get(i);
        int at = start(item);
        for (int s; (s = slots[at]) != 0; at = (at + 1) & mask) {
            if (items.get(s - 1) == item) {
                return false;
            }
        }
        slots[at] = i + 1;
        return true;
    }

    /** Whether an element identical to {@code o} is indexed. */
    boolean contains(Object o) {
        for (int at = start(o), s; (s = slots[at]) != 0; at = (at + 1) & mask) {
            if (items.get(s - 1) == o) {
                return true;
            }
        }
        return false;
    }

    private int start(Object item) {
        return (System.identityHashCode(item) * 0x9E3779B9) >>> shift;
    }
}
