package dev.asyncloop.testsupport;

import java.util.ArrayList;
import java.util.List;

/**
 * The seeds of the randomized tests. By default a fixed list, so that a run is the same on every machine and a
 * failure is reproducible. {@code -Dasyncloop.stress.seed=S[,S...]} runs only those seeds (to replay a failure);
 * {@code -Dasyncloop.stress.explore=N} adds N seeds from the clock (to look for new failures; never the default,
 * because a test that fails on one run in a thousand is a flaky build). A failure names its seed.
 */
public final class StressSeeds {
    /** The property that replaces the fixed seeds. */
    public static final String SEED_PROPERTY = "asyncloop.stress.seed";
    /** The property that adds seeds from the clock. */
    public static final String EXPLORE_PROPERTY = "asyncloop.stress.explore";

    /** One run of a randomized test for one seed; it may throw anything, which fails that seed. */
    @FunctionalInterface
    public interface Scenario {
        /**
         * Runs the scenario that {@code seed} picks.
         *
         * @param seed the seed of every random choice of the run
         * @throws Exception whatever the run throws: the seed failed
         */
        void run(long seed) throws Exception;
    }

    private StressSeeds() {
    }

    /**
     * The seeds to run: the property's, or {@code fixed} plus any explored ones.
     *
     * @param fixed the test's own seeds
     * @return the seeds, in order
     * @throws NumberFormatException if the seed property holds something other than comma-separated longs
     */
    public static List<Long> seeds(long... fixed) {
        List<Long> out = new ArrayList<>();
        String given = System.getProperty(SEED_PROPERTY);
        if (given != null && !given.isBlank()) {
            for (String s : given.split(",")) {
                out.add(Long.parseLong(s.trim()));
            }
            return out;
        }
        for (long s : fixed) {
            out.add(s);
        }
        int explore = Integer.getInteger(EXPLORE_PROPERTY, 0);
        long base = System.nanoTime();
        for (int i = 0; i < explore; i++) {
            out.add(base + 0x9E3779B97F4A7C15L * i);
        }
        return out;
    }

    /**
     * Runs {@code scenario} for each seed, in order, on the calling thread; the first failure is rethrown as an
     * {@link AssertionError} whose message names the seed and how to replay it (an interrupt also keeps the
     * thread's interrupt status).
     *
     * @param scenario one run for one seed
     * @param fixed the test's own seeds
     * @throws AssertionError if a seed's run throws
     */
    public static void forEach(Scenario scenario, long... fixed) {
        for (long seed : seeds(fixed)) {
            try {
                scenario.run(seed);
            } catch (Throwable t) {
                if (t instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                throw new AssertionError("seed " + seed + " failed (replay with -D" + SEED_PROPERTY + "=" + seed
                        + "): " + t, t);
            }
        }
    }
}
