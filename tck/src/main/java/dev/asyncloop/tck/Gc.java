package dev.asyncloop.tck;

import dev.asyncloop.ExceptionContext;
import java.lang.ref.Reference;
import java.time.Duration;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Bounded garbage-collection waits for the rules about unreachable futures and tasks (F4, T4): each round asks
 * the JVM for a collection and then runs the loop for a short while, so that a report posted from a Cleaner or
 * finalizer thread with {@code callSoonThreadsafe} reaches the exception handler. Never longer than
 * {@link #bound()}: the suite's bounded wait (a loaded machine's Cleaner thread gets little time between the
 * collections), at least 5 s. A rule that expects no report proves the collection with a witness report first, so
 * a longer bound only lengthens a failing run.
 */
final class Gc {
    /** The shortest bound: what a quiet machine needs many times over. */
    private static final Duration MIN_BOUND = Duration.ofSeconds(5);
    private static final Duration ROUND = Duration.ofMillis(10);

    private Gc() {
    }

    /** The longest any one wait may take: {@link ConformanceGroup#defaultWait()}, at least 5 s. */
    static Duration bound() {
        Duration wait = ConformanceGroup.defaultWait();
        return wait.compareTo(MIN_BOUND) > 0 ? wait : MIN_BOUND;
    }

    /**
     * Collects and runs the loop until a report matching {@code wanted} arrives.
     *
     * @return the report, or null if none arrived within {@link #bound()}
     */
    static @Nullable ExceptionContext awaitReport(ConformanceGroup group, Predicate<ExceptionContext> wanted) {
        long deadline = System.nanoTime() + bound().toNanos();
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

    /** Collects and runs the loop until {@code ref} is cleared, at most {@link #bound()}. */
    static void awaitCleared(ConformanceGroup group, Reference<?> ref) {
        long deadline = System.nanoTime() + bound().toNanos();
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
