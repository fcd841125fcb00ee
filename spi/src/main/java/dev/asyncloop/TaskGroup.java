package dev.asyncloop;

import dev.asyncloop.spi.BaseFuture;
import dev.asyncloop.spi.BaseTask;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * asyncio 3.11+'s {@code TaskGroup}: tasks that belong to a block of the current ("parent") task, all done
 * when the block ends.
 *
 * <p><b>Rules</b> (as asyncio's). Leaving the group waits for all its tasks. The first task to fail cancels
 * every other task of the group and the parent's current await (the parent is cancelled once, and that
 * request is withdrawn with {@link Task#uncancel()} when the group ends). All failures, the body's included,
 * are thrown together as one {@link TaskGroupException}. A task of the group that is cancelled is not a
 * failure. When the parent is cancelled from elsewhere, the tasks are cancelled and the {@link CancelledError}
 * propagates, unless there were failures, which win. No task can be added once the group is shutting down or
 * done ({@link IllegalStateException}). {@link #cancel()} (asyncio 3.15) ends the group early: it cancels the
 * tasks and the parent's current await, and the group then ends without a {@link CancelledError}.
 *
 * <p><b>Two forms.</b> The primary one follows asyncio exactly, because it sees the body's outcome:
 * <pre>{@code
 * List<Task<String>> fetches = TaskGroup.run(group -> List.of(
 *         group.createTask(() -> fetch("a")),
 *         group.createTask(() -> fetch("b"))));
 * // here both tasks are done: fetches.get(0).result(), ...
 * }</pre>
 * The try-with-resources form:
 * <pre>{@code
 * TaskGroup group = TaskGroup.open();
 * try (group) {
 *     group.createTask(() -> fetch("a"));
 *     group.createTask(() -> fetch("b"));
 * } catch (CancelledError e) {
 *     if (!group.suppresses(e)) {   // true when the group's own cancel() ended the block
 *         throw group.convert(e);   // the TaskGroupException when a task failed, else e
 *     }
 * }
 * }</pre>
 * Java's {@link #close()} cannot see the exception the block ends with, nor replace it. Hence, in this form:
 * <ul>
 *   <li>When the block ends normally, {@code close()} is exactly asyncio's {@code __aexit__}: it waits, and
 *       throws {@link TaskGroupException} or {@link CancelledError}.</li>
 *   <li>When the block ends with a {@link CancelledError} (from a failing task cancelling the parent's await,
 *       or from outside), {@code close()} sees the parent's pending cancel request and cancels the tasks as
 *       asyncio does, waits for them, and throws the {@code TaskGroupException} if any failed; Java attaches it
 *       as suppressed to the block's {@code CancelledError}, which goes on. {@link #convert} in a
 *       {@code catch} gives back what asyncio would throw, and {@link #suppresses} tells when asyncio would
 *       have thrown nothing (the block was ended by {@link #cancel()}).</li>
 *   <li>When the block ends with another exception, {@code close()} cannot tell: it waits for the tasks
 *       without cancelling them; the block's exception wins and the {@code TaskGroupException} of the tasks'
 *       failures, if any, is attached to it as suppressed. Use {@link #run} for the exact rule (cancel the
 *       tasks, then one {@code TaskGroupException} holding the body's exception too).</li>
 * </ul>
 *
 * <p><b>Threads.</b> Open, use and close a group inside one task, on its loop's thread.
 * {@link #createTask} may also be called by the group's tasks and callbacks while the group is open.
 */
public final class TaskGroup implements AutoCloseable {

    /**
     * The body of {@link #run}.
     *
     * @param <T> the result type
     */
    @FunctionalInterface
    public interface Body<T extends @Nullable Object> {
        /**
         * Runs inside the parent task with the group open.
         *
         * @param group the group, to create tasks in
         * @return the body's result
         * @throws Exception anything; it is collected with the tasks' failures
         */
        T run(TaskGroup group) throws Exception;
    }

    private final EventLoop loop;
    private final Task<?> parent;
    private final int parentCancellingAtOpen;
    private final Set<Task<?>> tasks = new LinkedHashSet<>();
    private final List<Throwable> errors = new ArrayList<>();
    private final Consumer<Future<?>> onTaskDone = this::taskDone;
    private boolean exiting;
    private boolean exited;
    private boolean aborting;
    private boolean parentCancelRequested;
    private boolean cancelled;
    private boolean suppressed;
    private @Nullable Future<@Nullable Void> allDone;
    private @Nullable TaskGroupException thrown;

    private TaskGroup() {
        this.loop = Async.getRunningLoop();
        this.parent = Async.currentTask(loop).orElseThrow(() -> new IllegalStateException(
                "TaskGroup cannot determine the parent task: open it inside a task's body"));
        // a request not yet delivered reaches this block at its first await (or close()'s): it is the block's
        boolean undelivered = parent instanceof BaseTask<?> task && task.cancelPending();
        this.parentCancellingAtOpen = parent.cancelling() - (undelivered ? 1 : 0);
    }

    /**
     * Opens a group in the current task, for try-with-resources; see the class comment for what
     * {@link #close()} can and cannot do.
     *
     * @return the open group
     * @throws IllegalStateException if not called inside a task
     */
    public static TaskGroup open() {
        return new TaskGroup();
    }

    /**
     * Runs {@code body} with a new group open in the current task, then waits for the group's tasks, following
     * asyncio's {@code async with TaskGroup()} exactly.
     *
     * @param body the body
     * @param <T> the result type
     * @return the body's result, or null when {@link #cancel()} ended the body with a {@link CancelledError}
     *     (asyncio's {@code async with} swallows it and goes on after the block)
     * @throws TaskGroupException if tasks or the body failed (the body's exception is among them)
     * @throws CancelledError if the parent task was cancelled (by anything but the group itself) and nothing
     *     failed
     * @throws Error an {@link Error} the body threw, after the tasks were cancelled and waited for; the tasks'
     *     failures are attached as suppressed
     * @throws IllegalStateException if not called inside a task
     */
    public static <T extends @Nullable Object> @Nullable T run(Body<T> body) {
        Objects.requireNonNull(body, "body");
        TaskGroup group = open();
        T result;
        try {
            result = body.run(group);
        } catch (Error e) {
            RuntimeException outcome = group.exit(null, true);
            if (outcome instanceof TaskGroupException tge) {
                tge.exceptions().forEach(e::addSuppressed);
            }
            throw e;
        } catch (Exception e) {
            RuntimeException outcome = group.exit(e, false);
            if (outcome == null && group.suppressed) {
                return null; // cancel() ended the body: asyncio 3.15's __aexit__ swallows the CancelledError
            }
            // otherwise exit() adds a body's exception to the failures, or returns its CancelledError
            throw outcome != null ? outcome : new IllegalStateException("the group swallowed the body's exception", e);
        }
        RuntimeException outcome = group.exit(null, false);
        if (outcome != null) {
            throw outcome;
        }
        return result;
    }

    /**
     * Creates a task in this group ({@code create_task}).
     *
     * @param body the task's body
     * @param <T> the result type
     * @return the task
     * @throws IllegalStateException if the group is shutting down (a task failed, or the parent is being
     *     cancelled) or finished
     */
    public <T extends @Nullable Object> Task<T> createTask(AsyncCallable<T> body) {
        return createTask(body, null);
    }

    /**
     * Creates a named task in this group.
     *
     * @param body the task's body
     * @param name the task's name, or null for {@code Task-N}
     * @param <T> the result type
     * @return the task
     * @throws IllegalStateException if the group is shutting down or finished
     */
    public <T extends @Nullable Object> Task<T> createTask(AsyncCallable<T> body, @Nullable String name) {
        return createTask(body, name, null);
    }

    /**
     * Creates a named task in this group that runs in {@code context} (3.13's {@code create_task(context=)}).
     *
     * @param body the task's body
     * @param name the task's name, or null for {@code Task-N}
     * @param context the context the task runs in, or null for a copy of the current one
     * @param <T> the result type
     * @return the task
     * @throws IllegalStateException if the group is shutting down or finished
     */
    public <T extends @Nullable Object> Task<T> createTask(AsyncCallable<T> body, @Nullable String name,
            @Nullable Context context) {
        Objects.requireNonNull(body, "body");
        checkOpen();
        return add(loop.createTask(body, name, context));
    }

    /**
     * Creates a task in this group that starts eagerly or lazily as the caller says, whatever the loop's task
     * factory's default (asyncio 3.14's {@code create_task(coro, name=, context=, eager_start=)}, which passes
     * every keyword argument on to {@code loop.create_task}).
     *
     * @param body the task's body
     * @param name the task's name, or null for {@code Task-N}
     * @param context the context the task runs in, or null for a copy of the current one
     * @param eagerStart true to run the first step inside this call, false to schedule it
     * @param <T> the result type
     * @return the task
     * @throws IllegalStateException if the group is shutting down or finished
     * @throws UnsupportedOperationException if the loop's task factory takes no eager-start choice
     */
    public <T extends @Nullable Object> Task<T> createTask(AsyncCallable<T> body, @Nullable String name,
            @Nullable Context context, boolean eagerStart) {
        Objects.requireNonNull(body, "body");
        checkOpen();
        return add(loop.createTask(body, name, context, eagerStart));
    }

    private void checkOpen() {
        if (exited || (exiting && tasks.isEmpty())) {
            throw new IllegalStateException("TaskGroup " + this + " is finished; create tasks before it is closed");
        }
        if (aborting) {
            throw new IllegalStateException("TaskGroup " + this + " is shutting down; no new tasks are accepted");
        }
    }

    private <T extends @Nullable Object> Task<T> add(Task<T> task) {
        if (!task.isDone()) {
            BaseFuture.addAwaitedBy(task, parent); // for CallGraph, as asyncio 3.14's future_add_to_awaited_by
        }
        tasks.add(task);
        task.addDoneCallback(onTaskDone);
        if (aborting && !task.isDone()) {
            // an eager task that called cancel() in its first step, inside loop.createTask, was not yet in the
            // set abort() went through (asyncio's gh-155418)
            task.cancel();
        }
        return task;
    }

    /**
     * Cancels the group (asyncio 3.15's {@code TaskGroup.cancel()}): cancels every task of the group that is not
     * done, and the parent's current await (its body's, once: that request is withdrawn with
     * {@link Task#uncancel()} when the group ends). The group then ends without a {@link CancelledError}:
     * {@link #run} returns null if the body did not return, the try-with-resources form ends with the
     * {@code CancelledError} that {@link #suppresses} tells apart. Failures of tasks (also while they handle the
     * cancellation) are still thrown as a {@link TaskGroupException}, and a cancellation of the parent from
     * elsewhere still propagates. No task can be created afterwards ({@link IllegalStateException}).
     *
     * <p>Idempotent, and does nothing once the group has ended. While the group is closing (the body is over,
     * the group waits for its tasks) it cancels the tasks, and the parent's wait for them, which the group absorbs
     * (a cancellation of the parent from elsewhere, meanwhile, still propagates). Call it on the loop's thread: from the body,
     * from a task of the group or from any other task or callback of the loop; from another thread use
     * {@code loop.callSoonThreadsafe(group::cancel)}.
     */
    public void cancel() {
        if (exited) {
            return;
        }
        cancelled = true;
        if (!aborting) {
            abort();
            // also while closing: the parent's wait for the tasks then absorbs this request, and exit() can tell
            // an outside request from it by the count uncancel() leaves
            if (!parentCancelRequested && !parent.isDone()) {
                parentCancelRequested = true;
                parent.cancel();
            }
        }
    }

    /**
     * Tells whether asyncio would have swallowed {@code error}, the {@link CancelledError} a try-with-resources
     * block ended with: true when {@link #cancel()} ended the block, no task failed and nothing else is
     * cancelling the parent. Then {@code catch (CancelledError e) { if (!group.suppresses(e)) throw
     * group.convert(e); }} goes on after the block as asyncio does. The answer comes from how the group ended, not
     * from {@code error} itself: pass the {@code CancelledError} the block's {@code catch} caught, nothing else.
     *
     * @param error the cancellation the block ended with (what the {@code catch} caught)
     * @return whether to swallow it
     * @throws IllegalStateException if the group is not closed yet
     */
    public boolean suppresses(CancelledError error) {
        Objects.requireNonNull(error, "error");
        if (!exited) {
            throw new IllegalStateException("suppresses() is for the catch clause after the group is closed");
        }
        return suppressed;
    }

    /**
     * Ends the group for the try-with-resources form: waits for every task, cancelling them first if the
     * parent is being cancelled (it has more cancel requests pending than when the group was opened, not
     * counting the group's own; a request that was made before the group opened but not yet delivered to the
     * parent, such as an outer group's {@code cancel()} from the same body, counts as the block's, since the
     * block receives it: a {@link dev.asyncloop.spi.BaseTask} parent tells, a task class of a loop's own is
     * taken to have none), and throws as the class comment says. Closing again does nothing.
     *
     * @throws TaskGroupException if tasks failed
     * @throws CancelledError if the parent was cancelled during the wait by something else than the group
     */
    @Override
    public void close() {
        if (exited || exiting) {
            return;
        }
        // requests pending before open() (swallowed without uncancel) are not a cancellation of this block
        int ownRequests = parentCancelRequested ? 1 : 0;
        boolean beingCancelled = parent.cancelling() > parentCancellingAtOpen + ownRequests;
        RuntimeException outcome = exit(null, beingCancelled);
        if (outcome != null) {
            throw outcome;
        }
    }

    /**
     * Gives back what asyncio would have thrown when the try-with-resources block ended with {@code error}:
     * call it from {@code catch (CancelledError e) { throw group.convert(e); }}.
     *
     * @param error the cancellation the block ended with
     * @return the {@link TaskGroupException} that {@link #close()} threw, if any; else {@code error}
     * @throws IllegalStateException if the group is not closed yet
     */
    public RuntimeException convert(CancelledError error) {
        Objects.requireNonNull(error, "error");
        if (!exited) {
            throw new IllegalStateException("convert() is for the catch clause after the group is closed");
        }
        return thrown != null ? thrown : error;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("TaskGroup[");
        s.append(exited ? "finished" : aborting ? "cancelling" : "entered");
        if (!tasks.isEmpty()) {
            s.append(", tasks=").append(tasks.size());
        }
        if (!errors.isEmpty()) {
            s.append(", errors=").append(errors.size());
        }
        return s.append(']').toString();
    }

    /**
     * asyncio's {@code __aexit__}.
     *
     * @param bodyError what the body threw, or null
     * @param cancelInFlight whether a cancellation of the body is known or inferred (try form) without its error
     * @return what to throw, or null to go on normally (or to swallow {@code bodyError})
     */
    private @Nullable RuntimeException exit(@Nullable Throwable bodyError, boolean cancelInFlight) {
        exiting = true;
        CancelledError propagate = bodyError instanceof CancelledError ce ? ce : null;
        if ((bodyError != null || cancelInFlight) && !aborting) {
            abort();
        }
        CancelledError pending = null;
        while (!tasks.isEmpty()) {
            allDone = loop.createFuture();
            try {
                Async.await(allDone);
            } catch (CancelledError e) {
                pending = e;
                if (!aborting || (cancelInFlight && propagate == null)) {
                    propagate = e;
                    abort();
                }
            }
            allDone = null;
        }
        exited = true;
        if (parentCancelRequested) {
            if (parent.uncancel() == 0) {
                propagate = null;
                // only cancel() requests a cancel of the parent without a failure
                suppressed = cancelled && errors.isEmpty()
                        && (bodyError == null || bodyError instanceof CancelledError);
            } else if (propagate == null) {
                // a request that is not the group's is left: the wait absorbed it with the group's (gh-155433)
                propagate = pending;
            }
        }
        if (propagate != null && errors.isEmpty()) {
            return propagate;
        }
        if (bodyError != null && !(bodyError instanceof CancelledError)) {
            errors.add(bodyError);
        }
        if (errors.isEmpty()) {
            return null;
        }
        if (parent.cancelling() > 0) {
            // keep an outside cancellation pending for the parent's next await, as asyncio 3.13 does
            parent.uncancel();
            parent.cancel();
        }
        thrown = new TaskGroupException(errors);
        return thrown;
    }

    private void abort() {
        aborting = true;
        for (Task<?> t : List.copyOf(tasks)) {
            if (!t.isDone()) {
                t.cancel();
            }
        }
    }

    private void taskDone(Future<?> task) {
        BaseFuture.discardFromAwaitedBy(task, parent);
        tasks.remove(task);
        if (allDone != null && tasks.isEmpty() && !allDone.isDone()) {
            allDone.setResult(null);
        }
        if (task.isCancelled()) {
            return;
        }
        Throwable e = task.exception().orElse(null);
        if (e == null) {
            return;
        }
        errors.add(e);
        if (parent.isDone()) {
            loop.callExceptionHandler(ExceptionContext.builder("Task " + task
                            + " has errored out but its parent task " + parent + " is already completed")
                    .exception(e)
                    .task((Task<?>) task)
                    .build());
            return;
        }
        if (!aborting && !parentCancelRequested) {
            abort();
            parentCancelRequested = true;
            parent.cancel();
        }
    }
}
