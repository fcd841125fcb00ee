package dev.asyncloop;

import java.io.Serial;
import org.jspecify.annotations.Nullable;

/**
 * Thrown by {@link Runner#run} when a Ctrl-C (SIGINT) cancelled the main task and the task ended cancelled
 * without having withdrawn that cancellation: Python's {@code KeyboardInterrupt}. Unchecked, so it ends the
 * program like an uncaught interrupt unless caught.
 */
public final class KeyboardInterrupt extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param cause the main task's cancellation, or null
     */
    public KeyboardInterrupt(@Nullable Throwable cause) {
        super("KeyboardInterrupt: the main task was cancelled by SIGINT (Ctrl-C)", cause);
    }
}
