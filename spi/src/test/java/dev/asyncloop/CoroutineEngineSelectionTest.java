package dev.asyncloop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How {@code -Dasyncloop.coroutines} and the {@code --add-exports} flag pick the coroutine engine (rule K1). The
 * choice is made once per JVM, so every case runs {@link EngineProbe} in a JVM of its own.
 */
class CoroutineEngineSelectionTest {
    private static final String FLAG = "--add-exports java.base/jdk.internal.vm=ALL-UNNAMED";
    private static final long TIMEOUT_SECONDS = 60;

    @TempDir
    Path dir;

    private record Outcome(int exitCode, String stdout, List<String> stderr) {
        String describe() {
            return "exit " + exitCode + ", stdout: " + stdout + ", stderr: " + String.join("\n", stderr);
        }
    }

    private Outcome probe(String... jvmOptions) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command()
                .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>();
        command.add(java);
        // the log's level names are translated in other locales ("WARNUNG"); these tests count WARNING lines
        command.add("-Duser.language=en");
        command.addAll(List.of(jvmOptions));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(EngineProbe.class.getName());
        Path out = Files.createTempFile(dir, "probe", ".out");
        Path err = Files.createTempFile(dir, "probe", ".err");
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().remove("JDK_JAVA_OPTIONS");
        Process p = pb.start();
        try {
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                fail("[K1] the forked JVM " + command + " did not end within " + TIMEOUT_SECONDS + " s; stderr so far: "
                        + Files.readString(err, StandardCharsets.UTF_8));
            }
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }
        return new Outcome(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8).strip(),
                Files.readAllLines(err, StandardCharsets.UTF_8));
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
        assertEquals("error=java.lang.IllegalArgumentException: -Dasyncloop.coroutines=bogus names no coroutine"
                + " engine; use 'continuation' or 'virtual'", o.stdout(), o.describe());
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
