package dev.asyncloop.spi;

import dev.asyncloop.CancelledError;
import dev.asyncloop.Context;
import dev.asyncloop.Coroutine;
import dev.asyncloop.EventLoop;
import dev.asyncloop.ExceptionContext;
import dev.asyncloop.Future;
import dev.asyncloop.InvalidStateError;
import dev.asyncloop.Task;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * asyncio's {@code Task}, reusable by any loop: the "private constructor"
 * {@link #BaseTask(EventLoop, Coroutine, String, Context, boolean)}.
 *
 * <p>Implementation overview. A pending task is always in exactly one of three places (asyncio's invariant):
 * waiting on {@code waitingOn} with {@code wakeup} among its done-callbacks; with {@code step} scheduled on the
 * loop; or inside {@code step}. Each step enters the task in {@link TaskRegistry}, sends into or throws into the
 * coroutine, and acts on the {@link Coroutine.Step} it answers, following {@code Task.__step} rule for rule:
 * protocol errors (a future of another loop, awaiting itself, a null step) are thrown into the coroutine on the
 * next iteration. {@code cancel} cancels the awaited future, else sets {@code mustCancel} so the next step throws
 * {@link CancelledError} in; a wake-up so overtaken hands a succeeded future's result to that future's
 * {@linkplain BaseFuture#setUndeliveredHandler undelivered-result handler}. A task that suspends registers a {@link java.lang.ref.Cleaner} action so that a
 * pending task that becomes unreachable is reported ("Task was destroyed but it is pending!").
 *
 * <p>Threading: loop thread only, as {@link Task}.
 *
 * @param <T> the result type
 */
public class BaseTask<T extends @Nullable Object> extends BaseFuture<T> implements Task<T> {
    private static final AtomicLong COUNTER = new AtomicLong();

    private final Coroutine<T> coroutine;
    private final Context context;
    private final long number;
    private @Nullable String name;
    private int cancelRequests;
    private boolean mustCancel;
    private @Nullable Future<?> waitingOn;
    private boolean logDestroyPending = true;
    private @Nullable PendingReport pendingReport;
    /** In {@link LoopTasks}' list of tasks not yet suspended; false once in the weak registry. */
    private boolean unstarted;
    private boolean registered;
    @Nullable BaseTask<?> previousUnstarted;
    @Nullable BaseTask<?> nextUnstarted;
    /* Made on first use: a task that finishes in its first step needs neither, one that awaits no handle. */
    private @Nullable Consumer<Future<?>> wakeup;
    /** The handle that queues {@code step} after a yield, made at the first one (see {@link #scheduleStep}). */
    private @Nullable ReadyHandle stepHandle;

    /**
     * Creates a task named {@code Task-N} in a copy of the current context and schedules its first step.
     *
     * @param loop the loop
     * @param coroutine the coroutine to drive
     * @throws IllegalStateException if the loop is closed
     */
    public BaseTask(EventLoop loop, Coroutine<T> coroutine) {
        this(loop, coroutine, null, null, false);
    }

    /**
     * Creates a task and schedules its first step, or runs it at once when {@code eagerStart} is true and the
     * loop is running (asyncio 3.12's eager start; the task may then be done when the constructor returns).
     *
     * @param loop the loop
     * @param coroutine the coroutine to drive
     * @param name the name, or null for {@code Task-N}
     * @param context the context every step runs in, or null for a copy of the current one
     * @param eagerStart whether to run the first step now
     * @throws IllegalStateException if the loop is closed
     */
    public BaseTask(EventLoop loop, Coroutine<T> coroutine, @Nullable String name, @Nullable Context context,
            boolean eagerStart) {
        super(loop);
        this.coroutine = Objects.requireNonNull(coroutine, "coroutine");
        this.number = COUNTER.incrementAndGet();
        this.name = name;
        this.context = context != null ? context : Context.copyCurrent();
        if (eagerStart && loop.isRunning()) {
            eagerStart();
        } else {
            loop.callSoon(new Step(null), this.context);
            if (loop instanceof BaseEventLoop base) {
                base.tasks.link(this);
                unstarted = true;
            } else {
                register();
            }
        }
    }

    @Override
    public final String getName() {
        return name != null ? name : "Task-" + number;
    }

    @Override
    public final void setName(String name) {
        this.name = Objects.requireNonNull(name, "name");
        if (pendingReport != null) {
            pendingReport.name = name; // the report names the task as it is when collected, as asyncio's does
        }
    }

    @Override
    public final Coroutine<T> getCoro() {
        return coroutine;
    }

    @Override
    public final Context getContext() {
        return context;
    }

    @Override
    public final int cancelling() {
        return cancelRequests;
    }

    @Override
    public final int uncancel() {
        if (cancelRequests > 0) {
            cancelRequests--;
            if (cancelRequests == 0) {
                mustCancel = false;
            }
        }
        return cancelRequests;
    }

    /**
     * Tells whether a cancel request waits to be thrown into the coroutine at its next step (asyncio's
     * {@code _must_cancel}): {@link #cancel(String)} came while the task was running, or was ready to step, or
     * waited on a future that refused to be cancelled. A request that cancelled the awaited future instead is on
     * its way through that future and is not counted here; {@link #cancelling()} counts both. The try form of
     * {@link dev.asyncloop.TaskGroup} reads it when the group opens, to take a request that the block will
     * receive for the block's own. Loop thread only.
     *
     * @return whether the next step throws {@link CancelledError} in
     */
    public final boolean cancelPending() {
        return mustCancel;
    }

    /** @throws UnsupportedOperationException always: only the coroutine finishes a task */
    @Override
    public final void setResult(T value) {
        throw new UnsupportedOperationException("Task does not support setResult(); the coroutine's return value"
                + " is the task's result");
    }

    /** @throws UnsupportedOperationException always: only the coroutine finishes a task */
    @Override
    public final void setException(Throwable exception) {
        throw new UnsupportedOperationException("Task does not support setException(); throw from the coroutine"
                + " instead");
    }

    @Override
    public boolean cancel(@Nullable String message) {
        disarmReport();
        if (isDone()) {
            return false;
        }
        cancelRequests++;
        Future<?> waiter = waitingOn;
        if (waiter != null && waiter.cancel(message)) {
            return true;
        }
        mustCancel = true;
        cancelMessage = message;
        return true;
    }

    /**
     * Returns the future this task's coroutine is suspended on, while it is (asyncio's {@code _fut_waiter}): the
     * edge of a {@link dev.asyncloop.CallGraph} from a task to what it awaits. Empty while the task runs, is
     * scheduled to step (a new task, or one that yielded), or is done. Reading it costs the await path nothing:
     * it is the field the task keeps for cancellation anyway. Loop thread only.
     *
     * @return the awaited future, or empty
     */
    public final Optional<Future<?>> awaiting() {
        return isDone() ? Optional.empty() : Optional.ofNullable(waitingOn);
    }

    @Override
    public List<StackTraceElement> getStack() {
        if (isDone()) {
            if (isCancelled()) {
                return List.of();
            }
            // Read without marking the exception retrieved, as asyncio's get_stack reads task._exception.
            Throwable e = storedException();
            return e != null ? Arrays.asList(e.getStackTrace()) : List.of();
        }
        return coroutine.stack();
    }

    @Override
    public void printStack(PrintStream out) {
        printStack(out, Integer.MAX_VALUE);
    }

    /**
     * Prints as {@link Task#printStack(PrintStream, int)} does, then, for a task that failed, the exception's line
     * ({@link Throwable#toString()}: its class and message, asyncio's {@code format_exception_only}), also after
     * "No stack for"; a cancelled task gets no such line (asyncio keeps no exception for it). The exception is
     * read without being marked retrieved, so it is still reported if nobody retrieves it. Loop thread only.
     *
     * @param out where to print
     * @param limit the most frames to print
     * @throws NullPointerException if {@code out} is null
     * @throws IllegalArgumentException if {@code limit} is negative
     */
    @Override
    public void printStack(PrintStream out, int limit) {
        Task.super.printStack(out, limit);
        Throwable e = isDone() && !isCancelled() ? storedException() : null;
        if (e != null) {
            out.println(e);
        }
    }

    @Override
    protected String kind() {
        return "Task";
    }

    @Override
    public String toString() {
        // asyncio shows a pending task with cancel requests as "cancelling"
        String state = !isDone() && cancelRequests > 0 ? "cancelling" : describeState();
        return "Task[" + getName() + ", " + state
                + (waitingOn != null && !isDone() ? ", waiting for " + waitingOn : "") + "]";
    }

    /** asyncio's {@code _log_destroy_pending}: false for the tasks {@code runUntilComplete} creates itself. */
    final void setLogDestroyPending(boolean log) {
        this.logDestroyPending = log;
        if (!log && pendingReport != null) {
            pendingReport.armed = false;
        }
    }

    private void eagerStart() {
        Task<?> previous = TaskRegistry.swapCurrentTask(loop, this);
        try {
            TaskRegistry.registerEagerTask(this);
            context.run(() -> runStep(null));
        } finally {
            TaskRegistry.unregisterEagerTask(this);
            TaskRegistry.swapCurrentTask(loop, previous);
        }
        if (!isDone()) {
            register();
        }
    }

    private void step(@Nullable Throwable error) {
        if (isDone()) {
            throw new InvalidStateError("step(): already done: " + this + (error != null ? ", " + error : ""));
        }
        if (mustCancel) {
            if (!(error instanceof CancelledError)) {
                error = makeCancelledError();
            }
            mustCancel = false;
        }
        TaskRegistry.enterTask(loop, this);
        try {
            runStep(error);
        } finally {
            TaskRegistry.leaveTask(loop, this);
        }
    }

    private void runStep(@Nullable Throwable error) {
        waitingOn = null;
        Coroutine.Step<T> outcome;
        try {
            outcome = error == null ? coroutine.send(null) : coroutine.throwInto(error);
        } catch (Throwable e) {
            // A coroutine that throws instead of answering Threw (an Error, or a checked exception thrown
            // sneakily) still ends its task, as asyncio's step catches BaseException around coro.send.
            outcome = new Coroutine.Threw<>(e);
        }
        if (outcome == null) {
            // asyncio's "Task got bad yield": a protocol error thrown into the coroutine on the next iteration
            suspended();
            IllegalStateException e = new IllegalStateException("Task got bad yield: " + coroutine
                    + " answered null instead of a Coroutine.Step");
            loop.callSoon(new Step(e), context);
            return;
        }
        switch (outcome) {
            case Coroutine.Returned<T>(T value) -> {
                if (mustCancel) {
                    mustCancel = false;
                    super.cancel(cancelMessage);
                } else {
                    super.setResult(value);
                }
                finished();
            }
            case Coroutine.Threw<T>(Throwable thrown) -> {
                if (thrown instanceof CancelledError ce) {
                    saveCancellation(ce);
                    super.cancel(null);
                    finished();
                } else {
                    super.setException(thrown);
                    finished();
                    if (thrown instanceof Error err) {
                        throw err;
                    }
                }
            }
            case Coroutine.Awaiting<T>(Future<?> awaited) -> await(awaited);
            case Coroutine.Yielded<T>() -> {
                suspended();
                scheduleStep();
            }
        }
    }

    /** Schedules the next step; on a {@link BaseEventLoop} through one handle the task keeps for its yields. */
    private void scheduleStep() {
        if (loop instanceof BaseEventLoop base && !base.getDebug()) {
            ReadyHandle h = stepHandle;
            if (h == null) {
                h = new ReadyHandle(new Step(null), context, List.of());
                stepHandle = h;
            }
            base.callSoonReused(h);
        } else {
            loop.callSoon(new Step(null), context);
        }
    }

    private void await(Future<?> awaited) {
        suspended();
        if (awaited.getLoop() != loop) {
            IllegalStateException e = new IllegalStateException("Task " + this + " got Future " + awaited
                    + " attached to a different loop");
            loop.callSoon(new Step(e), context);
        } else if (awaited == this) {
            IllegalStateException e = new IllegalStateException("Task cannot await on itself: " + this);
            loop.callSoon(new Step(e), context);
        } else {
            Consumer<Future<?>> w = wakeup;
            if (w == null) {
                w = new Wakeup();
                wakeup = w;
            }
            awaited.addDoneCallback(w, context);
            waitingOn = awaited;
            if (mustCancel && awaited.cancel(cancelMessage)) {
                mustCancel = false;
            }
        }
    }

    /**
     * A step of this task as a loop callback. Its {@code toString} is the task's, so a handle running it names
     * the task in debug-mode reports (asyncio's {@code _format_handle}).
     */
    private final class Step implements Runnable {
        private final @Nullable Throwable error;

        Step(@Nullable Throwable error) {
            this.error = error;
        }

        @Override
        public void run() {
            step(error);
        }

        @Override
        public String toString() {
            return BaseTask.this.toString();
        }
    }

    /** The done-callback that resumes this task; named after the task, as {@link Step}. */
    private final class Wakeup implements Consumer<Future<?>> {
        @Override
        public void accept(Future<?> future) {
            wakeup(future);
        }

        @Override
        public String toString() {
            return BaseTask.this.toString();
        }
    }

    private void wakeup(Future<?> future) {
        if (mustCancel && future instanceof BaseFuture<?> f && f.resultUndelivered()) {
            // The step throws CancelledError in; the result went to the future's own closer.
            step(null);
            return;
        }
        try {
            future.result();
        } catch (Throwable e) {
            step(e);
            return;
        }
        step(null);
    }

    private void suspended() {
        register();
        armPendingReport();
    }

    /**
     * Arms the "destroyed but pending" report, once. Called when the task first suspends, and by a closing loop
     * for the tasks that never ran: asyncio reports those too when they are collected.
     */
    final void armPendingReport() {
        if (pendingReport == null && logDestroyPending && !isDone()) {
            List<StackTraceElement> traceback = sourceTraceback();
            pendingReport = traceback.isEmpty() ? new PendingReport(loop, name, number)
                    : new TracedPendingReport(loop, name, number, traceback);
            CLEANER.register(this, pendingReport);
        }
    }

    /** Moves the task to the weak registry, where an abandoned pending task can be collected. Idempotent. */
    private void register() {
        if (registered) {
            return;
        }
        registered = true;
        if (unstarted) {
            unstarted = false;
            ((BaseEventLoop) loop).tasks.unlink(this);
        }
        TaskRegistry.registerTask(this);
    }

    private void finished() {
        if (pendingReport != null) {
            pendingReport.armed = false;
        }
        if (unstarted) {
            unstarted = false;
            ((BaseEventLoop) loop).tasks.unlink(this);
        } else if (registered) {
            TaskRegistry.unregisterTask(this);
        }
    }

    /**
     * The Cleaner action for a task collected while pending. Holds no reference to the task. One exists per
     * suspended task, so it carries no creation stack unless there is one (debug mode, {@link TracedPendingReport}).
     */
    private static class PendingReport implements Runnable {
        private final EventLoop loop;
        volatile @Nullable String name;
        private final long number;
        volatile boolean armed = true;

        /* The description is built only if the report is made: most tasks finish, and a string per task costs. */
        PendingReport(EventLoop loop, @Nullable String name, long number) {
            this.loop = loop;
            this.name = name;
            this.number = number;
        }

        List<StackTraceElement> sourceTraceback() {
            return List.of();
        }

        @Override
        public void run() {
            if (armed) {
                Debug.reportFromAnyThread(loop, ExceptionContext.builder("Task was destroyed but it is pending!")
                        .extra("task_repr", "Task[" + (name != null ? name : "Task-" + number) + ", pending]")
                        .sourceTraceback(sourceTraceback())
                        .build());
            }
        }
    }

    /** A {@link PendingReport} with the task's creation stack (debug mode). */
    private static final class TracedPendingReport extends PendingReport {
        private final List<StackTraceElement> sourceTraceback;

        TracedPendingReport(EventLoop loop, @Nullable String name, long number,
                List<StackTraceElement> sourceTraceback) {
            super(loop, name, number);
            this.sourceTraceback = sourceTraceback;
        }

        @Override
        List<StackTraceElement> sourceTraceback() {
            return sourceTraceback;
        }
    }
}
