package dev.asyncloop.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.Context;
import dev.asyncloop.ContextVar;
import dev.asyncloop.ExceptionContext;
import dev.asyncloop.ExceptionHandler;
import dev.asyncloop.Handle;
import dev.asyncloop.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.logging.Level;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Group "exception handler": rules E1.x. */
abstract class ExceptionHandlerRules extends ConformanceGroup {
    ExceptionHandlerRules(EventLoopConformanceSuite suite) {
        super(suite);
    }

    @Test
    @DisplayName("E1.1 a callback's exception is reported with the handle, and the loop goes on")
    void required_E1_1_callbackExceptionReportedLoopGoesOn() {
        expectReports();
        IllegalStateException boom = new IllegalStateException("E1.1 boom");
        List<String> ran = new ArrayList<>();
        Handle failing = loop.callSoon(() -> {
            ran.add("failing");
            throw boom;
        });
        loop.callSoon(() -> ran.add("next"));
        loop.callSoon(loop::stop);
        runForever("E1.1", defaultWait());
        assertEquals(List.of("failing", "next"), ran, msg("E1.1", "the callbacks after a failing one must still"
                + " run; got " + ran + "; check that runOnce catches the callback's exception"));
        List<ExceptionContext> reports = reports();
        assertEquals(1, reports.size(), msg("E1.1", "exactly one report expected, got " + reports));
        ExceptionContext r = reports.get(0);
        assertSame(boom, r.exception().orElse(null), msg("E1.1", "the report's exception() must be the thrown"
                + " exception, got " + r.exception()));
        assertSame(failing, r.handle().orElse(null), msg("E1.1", "the report's handle() must be the handle of the"
                + " failing callback, got " + r.handle()));
        assertTrue(r.message().toLowerCase(Locale.ROOT).contains("callback"), msg("E1.1", "the message must say a callback"
                + " failed (asyncio: \"Exception in callback ...\"), got: " + r.message()));
    }

    @Test
    @DisplayName("E1.2 a failing custom handler → default handler logs \"Unhandled error in exception handler\"")
    void required_E1_2_failingHandlerFallsBackToDefault() {
        LogCapture.assumeJulBackend();
        RuntimeException handlerFailure = new RuntimeException("E1.2 handler failed");
        List<ExceptionContext> seen = new ArrayList<>();
        loop.setExceptionHandler((l, c) -> {
            seen.add(c);
            throw handlerFailure;
        });
        IllegalStateException boom = new IllegalStateException("E1.2 boom");
        try (LogCapture log = new LogCapture()) {
            loop.callSoon(() -> {
                throw boom;
            });
            loop.callSoon(loop::stop);
            runForever("E1.2", defaultWait());
            Throwable direct = LifecycleRules.catchThrowable(() -> loop.callExceptionHandler(
                    ExceptionContext.builder("E1.2 direct").build()));
            assertNull(direct, msg("E1.2", "callExceptionHandler must never throw, even when the handler does;"
                    + " threw " + direct));
            assertEquals(2, seen.size(), msg("E1.2", "the custom handler must have been called twice, was "
                    + seen.size()));
            assertSame(boom, seen.get(0).exception().orElse(null), msg("E1.2", "the custom handler must get the"
                    + " callback's exception"));
            List<LogCapture.Entry> errors = log.entries().stream()
                    .filter(e -> e.level().intValue() >= Level.SEVERE.intValue()
                            && e.message().contains("Unhandled error in exception handler"))
                    .toList();
            assertEquals(2, errors.size(), msg("E1.2", "each failure of the custom handler must be logged at ERROR"
                    + " by the default handler with \"Unhandled error in exception handler\"; logged: "
                    + log.entries() + "; check callExceptionHandler's catch around the custom handler"));
            assertSame(handlerFailure, errors.get(0).thrown(), msg("E1.2", "the log record must carry the"
                    + " handler's exception, got " + errors.get(0).thrown()));
        }
    }

