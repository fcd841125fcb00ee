package dev.asyncloop.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link EchoServer} and {@link StreamsEchoServer}, driven with plain sockets. */
class EchoServerTest {

    static void echoes(ServerApp app) throws Exception {
        try (RunningServer server = new RunningServer(app)) {
            assertTrue(server.printed().startsWith("READY " + server.port), server.printed());
            try (Socket a = server.connect(); Socket b = server.connect()) {
                a.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
                b.getOutputStream().write("other\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals("hello", RunningServer.lines(a).readLine());
                assertEquals("other", RunningServer.lines(b).readLine());
            }
            // 4 MiB through one connection, written by a second thread: the echo must not lose or reorder
            // bytes while flow control pauses and resumes it.
            byte[] big = new byte[4 * 1024 * 1024];
            new Random(42).nextBytes(big);
            try (Socket c = server.connect()) {
                Thread writer = new Thread(() -> {
                    try {
                        OutputStream out = c.getOutputStream();
                        out.write(big);
                        out.flush();
                        c.shutdownOutput();
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                writer.start();
                byte[] back = new byte[big.length];
                new DataInputStream(c.getInputStream()).readFully(back);
                writer.join(RunningServer.WAIT.toMillis());
                assertArrayEquals(big, back);
                assertEquals(-1, c.getInputStream().read(), "the server closes after the client's EOF");
            }
        }
    }

    @Test
    void protocolEchoServer() throws Exception {
        echoes(EchoServer.app());
    }

    @Test
    void streamsEchoServer() throws Exception {
        echoes(StreamsEchoServer.app());
    }

    @Test
    void stopsWithOpenClients() throws Exception {
        RunningServer server = new RunningServer(StreamsEchoServer.app());
        try (Socket idle = server.connect()) {
            idle.getOutputStream().write("x\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals("x", RunningServer.lines(idle).readLine());
            server.close(); // must not wait for the idle client
            assertEquals(-1, idle.getInputStream().read(), "the client was not disconnected on stop");
        }
    }

    @Test
    void commandLine() {
        CommandLine cl = CommandLine.parse(new String[] {"--host", "::1", "--port=0", "a", "b"}, 8888);
        assertEquals(new CommandLine("::1", 0, java.util.List.of("a", "b")), cl);
        assertEquals(8888, CommandLine.parse(new String[0], 8888).port());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> CommandLine.parse(new String[] {"--port", "70000"}, 1));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> CommandLine.parse(new String[] {"--bogus"}, 1));
    }
}
