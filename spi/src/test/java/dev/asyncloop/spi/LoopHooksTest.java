package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The methods a loop author may override in {@link BaseEventLoop} and {@link ReadinessEventLoop} are exactly the
 * documented hooks: a new public or protected method is final unless its Javadoc and the class Javadoc call it a
 * hook (and {@code docs/writing-a-loop.md} lists it).
 */
class LoopHooksTest {
    private static Set<String> overridable(Class<?> type) {
        return Arrays.stream(type.getDeclaredMethods())
                .filter(m -> !m.isSynthetic() && !m.isBridge())
                .filter(m -> Modifier.isPublic(m.getModifiers()) || Modifier.isProtected(m.getModifiers()))
                .filter(m -> !Modifier.isFinal(m.getModifiers()) && !Modifier.isStatic(m.getModifiers()))
                .map(Method::getName)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void baseEventLoopLeavesOnlyItsHooksOpen() {
        assertEquals(new TreeSet<>(Set.of("poll", "wakeup", "closeResources", "createFuture", "createTask",
                "defaultExceptionHandler", "toString")), overridable(BaseEventLoop.class));
    }

    @Test
    void readinessEventLoopLeavesOnlyItsHooksOpen() {
        assertEquals(new TreeSet<>(Set.of("closeResources", "getAddrInfo", "getNameInfo")),
                overridable(ReadinessEventLoop.class));
    }
}
