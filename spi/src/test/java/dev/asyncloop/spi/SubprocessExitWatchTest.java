package dev.asyncloop.spi;

import static dev.asyncloop.Async.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.asyncloop.Subprocess;
import dev.asyncloop.Subprocesses;
import dev.asyncloop.Timeout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** A child's exit reaches its loop whatever thread the loop runs on, a common-pool worker included. */
class SubprocessExitWatchTest {
    @Test
    void aLoopOnTheLastFreeCommonPoolWorkerSeesItsChildExit() throws Exception {
        Assumptions.assumeTrue(new java.io.File("/bin/sh").canExecute(), "needs /bin/sh");
        ForkJoinPool pool = ForkJoinPool.commonPool();
        AtomicBoolean done = new AtomicBoolean();
        List<java.util.concurrent.Future<?>> blockers = new ArrayList<>();
        try {
            // Every other worker of the common pool sleeps (no compensation), as busy application work would.
            for (int i = 1; i < ForkJoinPool.getCommonPoolParallelism(); i++) {
                blockers.add(pool.submit(() -> {
                    while (!done.get()) {
                        try {
                            Thread.sleep(5);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }));
            }
            Integer code = pool.submit(() -> {
                try (ReadinessEventLoop loop = SelectorLoops.newLoop()) {
                    return loop.runUntilComplete(() -> {
                        Subprocess child = await(Subprocesses.exec(List.of("/bin/sh", "-c", "exit 3")));
                        return Timeout.run(Duration.ofSeconds(10), () -> await(child.waitFor()));
                    });
                }
            }).get(30, TimeUnit.SECONDS);
            assertEquals(3, code, "the child's exit code, seen by a loop that holds the last common-pool worker");
        } finally {
            done.set(true);
            for (var b : blockers) {
                b.get(10, TimeUnit.SECONDS);
            }
        }
    }
}