    @Test
    @DisplayName("E1.3 the custom handler runs in the context of the task or handle it reports on")
    void required_E1_3_handlerRunsInTaskContext() {
        ContextVar<String> var = ContextVar.of("E1.3");
        List<String> seen = new ArrayList<>();
        loop.setExceptionHandler((l, c) -> seen.add(c.message() + "=" + var.get("<none>")));
        Task<String> task = loop.createTask(() -> {
            var.set("task-value");
            return "ok";
        });
        runUntil("E1.3", "a task setting a context variable", defaultWait(), task);
        Context handleContext = new Context();
        handleContext.run(() -> var.set("handle-value"));
        loop.callSoon(() -> {
            throw new IllegalStateException("E1.3 boom");
        }, handleContext);
        loop.callSoon(() -> {
            loop.callExceptionHandler(ExceptionContext.builder("task").task(task).build());
            loop.callExceptionHandler(ExceptionContext.builder("none").build());
            loop.stop();
        });
        runForever("E1.3", defaultWait());
        String handleMessage = seen.isEmpty() ? "" : seen.get(0);
        assertTrue(handleMessage.endsWith("=handle-value"), msg("E1.3", "the handler of a failing callback must"
                + " run in that handle's context, saw " + handleMessage + "; check callExceptionHandler enters"
                + " handle.getContext()"));
        assertEquals(List.of(handleMessage, "task=task-value", "none=<none>"), seen, msg("E1.3", "the handler"
                + " must run in the reported task's context (and in the caller's when none is named); saw " + seen
                + "; check callExceptionHandler enters task.getContext() (asyncio 3.12+)"));
    }

    @Test
    @DisplayName("E1.4 set/getExceptionHandler; null restores the default handler, which logs at ERROR")
    void required_E1_4_setGetAndDefaultHandler() {
        ExceptionHandler custom = (l, c) -> { };
        loop.setExceptionHandler(custom);
        assertEquals(Optional.of(custom), loop.getExceptionHandler(), msg("E1.4", "getExceptionHandler must return"
                + " the handler set"));
        loop.setExceptionHandler(null);
        assertEquals(Optional.empty(), loop.getExceptionHandler(), msg("E1.4", "after setExceptionHandler(null)"
                + " getExceptionHandler must be empty (the default handler is in use)"));
        LogCapture.assumeJulBackend();
        IllegalStateException boom = new IllegalStateException("E1.4 boom");
        try (LogCapture log = new LogCapture()) {
            loop.callSoon(() -> {
                throw boom;
            });
            loop.callSoon(loop::stop);
            runForever("E1.4", defaultWait());
            List<LogCapture.Entry> errors = log.entries().stream()
                    .filter(e -> e.level().intValue() >= Level.SEVERE.intValue() && e.thrown() == boom).toList();
            assertEquals(1, errors.size(), msg("E1.4", "with no custom handler the default handler must log the"
                    + " callback's exception once at ERROR on System.Logger \"dev.asyncloop\"; logged: "
                    + log.entries() + "; check callExceptionHandler falls back to defaultExceptionHandler"));
            assertTrue(errors.get(0).message().toLowerCase(Locale.ROOT).contains("callback"), msg("E1.4", "the log must say a"
                    + " callback failed, got: " + errors.get(0).message()));
        }
    }

    @Test
    @DisplayName("E1.5 the custom handler runs in the context of a task reported under future()")
    void required_E1_5_handlerRunsInContextOfTaskUnderFuture() {
        ContextVar<String> var = ContextVar.of("E1.5");
        Task<String> task = loop.createTask(() -> {
            var.set("task-value");
            return "ok";
        });
        runUntil("E1.5", "a task setting a context variable", defaultWait(), task);
        List<String> seen = new ArrayList<>();
        loop.setExceptionHandler((l, c) -> seen.add(var.get("<none>")));
        loop.callExceptionHandler(ExceptionContext.builder("E1.5 about a task").future(task).build());
        assertEquals(List.of("task-value"), seen, msg("E1.5", "a Task given as the report's future() must be"
                + " treated as its task: the handler runs in task.getContext() (asyncio looks up 'task', then"
                + " 'future', then 'handle'); saw " + seen));
    }

    @Test
    @DisplayName("E1.6 the default handler logs an empty message as \"Unhandled exception in event loop\"")
    void required_E1_6_defaultHandlerEmptyMessage() {
        LogCapture.assumeJulBackend();
        loop.setExceptionHandler(null);
        IllegalStateException boom = new IllegalStateException("E1.6 boom");
        try (LogCapture log = new LogCapture()) {
            loop.callExceptionHandler(ExceptionContext.builder("").exception(boom).build());
            List<LogCapture.Entry> errors = log.entries().stream()
                    .filter(e -> e.level().intValue() >= Level.SEVERE.intValue() && e.thrown() == boom).toList();
            assertEquals(1, errors.size(), msg("E1.6", "the default handler must log the report once at ERROR"
                    + " with its exception; logged: " + log.entries()));
            assertTrue(errors.get(0).message().startsWith("Unhandled exception in event loop"), msg("E1.6", "a"
                    + " report without a message must be logged as \"Unhandled exception in event loop\" (asyncio"
                    + " default_exception_handler), got: " + errors.get(0).message()));
        }
    }
}
