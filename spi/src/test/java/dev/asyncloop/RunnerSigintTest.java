package dev.asyncloop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** {@link Runner}'s SIGINT handling, in a forked JVM ({@link SigintChild}) signalled with {@code kill -INT}. */
@EnabledOnOs({OS.LINUX, OS.MAC})
class RunnerSigintTest {
    private static final long WAIT_SECONDS = 20;
    private Process child;

    /**
     * A process started with SIGINT ignored (a background job of a shell without job control, {@code nohup ... &})
     * passes SIG_IGN on to its children, and {@link Runner} then leaves SIGINT alone, as asyncio does: nothing to
     * test there.
     */
    @BeforeEach
    void sigintIsNotIgnored() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) {
            return;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("SigIgn:")) {
                long ignored = Long.parseUnsignedLong(line.substring("SigIgn:".length()).strip(), 16);
                Assumptions.assumeTrue((ignored & (1L << 1)) == 0, "SIGINT is ignored in this JVM (inherited"
                        + " SIG_IGN, e.g. a background job without job control): run the build in the foreground");
            }
        }
    }

    @AfterEach
    void killChild() {
        if (child != null && child.isAlive()) {
            child.destroyForcibly();
        }
    }

    @Test
    @DisplayName("first SIGINT cancels the main task, its finally runs, run() throws KeyboardInterrupt")
    void firstSigintCancelsMainTask() throws Exception {
        Path err = Files.createTempFile("sigint", ".err");
        BlockingQueue<String> out = start(err);
        awaitLine(out, "READY");
        sigint();
        awaitLine(out, "CLEANUP");
        assertTrue(child.waitFor(WAIT_SECONDS, TimeUnit.SECONDS), "the child did not exit after the first SIGINT");
        String stderr = Files.readString(err);
        assertEquals(1, child.exitValue(), "expected the uncaught-exception exit status; stderr: " + stderr);
        assertTrue(stderr.contains("dev.asyncloop.KeyboardInterrupt"),
                "expected run() to end with KeyboardInterrupt; stderr: " + stderr);
        assertFalse(out.contains("RETURNED"), "run() returned normally after SIGINT");
    }

    @Test
    @DisplayName("a task that withdraws the first cancel: the second SIGINT ends the JVM as Ctrl-C does")
    void secondSigintInterruptsForReal() throws Exception {
        Path err = Files.createTempFile("sigint", ".err");
        BlockingQueue<String> out = start(err, "swallow");
        awaitLine(out, "READY");
        sigint();
        awaitLine(out, "SWALLOWED");
        sigint();
        assertTrue(child.waitFor(WAIT_SECONDS, TimeUnit.SECONDS), "the child did not exit after the second SIGINT");
        assertEquals(130, child.exitValue(), "expected the JVM's SIGINT exit status 128+2; stderr: "
                + Files.readString(err));
    }

    @Test
    @DisplayName("test_interrupt_cancelled_task: SIGINT to a main task the program already cancelled ends run()"
            + " with CancelledError, not KeyboardInterrupt")
    void sigintAfterProgramCancelRaisesCancelledError() throws Exception {
        Path err = Files.createTempFile("sigint", ".err");
        BlockingQueue<String> out = start(err, "cancelled");
        awaitLine(out, "READY");
        sigint();
        awaitLine(out, "CLEANUP");
        assertTrue(child.waitFor(WAIT_SECONDS, TimeUnit.SECONDS), "the child did not exit after the SIGINT");
        String stderr = Files.readString(err);
        assertEquals(1, child.exitValue(), "expected the uncaught-exception exit status; stderr: " + stderr);
        assertTrue(stderr.contains("dev.asyncloop.CancelledError"),
                "expected run() to end with CancelledError: uncancel() leaves the program's own cancel; stderr: "
                        + stderr);
        assertFalse(stderr.contains("KeyboardInterrupt"), "run() must not raise KeyboardInterrupt while a cancel"
                + " of the program's own is still counted; stderr: " + stderr);
    }

    @Test
    @DisplayName("a SIGINT handler added with addSignalHandler inside run() wins over the Runner's; after that"
            + " loop closed, a new Runner handles Ctrl-C again")
    void applicationHandlerWinsThenRunnerHandlesAgain() throws Exception {
        Path err = Files.createTempFile("sigint", ".err");
        BlockingQueue<String> out = start(err, "apphandler");
        awaitLine(out, "READY");
        sigint();
        awaitLine(out, "APP-SIGINT");
        awaitLine(out, "READY2");
        sigint();
        awaitLine(out, "CLEANUP");
        assertTrue(child.waitFor(WAIT_SECONDS, TimeUnit.SECONDS), "the child did not exit after the second SIGINT");
        String stderr = Files.readString(err);
        assertEquals(1, child.exitValue(), "expected the second Runner to turn the SIGINT into KeyboardInterrupt"
                + " (exit status 1), not the JVM's 130 of a SIGINT nobody handled; stderr: " + stderr);
        assertTrue(stderr.contains("dev.asyncloop.KeyboardInterrupt"), "stderr: " + stderr);
    }

    private BlockingQueue<String> start(Path err, String... args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java,
                "--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED",
                "-Dasyncloop.coroutines=" + System.getProperty("asyncloop.coroutines", "virtual"),
                "-cp", System.getProperty("java.class.path"), SigintChild.class.getName()));
        command.addAll(List.of(args));
        child = new ProcessBuilder(command).redirectError(err.toFile()).start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(
                    new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line.strip());
                }
            } catch (IOException ignored) {
                // the child is gone
            }
        }, "sigint-child-stdout");
        reader.setDaemon(true);
        reader.start();
        return lines;
    }

    private static void awaitLine(BlockingQueue<String> lines, String expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (true) {
            String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError("the child never printed " + expected + " within " + WAIT_SECONDS + " s");
            }
            if (line.equals(expected)) {
                return;
            }
        }
    }

    private void sigint() throws Exception {
        Process kill = new ProcessBuilder("kill", "-INT", Long.toString(child.pid())).inheritIO().start();
        assertTrue(kill.waitFor(WAIT_SECONDS, TimeUnit.SECONDS), "kill did not finish");
        assertEquals(0, kill.exitValue(), "kill -INT failed");
    }
}
