package dev.asyncloop.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.testsupport.ForkedJvms;
import dev.asyncloop.testsupport.RunningJvm;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link RunCommand}: in-process runs of {@code /bin/sh} commands, and SIGTERM to a forked JVM running it. */
@EnabledOnOs({OS.LINUX, OS.MAC})
class RunCommandTest {
    private static final long WAIT_SECONDS = 20;
    @RegisterExtension
    final ForkedJvms forked = new ForkedJvms();

    /** Collects what the runner prints, one line at a time, for a test thread to wait on. */
    static final class Lines extends OutputStream {
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final ByteArrayOutputStream current = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                lines.add(current.toString(StandardCharsets.UTF_8));
                current.reset();
            } else {
                current.write(b);
            }
        }

        PrintStream printStream() {
            return new PrintStream(this, true, StandardCharsets.UTF_8);
        }

        List<String> all() {
            return List.copyOf(lines);
        }
    }

    @Test
    void printsEachLineWithItsPrefixThenTheExitCode() {
        Lines out = new Lines();
        Lines err = new Lines();
        RunCommand runner = new RunCommand(List.of("sh", "-c", "echo one; echo two >&2; printf 'three'; exit 3"),
                null, out.printStream(), err.printStream());
        assertEquals(3, runner.run(), "the exit status must be the child's");
        assertEquals(List.of("[sh] one", "[sh] three", "[RunCommand] exit code 3"), out.all());
        assertEquals(List.of("[sh:err] two"), err.all());
    }

    @Test
    void linesArriveAsTheyComeAndStopTerminatesTheChild() throws Exception {
        Lines out = new Lines();
        RunCommand runner = new RunCommand(List.of("sh", "-c", "echo ready; exec sleep 60"), "> ",
                out.printStream(), new Lines().printStream());
        // The loop runs on a thread of its own while this thread watches its output.
        FutureTask<Integer> status = new FutureTask<>(runner::run);
        Thread loopThread = new Thread(status, "run-command-loop");
        loopThread.setDaemon(true);
        loopThread.start();
        // The line is printed while the child still runs: output is streamed, not collected at the end.
        assertEquals("> ready", out.lines.poll(WAIT_SECONDS, TimeUnit.SECONDS), "no streamed line in time");
        assertTrue(runner.started().get(WAIT_SECONDS, TimeUnit.SECONDS) > 0);
        runner.stop();
        int code = status.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertEquals(128 + 15, code, "a child ended by SIGTERM reports 128 + 15");
        assertEquals("[RunCommand] exit code 143", out.lines.poll(WAIT_SECONDS, TimeUnit.SECONDS));
    }

    @Test
    void aProgramThatCannotStartExitsWith127() {
        Lines err = new Lines();
        RunCommand runner = new RunCommand(List.of("/nonexistent/program"), null, new Lines().printStream(),
                err.printStream());
        assertEquals(RunCommand.CANNOT_RUN, runner.run());
        assertTrue(err.all().getFirst().startsWith("RunCommand: cannot run /nonexistent/program"), err.all()
                .toString());
    }

    @Test
    void commandLine() {
        PrintStream none = new Lines().printStream();
        assertThrows(IllegalArgumentException.class, () -> RunCommand.parse(new String[0], none, none));
        assertThrows(IllegalArgumentException.class, () -> RunCommand.parse(new String[] {"--bogus", "ls"}, none,
                none));
        assertThrows(IllegalArgumentException.class, () -> RunCommand.parse(new String[] {"--prefix"}, none, none));
        Lines out = new Lines();
        RunCommand dashes = RunCommand.parse(new String[] {"--prefix=| ", "--", "sh", "-c", "echo --x"},
                out.printStream(), none);
        assertEquals(0, dashes.run());
        assertEquals("| --x", out.all().getFirst());
    }

    @Test
    void sigtermToTheJvmTerminatesTheChildAndExitsWithItsCode() throws Exception {
        RunningJvm child = forked.start(ForkedExample.of(RunCommand.class, "sh", "-c",
                "echo started; exec sleep 60"));
        assertEquals("[sh] started", child.awaitLine("[sh] "));
        child.signal("TERM");
        assertEquals("[RunCommand] exit code 143", child.awaitLine("[RunCommand]"));
        assertEquals(143, child.awaitExit("RunCommand did not exit after SIGTERM"),
                "RunCommand must exit with the child's code");
    }
}
