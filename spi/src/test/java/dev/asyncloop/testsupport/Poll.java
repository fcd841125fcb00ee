package dev.asyncloop.testsupport;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * A bounded wait for a condition that another thread makes true and that nothing signals (a server's counter, a
 * peer's state): checks it every few milliseconds and fails the test when the bound passes.
 */
public final class Poll {
    private static final Duration INTERVAL = Duration.ofMillis(5);

    private Poll() {
    }

    /**
     * Returns once {@code condition} holds; fails with {@code what} and the bound if it does not within
     * {@code wait}.
     *
     * @param condition read on the calling thread; must be safe to read while another thread changes it
     * @param wait the bound
     * @param what what did not happen, for the failure's message
     * @throws InterruptedException if the thread is interrupted while it waits
     */
    public static void until(BooleanSupplier condition, Duration wait, String what) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail(what + " (waited " + wait.toMillis() + " ms)");
            }
            Thread.sleep(INTERVAL);
        }
    }
}
