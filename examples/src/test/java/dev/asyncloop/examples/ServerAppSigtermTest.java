package dev.asyncloop.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.asyncloop.testsupport.ForkedJvms;
import dev.asyncloop.testsupport.InheritedSignals;
import dev.asyncloop.testsupport.RunningJvm;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link ServerApp#runMain}: SIGTERM ({@code kill -TERM}) reaches the loop's signal handler, which closes the
 * server and its connections, so {@code main} returns and the JVM exits with 0, not with the 143 of a SIGTERM that
 * ended it. Runs {@link EchoServer}, and {@link TcpProxy} with its own command line, in a forked JVM.
 */
@EnabledOnOs({OS.LINUX, OS.MAC})
class ServerAppSigtermTest {
    @RegisterExtension
    final ForkedJvms forked = new ForkedJvms();

    @Test
    void sigtermStopsTheServerGracefully() throws Exception {
        echoesThenStopsOnSigterm(forked.start(ForkedExample.of(EchoServer.class, "--host", RunningServer.HOST,
                "--port", "0")));
    }

    /**
     * Ctrl-C cancels the main task, which is waiting in {@code serveForever}: a cancelled {@code serveForever} waits for
     * the connections to leave (as asyncio's), so the app must close them itself, or a connected client would keep
     * the server running.
     */
    @Test
    void ctrlCClosesTheConnectionsAndEndsTheServer() throws Exception {
        InheritedSignals.assumeSigintDelivered();
        RunningJvm child = forked.start(ForkedExample.of(EchoServer.class, "--host", RunningServer.HOST, "--port", "0"));
        int port = ForkedExample.readyPort(child);
        try (Socket client = new Socket(RunningServer.HOST, port)) {
            client.setSoTimeout((int) RunningServer.WAIT.toMillis());
            client.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals("ping", RunningServer.lines(client).readLine());
            child.signal("INT");
            assertEquals(-1, client.getInputStream().read(), "the server must close its connections on Ctrl-C");
            child.awaitLine("EchoServer stopped");
        }
        assertEquals(0, child.awaitExit("the server JVM did not exit after SIGINT"),
                "main must return after a Ctrl-C that the app handled");
    }

    /**
     * Checks a forked {@link EchoServer}: it echoes a line, and on SIGTERM closes its connections, says it stopped
     * and exits with 0.
     */
    static void echoesThenStopsOnSigterm(RunningJvm child) throws Exception {
        int port = ForkedExample.readyPort(child);
        try (Socket client = new Socket(RunningServer.HOST, port)) {
            client.setSoTimeout((int) RunningServer.WAIT.toMillis());
            client.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals("ping", RunningServer.lines(client).readLine());
            child.signal("TERM");
            child.awaitLine("EchoServer stopped");
            assertEquals(-1, client.getInputStream().read(), "the server must close its connections on SIGTERM");
        }
        assertEquals(0, child.awaitExit("the server JVM did not exit after SIGTERM"),
                "main must return after SIGTERM (exit status 0), not be ended by it");
    }

    @Test
    void tcpProxyTakesItsOwnCommandLineAndStopsOnSigterm() throws Exception {
        RunningJvm child;
        try (java.net.ServerSocket target = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            target.setSoTimeout((int) RunningServer.WAIT.toMillis());
            child = forked.start(ForkedExample.of(TcpProxy.class, "--target",
                    RunningServer.HOST + ":" + target.getLocalPort(), "--listen-port", "0", "--listen-host",
                    RunningServer.HOST));
            int port = ForkedExample.readyPort(child);
            try (Socket client = new Socket(RunningServer.HOST, port); Socket server = target.accept()) {
                client.setSoTimeout((int) RunningServer.WAIT.toMillis());
                client.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
                server.getOutputStream().write(RunningServer.lines(server).readLine().getBytes(StandardCharsets.US_ASCII));
                server.getOutputStream().write('\n');
                assertEquals("ping", RunningServer.lines(client).readLine());
                child.signal("TERM");
                child.awaitLine("TcpProxy stopped");
                assertEquals(-1, client.getInputStream().read(), "the proxy must close its clients on SIGTERM");
            }
        }
        assertEquals(0, child.awaitExit("the proxy JVM did not exit after SIGTERM"));
    }
}
