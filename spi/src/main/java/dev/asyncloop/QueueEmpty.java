package dev.asyncloop;

import org.jspecify.annotations.Nullable;

/** asyncio's {@code QueueEmpty}: {@link AsyncQueue#getNowait} on an empty queue. */
public class QueueEmpty extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message which queue, or null
     */
    public QueueEmpty(@Nullable String message) {
        super(message);
    }
}
