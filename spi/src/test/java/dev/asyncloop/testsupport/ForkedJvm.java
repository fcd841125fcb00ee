package dev.asyncloop.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.asyncloop.spi.EventLoops;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A main class in a JVM of its own, for facts that depend on JVM flags, on a fresh JVM's state, or on signals: the
 * running JVM's {@code java} binary and class path, the module flags this JVM runs with (or chosen ones), system
 * properties, other options, the main class and its arguments. {@link #run()} waits for the exit, bounded by
 * {@link #timeout}, and captures standard output and error; {@link #start()} hands back the running JVM. A JVM that
 * does not exit in time is destroyed and the test fails with what it printed. Not thread-safe: a builder per test.
 */
public final class ForkedJvm {
    private static final List<String> MODULE_FLAGS = List.of(
            "--add-exports", "--add-opens", "--add-reads", "--add-modules", "--enable-native-access");
    /** The variables through which the environment would add options or a loop to the child. */
    private static final List<String> SETTING_VARIABLES = List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS",
            EventLoops.ENV);

    private final Class<?> main;
    private @Nullable List<String> moduleFlags;
    private final List<String> options = new ArrayList<>();
    private final Map<String, String> properties = new TreeMap<>();
    private final List<String> args = new ArrayList<>();
    private boolean settingsFromEnvironment = true;
    private boolean stderrIntoStdout;
    private Duration timeout = Duration.ofSeconds(60);

    private ForkedJvm(Class<?> main) {
        this.main = main;
    }

    /**
     * A JVM to run {@code main} in: by default with this JVM's module flags, the environment as it is, standard
     * error apart from standard output, and waits of 60 s at most.
     *
     * @param main a class with a {@code public static void main(String[])}, on this JVM's class path
     * @return the builder
     */
    public static ForkedJvm of(Class<?> main) {
        return new ForkedJvm(main);
    }

    /**
     * The module flags this JVM was started with ({@code --add-exports}, {@code --add-opens}, {@code --add-reads},
     * {@code --add-modules}, {@code --enable-native-access}), each as one {@code --flag=value} word.
     *
     * @return the flags, in their order on this JVM's command line
     */
    public static List<String> parentModuleFlags() {
        List<String> in = ManagementFactory.getRuntimeMXBean().getInputArguments();
        List<String> flags = new ArrayList<>();
        for (int i = 0; i < in.size(); i++) {
            String word = in.get(i);
            if (MODULE_FLAGS.stream().anyMatch(flag -> word.startsWith(flag + "="))) {
                flags.add(word);
            } else if (MODULE_FLAGS.contains(word) && i + 1 < in.size()) {
                flags.add(word + "=" + in.get(++i));
            }
        }
        return flags;
    }

    /**
     * Starts the JVM with exactly these module flags instead of this JVM's.
     *
     * @param flags the flags, none for a JVM without any
     * @return this builder
     */
    public ForkedJvm moduleFlags(String... flags) {
        this.moduleFlags = List.of(flags);
        return this;
    }

    /**
     * Adds JVM options ({@code -Xmx64m}, {@code -XX:...}), after the module flags.
     *
     * @param jvmOptions the options
     * @return this builder
     */
    public ForkedJvm jvmOptions(String... jvmOptions) {
        options.addAll(List.of(jvmOptions));
        return this;
    }

    /**
     * Sets a system property of the child, as {@code -Dkey=value}.
     *
     * @param key the property
     * @param value its value
     * @return this builder
     */
    public ForkedJvm property(String key, String value) {
        properties.put(key, value);
        return this;
    }

    /**
     * Adds arguments of the main class.
     *
     * @param mainArgs the arguments
     * @return this builder
     */
    public ForkedJvm args(String... mainArgs) {
        args.addAll(List.of(mainArgs));
        return this;
    }

    /**
     * Leaves out of the child's environment the variables that would add JVM options ({@code JAVA_TOOL_OPTIONS},
     * {@code JDK_JAVA_OPTIONS}) or name a loop ({@code ASYNCLOOP_LOOP}), so that the command line alone decides.
     *
     * @return this builder
     */
    public ForkedJvm withoutSettingsFromEnvironment() {
        settingsFromEnvironment = false;
        return this;
    }

    /**
     * Sends standard error where standard output goes, interleaved as printed; {@link Result#stderr()} is then
     * empty.
     *
     * @return this builder
     */
    public ForkedJvm stderrIntoStdout() {
        stderrIntoStdout = true;
        return this;
    }

    /**
     * Bounds every wait on the child: for its exit, and for each line of a {@linkplain #start() started} one.
     *
     * @param wait the bound, 60 s unless set
     * @return this builder
     * @throws IllegalArgumentException if {@code wait} is not positive
     */
    public ForkedJvm timeout(Duration wait) {
        if (wait.isNegative() || wait.isZero()) {
            throw new IllegalArgumentException("timeout: expected a positive duration, got " + wait);
        }
        this.timeout = wait;
        return this;
    }

    /**
     * The command line the child is started with.
     *
     * @return {@code java}, module flags, options, properties, {@code -cp}, the main class, its arguments
     */
    public List<String> command() {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(moduleFlags != null ? moduleFlags : parentModuleFlags());
        command.addAll(options);
        properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(args);
        return command;
    }

    private ProcessBuilder processBuilder(List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(stderrIntoStdout);
        if (!settingsFromEnvironment) {
            SETTING_VARIABLES.forEach(pb.environment()::remove);
        }
        return pb;
    }

    /**
     * Runs the child to its end, its standard input closed.
     *
     * @return its exit status and output
     * @throws AssertionError if it did not exit within {@link #timeout} (it is destroyed), with what it printed
     * @throws IOException if it cannot be started or its output cannot be kept
     * @throws InterruptedException if interrupted while waiting (it is destroyed)
     */
    public Result run() throws IOException, InterruptedException {
        List<String> command = command();
        Path out = Files.createTempFile("forked-jvm", ".out");
        Path err = Files.createTempFile("forked-jvm", ".err");
        Process process = null;
        try {
            process = processBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            process.getOutputStream().close();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
                throw new AssertionError("the forked JVM did not exit within " + timeout.toSeconds() + " s and was"
                        + " destroyed: " + String.join(" ", command) + "\nstdout:\n" + read(out) + "\nstderr:\n"
                        + read(err));
            }
            return new Result(command, process.exitValue(), read(out), read(err));
        } finally {
            if (process != null && process.isAlive()) {
                process.destroyForcibly();
            }
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /**
     * Starts the child and hands it back running; its standard input is a pipe nobody writes to, its standard
     * output is read line by line on a daemon thread, its standard error (unless {@link #stderrIntoStdout}) goes to
     * a file that {@link RunningJvm#stderr()} reads.
     *
     * @return the running JVM, to be closed (destroyed if still running) by the test
     * @throws IOException if it cannot be started
     */
    public RunningJvm start() throws IOException {
        ProcessBuilder pb = processBuilder(command());
        Path err = null;
        if (!stderrIntoStdout) {
            err = Files.createTempFile("forked-jvm", ".err");
            pb.redirectError(err.toFile());
        }
        try {
            return new RunningJvm(pb.start(), err, timeout);
        } catch (IOException | RuntimeException e) {
            if (err != null) {
                Files.deleteIfExists(err);
            }
            throw e;
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * How a forked JVM ended.
     *
     * @param command its command line
     * @param exitCode its exit status
     * @param stdout its standard output (with standard error, if {@link #stderrIntoStdout})
     * @param stderr its standard error
     */
    public record Result(List<String> command, int exitCode, String stdout, String stderr) {
        /**
         * For a failure message: the command, the exit status and both outputs.
         *
         * @return the description
         */
        public String describe() {
            return "exit " + exitCode + " of " + String.join(" ", command) + "\nstdout:\n" + stdout + "\nstderr:\n"
                    + stderr;
        }

        /**
         * Fails the test unless the child exited with {@code expected}.
         *
         * @param expected the exit status expected
         * @return this result
         * @throws AssertionError naming the status and what the child printed
         */
        public Result expectExit(int expected) {
            assertEquals(expected, exitCode, () -> "the forked JVM ended otherwise than expected: " + describe());
            return this;
        }
    }
}
