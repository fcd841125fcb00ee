package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code shutdownDefaultExecutor}'s wait: unlimited and absurd timeouts wait for the executor, never overflow. */
class ExecutorShutdownWaitTest {
    @Test
    void anUnlimitedTimeoutWaitsUntilTheExecutorTerminates() throws Exception {
        for (Duration unlimited : new Duration[] {Duration.ofNanos(Long.MAX_VALUE),
                Duration.ofSeconds(Long.MAX_VALUE)}) {
            CountDownLatch release = new CountDownLatch(1);
            ExecutorService executor = Executors.newSingleThreadExecutor();
            executor.execute(() -> {
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            executor.shutdown();
            boolean[] result = new boolean[1];
            Thread waiter = Thread.ofPlatform().start(() -> {
                try {
                    result[0] = BaseEventLoop.awaitTermination(executor, unlimited);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            waiter.join(100);
            assertTrue(waiter.isAlive(), "the wait for " + unlimited + " ended while a job still ran");
            release.countDown();
            waiter.join(TimeUnit.SECONDS.toMillis(10));
            assertFalse(waiter.isAlive(), "the wait did not end once the executor terminated");
            assertTrue(result[0], "the wait for " + unlimited + " reported a timeout");
        }
    }

    @Test
    void aShortTimeoutReportsAnExecutorStillRunning() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            executor.execute(() -> {
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            executor.shutdown();
            assertFalse(BaseEventLoop.awaitTermination(executor, Duration.ofMillis(20)));
            assertFalse(BaseEventLoop.awaitTermination(executor, Duration.ofMillis(-5)));
        } finally {
            release.countDown();
            executor.shutdownNow();
        }
    }
}
