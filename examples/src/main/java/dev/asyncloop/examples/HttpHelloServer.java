package dev.asyncloop.examples;

import dev.asyncloop.Async;
import dev.asyncloop.BufferedProtocol;
import dev.asyncloop.Future;
import dev.asyncloop.Server;
import dev.asyncloop.StreamTransport;
import dev.asyncloop.Transport;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A minimal HTTP/1.1 server written with a {@link BufferedProtocol} (the transport reads straight into the
 * protocol's buffer): {@code GET /} answers {@code 200 Hello, World!} with a {@code Content-Length}; other paths
 * 404, other methods 405. Connections are kept alive (HTTP/1.1's default) and pipelined requests are answered in
 * order, in one write per batch; {@code Connection: close} (or HTTP/1.0 without keep-alive) closes after the
 * response. A request head over 8 KiB gets 431 and the connection is closed. Request bodies with a
 * {@code Content-Length} are skipped; chunked bodies are refused with 501.
 *
 * <p>{@code HttpHelloServer [--host HOST] [--port PORT]} (default 127.0.0.1:8080; port 0 = ephemeral) prints
 * {@code READY <port>} once listening and stops on SIGTERM or Ctrl-C.
 */
public final class HttpHelloServer {
    /** The port without {@code --port}. */
    public static final int DEFAULT_PORT = 8080;
    static final int MAX_HEAD = 8 * 1024;
    private static final String CLOSE = "Connection: close\r\n";
    private static final byte[] BODY = "Hello, World!".getBytes(StandardCharsets.US_ASCII);

    private HttpHelloServer() {
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
        return new ServerApp("HttpHelloServer", HttpHelloServer::start);
    }

    static Future<Server> start(String host, int port) {
        return Async.getRunningLoop().createServer(HttpProtocol::new, host, port);
    }

    /** One per connection; loop thread only. */
    static final class HttpProtocol implements BufferedProtocol {
        private ByteBuffer in = ByteBuffer.allocate(16 * 1024); // bytes [0, position) are unparsed input
        private StreamTransport transport;
        private long bodyToSkip;
        private boolean closing;

        @Override
        public void connectionMade(Transport transport) {
            this.transport = (StreamTransport) transport;
        }

        @Override
        public ByteBuffer getBuffer(int sizeHint) {
            if (!in.hasRemaining()) {
                // Defensive: bufferUpdated leaves at most MAX_HEAD unparsed bytes (a longer head is refused and a
                // body is skipped as it arrives), so half of the buffer is always free.
                ByteBuffer bigger = ByteBuffer.allocate(in.capacity() * 2);
                in.flip();
                bigger.put(in);
                in = bigger;
            }
            return in;
        }

        @Override
        public void bufferUpdated(int nbytes) {
            if (closing) {
                in.clear();
                return;
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.flip(); // now [position, limit) is unparsed
            while (!closing) {
                if (bodyToSkip > 0) {
                    int skip = (int) Math.min(bodyToSkip, in.remaining());
                    in.position(in.position() + skip);
                    bodyToSkip -= skip;
                    if (bodyToSkip > 0) {
                        break;
                    }
                }
                int end = headEnd(in);
                if (end < 0) {
                    if (in.remaining() > MAX_HEAD) {
                        respond(out, 431, "Request Header Fields Too Large", CLOSE);
                        closing = true;
                    }
                    break;
                }
                String head = new String(in.array(), in.position(), end - in.position(), StandardCharsets.ISO_8859_1);
                in.position(end + 4);
                handle(head, out);
            }
            in.compact(); // back to [0, position) unparsed
            if (out.size() > 0) {
                transport.write(out.toByteArray());
            }
            if (closing) {
                in.clear();
                transport.close();
            }
        }

        @Override
        public boolean eofReceived() {
            return false; // the peer is done sending: close once the responses are flushed
        }

        /** Index of the "\r\n\r\n" that ends the head, or -1. */
        private static int headEnd(ByteBuffer b) {
            byte[] a = b.array();
            for (int i = b.position(); i + 3 < b.limit(); i++) {
                if (a[i] == '\r' && a[i + 1] == '\n' && a[i + 2] == '\r' && a[i + 3] == '\n') {
                    return i;
                }
            }
            return -1;
        }

        private void handle(String head, ByteArrayOutputStream out) {
            String[] lines = head.split("\r\n");
            String[] request = lines[0].split(" ");
            if (request.length != 3 || !request[2].startsWith("HTTP/1.")) {
                respond(out, 400, "Bad Request", CLOSE);
                closing = true;
                return;
            }
            boolean http10 = request[2].equals("HTTP/1.0");
            boolean keepAlive = !http10;
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon <= 0) {
                    continue;
                }
                String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = lines[i].substring(colon + 1).trim().toLowerCase(Locale.ROOT);
                switch (name) {
                    case "connection" -> {
                        if (value.contains("close")) {
                            keepAlive = false;
                        } else if (value.contains("keep-alive")) {
                            keepAlive = true;
                        }
                    }
                    case "content-length" -> {
                        try {
                            bodyToSkip = Long.parseLong(value);
                        } catch (NumberFormatException e) {
                            respond(out, 400, "Bad Request", CLOSE);
                            closing = true;
                            return;
                        }
                    }
                    case "transfer-encoding" -> {
                        respond(out, 501, "Not Implemented", CLOSE);
                        closing = true;
                        return;
                    }
                    default -> { }
                }
            }
            String headers = keepAlive ? (http10 ? "Connection: keep-alive\r\n" : "") : CLOSE;
            if (!request[0].equals("GET") && !request[0].equals("HEAD")) {
                respond(out, 405, "Method Not Allowed", headers + "Allow: GET, HEAD\r\n");
            } else if (!request[1].equals("/")) {
                respond(out, 404, "Not Found", headers);
            } else {
                out.writeBytes(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + BODY.length
                        + "\r\n" + headers + "\r\n").getBytes(StandardCharsets.US_ASCII));
                if (request[0].equals("GET")) {
                    out.writeBytes(BODY);
                }
            }
            if (!keepAlive) {
                closing = true;
            }
        }

        private static void respond(ByteArrayOutputStream out, int status, String reason, String headers) {
            out.writeBytes(("HTTP/1.1 " + status + " " + reason + "\r\nContent-Length: 0\r\n" + headers + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
        }
    }
}
