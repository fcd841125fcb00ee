package dev.asyncloop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.spi.EventLoops;
import dev.asyncloop.spi.TestLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link Runner} and {@link Async#run} on the minimal {@link TestLoop}. */
class RunnerTest {
    private static Runner testRunner() {
        return Runner.builder().loopFactory(TestLoop::new).build();
    }

    @Test
    @DisplayName("run() returns main's result, after suspensions on timers and yields")
    void runReturnsResult() {
        try (Runner runner = testRunner()) {
            Integer result = runner.run(() -> {
                Async.sleep(Duration.ofMillis(1));
                Async.yieldNow();
                return 42;
            });
            assertEquals(42, result);
        }
    }

    @Test
    @DisplayName("run() rethrows main's unchecked exception as it is")
    void runRethrows() {
        IllegalArgumentException boom = new IllegalArgumentException("boom");
        try (Runner runner = testRunner()) {
            assertSame(boom, assertThrows(IllegalArgumentException.class, () -> runner.run(() -> {
                Async.yieldNow();
                throw boom;
            })));
            assertEquals("after", runner.run(() -> "after"), "the runner stays usable after a failed run");
        }
    }

    @Test
    @DisplayName("C1 the runner keeps one context: a ContextVar set in one run is seen by the next, not by the caller")
    void contextKeptAcrossRuns() {
        ContextVar<String> user = ContextVar.of("user");
        new Context().run(() -> {
            try (Runner runner = testRunner()) {
                runner.run(() -> {
                    user.set("alice");
                    return null;
                });
                assertEquals("alice", runner.run(() -> user.get()), "the second run must see the first run's set");
                assertEquals(Optional.empty(), user.find(), "a run's set must not leak into the caller's context");
            }
        });
    }

    @Test
    @DisplayName("C1 the runner's context is a copy of the creator's at build time")
    void contextCopiedAtBuild() {
        ContextVar<String> v = ContextVar.of("v");
        new Context().run(() -> {
            v.set("at build");
            try (Runner runner = testRunner()) {
                v.set("later");
                assertEquals("at build", runner.run(() -> v.get()));
            }
        });
    }

    @Test
    @DisplayName("close() cancels leftover tasks, waits for their cleanup, and closes the loop")
    void closeCancelsLeftoverTasks() {
        AtomicReference<Task<Void>> leftover = new AtomicReference<>();
        AtomicBoolean cleanedUp = new AtomicBoolean();
        EventLoop loop;
        try (Runner runner = testRunner()) {
            loop = runner.getLoop();
            runner.run(() -> {
                Future<Void> never = Async.getRunningLoop().createFuture();
                leftover.set(Async.getRunningLoop().createTask(() -> {
                    try {
                        return Async.await(never);
                    } finally {
                        Async.yieldNow(); // cleanup that itself needs the loop
                        cleanedUp.set(true);
                    }
                }));
                Async.yieldNow(); // let it start waiting
                return null;
            });
            assertFalse(leftover.get().isDone());
        }
        assertTrue(leftover.get().isCancelled(), "a leftover task must be cancelled by close(): " + leftover.get());
        assertTrue(cleanedUp.get(), "close() must run the cancelled task to its end");
        assertTrue(loop.isClosed(), "close() must close the loop");
        assertEquals(0, Async.allTasks(loop).size());
    }

    @Test
    @DisplayName("close() reports a leftover task that fails other than by cancellation to the exception handler")
    void failingLeftoverTaskIsReported() {
        List<ExceptionContext> reports = new ArrayList<>();
        AtomicReference<Task<Void>> leftover = new AtomicReference<>();
        IllegalStateException cleanupFailure = new IllegalStateException("cleanup failed");
        try (Runner runner = testRunner()) {
            runner.getLoop().setExceptionHandler((l, c) -> reports.add(c));
            runner.run(() -> {
                Future<Void> never = Async.getRunningLoop().createFuture();
                leftover.set(Async.getRunningLoop().createTask(() -> {
                    try {
                        return Async.await(never);
                    } catch (CancelledError e) {
                        throw cleanupFailure;
                    }
                }));
                Async.yieldNow();
                return null;
            });
        }
        List<ExceptionContext> shutdown = reports.stream()
                .filter(c -> c.message().equals("unhandled exception during Runner shutdown")).toList();
        assertEquals(1, shutdown.size(), "expected one shutdown report, got " + reports);
        assertEquals(Optional.of(cleanupFailure), shutdown.get(0).exception());
        assertEquals(Optional.of(leftover.get()), shutdown.get(0).task());
    }

    @Test
    @DisplayName("close() does not report leftover tasks that end by cancellation")
    void cancelledLeftoverIsNotReported() {
        List<ExceptionContext> reports = new ArrayList<>();
        try (Runner runner = testRunner()) {
            runner.getLoop().setExceptionHandler((l, c) -> reports.add(c));
            runner.run(() -> {
                Future<Void> never = Async.getRunningLoop().createFuture();
                Async.getRunningLoop().createTask(() -> Async.await(never));
                Async.yieldNow();
                return null;
            });
        }
        assertEquals(List.of(), reports);
    }

    @Test
    @DisplayName("close() shuts the default executor down")
    void closeShutsExecutorDown() throws InterruptedException {
        Thread worker;
        try (Runner runner = testRunner()) {
            worker = runner.run(() -> Async.await(
                    Async.getRunningLoop().runInExecutor(null, Thread::currentThread)));
        }
        worker.join(10_000);
        assertFalse(worker.isAlive(), "the default executor's thread must end after close() (its idle timeout is 60 s)");
    }

    @Test
    @DisplayName("Runner.run() from inside a running loop throws IllegalStateException")
    void runInsideRunningLoop() {
        try (Runner outer = testRunner(); Runner inner = testRunner()) {
            String message = outer.run(() -> {
                try {
                    inner.run(() -> "nested");
                    return "no error";
                } catch (IllegalStateException e) {
                    return e.getMessage();
                }
            });
            assertEquals("Runner.run() cannot be called from a running event loop; await the coroutine instead",
                    message);
        }
    }

    @Test
    @DisplayName("Async.run() from inside a running loop throws IllegalStateException before looking for a loop")
    void asyncRunInsideRunningLoop() {
        try (Runner runner = testRunner()) {
            String message = runner.run(() -> {
                try {
                    Async.run(() -> "nested");
                    return "no error";
                } catch (IllegalStateException e) {
                    return e.getMessage();
                }
            });
            assertEquals("Runner.run() cannot be called from a running event loop; await the coroutine instead",
                    message);
        }
    }

    @Test
    @DisplayName("a closed runner rejects run() and getLoop(); close() is idempotent")
    void closedRunner() {
        Runner runner = testRunner();
        EventLoop loop = runner.getLoop();
        runner.close();
        runner.close();
        assertTrue(loop.isClosed());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> runner.run(() -> 1));
        assertEquals("Runner is closed", e.getMessage());
        assertThrows(IllegalStateException.class, runner::getLoop);
    }

    @Test
    @DisplayName("a runner closed before use never creates a loop and then rejects run()")
    void closedBeforeUse() {
        AtomicInteger made = new AtomicInteger();
        Runner runner = Runner.builder().loopFactory(() -> {
            made.incrementAndGet();
            return new TestLoop();
        }).build();
        runner.close();
        assertThrows(IllegalStateException.class, () -> runner.run(() -> 1));
        assertEquals(0, made.get());
    }

    @Test
    @DisplayName("loopFactory is called once, lazily, and its loop runs every run()")
    void loopFactoryHonoured() {
        List<TestLoop> made = new ArrayList<>();
        try (Runner runner = Runner.builder().loopFactory(() -> {
            TestLoop l = new TestLoop();
            made.add(l);
            return l;
        }).build()) {
            assertEquals(0, made.size(), "the loop must be made at first use, not at build()");
            EventLoop first = runner.run(Async::getRunningLoop);
            EventLoop second = runner.run(Async::getRunningLoop);
            assertEquals(1, made.size());
            assertSame(made.get(0), first);
            assertSame(first, second);
            assertSame(first, runner.getLoop());
            assertFalse(first.isRunning(), "the loop must not run between runs");
        }
        assertTrue(made.get(0).isClosed());
    }

    @Test
    @DisplayName("a loop factory returning null is rejected with a clear message")
    void nullLoopFactoryResult() {
        try (Runner runner = Runner.builder().loopFactory(() -> null).build()) {
            NullPointerException e = assertThrows(NullPointerException.class, () -> runner.run(() -> 1));
            assertEquals("the loop factory returned null", e.getMessage());
        }
    }

    @Test
    @DisplayName("the debug option is applied to the loop; unset, the loop keeps its own default")
    void debugHonoured() {
        try (Runner on = Runner.builder().loopFactory(TestLoop::new).debug(true).build()) {
            assertTrue(on.run(() -> Async.getRunningLoop().getDebug()));
        }
        try (Runner off = Runner.builder().loopFactory(() -> {
            TestLoop l = new TestLoop();
            l.setDebug(true);
            return l;
        }).debug(false).build()) {
            assertFalse(off.run(() -> Async.getRunningLoop().getDebug()));
        }
        try (Runner unset = Runner.builder().loopFactory(() -> {
            TestLoop l = new TestLoop();
            l.setDebug(true);
            return l;
        }).build()) {
            assertTrue(unset.getLoop().getDebug(), "without debug(...) the runner must not change the loop's mode");
        }
    }

    @Test
    @DisplayName("builder arguments are checked")
    void builderChecks() {
        assertThrows(NullPointerException.class, () -> Runner.builder().loopFactory(null));
        assertThrows(NullPointerException.class, () -> Runner.builder().executorShutdownTimeout(null));
        try (Runner runner = testRunner()) {
            assertThrows(NullPointerException.class, () -> runner.run(null));
        }
    }

    @Test
    @DisplayName("S1 Async.run() without any provider on the path fails with the selection message")
    void asyncRunWithoutProvider() {
        org.junit.jupiter.api.Assumptions.assumeTrue(EventLoops.providers().isEmpty(),
                "a provider is on the test class path");
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getProperty(EventLoops.PROPERTY) == null
                && System.getenv(EventLoops.ENV) == null, "a loop is named by the environment");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Async.run(() -> 1));
        assertTrue(e.getMessage().startsWith("asyncloop: no available event loop provider found"), e.getMessage());
    }

    @Test
    @DisplayName("runner.run's main task is a real task of the runner's loop")
    void mainIsATask() {
        try (Runner runner = testRunner()) {
            Task<?> task = runner.run(() -> Async.currentTask().orElseThrow());
            assertInstanceOf(Task.class, task);
            assertTrue(task.isDone());
            assertSame(runner.getLoop(), task.getLoop());
        }
    }
}
