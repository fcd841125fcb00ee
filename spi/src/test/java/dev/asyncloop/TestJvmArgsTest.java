package dev.asyncloop;

import dev.asyncloop.testsupport.TestJvmArgs;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** This module's test JVMs get {@code -Dasyncloop.test.jvmArgs}, in both engines' runs. */
class TestJvmArgsTest {
    @Test
    @DisplayName("the build's -Dasyncloop.test.jvmArgs are on this test JVM's command line")
    void jvmArgsReachTheTestJvm() {
        TestJvmArgs.assertApplied();
    }
}
