package dev.asyncloop;

import java.util.Objects;

/**
 * asyncio's stream functions {@code open_connection} and {@code start_server}: TCP connections as a
 * {@link StreamReader} and a {@link StreamWriter} instead of a protocol. Built only on
 * {@link EventLoop#createConnection} and {@link EventLoop#createServer}, so they work on every loop that
 * claims {@code Capability.TCP}.
 *
 * <p><b>Threads.</b> Call these on the loop thread while the loop runs (inside a task or a callback): the
 * streams belong to {@link Async#getRunningLoop()}.
 */
public final class Streams {
    private Streams() {
    }

    /**
     * Opens a TCP connection with default options and the default limit.
     *
     * @param host a host name or literal address
     * @param port the port
     * @return a future of the reader and writer
     * @see #openConnection(String, int, ConnectOptions, int)
     */
    public static Future<StreamPair> openConnection(String host, int port) {
        return openConnection(host, port, ConnectOptions.defaults(), StreamReader.DEFAULT_LIMIT);
    }

    /**
     * Opens a TCP connection with the default limit.
     *
     * @param host a host name or literal address
     * @param port the port
     * @param options as for {@link EventLoop#createConnection(java.util.function.Supplier, String, int,
     *     ConnectOptions)}
     * @return a future of the reader and writer
     * @see #openConnection(String, int, ConnectOptions, int)
     */
    public static Future<StreamPair> openConnection(String host, int port, ConnectOptions options) {
        return openConnection(host, port, options, StreamReader.DEFAULT_LIMIT);
    }

    /**
     * Opens a TCP connection with default options.
     *
     * @param host a host name or literal address
     * @param port the port
     * @param limit the reader's limit
     * @return a future of the reader and writer
     * @see #openConnection(String, int, ConnectOptions, int)
     */
    public static Future<StreamPair> openConnection(String host, int port, int limit) {
        return openConnection(host, port, ConnectOptions.defaults(), limit);
    }

    /**
     * Opens a TCP connection through {@link EventLoop#createConnection} and returns its streams. The returned
     * future is a task: cancelling it cancels the connection attempt; it fails as {@code createConnection}'s
     * future does.
     *
     * @param host a host name or literal address
     * @param port the port
     * @param options local address and the like
     * @param limit the reader's limit (see {@link StreamReader})
     * @return a future of the reader and writer
     * @throws IllegalArgumentException if {@code limit <= 0}
     * @throws IllegalStateException if no loop runs on this thread
     */
    public static Future<StreamPair> openConnection(String host, int port, ConnectOptions options, int limit) {
        Objects.requireNonNull(options, "options");
        EventLoop loop = Async.getRunningLoop();
        StreamReader reader = new StreamReader(loop, limit);
        StreamProtocol protocol = new StreamProtocol(loop, reader, null);
        return loop.createTask(() -> {
            Connection<StreamProtocol> c = Async.await(loop.createConnection(() -> protocol, host, port, options));
            return new StreamPair(reader, new StreamWriter(c.transport(), protocol, reader, loop));
        }, "openConnection " + host + ":" + port);
    }

    /**
     * Starts a TCP server with default options and the default limit.
     *
     * @param handler runs once per connection
     * @param host the host to listen on, or null for every interface
     * @param port the port, 0 for an ephemeral one
     * @return a future of the server
     * @see #startServer(ClientConnectedHandler, String, int, ServerOptions, int)
     */
    public static Future<Server> startServer(ClientConnectedHandler handler, String host, int port) {
        return startServer(handler, host, port, ServerOptions.defaults(), StreamReader.DEFAULT_LIMIT);
    }

    /**
     * Starts a TCP server with the default limit.
     *
     * @param handler runs once per connection
     * @param host the host to listen on, or null for every interface
     * @param port the port, 0 for an ephemeral one
     * @param options backlog, reuse-address, start-serving
     * @return a future of the server
     * @see #startServer(ClientConnectedHandler, String, int, ServerOptions, int)
     */
    public static Future<Server> startServer(ClientConnectedHandler handler, String host, int port,
            ServerOptions options) {
        return startServer(handler, host, port, options, StreamReader.DEFAULT_LIMIT);
    }

    /**
     * Starts a TCP server through {@link EventLoop#createServer}. For each accepted connection it makes a
     * reader (with {@code limit}) and a writer and runs {@code handler} with them as a new task; see
     * {@link ClientConnectedHandler} for what happens when it returns or throws.
     *
     * @param handler runs once per connection
     * @param host the host to listen on, or null for every interface
     * @param port the port, 0 for an ephemeral one
     * @param options backlog, reuse-address, start-serving
     * @param limit each reader's limit
     * @return the future of {@code createServer}
     * @throws IllegalArgumentException if {@code limit <= 0}
     * @throws IllegalStateException if no loop runs on this thread
     */
    public static Future<Server> startServer(ClientConnectedHandler handler, String host, int port,
            ServerOptions options, int limit) {
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(options, "options");
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be > 0, got " + limit);
        }
        EventLoop loop = Async.getRunningLoop();
        return loop.createServer(() -> new StreamProtocol(loop, new StreamReader(loop, limit), handler), host, port,
                options);
    }
}
