package dev.asyncloop.tck;

import dev.asyncloop.ExceptionContext;
import java.lang.ref.Reference;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * Bounded garbage-collection waits for the rules about unreachable futures and tasks (F4, T4): each round asks
 * the JVM for a collection and then runs the loop for a short while, so that a report posted from a Cleaner or
 * finalizer thread with {@code callSoonThreadsafe} reaches the exception handler. Never longer than
 * {@link #BOUND}.
 */
final class Gc {
    /** The longest any one wait may take. */
    static final Duration BOUND = Duration.ofSeconds(5);
    private static final Duration ROUND = Duration.ofMillis(10);

    private Gc() {
    }

    /**
     * Collects and runs the loop until a report matching {@code wanted} arrives.
     *
     * @return the report, or null if none arrived within {@link #BOUND}
     */
    static ExceptionContext awaitReport(ConformanceGroup group, Predicate<ExceptionContext> wanted) {
        long deadline = System.nanoTime() + BOUND.toNanos();
        do {
            round(group);
            for (ExceptionContext r : group.reports()) {
                if (wanted.test(r)) {
                    return r;
                }
            }
        } while (System.nanoTime() - deadline < 0);
        return null;
    }

    /** Collects and runs the loop until {@code ref} is cleared, at most {@link #BOUND}. */
    static void awaitCleared(ConformanceGroup group, Reference<?> ref) {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (ref.get() != null && System.nanoTime() - deadline < 0) {
            round(group);
        }
    }

    /** Runs {@code rounds} more collect-and-run rounds, so that late reports have a chance to arrive. */
    static void spin(ConformanceGroup group, int rounds) {
        for (int i = 0; i < rounds; i++) {
            round(group);
        }
    }

    private static void round(ConformanceGroup group) {
        System.gc();
        group.loop.callLater(ROUND, group.loop::stop);
        group.runForever("GC", ConformanceGroup.defaultWait());
    }
}
