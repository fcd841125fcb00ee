package dev.asyncloop.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Random;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link TlsEchoServer}, driven with the JDK's blocking TLS sockets. */
class TlsEchoServerTest {

    /** A client context that trusts the shipped test certificate only. */
    static SSLContext trustingTestKey() throws Exception {
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(TlsEchoServer.testKeyStore());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    /** A TLS client socket to the server that checks the certificate names the address it connects to. */
    static SSLSocket connect(SSLContext context, RunningServer server) throws IOException {
        SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(RunningServer.HOST, server.port);
        SSLParameters parameters = s.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        s.setSSLParameters(parameters);
        s.setSoTimeout((int) RunningServer.WAIT.toMillis());
        return s;
    }

    @Test
    void echoesOverTlsWithTheShippedTestKey() throws Exception {
        SSLContext client = trustingTestKey();
        try (RunningServer server = new RunningServer(TlsEchoServer.app(TlsEchoServer.testServerContext()))) {
            assertTrue(server.printed().startsWith("READY " + server.port), server.printed());
            try (SSLSocket a = connect(client, server)) {
                a.getOutputStream().write("hello over TLS\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals("hello over TLS", RunningServer.lines(a).readLine());
                assertTrue(a.getSession().getProtocol().startsWith("TLS"), a.getSession().getProtocol());
            }
            // 1 MiB written by a second thread while this one reads: flow control over TLS loses nothing.
            byte[] big = new byte[1024 * 1024];
            new Random(7).nextBytes(big);
            try (SSLSocket c = connect(client, server)) {
                c.startHandshake();
                Thread writer = new Thread(() -> {
                    try {
                        OutputStream out = c.getOutputStream();
                        out.write(big);
                        out.flush();
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                });
                writer.start();
                byte[] back = new byte[big.length];
                new DataInputStream(c.getInputStream()).readFully(back);
                writer.join(RunningServer.WAIT.toMillis());
                assertArrayEquals(big, back);
            }
        }
    }

    @Test
    void aClientThatRejectsTheKeyIsDroppedAndTheServerGoesOn() throws Exception {
        try (RunningServer server = new RunningServer(TlsEchoServer.app(TlsEchoServer.testServerContext()))) {
            SSLContext defaultTrust = SSLContext.getInstance("TLS");
            defaultTrust.init(null, null, null); // the JDK's cacerts: the self-signed key is not trusted
            try (SSLSocket rejecting = connect(defaultTrust, server)) {
                assertThrows(SSLHandshakeException.class, rejecting::startHandshake);
            }
            try (SSLSocket good = connect(trustingTestKey(), server)) {
                good.getOutputStream().write("still here\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals("still here", RunningServer.lines(good).readLine());
            }
        }
    }

    @Test
    void plainTextClientGetsNoEcho() throws Exception {
        try (RunningServer server = new RunningServer(TlsEchoServer.app(TlsEchoServer.testServerContext()));
                Socket plain = server.connect()) {
            plain.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            java.io.ByteArrayOutputStream answer = new java.io.ByteArrayOutputStream();
            try {
                plain.getInputStream().transferTo(answer); // the server drops a client that does not speak TLS
            } catch (java.net.SocketException reset) {
                // Dropped with a reset: as good an end as any.
            }
            assertTrue(!answer.toString(StandardCharsets.ISO_8859_1).contains("GET /"),
                    "a plain-text client must not get its bytes back");
        }
    }

    @Test
    void servesAKeystoreGivenOnTheCommandLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("server.p12");
        try (InputStream in = TlsEchoServer.class.getResourceAsStream(TlsEchoServer.TEST_KEYSTORE)) {
            Files.copy(in, file);
        }
        TlsEchoServer.KeyArgs keys = TlsEchoServer.KeyArgs.parse(new String[] {"--port", "0", "--keystore",
                file.toString(), "--password=" + TlsEchoServer.TEST_PASSWORD});
        assertEquals(file, keys.keystore());
        assertEquals(List.of("--port", "0"), keys.rest());
        SSLContext context = TlsEchoServer.serverContext(keys.keystore(), keys.password().toCharArray());
        try (RunningServer server = new RunningServer(TlsEchoServer.app(context));
                SSLSocket s = connect(trustingTestKey(), server)) {
            s.getOutputStream().write("from a file\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals("from a file", RunningServer.lines(s).readLine());
        }
        IOException wrong = assertThrows(IOException.class, () -> TlsEchoServer.serverContext(file,
                "not-the-password".toCharArray()));
        assertTrue(wrong.getMessage().contains(file.toString()), wrong.getMessage());
    }

    @Test
    void keyOptionsAreCheckedAtStartUp(@TempDir Path dir) throws Exception {
        TlsEchoServer.KeyArgs none = TlsEchoServer.KeyArgs.parse(new String[] {"--host", "::1"});
        assertNull(none.keystore());
        assertEquals(List.of("--host", "::1"), none.rest());
        IllegalArgumentException alone = assertThrows(IllegalArgumentException.class,
                () -> TlsEchoServer.KeyArgs.parse(new String[] {"--keystore", "x.p12"}));
        assertTrue(alone.getMessage().contains("go together"), alone.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TlsEchoServer.KeyArgs.parse(new String[] {"--password"}));
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> TlsEchoServer.KeyArgs.parse(new String[] {"--keystore", dir.resolve("none.p12").toString(),
                        "--password", "p"}));
        assertTrue(missing.getMessage().contains("none.p12"), missing.getMessage());
        Path trustOnly = dir.resolve("trust.p12");
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("ca", TlsEchoServer.testKeyStore().getCertificate("localhost"));
        try (OutputStream out = Files.newOutputStream(trustOnly)) {
            store.store(out, "p".toCharArray());
        }
        IllegalArgumentException noKey = assertThrows(IllegalArgumentException.class,
                () -> TlsEchoServer.serverContext(trustOnly, "p".toCharArray()));
        assertTrue(noKey.getMessage().contains("no private key"), noKey.getMessage());
    }
}
