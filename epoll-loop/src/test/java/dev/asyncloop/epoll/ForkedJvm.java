package dev.asyncloop.epoll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.spi.EventLoops;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a main class in a new JVM on this test run's class path, for facts that depend on JVM flags. */
final class ForkedJvm {
    private ForkedJvm() {
    }

    /**
     * Runs {@code main} with exactly {@code jvmOptions} (no loop selection or Java options from the environment)
     * and returns its standard output and error; fails the test unless it exits with 0 within 60 s.
     */
    static String run(Class<?> main, String... jvmOptions) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().remove(EventLoops.ENV);
        pb.environment().remove("JDK_JAVA_OPTIONS");
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the forked JVM did not exit: " + out);
        assertEquals(0, p.exitValue(), "the forked JVM failed: " + out);
        return out;
    }
}
