package dev.asyncloop.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * An example's {@code main} in a JVM of its own (this JVM's class path, the fast coroutine engine's flag), so that a
 * test can send it a signal: its output (stdout and stderr together) is read line by line on a daemon thread, and
 * every wait is bounded by {@link #WAIT_SECONDS}. Closing it kills the JVM if it still runs; a test starts it
 * through a {@link Launcher}, which does that after the test.
 */
final class ForkedExample implements AutoCloseable {
    static final long WAIT_SECONDS = 20;

    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Thread reader;

    private ForkedExample(Process process) {
        this.process = process;
        this.reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the child is gone
            }
        }, "forked-example-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code main} of {@code example} with {@code args}; its stdin is a pipe nobody writes to. */
    static ForkedExample start(Class<?> example, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                example.getName()));
        command.addAll(List.of(args));
        return new ForkedExample(new ProcessBuilder(command).redirectErrorStream(true).start());
    }

    /** The next line it prints, or null if none came in time. */
    @Nullable String nextLine() throws InterruptedException {
        return lines.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    /** The first line from now on that starts with {@code prefix}; fails, with the lines seen, if none comes. */
    String awaitLine(String prefix) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        StringBuilder seen = new StringBuilder();
        while (System.nanoTime() < end) {
            String line = lines.poll(end - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (line == null) {
                break;
            }
            seen.append(line).append('\n');
            if (line.startsWith(prefix)) {
                return line;
            }
        }
        throw new AssertionError("no line starting with '" + prefix + "' within " + WAIT_SECONDS + " s; got:\n"
                + seen);
    }

    /** The lines printed and not yet taken. */
    List<String> pendingLines() {
        return List.copyOf(lines);
    }

    /** Takes every line not yet taken once the output has ended (the JVM closed it); fails if it does not in time. */
    List<String> linesToTheEnd() throws InterruptedException {
        reader.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        assertFalse(reader.isAlive(), "the output did not end within " + WAIT_SECONDS + " s");
        List<String> rest = new ArrayList<>();
        lines.drainTo(rest);
        return rest;
    }

    /** Sends {@code signal} (a name {@code kill} knows: TERM, INT) and checks that {@code kill} succeeded. */
    void signal(String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
        assertTrue(kill.waitFor(WAIT_SECONDS, TimeUnit.SECONDS), "kill did not finish");
        assertEquals(0, kill.exitValue(), "kill -" + signal + " failed");
    }

    /** Waits for the JVM to exit; fails with {@code what} if it does not in time. Returns its exit status. */
    int awaitExit(String what) throws InterruptedException {
        assertTrue(process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS), what);
        return process.exitValue();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }

    /**
     * Starts forked examples for a test class ({@code @RegisterExtension}) and, after each test, kills those that
     * still run.
     */
    static final class Launcher implements AfterEachCallback {
        private final List<ForkedExample> started = new ArrayList<>();

        /** As {@link ForkedExample#start}, killed after the test if it still runs. */
        ForkedExample start(Class<?> example, String... args) throws IOException {
            ForkedExample forked = ForkedExample.start(example, args);
            started.add(forked);
            return forked;
        }

        @Override
        public void afterEach(ExtensionContext context) {
            started.forEach(ForkedExample::close);
            started.clear();
        }
    }
}
