package dev.asyncloop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.testsupport.ForkedJvm;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * How {@code -Dasyncloop.coroutines} and the {@code --add-exports} flag pick the coroutine engine (rule K1). The
 * choice is made once per JVM, so every case runs {@link EngineProbe} in a JVM of its own.
 */
class CoroutineEngineSelectionTest {
    private static final String FLAG = "--add-exports java.base/jdk.internal.vm=ALL-UNNAMED";
    private static final long TIMEOUT_SECONDS = 60;

    private record Outcome(int exitCode, String stdout, List<String> stderr) {
        String describe() {
            return "exit " + exitCode + ", stdout: " + stdout + ", stderr: " + String.join("\n", stderr);
        }
    }

    private Outcome probe(String... jvmOptions) throws IOException, InterruptedException {
        // the log's level names are translated in other locales ("WARNUNG"); these tests count WARNING lines
        ForkedJvm.Result r = ForkedJvm.of(EngineProbe.class).moduleFlags().property("user.language", "en")
                .jvmOptions(jvmOptions).withoutSettingsFromEnvironment().timeout(Duration.ofSeconds(TIMEOUT_SECONDS))
                .run();
        return new Outcome(r.exitCode(), r.stdout().strip(), r.stderr().lines().toList());
    }

    @Test
    @DisplayName("K1 without the flag and without the property: the virtual engine, with exactly one WARNING naming"
            + " the flag")
    void noFlagNoPropertyFallsBackToVirtualWithOneWarning() throws Exception {
        Outcome o = probe();
        assertEquals(0, o.exitCode(), o.describe());
        assertEquals("engine=virtual", o.stdout(), o.describe());
        List<String> warnings = o.stderr().stream().filter(l -> l.contains("WARNING")).toList();
        assertEquals(1, warnings.size(), "[K1] expected one WARNING line, got " + o.describe());
        assertTrue(warnings.get(0).contains(FLAG), "[K1] the WARNING must name the flag " + FLAG + ": " + warnings);
    }

    @Test
    @DisplayName("K1 -Dasyncloop.coroutines=continuation without the flag fails naming the flag")
    void forcedContinuationWithoutFlagFails() throws Exception {
        Outcome o = probe("-Dasyncloop.coroutines=continuation");
        assertEquals(3, o.exitCode(), o.describe());
        assertTrue(o.stdout().startsWith("error=java.lang.IllegalStateException: "), o.describe());
        assertTrue(o.stdout().contains("-Dasyncloop.coroutines=continuation"), o.describe());
        assertTrue(o.stdout().contains(FLAG), "[K1] the message must name the flag: " + o.describe());
    }

    @Test
    @DisplayName("K1 -Dasyncloop.coroutines=bogus fails listing the valid values")
    void unknownEngineFails() throws Exception {
        Outcome o = probe("-Dasyncloop.coroutines=bogus", "--add-exports", "java.base/jdk.internal.vm=ALL-UNNAMED");
        assertEquals(3, o.exitCode(), o.describe());
        String message = "-Dasyncloop.coroutines=bogus names no coroutine engine; use 'continuation' or 'virtual'";
        assertEquals("error=java.lang.IllegalArgumentException: " + message + "\n"
                + "again=java.lang.IllegalArgumentException: " + message + " (caused by the first)",
                o.stdout().replace("\r\n", "\n"), "[K1] a later call fails alike, with an exception of its own: "
                + o.describe());
    }

    @Test
    @DisplayName("K1 with the flag and without the property: the continuation engine, no warning")
    void flagWithoutPropertyPicksContinuation() throws Exception {
        Outcome o = probe("--add-exports", "java.base/jdk.internal.vm=ALL-UNNAMED");
        assertEquals(0, o.exitCode(), o.describe());
        assertEquals("engine=continuation", o.stdout(), o.describe());
        assertTrue(o.stderr().stream().noneMatch(l -> l.contains("WARNING")), o.describe());
    }

    @Test
    @DisplayName("K1 -Dasyncloop.coroutines=virtual is honoured even with the flag, without a warning")
    void forcedVirtualWithFlag() throws Exception {
        Outcome o = probe("-Dasyncloop.coroutines=virtual", "--add-exports", "java.base/jdk.internal.vm=ALL-UNNAMED");
        assertEquals(0, o.exitCode(), o.describe());
        assertEquals("engine=virtual", o.stdout(), o.describe());
        assertTrue(o.stderr().stream().noneMatch(l -> l.contains("WARNING")), o.describe());
    }
}
