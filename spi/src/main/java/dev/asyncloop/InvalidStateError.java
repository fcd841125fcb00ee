package dev.asyncloop;

import org.jspecify.annotations.Nullable;

/**
 * asyncio's {@code InvalidStateError}: an operation on a {@link Future} that its state does not allow,
 * such as reading the result of a pending future or setting the result of a finished one.
 */
public class InvalidStateError extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the error.
     *
     * @param message what was attempted and in which state, or null
     */
    public InvalidStateError(@Nullable String message) {
        super(message);
    }
}
