package dev.asyncloop;

import dev.asyncloop.spi.BaseFuture;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * asyncio's stream functions {@code open_connection}, {@code start_server}, {@code open_unix_connection} and
 * {@code start_unix_server}: TCP and Unix-domain connections as a {@link StreamReader} and a
 * {@link StreamWriter} instead of a protocol; and pipes as a {@link StreamReader} ({@link #openReadPipe}) or a
 * {@link StreamWriter} ({@link #openWritePipe}), which need a loop that claims {@code Capability.PIPES}. The TCP
 * functions are built only on {@link EventLoop#createConnection} and {@link EventLoop#createServer}, so they work
 * on every loop that claims {@code Capability.TCP}; the Unix ones only on {@link EventLoop#createUnixConnection}
 * and {@link EventLoop#createUnixServer}, so they need a loop that claims {@code Capability.UNIX_SOCKETS}.
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
     * future is a task: cancelling it cancels the connection attempt, or closes the connection if it was made
     * meanwhile; it fails as {@code createConnection}'s future does.
     *
     * @param host a host name or literal address
     * @param port the port, 0 to 65535
     * @param options local address and the like
     * @param limit the reader's limit (see {@link StreamReader})
     * @return a future of the reader and writer
     * @throws IllegalArgumentException if {@code limit <= 0} or {@code port} is out of range
     * @throws IllegalStateException if no loop runs on this thread
     */
    public static Future<StreamPair> openConnection(String host, int port, ConnectOptions options, int limit) {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(options, "options");
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("port must be between 0 and 65535, got " + port);
        }
        return open(limit, (loop, protocol) -> loop.createConnection(protocol, host, port, options),
                "openConnection " + host + ":" + port);
    }

    /**
     * Wraps an already-connected socket in streams with the default limit.
     *
     * @param channel a connected socket channel; the loop takes it over
     * @return a future of the reader and writer
     * @see #openConnection(java.nio.channels.SocketChannel, int)
     */
    public static Future<StreamPair> openConnection(java.nio.channels.SocketChannel channel) {
        return openConnection(channel, StreamReader.DEFAULT_LIMIT);
    }

    /**
     * Wraps an already-connected socket (TCP or Unix-domain, connected elsewhere) in streams, through
     * {@link EventLoop#connectAcceptedSocket} (asyncio's {@code open_connection(sock=sock)}). The loop makes the
     * channel non-blocking and owns it from then on: closing the writer closes it. The returned future is a task:
     * cancelling it closes the channel's transport if it was made meanwhile.
     *
     * @param channel a connected socket channel
     * @param limit the reader's limit (see {@link StreamReader})
     * @return a future of the reader and writer
     * @throws IllegalArgumentException if {@code limit <= 0}, or {@code channel} is closed or not connected
     * @throws IllegalStateException if no loop runs on this thread (the future fails with one if the loop already
     *     uses {@code channel})
     */
    public static Future<StreamPair> openConnection(java.nio.channels.SocketChannel channel, int limit) {
        Objects.requireNonNull(channel, "channel");
        if (!channel.isOpen() || !channel.isConnected()) {
            throw new IllegalArgumentException("channel " + channel + " is " + (channel.isOpen() ? "not connected"
                    : "closed") + "; expected a connected socket (connect it first, or use openConnection(host,"
                    + " port))");
        }
        return open(limit, (loop, protocol) -> loop.connectAcceptedSocket(protocol, channel),
                "openConnection " + channel);
    }

    /**
     * Opens a Unix-domain connection with the default limit.
     *
     * @param path the socket file
     * @return a future of the reader and writer
     * @see #openUnixConnection(Path, int)
     */
    public static Future<StreamPair> openUnixConnection(Path path) {
        return openUnixConnection(path, StreamReader.DEFAULT_LIMIT);
    }

    /**
     * Opens a Unix-domain connection through {@link EventLoop#createUnixConnection} and returns its streams
     * (asyncio's {@code open_unix_connection}). The returned future is a task: cancelling it cancels the
     * connection attempt, or closes the connection if it was made meanwhile; it fails as
     * {@code createUnixConnection} does: with the connect error (an {@link java.io.IOException}, e.g. when
     * nothing listens at {@code path}), or with {@link UnsupportedOperationException} when the loop has no
     * Unix-domain sockets.
     *
     * @param path the socket file
     * @param limit the reader's limit (see {@link StreamReader})
     * @return a future of the reader and writer
     * @throws IllegalArgumentException if {@code limit <= 0}
     * @throws IllegalStateException if no loop runs on this thread
     */
    public static Future<StreamPair> openUnixConnection(Path path, int limit) {
        Objects.requireNonNull(path, "path");
        return open(limit, (loop, protocol) -> loop.createUnixConnection(protocol, path), "openUnixConnection " + path);
    }

    /**
     * Opens a Unix-domain connection with options and the default limit.
     *
     * @param path the socket file
     * @param options TLS context, server host name, TLS timeouts
     * @return a future of the reader and writer
     * @see #openUnixConnection(Path, ConnectOptions, int)
     */
    public static Future<StreamPair> openUnixConnection(Path path, ConnectOptions options) {
        return openUnixConnection(path, options, StreamReader.DEFAULT_LIMIT);
    }

    /**
     * Opens a Unix-domain connection through
     * {@link EventLoop#createUnixConnection(Supplier, Path, ConnectOptions)} and returns its streams, over TLS
     * when {@link ConnectOptions#ssl()} is set (asyncio's {@code open_unix_connection(path, ssl=...)}); otherwise
     * as {@link #openUnixConnection(Path, int)}.
     *
     * @param path the socket file
     * @param options TLS context, server host name (required with TLS), TLS timeouts
     * @param limit the reader's limit (see {@link StreamReader})
     * @return a future of the reader and writer
     * @throws IllegalArgumentException if {@code limit <= 0}, or {@code options} do not apply to a Unix-domain
     *     connection (see {@code createUnixConnection})
     * @throws IllegalStateException if no loop runs on this thread
     */
    public static Future<StreamPair> openUnixConnection(Path path, ConnectOptions options, int limit) {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(options, "options");
        return open(limit, (loop, protocol) -> loop.createUnixConnection(protocol, path, options),
                "openUnixConnection " + path);
    }

    /**
     * Starts a TCP server on every interface with default options and the default limit (asyncio's
     * {@code start_server} with {@code host=None}).
     *
     * @param handler runs once per connection
     * @param port the port, 0 for an ephemeral one
     * @return a future of the server
     * @see #startServer(ClientConnectedHandler, int, ServerOptions, int)
     */
    public static Future<Server> startServer(ClientConnectedHandler handler, int port) {
        return startServer(handler, (String) null, port, ServerOptions.defaults(), StreamReader.DEFAULT_LIMIT);
    }

    /**
     * Starts a TCP server on every interface with the default limit.
     *
     * @param handler runs once per connection
     * @param port the port, 0 for an ephemeral one
     * @param options backlog, reuse-address, start-serving
     * @return a future of the server
     * @see #startServer(ClientConnectedHandler, int, ServerOptions, int)
     */
    public static Future<Server> startServer(ClientConnectedHandler handler, int port, ServerOptions options) {
        return startServer(handler, (String) null, port, options, StreamReader.DEFAULT_LIMIT);
    }

    /**
     * Starts a TCP server on every interface through {@link EventLoop#createServer(Supplier, int, ServerOptions)};
     * otherwise as {@link #startServer(ClientConnectedHandler, String, int, ServerOptions, int)} with a null host.
     *
     * @param handler runs once per connection
     * @param port the port, 0 for an ephemeral one
     * @param options backlog, reuse-address, start-serving
     * @param limit each reader's limit
     * @return the future of {@code createServer}
     * @throws IllegalArgumentException if {@code limit <= 0}
     * @throws IllegalStateException if no loop runs on this thread
     */
    public static Future<Server> startServer(ClientConnectedHandler handler, int port, ServerOptions options,
            int limit) {
        Objects.requireNonNull(options, "options");
        return serve(handler, limit, (loop, protocols) -> loop.createServer(protocols, port, options));
    }

    /**
     * Starts a TCP server with default options and the default limit.
     *
     * @param handler runs once per connection
     * @param host the host to listen on, or null or {@code ""} for every interface (as the overloads without a host)
     * @param port the port, 0 for an ephemeral one
     * @return a future of the server
     * @see #startServer(ClientConnectedHandler, String, int, ServerOptions, int)
     */
    public static Future<Server> startServer(ClientConnectedHandler handler, @Nullable String host, int port) {
        return startServer(handler, host, port, ServerOptions.defaults(), StreamReader.DEFAULT_LIMIT);
    }

    /**
     * Starts a TCP server with the default limit.
     *
     * @param handler runs once per connection
     * @param host the host to listen on, or null or {@code ""} for every interface (as the overloads without a host)
     * @param port the port, 0 for an ephemeral one
     * @param options backlog, reuse-address, start-serving
     * @return a future of the server
     * @see #startServer(ClientConnectedHandler, String, int, ServerOptions, int)
     */
    public static Future<Server> startServer(ClientConnectedHandler handler, @Nullable String host, int port,
            ServerOptions options) {
        return startServer(handler, host, port, options, StreamReader.DEFAULT_LIMIT);
    }

    /**
     * Starts a TCP server through {@link EventLoop#createServer}. For each accepted connection it makes a
     * reader (with {@code limit}) and a writer and runs {@code handler} with them as a new task; see
     * {@link ClientConnectedHandler} for what happens when it returns or throws.
     *
     * @param handler runs once per connection
     * @param host the host to listen on, or null or {@code ""} for every interface (as the overloads without a host)
     * @param port the port, 0 for an ephemeral one
     * @param options backlog, reuse-address, start-serving
     * @param limit each reader's limit
     * @return the future of {@code createServer}
     * @throws IllegalArgumentException if {@code limit <= 0}
     * @throws IllegalStateException if no loop runs on this thread
     */
    public static Future<Server> startServer(ClientConnectedHandler handler, @Nullable String host, int port,
            ServerOptions options, int limit) {
        Objects.requireNonNull(options, "options");
        return serve(handler, limit, (loop, protocols) -> loop.createServer(protocols, host, port, options));
    }

    /**
     * Starts a TCP server on several hosts with default options and the default limit.
     *
     * @param handler runs once per connection
     * @param hosts the hosts to listen on
     * @param port the port, 0 for an ephemeral one
     * @return a future of the server
     * @see #startServer(ClientConnectedHandler, List, int, ServerOptions, int)
     */
    public static Future<Server> startServer(ClientConnectedHandler handler, List<String> hosts, int port) {
        return startServer(handler, hosts, port, ServerOptions.defaults(), StreamReader.DEFAULT_LIMIT);
    }

    /**
     * Starts a TCP server on several hosts with the default limit.
     *
     * @param handler runs once per connection
     * @param hosts the hosts to listen on
     * @param port the port, 0 for an ephemeral one
     * @param options backlog, reuse-address, start-serving
     * @return a future of the server
     * @see #startServer(ClientConnectedHandler, List, int, ServerOptions, int)
     */
    public static Future<Server> startServer(ClientConnectedHandler handler, List<String> hosts, int port,
            ServerOptions options) {
        return startServer(handler, hosts, port, options, StreamReader.DEFAULT_LIMIT);
    }

    /**
     * Starts one TCP server on several hosts through {@link EventLoop#createServer(Supplier, List, int,
     * ServerOptions)}; otherwise as {@link #startServer(ClientConnectedHandler, String, int, ServerOptions, int)}.
     *
     * @param handler runs once per connection
     * @param hosts the hosts to listen on, at least one, none null or empty
     * @param port the port, 0 for an ephemeral one
     * @param options backlog, reuse-address, start-serving
     * @param limit each reader's limit
     * @return the future of {@code createServer}
     * @throws IllegalArgumentException if {@code limit <= 0} or {@code hosts} is empty or names an empty host
     * @throws IllegalStateException if no loop runs on this thread
     */
    public static Future<Server> startServer(ClientConnectedHandler handler, List<String> hosts, int port,
            ServerOptions options, int limit) {
        Objects.requireNonNull(hosts, "hosts");
        Objects.requireNonNull(options, "options");
        return serve(handler, limit, (loop, protocols) -> loop.createServer(protocols, hosts, port, options));
    }

    /**
     * Serves a listening socket made elsewhere through {@link EventLoop#createServer(Supplier,
     * java.nio.channels.ServerSocketChannel, ServerOptions)} (asyncio's {@code start_server(sock=...)}), TCP or
     * Unix-domain; otherwise as {@link #startServer(ClientConnectedHandler, String, int, ServerOptions, int)}.
     *
     * @param handler runs once per connection
     * @param channel an open, bound channel; the loop takes it over
     * @param options start-serving, keep-alive, backlog (the binding options do not apply)
     * @param limit each reader's limit
     * @return the future of {@code createServer}
     * @throws IllegalArgumentException if {@code limit <= 0}, or {@code channel} is closed or not bound
     * @throws IllegalStateException if no loop runs on this thread
     */
    public static Future<Server> startServer(ClientConnectedHandler handler,
            java.nio.channels.ServerSocketChannel channel, ServerOptions options, int limit) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(options, "options");
        return serve(handler, limit, (loop, protocols) -> loop.createServer(protocols, channel, options));
    }

    /**
     * Starts a Unix-domain server with default options and the default limit.
     *
     * @param handler runs once per connection
     * @param path the socket file to create
     * @return a future of the server
     * @see #startUnixServer(ClientConnectedHandler, Path, ServerOptions, int)
     */
    public static Future<Server> startUnixServer(ClientConnectedHandler handler, Path path) {
        return startUnixServer(handler, path, ServerOptions.defaults(), StreamReader.DEFAULT_LIMIT);
    }

    /**
     * Starts a Unix-domain server with the default limit.
     *
     * @param handler runs once per connection
     * @param path the socket file to create
     * @param options backlog, start-serving, cleanup of the socket file
     * @return a future of the server
     * @see #startUnixServer(ClientConnectedHandler, Path, ServerOptions, int)
     */
    public static Future<Server> startUnixServer(ClientConnectedHandler handler, Path path, ServerOptions options) {
        return startUnixServer(handler, path, options, StreamReader.DEFAULT_LIMIT);
    }

    /**
     * Starts a Unix-domain server through {@link EventLoop#createUnixServer} (asyncio's
     * {@code start_unix_server}); the socket file is handled as there (a stale one is replaced; closing the
     * server deletes it unless {@link ServerOptions#cleanupSocket()} is false). For each accepted connection it
     * makes a reader (with {@code limit}) and a writer and runs {@code handler} with them as a new task; see
     * {@link ClientConnectedHandler} for what happens when it returns or throws.
     *
     * @param handler runs once per connection
     * @param path the socket file to create
     * @param options backlog, start-serving, cleanup of the socket file
     * @param limit each reader's limit
     * @return the future of {@code createUnixServer}; failed with the bind error
     * @throws IllegalArgumentException if {@code limit <= 0}
     * @throws IllegalStateException if no loop runs on this thread
     * @throws UnsupportedOperationException if the loop has no Unix-domain sockets (a loop may also fail the
     *     future with it, as {@code createUnixServer} may)
     */
    public static Future<Server> startUnixServer(ClientConnectedHandler handler, Path path, ServerOptions options,
            int limit) {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(options, "options");
        return serve(handler, limit, (loop, protocols) -> loop.createUnixServer(protocols, path, options));
    }

    /**
     * Reads a pipe with the default limit.
     *
     * @param pipe the readable end
     * @param <C> the channel type
     * @return a future of the reader
     * @see #openReadPipe(SelectableChannel, int)
     */
    public static <C extends SelectableChannel & ReadableByteChannel> Future<StreamReader> openReadPipe(C pipe) {
        return openReadPipe(pipe, StreamReader.DEFAULT_LIMIT);
    }

    /**
     * Reads a pipe through a {@link StreamReader} (asyncio's {@code connect_read_pipe(lambda:
     * StreamReaderProtocol(reader), pipe)}), through {@link EventLoop#connectReadPipe}: the loop takes the channel
     * over; the reader gets the pipe's bytes and its end of stream, and pauses the transport when it holds more than
     * twice {@code limit}. The returned future is a task: cancelling it closes the transport if it was made.
     *
     * @param pipe the readable end, e.g. a {@link java.nio.channels.Pipe.SourceChannel}
     * @param limit the reader's limit (see {@link StreamReader})
     * @param <C> the channel type
     * @return a future of the reader, done once the transport reads
     * @throws IllegalArgumentException if {@code limit <= 0} or the pipe is closed
     * @throws IllegalStateException if no loop runs on this thread, or the loop already uses {@code pipe}
     * @throws UnsupportedOperationException if the loop has no pipes
     */
    public static <C extends SelectableChannel & ReadableByteChannel> Future<StreamReader> openReadPipe(C pipe,
            int limit) {
        Objects.requireNonNull(pipe, "pipe");
        EventLoop loop = Async.getRunningLoop();
        StreamReader reader = new StreamReader(loop, limit);
        StreamProtocol protocol = new StreamProtocol(loop, reader, null);
        Future<PipeConnection<ReadTransport, StreamProtocol>> connecting = loop.connectReadPipe(() -> protocol, pipe);
        return BaseFuture.closeIfUndelivered(loop.createTask(() -> {
            awaitPipe(connecting);
            return reader;
        }, "openReadPipe " + pipe), r -> connecting.result().transport().close());
    }

    /**
     * Writes a pipe through a {@link StreamWriter} (asyncio's {@code connect_write_pipe} with a
     * {@code StreamWriter}), through {@link EventLoop#connectWritePipe}: the loop takes the channel over;
     * {@link StreamWriter#drain()} waits while the pipe's buffer is above its high-water mark, and
     * {@link StreamWriter#close()} closes the pipe once the buffer is sent ({@link StreamWriter#writeEof()} too);
     * {@link StreamWriter#transport()} is the pipe's {@link WriteTransport}. The returned future is a task: cancelling
     * it closes the transport if it was made.
     *
     * @param pipe the writable end, e.g. a {@link java.nio.channels.Pipe.SinkChannel}
     * @param <C> the channel type
     * @return a future of the writer, done once the transport is ready
     * @throws IllegalArgumentException if the pipe is closed
     * @throws IllegalStateException if no loop runs on this thread, or the loop already uses {@code pipe}
     * @throws UnsupportedOperationException if the loop has no pipes
     */
    public static <C extends SelectableChannel & WritableByteChannel> Future<StreamWriter> openWritePipe(C pipe) {
        Objects.requireNonNull(pipe, "pipe");
        EventLoop loop = Async.getRunningLoop();
        StreamProtocol protocol = new StreamProtocol(loop, null, null);
        Future<PipeConnection<WriteTransport, StreamProtocol>> connecting = loop.connectWritePipe(() -> protocol,
                pipe);
        return BaseFuture.closeIfUndelivered(loop.createTask(
                () -> new StreamWriter(awaitPipe(connecting).transport(), protocol, null, loop),
                "openWritePipe " + pipe), StreamWriter::close);
    }

    /** Inside a task: the pipe's connection, failing with the loop's own error; closes it if cancelled late. */
    private static <T extends Transport> PipeConnection<T, StreamProtocol> awaitPipe(
            Future<PipeConnection<T, StreamProtocol>> connecting) throws Exception {
        try {
            return Async.await(connecting);
        } catch (CompletionException e) {
            if (connecting.isDone() && !connecting.isCancelled()
                    && connecting.exception().orElse(null) instanceof Exception cause) {
                throw cause;
            }
            throw e;
        } catch (CancelledError e) {
            if (connecting.isDone() && !connecting.isCancelled() && connecting.exception().isEmpty()) {
                connecting.result().transport().close();
            }
            throw e;
        }
    }

    /** The client side shared by the open functions: a reader and a protocol, connected inside a task. */
    private static Future<StreamPair> open(int limit, Connect connect, String name) {
        EventLoop loop = Async.getRunningLoop();
        StreamReader reader = new StreamReader(loop, limit);
        StreamProtocol protocol = new StreamProtocol(loop, reader, null);
        return BaseFuture.closeIfUndelivered(loop.createTask(() -> {
            Future<Connection<StreamProtocol>> connecting = connect.connect(loop, () -> protocol);
            Connection<StreamProtocol> c;
            try {
                c = Async.await(connecting);
            } catch (CompletionException e) {
                // Fail with the connect error itself, as the loop's future does, not with await's wrapper of it.
                if (connecting.isDone() && !connecting.isCancelled()
                        && connecting.exception().orElse(null) instanceof Exception cause) {
                    throw cause;
                }
                throw e;
            } catch (CancelledError e) {
                // Cancelled between the connection's completion and this task's wake-up: nobody else holds it.
                if (connecting.isDone() && !connecting.isCancelled() && connecting.exception().isEmpty()) {
                    connecting.result().transport().close();
                }
                throw e;
            }
            return new StreamPair(reader, new StreamWriter(c.transport(), protocol, reader, loop));
        }, name), pair -> pair.writer().close());
    }

    /** The server side shared by the start functions: one reader, protocol and handler task per connection. */
    private static Future<Server> serve(ClientConnectedHandler handler, int limit, Listen listen) {
        Objects.requireNonNull(handler, "handler");
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be > 0, got " + limit);
        }
        EventLoop loop = Async.getRunningLoop();
        return listen.listen(loop, () -> new StreamProtocol(loop, new StreamReader(loop, limit), handler));
    }

    /** One of the loop's connect calls, given the protocol to connect. */
    @FunctionalInterface
    private interface Connect {
        Future<Connection<StreamProtocol>> connect(EventLoop loop, Supplier<StreamProtocol> protocol);
    }

    /** One of the loop's server calls, given the protocol factory. */
    @FunctionalInterface
    private interface Listen {
        Future<Server> listen(EventLoop loop, Supplier<StreamProtocol> protocols);
    }
}
