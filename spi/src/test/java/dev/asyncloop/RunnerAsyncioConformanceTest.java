package dev.asyncloop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.spi.TestLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link Runner} against asyncio's {@code runners.py} and {@code test_runners.py}: the cases {@link RunnerTest}
 * does not already cover. SIGINT cases are in {@link RunnerSigintTest}.
 */
class RunnerAsyncioConformanceTest {
    private static Runner testRunner() {
        return Runner.builder().loopFactory(TestLoop::new).handleSigint(false).build();
    }

    @Test
    @DisplayName("test_recursive_run: the runner's own run() inside its run() is refused and runs nothing")
    void recursiveRunOfTheSameRunner() {
        AtomicBoolean nestedRan = new AtomicBoolean();
        try (Runner runner = testRunner()) {
            String message = runner.run(() -> {
                try {
                    runner.run(() -> nestedRan.getAndSet(true));
                    return "no error";
                } catch (IllegalStateException e) {
                    return e.getMessage();
                }
            });
            assertEquals("Runner.run() cannot be called from a running event loop; await the coroutine instead",
                    message);
            runner.run(() -> {
                Async.yieldNow(); // a stray task of the refused run would get its turn here
                return null;
            });
        }
        assertFalse(nestedRan.get(), "the refused nested run must not run its main");
    }

    @Test
    @DisplayName("test_asyncio_run_closes_gens_after_hanging_tasks_errors: main fails; close() still cancels,"
            + " awaits and reports the leftover")
    void mainFailsLeftoverStillFinalized() {
        List<ExceptionContext> reports = new ArrayList<>();
        AtomicReference<Task<Void>> leftover = new AtomicReference<>();
        IllegalArgumentException mainFailure = new IllegalArgumentException("main failed");
        IllegalStateException cleanupFailure = new IllegalStateException("cleanup failed");
        Runner runner = testRunner();
        EventLoop loop = runner.getLoop();
        try (runner) {
            loop.setExceptionHandler((l, c) -> reports.add(c));
            Throwable thrown = assertThrows(IllegalArgumentException.class, () -> runner.run(() -> {
                Future<Void> never = Async.getRunningLoop().createFuture();
                leftover.set(Async.getRunningLoop().createTask(() -> {
                    try {
                        return Async.await(never);
                    } catch (CancelledError e) {
                        throw cleanupFailure;
                    }
                }));
                Async.yieldNow();
                throw mainFailure;
            }));
            assertSame(mainFailure, thrown);
        }
        assertTrue(leftover.get().isDone(), "close() must run the leftover task to its end");
        assertEquals(1, reports.size(), "expected one shutdown report, got " + reports);
        assertEquals("unhandled exception during Runner shutdown", reports.get(0).message());
        assertEquals(Optional.of(cleanupFailure), reports.get(0).exception());
        assertTrue(loop.isClosed());
    }

    @Test
    @DisplayName("close() while run() runs is refused and changes nothing; close() after run() closes the loop")
    void closeInsideRunIsRefused() {
        Runner runner = testRunner();
        EventLoop loop = runner.getLoop();
        AtomicReference<Throwable> caught = new AtomicReference<>();
        String result = runner.run(() -> {
            try {
                runner.close();
            } catch (Throwable e) {
                caught.set(e);
            }
            Async.yieldNow();
            return "main finished";
        });
        assertEquals("main finished", result, "a refused close() must not cancel the main task");
        IllegalStateException e = assertInstanceOf(IllegalStateException.class, caught.get());
        assertEquals("Runner.close() cannot be called while its loop is running; call it after run() returns",
                e.getMessage());
        assertFalse(loop.isClosed(), "a refused close() must leave the loop open");
        assertEquals(7, runner.run(() -> 7), "a refused close() must leave the runner usable");
        runner.close();
        assertTrue(loop.isClosed(), "the close() after run() returned must close the loop");
    }

    @Test
    @DisplayName("run(main, context) runs main in that context itself; run(main) keeps using the runner's own")
    void runWithExplicitContext() {
        ContextVar<String> v = ContextVar.of("v");
        Context custom = new Context();
        custom.run(() -> v.set("custom"));
        try (Runner runner = testRunner()) {
            assertEquals("custom", runner.run(() -> v.get(), custom));
            runner.run(() -> {
                v.set("changed in run");
                return null;
            }, custom);
            assertEquals(Optional.of("changed in run"), custom.get(v),
                    "main must run in the given context itself, not in a copy");
            assertEquals(Optional.empty(), runner.run(() -> v.find()),
                    "run(main) must use the runner's context, untouched by run(main, context)");
            assertThrows(NullPointerException.class, () -> runner.run(() -> 1, null));
        }
    }

    @Test
    @DisplayName("a loop factory that fails leaves the runner uninitialised: the next run() asks the factory again")
    void failingFactoryIsRetried() {
        AtomicInteger calls = new AtomicInteger();
        IllegalStateException noLoop = new IllegalStateException("no loop today");
        try (Runner runner = Runner.builder().handleSigint(false).loopFactory(() -> {
            if (calls.incrementAndGet() == 1) {
                throw noLoop;
            }
            return new TestLoop();
        }).build()) {
            assertSame(noLoop, assertThrows(IllegalStateException.class, () -> runner.run(() -> 1)));
            assertEquals(2, runner.run(() -> 2));
            assertEquals(2, calls.get());
        }
    }

    @Test
    @DisplayName("a main task cancelled without SIGINT ends run() with CancelledError, not KeyboardInterrupt")
    void cancelledMainWithoutSigint() {
        try (Runner runner = Runner.builder().loopFactory(TestLoop::new).handleSigint(true).build()) {
            assertThrows(CancelledError.class, () -> runner.run(() -> {
                Async.currentTask().orElseThrow().cancel();
                Async.yieldNow();
                return null;
            }));
            assertEquals(3, runner.run(() -> 3), "the runner stays usable");
        }
    }

    @Test
    @DisplayName("test_shutdown_default_executor_timeout: close() stops waiting for a stuck default executor at the"
            + " timeout")
    void executorShutdownTimeoutBoundsClose() {
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "stuck-default-executor");
            t.setDaemon(true);
            return t;
        });
        CountDownLatch started = new CountDownLatch(1);
        try {
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
                EventLoop loop;
                try (Runner runner = Runner.builder().loopFactory(TestLoop::new).handleSigint(false)
                        .executorShutdownTimeout(Duration.ofMillis(50)).build()) {
                    loop = runner.getLoop();
                    loop.setDefaultExecutor(executor);
                    runner.run(() -> {
                        Async.getRunningLoop().runInExecutor(null, () -> {
                            started.countDown();
                            release.await();
                            return null;
                        });
                        return null;
                    });
                    started.await();
                }
                assertTrue(loop.isClosed(), "close() must close the loop after the executor's timeout");
                assertEquals(1, release.getCount(), "the stuck job must still be running: close() did not wait");
            }, "close() must return once executorShutdownTimeout has passed");
        } finally {
            release.countDown();
            executor.shutdownNow();
        }
    }
}
