package dev.asyncloop.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@link ServerApp} on its own: stopping it at any moment ends {@code run} normally. */
class ServerAppTest {
    @Test
    void aStopAsSoonAsItIsReadyEndsTheRunNormally() {
        ServerApp app = EchoServer.app();
        // Runs on the loop thread inside ready.complete(): the stop lands before the server starts serving.
        app.ready().thenRun(app::stop);
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        app.run(RunningServer.HOST, 0, new PrintStream(printed, true, StandardCharsets.UTF_8));
        assertTrue(printed.toString(StandardCharsets.UTF_8).contains("EchoServer stopped"), printed.toString());
    }
}
