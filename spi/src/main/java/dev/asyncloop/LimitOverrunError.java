package dev.asyncloop;

import org.jspecify.annotations.Nullable;

/**
 * asyncio's {@code LimitOverrunError}: a {@link StreamReader} looked for a separator and reached its limit
 * first. {@link #consumed()} tells how many bytes the caller would have to consume to get past what was
 * examined. After {@link StreamReader#readUntil} the data stays in the reader's buffer; after
 * {@link StreamReader#readLine} it is dropped (see there).
 *
 * <p>Unchecked, so it passes through {@link Async#await} as it is.
 */
public class LimitOverrunError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The number of bytes to consume to get past what the search examined. */
    private final int consumed;

    /**
     * Creates the error.
     *
     * @param message what overran, or null
     * @param consumed the number of bytes to be consumed
     */
    public LimitOverrunError(@Nullable String message, int consumed) {
        super(message);
        this.consumed = consumed;
    }

    /**
     * Returns the number of bytes to be consumed: the index of the separator when it was found beyond the
     * limit, else how far the search got.
     *
     * @return a byte count
     */
    public int consumed() {
        return consumed;
    }
}
