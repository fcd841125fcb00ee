package dev.asyncloop.testsupport;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * Checks that {@code -Dasyncloop.test.jvmArgs} given to the build reached this test JVM's command line: a module
 * whose pom sets its own surefire {@code argLine} must append {@code ${asyncloop.test.jvmArgs}}, or the suite
 * under other settings (docs/architecture.md) silently runs that module under the default ones.
 */
public final class TestJvmArgs {
    /** The Maven property, which surefire also passes to the test JVM as a system property when it is given. */
    public static final String PROPERTY = "asyncloop.test.jvmArgs";

    private TestJvmArgs() {
    }

    /**
     * The words of {@code -Dasyncloop.test.jvmArgs} given to the build, for a JVM a test starts itself.
     *
     * @return the JVM options, none when the property is unset or blank
     */
    public static List<String> given() {
        String wanted = System.getProperty(PROPERTY, "").strip();
        return wanted.isEmpty() ? List.of() : List.of(wanted.split("\\s+"));
    }

    /**
     * Asserts that every whitespace-separated word of {@code -Dasyncloop.test.jvmArgs} is one of this JVM's input
     * arguments; passes when the property is unset or blank.
     */
    public static void assertApplied() {
        List<String> actual = ManagementFactory.getRuntimeMXBean().getInputArguments();
        for (String word : given()) {
            assertTrue(actual.contains(word), () -> "-D" + PROPERTY + " has '" + word + "' but this test JVM was"
                    + " started without it; append ${" + PROPERTY + "} to the module's surefire argLine. JVM"
                    + " arguments: " + actual);
        }
    }
}
