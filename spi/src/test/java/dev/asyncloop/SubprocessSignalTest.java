package dev.asyncloop;

import static dev.asyncloop.Async.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.testsupport.InheritedSignals;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link Subprocess#sendSignal}: the shutdown signals HUP and INT (which the TCK leaves out, since a JVM started
 * with them ignored passes that on to its children), and the name rules.
 */
class SubprocessSignalTest extends LoopFixture {
    @BeforeEach
    void requireShell() {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "needs a POSIX /bin/sh");
    }

    @Test
    @DisplayName("sendSignal(\"HUP\") and sendSignal(\"SIGINT\") reach the child's traps")
    void hupAndInt() throws IOException {
        Assumptions.assumeFalse(InheritedSignals.ignored(1) || InheritedSignals.ignored(2), "this JVM started with SIGHUP or SIGINT ignored,"
                + " so its children cannot trap them");
        String script = "trap 'echo got HUP' HUP; trap 'echo got INT; kill $p; exit 5' INT; sleep 30 & p=$!;"
                + " echo ready; while kill -0 $p 2>/dev/null; do wait $p; done; exit 0";
        Object[] out = run(() -> {
            Subprocess child = await(Subprocesses.exec(List.of("/bin/sh", "-c", script)));
            StreamReader stdout = child.stdout().orElseThrow();
            String ready = line(stdout);
            child.sendSignal("HUP");
            String hup = line(stdout);
            child.sendSignal("SIGINT");
            String interrupted = line(stdout);
            return new Object[] {ready, hup, interrupted, await(child.waitFor())};
        });
        assertEquals("ready", out[0]);
        assertEquals("got HUP", out[1], "SIGHUP must reach the child as SIGHUP");
        assertEquals("got INT", out[2], "SIGINT must reach the child as SIGINT");
        assertEquals(5, out[3], "the shell exits from its INT trap");
    }

    @Test
    @DisplayName("sendSignal refuses an unknown name, naming it, and throws once the transport is finished")
    void namesAndFinished() {
        run(() -> {
            Subprocess child = await(Subprocesses.exec(List.of("true")));
            IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                    () -> child.sendSignal("SIGNOPE"));
            assertTrue(unknown.getMessage().contains("SIGNOPE"), unknown.getMessage());
            assertThrows(NullPointerException.class, () -> child.sendSignal(null));
            assertEquals(0, await(child.waitFor()));
            await(child.communicate());
            // waitFor() answers at the exit (asyncio 3.15); the transport finishes once its pipes are lost too,
            // and until then a signal to the exited child is no error
            IllegalStateException finished = null;
            double deadline = loop.time() + 10;
            while (finished == null && loop.time() < deadline) {
                try {
                    child.sendSignal("USR1");
                    Async.sleep(java.time.Duration.ofMillis(1));
                } catch (IllegalStateException e) {
                    finished = e;
                }
            }
            IllegalStateException thrown = java.util.Objects.requireNonNull(finished,
                    "sendSignal still accepted 10 s after the child's transport could finish");
            assertTrue(thrown.getMessage().contains("SIGUSR1"), thrown.getMessage());
            return null;
        });
    }

    /** Inside a task: the next line of {@code reader}, without its newline. */
    private static String line(StreamReader reader) {
        return new String(await(reader.readLine()), StandardCharsets.UTF_8).strip();
    }
}
