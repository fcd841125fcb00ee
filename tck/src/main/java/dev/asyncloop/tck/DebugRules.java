package dev.asyncloop.tck;

import static dev.asyncloop.tck.Waits.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.Async;
import dev.asyncloop.ExceptionContext;
import dev.asyncloop.Future;
import dev.asyncloop.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Group "debug mode": rules D1.x. */
abstract class DebugRules extends ConformanceGroup {
    DebugRules(EventLoopConformanceSuite suite) {
        super(suite);
    }

    @Test
    @DisplayName("D1.4 setDebug/getDebug and the slow-callback threshold (default 100 ms, not negative)")
    void required_D1_4_debugSettings() {
        loop.setDebug(true);
        assertTrue(loop.getDebug(), msg("D1.4", "getDebug() must return true after setDebug(true)"));
        loop.setDebug(false);
        assertFalse(loop.getDebug(), msg("D1.4", "getDebug() must return false after setDebug(false)"));
        assertEquals(Duration.ofMillis(100), loop.getSlowCallbackDuration(), msg("D1.4", "the slow-callback"
                + " threshold of a new loop must be 100 ms (asyncio's slow_callback_duration = 0.1)"));
        loop.setSlowCallbackDuration(Duration.ofMillis(7));
        assertEquals(Duration.ofMillis(7), loop.getSlowCallbackDuration(), msg("D1.4", "getSlowCallbackDuration"
                + " must return what was set"));
        assertThrows(IllegalArgumentException.class, () -> loop.setSlowCallbackDuration(Duration.ofMillis(-1)),
                msg("D1.4", "a negative slow-callback threshold must throw IllegalArgumentException"));
        assertEquals(Duration.ofMillis(7), loop.getSlowCallbackDuration(), msg("D1.4", "a refused threshold must"
                + " leave the previous one"));
    }

    @Test
    @DisplayName("D1.1 in debug mode a callback slower than the threshold is logged as a WARNING")
    void required_D1_1_slowCallbackLogged() {
        LogCapture.assumeJulBackend();
        loop.setSlowCallbackDuration(Duration.ofMillis(1));
        try (LogCapture log = new LogCapture()) {
            loop.setDebug(false);
            loop.callSoon(() -> busyWait(20));
            loop.callSoon(loop::stop);
            runForever("D1.1", defaultWait());
            assertTrue(slowWarnings(log).isEmpty(), msg("D1.1", "slow callbacks are only logged in debug mode;"
                    + " logged with debug off: " + log.entries()));
            loop.setDebug(true);
            loop.callSoon(() -> busyWait(20));
            loop.callSoon(loop::stop);
            runForever("D1.1", defaultWait());
            List<LogCapture.Entry> warnings = slowWarnings(log);
            assertFalse(warnings.isEmpty(), msg("D1.1", "a 20 ms callback with a 1 ms threshold in debug mode"
                    + " must be logged at WARNING as \"Executing <handle> took N seconds\"; logged: "
                    + log.entries() + "; check the timing around each handle in runOnce"));
        } finally {
            loop.setDebug(false);
        }
    }

    @Test
    @DisplayName("D1.2 in debug mode callSoon/callLater/callAt from a foreign thread while running → ISE")
    void required_D1_2_wrongThreadCallsRejectedInDebug() {
        loop.setDebug(true);
        Map<String, Throwable> caught = new LinkedHashMap<>();
        AtomicBoolean threadsafeRan = new AtomicBoolean();
        List<String> ranWrongly = new ArrayList<>();
        loop.callSoon(() -> {
            Thread t = Thread.ofPlatform().name("D1.2-foreign").start(() -> {
                Map<String, Executable> calls = new LinkedHashMap<>();
                calls.put("callSoon", () -> loop.callSoon(() -> ranWrongly.add("callSoon")));
                calls.put("callLater", () -> loop.callLater(Duration.ZERO, () -> ranWrongly.add("callLater")));
                calls.put("callAt", () -> loop.callAt(loop.time(), () -> ranWrongly.add("callAt")));
                calls.forEach((name, call) -> caught.put(name, LifecycleRules.catchThrowable(call)));
                caught.put("callSoonThreadsafe", LifecycleRules.catchThrowable(() -> loop.callSoonThreadsafe(() -> {
                    threadsafeRan.set(true);
                    loop.stop();
                })));
            });
            join(t);
        });
        runForever("D1.2", defaultWait());
        loop.setDebug(false);
        caught.forEach((name, e) -> {
            if (name.equals("callSoonThreadsafe")) {
                assertEquals(null, e, msg("D1.2", "callSoonThreadsafe from a foreign thread must work in debug"
                        + " mode, threw " + e));
            } else {
                assertTrue(e instanceof IllegalStateException, msg("D1.2", name + " from a foreign thread while"
                        + " the loop runs in debug mode must throw IllegalStateException, threw " + e
                        + "; check the debug thread check (asyncio _check_thread)"));
            }
        });
        assertEquals(4, caught.size(), msg("D1.2", "the foreign thread must have tried 4 calls: " + caught));
        assertTrue(threadsafeRan.get(), msg("D1.2", "the callSoonThreadsafe callback must have run"));
        assertTrue(ranWrongly.isEmpty(), msg("D1.2", "refused calls must not schedule anything, ran: "
                + ranWrongly));
    }

