package dev.asyncloop;

import static dev.asyncloop.Async.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * asyncio 3.12/3.13 behaviours of {@link Future} and {@link Task} themselves that the TCK rules do not already pin,
 * each after the CPython test it follows (test_futures, test_tasks BaseTaskTests, test_eager_task_factory).
 */
@org.junit.jupiter.api.Timeout(value = 60, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
class FutureTaskAsyncioConformanceTest extends LoopFixture {
    /** The bound on a wait for a collected future's report: generous, it ends as soon as the report is there. */
    private static final Duration COLLECTION_BOUND = Duration.ofSeconds(30);
    /** How long the Cleaner thread is left to run after each collection. */
    private static final Duration CLEANER_TIME = Duration.ofMillis(10);

    /** Runs the loop until the callbacks queued so far have run (asyncio's test_utils.run_briefly). */
    private void runBriefly() {
        Future<Void> marker = loop.createFuture();
        loop.callSoon(() -> marker.setResult(null));
        loop.runUntilComplete(marker);
    }

    private static Consumer<Future<String>> appender(List<Integer> bag, int thing) {
        return f -> bag.add(thing);
    }

    // ------------------------------------------------------------------ Future

    @Test
    @DisplayName("removing the first, then the first two, then the third callback keeps the others in order"
            + " (test_callbacks_remove_first_callback, ..._first_and_second_callback, ..._third_callback)")
    void removeCallbacksKeepsOrder() {
        int[][] removals = {{0}, {0, 1}, {2}};
        List<List<Integer>> expected = List.of(List.of(17, 100), List.of(100), List.of(42, 17));
        for (int c = 0; c < removals.length; c++) {
            List<Integer> bag = new ArrayList<>();
            Future<String> f = loop.createFuture();
            List<Consumer<Future<String>>> cbs = List.of(appender(bag, 42), appender(bag, 17), appender(bag, 100));
            cbs.forEach(f::addDoneCallback);
            for (int i : removals[c]) {
                assertEquals(1, f.removeDoneCallback(cbs.get(i)));
                assertEquals(0, f.removeDoneCallback(cbs.get(i)));
            }
            f.setResult("foo");
            assertEquals(List.of(), bag, "callbacks never run inside setResult");
            runBriefly();
            assertEquals(expected.get(c), bag);
            assertEquals("foo", f.result());
        }
    }

    @Test
    @DisplayName("a callback added after the first was removed still runs after the remaining ones")
    void addAfterRemovingFirstCallback() {
        List<Integer> bag = new ArrayList<>();
        Future<String> f = loop.createFuture();
        Consumer<Future<String>> first = appender(bag, 1);
        f.addDoneCallback(first);
        f.addDoneCallback(appender(bag, 2));
        f.removeDoneCallback(first);
        f.addDoneCallback(appender(bag, 3));
        f.addDoneCallback(first);
        f.setResult("x");
        runBriefly();
        assertEquals(List.of(2, 3, 1), bag);
    }

    @Test
    @DisplayName("a done-callback removing a later callback does not stop it: all were scheduled at completion"
            + " (test_schedule_callbacks_list_mutation_1)")
    void callbackRemovingAnotherAfterScheduling() {
        List<String> ran = new ArrayList<>();
        Future<String> f = loop.createFuture();
        Consumer<Future<String>> second = x -> ran.add("second");
        int[] removed = {-1};
        f.addDoneCallback(x -> {
            ran.add("first");
            removed[0] = x.removeDoneCallback(second);
        });
        f.addDoneCallback(second);
        f.addDoneCallback(second);
        f.setResult("done");
        runBriefly();
        assertEquals(List.of("first", "second", "second"), ran);
        assertEquals(0, removed[0], "a done future has no callbacks left to remove");
    }

    @Test
    @DisplayName("cancel() on a failed future returns false and silences its never-retrieved report"
            + " (test_tb_logger_not_called_after_cancel); an unread result is never reported"
            + " (test_tb_logger_result_unretrieved)")
    void cancelOfFailedFutureSilencesReport() {
        Future<String> failed = loop.createFuture();
        failed.setException(new IllegalStateException("silenced"));
        assertFalse(failed.cancel());
        assertFalse(failed.isCancelled());
        Future<String> succeeded = loop.createFuture();
        succeeded.setResult("unread");
        failed = null;
        succeeded = null;
        Future<String> witness = loop.createFuture();
        witness.setException(new IllegalStateException("witness"));
        java.lang.ref.WeakReference<Future<String>> ref = new java.lang.ref.WeakReference<>(witness);
        witness = null;
        collectUntilReported();
        assertTrue(ref.refersTo(null));
        assertEquals(1, reports.size(), reports.toString());
        assertEquals("Future exception was never retrieved", reports.get(0).message());
        assertEquals("witness", reports.get(0).exception().orElseThrow().getMessage());
    }

    @Test
    @DisplayName("a failed task nobody reads is reported as \"Task exception was never retrieved\"; a task cancelled"
            + " after it failed is not (test_tb_logger_not_called_after_cancel of test_tasks)")
    void taskExceptionNeverRetrieved() {
        Task<String> cancelledLater = loop.createTask(() -> {
            throw new IllegalArgumentException("cancelled later");
        });
        Task<String> unread = loop.createTask(() -> {
            throw new IllegalArgumentException("unread");
        });
        runBriefly();
        assertTrue(cancelledLater.isDone() && unread.isDone());
        assertFalse(cancelledLater.cancel(), "a done task cannot be cancelled");
        cancelledLater = null;
        unread = null;
        collectUntilReported();
        System.gc();
        runBriefly();
        assertEquals(1, reports.size(), reports.toString());
        assertEquals("Task exception was never retrieved", reports.get(0).message());
        assertEquals("unread", reports.get(0).exception().orElseThrow().getMessage());
    }

    /**
     * Collects garbage and runs the loop until the exception handler got a report, for at most
     * {@link #COLLECTION_BOUND}. Each collection is followed by {@link #CLEANER_TIME} of idle loop: the report comes
     * from the Cleaner thread, which back-to-back collections (each stops every thread) kept from running on a
     * loaded machine for longer than the bound.
     */
    private void collectUntilReported() {
        long deadline = System.nanoTime() + COLLECTION_BOUND.toNanos();
        while (reports.isEmpty() && System.nanoTime() < deadline) {
            System.gc();
            loop.callLater(CLEANER_TIME, loop::stop);
            loop.runForever();
        }
    }

    @Test
    @DisplayName("getStack()/printStack() of a failed task do not mark its exception retrieved: it is still"
            + " reported when the task is collected (base_tasks reads task._exception directly)")
    void getStackDoesNotRetrieveException() {
        Task<String> failed = loop.createTask(() -> {
            throw new IllegalArgumentException("still unread");
        });
        runBriefly();
        assertFalse(failed.getStack().isEmpty(), "a failed task's stack is its exception's");
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        failed.printStack(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
        assertTrue(out.toString(java.nio.charset.StandardCharsets.UTF_8).startsWith("Traceback for "));
        failed = null;
        collectUntilReported();
        assertEquals(1, reports.size(), reports.toString());
        assertEquals("Task exception was never retrieved", reports.get(0).message());
        assertEquals("still unread", reports.get(0).exception().orElseThrow().getMessage());
    }

    @Test
    @DisplayName("\"Task was destroyed but it is pending!\" names the task by the name it has when collected,"
            + " also after setName (test_log_destroyed_pending_task)")
    void destroyedPendingTaskReportUsesCurrentName() {
        Coroutine<Void> awaitsForever = new Coroutine<>() {
            @Override
            public Step<Void> send(Object value) {
                return new Awaiting<>(loop.createFuture());
            }

            @Override
            public Step<Void> throwInto(Throwable error) {
                return new Threw<>(error);
            }

            @Override
            public void close() {
            }
        };
        Task<Void> task = loop.createTask(awaitsForever, "before", null);
        runBriefly();
        assertFalse(task.isDone());
        task.setName("after");
        task = null;
        awaitsForever = null;
        collectUntilReported();
        assertEquals(1, reports.size(), reports.toString());
        assertEquals("Task was destroyed but it is pending!", reports.get(0).message());
        assertTrue(String.valueOf(reports.get(0).extras().get("task_repr")).contains("after"),
                reports.get(0).extras().toString());
        assertTrue(Async.allTasks(loop).isEmpty());
    }

    @Test
    @DisplayName("a task that never ran because its loop was closed is reported as destroyed but pending when"
            + " collected, as asyncio's Task.__del__ reports any pending task")
    void neverStartedTaskOfClosedLoopReported() throws InterruptedException {
        List<ExceptionContext> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        loop.setExceptionHandler((l, context) -> seen.add(context));
        Task<String> task = loop.createTask(() -> "never", "never-started");
        loop.close();
        assertFalse(task.isDone());
        task = null;
        long deadline = System.nanoTime() + COLLECTION_BOUND.toNanos();
        while (seen.isEmpty() && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(CLEANER_TIME.toMillis());
        }
        assertEquals(1, seen.size(), seen.toString());
        assertEquals("Task was destroyed but it is pending!", seen.get(0).message());
        assertTrue(String.valueOf(seen.get(0).extras().get("task_repr")).contains("never-started"));
    }

    @Test
    @DisplayName("wrapFuture: cancelling the loop future cancels the Java future on the next iteration"
            + " (test_wrap_future_cancel)")
    void wrapFutureCancelCancelsSource() {
        CompletableFuture<Integer> source = new CompletableFuture<>();
        Future<Integer> wrapped = loop.wrapFuture(source);
        assertTrue(wrapped.cancel());
        runBriefly();
        assertTrue(source.isCancelled());
        assertTrue(wrapped.isCancelled());
    }

    @Test
    @DisplayName("wrapFuture: a source that finished before the wrapper was cancelled keeps its result"
            + " (test_wrap_future_cancel2)")
    void wrapFutureCancelAfterSourceDone() throws Exception {
        CompletableFuture<Integer> source = new CompletableFuture<>();
        Future<Integer> wrapped = loop.wrapFuture(source);
        source.complete(42);
        assertTrue(wrapped.cancel());
        runBriefly();
        runBriefly();
        assertFalse(source.isCancelled());
        assertEquals(42, source.get());
        assertTrue(wrapped.isCancelled());
    }

    @Test
    @DisplayName("wrapFuture: result from a pool thread, the original exception, and a cancelled source"
            + " (test_wrap_future, test_copy_state)")
    void wrapFutureOutcomes() {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Thread caller = Thread.currentThread();
            Future<Thread> ran = loop.wrapFuture(CompletableFuture.supplyAsync(Thread::currentThread, pool));
            assertFalse(loop.runUntilComplete(ran) == caller, "the function ran on the pool");

            IOException boom = new IOException("checked");
            Future<String> failed = loop.wrapFuture(CompletableFuture.supplyAsync(() -> {
                throw new java.io.UncheckedIOException(boom);
            }, pool));
            assertThrows(java.io.UncheckedIOException.class, () -> loop.runUntilComplete(failed));
            assertSame(boom, failed.exception().orElseThrow().getCause(),
                    "the exception is the original, unwrapped from CompletionException");

            Future<String> direct = loop.wrapFuture(CompletableFuture.failedFuture(boom));
            runBriefly();
            assertSame(boom, direct.exception().orElseThrow());

            CompletableFuture<String> toCancel = new CompletableFuture<>();
            Future<String> follower = loop.wrapFuture(toCancel);
            toCancel.cancel(false);
            runBriefly();
            assertTrue(follower.isCancelled());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @DisplayName("runCoroutineThreadsafe: a timed-out caller that cancels the Java future cancels the task; a"
            + " task that cancels itself cancels the Java future (test_run_coroutine_threadsafe_with_timeout,"
            + " _task_cancelled)")
    void runCoroutineThreadsafeCancellation() throws Exception {
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        Task<?>[] inner = new Task<?>[1];
        Future<String> fromThread = loop.runInExecutor(null, () -> {
            CompletableFuture<String> cf = Tasks.runCoroutineThreadsafe(() -> {
                inner[0] = current();
                started.countDown();
                return Async.sleep(LONG, "slept in");
            }, loop);
            assertTrue(started.await(10, TimeUnit.SECONDS));
            try {
                return cf.get(0, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                cf.cancel(false);
                return "timed out";
            }
        });
        assertEquals("timed out", loop.runUntilComplete(fromThread));
        while (!inner[0].isDone()) {
            runBriefly();
        }
        assertTrue(inner[0].isCancelled());
        assertTrue(Async.allTasks(loop).isEmpty(), Async.allTasks(loop).toString());

        Future<Boolean> selfCancel = loop.runInExecutor(null, () -> {
            CompletableFuture<Integer> cf = Tasks.runCoroutineThreadsafe(() -> {
                Async.sleep(Duration.ZERO);
                current().cancel();
                Async.sleep(Duration.ZERO);
                return 3;
            }, loop);
            try {
                cf.get(10, TimeUnit.SECONDS);
                return false;
            } catch (java.util.concurrent.CancellationException e) {
                return cf.isCancelled();
            }
        });
        assertTrue(loop.runUntilComplete(selfCancel));

        Future<Throwable> failing = loop.runInExecutor(null, () -> {
            CompletableFuture<Integer> cf = Tasks.runCoroutineThreadsafe(() -> {
                throw new IllegalStateException("Fail!");
            }, loop);
            try {
                cf.get(10, TimeUnit.SECONDS);
                return null;
            } catch (ExecutionException e) {
                return e.getCause();
            }
        });
        assertEquals("Fail!", loop.runUntilComplete(failing).getMessage());
    }

    // ------------------------------------------------------------------ Task cancellation

    @Test
    @DisplayName("a task awaiting a task that failed with a checked exception gets it wrapped in"
            + " CompletionException, and fails with the wrapper if it lets it escape (documented departure)")
    void awaitedCheckedFailureArrivesWrapped() {
        IOException boom = new IOException("checked");
        Task<String> inner = loop.createTask(() -> {
            throw boom;
        });
        Throwable[] caught = new Throwable[1];
        Task<String> outer = loop.createTask(() -> {
            try {
                return await(inner);
            } catch (java.util.concurrent.CompletionException e) {
                caught[0] = e;
                throw e;
            }
        });
        assertThrows(java.util.concurrent.CompletionException.class, () -> loop.runUntilComplete(outer));
        assertSame(boom, caught[0].getCause());
        assertSame(caught[0], outer.exception().orElseThrow());
        assertSame(boom, inner.exception().orElseThrow());
    }

    @Test
    @DisplayName("a task that catches the CancelledError of its second await returns normally"
            + " (test_cancel_task_catching)")
    void cancelTaskCatching() {
        Future<Void> fut1 = loop.createFuture();
        Future<Void> fut2 = loop.createFuture();
        Task<Integer> t = loop.createTask(() -> {
            await(fut1);
            try {
                await(fut2);
            } catch (CancelledError e) {
                return 42;
            }
            return 0;
        });
        runBriefly();
        fut1.setResult(null);
        runBriefly();
        assertTrue(t.cancel());
        assertTrue(fut2.isCancelled(), "cancel() cancels the awaited future at once");
        assertEquals(42, loop.runUntilComplete(t));
        assertFalse(t.isCancelled());
    }

    @Test
    @DisplayName("toString shows a pending task with cancel requests as cancelling, and pending again after"
            + " uncancel (test_cancelling, test_uncancel)")
    void toStringShowsCancelling() {
        Future<Void> never = loop.createFuture();
        Task<Void> t = loop.createTask(() -> await(never), "T");
        runBriefly();
        assertTrue(t.toString().startsWith("Task[T, pending"), t.toString());
        t.cancel();
        assertTrue(t.toString().startsWith("Task[T, cancelling"), t.toString());
        t.uncancel();
        assertTrue(t.toString().startsWith("Task[T, pending"), t.toString());
        t.cancel();
        assertThrows(CancelledError.class, () -> loop.runUntilComplete(t));
        assertEquals("Task[T, cancelled]", t.toString());
    }

    @Test
    @DisplayName("a task that ignores a cancellation goes on awaiting the next future, which is not cancelled"
            + " (test_cancel_task_ignoring)")
    void cancelTaskIgnoring() {
        Future<Void> fut1 = loop.createFuture();
        Future<Void> fut2 = loop.createFuture();
        Future<Integer> fut3 = loop.createFuture();
        Task<Integer> t = loop.createTask(() -> {
            await(fut1);
            try {
                await(fut2);
            } catch (CancelledError ignored) {
                // going on
            }
            return await(fut3);
        });
        runBriefly();
        fut1.setResult(null);
        runBriefly();
        t.cancel();
        assertTrue(fut2.isCancelled());
        runBriefly();
        fut3.setResult(42);
        assertEquals(42, loop.runUntilComplete(t));
        assertFalse(fut3.isCancelled());
        assertFalse(t.isCancelled());
    }

    @Test
    @DisplayName("a task cancelling itself: its next await is cancelled at once, cancel() then returns false"
            + " (test_cancel_current_task)")
    void cancelCurrentTask() {
        Task<Integer>[] self = newTaskArray();
        self[0] = loop.createTask(() -> {
            assertTrue(self[0].cancel());
            Async.sleep(LONG);
            return 12;
        });
        assertThrows(CancelledError.class, () -> loop.runUntilComplete(self[0]));
        assertTrue(self[0].isCancelled());
        assertFalse(self[0].cancel());
        assertEquals(1, self[0].cancelling());
    }

    @Test
    @DisplayName("a task that cancelled itself and then awaits a task cancels that task and what it awaits"
            + " (test_cancel_awaited_task, bpo-34872)")
    void cancelAwaitedTask() {
        Future<Void> fut = loop.createFuture();
        Task<?>[] nested = new Task<?>[1];
        Task<Void>[] self = newTaskArray();
        self[0] = loop.createTask(() -> {
            nested[0] = loop.createTask(() -> await(fut));
            Async.sleep(Duration.ZERO);
            self[0].cancel();
            await(nested[0]);
            return null;
        });
        assertThrows(CancelledError.class, () -> loop.runUntilComplete(self[0]));
        assertTrue(self[0].isCancelled());
        assertTrue(nested[0].isCancelled());
        assertTrue(fut.isCancelled());
    }

    @Test
    @DisplayName("cancelling both the awaited future and the task ends the task cancelled"
            + " (test_cancel_both_task_and_inner_future, test_cancel_inner_future)")
    void cancelBothTaskAndInnerFuture() {
        Future<Void> f = loop.createFuture();
        Task<Integer> t = loop.createTask(() -> {
            await(f);
            return 12;
        });
        runBriefly();
        assertTrue(f.cancel("inner"));
        assertTrue(t.cancel("outer"));
        CancelledError e = assertThrows(CancelledError.class, () -> loop.runUntilComplete(t));
        assertEquals("inner", e.getMessage(), "the future's cancellation reached the body first");
        assertTrue(f.isCancelled());
        assertTrue(t.isCancelled());

        Future<Void> g = loop.createFuture();
        Task<Integer> u = loop.createTask(() -> {
            await(g);
            return 12;
        });
        runBriefly();
        g.cancel();
        assertThrows(CancelledError.class, () -> loop.runUntilComplete(u));
        assertTrue(u.isCancelled());
        assertEquals(0, u.cancelling(), "the task itself was never asked to cancel");
    }

    @Test
    @DisplayName("an Error thrown by a body while handling its cancellation escapes the loop; the task ends"
            + " with it, not cancelled (test_baseexception_during_cancel)")
    void errorDuringCancel() {
        AssertionError fatal = new AssertionError("SystemExit analogue");
        Task<Void> t = loop.createTask(() -> {
            try {
                Async.sleep(LONG);
            } catch (CancelledError e) {
                throw fatal;
            }
            return null;
        });
        runBriefly();
        t.cancel();
        assertFalse(t.isDone());
        assertSame(fatal, assertThrows(AssertionError.class, this::runBriefly));
        assertTrue(t.isDone());
        assertFalse(t.isCancelled());
        assertSame(fatal, t.exception().orElseThrow());
    }

    @Test
    @DisplayName("interleaved tasks each see themselves as currentTask() across awaits; none outside"
            + " (test_current_task_with_interleaving_tasks)")
    void currentTaskWithInterleavingTasks() {
        assertTrue(Async.currentTask(loop).isEmpty());
        Future<Boolean> fut1 = loop.createFuture();
        Future<Boolean> fut2 = loop.createFuture();
        List<String> seen = new ArrayList<>();
        Task<?>[] tasks = new Task<?>[2];
        tasks[0] = loop.createTask(() -> {
            seen.add("1:" + (current() == tasks[0]));
            await(fut1);
            seen.add("1:" + (current() == tasks[0]));
            fut2.setResult(true);
            return null;
        });
        tasks[1] = loop.createTask(() -> {
            seen.add("2:" + (current() == tasks[1]));
            fut1.setResult(true);
            await(fut2);
            seen.add("2:" + (current() == tasks[1]));
            return null;
        });
        loop.runUntilComplete(Tasks.gather(tasks[0], tasks[1]));
        assertEquals(List.of("1:true", "2:true", "1:true", "2:true"), seen);
        assertTrue(Async.currentTask(loop).isEmpty());
    }

    // ------------------------------------------------------------------ hand-written coroutines

    /** A coroutine whose first send throws {@code error} itself instead of answering {@link Coroutine.Threw}. */
    private static <T> Coroutine<T> throwingOnSend(Throwable error) {
        return new Coroutine<>() {
            @Override
            public Step<T> send(Object value) {
                throw sneaky(error);
            }

            @Override
            public Step<T> throwInto(Throwable e) {
                throw sneaky(error);
            }

            @Override
            public void close() {
            }
        };
    }

    @SuppressWarnings("unchecked")
    @Test
    @DisplayName("a pending task's toString names the future it waits for; a ready or finished task's names none (wait_for= in asyncio's repr)")
    void taskToStringNamesTheAwaitedFuture() {
        Future<String> never = loop.createFuture();
        Task<String> waiting = loop.createTask(() -> await(never), "W");
        runBriefly();
        assertEquals("Task[W, pending, waiting for Future[pending]]", waiting.toString());
        Task<String> ready = loop.createTask(() -> "r", "R");
        assertEquals("Task[R, pending]", ready.toString());
        never.setResult("x");
        assertEquals("x", loop.runUntilComplete(waiting));
        assertEquals("Task[W, finished result=x]", waiting.toString());
        loop.runUntilComplete(ready);
    }

    @Test
    @DisplayName("a future's toString names its kind and state: pending, cancelled, finished result=, finished exception= (test_future_repr)")
    void futureToString() {
        run(() -> {
            Future<String> f = loop.createFuture();
            assertEquals("Future[pending]", f.toString());
            Future<List<String>> gathering = Tasks.gather(f);
            assertEquals("GatheringFuture[pending]", gathering.toString());
            f.setResult("x");
            assertEquals("Future[finished result=x]", f.toString());
            Future<String> failed = loop.createFuture();
            failed.setException(new IllegalStateException("boom"));
            assertEquals("Future[finished exception=java.lang.IllegalStateException: boom]", failed.toString());
            failed.exception();
            Future<String> cancelled = loop.createFuture();
            cancelled.cancel();
            assertEquals("Future[cancelled]", cancelled.toString());
            await(gathering);
            return null;
        });
    }

    @Test
    @DisplayName("uncancel: counts requests down to 0, no further; a request left still cancels the task, none left lets it run (test_uncancel_basic)")
    void uncancelCountsDownAndDecidesTheNextStep() {
        run(() -> {
            Task<?> self = current();
            assertEquals(0, self.uncancel(), "nothing to take back");
            assertEquals(0, self.cancelling());

            Task<String> twice = loop.createTask(() -> "ran");
            twice.cancel();
            twice.cancel();
            assertTrue(((dev.asyncloop.spi.BaseTask<?>) twice).cancelPending());
            assertEquals(1, twice.uncancel());
            assertTrue(((dev.asyncloop.spi.BaseTask<?>) twice).cancelPending(), "one request is left");
            assertThrows(CancelledError.class, () -> await(twice));

            Task<String> once = loop.createTask(() -> "ran");
            once.cancel();
            assertEquals(0, once.uncancel());
            assertFalse(((dev.asyncloop.spi.BaseTask<?>) once).cancelPending());
            assertEquals("ran", await(once), "the request taken back no longer cancels it");
            return null;
        });
    }

    @Test
    @DisplayName("cancel after the awaited future finished but before the task woke: the task is still cancelled (test_cancel_yield)")
    void cancelAfterAwaitedFutureFinished() {
        run(() -> {
            Future<String> f = loop.createFuture();
            Task<String> t = loop.createTask(() -> await(f));
            spin(1);
            f.setResult("x");
            assertTrue(t.cancel(), "the task is not done yet");
            assertThrows(CancelledError.class, () -> await(t));
            return null;
        });
    }

    @Test
    @DisplayName("printStack of a failed task ends with its exception; of a task that returned, with its frames (print_stack)")
    void printStackEndsWithTheException() {
        Task<String> failed = loop.createTask(() -> {
            throw new IllegalArgumentException("the failure");
        });
        Task<String> returned = loop.createTask(() -> "fine");
        runBriefly();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        failed.printStack(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
        String printed = out.toString(java.nio.charset.StandardCharsets.UTF_8).strip();
        assertTrue(printed.endsWith("java.lang.IllegalArgumentException: the failure"), printed);
        failed.exception();
        out.reset();
        returned.printStack(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
        assertFalse(out.toString(java.nio.charset.StandardCharsets.UTF_8).contains("Exception"), out.toString());
    }

    private static <E extends Throwable> E sneaky(Throwable t) throws E {
        throw (E) t;
    }

    @Test
    @DisplayName("a coroutine whose send throws an exception fails its task (CoroLikeObject, Task.__step's"
            + " 'except BaseException')")
    void coroutineSendThrowingCheckedFailsTask() {
        IOException boom = new IOException("from send");
        Task<String> t = loop.createTask(throwingOnSend(boom), "throws-checked", null);
        runBriefly();
        assertTrue(t.isDone(), "the task must not stay pending forever");
        assertSame(boom, t.exception().orElseThrow());
        assertTrue(reports.isEmpty(), reports.toString());
    }

    @Test
    @DisplayName("a coroutine whose send throws an Error fails its task, then the Error escapes the loop"
            + " (Task.__step: set_exception, then re-raise)")
    void coroutineSendThrowingErrorFailsTaskAndEscapes() {
        AssertionError fatal = new AssertionError("from send");
        Task<String> t = loop.createTask(throwingOnSend(fatal), "throws-error", null);
        assertSame(fatal, assertThrows(AssertionError.class, this::runBriefly));
        assertTrue(t.isDone(), "the task must not stay pending forever");
        assertSame(fatal, t.exception().orElseThrow());
    }

    @Test
    @DisplayName("a coroutine answering null instead of a Step gets IllegalStateException thrown in on the next"
            + " iteration, as asyncio throws RuntimeError(\"Task got bad yield\") in")
    void nullStepIsThrownIn() {
        List<String> calls = new ArrayList<>();
        Coroutine<String> badYield = new Coroutine<>() {
            @Override
            public Step<String> send(Object value) {
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
        Task<String> t = loop.createTask(badYield, "bad-yield", null);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> loop.runUntilComplete(t));
        assertTrue(e.getMessage().contains("bad yield"), e.getMessage());
        assertEquals(List.of("send", "throw IllegalStateException"), calls);
        assertTrue(reports.isEmpty(), reports.toString());
    }

    // ------------------------------------------------------------------ eager tasks (test_eager_task_factory)

    @Test
    @DisplayName("eager: a body that finishes a future in its eager step is done when createTask returns"
            + " (test_await_future_during_eager_step)")
    void eagerFinishesFutureDuringEagerStep() {
        loop.setTaskFactory(Async.eagerTaskFactory());
        assertEquals("my message", run(() -> {
            Future<String> fut = loop.createFuture();
            Task<Void> t = loop.createTask(() -> {
                fut.setResult("my message");
                return null;
            });
            assertTrue(t.isDone());
            return await(fut);
        }));
    }

    @Test
    @DisplayName("eager: cancel() of an eagerly completed task returns false and keeps its result"
            + " (test_cancellation_after_eager_completion)")
    void eagerCancelAfterCompletion() {
        loop.setTaskFactory(Async.eagerTaskFactory());
        assertEquals("finished without blocking", run(() -> {
            Task<String> t = loop.createTask(() -> "finished without blocking");
            assertFalse(t.cancel());
            String result = await(t);
            assertFalse(t.isCancelled());
            return result;
        }));
    }

    @Test
    @DisplayName("eager: cancelling an eager task that blocked cancels it with the message"
            + " (test_cancellation_after_eager_step_blocks)")
    void eagerCancelAfterBlocking() {
        loop.setTaskFactory(Async.eagerTaskFactory());
        CancelledError e = assertThrows(CancelledError.class, () -> run(() -> {
            Task<String> t = loop.createTask(() -> Async.sleep(LONG, "finished after blocking"));
            assertTrue(t.cancel("cancellation message"));
            assertTrue(t.cancelling() > 0);
            return await(t);
        }));
        assertEquals("cancellation message", e.getMessage());
    }

    @Test
    @DisplayName("eager: currentTask() in the eager step and after blocking is the task; allTasks() holds it while"
            + " it blocks, not after (test_current_task, test_all_tasks_with_blocking,"
            + " test_all_tasks_with_eager_completion)")
    void eagerCurrentAndAllTasks() {
        loop.setTaskFactory(Async.eagerTaskFactory());
        run(() -> {
            List<Object> captured = new ArrayList<>();
            Future<Void> fut1 = loop.createFuture();
            Future<Void> fut2 = loop.createFuture();
            Task<Void> t = loop.createTask(() -> {
                captured.add(current());
                captured.add(Async.allTasks().contains(current()));
                await(fut1);
                captured.add(current());
                fut2.setResult(null);
                return null;
            });
            assertSame(t, captured.get(0));
            assertEquals(true, captured.get(1));
            assertTrue(Async.allTasks().contains(t));
            fut1.setResult(null);
            await(fut2);
            assertSame(t, captured.get(2));
            await(t);
            assertFalse(Async.allTasks().contains(t));

            boolean[] inAll = {false};
            Task<Void> quick = loop.createTask(() -> {
                inAll[0] = Async.allTasks().contains(current());
                return null;
            });
            assertTrue(inAll[0]);
            assertFalse(Async.allTasks().contains(quick));
            return null;
        });
    }

    @Test
    @DisplayName("eager: the eager step runs in the task's context, which keeps its sets across awaits and does"
            + " not leak to the creator (test_context_vars)")
    void eagerContextVars() {
        loop.setTaskFactory(Async.eagerTaskFactory());
        ContextVar<Integer> cv = ContextVar.withDefault("cv", 0);
        boolean[] steps = new boolean[2];
        run(() -> {
            cv.set(1);
            Task<Void> t = loop.createTask(() -> {
                assertEquals(1, cv.get());
                cv.set(2);
                steps[0] = true;
                Async.sleep(SHORT);
                assertEquals(2, cv.get());
                cv.set(3);
                steps[1] = true;
                return null;
            });
            assertTrue(steps[0]);
            assertFalse(steps[1]);
            assertEquals(1, cv.get());
            await(t);
            assertTrue(steps[1]);
            assertEquals(1, cv.get());
            return null;
        });
    }

    @Test
    @DisplayName("eager: the eager step already sees the name given to createTask, in every form (asyncio's"
            + " gh-128308: the name was set after the first step)")
    void eagerStepSeesItsName() {
        loop.setTaskFactory(Async.eagerTaskFactory());
        List<String> names = new ArrayList<>();
        run(() -> {
            AsyncCallable<Void> recordName = () -> {
                names.add(current().getName());
                return null;
            };
            loop.createTask(recordName, "loop");
            Async.createTask(recordName, "async");
            TaskGroup.run(g -> g.createTask(recordName, "group"));
            Async.getRunningLoop().setTaskFactory(null);
            Async.createTask(recordName, "chosen", null, true);
            return null;
        });
        assertEquals(List.of("loop", "async", "group", "chosen"), names);
    }

    @Test
    @DisplayName("eager: a name the task sets itself in its eager step is kept (asyncio's gh-143173: the name given"
            + " to createTask overwrote it)")
    void eagerStepRenameIsKept() {
        loop.setTaskFactory(Async.eagerTaskFactory());
        List<String> names = new ArrayList<>();
        run(() -> {
            Task<Void> t = loop.createTask(() -> {
                current().setName("BBB");
                Async.yieldNow();
                names.add(current().getName());
                return null;
            }, "AAA");
            assertEquals("BBB", t.getName(), "the rename in the eager step stands when createTask returns");
            await(t);
            return null;
        });
        assertEquals(List.of("BBB"), names);
    }

    @SuppressWarnings("unchecked")
    private static <T> Task<T>[] newTaskArray() {
        return (Task<T>[]) new Task<?>[1];
    }

    @Test
    @DisplayName("getCoro() returns the coroutine given, also once the task is done (test_get_coro)")
    void getCoroAfterDone() {
        Coroutine<String> coro = Coroutine.of(() -> "done");
        Task<String> t = loop.createTask(coro, null, null);
        loop.runUntilComplete(t);
        assertSame(coro, t.getCoro());
    }

    @Test
    @DisplayName("a task created with a context runs in that context itself, not in a copy; the caller's is untouched"
            + " (test_context_4, test_context_6, TaskGroup test_taskgroup_context)")
    void aTaskRunsInTheContextItIsGiven() {
        ContextVar<Integer> cvar = ContextVar.of("cvar");
        List<Object> seen = run(() -> {
            Context ctx = Context.copyCurrent();
            List<Object> out = new ArrayList<>();
            out.add(ctx.get(cvar).orElse(null));
            await(Async.createTask(() -> {
                Async.sleep(Duration.ZERO);
                cvar.set(1);
                return null;
            }, "t1", ctx));
            out.add(ctx.get(cvar).orElse(null));
            await(Async.getRunningLoop().createTask(() -> {
                Async.sleep(Duration.ZERO);
                cvar.set(cvar.get() + 1);
                return null;
            }, "t2", ctx));
            out.add(ctx.get(cvar).orElse(null));
            TaskGroup.run(g -> g.createTask(() -> {
                Async.sleep(Duration.ZERO);
                cvar.set(cvar.get() + 1);
                return null;
            }, "t3", ctx));
            out.add(ctx.get(cvar).orElse(null));
            out.add(cvar.get(-1));
            return out;
        });
        assertEquals(java.util.Arrays.asList(null, 1, 2, 3, -1), seen, "each task's set() lands in the context it"
                + " was given, seen by the next task given the same context, and never in the caller's");
    }
}
