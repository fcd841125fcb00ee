package dev.asyncloop.spi;

import dev.asyncloop.EventLoop;
import dev.asyncloop.Future;
import dev.asyncloop.SubprocessConnection;
import dev.asyncloop.SubprocessOptions;
import dev.asyncloop.SubprocessProtocol;
import java.io.File;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Starts child processes for {@link EventLoop#subprocessExec} and {@link EventLoop#subprocessShell}, on any loop:
 * it uses only the public {@link EventLoop} API ({@code callSoon}, {@code callSoonThreadsafe},
 * {@code createFuture}, {@code callExceptionHandler}). Java's process streams block and cannot be selected, so each
 * piped stream gets one virtual thread that blocks on it and hands data to the loop with
 * {@code callSoonThreadsafe}; one more waits in {@link Process#waitFor()} for the exit.
 *
 * <p><b>Closing the loop.</b> A loop's {@code close()} calls {@link #closeAll(EventLoop)} (
 * {@link BaseEventLoop} does): every child of a live transport of that loop is killed, as asyncio's transport
 * {@code close()} does, and the pump threads end once its pipes are closed. A loop that does not extend
 * {@code BaseEventLoop} calls it from its own {@code close()}; without it, the children are killed only when a
 * pump finds the loop closed.
 */
public final class SubprocessSpawner {
    private static final IdentityHashMap<EventLoop, Set<ProcessTransport>> LIVE = new IdentityHashMap<>();

    private SubprocessSpawner() {
    }

    /**
     * Starts {@code command} as a child process; the contract is {@link EventLoop#subprocessExec}'s.
     *
     * @param loop the loop the transport belongs to
     * @param protocolFactory makes the protocol (called at once, on the calling thread)
     * @param command the program and its arguments
     * @param options redirections, directory, environment
     * @param <P> the protocol type
     * @return a future of the transport and protocol
     * @throws IllegalArgumentException if {@code command} is empty or an element contains NUL
     * @throws IllegalStateException if the loop is closed
     */
    public static <P extends SubprocessProtocol> Future<SubprocessConnection<P>> exec(EventLoop loop,
            Supplier<P> protocolFactory, List<String> command, SubprocessOptions options) {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(protocolFactory, "protocolFactory");
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(options, "options");
        return spawn(loop, protocolFactory, checkedCommand(command, "command"), options);
    }

    /**
     * Starts {@code commands} as a pipeline of child processes connected by the operating system; the contract
     * is {@link EventLoop#subprocessPipeline}'s.
     *
     * @param loop the loop the transports belong to
     * @param protocolFactory makes one protocol per stage (called at once, on the calling thread, in stage order)
     * @param commands each stage's program and arguments, in order
     * @param options redirections of the pipeline's ends and of every stage's stderr, directory, environment
     * @param <P> the protocol type
     * @return a future of one transport and protocol per stage, in order
     * @throws IllegalArgumentException if {@code commands} or one of them is empty, or an element contains NUL
     * @throws NullPointerException if an argument, a command or an element of one is null
     * @throws IllegalStateException if the loop is closed
     */
    public static <P extends SubprocessProtocol> Future<List<SubprocessConnection<P>>> pipeline(EventLoop loop,
            Supplier<P> protocolFactory, List<List<String>> commands, SubprocessOptions options) {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(protocolFactory, "protocolFactory");
        Objects.requireNonNull(commands, "commands");
        Objects.requireNonNull(options, "options");
        if (commands.isEmpty()) {
            throw new IllegalArgumentException("commands is empty: a pipeline needs at least one command (the"
                    + " program to run, then its arguments)");
        }
        List<List<String>> stages = new ArrayList<>(commands.size());
        for (int i = 0; i < commands.size(); i++) {
            String name = "commands[" + i + "]";
            stages.add(checkedCommand(Objects.requireNonNull(commands.get(i), name), name));
        }
        if (loop.isClosed()) {
            throw new IllegalStateException("Event loop is closed");
        }
        return new PipelineStart<P>(loop, List.copyOf(stages), options).start(protocolFactory);
    }

    /**
     * Runs {@code command} through the system shell ({@code /bin/sh -c}, or {@code cmd.exe /c} on Windows); the
     * contract is {@link EventLoop#subprocessShell}'s.
     *
     * @param loop the loop the transport belongs to
     * @param protocolFactory makes the protocol (called at once, on the calling thread)
     * @param command the command line
     * @param options redirections, directory, environment
     * @param <P> the protocol type
     * @return a future of the transport and protocol
     * @throws IllegalArgumentException if {@code command} contains NUL
     * @throws IllegalStateException if the loop is closed
     */
    public static <P extends SubprocessProtocol> Future<SubprocessConnection<P>> shell(EventLoop loop,
            Supplier<P> protocolFactory, String command, SubprocessOptions options) {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(protocolFactory, "protocolFactory");
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(options, "options");
        if (command.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("command contains a NUL character");
        }
        List<String> args = isWindows()
                ? List.of(Objects.requireNonNullElse(System.getenv("COMSPEC"), "cmd.exe"), "/c", command)
                : List.of("/bin/sh", "-c", command);
        return spawn(loop, protocolFactory, args, options);
    }

    /**
     * Kills the child of every live subprocess transport of {@code loop} and stops their pump threads: for a
     * loop's {@code close()}. Any thread; idempotent.
     *
     * @param loop the loop being closed
     */
    public static void closeAll(EventLoop loop) {
        Objects.requireNonNull(loop, "loop");
        List<ProcessTransport> live;
        synchronized (LIVE) {
            Set<ProcessTransport> set = LIVE.remove(loop);
            if (set == null) {
                return;
            }
            live = List.copyOf(set);
        }
        for (ProcessTransport t : live) {
            t.loopClosed();
        }
    }

    /** Checks a command: not empty, no null or NUL, the program named; answers a copy. */
    private static List<String> checkedCommand(List<String> command, String name) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException(name + " is empty: it must name the program to run, then its"
                    + " arguments (use subprocessShell to run a shell command line)");
        }
        List<String> args = new ArrayList<>(command.size());
        for (int i = 0; i < command.size(); i++) {
            String arg = Objects.requireNonNull(command.get(i), name + "[" + i + "]");
            if (arg.indexOf('\0') >= 0) {
                throw new IllegalArgumentException(name + "[" + i + "] contains a NUL character");
            }
            args.add(arg);
        }
        if (args.getFirst().isEmpty()) {
            throw new IllegalArgumentException(name + "[0] is empty: it must name the program to run");
        }
        return args;
    }

    static void remember(EventLoop loop, ProcessTransport transport) {
        synchronized (LIVE) {
            LIVE.computeIfAbsent(loop, l -> Collections.newSetFromMap(new IdentityHashMap<>())).add(transport);
        }
    }

    static void forget(EventLoop loop, ProcessTransport transport) {
        synchronized (LIVE) {
            Set<ProcessTransport> set = LIVE.get(loop);
            if (set != null && set.remove(transport) && set.isEmpty()) {
                LIVE.remove(loop);
            }
        }
    }

    private static <P extends SubprocessProtocol> Future<SubprocessConnection<P>> spawn(EventLoop loop,
            Supplier<P> protocolFactory, List<String> args, SubprocessOptions options) {
        if (loop.isClosed()) {
            throw new IllegalStateException("Event loop is closed");
        }
        Future<SubprocessConnection<P>> waiter = loop.createFuture();
        P protocol;
        try {
            protocol = Objects.requireNonNull(protocolFactory.get(),
                    () -> "protocolFactory " + protocolFactory + " returned null");
        } catch (RuntimeException e) {
            waiter.setException(e);
            return waiter;
        }
        ProcessBuilder builder = builder(args, options);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            waiter.setException(e);
            return waiter;
        }
        ProcessTransport transport;
        try {
            transport = new ProcessTransport(loop, process, protocol, options.stdin() == Redirect.PIPE,
                    options.stdout() == Redirect.PIPE, options.stderr() == Redirect.PIPE && !options.stderrToStdout(),
                    args.getFirst());
            remember(loop, transport);
            loop.callSoon(() -> transport.connect(protocol, waiter));
        } catch (RuntimeException | Error e) {
            process.destroyForcibly();
            throw e;
        }
        return BaseFuture.closeIfUndelivered(waiter, c -> c.transport().close());
    }

    static ProcessBuilder builder(List<String> args, SubprocessOptions options) {
        ProcessBuilder builder = new ProcessBuilder(args);
        Redirect in = options.stdin();
        builder.redirectInput(in.equals(Redirect.DISCARD) ? Redirect.from(nullDevice()) : in);
        builder.redirectOutput(options.stdout());
        builder.redirectError(options.stderr());
        builder.redirectErrorStream(options.stderrToStdout());
        options.cwd().ifPresent(dir -> builder.directory(dir.toFile()));
        Map<String, String> env = builder.environment();
        options.environment().ifPresent(replacement -> {
            env.clear();
            env.putAll(replacement);
        });
        env.putAll(options.extraEnvironment());
        return builder;
    }

    static File nullDevice() {
        return new File(isWindows() ? "NUL" : "/dev/null");
    }

    private static boolean isWindows() {
        return System.getProperty("os.name", "").startsWith("Windows");
    }
}
