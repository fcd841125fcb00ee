package dev.asyncloop.examples;

import dev.asyncloop.Async;
import dev.asyncloop.Future;
import dev.asyncloop.Server;
import dev.asyncloop.ServerOptions;
import dev.asyncloop.StreamReader;
import dev.asyncloop.StreamWriter;
import dev.asyncloop.Streams;
import java.io.IOException;

/**
 * TCP echo server written with streams (asyncio's {@code start_server} example): one task per client reads what
 * arrives and writes it back, waiting in {@code drain()} when the client does not keep up.
 *
 * <p>{@code StreamsEchoServer [--host HOST] [--port PORT]} (default 127.0.0.1:8889; port 0 = ephemeral) prints
 * {@code READY <port>} once listening and stops on SIGTERM or Ctrl-C.
 */
public final class StreamsEchoServer {
    /** The port without {@code --port}. */
    public static final int DEFAULT_PORT = 8889;

    private StreamsEchoServer() {
    }

    /**
     * Runs the server until SIGTERM or Ctrl-C.
     *
     * @param args {@code --host HOST --port PORT}
     */
    public static void main(String[] args) {
        app().runMain(args, DEFAULT_PORT);
    }

    /**
     * Returns a runnable instance, for tests and embedding.
     *
     * @return the app
     */
    public static ServerApp app() {
        return new ServerApp("StreamsEchoServer", StreamsEchoServer::start);
    }

    /** Bytes asked for per read, and the readers' limit: asyncio's {@code start_server} echo uses the same. */
    static final int CHUNK = 256 * 1024;

    static Future<Server> start(String host, int port) {
        return Streams.startServer(StreamsEchoServer::serve, host, port, ServerOptions.defaults(), CHUNK);
    }

    /**
     * The handler: runs as its own task per connection. A connection error (an {@link IOException}, which
     * {@code Async.await(future, IOException.class)} throws as it is) ends it quietly; anything else is reported
     * by {@code startServer}.
     */
    static void serve(StreamReader reader, StreamWriter writer) {
        try {
            while (true) {
                byte[] data = Async.await(reader.read(CHUNK), IOException.class);
                if (data.length == 0) {
                    break; // end of stream
                }
                writer.write(data);
                Async.await(writer.drain(), IOException.class);
            }
        } catch (IOException e) {
            return; // the client reset the connection: nothing to report, the transport is already closed
        } finally {
            writer.close();
        }
        Async.await(writer.waitClosed());
    }
}
