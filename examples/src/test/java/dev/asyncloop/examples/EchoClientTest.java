package dev.asyncloop.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** {@link EchoClient} against a plain blocking java.net echo server. */
class EchoClientTest {

    @Test
    void sendsLinesAndPrintsEchoes() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            listener.setSoTimeout((int) RunningServer.WAIT.toMillis());
            Thread echo = new Thread(() -> {
                try (Socket s = listener.accept()) {
                    s.setSoTimeout((int) RunningServer.WAIT.toMillis());
                    BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(),
                            StandardCharsets.UTF_8));
                    OutputStream out = s.getOutputStream();
                    String line;
                    while ((line = in.readLine()) != null) {
                        out.write((line.toUpperCase(Locale.ROOT) + "\n").getBytes(StandardCharsets.UTF_8));
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            echo.start();
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            EchoClient.run(RunningServer.HOST, listener.getLocalPort(), List.of("hello", "wörld"),
                    new PrintStream(printed, true, StandardCharsets.UTF_8));
            echo.join(RunningServer.WAIT.toMillis());
            assertEquals("echo: HELLO\necho: WÖRLD\n", printed.toString(StandardCharsets.UTF_8).replace("\r", ""));
        }
    }

    @Test
    void failsWhenTheServerClosesEarly() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread closer = new Thread(() -> {
                try (Socket s = listener.accept()) {
                    s.getInputStream().read();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            closer.start();
            assertThrows(IllegalStateException.class, () -> EchoClient.run(RunningServer.HOST,
                    listener.getLocalPort(), List.of("hello"), new PrintStream(new ByteArrayOutputStream())));
            closer.join(RunningServer.WAIT.toMillis());
        }
    }
}
