package dev.asyncloop;

import org.jspecify.annotations.Nullable;

/**
 * asyncio's {@code TimeoutError}: a {@link Timeout}, {@link Tasks#waitFor} or {@link AsCompleted} deadline
 * passed.
 *
 * <p>It is unchecked, unlike {@link java.util.concurrent.TimeoutException}, because it is thrown through
 * coroutine bodies ({@link AsyncCallable}) and {@link Future#result()}, which let only unchecked exceptions
 * pass as they are. When a timeout cancelled the task to interrupt it, {@link #getCause()} is the
 * {@link CancelledError} the body ended with (asyncio's {@code raise TimeoutError from exc}).
 */
public class TimeoutError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the error.
     *
     * @param message what timed out, or null
     * @param cause the cancellation the timeout caused, or null
     */
    public TimeoutError(@Nullable String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
