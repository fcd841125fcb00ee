package dev.asyncloop.examples;

import dev.asyncloop.Async;
import dev.asyncloop.BufferedProtocol;
import dev.asyncloop.Future;
import dev.asyncloop.Server;
import dev.asyncloop.StreamTransport;
import dev.asyncloop.Transport;
import java.nio.ByteBuffer;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * TCP echo server written with a {@link BufferedProtocol}: the transport reads straight into the connection's own
 * buffer, and the protocol writes those bytes back from it. When a client does not read its echoes, the server
 * stops reading from it until the write buffer drains (flow control), so a flood cannot grow memory without
 * bound.
 *
 * <p>{@code BufferedEchoServer [--host HOST] [--port PORT]} (default 127.0.0.1:8891; port 0 = ephemeral) prints
 * {@code READY <port>} once listening and stops on SIGTERM or Ctrl-C.
 */
public final class BufferedEchoServer {
    /** The port without {@code --port}. */
    public static final int DEFAULT_PORT = 8891;
    /**
     * Size of each connection's input buffer, the most one read takes: 256 KiB, as the asyncio buffered echo it
     * is measured against (with 64 KiB, 16 pipelined 16 KiB messages took four reads and four writes).
     */
    static final int BUFFER_SIZE = 256 * 1024;

    private BufferedEchoServer() {
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
        return new ServerApp("BufferedEchoServer", BufferedEchoServer::start);
    }

    /**
     * Starts listening; inside a task on the loop.
     *
     * @param host the host
     * @param port the port, 0 for an ephemeral one
     * @return the server's future
     */
    static Future<Server> start(String host, int port) {
        return Async.getRunningLoop().createServer(BufferedEchoProtocol::new, host, port);
    }

    /**
     * One per connection; loop thread only. The buffer is direct, so neither the read nor the write goes through
     * the JDK's temporary direct copy; it is allocated at the first read, so idle connections cost nothing.
     */
    static final class BufferedEchoProtocol implements BufferedProtocol {
        private StreamTransport transport;
        private @Nullable ByteBuffer in;

        @Override
        public void connectionMade(Transport transport) {
            this.transport = (StreamTransport) transport;
        }

        @Override
        public ByteBuffer getBuffer(int sizeHint) {
            ByteBuffer buffer = in;
            if (buffer == null) {
                buffer = ByteBuffer.allocateDirect(BUFFER_SIZE);
                in = buffer;
            }
            return buffer.clear();
        }

        @Override
        public void bufferUpdated(int nbytes) {
            // write() sends what the socket takes and copies the rest into its queue before it returns (the
            // WriteTransport contract: it keeps no reference), so the next read may overwrite the buffer.
            transport.write(Objects.requireNonNull(in, "getBuffer comes first").flip());
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
