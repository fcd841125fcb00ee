package dev.asyncloop;

import java.io.PrintStream;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * asyncio's {@code Task}: a {@link Future} that drives a {@link Coroutine} on its loop.
 *
 * <p>A task steps its coroutine in the context it captured at creation. When the coroutine awaits a pending
 * future, the task waits for that future and resumes the coroutine when it is done. {@link #cancel(String)}
 * on a task waiting for a future cancels that future (rule T2.1); otherwise the next step throws
 * {@link CancelledError} into the coroutine. The task is cancelled only when its coroutine lets the
 * {@code CancelledError} escape. {@link #cancelling()} counts the cancel requests not yet withdrawn with
 * {@link #uncancel()} (T2.4), as asyncio's timeouts and task groups need.
 *
 * <p>{@link #setResult} and {@link #setException} throw {@link UnsupportedOperationException}: only the
 * coroutine finishes a task. Threading is as for {@link Future}.
 *
 * @param <T> the result type
 */
public interface Task<T extends @Nullable Object> extends Future<T> {

    /**
     * Returns the task's name: the one given at creation or {@code Task-N}.
     *
     * @return the name
     */
    String getName();

    /**
     * Renames the task.
     *
     * @param name the new name, not null
     */
    void setName(String name);

    /**
     * Returns the coroutine this task drives.
     *
     * @return the coroutine
     */
    Coroutine<T> getCoro();

    /**
     * Returns the context every step of this task runs in.
     *
     * @return the task's context
     */
    Context getContext();

    /**
     * Returns the number of pending cancellation requests: {@link #cancel} calls not yet withdrawn with
     * {@link #uncancel()}.
     *
     * @return the count
     */
    int cancelling();

    /**
     * Withdraws one cancellation request; when none remain, a cancellation not yet delivered is dropped.
     *
     * @return the remaining count
     */
    int uncancel();

    /**
     * Returns the stack of the task: where its coroutine is suspended, or the stack of the exception it
     * finished with, or an empty list.
     *
     * @return the frames, innermost first
     */
    List<StackTraceElement> getStack();

    /**
     * Prints {@link #getStack()} in asyncio's format ("Stack for ...", "Traceback for ..." or "No stack for ...",
     * then the frames), then, for a failed task, the exception's line (its {@link Throwable#toString()}, as
     * asyncio's {@code print_stack} ends with the exception), without marking the exception retrieved. A task
     * that relies on {@link #printStack(PrintStream, int)}'s default prints no exception line: an interface
     * method cannot read the exception without {@link #exception()}, which would mark it retrieved;
     * {@code BaseTask} prints it. Loop thread only.
     *
     * @param out where to print
     */
    void printStack(PrintStream out);

    /**
     * Returns at most {@code limit} frames of {@link #getStack()}: the innermost ones (asyncio's
     * {@code get_stack(limit=...)}). For a suspended task these are the newest frames, as in asyncio. For a
     * failed task asyncio keeps the oldest frames of the traceback instead, which there start at the task's
     * coroutine; a Java stack trace goes on below the task to the loop, the engine and the thread's start, so
     * its oldest frames are never the task's, and the innermost ones (where the exception was thrown) are kept.
     * Called as {@link #getStack()} is.
     *
     * @param limit the most frames to return, 0 for none
     * @return the frames, innermost first; an unmodifiable list
     * @throws IllegalArgumentException if {@code limit} is negative
     */
    default List<StackTraceElement> getStack(int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be 0 or more (the most frames to return), got " + limit);
        }
        List<StackTraceElement> all = getStack();
        return List.copyOf(all.size() <= limit ? all : all.subList(0, limit));
    }

    /**
     * Prints {@link #getStack(int) getStack(limit)} as {@link #printStack(PrintStream)} does (asyncio's
     * {@code print_stack(limit=..., file=...)}): a header, "Stack for ..." while suspended, "Traceback for ..."
     * once failed, then one {@code "\tat frame"} line per frame, innermost first; "No stack for ..." when there is
     * no frame to print (also for {@code limit} 0). This default prints no exception line after the frames (it
     * could only read the exception through {@link #exception()}, which marks it retrieved); a task class that
     * keeps its exception readable otherwise overrides it to print the exception's {@link Throwable#toString()}
     * last, as {@code BaseTask} does (asyncio prints it after the frames, also after "No stack for").
     *
     * @param out where to print
     * @param limit the most frames to print
     * @throws NullPointerException if {@code out} is null
     * @throws IllegalArgumentException if {@code limit} is negative
     */
    default void printStack(PrintStream out, int limit) {
        java.util.Objects.requireNonNull(out, "out");
        List<StackTraceElement> frames = getStack(limit);
        if (frames.isEmpty()) {
            out.println("No stack for " + this);
            return;
        }
        out.println((isDone() ? "Traceback for " : "Stack for ") + this + " (most recent call first):");
        for (StackTraceElement f : frames) {
            out.println("\tat " + f);
        }
    }
}
