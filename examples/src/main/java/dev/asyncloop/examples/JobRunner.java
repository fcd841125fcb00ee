package dev.asyncloop.examples;

import dev.asyncloop.Async;
import dev.asyncloop.AsyncQueue;
import dev.asyncloop.KeyboardInterrupt;
import dev.asyncloop.QueueShutDown;
import dev.asyncloop.Subprocess;
import dev.asyncloop.SubprocessOptions;
import dev.asyncloop.Subprocesses;
import dev.asyncloop.Task;
import dev.asyncloop.TaskGroup;
import dev.asyncloop.Timeout;
import dev.asyncloop.TimeoutError;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Runs shell commands as child processes, at most {@code --jobs} at a time: {@code --jobs} worker tasks in a
 * {@link TaskGroup} take the commands from an {@link AsyncQueue} (shut down once filled, so that a worker ends when
 * it is empty). Each command's output (stderr merged into stdout, stdin the null device) is printed line by line
 * as it comes, prefixed with {@code [N] } (the command's number, from 1). A command that outlives
 * {@code --timeout} gets SIGTERM, and SIGKILL if it is still running {@code --grace} later.
 *
 * <p>{@code JobRunner [--jobs K] [--timeout SECONDS] [--grace SECONDS] COMMAND...} (defaults 2, 60 s and 5 s;
 * each COMMAND is one argument, run with {@code sh -c}). After the last job one line per command, in order:
 * {@code [JobRunner] [N] exit code C}, {@code ... timed out, terminated (exit code C)} or
 * {@code ... timed out, killed (exit code C)}, or {@code ... cannot run: reason}. Exit status: 0 when every
 * command exited with 0 in time, 1 otherwise, 130 on Ctrl-C (which kills the running children), 2 for a bad
 * command line.
 */
public final class JobRunner {
    /** Exit status after Ctrl-C. */
    public static final int INTERRUPTED = 130;

    /**
     * How one command ended.
     *
     * @param number the command's number, from 1
     * @param exitCode its exit code (128 + the signal for one ended by a signal), or -1 if it did not start
     * @param how "" when it ended by itself, else "timed out, terminated", "timed out, killed" or
     *     "cannot run: ..."
     */
    record Outcome(int number, int exitCode, String how) {
        boolean ok() {
            return exitCode == 0 && how.isEmpty();
        }

        @Override
        public String toString() {
            String code = "exit code " + exitCode;
            return "[JobRunner] [" + number + "] " + (how.isEmpty() ? code
                    : exitCode < 0 ? how : how + " (" + code + ")");
        }
    }

    private record Job(int number, String command) {
    }

    private final int jobs;
    private final Duration timeout;
    private final Duration grace;
    private final PrintStream out;

    /**
     * Creates the runner.
     *
     * @param jobs how many commands may run at once, at least 1
     * @param timeout how long each command may run before SIGTERM
     * @param grace how long after SIGTERM before SIGKILL
     * @param out where the lines and the summary go
     */
    public JobRunner(int jobs, Duration timeout, Duration grace, PrintStream out) {
        if (jobs < 1) {
            throw new IllegalArgumentException("--jobs must be at least 1, got " + jobs);
        }
        this.jobs = jobs;
        this.timeout = timeout;
        this.grace = grace;
        this.out = out;
    }

    /**
     * Runs the commands on the command line; see the class comment.
     *
     * @param args {@code [--jobs K] [--timeout SECONDS] [--grace SECONDS] COMMAND...}
     */
    public static void main(String[] args) {
        JobRunner runner;
        List<String> commands;
        try {
            CommandLine.Taken options = CommandLine.take(args, Set.of("--jobs", "--timeout", "--grace"));
            runner = new JobRunner(Integer.parseInt(options.values().getOrDefault("--jobs", "2")),
                    seconds(options.values().getOrDefault("--timeout", "60")),
                    seconds(options.values().getOrDefault("--grace", "5")), System.out);
            commands = options.rest();
            if (commands.isEmpty()) {
                throw new IllegalArgumentException("no command given");
            }
        } catch (IllegalArgumentException e) { // NumberFormatException too
            System.err.println("JobRunner: " + e.getMessage() + "; usage: JobRunner [--jobs K] [--timeout SECONDS]"
                    + " [--grace SECONDS] COMMAND...");
            System.exit(2);
            return;
        }
        System.exit(runner.run(commands));
    }

    private static Duration seconds(String text) {
        return Duration.ofMillis(Math.round(1000 * Double.parseDouble(text)));
    }

    /**
     * Runs {@code commands} on a new loop; blocks the calling thread, which becomes the loop thread.
     *
     * @param commands shell command lines
     * @return the exit status: 0, 1 or {@link #INTERRUPTED}
     */
    public int run(List<String> commands) {
        try {
            return Async.run(() -> runAll(commands));
        } catch (KeyboardInterrupt e) {
            return INTERRUPTED;
        }
    }

    private int runAll(List<String> commands) {
        AsyncQueue<Job> queue = new AsyncQueue<>();
        for (int i = 0; i < commands.size(); i++) {
            queue.putNowait(new Job(i + 1, commands.get(i)));
        }
        queue.shutdown(false); // get() hands out what is queued, then throws QueueShutDown
        Outcome[] outcomes = new Outcome[commands.size()];
        TaskGroup.run(group -> {
            for (int w = 0; w < jobs; w++) {
                group.createTask(() -> {
                    while (true) {
                        Job job;
                        try {
                            job = queue.get();
                        } catch (QueueShutDown empty) {
                            return null;
                        }
                        outcomes[job.number() - 1] = runJob(job);
                    }
                }, "worker-" + w);
            }
            return null;
        });
        Arrays.stream(outcomes).forEach(out::println);
        out.flush();
        return Arrays.stream(outcomes).allMatch(Outcome::ok) ? 0 : 1;
    }

    private Outcome runJob(Job job) {
        Subprocess child;
        try {
            child = Async.await(Subprocesses.shell(job.command(), SubprocessOptions.builder()
                    .stdin(Redirect.DISCARD).stderrToStdout().build()), IOException.class);
        } catch (IOException io) {
            return new Outcome(job.number(), -1, "cannot run: " + io.getMessage());
        }
        Task<Void> printing = Async.createTask(() -> RunCommand.printLines(
                child.stdout().orElseThrow(), "[" + job.number() + "] ", out, Charset.defaultCharset()),
                "output of job " + job.number());
        try {
            int code = Timeout.run(timeout, () -> Async.await(child.waitFor()));
            Async.await(printing);
            return new Outcome(job.number(), code, "");
        } catch (TimeoutError e) {
            String how = "timed out, terminated";
            signal(child, false);
            int code;
            try {
                code = Timeout.run(grace, () -> Async.await(child.waitFor()));
            } catch (TimeoutError stillRunning) {
                how = "timed out, killed";
                signal(child, true);
                code = Async.await(child.waitFor());
            }
            Async.await(printing);
            return new Outcome(job.number(), code, how);
        } finally {
            if (child.returnCode().isEmpty()) {
                signal(child, true); // cancelled (Ctrl-C): leave no child behind
            }
        }
    }

    /**
     * Sends SIGTERM (or SIGKILL) to the child and to every process it started: {@code sh -c 'a; b'} runs
     * {@code a} as a child of its own, which would otherwise outlive the shell and keep the output pipe, and with
     * it {@link Subprocess#waitFor()}, open. The shell goes first, so that it cannot start {@code b} when
     * {@code a} ends; its descendants are listed before, as they are no longer its descendants once it is gone.
     */
    private static void signal(Subprocess child, boolean kill) {
        List<ProcessHandle> descendants = ProcessHandle.of(child.pid()).map(shell -> shell.descendants().toList())
                .orElse(List.of());
        if (child.returnCode().isEmpty()) {
            if (kill) {
                child.kill();
            } else {
                child.terminate();
            }
        }
        descendants.forEach(kill ? ProcessHandle::destroyForcibly : ProcessHandle::destroy);
    }
}
