package dev.asyncloop;

/** asyncio's {@code QueueEmpty}: {@link AsyncQueue#getNowait} on an empty queue. */
public class QueueEmpty extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message which queue
     */
    public QueueEmpty(String message) {
        super(message);
    }
}
