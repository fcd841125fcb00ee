package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.Context;
import dev.asyncloop.ContextVar;
import dev.asyncloop.ExceptionContext;
import dev.asyncloop.Future;
import dev.asyncloop.Handle;
import dev.asyncloop.Task;
import dev.asyncloop.TimerHandle;
import dev.asyncloop.testsupport.CapturedLog;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The loop core (scheduling, handles, timers, the exception handler, executors, debug mode) against asyncio's
 * {@code base_events.py}/{@code events.py} and their tests ({@code test_base_events.py}, {@code test_events.py}
 * {@code HandleTests}/{@code TimerTests}); each test names the asyncio case it mirrors.
 */
class LoopCoreAsyncioConformanceTest {
    private final TestLoop loop = new TestLoop();

    @AfterEach
    void tearDown() {
        loop.close();
    }

    /** Runs exactly one non-blocking iteration (asyncio's {@code _run_once} with nothing to wait for). */
    private void runOnce() {
        loop.stop();
        loop.runForever();
    }

    // ---------------------------------------------------------------- handles and timers

    @Test
    @DisplayName("test_handle: cancel() drops the callback, so what it holds can be collected")
    void cancelReleasesCallback() {
        Object[] captured = {new Object(), new Object(), new Object()};
        WeakReference<Object> soon = new WeakReference<>(captured[0]);
        WeakReference<Object> timer = new WeakReference<>(captured[1]);
        WeakReference<Object> dueTimer = new WeakReference<>(captured[2]);
        Object[] holder = captured;
        Handle h1 = loop.callSoon(capturing(holder, 0));
        TimerHandle h2 = loop.callLater(Duration.ofHours(1), capturing(holder, 1));
        TimerHandle h3 = loop.callLater(Duration.ZERO, capturing(holder, 2));
        // h3 becomes due and moves to the ready queue in this iteration, where it is cancelled before its turn.
        loop.callSoon(h3::cancel);
        holder = null;
        captured = null;
        h1.cancel();
        h2.cancel();
        runOnce();
        assertTrue(h1.isCancelled() && h2.isCancelled() && h3.isCancelled());
        awaitCollected(soon, "callSoon handle");
        awaitCollected(timer, "pending timer");
        awaitCollected(dueTimer, "timer cancelled after it came due");
        assertTrue(h1.toString().contains("cancelled"), "repr of a cancelled handle says so: " + h1);
        assertTrue(h2.toString().contains("cancelled") && h2.toString().contains("when="),
                "repr of a cancelled timer says so and keeps when: " + h2);
    }

    private static Runnable capturing(Object[] holder, int i) {
        Object o = holder[i];
        return () -> o.hashCode();
    }

