package dev.asyncloop;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The distinct elements of a list by identity, in first-occurrence order, in linear time (through an
 * {@link IdentityIndex}, whose comment says why not a hash set).
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
    static <T extends @Nullable Object> List<T> of(List<T> items) {
        int n = items.size();
        if (n < 2) {
            return items;
        }
        IdentityIndex index = new IdentityIndex(items);
        List<T> distinct = null;
        for (int i = 0; i < n; i++) {
            if (!index.add(i)) {
                if (distinct == null) {
                    distinct = new ArrayList<>(items.subList(0, i));
                }
            } else if (distinct != null) {
                distinct.add(items.get(i));
            }
        }
        return distinct == null ? items : distinct;
    }
}
