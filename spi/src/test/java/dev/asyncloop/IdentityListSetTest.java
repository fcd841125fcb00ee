package dev.asyncloop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class IdentityListSetTest {

    @Test
    void membershipOrderAndEqualityMatchAHashSetOfTheSameObjects() {
        SplittableRandom random = new SplittableRandom(20261129);
        for (int round = 0; round < 100; round++) {
            int n = random.nextInt(round < 5 ? 3 : 2000);
            List<Object> members = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                members.add(new Object());
            }
            IdentityListSet<Object> set = new IdentityListSet<>(members);
            Set<Object> model = new HashSet<>(members);
            assertEquals(n, set.size());
            assertEquals(n == 0, set.isEmpty());
            assertEquals(members, new ArrayList<>(set), "iteration follows the list");
            for (Object m : members) {
                assertTrue(set.contains(m));
            }
            for (int i = 0; i < 50; i++) {
                assertFalse(set.contains(new Object()), "a stranger is not a member");
            }
            assertFalse(set.contains(null));
            assertEquals(model, set);
            assertEquals(set, model);
            assertEquals(model.hashCode(), set.hashCode());
        }
    }

    @Test
    void itIsUnmodifiable() {
        Object a = new Object();
        IdentityListSet<Object> set = new IdentityListSet<>(List.of(a));
        assertThrows(UnsupportedOperationException.class, () -> set.add(new Object()));
        assertThrows(UnsupportedOperationException.class, () -> set.remove(a));
        Iterator<Object> it = set.iterator();
        it.next();
        assertThrows(UnsupportedOperationException.class, it::remove);
        assertTrue(set.contains(a));
    }
}