    @Test
    @DisplayName("D1.3 futures record their creation stack in debug mode only")
    void required_D1_3_creationStackOnlyInDebug() {
        loop.setDebug(false);
        Future<Integer> plain = loop.createFuture();
        assertTrue(plain.sourceTraceback().isEmpty(), msg("D1.3", "without debug mode sourceTraceback() must be"
                + " empty (capturing stacks is costly), got " + plain.sourceTraceback().size() + " frames"));
        loop.setDebug(true);
        Future<Integer> traced = loop.createFuture();
        loop.setDebug(false);
        List<StackTraceElement> frames = traced.sourceTraceback();
        assertFalse(frames.isEmpty(), msg("D1.3", "in debug mode a future's sourceTraceback() must hold the stack"
                + " of its creation; check createFuture captures it when debug is on"));
        assertTrue(frames.stream().anyMatch(f -> f.getClassName().equals(DebugRules.class.getName())),
                msg("D1.3", "the creation stack must include the frame that called createFuture ("
                        + DebugRules.class.getName() + "), got " + frames));
    }


    @Test
    @DisplayName("D1.5 in debug mode the default handler logs the creation stack of the report's object, else of the running handle")
    void required_D1_5_defaultHandlerLogsCreationStacks() {
        LogCapture.assumeJulBackend();
        loop.setExceptionHandler(null);
        loop.setDebug(true);
        try (LogCapture log = new LogCapture()) {
            d15ScheduleFailingCallback();
            d15ScheduleBareReport();
            loop.callLater(Duration.ofMillis(1), loop::stop);
            runForever("D1.5", defaultWait());
            loop.setDebug(false);
            String failing = d15Logged(log, "D1.5 failing callback");
            assertTrue(failing.contains("d15ScheduleFailingCallback"), msg("D1.5", "in debug mode the default"
                    + " handler must log the failing handle's creation stack (asyncio: source_traceback, \"Object"
                    + " created at\"), which names d15ScheduleFailingCallback; logged: " + failing));
            String bare = d15Logged(log, "D1.5 report without a stack");
            assertTrue(bare.contains("d15ScheduleBareReport"), msg("D1.5", "a report without a creation stack of"
                    + " its own, made while a handle runs, must be logged with that handle's creation stack (asyncio:"
                    + " handle_traceback, \"Handle created at\"), which names d15ScheduleBareReport; logged: " + bare));
        } finally {
            loop.setDebug(false);
        }
    }

    private void d15ScheduleFailingCallback() {
        loop.callSoon(() -> {
            throw new IllegalStateException("D1.5 failing callback");
        });
    }

    private void d15ScheduleBareReport() {
        loop.callSoon(() -> loop.callExceptionHandler(ExceptionContext.builder("D1.5 report without a stack")
                .build()));
    }

    /** The one ERROR record whose text or exception mentions {@code marker}, with its exception's text. */
    private static String d15Logged(LogCapture log, String marker) {
        List<LogCapture.Entry> found = log.entries().stream()
                .filter(e -> e.level().intValue() >= Level.SEVERE.intValue())
                .filter(e -> e.message().contains(marker)
                        || (e.thrown() != null && String.valueOf(e.thrown().getMessage()).contains(marker)))
                .toList();
        assertEquals(1, found.size(), msg("D1.5", "the default handler must log \"" + marker + "\" once at ERROR"
                + " on System.Logger \"dev.asyncloop\"; logged: " + log.entries()));
        return found.getFirst().message();
    }

    private static List<LogCapture.Entry> slowWarnings(LogCapture log) {
        return log.entries().stream()
                .filter(e -> e.level().intValue() >= Level.WARNING.intValue() && e.message().contains("took"))
                .toList();
    }

