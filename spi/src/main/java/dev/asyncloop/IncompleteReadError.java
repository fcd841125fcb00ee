package dev.asyncloop;

import java.util.Objects;

/**
 * asyncio's {@code IncompleteReadError}: the stream ended before a {@link StreamReader} read could complete.
 * {@link #partial()} holds the bytes that were read (and removed from the reader's buffer) before the end.
 *
 * <p>Unchecked, like {@link TimeoutError}, so that it passes through {@link Async#await} as it is. It is not a
 * {@link java.io.EOFException} (asyncio's extends {@code EOFError}) because that one is checked.
 */
public class IncompleteReadError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The bytes read before the end of the stream. */
    private final byte[] partial;
    /** The total the read wanted, or -1 when it awaited a separator. */
    private final int expected;

    /**
     * Creates the error.
     *
     * @param partial the bytes read before the end of the stream; the error keeps this array (no copy)
     * @param expected how many bytes were expected in total, or -1 when unknown (a separator was awaited)
     * @throws NullPointerException if {@code partial} is null
     */
    public IncompleteReadError(byte[] partial, int expected) {
        super(Objects.requireNonNull(partial, "partial").length + " bytes read on a total of " + (expected < 0 ? "undefined" : expected)
                + " expected bytes");
        this.partial = partial;
        this.expected = expected;
    }

    /**
     * Returns the bytes read before the stream ended. The array is the error's own; do not change it.
     *
     * @return the partial data, possibly empty
     */
    public byte[] partial() {
        return partial;
    }

    /**
     * Returns how many bytes the read wanted.
     *
     * @return the expected total, or -1 when it was not a fixed count (asyncio's {@code None})
     */
    public int expected() {
        return expected;
    }
}
