package dev.asyncloop;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * asyncio's {@code Future}: a result that will be set later, bound to one {@link EventLoop}.
 *
 * <p>States are {@link State#PENDING}, {@link State#CANCELLED} and {@link State#FINISHED} (with a value or an
 * exception). Done-callbacks are scheduled on the loop with {@code callSoon} in the context captured when they
 * were added, in the order they were added, and never called inline (rule F3.1).
 *
 * <p><b>Threads.</b> Not thread-safe: every method is for the loop thread (or for any thread while the loop
 * is not running). The ways in from other threads are {@link EventLoop#callSoonThreadsafe(Runnable)} and
 * {@link EventLoop#wrapFuture(java.util.concurrent.CompletableFuture)}. It deliberately does not implement
 * {@link java.util.concurrent.Future}: a blocking {@code get()} on the loop thread would deadlock.
 *
 * <p><b>Exceptions.</b> {@link #result()} rethrows a stored unchecked exception or error as it is; a stored
 * checked exception is wrapped in a {@link CompletionException} whose cause it is (as
 * {@link java.util.concurrent.CompletableFuture#join()} does). {@link #exception()} always returns the
 * original. A failed future whose exception is never read is reported through the loop's exception handler
 * when it becomes unreachable ("Future exception was never retrieved", rule F4.1).
 *
 * @param <T> the result type
 */
public interface Future<T extends @Nullable Object> {

    /** asyncio's future states. */
    enum State {
        /** Not done yet. */
        PENDING,
        /** Done by {@link Future#cancel}. */
        CANCELLED,
        /** Done with a result or an exception. */
        FINISHED
    }

    /**
     * Returns the loop this future is bound to.
     *
     * @return the loop
     */
    EventLoop getLoop();

    /**
     * Returns the state.
     *
     * @return the current state
     */
    State state();

    /**
     * Tells whether the future is done: finished or cancelled.
     *
     * @return true unless pending
     */
    default boolean isDone() {
        return state() != State.PENDING;
    }

    /**
     * Tells whether the future was cancelled.
     *
     * @return true if cancelled
     */
    default boolean isCancelled() {
        return state() == State.CANCELLED;
    }

    /**
     * Returns the result (rule F1.1).
     *
     * @return the value set with {@link #setResult}
     * @throws CancelledError if the future was cancelled
     * @throws InvalidStateError if the future is still pending ("Result is not ready.")
     * @throws CompletionException wrapping a checked exception set with {@link #setException}; unchecked
     *     exceptions and errors are rethrown as they are
     */
    T result();

    /**
     * Returns the exception the future finished with, and marks it as retrieved.
     *
     * @return the exception, or empty if it finished with a result
     * @throws CancelledError if the future was cancelled
     * @throws InvalidStateError if the future is still pending ("Exception is not set.")
     */
    Optional<Throwable> exception();

    /**
     * Finishes the future with a value and schedules its done-callbacks.
     *
     * @param value the result; may be null
     * @throws InvalidStateError if the future is already done
     */
    void setResult(T value);

    /**
     * Finishes the future with an exception and schedules its done-callbacks.
     *
     * @param exception the exception, not null
     * @throws InvalidStateError if the future is already done
     */
    void setException(Throwable exception);

    /**
     * Cancels the future with no message.
     *
     * @return false if it was already done, else true
     */
    default boolean cancel() {
        return cancel(null);
    }

    /**
     * Cancels the future: it becomes {@link State#CANCELLED} and its done-callbacks are scheduled.
     *
     * @param message carried by the {@link CancelledError} that {@link #result()} throws; may be null
     * @return false if it was already done, else true
     */
    boolean cancel(@Nullable String message);

    /**
     * Adds a callback to run, with this future as argument, when the future is done. If it is already done
     * the callback is scheduled with {@code callSoon} at once; it is never called inline.
     *
     * @param callback the callback
     */
    void addDoneCallback(Consumer<? super Future<T>> callback);

    /**
     * Like {@link #addDoneCallback(Consumer)} but runs the callback in {@code context} instead of a copy of
     * the caller's current context.
     *
     * @param callback the callback, not null
     * @param context the context to run it in, not null (the one-argument form takes a copy of the current one)
     * @throws NullPointerException if either is null
     */
    void addDoneCallback(Consumer<? super Future<T>> callback, Context context);

    /**
     * Removes every registration of {@code callback} (compared with {@code equals}).
     *
     * @param callback the callback to remove
     * @return how many registrations were removed; 0 if none
     */
    int removeDoneCallback(Consumer<? super Future<T>> callback);

    /**
     * Returns where the future was created, when the loop was in debug mode at that time.
     *
     * @return the creation stack, or an empty list outside debug mode
     */
    List<StackTraceElement> sourceTraceback();
}
