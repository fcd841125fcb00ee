package dev.asyncloop.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A {@link ForkedJvm} that runs: its standard output is read line by line on a daemon thread, and every wait is
 * bounded by the builder's timeout. Closing it destroys the JVM if it still runs; {@link ForkedJvms} does that
 * after each test. The test's thread uses it; the reader thread only adds lines.
 */
public final class RunningJvm implements AutoCloseable {
    private final Process process;
    private final @Nullable Path stderr;
    private final Duration timeout;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Thread reader;

    RunningJvm(Process process, @Nullable Path stderr, Duration timeout) {
        this.process = process;
        this.stderr = stderr;
        this.timeout = timeout;
        this.reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the child is gone
            }
        }, "forked-jvm-output");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * The operating system's id of the JVM.
     *
     * @return its pid
     */
    public long pid() {
        return process.pid();
    }

    /**
     * The next line it prints.
     *
     * @return the line, or null if none came in time
     * @throws InterruptedException if interrupted while waiting
     */
    public @Nullable String nextLine() throws InterruptedException {
        return lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * The first line from now on that starts with {@code prefix}; the lines before it are dropped.
     *
     * @param prefix how the line starts
     * @return the whole line
     * @throws AssertionError with the lines seen, if none comes in time
     * @throws InterruptedException if interrupted while waiting
     */
    public String awaitLine(String prefix) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
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
        throw new AssertionError("no line starting with '" + prefix + "' within " + timeout.toSeconds()
                + " s; got:\n" + seen);
    }

    /**
     * The lines printed and not yet taken.
     *
     * @return a copy
     */
    public List<String> pendingLines() {
        return List.copyOf(lines);
    }

    /**
     * Takes every line not yet taken once the output has ended (the JVM closed it).
     *
     * @return the lines
     * @throws AssertionError if the output does not end in time
     * @throws InterruptedException if interrupted while waiting
     */
    public List<String> linesToTheEnd() throws InterruptedException {
        reader.join(timeout.toMillis());
        assertFalse(reader.isAlive(), "the output did not end within " + timeout.toSeconds() + " s");
        List<String> rest = new ArrayList<>();
        lines.drainTo(rest);
        return rest;
    }

    /**
     * Sends {@code signal} with {@code kill} and checks that {@code kill} succeeded.
     *
     * @param signal a name {@code kill} knows: TERM, INT, HUP
     * @throws AssertionError if {@code kill} did not finish in time or failed
     * @throws IOException if {@code kill} cannot be started
     * @throws InterruptedException if interrupted while waiting
     */
    public void signal(String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
        assertTrue(kill.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS), "kill did not finish");
        assertEquals(0, kill.exitValue(), "kill -" + signal + " failed");
    }

    /**
     * Waits for the JVM to exit.
     *
     * @param what the failure message if it does not in time
     * @return its exit status
     * @throws AssertionError with {@code what} and the lines not yet taken, if it does not exit in time
     * @throws InterruptedException if interrupted while waiting
     */
    public int awaitExit(String what) throws InterruptedException {
        assertTrue(process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS),
                () -> what + "; lines not yet taken: " + pendingLines());
        return process.exitValue();
    }

    /**
     * What it printed on standard error so far.
     *
     * @return the text, empty if standard error goes into standard output
     */
    public String stderr() {
        return stderr == null ? "" : ForkedJvm.read(stderr);
    }

    /**
     * Destroys the JVM if it still runs and deletes the file of its standard error.
     *
     * @throws java.io.UncheckedIOException if the file cannot be deleted
     */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        if (stderr != null) {
            try {
                Files.deleteIfExists(stderr);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }
}
