package dev.asyncloop;

import org.jspecify.annotations.Nullable;

/**
 * Makes the tasks of {@link EventLoop#createTask(Coroutine, String, Context)} once installed with
 * {@link EventLoop#setTaskFactory} (asyncio's task factory).
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
}
