package dev.asyncloop.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.testsupport.ForkedJvms;
import dev.asyncloop.testsupport.InheritedSignals;
import dev.asyncloop.testsupport.RunningJvm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@link JobRunner} running {@code sh -c} commands in-process, and Ctrl-C to a forked JVM running it. */
@EnabledOnOs({OS.LINUX, OS.MAC})
class JobRunnerTest {
    private static final long WAIT_SECONDS = 20;
    @RegisterExtension
    final ForkedJvms forked = new ForkedJvms();

    @Test
    void runsTwoAtATimeAndPrefixesEachLine(@TempDir Path dir) {
        RunCommandTest.Lines out = new RunCommandTest.Lines();
        // Job 1 finishes only once job 2 ran (so two run at once); job 3 may start only when one of them ended.
        String flag = dir.resolve("two").toString();
        int status = new JobRunner(2, Duration.ofSeconds(WAIT_SECONDS), Duration.ofSeconds(1), out.printStream())
                .run(List.of("while [ ! -f " + flag + " ]; do sleep 0.01; done; echo one done",
                        "echo two >&2; touch " + flag + "; echo two done",
                        "echo three; exit 3"));
        List<String> lines = out.all();
        assertEquals(1, status, "a job failed: " + lines);
        assertTrue(lines.contains("[2] two"), "stderr is merged into the output: " + lines);
        int firstEnd = Math.min(lines.indexOf("[1] one done"), lines.indexOf("[2] two done"));
        assertTrue(firstEnd >= 0 && lines.indexOf("[3] three") > firstEnd, "job 3 started before a slot was free: "
                + lines);
        assertEquals(List.of("[JobRunner] [1] exit code 0", "[JobRunner] [2] exit code 0",
                "[JobRunner] [3] exit code 3"), lines.subList(lines.size() - 3, lines.size()));
    }

    @Test
    void aJobPastItsTimeoutIsTerminatedThenKilled() {
        RunCommandTest.Lines out = new RunCommandTest.Lines();
        int status = new JobRunner(3, Duration.ofMillis(500), Duration.ofMillis(500), out.printStream()).run(List.of(
                "echo polite; exec sleep 30",
                "trap '' TERM; echo stubborn; exec sleep 30",
                "sleep 30; sleep 30")); // the shell's own child would hold the output open if it were spared
        List<String> lines = out.all();
        assertEquals(1, status, lines.toString());
        assertTrue(lines.contains("[1] polite") && lines.contains("[2] stubborn"), lines.toString());
        assertEquals(List.of("[JobRunner] [1] timed out, terminated (exit code 143)",
                "[JobRunner] [2] timed out, killed (exit code 137)",
                "[JobRunner] [3] timed out, terminated (exit code 143)"), lines.subList(lines.size() - 3, lines.size()));
    }

    @Test
    void allGoodIsZero() {
        RunCommandTest.Lines out = new RunCommandTest.Lines();
        assertEquals(0, new JobRunner(1, Duration.ofSeconds(WAIT_SECONDS), Duration.ofSeconds(1), out.printStream())
                .run(List.of("printf 'a\\nb'", "true")));
        assertEquals(List.of("[1] a", "[1] b", "[JobRunner] [1] exit code 0", "[JobRunner] [2] exit code 0"),
                out.all());
    }

    @Test
    void ctrlCKillsTheRunningJobs() throws Exception {
        InheritedSignals.assumeSigintDelivered();
        RunningJvm child = forked.start(ForkedExample.of(JobRunner.class, "echo pid $$; exec sleep 60"));
        String first = child.nextLine();
        assertTrue(first != null && first.startsWith("[1] pid "), "no first line: " + first);
        long sleeper = Long.parseLong(first.substring("[1] pid ".length()));
        child.signal("INT");
        int status = child.awaitExit("JobRunner did not exit after SIGINT");
        assertEquals(JobRunner.INTERRUPTED, status, child.pendingLines().toString());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (ProcessHandle.of(sleeper).map(ProcessHandle::isAlive).orElse(false)) {
            assertTrue(System.nanoTime() < deadline, "the job outlived JobRunner");
            Thread.sleep(10);
        }
    }

    @Test
    void badCommandLine() {
        assertThrows(IllegalArgumentException.class, () -> new JobRunner(0,
                Duration.ofSeconds(1), Duration.ofSeconds(1), System.out));
    }
}
