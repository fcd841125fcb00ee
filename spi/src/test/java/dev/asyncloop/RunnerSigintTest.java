package dev.asyncloop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.testsupport.ForkedJvm;
import dev.asyncloop.testsupport.ForkedJvms;
import dev.asyncloop.testsupport.InheritedSignals;
import dev.asyncloop.testsupport.RunningJvm;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link Runner}'s SIGINT handling, in a forked JVM ({@link SigintChild}) signalled with {@code kill -INT}. */
@EnabledOnOs({OS.LINUX, OS.MAC})
class RunnerSigintTest {
    @RegisterExtension
    final ForkedJvms forked = new ForkedJvms();

    /**
     * A process started with SIGINT ignored (a background job of a shell without job control, {@code nohup ... &})
     * passes SIG_IGN on to its children, and {@link Runner} then leaves SIGINT alone, as asyncio does: nothing to
     * test there.
     */
    @BeforeEach
    void sigintIsNotIgnored() {
        InheritedSignals.assumeSigintDelivered();
    }

    @Test
    @DisplayName("a task that withdraws the first cancel: the second SIGINT ends the JVM as Ctrl-C does")
    void secondSigintInterruptsForReal() throws Exception {
        RunningJvm child = start("swallow");
        child.awaitLine("READY");
        child.signal("INT");
        child.awaitLine("SWALLOWED");
        child.signal("INT");
        int status = child.awaitExit("the child did not exit after the second SIGINT");
        assertEquals(130, status, "expected the JVM's SIGINT exit status 128+2; stderr: " + child.stderr());
    }

    @Test
    @DisplayName("test_interrupt_cancelled_task: SIGINT to a main task the program already cancelled ends run()"
            + " with CancelledError, not KeyboardInterrupt")
    void sigintAfterProgramCancelRaisesCancelledError() throws Exception {
        RunningJvm child = start("cancelled");
        child.awaitLine("READY");
        child.signal("INT");
        child.awaitLine("CLEANUP");
        int status = child.awaitExit("the child did not exit after the SIGINT");
        String stderr = child.stderr();
        assertEquals(1, status, "expected the uncaught-exception exit status; stderr: " + stderr);
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
        RunningJvm child = start("apphandler");
        child.awaitLine("READY");
        child.signal("INT");
        child.awaitLine("APP-SIGINT");
        child.awaitLine("READY2");
        child.signal("INT");
        child.awaitLine("CLEANUP");
        int status = child.awaitExit("the child did not exit after the second SIGINT");
        String stderr = child.stderr();
        assertEquals(1, status, "expected the second Runner to turn the SIGINT into KeyboardInterrupt"
                + " (exit status 1), not the JVM's 130 of a SIGINT nobody handled; stderr: " + stderr);
        assertTrue(stderr.contains("dev.asyncloop.KeyboardInterrupt"), "stderr: " + stderr);
    }

    /** {@link SigintChild} with {@code args}, on this JVM's coroutine engine; its standard error apart. */
    private RunningJvm start(String... args) throws IOException {
        return forked.start(ForkedJvm.of(SigintChild.class)
                .moduleFlags("--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED")
                .property("asyncloop.coroutines", System.getProperty("asyncloop.coroutines", "virtual")).args(args)
                .timeout(Duration.ofSeconds(20)));
    }
}
