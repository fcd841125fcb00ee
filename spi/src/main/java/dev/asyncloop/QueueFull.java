package dev.asyncloop;

/** asyncio's {@code QueueFull}: {@link AsyncQueue#putNowait} on a full queue. */
public class QueueFull extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message which queue, how full
     */
    public QueueFull(String message) {
        super(message);
    }
}
