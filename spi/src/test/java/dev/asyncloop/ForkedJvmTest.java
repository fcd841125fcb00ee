package dev.asyncloop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.testsupport.ForkedJvm;
import dev.asyncloop.testsupport.RunningJvm;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** The toolkit's {@link ForkedJvm}: what the child is started with, what it hands back, and its bounded waits. */
class ForkedJvmTest {
    /** Runs in the child: {@code print <status>}, {@code sleep}, or {@code ready}. */
    public static final class Child {
        private Child() {
        }

        /**
         * Does what the first argument says.
         *
         * @param args the mode, then its argument
         * @throws InterruptedException never: the parent ends the child
         */
        public static void main(String[] args) throws InterruptedException {
            switch (args[0]) {
                case "print" -> {
                    System.out.println("flags=" + ForkedJvm.parentModuleFlags());
                    System.out.println("property=" + System.getProperty("forked.test"));
                    System.out.println("args=" + List.of(args));
                    System.err.println("to stderr");
                    System.exit(Integer.parseInt(args[1]));
                }
                case "ready" -> {
                    System.out.println("ready");
                    Thread.sleep(Duration.ofMinutes(1));
                }
                default -> Thread.sleep(Duration.ofMinutes(1));
            }
        }
    }

    @Test
    void theChildRunsWithThisJvmsModuleFlagsThePropertiesAndTheArgs() throws Exception {
        List<String> flags = ForkedJvm.parentModuleFlags();
        assertTrue(flags.contains("--add-exports=java.base/sun.nio.ch=ALL-UNNAMED"),
                "surefire's argLine gives this JVM the flag: " + flags + " of "
                        + ManagementFactory.getRuntimeMXBean().getInputArguments());
        ForkedJvm.Result result = ForkedJvm.of(Child.class).property("forked.test", "x y").args("print", "3").run();
        assertEquals(3, result.exitCode(), result.describe());
        assertEquals(List.of("flags=" + flags, "property=x y", "args=[print, 3]"), result.stdout().lines().toList());
        assertEquals("to stderr", result.stderr().strip(), "standard error apart");
        AssertionError e = assertThrows(AssertionError.class, () -> result.expectExit(0));
        assertTrue(e.getMessage().contains("exit 3") && e.getMessage().contains("to stderr"), e.getMessage());
    }

    @Test
    void chosenFlagsReplaceThisJvmsAndStandardErrorCanJoinStandardOutput() throws Exception {
        ForkedJvm.Result result = ForkedJvm.of(Child.class).moduleFlags().stderrIntoStdout().args("print", "0").run()
                .expectExit(0);
        assertTrue(result.stdout().lines().toList().containsAll(List.of("flags=[]", "property=null", "to stderr")),
                result.describe());
        assertEquals("", result.stderr());
    }

    @Test
    void aChildThatDoesNotExitInTimeIsDestroyedAndTheTestFails() {
        AssertionError e = assertThrows(AssertionError.class,
                () -> ForkedJvm.of(Child.class).args("sleep").timeout(Duration.ofSeconds(1)).run());
        assertTrue(e.getMessage().startsWith("the forked JVM did not exit within 1 s and was destroyed"),
                e.getMessage());
        assertFalse(ProcessHandle.current().children().anyMatch(p -> p.info().arguments()
                .map(a -> List.of(a).contains(Child.class.getName())).orElse(false)), "no child left running");
    }

    @Test
    @EnabledOnOs({OS.LINUX, OS.MAC})
    void aStartedChildIsReadLineByLineAndCanBeSignalled() throws Exception {
        try (RunningJvm child = ForkedJvm.of(Child.class).args("ready").start()) {
            assertEquals("ready", child.awaitLine("re"));
            child.signal("TERM");
            assertEquals(143, child.awaitExit("the child did not end on SIGTERM"));
            assertEquals(List.of(), child.linesToTheEnd());
        }
    }
}
