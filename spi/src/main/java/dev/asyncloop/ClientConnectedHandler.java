package dev.asyncloop;

/**
 * What {@link Streams#startServer} runs for each accepted connection (asyncio's {@code client_connected_cb}
 * coroutine): the body of a task of its own, so it may {@link Async#await} the streams' futures.
 *
 * <p>When it returns, the connection stays as it is: close the writer when done. When it throws (or its task is
 * cancelled), the exception is reported to the loop's exception handler with the message
 * "Unhandled exception in client connected handler" and the connection is closed.
 */
@FunctionalInterface
public interface ClientConnectedHandler {
    /**
     * Serves one connection, on the loop thread, inside its own task.
     *
     * @param reader the connection's reader
     * @param writer the connection's writer
     * @throws Exception anything; it is reported and the connection closed
     */
    void handle(StreamReader reader, StreamWriter writer) throws Exception;
}
