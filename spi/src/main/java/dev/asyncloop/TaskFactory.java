package dev.asyncloop;

import org.jspecify.annotations.Nullable;

/**
 * Makes the tasks of {@link EventLoop#createTask(Coroutine, String, Context)} once installed with
 * {@link EventLoop#setTaskFactory} (asyncio's task factory). The task's name and context are the factory's to
 * apply (asyncio 3.14 passes every keyword argument of {@code create_task} to the factory); a caller's eager-start
 * choice comes through the five-argument {@code newTask}.
 *
 * <p>A factory may return any {@link Task} implementation; one that is not built on
 * {@code dev.asyncloop.spi.BaseTask} must follow {@code docs/writing-a-loop.md} (register with
 * {@code TaskRegistry}, enter and leave around each step) so that {@link Async#allTasks()} and
 * {@link Async#currentTask()} see it.
 */
public interface TaskFactory {
    /**
     * Creates and schedules a task.
     *
     * @param loop the loop the task belongs to
     * @param coroutine the coroutine to drive
     * @param name the name, or null for {@code Task-N}
     * @param context the context, or null for a copy of the current one
     * @param <T> the result type
     * @return the new task, already scheduled
     */
    <T extends @Nullable Object> Task<T> newTask(EventLoop loop, Coroutine<T> coroutine, @Nullable String name,
            @Nullable Context context);

    /**
     * Creates and schedules a task whose caller chose eager or lazy start (asyncio 3.14's
     * {@code create_task(..., eager_start=...)}, which {@code loop.create_task} passes on to the factory with the
     * other keyword arguments). The first step runs inside this call when {@code eagerStart} is true and the loop
     * is running, as {@code new BaseTask<>(loop, coroutine, name, context, eagerStart)} does.
     *
     * <p>The default refuses: a factory that does not override this method cannot honour the choice, as an
     * asyncio factory without an {@code eager_start} parameter fails with {@code TypeError}. Override it, or call
     * {@link EventLoop#createTask(Coroutine, String, Context)} without a choice.
     *
     * @param loop the loop the task belongs to
     * @param coroutine the coroutine to drive
     * @param name the name, or null for {@code Task-N}
     * @param context the context, or null for a copy of the current one
     * @param eagerStart whether the first step runs at once (when the loop is running)
     * @param <T> the result type
     * @return the new task, already scheduled (or, eagerly started, possibly done)
     * @throws UnsupportedOperationException if this factory does not take an eager-start choice
     */
    default <T extends @Nullable Object> Task<T> newTask(EventLoop loop, Coroutine<T> coroutine,
            @Nullable String name, @Nullable Context context, boolean eagerStart) {
        throw new UnsupportedOperationException("task factory " + this + " takes no eagerStart: override"
                + " TaskFactory.newTask(loop, coroutine, name, context, eagerStart), or call createTask without"
                + " eagerStart");
    }
}
