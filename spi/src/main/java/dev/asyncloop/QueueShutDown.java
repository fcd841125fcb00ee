package dev.asyncloop;

import org.jspecify.annotations.Nullable;

/**
 * asyncio 3.13's {@code QueueShutDown}: the queue was {@linkplain AsyncQueue#shutdown(boolean) shut down}. Puts
 * throw it at once (waiting puts are woken to throw it); gets throw it once the queue is empty (at once after an
 * immediate shutdown, which empties it).
 */
public class QueueShutDown extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message which queue, which operation, or null
     */
    public QueueShutDown(@Nullable String message) {
        super(message);
    }
}
