package dev.asyncloop.examples;

import dev.asyncloop.Async;
import dev.asyncloop.BufferedProtocol;
import dev.asyncloop.Future;
import dev.asyncloop.Server;
import dev.asyncloop.StreamTransport;
import dev.asyncloop.Transport;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

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

    /**
     * One per connection; loop thread only. Parses in place, in the bytes of its input buffer, and answers from
     * responses made once at class initialisation: a keep-alive request allocates nothing (the loop's own path
     * allocates nothing per request either), so the collector stays out of the latency.
     */
    static final class HttpProtocol implements BufferedProtocol {
        private ByteBuffer in = ByteBuffer.allocate(16 * 1024); // bytes [0, position) are unparsed input
        private ByteBuffer out = ByteBuffer.allocate(4 * 1024); // responses of one batch, written together
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
            out.clear();
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
                        respond(Responses.HEAD_TOO_LARGE);
                        closing = true;
                    }
                    break;
                }
                int head = in.position();
                in.position(end + 4);
                handle(in.array(), head, end);
            }
            in.compact(); // back to [0, position) unparsed
            if (out.position() > 0) {
                transport.write(out.flip()); // consumed during the call: out is free again afterwards
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
            int o = b.arrayOffset();
            for (int i = b.position(); i + 3 < b.limit(); i++) {
                if (a[o + i] == '\r' && a[o + i + 1] == '\n' && a[o + i + 2] == '\r' && a[o + i + 3] == '\n') {
                    return i;
                }
            }
            return -1;
        }

        /** Answers the request whose head is {@code a[from, to)} (without the blank line). */
        private void handle(byte[] a, int from, int to) {
            int lineEnd = indexOf(a, from, to, (byte) '\r');
            if (lineEnd < 0) {
                lineEnd = to;
            }
            int sp1 = indexOf(a, from, lineEnd, (byte) ' ');
            int sp2 = sp1 < 0 ? -1 : indexOf(a, sp1 + 1, lineEnd, (byte) ' ');
            if (sp2 < 0 || indexOf(a, sp2 + 1, lineEnd, (byte) ' ') >= 0
                    || !regionIs(a, sp2 + 1, lineEnd - sp2 - 1 - 1, Ascii.HTTP_1_DOT) || lineEnd - sp2 - 1 != 8) {
                respond(Responses.BAD_REQUEST);
                closing = true;
                return;
            }
            boolean http10 = a[lineEnd - 1] == '0';
            boolean keepAlive = !http10;
            int line = lineEnd + 2;
            while (line < to) {
                int next = indexOf(a, line, to, (byte) '\r');
                if (next < 0) {
                    next = to;
                }
                int colon = indexOf(a, line, next, (byte) ':');
                if (colon > line) {
                    int v = trimStart(a, colon + 1, next);
                    int vEnd = trimEnd(a, v, next);
                    int nEnd = trimEnd(a, line, colon);
                    if (Ascii.equalsIgnoreCase(a, line, nEnd, Ascii.CONNECTION)) {
                        if (Ascii.containsIgnoreCase(a, v, vEnd, Ascii.CLOSE)) {
                            keepAlive = false;
                        } else if (Ascii.containsIgnoreCase(a, v, vEnd, Ascii.KEEP_ALIVE)) {
                            keepAlive = true;
                        }
                    } else if (Ascii.equalsIgnoreCase(a, line, nEnd, Ascii.CONTENT_LENGTH)) {
                        long length = Ascii.parseLength(a, v, vEnd);
                        if (length < 0) {
                            respond(Responses.BAD_REQUEST);
                            closing = true;
                            return;
                        }
                        bodyToSkip = length;
                    } else if (Ascii.equalsIgnoreCase(a, line, nEnd, Ascii.TRANSFER_ENCODING)) {
                        respond(Responses.NOT_IMPLEMENTED);
                        closing = true;
                        return;
                    }
                }
                line = next + 2;
            }
            int connection = keepAlive ? (http10 ? Responses.KEEP_ALIVE : Responses.DEFAULT) : Responses.CLOSE;
            boolean get = regionIs(a, from, sp1 - from, Ascii.GET);
            if (!get && !regionIs(a, from, sp1 - from, Ascii.HEAD)) {
                respond(Responses.METHOD_NOT_ALLOWED[connection]);
            } else if (sp2 - sp1 - 1 != 1 || a[sp1 + 1] != '/') {
                respond(Responses.NOT_FOUND[connection]);
            } else {
                respond((get ? Responses.HELLO : Responses.HELLO_HEAD)[connection]);
            }
            if (!keepAlive) {
                closing = true;
            }
        }

        private void respond(byte[] response) {
            if (out.remaining() < response.length) {
                ByteBuffer bigger = ByteBuffer.allocate(Math.max(out.capacity() * 2, out.position() + response.length));
                bigger.put(out.flip());
                out = bigger;
            }
            out.put(response);
        }

        private static int indexOf(byte[] a, int from, int to, byte b) {
            for (int i = from; i < to; i++) {
                if (a[i] == b) {
                    return i;
                }
            }
            return -1;
        }

        private static boolean regionIs(byte[] a, int from, int length, byte[] expected) {
            return length == expected.length && java.util.Arrays.equals(a, from, from + length, expected, 0, length);
        }

        private static int trimStart(byte[] a, int from, int to) {
            while (from < to && (a[from] == ' ' || a[from] == '\t')) {
                from++;
            }
            return from;
        }

        private static int trimEnd(byte[] a, int from, int to) {
            while (to > from && (a[to - 1] == ' ' || a[to - 1] == '\t')) {
                to--;
            }
            return to;
        }
    }

    /** The bytes the parser compares with; ASCII case folding for header names and tokens. */
    static final class Ascii {
        static final byte[] HTTP_1_DOT = bytes("HTTP/1.");
        static final byte[] GET = bytes("GET");
        static final byte[] HEAD = bytes("HEAD");
        static final byte[] CONNECTION = bytes("connection");
        static final byte[] CONTENT_LENGTH = bytes("content-length");
        static final byte[] TRANSFER_ENCODING = bytes("transfer-encoding");
        static final byte[] CLOSE = bytes("close");
        static final byte[] KEEP_ALIVE = bytes("keep-alive");

        private Ascii() {
        }

        static byte[] bytes(String s) {
            return s.getBytes(StandardCharsets.US_ASCII);
        }

        private static int lower(byte b) {
            return b >= 'A' && b <= 'Z' ? b + ('a' - 'A') : b;
        }

        /** Whether {@code a[from, to)} equals {@code lower} (given in lower case), ignoring ASCII case. */
        static boolean equalsIgnoreCase(byte[] a, int from, int to, byte[] lower) {
            if (to - from != lower.length) {
                return false;
            }
            for (int i = 0; i < lower.length; i++) {
                if (lower(a[from + i]) != lower[i]) {
                    return false;
                }
            }
            return true;
        }

        /** Whether {@code a[from, to)} contains {@code lower} (given in lower case), ignoring ASCII case. */
        static boolean containsIgnoreCase(byte[] a, int from, int to, byte[] lower) {
            for (int i = from; i + lower.length <= to; i++) {
                if (equalsIgnoreCase(a, i, i + lower.length, lower)) {
                    return true;
                }
            }
            return false;
        }

        /** The decimal value of {@code a[from, to)}, or -1 if it is empty, not all digits, or too long. */
        static long parseLength(byte[] a, int from, int to) {
            if (to == from || to - from > 18) {
                return -1;
            }
            long n = 0;
            for (int i = from; i < to; i++) {
                if (a[i] < '0' || a[i] > '9') {
                    return -1;
                }
                n = n * 10 + (a[i] - '0');
            }
            return n;
        }
    }

    /** Every response the server sends, made once; arrays indexed by the connection-header variant. */
    static final class Responses {
        static final int DEFAULT = 0;
        static final int KEEP_ALIVE = 1;
        static final int CLOSE = 2;
        private static final String[] CONNECTION_HEADER = {"", "Connection: keep-alive\r\n", "Connection: close\r\n"};

        static final byte[][] HELLO = variants(200, "OK", "Content-Type: text/plain\r\n", BODY.length, true);
        static final byte[][] HELLO_HEAD = variants(200, "OK", "Content-Type: text/plain\r\n", BODY.length, false);
        static final byte[][] NOT_FOUND = variants(404, "Not Found", "", 0, false);
        static final byte[][] METHOD_NOT_ALLOWED = variants(405, "Method Not Allowed", "Allow: GET, HEAD\r\n", 0, false);
        static final byte[] BAD_REQUEST = make(400, "Bad Request", "", 0, CLOSE, false);
        static final byte[] HEAD_TOO_LARGE = make(431, "Request Header Fields Too Large", "", 0, CLOSE, false);
        static final byte[] NOT_IMPLEMENTED = make(501, "Not Implemented", "", 0, CLOSE, false);

        private Responses() {
        }

        private static byte[][] variants(int status, String reason, String extra, int length, boolean body) {
            byte[][] v = new byte[CONNECTION_HEADER.length][];
            for (int c = 0; c < v.length; c++) {
                v[c] = make(status, reason, extra, length, c, body);
            }
            return v;
        }

        private static byte[] make(int status, String reason, String extra, int length, int connection,
                boolean body) {
            String head = "HTTP/1.1 " + status + " " + reason + "\r\n" + extra + "Content-Length: " + length + "\r\n"
                    + CONNECTION_HEADER[connection] + "\r\n";
            byte[] h = head.getBytes(StandardCharsets.US_ASCII);
            if (!body) {
                return h;
            }
            byte[] all = java.util.Arrays.copyOf(h, h.length + BODY.length);
            System.arraycopy(BODY, 0, all, h.length, BODY.length);
            return all;
        }
    }
}
