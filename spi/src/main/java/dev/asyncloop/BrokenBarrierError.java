package dev.asyncloop;

import org.jspecify.annotations.Nullable;

/**
 * asyncio's {@code BrokenBarrierError}: thrown by {@link Barrier#await()} when the barrier is aborted, or reset
 * while tasks wait in it. Unchecked, as it passes through coroutine bodies.
 */
public class BrokenBarrierError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the error.
     *
     * @param message what happened to the barrier, or null
     */
    public BrokenBarrierError(@Nullable String message) {
        super(message);
    }
}
