package dev.asyncloop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class IdentityDistinctTest {

    /** Equal to every other Key and with one hash code, so only identity can tell two apart. */
    private static final class Key {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key;
        }

        @Override
        public int hashCode() {
            return 1;
        }
    }

    private static <T> List<T> model(List<T> items) {
        IdentityHashMap<T, Boolean> seen = new IdentityHashMap<>();
        List<T> out = new ArrayList<>();
        for (T t : items) {
            if (seen.put(t, Boolean.TRUE) == null) {
                out.add(t);
            }
        }
        return out;
    }

    private static void assertSameElements(List<?> expected, List<?> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertSame(expected.get(i), actual.get(i), "element " + i);
        }
    }

    @Test
    void withoutRepeatsTheListItselfComesBack() {
        List<Key> keys = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            keys.add(new Key());
        }
        assertSame(keys, IdentityDistinct.of(keys));
        assertSame(List.of(), IdentityDistinct.of(List.of()));
    }

    @Test
    void repeatsAreDroppedByIdentityNotEquality() {
        Key a = new Key();
        Key b = new Key();
        Key c = new Key();
        assertSameElements(List.of(a, b, c), IdentityDistinct.of(List.of(a, b, a, c, b, a)));
    }

    @Test
    void matchesTheObviousModelOnRandomLists() {
        SplittableRandom random = new SplittableRandom(11);
        for (int round = 0; round < 300; round++) {
            List<Key> pool = new ArrayList<>();
            int distinct = 1 + random.nextInt(random.nextBoolean() ? 5 : 3_000);
            for (int i = 0; i < distinct; i++) {
                pool.add(new Key());
            }
            List<Key> items = new ArrayList<>();
            int n = random.nextInt(4_000);
            for (int i = 0; i < n; i++) {
                items.add(pool.get(random.nextInt(pool.size())));
            }
            assertSameElements(model(items), IdentityDistinct.of(items));
        }
    }
}