    private static void busyWait(long millis) {
        long end = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() - end < 0) {
            Thread.onSpinWait();
        }
    }

    @Test
    @DisplayName("D1.6 the debug thread check names the misuse, and does not apply while the loop is not running")
    void required_D1_6_threadCheckMessageAndIdleLoop() {
        loop.setDebug(true);
        try {
            List<String> ran = new ArrayList<>();
            AtomicReference<@Nullable Throwable> idleCall = new AtomicReference<>();
            join(Thread.ofPlatform().name("D1.6-idle").start(() -> idleCall.set(LifecycleRules.catchThrowable(
                    () -> loop.callSoon(() -> ran.add("scheduled while idle"))))));
            assertEquals(null, idleCall.get(), msg("D1.6", "with the loop not running, callSoon from any thread"
                    + " must work in debug mode (asyncio _check_thread returns when no thread runs the loop); threw "
                    + idleCall.get()));
            AtomicReference<@Nullable Throwable> runningCall = new AtomicReference<>();
            loop.callSoon(() -> join(Thread.ofPlatform().name("D1.6-foreign").start(() -> runningCall.set(
                    LifecycleRules.catchThrowable(() -> loop.callLater(Duration.ZERO, () -> { }))))));
            loop.callSoon(loop::stop);
            runForever("D1.6", defaultWait());
            assertEquals(List.of("scheduled while idle"), ran, msg("D1.6", "the callback scheduled from another"
                    + " thread while the loop was idle must run"));
            Throwable e = runningCall.get();
            assertTrue(e instanceof IllegalStateException && e.getMessage() != null
                    && e.getMessage().startsWith("Non-thread-safe operation invoked on an event loop other than the"
                    + " current one"), msg("D1.6", "the debug thread check must throw IllegalStateException whose"
                    + " message starts with asyncio's \"Non-thread-safe operation invoked on an event loop other"
                    + " than the current one\", got " + e));
        } finally {
            loop.setDebug(false);
        }
    }

    @Test
    @DisplayName("D1.7 the slow-callback warning of a task's step names the task")
    void required_D1_7_slowTaskStepNamesTask() {
        LogCapture.assumeJulBackend();
        loop.setSlowCallbackDuration(Duration.ZERO);
        loop.setDebug(true);
        try (LogCapture log = new LogCapture()) {
            Future<@Nullable Void> gate = loop.createFuture();
            Task<@Nullable Void> task = loop.createTask(() -> {
                Async.await(gate);
                return null;
            }, "D1.7-slowpoke");
            loop.callSoon(() -> gate.setResult(null));
            runUntil("D1.7", "a task awaiting a future", defaultWait(), task);
            List<String> naming = slowWarnings(log).stream().map(LogCapture.Entry::message)
                    .filter(m -> m.contains("D1.7-slowpoke")).toList();
            assertTrue(naming.size() >= 2, msg("D1.7", "with a zero threshold in debug mode, the warnings for the"
                    + " task's first step and for its step after the wake-up must name the task (asyncio"
                    + " _format_handle shows the task for its step callbacks); warnings: " + slowWarnings(log)));
        } finally {
            loop.setDebug(false);
        }
    }

    @Test
    @DisplayName("D1.8 in debug mode a failing callback's report carries where it was scheduled, caller first")
    void required_D1_8_handleCreationStackNamesCaller() {
        expectReports();
        loop.setDebug(true);
        try {
            loop.callSoon(() -> {
                throw new IllegalStateException("D1.8 callSoon");
            });
            loop.callSoonThreadsafe(() -> {
                throw new IllegalStateException("D1.8 callSoonThreadsafe");
            });
            loop.callLater(Duration.ZERO, () -> {
                throw new IllegalStateException("D1.8 callLater");
            });
            loop.callAt(loop.time(), () -> {
                throw new IllegalStateException("D1.8 callAt");
            });
            loop.callLater(Duration.ofMillis(1), loop::stop);
            runForever("D1.8", defaultWait());
        } finally {
            loop.setDebug(false);
        }
        List<ExceptionContext> reports = reports();
        assertEquals(4, reports.size(), msg("D1.8", "the four failing callbacks must be reported: " + reports));
        int previousLine = -1;
        for (ExceptionContext r : reports) {
            List<StackTraceElement> frames = r.sourceTraceback();
            assertFalse(frames.isEmpty(), msg("D1.8", "in debug mode the report of a failing callback must carry"
                    + " the handle's creation stack as sourceTraceback() (asyncio: source_traceback), got none for "
                    + r.message()));
            StackTraceElement top = frames.get(0);
            assertTrue(top.getClassName().equals(DebugRules.class.getName())
                    && top.getMethodName().equals("required_D1_8_handleCreationStackNamesCaller"),
                    msg("D1.8", "the first frame of the creation stack must be the line that scheduled the callback"
                            + " (the loop's own frames dropped; asyncio test_handle_source_traceback), got " + top
                            + " for " + r.message()));
            assertTrue(top.getLineNumber() > previousLine, msg("D1.8", "each report must point at its own"
                    + " scheduling line, in order; got line " + top.getLineNumber() + " after " + previousLine));
            previousLine = top.getLineNumber();
        }
    }
}