    private static void awaitCollected(WeakReference<?> ref, String what) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (ref.get() != null && System.nanoTime() - end < 0) {
            System.gc();
            Thread.onSpinWait();
        }
        assertSame(null, ref.get(), "the callback of a cancelled " + what + " must no longer be referenced");
    }

    @Test
    @DisplayName("test_timer / test_time_and_call_at: when() is the deadline given, on the time() clock")
    void timerWhen() {
        double when = loop.time() + 3600.5;
        TimerHandle h = loop.callAt(when, () -> { });
        assertEquals(when, h.when(), 1e-6);
        assertFalse(h.isCancelled());
        h.cancel();
        assertTrue(h.isCancelled());
        assertEquals(when, h.when(), 1e-6, "when() survives cancel()");
    }

    @Test
    @DisplayName("test__run_once_cancelled_event_cleanup: cancelled heads are popped; the heap is rebuilt past"
            + " 100 timers with more than half cancelled")
    void cancelledTimerCleanup() {
        Runnable cb = () -> { };
        int notCancelled = 1;
        loop.callLater(Duration.ofSeconds(3000), cb); // keeps the later cancelled ones off the head
        int cancelled = 0;
        for (int i = 0; i < 2; i++) {
            loop.callLater(Duration.ofSeconds(3600), cb).cancel();
            cancelled++;
        }
        for (int i = 0; i < 2; i++) {
            loop.callLater(Duration.ofSeconds(100), cb).cancel(); // at the head: popped
            cancelled++;
        }
        assertEquals(cancelled, loop.cancelledTimerCount());
        runOnce();
        cancelled -= 2;
        assertEquals(cancelled, loop.cancelledTimerCount());
        assertEquals(cancelled + notCancelled, loop.scheduledTimerCount());

        int addCancelled = 51; // ceil(100 * 0.5) + 1
        int addLive = 100 - addCancelled;
        for (int i = 0; i < addLive; i++) {
            loop.callLater(Duration.ofSeconds(3600), cb);
        }
        notCancelled += addLive;
        for (int i = 0; i < addCancelled; i++) {
            loop.callLater(Duration.ofSeconds(3600), cb).cancel();
        }
        cancelled += addCancelled;
        assertEquals(cancelled + notCancelled, loop.scheduledTimerCount(), "nothing is purged before an iteration");
        runOnce();
        assertEquals(notCancelled, loop.scheduledTimerCount(), "every cancelled timer is gone from the heap");
        assertEquals(0, loop.cancelledTimerCount());
    }

    @Test
    @DisplayName("_run_once: handles already ready run before timers that come due in the same iteration")
    void readyHandlesRunBeforeDueTimers() {
        List<String> order = new ArrayList<>();
        loop.callLater(Duration.ZERO, () -> order.add("timer"));
        loop.callSoon(() -> order.add("soon"));
        runOnce();
        assertEquals(List.of("soon", "timer"), order);
    }

    // ---------------------------------------------------------------- exception handler

    @Test
    @DisplayName("Handle._run: a failing callback's report has the message, exception, handle and, in debug mode,"
            + " the handle's creation stack")
    void callbackExceptionReport() {
        List<ExceptionContext> reports = new ArrayList<>();
        loop.setExceptionHandler((l, c) -> reports.add(c));
        loop.setDebug(true);
        RuntimeException boom = new RuntimeException("boom");
        Handle h = loop.callSoon(() -> {
            throw boom;
        });
        runOnce();
        assertEquals(1, reports.size());
        ExceptionContext r = reports.get(0);
        assertTrue(r.message().startsWith("Exception in callback "), r.message());
        assertSame(boom, r.exception().orElseThrow());
        assertSame(h, r.handle().orElseThrow());
        List<StackTraceElement> made = ((ReadyHandle) h).sourceTraceback;
        assertFalse(made.isEmpty(), "in debug mode a handle records where it was made");
        assertEquals(made, r.sourceTraceback(), "source_traceback is where the handle was made");
    }

    @Test
    @DisplayName("default_exception_handler: an empty message is logged as \"Unhandled exception in event loop\"")
    void defaultHandlerEmptyMessage() {
        List<String> logged = captureLog(() -> loop.callExceptionHandler(ExceptionContext.builder("").build()));
        assertEquals(1, logged.size(), "one record: " + logged);
        assertTrue(logged.get(0).startsWith("SEVERE Unhandled exception in event loop"), logged.get(0));
    }

    @Test
    @DisplayName("default_exception_handler: the running handle's creation stack is added only when the report has"
            + " no source_traceback of its own")
    void handleTracebackOnlyWithoutSourceTraceback() {
        loop.setDebug(true);
        List<StackTraceElement> own = List.of(new StackTraceElement("Somewhere", "made", "Somewhere.java", 1));
        List<String> logged = captureLog(() -> {
            loop.callSoon(() -> {
                loop.callExceptionHandler(ExceptionContext.builder("with source").sourceTraceback(own).build());
                loop.callExceptionHandler(ExceptionContext.builder("without source").build());
            });
            runOnce();
        }).stream().filter(s -> s.startsWith("SEVERE")).toList();
        assertEquals(2, logged.size(), "two records: " + logged);
        assertTrue(logged.get(0).contains("Object created at") && !logged.get(0).contains("Handle created at"),
                "a report with its own source_traceback gets no handle_traceback: " + logged.get(0));
        assertTrue(logged.get(1).contains("Handle created at"),
                "a report without one gets the running handle's: " + logged.get(1));
    }

    @Test
    @DisplayName("call_exception_handler: a Task under the \"future\" key gives the handler the task's context")
    void handlerRunsInContextOfTaskUnderFutureKey() {
        ContextVar<String> var = ContextVar.of("which");
        Context taskContext = new Context();
        taskContext.run(() -> var.set("task"));
        Task<Void> task = loop.createTask(dev.asyncloop.Coroutine.of(() -> null), "t", taskContext);
        loop.runUntilComplete(task);
        AtomicReference<String> seen = new AtomicReference<>();
        loop.setExceptionHandler((l, c) -> seen.set(var.get("none")));
        Future<?> asFuture = task;
        loop.callExceptionHandler(ExceptionContext.builder("about a task").future(asFuture).build());
        assertEquals("task", seen.get());
    }

    @Test
    @DisplayName("test_default_exc_handler_broken: a failing default handler is logged, also behind a failing"
            + " custom one")
    void brokenDefaultHandler() throws java.io.IOException {
        List<ExceptionContext> passed = new ArrayList<>();
        BaseEventLoop broken = new ReadinessEventLoop(new SelectorPoller()) {
            @Override
            public void defaultExceptionHandler(ExceptionContext context) {
                passed.add(context);
                throw new IllegalStateException("default handler broken");
            }
        };
        try {
            List<String> logged = captureLog(() -> broken.callExceptionHandler(
                    ExceptionContext.builder("first").build()));
            assertEquals(1, logged.size(), logged.toString());
            assertTrue(logged.get(0).startsWith("SEVERE Exception in default exception handler"), logged.get(0));
            assertTrue(logged.get(0).contains("default handler broken"), "with the exception: " + logged.get(0));

            broken.setExceptionHandler((l, c) -> {
                throw new IllegalArgumentException("custom handler broken");
            });
            logged = captureLog(() -> broken.callExceptionHandler(ExceptionContext.builder("second").build()));
            assertEquals(1, logged.size(), logged.toString());
            assertTrue(logged.get(0).startsWith("SEVERE Exception in default exception handler while handling an"
                    + " unexpected error in"), logged.get(0));
            ExceptionContext last = passed.get(passed.size() - 1);
            assertEquals("Unhandled error in exception handler", last.message());
            assertEquals("second", last.originalContext().orElseThrow().message(),
                    "the default handler gets the report the custom handler failed on");
            assertTrue(last.exception().orElseThrow() instanceof IllegalArgumentException);
        } finally {
            broken.close();
        }
    }

    // ---------------------------------------------------------------- executors

    @Test
    @DisplayName("run_in_executor: the default executor is made on first use; close() shuts it down without"
            + " waiting, and refuses it afterwards")
    void defaultExecutorShutAtClose() throws InterruptedException {
        Thread worker = loop.runUntilComplete(loop.runInExecutor(null, Thread::currentThread));
        assertTrue(worker.getName().startsWith("asyncloop-executor-"), worker.getName());
        assertTrue(worker.isDaemon(), "default executor threads do not keep the JVM alive");
        loop.close();
        worker.join(TimeUnit.SECONDS.toMillis(10));
        assertFalse(worker.isAlive(), "close() shuts the default executor down, so its idle worker ends");
        assertThrows(IllegalStateException.class, () -> loop.runInExecutor(null, () -> 1));
    }

    @Test
    @DisplayName("close(): a default executor set with set_default_executor is shut down too")
    void userDefaultExecutorShutAtClose() {
        ExecutorService mine = Executors.newSingleThreadExecutor();
        try {
            loop.setDefaultExecutor(mine);
            assertEquals(Integer.valueOf(7), loop.runUntilComplete(loop.runInExecutor(null, () -> 7)));
            loop.close();
            assertTrue(mine.isShutdown());
        } finally {
            mine.shutdownNow();
        }
    }

    @Test
    @DisplayName("run_in_executor: an executor that refuses the job fails the call itself")
    void shutDownExecutorRefusesAtTheCall() {
        ExecutorService closed = Executors.newSingleThreadExecutor();
        closed.shutdown();
        assertThrows(RejectedExecutionException.class, () -> loop.runInExecutor(closed, () -> 1));
    }

    // ---------------------------------------------------------------- debug mode

    @Test
    @DisplayName("test_check_thread: in debug mode the foreign-thread error names the rule; with the loop not"
            + " running there is no check")
    void checkThreadMessage() throws Exception {
        loop.setDebug(true);
        // Not running: any thread may schedule (asyncio's _check_thread returns when no thread owns the loop).
        CompletableFuture.runAsync(() -> loop.callSoon(() -> { })).get(10, TimeUnit.SECONDS);
        CompletableFuture<Throwable> refused = new CompletableFuture<>();
        loop.callSoon(() -> {
            Thread other = new Thread(() -> {
                try {
                    loop.callLater(Duration.ZERO, () -> { });
                    refused.complete(null);
                } catch (Throwable t) {
                    refused.complete(t);
                }
                loop.callSoonThreadsafe(loop::stop);
            });
            other.start();
        });
        loop.runForever();
        Throwable t = refused.get(10, TimeUnit.SECONDS);
        assertNotNull(t, "callLater from a foreign thread must be refused in debug mode");
        assertTrue(t instanceof IllegalStateException);
        assertTrue(t.getMessage().startsWith("Non-thread-safe operation invoked on an event loop other than the"
                + " current one"), t.getMessage());
    }

    @Test
    @DisplayName("_format_handle: the slow-callback warning of a task's step names the task")
    void slowTaskStepNamesTask() {
        loop.setDebug(true);
        loop.setSlowCallbackDuration(Duration.ZERO);
        List<String> logged = captureLog(() -> {
            Future<Void> gate = loop.createFuture();
            Task<Void> task = loop.createTask(() -> {
                dev.asyncloop.Async.await(gate);
                return null;
            }, "slowpoke");
            loop.callSoon(() -> gate.setResult(null));
            loop.runUntilComplete(task);
        });
        List<String> steps = logged.stream().filter(s -> s.startsWith("WARNING Executing ")).toList();
        assertTrue(steps.stream().filter(s -> s.contains("slowpoke")).count() >= 2,
                "the first step and the step after the wake-up both name the task: " + steps);
    }

    @Test
    @DisplayName("_run_once: the slow-callback duration is printed as %.3f whatever the default locale")
    void slowCallbackSecondsAreLocaleIndependent() {
        Locale saved = Locale.getDefault();
        Locale.setDefault(Locale.GERMANY);
        try {
            loop.setDebug(true);
            loop.setSlowCallbackDuration(Duration.ZERO);
            List<String> logged = captureLog(() -> {
                loop.callSoon(() -> { });
                runOnce();
            });
            assertEquals(1, logged.size(), logged.toString());
            assertTrue(logged.get(0).matches("(?s)WARNING Executing .* took \\d+\\.\\d{3} seconds"), logged.get(0));
        } finally {
            Locale.setDefault(saved);
        }
    }

    @Test
    @DisplayName("test_handle_repr_debug / Handle.cancel: in debug mode a handle shows where it was made and keeps"
            + " its callback's description once cancelled, so the slow-callback warning of a handle that cancels"
            + " itself still names the callback")
    void debugReprSurvivesCancel() {
        loop.setDebug(true);
        loop.setSlowCallbackDuration(Duration.ZERO);
        AtomicReference<Handle> self = new AtomicReference<>();
        Runnable named = new Runnable() {
            @Override
            public void run() {
                self.get().cancel();
            }

            @Override
            public String toString() {
                return "selfCanceller";
            }
        };
        List<String> logged = captureLog(() -> {
            self.set(loop.callSoon(named));
            assertTrue(self.get().toString().contains("selfCanceller") && self.get().toString().contains("created at"),
                    "debug repr: " + self.get());
            runOnce();
        });
        assertEquals(1, logged.size(), logged.toString());
        assertTrue(logged.get(0).contains("cancelled") && logged.get(0).contains("selfCanceller"), logged.get(0));
        loop.setDebug(false);
        Handle plain = loop.callSoon(named);
        plain.cancel();
        assertFalse(plain.toString().contains("selfCanceller"), "outside debug mode cancel() keeps nothing: "
                + plain);
    }

    // ---------------------------------------------------------------- helpers

    /** The records "dev.asyncloop" gets while {@code action} runs, as "LEVEL formatted message + exception". */
    private static List<String> captureLog(Runnable action) {
        SimpleFormatter formatter = new SimpleFormatter();
        try (CapturedLog log = CapturedLog.atLevel(Level.WARNING)) {
            action.run();
            return log.records().stream().map(r -> r.getLevel() + " " + formatter.formatMessage(r)
                    + (r.getThrown() == null ? "" : "\n" + r.getThrown())).toList();
        }
    }
}
