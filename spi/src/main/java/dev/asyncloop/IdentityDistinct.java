package dev.asyncloop;

import java.util.ArrayList;
import java.util.List;

/**
 * The distinct elements of a list by identity, in first-occurrence order, in linear time.
 *
 * <p>The table is an {@code int[]} of indexes into the list, not an {@code IdentityHashMap}: for 100,000
 * futures a map's table is a 2 MiB array of references, which G1 allocates as a humongous (old) object whose
 * every slot then points into the young generation, and young collections became 20 times slower
 * ({@code LibraryBenchmarks.gather100k}). A primitive array is never scanned.
 */
final class IdentityDistinct {
    private IdentityDistinct() {
    }

    /**
     * Returns {@code items} itself when no element appears twice, else a new list of each element once.
     *
     * @param items the elements; not modified
     * @param <T> the element type
     * @return the distinct elements in the order of their first occurrence
     */
    static <T> List<T> of(List<T> items) {
        int n = items.size();
        if (n < 2) {
            return items;
        }
        int bits = tableBits(n);
        int[] slots = new int[1 << bits]; // index + 1 of an element's first occurrence; 0 = free
        int mask = slots.length - 1;
        List<T> distinct = null;
        for (int i = 0; i < n; i++) {
            T item = items.get(i);
            int at = slot(item, bits);
            boolean seen = false;
            for (int s; (s = slots[at]) != 0; at = (at + 1) & mask) {
                if (items.get(s - 1) == item) {
                    seen = true;
                    break;
                }
            }
            if (seen) {
                if (distinct == null) {
                    distinct = new ArrayList<>(items.subList(0, i));
                }
            } else {
                slots[at] = i + 1;
                if (distinct != null) {
                    distinct.add(item);
                }
            }
        }
        return distinct == null ? items : distinct;
    }

    /** The size, as a power of two, of an index table for {@code n > 0} elements: at least 2n slots. */
    static int tableBits(int n) {
        return 32 - Integer.numberOfLeadingZeros(2 * n - 1);
    }

    /** Where the probe for {@code item} starts in a table of {@code 1 << bits} slots (Fibonacci hashing). */
    static int slot(Object item, int bits) {
        return (System.identityHashCode(item) * 0x9E3779B9) >>> (32 - bits);
    }
}
