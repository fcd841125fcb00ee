package dev.asyncloop.tck;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Bounded waits for the suite's helper threads: every wait gives up after {@link ConformanceGroup#defaultWait()}. */
final class Waits {
    private Waits() {
    }

    /** Sleeps a little, where no event can be awaited (to let the loop block in poll); keeps the interrupt. */
    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits for {@code latch}, failing after the default wait. */
    static void awaitLatch(CountDownLatch latch) {
        try {
            if (!latch.await(ConformanceGroup.defaultWait().toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("[TCK] a helper thread waited " + ConformanceGroup.defaultWait()
                        + " for its start signal");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Joins {@code t}, failing if it is still alive after the default wait. */
    static void join(Thread t) {
        long start = System.nanoTime();
        boolean interrupted = false;
        try {
            t.join(ConformanceGroup.defaultWait());
        } catch (InterruptedException e) {
            interrupted = true;
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            throw new AssertionError("[TCK] helper thread " + t.getName() + (interrupted
                    ? " was still running when " + Thread.currentThread().getName() + ", joining it, was interrupted"
                            + " after " + (System.nanoTime() - start) / 1_000_000 + " ms"
                    : " did not finish within " + ConformanceGroup.defaultWait()));
        }
    }

    /** Joins every thread of a list that other threads may still append to. */
    static void joinAll(List<Thread> threads) {
        List<Thread> copy;
        synchronized (threads) {
            copy = List.copyOf(threads);
        }
        copy.forEach(Waits::join);
    }
}
