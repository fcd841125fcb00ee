package dev.asyncloop.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** An example server running in-process on its own thread, on an ephemeral loopback port. */
final class RunningServer implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(10);
    static final String HOST = InetAddress.getLoopbackAddress().getHostAddress();

    final ServerApp app;
    final int port;
    private final Thread thread;
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();

    RunningServer(ServerApp app) throws Exception {
        this.app = app;
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        this.thread = new Thread(() -> app.run(HOST, 0, out), "example-server");
        thread.setDaemon(true);
        thread.start();
        this.port = app.ready().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** What the server printed so far. */
    String printed() {
        return printed.toString(StandardCharsets.UTF_8);
    }

    /** A plain blocking client socket with a read timeout. */
    Socket connect() throws IOException {
        Socket s = new Socket(HOST, port);
        s.setSoTimeout((int) WAIT.toMillis());
        return s;
    }

    static BufferedReader lines(Socket s) throws IOException {
        return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Stops the server and checks that its run returned. */
    @Override
    public void close() throws InterruptedException {
        app.stop();
        assertTrue(app.awaitFinished(WAIT), "the server did not stop within " + WAIT);
        thread.join(WAIT.toMillis());
        assertTrue(printed().contains("stopped"), "no 'stopped' line: " + printed());
    }
}
