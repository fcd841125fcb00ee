package dev.asyncloop;

/**
 * What {@link Streams#startServer} runs for each accepted connection (asyncio's {@code client_connected_cb}
 * coroutine): the body of a task of its own, so it may {@link Async#await} the streams' futures.
 *
 * <p>When it returns, the connection stays as it is: close the writer when done. When it throws, the exception is
 * reported to the loop's exception handler with the message "Unhandled exception in client connected handler"
 * (with the exception, the task, the transport and the protocol) and the connection is closed. When its task is
 * cancelled, the connection is closed and nothing is reported.
 *
 * <p>It always runs as the body of a task, started from {@link Protocol#connectionMade}, so its first step runs
 * one loop iteration after the connection is made. To serve from a plain callback, start your own task or
 * callbacks from it and return.
 */
@FunctionalInterface
public interface ClientConnectedHandler {
    /**
     * Serves one connection, on the loop thread, inside its own task.
     *
     * @param reader the connection's reader
     * @param writer the connection's writer
     * @throws Exception anything; it is reported and the connection closed ({@link CancelledError}: closed only)
     */
    void handle(StreamReader reader, StreamWriter writer) throws Exception;
}
