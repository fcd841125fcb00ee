package dev.asyncloop.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link HttpHelloServer} with raw HTTP/1.1 over plain sockets. */
class HttpHelloServerTest {
    private RunningServer server;

    /** One parsed response: status, lower-cased headers, body. */
    record Response(int status, Map<String, String> headers, String body) {
    }

    @BeforeEach
    void start() throws Exception {
        server = new RunningServer(HttpHelloServer.app());
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    static void send(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
    }

    /** Reads one response: head to the blank line, then Content-Length bytes. */
    static Response read(InputStream in) throws IOException {
        Response head = readHead(in);
        byte[] body = in.readNBytes(Integer.parseInt(head.headers().get("content-length")));
        return new Response(head.status(), head.headers(), new String(body, StandardCharsets.US_ASCII));
    }

    /** Reads one response head to the blank line; the body (if any) stays unread. */
    static Response readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed inside a response head: " + head);
            }
            head.write(b);
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int c = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, c).toLowerCase(Locale.ROOT), lines[i].substring(c + 1).trim());
        }
        return new Response(status, headers, "");
    }

    @Test
    void getRootKeepAlive() throws Exception {
        try (Socket s = server.connect()) {
            InputStream in = s.getInputStream();
            for (int i = 0; i < 3; i++) {
                send(s, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
                Response r = read(in);
                assertEquals(200, r.status());
                assertEquals("Hello, World!", r.body());
                assertEquals("13", r.headers().get("content-length"));
            }
        }
    }

    @Test
    void pipelinedRequestsAnsweredInOrder() throws Exception {
        try (Socket s = server.connect()) {
            send(s, "GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /missing HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhelloGET / HTTP/1.1\r\nHost: x\r\n\r\n");
            InputStream in = s.getInputStream();
            assertEquals(200, read(in).status());
            assertEquals(404, read(in).status());
            assertEquals(405, read(in).status(), "POST; its 5-byte body skipped");
            Response last = read(in);
            assertEquals(200, last.status());
            assertEquals("Hello, World!", last.body());
        }
    }

    @Test
    void requestSplitAcrossWrites() throws Exception {
        try (Socket s = server.connect()) {
            send(s, "GET / HT");
            Thread.sleep(20); // two TCP segments; the server must wait for the rest of the head
            send(s, "TP/1.1\r\nHost: x\r\n");
            send(s, "\r\n");
            assertEquals("Hello, World!", read(s.getInputStream()).body());
        }
    }

    @Test
    void connectionCloseClosesAfterTheResponse() throws Exception {
        try (Socket s = server.connect()) {
            send(s, "GET / HTTP/1.1\r\nConnection: close\r\n\r\nGET / HTTP/1.1\r\n\r\n");
            InputStream in = s.getInputStream();
            Response r = read(in);
            assertEquals(200, r.status());
            assertEquals("close", r.headers().get("connection"));
            assertEquals(-1, in.read(), "data or no EOF after Connection: close");
        }
        try (Socket s = server.connect()) {
            send(s, "GET / HTTP/1.0\r\n\r\n");
            InputStream in = s.getInputStream();
            assertEquals(200, read(in).status());
            assertEquals(-1, in.read(), "HTTP/1.0 without keep-alive stays open");
        }
    }

    @Test
    void headerNamesAndTokensIgnoreCaseAndHeadHasNoBody() throws Exception {
        try (Socket s = server.connect()) {
            send(s, "HEAD / HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET / HTTP/1.0\r\nCONNECTION:  Keep-Alive \r\n\r\n"
                    + "GET / HTTP/1.1\r\ncontent-LENGTH: 3\r\n\r\nabc"
                    + "GET / HTTP/1.1\r\nConnection: Close\r\n\r\n");
            InputStream in = s.getInputStream();
            Response head = readHead(in);
            assertEquals(200, head.status());
            assertEquals("13", head.headers().get("content-length"), "HEAD announces the GET body's length");
            Response http10 = read(in); // fails to parse if HEAD's response carried a body
            assertEquals(200, http10.status(), "an HTTP/1.0 keep-alive request");
            assertEquals("keep-alive", http10.headers().get("connection"));
            Response afterBody = read(in);
            assertEquals(200, afterBody.status(), "the 3-byte body was skipped");
            assertEquals(null, afterBody.headers().get("connection"), "HTTP/1.1 keeps alive without saying so");
            Response last = read(in);
            assertEquals("close", last.headers().get("connection"), "Connection: Close, in any case");
            assertEquals(-1, in.read(), "no EOF after Connection: Close");
        }
    }

    @Test
    void malformedRequestsGetTheirStatusAndAClose() throws Exception {
        String[][] cases = {
            {"GET /\r\n\r\n", "400"},
            {"GET / HTTP/2.0\r\n\r\n", "400"},
            {"GET / HTTP/1.1\r\nContent-Length: x1\r\n\r\n", "400"},
            {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", "501"},
        };
        for (String[] c : cases) {
            try (Socket s = server.connect()) {
                send(s, c[0]);
                InputStream in = s.getInputStream();
                Response r = read(in);
                assertEquals(Integer.parseInt(c[1]), r.status(), c[0]);
                assertEquals("close", r.headers().get("connection"), c[0]);
                assertEquals(-1, in.read(), "connection not closed after " + c[1]);
            }
        }
    }

    @Test
    void oversizedHeadIsRefused() throws Exception {
        try (Socket s = server.connect()) {
            send(s, "GET / HTTP/1.1\r\nX-Big: " + "a".repeat(HttpHelloServer.MAX_HEAD + 10));
            InputStream in = s.getInputStream();
            Response r = read(in);
            assertEquals(431, r.status());
            assertTrue(in.read() < 0, "connection not closed after 431");
        }
    }
}
