package dev.asyncloop.examples;

import dev.asyncloop.Async;
import dev.asyncloop.Future;
import dev.asyncloop.Protocol;
import dev.asyncloop.Server;
import dev.asyncloop.StreamTransport;
import dev.asyncloop.Transport;
import java.nio.ByteBuffer;

/**
 * TCP echo server written with a {@link Protocol} (asyncio's "TCP echo server protocol" example): every byte a
 * client sends comes back. When a client does not read its echoes, the server stops reading from it until the
 * write buffer drains (flow control), so a flood cannot grow memory without bound.
 *
 * <p>{@code EchoServer [--host HOST] [--port PORT]} (default 127.0.0.1:8888; port 0 = ephemeral) prints
 * {@code READY <port>} once listening and stops on SIGTERM or Ctrl-C.
 */
public final class EchoServer {
    /** The port without {@code --port}. */
    public static final int DEFAULT_PORT = 8888;

    private EchoServer() {
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
        return new ServerApp("EchoServer", EchoServer::start);
    }

    /**
     * Starts listening; inside a task on the loop.
     *
     * @param host the host
     * @param port the port, 0 for an ephemeral one
     * @return the server's future
     */
    static Future<Server> start(String host, int port) {
        return Async.getRunningLoop().createServer(EchoProtocol::new, host, port);
    }

    /** One per connection; loop thread only. */
    static final class EchoProtocol implements Protocol {
        private StreamTransport transport;

        @Override
        public void connectionMade(Transport transport) {
            this.transport = (StreamTransport) transport;
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            transport.write(data); // consumes the buffer during the call: no copy needed here
        }

        @Override
        public void pauseWriting() {
            transport.pauseReading();
        }

        @Override
        public void resumeWriting() {
            transport.resumeReading();
        }
    }
}
