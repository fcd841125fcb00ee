package dev.asyncloop.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.asyncloop.Async;
import dev.asyncloop.AsyncCallable;
import dev.asyncloop.CancelledError;
import dev.asyncloop.Context;
import dev.asyncloop.ContextVar;
import dev.asyncloop.Coroutine;
import dev.asyncloop.EventLoop;
import dev.asyncloop.ExceptionContext;
import dev.asyncloop.Future;
import dev.asyncloop.Task;
import dev.asyncloop.TaskFactory;
import dev.asyncloop.spi.BaseTask;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Group "tasks & cancellation": rules T1.x–T4.x (asyncio's {@code Task}, {@code test_tasks}). */
abstract class TaskRules extends ConformanceGroup {
    private static final AsyncCallable<String> RETURN_OK = () -> "ok";

    TaskRules(EventLoopConformanceSuite suite) {
        super(suite);
    }

    /** Runs exactly one loop iteration (plus nothing else): the callbacks ready now run, then the loop stops. */
    final void runOneIteration(String rule) {
        loop.callSoon(loop::stop);
        runForever(rule, defaultWait());
    }

    // ------------------------------------------------------------------ T1 await

    @Test
    @DisplayName("T1.1 awaiting a done future returns its result without suspending the task")
    void required_T1_1_awaitDoneFutureDoesNotSuspend() {
        List<String> events = new ArrayList<>();
        Future<String> done = loop.createFuture();
        done.setResult("v");
        run("T1.1", () -> {
            loop.callSoon(() -> events.add("callback"));
            loop.createTask(() -> events.add("other task"));
            events.add("awaited " + Async.await(done));
            Async.yieldNow();
            Async.yieldNow();
            return null;
        });
        assertEquals("awaited v", events.getFirst(), msg("T1.1", "awaiting a done future must return its result"
                + " at once, before any other callback or task runs; events: " + events + "; check await does"
                + " not suspend when the future is done"));
    }

    @Test
    @DisplayName("T1.2 awaiting a future of another loop throws IllegalStateException into the task")
    void required_T1_2_awaitFutureOfOtherLoopFails() {
        EventLoop other = suite.newLoop();
        try {
            Future<String> foreign = other.createFuture();
            Throwable thrown = run("T1.2", () -> {
                try {
                    Async.await(foreign);
                    return null;
                } catch (IllegalStateException e) {
                    return e;
                }
            });
            assertNotNull(thrown, msg("T1.2", "awaiting a future of another loop must throw IllegalStateException"
                    + " into the task (asyncio's test_other_loop_future); check the task compares"
                    + " future.getLoop() with its own loop"));
            assertFalse(foreign.isDone(), msg("T1.2", "the foreign future must be left alone"));
        } finally {
            other.close();
        }
    }

    @Test
    @DisplayName("T1.3 a task awaiting itself gets an IllegalStateException thrown in")
    void required_T1_3_awaitItselfFails() {
        Throwable thrown = run("T1.3", () -> {
            try {
                Async.await(Async.currentTask().orElseThrow());
                return null;
            } catch (IllegalStateException e) {
                return e;
            }
        });
        assertNotNull(thrown, msg("T1.3", "a task awaiting itself must get IllegalStateException thrown in"
                + " (asyncio's test_task_awaits_on_itself); check the task refuses to wait on itself"));
    }

    // ------------------------------------------------------------------ T2 cancellation

    @Test
    @DisplayName("T2.1 cancelling a task that waits on a future cancels that future, then the task")
    void required_T2_1_cancelCancelsAwaitedFuture() {
        Future<String> inner = loop.createFuture();
        Task<String> task = loop.createTask(() -> Async.await(inner));
        runOneIteration("T2.1");
        assertTrue(task.cancel(), msg("T2.1", "cancel() of a pending task must return true"));
        assertTrue(inner.isCancelled(), msg("T2.1", "cancelling a task must cancel the future it awaits at once;"
                + " check Task.cancel cancels its waiter"));
        assertThrows(CancelledError.class, () -> runUntil("T2.1", "the cancelled task", defaultWait(), task),
                msg("T2.1", "the task must end cancelled"));
        assertTrue(task.isCancelled(), msg("T2.1", "the task must be cancelled once its coroutine let the"
                + " CancelledError escape"));
    }

    @Test
    @DisplayName("T2.2 a task cancelled before its first step ends cancelled without running its body")
    void required_T2_2_cancelBeforeFirstStep() {
        AtomicBoolean ran = new AtomicBoolean();
        Task<String> task = loop.createTask(() -> {
            ran.set(true);
            return "ran";
        });
        assertTrue(task.cancel("early"), msg("T2.2", "cancel() of a new task must return true"));
        assertFalse(task.isDone(), msg("T2.2", "a task is cancelled only by its next step, not by cancel() itself"));
        CancelledError e = assertThrows(CancelledError.class,
                () -> runUntil("T2.2", "the cancelled task", defaultWait(), task),
                msg("T2.2", "a task cancelled before it started must end cancelled"));
        assertEquals("early", e.getMessage(), msg("T2.2", "the CancelledError must carry the cancel message"));
        assertTrue(task.isCancelled(), msg("T2.2", "the task must be cancelled"));
        assertFalse(ran.get(), msg("T2.2", "the body of a task cancelled before its first step must never run;"
                + " check the first step throws CancelledError into the unstarted coroutine"));
    }

    @Test
    @DisplayName("T2.3 the cancel message reaches the CancelledError inside the body and from result()")
    void required_T2_3_cancelMessagePropagates() {
        Future<String> inner = loop.createFuture();
        AtomicReference<@Nullable String> inside = new AtomicReference<>("not cancelled");
        Task<String> task = loop.createTask(() -> {
            try {
                return Async.await(inner);
            } catch (CancelledError e) {
                inside.set(e.getMessage());
                throw e;
            }
        });
        loop.callSoon(() -> task.cancel("stop it"));
        CancelledError e = assertThrows(CancelledError.class,
                () -> runUntil("T2.3", "the cancelled task", defaultWait(), task),
                msg("T2.3", "the task must end cancelled"));
        assertEquals("stop it", inside.get(), msg("T2.3", "the CancelledError thrown at the await must carry the"
                + " message given to Task.cancel(msg); check the waiter is cancelled with the message"));
        assertEquals("stop it", e.getMessage(), msg("T2.3", "the task's result() must throw the CancelledError"
                + " carrying the cancel message (asyncio's test_cancel_with_message_then_future_result)"));
    }

    @Test
    @DisplayName("T2.4 cancelling() counts cancel requests, uncancel() withdraws them; at 0 a pending cancellation"
            + " is dropped (3.13)")
    void required_T2_4_cancellingAndUncancel() {
        Future<String> inner = loop.createFuture();
        Task<Integer> task = loop.createTask(() -> {
            Async.await(inner);
            return 42;
        });
        runOneIteration("T2.4");
        assertEquals(0, task.cancelling(), msg("T2.4", "a task never cancelled must have cancelling() == 0"));
        inner.setResult("go");
        assertTrue(task.cancel(), msg("T2.4", "cancel() of a pending task must return true"));
        assertTrue(task.cancel(), msg("T2.4", "a repeated cancel() of a pending task must return true too"));
        assertEquals(2, task.cancelling(), msg("T2.4", "cancelling() must count each cancel() call"));
        assertEquals(1, task.uncancel(), msg("T2.4", "uncancel() must return the decremented count"));
        assertEquals(0, task.uncancel(), msg("T2.4", "uncancel() must return the decremented count"));
        assertEquals(0, task.uncancel(), msg("T2.4", "uncancel() at 0 must stay at 0"));
        Integer result = runUntil("T2.4", "the uncancelled task", defaultWait(), task);
        assertEquals(42, result, msg("T2.4", "when uncancel() brings the count to 0 the cancellation not yet"
                + " delivered must be dropped and the task finish normally (asyncio 3.13"
                + " test_uncancel_resets_must_cancel); check uncancel clears the must-cancel flag"));
    }

    @Test
    @DisplayName("T2.10 a body that catches CancelledError and calls uncancel() goes on awaiting normally")
    void required_T2_10_uncancelInStructuredBlock() {
        Future<String> first = loop.createFuture();
        Future<String> second = loop.createFuture();
        List<Integer> counts = new ArrayList<>();
        Task<String> task = loop.createTask(() -> {
            Task<?> self = Async.currentTask().orElseThrow();
            try {
                Async.await(first);
            } catch (CancelledError e) {
                counts.add(self.cancelling());
                counts.add(self.uncancel());
            }
            loop.callSoon(() -> second.setResult("after"));
            return Async.await(second);
        });
        loop.callSoon(task::cancel);
        String result = runUntil("T2.10", "the task", defaultWait(), task);
        assertEquals(List.of(1, 0), counts, msg("T2.10", "inside the body cancelling() must be 1 after one cancel()"
                + " and uncancel() must return 0"));
        assertEquals("after", result, msg("T2.10", "after uncancel() the task must await and finish normally"
                + " (asyncio's test_uncancel_structured_blocks)"));
        assertFalse(task.isCancelled(), msg("T2.10", "the task must not be cancelled"));
    }

    @Test
    @DisplayName("T2.5 a cancel requested during the task's final step still cancels the task")
    void required_T2_5_cancelDuringFinalStep() {
        Task<Integer> task = loop.createTask(() -> {
            Async.currentTask().orElseThrow().cancel();
            return 12;
        });
        assertThrows(CancelledError.class, () -> runUntil("T2.5", "the task", defaultWait(), task),
                msg("T2.5", "a task that cancels itself and then returns must end cancelled (asyncio's"
                        + " test_cancel_at_end); check the step cancels instead of setting the result when a"
                        + " cancellation is pending"));
        assertTrue(task.isCancelled(), msg("T2.5", "the task must be cancelled"));
        assertFalse(task.cancel(), msg("T2.5", "cancel() of a cancelled task must return false"));
    }

    @Test
    @DisplayName("T2.6 a body that catches CancelledError and returns normally finishes with its result")
    void required_T2_6_swallowedCancellationFinishes() {
        Future<String> inner = loop.createFuture();
        Task<String> task = loop.createTask(() -> {
            try {
                return Async.await(inner);
            } catch (CancelledError e) {
                return "recovered";
            }
        });
        loop.callSoon(task::cancel);
        String result = runUntil("T2.6", "the task", defaultWait(), task);
        assertEquals("recovered", result, msg("T2.6", "a body that swallows CancelledError and returns must"
                + " finish the task with that result"));
        assertFalse(task.isCancelled(), msg("T2.6", "such a task must not be cancelled"));
        assertEquals(1, task.cancelling(), msg("T2.6", "cancelling() must still count the request nobody"
                + " withdrew, as in asyncio"));
    }

    @Test
    @DisplayName("T2.8 a coroutine that throws from send instead of answering Threw ends its task with that"
            + " exception; an Error then escapes the loop")
    void required_T2_8_coroutineThrowingFromSendEndsTask() {
        IOException checked = new IOException("T2.8 expected by the test: checked");
        Task<String> failed = loop.createTask(new ThrowingCoroutine<>(checked), "T2.8-checked", null);
        CompletionException ce = assertThrows(CompletionException.class,
                () -> runUntil("T2.8", "the task whose coroutine throws", defaultWait(), failed),
                msg("T2.8", "a coroutine whose send throws must end its task with that exception (asyncio's step"
                        + " catches BaseException around coro.send); check the task catches Throwable, not only"
                        + " RuntimeException, around send/throwInto"));
        assertSame(checked, ce.getCause(), msg("T2.8", "the task's exception must be what send threw"));

        InternalError fatal = new InternalError("T2.8 expected by the test: fatal");
        Task<String> broken = loop.createTask(new ThrowingCoroutine<>(fatal), "T2.8-error", null);
        Throwable escaped = LifecycleRules.catchThrowable(() -> runUntil("T2.8", "the task whose coroutine throws an"
                + " Error", defaultWait(), broken));
        assertSame(fatal, escaped, msg("T2.8", "an Error thrown by a coroutine's send must escape the loop, as"
                + " one thrown by a body does (L5.6), got " + escaped));
        assertTrue(broken.isDone(), msg("T2.8", "the task whose coroutine threw an Error must be done, not left"
                + " pending forever; check the task finishes before rethrowing"));
        assertSame(fatal, broken.exception().orElse(null), msg("T2.8", "the task's exception must be the Error"));
    }

    @Test
    @DisplayName("T2.9 a coroutine answering null instead of a Step gets IllegalStateException thrown in on the next"
            + " iteration (asyncio's 'Task got bad yield')")
    void required_T2_9_nullStepIsThrownIn() {
        List<String> calls = new ArrayList<>();
        Coroutine<String> badYield = new Coroutine<>() {
            @Override
            @SuppressWarnings("NullAway") // answers null on purpose: the rule is what the task does with it
            public Step<String> send(@Nullable Object value) {
                calls.add("send");
                return null;
            }

            @Override
            public Step<String> throwInto(Throwable error) {
                calls.add("throw " + error.getClass().getSimpleName());
                return new Threw<>(error);
            }

            @Override
            public void close() {
            }
        };
        Task<String> task = loop.createTask(badYield, "T2.9-bad-yield", null);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> runUntil("T2.9", "the task whose coroutine answered null", defaultWait(), task),
                msg("T2.9", "a null Step must be answered by throwing IllegalStateException into the coroutine,"
                        + " which here ends the task with it; check the task treats null as a protocol error"));
        assertEquals(List.of("send", "throw IllegalStateException"), calls, msg("T2.9", "the task must send once,"
                + " then throw the protocol error in"));
        assertTrue(e.getMessage() != null && e.getMessage().contains("bad yield"), msg("T2.9", "the message must"
                + " say 'bad yield', as asyncio's does, was: " + e.getMessage()));
    }

    /** A coroutine that throws {@code error} from every call instead of answering {@link Coroutine.Threw}. */
    private static final class ThrowingCoroutine<T extends @Nullable Object> implements Coroutine<T> {
        private final Throwable error;

        ThrowingCoroutine(Throwable error) {
            this.error = error;
        }

        @Override
        public Step<T> send(@Nullable Object value) {
            throw ThrowingCoroutine.<RuntimeException>sneaky(error);
        }

        @Override
        public Step<T> throwInto(Throwable thrown) {
            throw ThrowingCoroutine.<RuntimeException>sneaky(error);
        }

        @Override
        public void close() {
        }

        @SuppressWarnings({"unchecked", "TypeParameterUnusedInFormals"}) // rethrows a checked exception unchecked
        private static <E extends Throwable> E sneaky(Throwable t) throws E {
            throw (E) t;
        }
    }

    @Test
    @DisplayName("T2.7 awaiting a task cancelled at an await throws the CancelledError raised there: the cancel"
            + " message, and the frames of the task's coroutine in its stack")
    void required_T2_7_cancelledErrorChain() {
        Task<@Nullable Void> inner = loop.createTask(TaskRules::waitLong, "T2.7-inner");
        Task<@Nullable CancelledError> outer = loop.createTask(() -> {
            Async.yieldNow(); // the inner task is now suspended in waitLong
            loop.callSoon(() -> inner.cancel("msg"));
            try {
                Async.await(inner);
                return null;
            } catch (CancelledError e) {
                return e;
            }
        });
        CancelledError e = runUntil("T2.7", "the task awaiting the cancelled one", defaultWait(), outer);
        assertNotNull(e, msg("T2.7", "awaiting a cancelled task must throw CancelledError"));
        assertEquals("msg", e.getMessage(), msg("T2.7", "the CancelledError must carry the cancel message"));
        boolean found = false;
        for (Throwable t = e; t != null && !found; t = t.getCause()) {
            for (StackTraceElement frame : t.getStackTrace()) {
                found |= frame.getMethodName().equals("waitLong");
            }
        }
        assertTrue(found, msg("T2.7", "neither the CancelledError nor its causes show the frame where the cancelled"
                + " task waited (TaskRules.waitLong): asyncio keeps the error raised at the cancel point"
                + " (test_cancellation_exception_context); check that the task keeps the CancelledError its coroutine"
                + " ended with and that result() throws that one rather than a new one"));
    }

    /** A coroutine body that waits far longer than any test: it ends by cancellation. */
    private static Void waitLong() {
        Async.sleep(java.time.Duration.ofMinutes(10));
        return null;
    }

    // ------------------------------------------------------------------ T3 task misc

    @Test
    @DisplayName("T3.1 tasks without a name are named Task-N, unique; a given name and setName are kept")
    void required_T3_1_names() {
        Task<String> a = loop.createTask(RETURN_OK);
        Task<String> b = loop.createTask(RETURN_OK);
        Task<String> named = loop.createTask(RETURN_OK, "worker");
        assertTrue(a.getName().matches("Task-\\d+"), msg("T3.1", "default name must be Task-N, was " + a.getName()));
        assertTrue(b.getName().matches("Task-\\d+"), msg("T3.1", "default name must be Task-N, was " + b.getName()));
        assertNotEquals(a.getName(), b.getName(), msg("T3.1", "default names must be unique; check the counter"));
        assertEquals("worker", named.getName(), msg("T3.1", "createTask(body, name) must keep the name"));
        a.setName("renamed");
        assertEquals("renamed", a.getName(), msg("T3.1", "setName must rename the task"));
        runUntil("T3.1", "task b", defaultWait(), b);
    }

    @Test
    @DisplayName("T3.2 getCoro and getContext return what createTask was given; the default context is a copy")
    void required_T3_2_coroAndContext() {
        ContextVar<String> var = ContextVar.of("T3.2");
        Coroutine<String> coro = Coroutine.of(RETURN_OK);
        Context context = new Context();
        Task<String> task = loop.createTask(coro, "t", context);
        assertSame(coro, task.getCoro(), msg("T3.2", "getCoro() must return the coroutine given to createTask"));
        assertSame(context, task.getContext(), msg("T3.2", "getContext() must return the context given to"
                + " createTask"));
        AtomicReference<Task<String>> copied = new AtomicReference<>();
        Context creator = new Context();
        creator.run(() -> {
            var.set("creator");
            copied.set(loop.createTask(Coroutine.of(RETURN_OK), null, null));
        });
        Context taken = copied.get().getContext();
        assertNotSame(creator, taken, "T3.2");
        assertEquals("creator", taken.get(var).orElse(null), msg("T3.2", "a task created without a context must"
                + " capture a copy of the creator's current context"));
        runUntil("T3.2", "the task", defaultWait(), copied.get());
        runUntil("T3.2", "the task", defaultWait(), task);
    }

    private static void assertNotSame(Object unexpected, Object actual, String rule) {
        if (unexpected == actual) {
            fail(msg(rule, "a task created without a context must take a copy, not the current context itself"));
        }
    }

    @Test
    @DisplayName("T3.3 setResult/setException on a task throw UnsupportedOperationException")
    void required_T3_3_taskRefusesSetters() {
        Task<String> task = loop.createTask(RETURN_OK);
        assertThrows(UnsupportedOperationException.class, () -> task.setResult("x"),
                msg("T3.3", "Task.setResult must throw UnsupportedOperationException"));
        assertThrows(UnsupportedOperationException.class, () -> task.setException(new RuntimeException()),
                msg("T3.3", "Task.setException must throw UnsupportedOperationException"));
        assertEquals("ok", runUntil("T3.3", "the task", defaultWait(), task), msg("T3.3", "the refused setters"
                + " must not change the task"));
    }

    @Test
    @DisplayName("T3.4 an exception thrown by the body becomes the task's exception (checked ones wrapped by result())")
    void required_T3_4_bodyExceptionBecomesTaskException() {
        IllegalArgumentException unchecked = new IllegalArgumentException("T3.4 expected by the test");
        Task<String> a = loop.createTask(() -> {
            throw unchecked;
        });
        assertSame(unchecked, assertThrows(IllegalArgumentException.class,
                () -> runUntil("T3.4", "task a", defaultWait(), a), msg("T3.4", "the body's exception must be"
                        + " thrown by the task's result()")), msg("T3.4", "the very exception must be rethrown"));
        assertSame(unchecked, a.exception().orElseThrow(), msg("T3.4", "exception() must be the body's exception"));
        IOException checked = new IOException("T3.4 expected by the test");
        Task<String> b = loop.createTask(() -> {
            Async.yieldNow();
            throw checked;
        });
        CompletionException ce = assertThrows(CompletionException.class,
                () -> runUntil("T3.4", "task b", defaultWait(), b), msg("T3.4", "a checked exception of the body"
                        + " must be wrapped in CompletionException by result()"));
        assertSame(checked, ce.getCause(), msg("T3.4", "the wrapper's cause must be the body's exception"));
        assertSame(checked, b.exception().orElseThrow(), msg("T3.4", "exception() must be the original"));
    }

    @Test
    @DisplayName("T3.5 getStack/printStack: empty and 'No stack for' when finished with a result, the exception's"
            + " frames and 'Traceback for' when failed, 'Stack for' or 'No stack for' while suspended")
    void required_T3_5_stacks() {
        Task<String> ok = loop.createTask(RETURN_OK, "ok-task");
        runUntil("T3.5", "the task", defaultWait(), ok);
        assertEquals(List.of(), ok.getStack(), msg("T3.5", "a task finished with a result has an empty stack"));
        assertTrue(printed(ok).startsWith("No stack for "), msg("T3.5", "printStack of a task with no stack must"
                + " start with 'No stack for ', was: " + printed(ok)));

        IllegalStateException error = new IllegalStateException("T3.5 expected by the test");
        Task<String> failed = loop.createTask(() -> {
            throw error;
        }, "failed-task");
        assertThrows(IllegalStateException.class, () -> runUntil("T3.5", "the task", defaultWait(), failed));
        assertEquals(List.of(error.getStackTrace()), failed.getStack(), msg("T3.5", "a failed task's stack must be"
                + " its exception's stack trace"));
        String text = printed(failed);
        assertTrue(text.startsWith("Traceback for ") && text.contains("failed-task"), msg("T3.5", "printStack of a"
                + " failed task must start with 'Traceback for ' and name the task, was: " + text));

        Future<String> inner = loop.createFuture();
        Task<String> waiting = loop.createTask(() -> Async.await(inner), "waiting-task");
        runOneIteration("T3.5");
        String suspended = printed(waiting);
        String expected = waiting.getStack().isEmpty() ? "No stack for " : "Stack for ";
        assertTrue(suspended.startsWith(expected) && suspended.contains("waiting-task"), msg("T3.5", "printStack of"
                + " a suspended task must start with '" + expected + "' and name the task, was: " + suspended));
        inner.setResult("done");
        runUntil("T3.5", "the task", defaultWait(), waiting);
    }

    private static String printed(Task<?> task) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        task.printStack(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("T3.8 getStack() of a suspended task lists the frames where its body waits, innermost first")
    void required_T3_8_suspendedTaskStackFrames() {
        Future<String> gate = loop.createFuture();
        Task<String> task = loop.createTask(() -> awaitInNamedFrame(gate));
        AtomicReference<List<StackTraceElement>> whileSuspended = new AtomicReference<>();
        loop.callSoon(() -> loop.callSoon(() -> {
            whileSuspended.set(task.getStack());
            gate.setResult("open");
        }));
        assertEquals("open", runUntil("T3.8", "the task awaiting the gate", defaultWait(), task));
        List<StackTraceElement> frames = whileSuspended.get();
        assertFalse(frames.isEmpty(), msg("T3.8", "getStack() of a task suspended in await returned no frames;"
                + " check that the Task asks its coroutine for its stack and the engine can list a parked body"));
        assertEquals("awaitInNamedFrame", frames.get(0).getMethodName(), msg("T3.8", "the innermost frame of a"
                + " suspended task must be the body's frame that awaits (engine frames trimmed), got " + frames));
        assertTrue(task.getStack().isEmpty(), msg("T3.8", "a task done with a result has no stack, got "
                + task.getStack()));
    }

    private static String awaitInNamedFrame(Future<String> gate) {
        return Async.await(gate);
    }

    @Test
    @DisplayName("T3.6 with Async.eagerTaskFactory() a task that does not suspend is done when createTask returns;"
            + " during its eager step it is current and listed in allTasks")
    void required_T3_6_eagerTaskFactory() {
        loop.setTaskFactory(Async.eagerTaskFactory());
        AtomicReference<@Nullable Task<?>> currentInside = new AtomicReference<>();
        AtomicBoolean listedInside = new AtomicBoolean();
        List<Object> observed = new ArrayList<>();
        Task<@Nullable Object> main = loop.createTask(Coroutine.of(() -> {
            Task<String> child = loop.createTask(() -> {
                @Nullable Task<?> self = Async.currentTask().orElse(null);
                currentInside.set(self);
                listedInside.set(Async.allTasks().contains(self));
                return "eager";
            });
            observed.add(child.isDone());
            observed.add(child.isDone() ? child.result() : "not done");
            observed.add(child);
            observed.add(Async.currentTask().orElse(null));
            Task<String> suspending = loop.createTask(() -> {
                Async.yieldNow();
                return "later";
            });
            observed.add(suspending.isDone());
            observed.add(Async.allTasks().contains(suspending));
            observed.add(Async.await(suspending));
            return null;
        }), "main", null);
        runUntil("T3.6", "the main task", defaultWait(), main);
        assertEquals(true, observed.get(0), msg("T3.6", "an eager task whose body does not suspend must be done when"
                + " createTask returns; check the factory runs the first step inside createTask when the loop runs"));
        assertEquals("eager", observed.get(1), msg("T3.6", "the eager task's result must be the body's value"));
        assertSame(observed.get(2), currentInside.get(), msg("T3.6", "during its eager step Async.currentTask()"
                + " must be the eager task; check swapCurrentTask around the eager step"));
        assertTrue(listedInside.get(), msg("T3.6", "during its eager step the task must be in Async.allTasks();"
                + " check registerEagerTask"));
        assertSame(main, observed.get(3), msg("T3.6", "after the eager step Async.currentTask() must be the creator"
                + " again; check the previous task is swapped back"));
        assertEquals(false, observed.get(4), msg("T3.6", "an eager task that suspends must not be done yet"));
        assertEquals(true, observed.get(5), msg("T3.6", "an eager task that suspended must be registered as a"
                + " normal task (in allTasks)"));
        assertEquals("later", observed.get(6), msg("T3.6", "the suspended eager task must finish normally"));
    }

    @Test
    @DisplayName("T3.7 createTask goes through the task factory set with setTaskFactory; null restores the default")
    void required_T3_7_customTaskFactory() {
        List<Object> calls = new ArrayList<>();
        TaskFactory factory = new TaskFactory() {
            @Override
            public <T extends @Nullable Object> Task<T> newTask(EventLoop l, Coroutine<T> coroutine,
                    @Nullable String name, @Nullable Context context) {
                Task<T> t = new BaseTask<>(l, coroutine, name, context, false);
                calls.add(l);
                calls.add(name);
                calls.add(t);
                return t;
            }
        };
        loop.setTaskFactory(factory);
        assertSame(factory, loop.getTaskFactory().orElse(null), msg("T3.7", "getTaskFactory must return the factory"
                + " set"));
        Task<String> task = loop.createTask(RETURN_OK, "via-factory");
        assertEquals(3, calls.size(), msg("T3.7", "createTask must call the factory once, called: " + calls));
        assertSame(loop, calls.get(0), msg("T3.7", "the factory must receive the loop"));
        assertEquals("via-factory", calls.get(1), msg("T3.7", "the factory must receive the name"));
        assertSame(calls.get(2), task, msg("T3.7", "createTask must return the factory's task"));
        assertEquals("ok", runUntil("T3.7", "the task", defaultWait(), task));
        loop.setTaskFactory(null);
        assertTrue(loop.getTaskFactory().isEmpty(), msg("T3.7", "setTaskFactory(null) must restore the default"));
        Task<String> plain = loop.createTask(RETURN_OK);
        assertEquals(3, calls.size(), msg("T3.7", "after setTaskFactory(null) the factory must not be called"));
        assertEquals("ok", runUntil("T3.7", "the task", defaultWait(), plain));
    }

    @Test
    @DisplayName("T3.9 getStack()/printStack() of a failed task do not mark its exception retrieved: it is still"
            + " reported when the task becomes unreachable")
    void required_T3_9_getStackLeavesExceptionUnretrieved() {
        expectReports();
        RuntimeException boom = new IllegalStateException("T3.9 expected by the test: never retrieved");
        stackOfFailedTask(boom);
        ExceptionContext report = Gc.awaitReport(this, r -> r.exception().orElse(null) == boom);
        if (report == null) {
            throw new AssertionError(msg("T3.9", "a failed task whose stack was printed, then dropped, was not"
                    + " reported as 'Task exception was never retrieved' within " + Gc.bound() + " (reports: "
                    + reports() + ");"
                    + " asyncio's get_stack reads the exception without marking it retrieved; check getStack does"
                    + " not go through exception()"));
        }
        assertTrue(report.message().contains("exception was never retrieved"), msg("T3.9", "wrong message: "
                + report.message()));
    }

    /** Lets a task fail with {@code error}, prints its stack, and lets go of it. */
    private void stackOfFailedTask(RuntimeException error) {
        Task<String> failed = loop.createTask(() -> {
            throw error;
        }, "T3.9-failed");
        runOneIteration("T3.9");
        assertTrue(failed.isDone(), msg("T3.9", "the task must have failed in its first step"));
        assertEquals(List.of(error.getStackTrace()), failed.getStack(), msg("T3.9", "see T3.5"));
        assertTrue(printed(failed).startsWith("Traceback for "), msg("T3.9", "see T3.5"));
    }

    // ------------------------------------------------------------------ T4 destroyed but pending

    @Test
    @DisplayName("T4.1 a pending task that becomes unreachable is reported: 'Task was destroyed but it is pending!'")
    void required_T4_1_destroyedPendingTaskReported() {
        expectReports();
        abandonSuspendedTask(false);
        ExceptionContext report = Gc.awaitReport(this,
                r -> r.message().contains("Task was destroyed but it is pending"));
        if (report == null) {
            fail(msg("T4.1", "a task suspended on a future nobody references was not reported within " + Gc.bound()
                    + " after becoming unreachable (reports: " + reports() + "); check the task arms a"
                    + " Cleaner/finalizer when it suspends and that nothing of the loop (ready queue, registry)"
                    + " keeps a suspended task strongly reachable"));
        }
    }

    @Test
    @DisplayName("T4.2 the same with a body on the JVM's coroutine engine: the engine must not keep the task reachable")
    void optional_T4_2_destroyedPendingEngineTaskReported() {
        Assumptions.assumeFalse("virtual".equals(Coroutine.engineName())
                        && !"false".equals(System.getProperty("jdk.trackAllThreads")),
                "the virtual-thread coroutine engine keeps every parked body, and so its task, reachable while the"
                        + " JDK tracks all threads (-Djdk.trackAllThreads, on by default); run with"
                        + " -Djdk.trackAllThreads=false or the continuation engine to check this rule");
        expectReports();
        abandonSuspendedTask(true);
        ExceptionContext report = Gc.awaitReport(this,
                r -> r.message().contains("Task was destroyed but it is pending"));
        if (report == null) {
            fail(msg("T4.2", "a task whose body (engine " + Coroutine.engineName() + ") is suspended on a future"
                    + " nobody references was not reported within " + Gc.bound() + " (reports: " + reports()
                    + "); check that the coroutine engine holds no strong root to a suspended body"));
        }
    }

    /** Starts a task that suspends on a future only it references, then lets go of both. */
    private void abandonSuspendedTask(boolean engineBody) {
        Future<String> nobodysFuture = loop.createFuture();
        Coroutine<String> coro = engineBody ? Coroutine.of(() -> Async.await(nobodysFuture))
                : new AwaitOnceCoroutine<>(nobodysFuture, v -> v);
        Task<String> task = loop.createTask(coro, "T4-abandoned", null);
        runOneIteration("T4");
        assertFalse(task.isDone(), msg("T4", "the task must be suspended on its future"));
    }

    @Test
    @DisplayName("T3.10 getStack(limit)/printStack(out, limit) keep the innermost frames: of a suspended task and of a"
            + " failed one; 0 gives none; a negative limit is IllegalArgumentException")
    void required_T3_10_stackLimit() {
        Future<String> gate = loop.createFuture();
        Task<String> waiting = loop.createTask(() -> awaitInNamedFrame(gate), "limited-waiting");
        AtomicReference<List<StackTraceElement>> whileSuspended = new AtomicReference<>();
        AtomicReference<List<StackTraceElement>> oneWhileSuspended = new AtomicReference<>();
        loop.callSoon(() -> loop.callSoon(() -> {
            whileSuspended.set(waiting.getStack());
            oneWhileSuspended.set(waiting.getStack(1));
            gate.setResult("open");
        }));
        runUntil("T3.10", "the task awaiting the gate", defaultWait(), waiting);
        Assumptions.assumeFalse(whileSuspended.get().isEmpty(), "this engine lists no frames of a suspended task"
                + " (T3.8 says why)");
        assertEquals(whileSuspended.get().subList(0, 1), oneWhileSuspended.get(), msg("T3.10", "getStack(1) of a"
                + " suspended task must be its innermost frame (asyncio: the newest frames of a stack)"));

        IllegalStateException error = new IllegalStateException("T3.10 expected by the test");
        Task<String> failed = loop.createTask(() -> {
            throw error;
        }, "limited-failed");
        assertThrows(IllegalStateException.class, () -> runUntil("T3.10", "the task", defaultWait(), failed));
        List<StackTraceElement> all = List.of(error.getStackTrace());
        assertEquals(all.subList(0, 2), failed.getStack(2), msg("T3.10", "getStack(2) of a failed task must be the"
                + " two innermost frames of its exception"));
        assertEquals(all, failed.getStack(all.size() + 5), msg("T3.10", "a limit above the frame count gives every"
                + " frame"));
        assertEquals(List.of(), failed.getStack(0), msg("T3.10", "getStack(0) must give no frame"));
        assertThrows(IllegalArgumentException.class, () -> failed.getStack(-1), msg("T3.10", "getStack(-1)"));

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        failed.printStack(new PrintStream(bytes, true, StandardCharsets.UTF_8), 2);
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertTrue(lines.size() == 3 || (lines.size() == 4 && lines.get(3).equals(error.toString())),
                msg("T3.10", "printStack(out, 2) must print the header and two frames (then, see T3.11, the"
                        + " exception's line), was: " + lines));
        assertTrue(lines.get(0).startsWith("Traceback for ") && lines.get(1).equals("\tat " + all.get(0)),
                msg("T3.10", "printStack(out, 2) of a failed task: the header, then the innermost frame, was: "
                        + lines));
        bytes.reset();
        failed.printStack(new PrintStream(bytes, true, StandardCharsets.UTF_8), 0);
        assertTrue(bytes.toString(StandardCharsets.UTF_8).startsWith("No stack for "), msg("T3.10", "printStack(out,"
                + " 0) must print 'No stack for', was: " + bytes));
    }

    @Test
    @DisplayName("T3.11 printStack of a failed task ends with the exception's line (also after 'No stack for');"
            + " a cancelled task's has none")
    void optional_T3_11_printStackEndsWithException() {
        IllegalStateException error = new IllegalStateException("T3.11 expected by the test");
        Task<String> failed = loop.createTask(() -> {
            throw error;
        }, "printed-failed");
        assertThrows(IllegalStateException.class, () -> runUntil("T3.11", "the task", defaultWait(), failed));
        List<String> lines = printed(failed).lines().toList();
        String why = "; asyncio's print_stack prints the frames, then the exception as format_exception_only does"
                + " (Java: its toString()), reading it without marking it retrieved (see T3.9); Task's default"
                + " printStack cannot reach it without exception(), so a task class must override it";
        assertEquals(failed.getStack().size() + 2, lines.size(), msg("T3.11", "printStack of a failed"
                + " task: the header, every frame, then one line for the exception, was: " + lines + why));
        assertEquals(error.toString(), lines.getLast(), msg("T3.11", "the last line must be the exception's" + why));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        failed.printStack(new PrintStream(bytes, true, StandardCharsets.UTF_8), 0);
        List<String> none = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertTrue(none.size() == 2 && none.get(0).startsWith("No stack for ") && none.get(1).equals(error.toString()),
                msg("T3.11", "printStack(out, 0) of a failed task: 'No stack for', then the exception's line, was: "
                        + none + why));

        Future<String> never = loop.createFuture();
        Task<String> cancelled = loop.createTask(() -> Async.await(never), "printed-cancelled");
        runOneIteration("T3.11");
        cancelled.cancel();
        assertThrows(CancelledError.class, () -> runUntil("T3.11", "the cancelled task", defaultWait(), cancelled));
        List<String> cancelledLines = printed(cancelled).lines().toList();
        assertEquals(1, cancelledLines.size(), msg("T3.11", "printStack of a cancelled task prints only 'No stack"
                + " for' (asyncio keeps no exception for it), was: " + cancelledLines));
    }

    @Test
    @DisplayName("T3.12 createTask(..., eagerStart) (3.14): true runs the first step inside the call, false schedules"
            + " it even under the eager factory")
    void required_T3_12_eagerStartPerCall() {
        List<Object> observed = new ArrayList<>();
        Task<@Nullable Object> main = loop.createTask(Coroutine.of(() -> {
            Task<String> eager = loop.createTask(() -> "eager", "eager", null, true);
            observed.add(eager.isDone());
            loop.setTaskFactory(Async.eagerTaskFactory());
            try {
                Task<String> lazy = loop.createTask(() -> "lazy", "lazy", null, false);
                observed.add(lazy.isDone());
                observed.add(Async.await(lazy));
            } finally {
                loop.setTaskFactory(null);
            }
            return null;
        }), "main", null);
        runUntil("T3.12", "the main task", defaultWait(), main);
        String why = "; check createTask(coroutine, name, context, eagerStart) passes the choice to"
                + " new BaseTask<>(loop, coroutine, name, context, eagerStart) or to the factory's five-argument"
                + " newTask";
        assertEquals(true, observed.get(0), msg("T3.12", "createTask with eagerStart true on a running loop must"
                + " run a body that does not suspend to its end inside the call" + why));
        assertEquals(false, observed.get(1), msg("T3.12", "createTask with eagerStart false must schedule the first"
                + " step even when the eager factory is set (asyncio 3.14: eager_start=False wins)" + why));
        assertEquals("lazy", observed.get(2), msg("T3.12", "the lazy task must finish normally"));
    }
}
