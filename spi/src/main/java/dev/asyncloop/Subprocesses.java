package dev.asyncloop;

import dev.asyncloop.spi.BaseFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * asyncio's {@code create_subprocess_exec} and {@code create_subprocess_shell}: a child process as a
 * {@link Subprocess} with streams instead of a protocol; and {@link #pipeline} for children connected as a shell's
 * {@code a | b | c} ({@link SubprocessPipeline}). Built only on {@link EventLoop#subprocessExec},
 * {@link EventLoop#subprocessShell} and {@link EventLoop#subprocessPipeline}, so they work on every loop that
 * offers those (every loop claiming {@code Capability.SUBPROCESS}).
 *
 * <p>Unlike asyncio's functions, whose streams default to inheriting this process's, the streams default to
 * pipes, as for the loop methods ({@link SubprocessOptions#defaults()}); pass
 * {@link java.lang.ProcessBuilder.Redirect#INHERIT} for asyncio's {@code None}.
 *
 * <p><b>Threads.</b> Call these on the loop thread while the loop runs (inside a task or a callback): the
 * process belongs to {@link Async#getRunningLoop()}.
 */
public final class Subprocesses {
    private Subprocesses() {
    }

    /**
     * Starts {@code program} with {@code args}, three pipes and the default limit: asyncio's
     * {@code create_subprocess_exec(program, *args)}, as {@code exec(List.of(program, args...))}.
     *
     * @param program the program: a path, or a name looked up on {@code PATH}
     * @param args its arguments, each passed as it is (no shell)
     * @return a future of the process
     * @throws NullPointerException if {@code program}, {@code args} or one of the arguments is null (naming which)
     * @see #exec(List, SubprocessOptions, int)
     */
    public static Future<Subprocess> exec(String program, String... args) {
        List<String> command = new ArrayList<>(1 + args.length);
        command.add(Objects.requireNonNull(program, "program"));
        for (int i = 0; i < args.length; i++) {
            command.add(Objects.requireNonNull(args[i], "args[" + i + "]"));
        }
        return exec(command);
    }

    /**
     * Starts {@code command} with three pipes and the default limit.
     *
     * @param command the program and its arguments
     * @return a future of the process
     * @see #exec(List, SubprocessOptions, int)
     */
    public static Future<Subprocess> exec(List<String> command) {
        return exec(command, SubprocessOptions.defaults(), StreamReader.DEFAULT_LIMIT);
    }

    /**
     * Starts {@code command} with the default limit.
     *
     * @param command the program and its arguments
     * @param options redirections, working directory, environment
     * @return a future of the process
     * @see #exec(List, SubprocessOptions, int)
     */
    public static Future<Subprocess> exec(List<String> command, SubprocessOptions options) {
        return exec(command, options, StreamReader.DEFAULT_LIMIT);
    }

    /**
     * Starts {@code command} through {@link EventLoop#subprocessExec} (asyncio's {@code create_subprocess_exec}).
     * Cancelling the returned future before it is done kills the child.
     *
     * @param command the program and its arguments
     * @param options redirections, working directory, environment
     * @param limit the limit of the stdout and stderr readers (see {@link StreamReader})
     * @return a future of the process; failed as {@code subprocessExec}'s (an {@link java.io.IOException} when
     *     the program cannot be started)
     * @throws IllegalArgumentException if {@code limit <= 0}, or as {@code subprocessExec} throws
     * @throws IllegalStateException if no loop runs on this thread
     */
    public static Future<Subprocess> exec(List<String> command, SubprocessOptions options, int limit) {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(options, "options");
        return open(limit, (loop, protocols) -> loop.subprocessExec(protocols, command, options));
    }

    /**
     * Runs the command line {@code command} through the shell with three pipes and the default limit.
     *
     * @param command the command line
     * @return a future of the process
     * @see #shell(String, SubprocessOptions, int)
     */
    public static Future<Subprocess> shell(String command) {
        return shell(command, SubprocessOptions.defaults(), StreamReader.DEFAULT_LIMIT);
    }

    /**
     * Runs the command line {@code command} through the shell with the default limit.
     *
     * @param command the command line
     * @param options redirections, working directory, environment
     * @return a future of the process
     * @see #shell(String, SubprocessOptions, int)
     */
    public static Future<Subprocess> shell(String command, SubprocessOptions options) {
        return shell(command, options, StreamReader.DEFAULT_LIMIT);
    }

    /**
     * Runs the command line {@code command} through {@link EventLoop#subprocessShell} (asyncio's
     * {@code create_subprocess_shell}). Cancelling the returned future before it is done kills the child.
     *
     * @param command the command line (quoting is the caller's job)
     * @param options redirections, working directory, environment
     * @param limit the limit of the stdout and stderr readers
     * @return a future of the process
     * @throws IllegalArgumentException if {@code limit <= 0}, or as {@code subprocessShell} throws
     * @throws IllegalStateException if no loop runs on this thread
     */
    public static Future<Subprocess> shell(String command, SubprocessOptions options, int limit) {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(options, "options");
        return open(limit, (loop, protocols) -> loop.subprocessShell(protocols, command, options));
    }

    /**
     * Starts a pipeline with pipes at both ends and for every stage's stderr, and the default limit.
     *
     * @param commands each stage's program and arguments, in order
     * @return a future of the pipeline
     * @see #pipeline(List, SubprocessOptions, int)
     */
    public static Future<SubprocessPipeline> pipeline(List<List<String>> commands) {
        return pipeline(commands, SubprocessOptions.defaults(), StreamReader.DEFAULT_LIMIT);
    }

    /**
     * Starts a pipeline with the default limit.
     *
     * @param commands each stage's program and arguments, in order
     * @param options the first stage's stdin, the last stage's stdout, every stage's stderr, directory, environment
     * @return a future of the pipeline
     * @see #pipeline(List, SubprocessOptions, int)
     */
    public static Future<SubprocessPipeline> pipeline(List<List<String>> commands, SubprocessOptions options) {
        return pipeline(commands, options, StreamReader.DEFAULT_LIMIT);
    }

    /**
     * Starts {@code commands} as a shell pipeline ({@code a | b | c}) through {@link EventLoop#subprocessPipeline}:
     * each stage's stdout feeds the next stage's stdin through an operating-system pipe, without passing through
     * this process (asyncio: one child's pipe descriptor as the next child's {@code stdin=}). The first stage's
     * stdin and the last stage's stdout are the pipeline's streams; every stage's stderr follows
     * {@code options}. Cancelling the returned future before it is done, or the only task awaiting it before that
     * task resumes, kills every stage.
     *
     * @param commands each stage's program and arguments, in order
     * @param options the first stage's stdin, the last stage's stdout, every stage's stderr, directory, environment
     * @param limit the limit of the stdout and stderr readers (see {@link StreamReader})
     * @return a future of the pipeline; failed with an {@link java.io.IOException} naming the stage that cannot be
     *     started (the stages started before it were killed)
     * @throws IllegalArgumentException if {@code limit <= 0}, or as {@code subprocessPipeline} throws (an empty
     *     list of commands, an empty command)
     * @throws IllegalStateException if no loop runs on this thread
     */
    public static Future<SubprocessPipeline> pipeline(List<List<String>> commands, SubprocessOptions options,
            int limit) {
        Objects.requireNonNull(commands, "commands");
        Objects.requireNonNull(options, "options");
        checkLimit(limit);
        EventLoop loop = Async.getRunningLoop();
        Future<List<SubprocessConnection<SubprocessStreamProtocol>>> starting = loop.subprocessPipeline(
                () -> new SubprocessStreamProtocol(loop, limit), commands, options);
        return relay(loop, starting,
                cs -> new SubprocessPipeline(loop, cs.stream()
                        .map(c -> new Subprocess(loop, c.transport(), c.protocol())).toList()),
                cs -> cs.forEach(c -> c.transport().close()),
                p -> p.stages().forEach(s -> s.transport().close()));
    }

    private static Future<Subprocess> open(int limit, Start start) {
        checkLimit(limit);
        EventLoop loop = Async.getRunningLoop();
        Future<SubprocessConnection<SubprocessStreamProtocol>> starting =
                start.start(loop, () -> new SubprocessStreamProtocol(loop, limit));
        return relay(loop, starting, c -> new Subprocess(loop, c.transport(), c.protocol()),
                c -> c.transport().close(), p -> p.transport().close());
    }

    private static void checkLimit(int limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be > 0, got " + limit);
        }
    }

    /**
     * A future of {@code starting}'s result as the application sees it: cancelling it cancels {@code starting}, and
     * what nobody will take is closed (a start done after the cancel, a result its only awaiting task never got).
     */
    private static <C, R> Future<R> relay(EventLoop loop, Future<C> starting, Function<C, R> wrap,
            Consumer<C> closeStarted, Consumer<R> closeUndelivered) {
        Future<R> result = loop.createFuture();
        starting.addDoneCallback(f -> {
            if (result.isDone()) {
                if (!f.isCancelled() && f.exception().isEmpty()) {
                    closeStarted.accept(f.result());
                }
            } else if (f.isCancelled()) {
                result.cancel();
            } else if (f.exception().isPresent()) {
                result.setException(f.exception().get());
            } else {
                result.setResult(wrap.apply(f.result()));
            }
        });
        result.addDoneCallback(r -> {
            if (r.isCancelled()) {
                starting.cancel();
            }
        });
        return BaseFuture.closeIfUndelivered(result, closeUndelivered);
    }

    /** One of the loop's start calls, given the protocol factory. */
    @FunctionalInterface
    private interface Start {
        Future<SubprocessConnection<SubprocessStreamProtocol>> start(EventLoop loop,
                Supplier<SubprocessStreamProtocol> protocols);
    }
}
