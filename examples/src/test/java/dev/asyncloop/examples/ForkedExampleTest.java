package dev.asyncloop.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.asyncloop.testsupport.ForkedJvms;
import dev.asyncloop.testsupport.RunningJvm;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What a forked example's JVM inherits from the test's. */
class ForkedExampleTest {
    @RegisterExtension
    final ForkedJvms forked = new ForkedJvms();

    @Test
    @DisplayName("a forked example gets this JVM's coroutine engine, loop and debug mode, so each run of the suite"
            + " tests the examples under its own settings")
    void sameEngineLoopAndDebugMode() throws Exception {
        RunningJvm child = forked.start(ForkedExample.of(EngineProbe.class));
        assertEquals(EngineProbe.describe(), child.awaitLine("engine="));
        assertEquals(0, child.awaitExit("the probe did not exit"));
    }
}
