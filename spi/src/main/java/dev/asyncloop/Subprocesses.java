package dev.asyncloop;

import dev.asyncloop.spi.BaseFuture;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * asyncio's {@code create_subprocess_exec} and {@code create_subprocess_shell}: a child process as a
 * {@link Subprocess} with streams instead of a protocol. Built only on {@link EventLoop#subprocessExec} and
 * {@link EventLoop#subprocessShell}, so they work on every loop that offers those (every loop claiming
 * {@code Capability.SUBPROCESS}).
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

    private static Future<Subprocess> open(int limit, Start start) {
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be > 0, got " + limit);
        }
        EventLoop loop = Async.getRunningLoop();
        Future<SubprocessConnection<SubprocessStreamProtocol>> starting =
                start.start(loop, () -> new SubprocessStreamProtocol(loop, limit));
        Future<Subprocess> result = loop.createFuture();
        starting.addDoneCallback(f -> {
            if (result.isDone()) {
                if (!f.isCancelled() && f.exception().isEmpty()) {
                    f.result().transport().close();
                }
            } else if (f.isCancelled()) {
                result.cancel();
            } else if (f.exception().isPresent()) {
                result.setException(f.exception().get());
            } else {
                SubprocessConnection<SubprocessStreamProtocol> c = f.result();
                result.setResult(new Subprocess(loop, c.transport(), c.protocol()));
            }
        });
        result.addDoneCallback(r -> {
            if (r.isCancelled()) {
                starting.cancel();
            }
        });
        return BaseFuture.closeIfUndelivered(result, p -> p.transport().close());
    }

    /** One of the loop's start calls, given the protocol factory. */
    @FunctionalInterface
    private interface Start {
        Future<SubprocessConnection<SubprocessStreamProtocol>> start(EventLoop loop,
                Supplier<SubprocessStreamProtocol> protocols);
    }
}
