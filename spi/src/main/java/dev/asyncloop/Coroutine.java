package dev.asyncloop;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The protocol a {@link Task} steps, as asyncio's Task steps a Python coroutine.
 *
 * <p>Application code does not implement it: it writes an {@link AsyncCallable} and
 * {@link #of(AsyncCallable)} turns it into a coroutine on the selected engine. Anything else that can answer
 * these three calls can be a task: a hand-written state machine, generated code, another language.
 *
 * <p>Each call runs the coroutine until it suspends or ends, and answers with a {@link Step}:
 * {@link Awaiting} a future (the task resumes it when that future is done), {@link Yielded} (resume it on
 * the next loop iteration, like a bare {@code yield}), {@link Returned} or {@link Threw}. A coroutine is
 * driven by one thread at a time, always the loop thread of its task; it is not thread-safe.
 *
 * @param <T> the result type
 */
public interface Coroutine<T extends @Nullable Object> {

    /**
     * Starts or resumes the coroutine (Python's {@code coro.send(value)}); a task always sends {@code null}
     * and the coroutine reads the result of the future it awaited itself.
     *
     * @param value the value sent in; null from a task
     * @return what the coroutine did, never null (a task throws an {@link IllegalStateException} back into a
     *     coroutine that answers null, as asyncio does for a bad yield); a coroutine that throws instead of
     *     answering {@link Threw} also ends its task with that exception
     * @throws IllegalStateException if the coroutine already ended
     */
    Step<T> send(@Nullable Object value);

    /**
     * Resumes the coroutine by throwing {@code error} at the point where it is suspended (Python's
     * {@code coro.throw}); a coroutine that never started ends with {@code error} at once. The engines' coroutines
     * ({@link #of}) throw a {@link CancelledError} as a new one made at the suspension point, with the same message
     * and {@code error} as its cause, so that its stack shows where the body was cancelled (Java does not add the
     * frames an exception passes through, as Python does); any other error is thrown as it is.
     *
     * @param error what to throw in
     * @return what the coroutine did, never null (as for {@link #send})
     * @throws IllegalStateException if the coroutine already ended
     */
    Step<T> throwInto(Throwable error);

    /**
     * Ends a suspended coroutine, running its {@code finally} blocks (Python's {@code coro.close()}).
     * Does nothing if it never started or already ended.
     *
     * @throws IllegalStateException if the coroutine suspends again instead of ending
     */
    void close();

    /**
     * Returns where the coroutine is suspended, when the engine can tell.
     *
     * @return frames innermost first, or an empty list
     */
    default List<StackTraceElement> stack() {
        return List.of();
    }

    /**
     * Makes a coroutine that runs {@code body} on the coroutine engine this JVM uses (see
     * {@code -Dasyncloop.coroutines}). The body starts at the first {@link #send}.
     *
     * @param body the straight-line code
     * @param <T> the result type
     * @return the coroutine
     */
    static <T extends @Nullable Object> Coroutine<T> of(AsyncCallable<T> body) {
        return CoroutineEngine.get().newCoroutine(Objects.requireNonNull(body, "body"));
    }

    /**
     * Names the coroutine engine this JVM uses: {@code "continuation"} or {@code "virtual"}.
     *
     * @return the engine's name
     */
    static String engineName() {
        return CoroutineEngine.get().name();
    }

    /**
     * What a coroutine did when it was sent a value or thrown an exception.
     *
     * @param <T> the coroutine's result type
     */
    sealed interface Step<T extends @Nullable Object> permits Awaiting, Yielded, Returned, Threw {
    }

    /**
     * The coroutine suspended until {@code future} is done.
     *
     * @param future the awaited future
     * @param <T> the coroutine's result type
     */
    record Awaiting<T extends @Nullable Object>(Future<?> future) implements Step<T> {
        /**
         * Creates the step.
         *
         * @throws NullPointerException if {@code future} is null
         */
        public Awaiting {
            Objects.requireNonNull(future, "future");
        }
    }

    /**
     * The coroutine gave up control for one loop iteration (asyncio's {@code sleep(0)}).
     *
     * @param <T> the coroutine's result type
     */
    record Yielded<T extends @Nullable Object>() implements Step<T> {
        private static final Yielded<?> INSTANCE = new Yielded<>();

        /**
         * Returns the shared instance; a {@code Yielded} carries nothing, so one serves every coroutine.
         *
         * @param <T> the coroutine's result type
         * @return the instance
         */
        @SuppressWarnings("unchecked")
        public static <T extends @Nullable Object> Yielded<T> instance() {
            return (Yielded<T>) INSTANCE;
        }
    }

    /**
     * The coroutine returned {@code value}.
     *
     * @param value the result; may be null
     * @param <T> the coroutine's result type
     */
    record Returned<T extends @Nullable Object>(T value) implements Step<T> {
    }

    /**
     * The coroutine ended by throwing {@code error}.
     *
     * @param error the exception or error
     * @param <T> the coroutine's result type
     */
    record Threw<T extends @Nullable Object>(Throwable error) implements Step<T> {
        /**
         * Creates the step.
         *
         * @throws NullPointerException if {@code error} is null
         */
        public Threw {
            Objects.requireNonNull(error, "error");
        }
    }
}
