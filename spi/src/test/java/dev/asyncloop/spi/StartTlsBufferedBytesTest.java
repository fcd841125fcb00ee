package dev.asyncloop.spi;

import static dev.asyncloop.testsupport.TlsTestContexts.contexts;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.asyncloop.Async;
import dev.asyncloop.Future;
import dev.asyncloop.Server;
import dev.asyncloop.Streams;
import dev.asyncloop.Tasks;
import dev.asyncloop.TlsOptions;
import java.io.BufferedReader;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/**
 * asyncio 3.15 (gh-142352): {@code StreamWriter.startTls} hands the bytes the stream's reader already holds to the
 * TLS layer. A STARTTLS client that pipelines its ClientHello right after its "STARTTLS" line has the hello in the
 * server's reader when the server reads the line; the handshake must use it rather than wait for it forever.
 */
class StartTlsBufferedBytesTest {

    /** A plain socket whose first write is preceded by a line, so that the line and the ClientHello go together. */
    static final class LineFirstSocket extends Socket {
        private final byte[] line;
        private boolean sent;

        LineFirstSocket(byte[] line) {
            this.line = line;
        }

        @Override
        public OutputStream getOutputStream() throws IOException {
            OutputStream out = super.getOutputStream();
            return new FilterOutputStream(out) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    synchronized (LineFirstSocket.this) {
                        if (!sent) {
                            sent = true;
                            byte[] both = new byte[line.length + len];
                            System.arraycopy(line, 0, both, 0, line.length);
                            System.arraycopy(b, off, both, line.length, len);
                            out.write(both);
                            return;
                        }
                    }
                    out.write(b, off, len);
                }
            };
        }
    }

    @Test
    void aClientHelloSentWithTheStartTlsLineCompletesTheHandshake() throws Exception {
        SSLContext[] ctx = contexts("TLS");
        try (ReadinessEventLoop loop = SelectorLoops.newLoop()) {
            Future<String> served = loop.createFuture();
            Server server = loop.runUntilComplete(() -> Async.await(Streams.startServer((reader, writer) -> {
                String command = new String(Async.await(reader.readLine()), StandardCharsets.US_ASCII);
                Async.await(writer.startTls(ctx[0], TlsOptions.server()));
                String secret = new String(Async.await(reader.readLine()), StandardCharsets.US_ASCII);
                writer.write(("got " + secret).getBytes(StandardCharsets.US_ASCII));
                Async.await(writer.drain());
                writer.close();
                served.setResult(command + secret);
            }, "127.0.0.1", 0)));
            try (server) {
                int port = ((InetSocketAddress) server.sockets().get(0).getLocalAddress()).getPort();
                CompletableFuture<String> client = CompletableFuture.supplyAsync(() -> {
                    try (Socket plain = new LineFirstSocket("STARTTLS\n".getBytes(StandardCharsets.US_ASCII))) {
                        plain.connect(new InetSocketAddress("127.0.0.1", port));
                        plain.setSoTimeout(10_000);
                        SSLSocket tls = (SSLSocket) ctx[1].getSocketFactory()
                                .createSocket(plain, "localhost", port, true);
                        SSLParameters params = tls.getSSLParameters();
                        params.setEndpointIdentificationAlgorithm("HTTPS");
                        tls.setSSLParameters(params);
                        tls.startHandshake();
                        tls.getOutputStream().write("secret\n".getBytes(StandardCharsets.US_ASCII));
                        tls.getOutputStream().flush();
                        return new BufferedReader(new InputStreamReader(tls.getInputStream(),
                                StandardCharsets.US_ASCII)).readLine();
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                String result = loop.runUntilComplete(() -> Tasks.waitFor(served,
                        Duration.ofSeconds(10)));
                assertEquals("STARTTLS\nsecret\n", result);
                assertEquals("got secret", client.get(10, TimeUnit.SECONDS));
            }
        }
    }
}
