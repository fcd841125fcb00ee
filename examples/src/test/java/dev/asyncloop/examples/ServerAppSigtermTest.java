package dev.asyncloop.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * {@link ServerApp#runMain}: SIGTERM ({@code kill -TERM}) reaches the loop's signal handler, which closes the
 * server and its connections, so {@code main} returns and the JVM exits with 0, not with the 143 of a SIGTERM that
 * ended it. Runs {@link EchoServer}, and {@link TcpProxy} with its own command line, in a forked JVM.
 */
@EnabledOnOs({OS.LINUX, OS.MAC})
class ServerAppSigtermTest {
    private static final long WAIT_SECONDS = 20;
    private Process child;

    @AfterEach
    void killChild() {
        if (child != null && child.isAlive()) {
            child.destroyForcibly();
        }
    }

    @Test
    void sigtermStopsTheServerGracefully() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        child = new ProcessBuilder(List.of(java, "--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), EchoServer.class.getName(),
                "--host", RunningServer.HOST, "--port", "0")).redirectErrorStream(true).start();
        BlockingQueue<String> lines = readLines(child);
        String ready = awaitLine(lines, "READY ");
        int port = Integer.parseInt(ready.substring("READY ".length()));
        try (Socket client = new Socket(RunningServer.HOST, port)) {
            client.setSoTimeout((int) RunningServer.WAIT.toMillis());
            client.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals("ping", RunningServer.lines(client).readLine());
            Process kill = new ProcessBuilder("kill", "-TERM", Long.toString(child.pid())).inheritIO().start();
            assertTrue(kill.waitFor(WAIT_SECONDS, TimeUnit.SECONDS), "kill did not finish");
            assertEquals(0, kill.exitValue(), "kill -TERM failed");
            awaitLine(lines, "EchoServer stopped");
            assertEquals(-1, client.getInputStream().read(), "the server must close its connections on SIGTERM");
        }
        assertTrue(child.waitFor(WAIT_SECONDS, TimeUnit.SECONDS), "the server JVM did not exit after SIGTERM");
        assertEquals(0, child.exitValue(), "main must return after SIGTERM (exit status 0), not be ended by it");
    }

    @Test
    void tcpProxyTakesItsOwnCommandLineAndStopsOnSigterm() throws Exception {
        try (java.net.ServerSocket target = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            target.setSoTimeout((int) RunningServer.WAIT.toMillis());
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            child = new ProcessBuilder(List.of(java, "--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED",
                    "-cp", System.getProperty("java.class.path"), TcpProxy.class.getName(),
                    "--target", RunningServer.HOST + ":" + target.getLocalPort(), "--listen-port", "0",
                    "--listen-host", RunningServer.HOST)).redirectErrorStream(true).start();
            BlockingQueue<String> lines = readLines(child);
            int port = Integer.parseInt(awaitLine(lines, "READY ").substring("READY ".length()));
            try (Socket client = new Socket(RunningServer.HOST, port); Socket server = target.accept()) {
                client.setSoTimeout((int) RunningServer.WAIT.toMillis());
                client.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
                server.getOutputStream().write(RunningServer.lines(server).readLine().getBytes(StandardCharsets.US_ASCII));
                server.getOutputStream().write('\n');
                assertEquals("ping", RunningServer.lines(client).readLine());
                Process kill = new ProcessBuilder("kill", "-TERM", Long.toString(child.pid())).inheritIO().start();
                assertTrue(kill.waitFor(WAIT_SECONDS, TimeUnit.SECONDS), "kill did not finish");
                awaitLine(lines, "TcpProxy stopped");
                assertEquals(-1, client.getInputStream().read(), "the proxy must close its clients on SIGTERM");
            }
        }
        assertTrue(child.waitFor(WAIT_SECONDS, TimeUnit.SECONDS), "the proxy JVM did not exit after SIGTERM");
        assertEquals(0, child.exitValue());
    }

    private static BlockingQueue<String> readLines(Process p) {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(
                    new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line.strip());
                }
            } catch (IOException ignored) {
                // the child is gone
            }
        }, "sigterm-child-output");
        reader.setDaemon(true);
        reader.start();
        return lines;
    }

    private static String awaitLine(BlockingQueue<String> lines, String prefix) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (true) {
            String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError("the server never printed a line starting with \"" + prefix + "\" within "
                        + WAIT_SECONDS + " s");
            }
            if (line.startsWith(prefix)) {
                return line;
            }
        }
    }
}
