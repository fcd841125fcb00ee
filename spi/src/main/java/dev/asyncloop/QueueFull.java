package dev.asyncloop;

import org.jspecify.annotations.Nullable;

/** asyncio's {@code QueueFull}: {@link AsyncQueue#putNowait} on a full queue. */
public class QueueFull extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message which queue, how full, or null
     */
    public QueueFull(@Nullable String message) {
        super(message);
    }
}
