package dev.asyncloop.testsupport;

import java.time.Duration;
import java.util.SplittableRandom;

/**
 * Short random sleeps of a thread that feeds or drains a connection, so that the other side sees it fast, slow
 * and stalled. They shape the load; they never order anything. A budget bounds the total, so a test's time stays
 * bounded whatever the seed.
 */
public final class RandomPauses {
    private final SplittableRandom rnd;
    private final int oneIn;
    private final long longestNanos;
    private final long budgetNanos;
    private long sleptNanos;

    /**
     * Pauses drawn from {@code rnd}: one call in {@code oneIn} (about) sleeps for less than {@code longest}, as long
     * as the pauses so far took less than {@code budget}.
     *
     * @param rnd the generator, shared with whatever else the thread draws (the order of draws is the seed's case)
     * @param oneIn how rare a pause is, at least 1
     * @param longest the bound of one pause, positive
     * @param budget the total after which no pause starts
     */
    public RandomPauses(SplittableRandom rnd, int oneIn, Duration longest, Duration budget) {
        this.rnd = rnd;
        this.oneIn = oneIn;
        this.longestNanos = longest.toNanos();
        this.budgetNanos = budget.toNanos();
    }

    /**
     * Maybe sleeps: draws whether to (always), then for how long (only if it does and the budget is not spent).
     *
     * @throws InterruptedException if the thread is interrupted while it sleeps
     */
    public void maybePause() throws InterruptedException {
        if (rnd.nextInt(oneIn) == 0 && sleptNanos < budgetNanos) {
            long nanos = rnd.nextLong(longestNanos);
            Thread.sleep(Duration.ofNanos(nanos));
            sleptNanos += nanos;
        }
    }
}
