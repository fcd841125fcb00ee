package dev.asyncloop;

import java.util.AbstractSet;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * An unmodifiable set over a list of elements that are distinct by identity: iteration in list order,
 * {@code contains} by identity through an {@link IdentityIndex} built on first use.
 *
 * <p>For the results of {@link Tasks#wait}: a {@code LinkedHashSet} of 100,000 futures has a 1 MiB table of
 * references (and a 512 KiB one before its last resize), which G1 allocates as humongous objects; each such
 * allocation can start a young collection while the 100,000 tasks are still live, and {@code wait100k} spent
 * 0.4-0.6 s per second in GC. See {@link IdentityIndex} for the same lesson in {@code gather}.
 *
 * @param <E> the element type
 */
final class IdentityListSet<E> extends AbstractSet<E> {
    private final List<E> items;
    private @Nullable IdentityIndex index; // null until contains() is first called

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
        if (index == null) {
            index = new IdentityIndex(items);
            for (int i = 0; i < items.size(); i++) {
                index.add(i);
            }
        }
        return index.contains(o);
    }
}
