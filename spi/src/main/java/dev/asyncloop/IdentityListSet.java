package dev.asyncloop;

import java.util.AbstractSet;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * An unmodifiable set over a list of elements that are distinct by identity: iteration in list order,
 * {@code contains} by identity through an {@code int[]} index built on first use.
 *
 * <p>For the results of {@link Tasks#wait}: a {@code LinkedHashSet} of 100,000 futures has a 1 MiB table of
 * references (and a 512 KiB one before its last resize), which G1 allocates as humongous objects; each such
 * allocation can start a young collection while the 100,000 tasks are still live, and {@code wait100k} spent
 * 0.4-0.6 s per second in GC. See {@link IdentityDistinct} for the same lesson in {@code gather}.
 *
 * @param <E> the element type
 */
final class IdentityListSet<E> extends AbstractSet<E> {
    private final List<E> items;
    private int[] slots; // index + 1 of each element, open addressing; null until contains() is first called
    private int bits;

    /** Wraps {@code items}, which must not repeat an element (by identity) and must not change afterwards. */
    IdentityListSet(List<E> items) {
        this.items = items;
    }

    @Override
    public int size() {
        return items.size();
    }

    @Override
    public Iterator<E> iterator() {
        return Collections.unmodifiableList(items).iterator();
    }

    @Override
    public boolean contains(Object o) {
        if (items.isEmpty()) {
            return false;
        }
        if (slots == null) {
            index();
        }
        int mask = slots.length - 1;
        for (int at = IdentityDistinct.slot(o, bits), s; (s = slots[at]) != 0; at = (at + 1) & mask) {
            if (items.get(s - 1) == o) {
                return true;
            }
        }
        return false;
    }

    private void index() {
        int n = items.size();
        bits = IdentityDistinct.tableBits(n);
        slots = new int[1 << bits];
        int mask = slots.length - 1;
        for (int i = 0; i < n; i++) {
            int at = IdentityDistinct.slot(items.get(i), bits);
            while (slots[at] != 0) {
                at = (at + 1) & mask;
            }
            slots[at] = i + 1;
        }
    }
}
