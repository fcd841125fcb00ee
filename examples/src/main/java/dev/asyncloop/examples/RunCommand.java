package dev.asyncloop.examples;

import dev.asyncloop.Async;
import dev.asyncloop.EventLoop;
import dev.asyncloop.StreamReader;
import dev.asyncloop.Subprocess;
import dev.asyncloop.SubprocessOptions;
import dev.asyncloop.Subprocesses;
import dev.asyncloop.Task;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * Runs a command as a child process (asyncio's {@code create_subprocess_exec} with {@code stdout=PIPE}): its
 * output lines are printed with a prefix as they come (stdout to stdout, stderr to stderr), then its exit code;
 * the program exits with that code. Ctrl-C and SIGTERM send SIGTERM to the child (through the loop's signal
 * handlers), and the program still reports how the child ended. The child shares this program's stdin.
 *
 * <p>{@code RunCommand [--prefix TEXT] [--] PROGRAM [ARG...]}: the program is looked up on the {@code PATH}; no
 * shell is involved (use {@code sh -c '...'} for one). The default prefix is {@code [PROGRAM] } for stdout and
 * {@code [PROGRAM:err] } for stderr; {@code --prefix TEXT} replaces both. The last line is
 * {@code [RunCommand] exit code N}. Exit status: the
 * child's (on POSIX 128 + the signal for a child ended by a signal, as a shell reports it), 127 when the program
 * cannot be started, 2 for a bad command line.
 *
 * <p>Lines are decoded in the platform's native encoding; a line longer than 64 KiB is printed in pieces of that
 * size, each with the prefix.
 */
public final class RunCommand {
    /** The exit status when the program cannot be started (a shell's "command not found"). */
    public static final int CANNOT_RUN = 127;
    /** The longest piece of a line printed at once. */
    static final int MAX_LINE = 64 * 1024;

    private final List<String> command;
    private final String outPrefix;
    private final String errPrefix;
    private final PrintStream out;
    private final PrintStream err;
    private final CompletableFuture<Long> started = new CompletableFuture<>();
    private volatile @Nullable EventLoop loop;
    private volatile @Nullable Subprocess process;
    /** The child's handle, taken while it surely runs: a handle never reaches a later process with the same id. */
    private volatile @Nullable ProcessHandle childHandle;
    private volatile boolean stopRequested;
    private volatile boolean handleSignals;

    /**
     * Creates the runner.
     *
     * @param command the program and its arguments
     * @param prefix the prefix of stdout lines, or null for {@code [PROGRAM] }
     * @param out where stdout lines and the exit code go
     * @param err where stderr lines and errors go
     * @throws IllegalArgumentException if {@code command} is empty
     */
    public RunCommand(List<String> command, @Nullable String prefix, PrintStream out, PrintStream err) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("no command given; usage: RunCommand [--prefix TEXT] [--] PROGRAM"
                    + " [ARG...]");
        }
        this.command = List.copyOf(command);
        String name = Path.of(command.getFirst()).getFileName().toString();
        this.outPrefix = prefix != null ? prefix : "[" + name + "] ";
        this.errPrefix = prefix != null ? prefix : "[" + name + ":err] ";
        this.out = out;
        this.err = err;
    }

    /**
     * Runs the command and exits with its exit code; see the class documentation.
     *
     * @param args {@code [--prefix TEXT] [--] PROGRAM [ARG...]}
     */
    public static void main(String[] args) {
        RunCommand runner;
        try {
            runner = parse(args, System.out, System.err);
        } catch (IllegalArgumentException e) {
            System.err.println("RunCommand: " + e.getMessage());
            System.exit(2);
            return;
        }
        runner.handleSignals = true;
        // A way out the signal handlers do not see (SIGHUP, -Xrs): do not leave the child running.
        Runtime.getRuntime().addShutdownHook(new Thread(runner::terminateFromHook, "RunCommand-shutdown"));
        System.exit(runner.run());
    }

    /** Parses the command line; package-private for tests. */
    static RunCommand parse(String[] args, PrintStream out, PrintStream err) {
        String prefix = null;
        int i = 0;
        while (i < args.length && args[i].startsWith("--")) {
            String a = args[i];
            if (a.equals("--")) {
                i++;
                break;
            } else if (a.equals("--prefix")) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("--prefix needs a value");
                }
                prefix = args[i + 1];
                i += 2;
            } else if (a.startsWith("--prefix=")) {
                prefix = a.substring("--prefix=".length());
                i++;
            } else {
                throw new IllegalArgumentException("unknown option " + a + "; usage: RunCommand [--prefix TEXT] [--]"
                        + " PROGRAM [ARG...]");
            }
        }
        return new RunCommand(Arrays.asList(args).subList(i, args.length), prefix, out, err);
    }

    /**
     * Runs the command on a new loop until it exited and its output was printed. Blocks the calling thread,
     * which becomes the loop thread.
     *
     * @return the exit status for {@link System#exit}: the child's exit code, or {@link #CANNOT_RUN}
     */
    public int run() {
        try {
            return Async.run(this::runChild);
        } finally {
            started.completeExceptionally(new IllegalStateException("the command never started"));
        }
    }

    private int runChild() {
        loop = Async.getRunningLoop();
        Subprocess child;
        try {
            child = Async.await(Subprocesses.exec(command,
                    SubprocessOptions.builder().stdin(Redirect.INHERIT).build()), IOException.class);
        } catch (IOException io) {
            err.println("RunCommand: cannot run " + command.getFirst() + ": " + io.getMessage());
            err.flush();
            return CANNOT_RUN;
        }
        process = child;
        childHandle = ProcessHandle.of(child.pid()).orElse(null);
        if (handleSignals) {
            handleSignals(loop);
        }
        started.complete(child.pid());
        if (stopRequested) {
            terminate(child);
        }
        Charset charset = nativeCharset();
        Task<Void> stdout = loop.createTask(() -> printLines(child.stdout().orElseThrow(), outPrefix, out, charset),
                "RunCommand stdout");
        Task<Void> stderr = loop.createTask(() -> printLines(child.stderr().orElseThrow(), errPrefix, err, charset),
                "RunCommand stderr");
        Async.await(stdout);
        Async.await(stderr);
        int code = Async.await(child.waitFor());
        out.println("[RunCommand] exit code " + code);
        out.flush();
        return code;
    }

    /** Ctrl-C and SIGTERM stop the child; where the loop cannot handle them, the shutdown hook does. */
    private void handleSignals(EventLoop l) {
        for (String signal : List.of("INT", "TERM")) {
            try {
                l.addSignalHandler(signal, this::stop);
            } catch (UnsupportedOperationException | IllegalArgumentException notHere) {
                // -Xrs, or a loop without Capability.SIGNALS: the shutdown hook terminates the child.
            }
        }
    }

    /**
     * Asks the child to stop with SIGTERM: from any thread. Before the child started it is stopped as soon as
     * it is; after it exited this does nothing.
     */
    public void stop() {
        stopRequested = true;
        EventLoop l = loop;
        Subprocess p = process;
        if (l != null && p != null && !l.isClosed()) {
            try {
                l.callSoonThreadsafe(() -> terminate(p));
            } catch (IllegalStateException closedMeanwhile) {
                // The loop already finished: the child is gone.
            }
        }
    }

    /**
     * Completes with the child's process id once it started; fails if it never does.
     *
     * @return the future
     */
    public CompletableFuture<Long> started() {
        return started;
    }

    private static void terminate(Subprocess p) {
        try {
            p.terminate();
        } catch (IllegalStateException exited) {
            // Already exited and reaped: nothing to stop.
        }
    }

    private void terminateFromHook() {
        ProcessHandle child = childHandle;
        if (child != null && child.isAlive()) {
            child.destroy();
        }
    }

    /**
     * Inside a task: prints what {@code reader} delivers line by line with {@code prefix}, as it comes, until the
     * end of the stream; the last line may lack its newline.
     */
    static Void printLines(StreamReader reader, String prefix, PrintStream to, Charset charset) {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            byte[] chunk = Async.await(reader.read(MAX_LINE));
            if (chunk.length == 0) {
                break;
            }
            int start = 0;
            for (int i = 0; i < chunk.length; i++) {
                if (chunk[i] == '\n') {
                    line.write(chunk, start, i - start);
                    print(line, prefix, to, charset);
                    start = i + 1;
                }
            }
            line.write(chunk, start, chunk.length - start);
            if (line.size() >= MAX_LINE) {
                print(line, prefix, to, charset);
            }
        }
        if (line.size() > 0) {
            print(line, prefix, to, charset);
        }
        return null;
    }

    private static void print(ByteArrayOutputStream line, String prefix, PrintStream to, Charset charset) {
        String text = line.toString(charset);
        if (text.endsWith("\r")) {
            text = text.substring(0, text.length() - 1);
        }
        to.println(prefix + text);
        to.flush();
        line.reset();
    }

    private static Charset nativeCharset() {
        try {
            return Charset.forName(System.getProperty("native.encoding"));
        } catch (RuntimeException unknown) {
            return Charset.defaultCharset();
        }
    }
}
