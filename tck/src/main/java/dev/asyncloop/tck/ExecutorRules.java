package dev.asyncloop.tck;

import static dev.asyncloop.tck.Waits.awaitLatch;
import static dev.asyncloop.tck.Waits.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.Async;
import dev.asyncloop.CancelledError;
import dev.asyncloop.Future;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Group "executor": rules X1.x (runInExecutor, wrapFuture, the default executor). */
abstract class ExecutorRules extends ConformanceGroup {
    ExecutorRules(EventLoopConformanceSuite suite) {
        super(suite);
    }

    @Test
    @DisplayName("X1.1 runInExecutor runs off the loop thread and delivers the result on the loop thread")
    void required_X1_1_resultDeliveredOnLoopThread() {
        Thread loopThread = Thread.currentThread();
        AtomicReference<Thread> workThread = new AtomicReference<>();
        AtomicReference<Thread> callbackThread = new AtomicReference<>();
        Future<String> f = loop.runInExecutor(null, () -> {
            workThread.set(Thread.currentThread());
            return "from executor";
        });
        f.addDoneCallback(done -> callbackThread.set(Thread.currentThread()));
        assertEquals("from executor", runUntil("X1.1", "runInExecutor's future", defaultWait(), f), msg("X1.1",
                "the future of runInExecutor must hold the function's result"));
        assertNotSame(loopThread, workThread.get(), msg("X1.1", "the function must run on an executor thread, not"
                + " on the loop thread"));
        loop.callSoon(loop::stop);
        runForever("X1.1", defaultWait());
        assertSame(loopThread, callbackThread.get(), msg("X1.1", "the future must complete on the loop thread"
                + " (its done-callback ran on " + callbackThread.get() + "); check the result is handed over with"
                + " callSoonThreadsafe"));
        String awaited = run("X1.1", () -> Async.await(loop.runInExecutor(null, () -> "awaited")));
        assertEquals("awaited", awaited, msg("X1.1", "a task must be able to await runInExecutor's future"));
    }

    @Test
    @DisplayName("X1.2 runInExecutor delivers the function's exception")
    void required_X1_2_exceptionDelivered() {
        IOException io = new IOException("X1.2 io");
        Future<String> f = loop.runInExecutor(null, () -> {
            throw io;
        });
        Throwable thrown = LifecycleRules.catchThrowable(() -> runUntil("X1.2", "a failing executor job",
                defaultWait(), f));
        assertSame(io, f.exception().orElse(null), msg("X1.2", "the future must hold the function's exception"
                + " itself (not an ExecutionException), got " + f.exception() + "; check the unwrapping"));
        assertTrue(thrown != null && thrown.getCause() == io, msg("X1.2", "runUntilComplete must throw it wrapped"
                + " in CompletionException, threw " + thrown));
    }

