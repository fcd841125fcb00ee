package dev.asyncloop.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
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
 * The published jars are named modules: {@code asyncloop-spi} ({@code dev.asyncloop}) and {@code asyncloop-nio}
 * ({@code dev.asyncloop.nio}) on the module path, with the NIO loop found through its {@code provides} clause and
 * coroutines on the continuation engine once {@code jdk.internal.vm} is exported to {@code dev.asyncloop}, and
 * {@code ChannelDescriptors} reading descriptors once {@code sun.nio.ch} is.
 * Needs the packaged jars (their module descriptors are compiled just before packaging), so it runs under
 * {@code mvn verify} and is skipped when the reactor hands this module class directories instead.
 */
class ModulePathTest {
    private static final List<String> MODULE_JARS =
            List.of("asyncloop-spi-", "asyncloop-nio-", "jctools-core-", "guava-", "failureaccess-");

    @TempDir
    Path dir;

    @Test
    @DisplayName("the spi and NIO loop jars run on the module path, continuation engine included")
    void runsOnTheModulePath() throws Exception {
        assertEquals("api=dev.asyncloop loop=dev.asyncloop.nio/NioEventLoop virtual=false result=world",
                runOnTheModulePath(ModulePathProbe.class, "--add-exports", "java.base/jdk.internal.vm=dev.asyncloop",
                        "-Dasyncloop.coroutines=continuation", "-Dasyncloop.loop=nio"));
    }

    @Test
    @DisplayName("ChannelDescriptors on the module path names =dev.asyncloop in its cause, and works with that flag")
    void channelDescriptorsOnTheModulePath() throws Exception {
        String flag = "java.base/sun.nio.ch=dev.asyncloop";
        assertEquals("module=dev.asyncloop cause=add --add-exports " + flag + " to the JVM command line"
                + " fd=IllegalStateException", runOnTheModulePath(ChannelDescriptorsProbe.class));
        assertEquals("module=dev.asyncloop cause=none fd=non-negative",
                runOnTheModulePath(ChannelDescriptorsProbe.class, "--add-exports", flag));
    }

    /**
     * Runs {@code main} (from the test classes, on the class path) with the packaged jars on the module path and
     * returns its output; fails unless it exits with 0 and writes nothing to standard error.
     */
    private String runOnTheModulePath(Class<?> main, String... jvmOptions) throws Exception {
        List<String> modulePath = new ArrayList<>();
        List<String> classPath = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String name = Path.of(entry).getFileName().toString();
            if (MODULE_JARS.stream().anyMatch(name::startsWith) && !name.endsWith("-tests.jar")) {
                modulePath.add(entry);
            } else if (entry.endsWith("test-classes")) {
                classPath.add(entry);
            }
        }
        assumeTrue(modulePath.stream().filter(e -> e.contains("asyncloop-")).allMatch(e -> e.endsWith(".jar"))
                        && modulePath.size() == MODULE_JARS.size(),
                "needs the packaged asyncloop jars (mvn verify), got " + modulePath);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-p", String.join(File.pathSeparator, modulePath),
                "--add-modules", "ALL-MODULE-PATH"));
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", String.join(File.pathSeparator, classPath), main.getName()));
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the probe did not finish within 60 s");
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), "exit status; stderr: " + stderr + "; command: " + command);
        assertTrue(stderr.isBlank(), "no warning expected: " + stderr);
        return Files.readString(out, StandardCharsets.UTF_8).strip();
    }
}
