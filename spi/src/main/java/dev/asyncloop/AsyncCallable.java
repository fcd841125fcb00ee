package dev.asyncloop;

import org.jspecify.annotations.Nullable;

/**
 * The body of a straight-line coroutine: code that may call {@link Async#await(Future)} and
 * {@link Async#sleep(java.time.Duration)} and returns the task's result.
 *
 * <p>A checked exception thrown by the body becomes the task's exception as it is.
 *
 * @param <T> the result type; use {@code Void} and return {@code null} for none
 */
@FunctionalInterface
public interface AsyncCallable<T extends @Nullable Object> {
    /**
     * Runs the body inside its task.
     *
     * @return the task's result
     * @throws Exception anything; it becomes the task's exception
     */
    T call() throws Exception;
}