    @Test
    @DisplayName("X1.3 runInExecutor uses the executor given, and setDefaultExecutor replaces the default")
    void required_X1_3_customExecutor() {
        AtomicInteger executed = new AtomicInteger();
        ExecutorService custom = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().name("X1.3-custom")
                .unstarted(r));
        try {
            Future<String> f = loop.runInExecutor(r -> {
                executed.incrementAndGet();
                custom.execute(r);
            }, () -> Thread.currentThread().getName());
            assertEquals("X1.3-custom", runUntil("X1.3", "a job on a custom executor", defaultWait(), f),
                    msg("X1.3", "the function must run on the executor passed to runInExecutor"));
            assertEquals(1, executed.get(), msg("X1.3", "the executor must be used exactly once per call"));
            loop.setDefaultExecutor(custom);
            Future<String> viaDefault = loop.runInExecutor(null, () -> Thread.currentThread().getName());
            assertEquals("X1.3-custom", runUntil("X1.3", "a job on the new default executor", defaultWait(),
                    viaDefault), msg("X1.3", "runInExecutor(null, ...) must use the executor set with"
                    + " setDefaultExecutor"));
        } finally {
            custom.shutdownNow();
        }
    }

    @Test
    @DisplayName("X1.4 shutdownDefaultExecutor completes; the default executor then refuses work")
    void required_X1_4_shutdownDefaultExecutor() {
        assertEquals(1, runUntil("X1.4", "a job on the default executor", defaultWait(),
                loop.runInExecutor(null, () -> 1)));
        Future<@Nullable Void> shutdown = loop.shutdownDefaultExecutor(Duration.ofSeconds(5));
        runUntil("X1.4", "shutdownDefaultExecutor", defaultWait(), shutdown);
        assertTrue(shutdown.isDone() && !shutdown.isCancelled(), msg("X1.4", "shutdownDefaultExecutor's future"
                + " must complete normally"));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> loop.runInExecutor(null, () -> 2), msg("X1.4", "runInExecutor with the default executor"
                        + " after shutdownDefaultExecutor must throw IllegalStateException"));
        assertTrue(e.getMessage() != null && e.getMessage().toLowerCase(Locale.ROOT).contains("shutdown"), msg("X1.4",
                "the message must say the executor was shut down (asyncio: \"Executor shutdown has been"
                        + " called\"), said: " + e.getMessage()));
        assertEquals(3, runUntil("X1.4", "a job on an explicit executor", defaultWait(),
                loop.runInExecutor(Runnable::run, () -> 3)), msg("X1.4", "an explicit executor must still work"));
    }

    @Test
    @DisplayName("X1.5 cancelling runInExecutor's future before the job starts means the job never runs")
    void required_X1_5_cancelBeforeStartNeverRuns() throws InterruptedException {
        ExecutorService single = Executors.newSingleThreadExecutor();
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean ran = new AtomicBoolean();
        try {
            single.execute(() -> awaitLatch(release));
            Future<String> f = loop.runInExecutor(single, () -> {
                ran.set(true);
                return "ran";
            });
            assertTrue(f.cancel(), msg("X1.5", "cancel() of a pending executor future must return true"));
            loop.callSoon(loop::stop);
            runForever("X1.5", defaultWait());
            release.countDown();
            single.shutdown();
            assertTrue(single.awaitTermination(defaultWait().toMillis(), TimeUnit.MILLISECONDS),
                    msg("X1.5", "the executor did not finish"));
            loop.callSoon(loop::stop);
            runForever("X1.5", defaultWait());
            assertFalse(ran.get(), msg("X1.5", "the job of a future cancelled before the job started must never run;"
                    + " check that cancelling the loop future cancels the executor's task"));
            assertTrue(f.isCancelled(), msg("X1.5", "the future must stay cancelled"));
        } finally {
            release.countDown();
            single.shutdownNow();
        }
    }

    @Test
    @DisplayName("X1.6 wrapFuture follows a CompletableFuture completed, failed or cancelled elsewhere")
    void required_X1_6_wrapFutureFollows() {
        Thread loopThread = Thread.currentThread();
        CompletableFuture<String> ok = new CompletableFuture<>();
        Future<String> wrappedOk = loop.wrapFuture(ok);
        AtomicReference<Thread> callbackThread = new AtomicReference<>();
        wrappedOk.addDoneCallback(f -> callbackThread.set(Thread.currentThread()));
        Thread completer = Thread.ofPlatform().name("X1.6-completer").start(() -> ok.complete("value"));
        assertEquals("value", runUntil("X1.6", "a wrapped CompletableFuture", defaultWait(), wrappedOk),
                msg("X1.6", "the loop future must get the CompletableFuture's value"));
        join(completer);
        loop.callSoon(loop::stop);
        runForever("X1.6", defaultWait());
        assertSame(loopThread, callbackThread.get(), msg("X1.6", "the loop future must complete on the loop"
                + " thread, its callback ran on " + callbackThread.get()));

        CompletableFuture<String> failed = new CompletableFuture<>();
        Future<String> wrappedFailed = loop.wrapFuture(failed);
        IOException io = new IOException("X1.6 io");
        Thread failer = Thread.ofPlatform().name("X1.6-failer").start(() -> failed.completeExceptionally(io));
        LifecycleRules.catchThrowable(() -> runUntil("X1.6", "a failed CompletableFuture", defaultWait(),
                wrappedFailed));
        join(failer);
        assertSame(io, wrappedFailed.exception().orElse(null), msg("X1.6", "the loop future must hold the"
                + " CompletableFuture's exception itself, got " + wrappedFailed.exception()));

        CompletableFuture<String> cancelledThere = new CompletableFuture<>();
        Future<String> wrappedCancelled = loop.wrapFuture(cancelledThere);
        cancelledThere.cancel(false);
        assertThrows(CancelledError.class, () -> runUntil("X1.6", "a cancelled CompletableFuture", defaultWait(),
                wrappedCancelled), msg("X1.6", "cancelling the CompletableFuture must cancel the loop future"));
        assertTrue(wrappedCancelled.isCancelled(), msg("X1.6", "the loop future must be cancelled"));

        CompletableFuture<String> cancelledHere = new CompletableFuture<>();
        Future<String> wrappedHere = loop.wrapFuture(cancelledHere);
        wrappedHere.cancel();
        loop.callSoon(loop::stop);
        runForever("X1.6", defaultWait());
        assertTrue(cancelledHere.isCancelled(), msg("X1.6", "cancelling the loop future must cancel the"
                + " CompletableFuture; check wrapFuture adds a done-callback that cancels it"));
    }

    @Test
    @DisplayName("X1.7 results arriving after close() are dropped silently")
    void required_X1_7_resultsAfterCloseDropped() {
        List<Runnable> jobs = Collections.synchronizedList(new ArrayList<>());
        Future<String> pending = loop.runInExecutor(jobs::add, () -> "late");
        Future<String> cancelled = loop.runInExecutor(jobs::add, () -> "late too");
        cancelled.cancel();
        loop.callSoon(loop::stop);
        runForever("X1.7", defaultWait());
        CompletableFuture<String> wrappedSource = new CompletableFuture<>();
        Future<String> wrapped = loop.wrapFuture(wrappedSource);
        loop.close();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread late = Thread.ofPlatform().name("X1.7-late").start(() -> {
            try {
                List.copyOf(jobs).forEach(Runnable::run);
                wrappedSource.complete("late value");
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        join(late);
        assertNull(thrown.get(), msg("X1.7", "a job finishing after close() must not throw on its executor"
                + " thread, threw " + thrown.get() + "; check that delivery to a closed loop is dropped"));
        assertFalse(pending.isDone(), msg("X1.7", "a result arriving after close() must be dropped, but the"
                + " future became " + pending.state()));
        assertFalse(wrapped.isDone(), msg("X1.7", "a wrapped CompletableFuture completing after close() must be"
                + " dropped, but the future became " + wrapped.state()));
        assertTrue(reports().isEmpty(), msg("X1.7", "dropping late results must not report anything, got "
                + reports()));
    }

    @Test
    @DisplayName("X1.8 shutdownDefaultExecutor(timeout) gives up after the timeout with a warning while a job runs")
    void required_X1_8_shutdownTimeoutWarns() {
        LogCapture.assumeJulBackend();
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService mine = Executors.newSingleThreadExecutor();
        try (LogCapture log = new LogCapture()) {
            loop.setDefaultExecutor(mine);
            loop.runInExecutor(null, () -> release.await(defaultWait().toMillis(), TimeUnit.MILLISECONDS));
            runUntil("X1.8", "shutdownDefaultExecutor(50 ms) while a job still runs", defaultWait(),
                    loop.shutdownDefaultExecutor(Duration.ofMillis(50)));
            assertFalse(mine.isTerminated(), msg("X1.8", "the executor terminated although its job was still held;"
                    + " the test cannot tell whether the timeout was kept"));
            List<LogCapture.Entry> warnings = log.entries().stream()
                    .filter(e -> e.level() == java.util.logging.Level.WARNING
                            && e.message().toLowerCase(java.util.Locale.ROOT).contains("executor"))
                    .toList();
            assertFalse(warnings.isEmpty(), msg("X1.8", "shutdownDefaultExecutor(50 ms) ended while a job was"
                    + " still running and logged no warning about the executor on the \"dev.asyncloop\" logger;"
                    + " asyncio warns \"The executor did not finishing joining its threads within 0.05 seconds\";"
                    + " logged: " + log.entries()));
        } finally {
            release.countDown();
            mine.shutdownNow();
        }
    }

    @Test
    @DisplayName("X1.9 close() shuts the default executor down, also one set with setDefaultExecutor")
    void required_X1_9_closeShutsDownDefaultExecutor() {
        ExecutorService mine = Executors.newSingleThreadExecutor();
        try {
            loop.setDefaultExecutor(mine);
            Future<Integer> f = loop.runInExecutor(null, () -> 9);
            assertEquals(9, runUntil("X1.9", "a job on the default executor", defaultWait(), f), msg("X1.9",
                    "the default executor set must run the job"));
            loop.close();
            assertTrue(mine.isShutdown(), msg("X1.9", "close() must shut the default executor down without"
                    + " waiting (asyncio close: executor.shutdown(wait=False)), also one set with"
                    + " setDefaultExecutor"));
        } finally {
            mine.shutdownNow();
        }
    }

    @Test
    @DisplayName("X1.10 an executor that refuses the job makes runInExecutor throw")
    void required_X1_10_refusingExecutorFailsTheCall() {
        ExecutorService closed = Executors.newSingleThreadExecutor();
        closed.shutdown();
        assertThrows(RejectedExecutionException.class, () -> loop.runInExecutor(closed, () -> 1), msg("X1.10",
                "runInExecutor on a shut-down executor must throw the executor's RejectedExecutionException at"
                + " the call (asyncio: executor.submit raises at run_in_executor)"));
    }

    @Test
    @DisplayName("X1.11 shutdownDefaultExecutor() without a timeout waits for a running job however long it takes,"
            + " without interrupting it, then completes")
    void required_X1_11_shutdownWithoutTimeoutWaits() {
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService mine = Executors.newSingleThreadExecutor();
        try {
            loop.setDefaultExecutor(mine);
            Future<Boolean> job = loop.runInExecutor(null,
                    () -> release.await(defaultWait().toMillis(), TimeUnit.MILLISECONDS));
            Future<@Nullable Void> shutdown = loop.shutdownDefaultExecutor();
            boolean pendingWhileHeld = run("X1.11", () -> {
                // The job holds the executor until released, so the shutdown cannot be done here, however the
                // iterations are timed: a bounded wait in disguise (e.g. asyncio's 300 s of Runner) shows up
                // only if it is shorter than these 100 ms, and a wait of zero at once.
                for (int i = 0; i < 20; i++) {
                    Async.sleep(Duration.ofMillis(5));
                }
                boolean pending = !shutdown.isDone();
                release.countDown();
                Async.await(shutdown);
                return pending;
            });
            assertTrue(pendingWhileHeld, msg("X1.11", "shutdownDefaultExecutor() was done while a job still ran;"
                    + " without a timeout it must wait for the executor's threads (asyncio: timeout=None)"));
            assertTrue(mine.isTerminated(), msg("X1.11", "shutdownDefaultExecutor()'s future was done before the"
                    + " executor terminated"));
            assertEquals(true, job.result(), msg("X1.11", "the running job must finish normally, not be"
                    + " interrupted (shutdown, not shutdownNow)"));
        } finally {
            release.countDown();
            mine.shutdownNow();
        }
    }
}
