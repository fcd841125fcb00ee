package dev.asyncloop;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of the library tests: a fresh {@link LibraryTestLoop} per test, exception-handler reports recorded, and
 * {@link #run} with a watchdog so that a hanging test fails instead of blocking the build.
 */
abstract class LoopFixture {
    static final Duration SHORT = Duration.ofMillis(20);
    static final Duration LONG = Duration.ofSeconds(30);
    private static final Duration WATCHDOG = Duration.ofSeconds(10);

    EventLoop loop;
    final List<ExceptionContext> reports = new ArrayList<>();

    @BeforeEach
    void openLoop() {
        loop = new LibraryTestLoop();
        loop.setExceptionHandler((l, context) -> reports.add(context));
    }

    @AfterEach
    void closeLoop() {
        if (!loop.isClosed()) {
            loop.close();
        }
    }

    /** Runs {@code main} as a task to completion; fails if it takes longer than the watchdog. */
    <T> T run(AsyncCallable<T> main) {
        Task<T> task = loop.createTask(main, "main");
        boolean[] fired = {false};
        TimerHandle watchdog = loop.callLater(WATCHDOG, () -> {
            fired[0] = true;
            task.cancel("watchdog");
        });
        try {
            return loop.runUntilComplete(task);
        } catch (CancelledError e) {
            if (fired[0]) {
                fail("the test's main task hung for " + WATCHDOG + " and was cancelled", e);
            }
            throw e;
        } finally {
            watchdog.cancel();
        }
    }

    /** The current task; fails outside a task. */
    static Task<?> current() {
        return Async.currentTask().orElseThrow();
    }

    /** A future of the running loop finished with {@code value} after {@code delay}. */
    static <T> Future<T> later(Duration delay, T value) {
        EventLoop loop = Async.getRunningLoop();
        Future<T> f = loop.createFuture();
        loop.callLater(delay, () -> {
            if (!f.isDone()) {
                f.setResult(value);
            }
        });
        return f;
    }

    /** A future of the running loop failed with {@code error} after {@code delay}. */
    static <T> Future<T> failLater(Duration delay, Throwable error) {
        EventLoop loop = Async.getRunningLoop();
        Future<T> f = loop.createFuture();
        loop.callLater(delay, () -> {
            if (!f.isDone()) {
                f.setException(error);
            }
        });
        return f;
    }

    /** A task sleeping {@code delay} then returning {@code value}. */
    static <T> Task<T> sleeper(Duration delay, T value) {
        return Async.getRunningLoop().createTask(() -> Async.sleep(delay, value));
    }

    /** Gives up control {@code n} times. */
    static void spin(int n) {
        for (int i = 0; i < n; i++) {
            Async.yieldNow();
        }
    }
}
