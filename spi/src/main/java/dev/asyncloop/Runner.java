package dev.asyncloop;

import dev.asyncloop.spi.EventLoops;
import dev.asyncloop.spi.RunningLoops;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * asyncio's {@code Runner}: owns one loop, runs coroutines on it, and shuts it down cleanly.
 *
 * <pre>{@code
 * try (Runner runner = Runner.builder().debug(true).build()) {
 *     runner.run(() -> first());
 *     runner.run(() -> second());      // same loop, same context
 * }
 * }</pre>
 *
 * <p>The loop is created at the first {@link #run} (from {@link EventLoops#newEventLoop()} unless a factory is
 * given). Every {@code run} creates its main task in one context kept for the runner's life, so context
 * variables set by one run are seen by the next. {@link #close()} cancels the tasks still pending and waits for
 * them, reports any that fail other than by cancellation, shuts the default executor down, and closes the loop.
 * Not thread-safe: use a runner from one thread.
 *
 * <p><b>Ctrl-C (SIGINT).</b> As asyncio 3.11+: while {@code run} runs, if SIGINT handling is on (see
 * {@link Builder#handleSigint}; default on only on the thread named {@code "main"}), the application has not
 * installed a SIGINT handler of its own and the process did not start with SIGINT ignored (a shell script's
 * background job does, and Ctrl-C then does nothing, as for Python), the first SIGINT cancels the main task
 * (handed to the loop thread with {@link EventLoop#callSoonThreadsafe}); if the task then ends cancelled and
 * {@link Task#uncancel()} reaches 0, {@code run} throws {@link KeyboardInterrupt} instead of
 * {@link CancelledError}. A second SIGINT during the same
 * {@code run} restores the previous handler and raises the signal again, ending the JVM as an unhandled Ctrl-C
 * does (exit status 130, shutdown hooks run). The previous handler is restored when {@code run} returns.
 */
public final class Runner implements AutoCloseable {
    private final Supplier<? extends EventLoop> loopFactory;
    private final @Nullable Boolean debug;
    private final Duration executorShutdownTimeout;
    private final @Nullable Boolean handleSigint;
    private final Context ownContext = Context.copyCurrent();
    private @Nullable EventLoop loop;
    private boolean closed;

    private Runner(Builder b) {
        this.loopFactory = b.loopFactory;
        this.debug = b.debug;
        this.executorShutdownTimeout = b.executorShutdownTimeout;
        this.handleSigint = b.handleSigint;
    }

    /**
     * Starts configuring a runner.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the runner's loop, creating it if needed.
     *
     * @return the loop
     * @throws IllegalStateException if the runner is closed
     */
    public EventLoop getLoop() {
        lazyInit();
        return Objects.requireNonNull(loop, "lazyInit() sets the loop");
    }

    /**
     * Describes the runner for logs: asyncio's runner states ({@code created} before its loop exists,
     * {@code initialized}, {@code closed}) and the loop once there is one. Does not create the loop.
     *
     * @return e.g. {@code Runner[initialized, loop=NioEventLoop[idle, debug=false]]}
     */
    @Override
    public String toString() {
        EventLoop l = loop;
        String state = closed ? "closed" : l == null ? "created" : "initialized";
        return "Runner[" + state + (l == null ? "" : ", loop=" + l) + "]";
    }

    /**
     * Runs {@code main} as a task on the runner's loop until it is done.
     *
     * @param main the coroutine body
     * @param <T> the result type
     * @return main's result
     * @throws IllegalStateException if the runner is closed, or a loop already runs on this thread
     *     ("Runner.run() cannot be called from a running event loop")
     * @throws KeyboardInterrupt if SIGINT handling is on, a SIGINT cancelled the main task and the task ended
     *     cancelled with {@link Task#uncancel()} reaching 0 (see the class comment)
     */
    public <T extends @Nullable Object> T run(AsyncCallable<T> main) {
        return runIn(main, ownContext);
    }

    /**
     * Runs {@code main} as a task in {@code context} on the runner's loop until it is done (asyncio's
     * {@code runner.run(coro, context=ctx)}): the task runs in that context itself, not in a copy, so what it
     * sets stays in {@code context}; the runner's own context is left alone. Otherwise as {@link #run(AsyncCallable)}.
     *
     * @param main the coroutine body
     * @param context the context the main task runs in
     * @param <T> the result type
     * @return main's result
     * @throws IllegalStateException as {@link #run(AsyncCallable)}
     * @throws KeyboardInterrupt as {@link #run(AsyncCallable)}
     */
    public <T extends @Nullable Object> T run(AsyncCallable<T> main, Context context) {
        return runIn(main, Objects.requireNonNull(context, "context"));
    }

    private <T extends @Nullable Object> T runIn(AsyncCallable<T> main, Context context) {
        Objects.requireNonNull(main, "main");
        if (RunningLoops.current().isPresent()) {
            throw new IllegalStateException("Runner.run() cannot be called from a running event loop; await the"
                    + " coroutine instead");
        }
        EventLoop loop = getLoop();
        Task<T> task = loop.createTask(Coroutine.of(main), null, context);
        boolean sigint = handleSigint != null ? handleSigint : "main".equals(Thread.currentThread().getName());
        SigintHandling handling = sigint ? SigintHandling.install(loop, task) : null;
        try {
            return loop.runUntilComplete(task);
        } catch (CancelledError e) {
            if (handling != null && handling.interrupted() && task.isCancelled() && task.uncancel() == 0) {
                throw new KeyboardInterrupt(e);
            }
            throw e;
        } finally {
            if (handling != null) {
                handling.uninstall();
            }
        }
    }

    /**
     * Cancels leftover tasks, shuts the default executor down and closes the loop. Idempotent. Call it from the
     * runner's thread after {@link #run} returned.
     *
     * @throws IllegalStateException if the runner's loop is running (e.g. {@code close()} from inside
     *     {@link #run}); nothing is cancelled then, and the runner stays open
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (loop != null && loop.isRunning()) {
            throw new IllegalStateException("Runner.close() cannot be called while its loop is running; call it"
                    + " after run() returns");
        }
        closed = true;
        if (loop == null) {
            return;
        }
        try {
            LeftoverTasks.cancelAndAwait(loop, "unhandled exception during Runner shutdown");
            loop.runUntilComplete(loop.shutdownDefaultExecutor(executorShutdownTimeout));
        } finally {
            loop.close();
        }
    }

    private void lazyInit() {
        if (closed) {
            throw new IllegalStateException("Runner is closed");
        }
        if (loop == null) {
            loop = Objects.requireNonNull(loopFactory.get(), "the loop factory returned null");
            if (debug != null) {
                loop.setDebug(debug);
            }
        }
    }

    /** Configures a {@link Runner}. */
    public static final class Builder {
        private Supplier<? extends EventLoop> loopFactory = EventLoops::newEventLoop;
        private @Nullable Boolean debug;
        @SuppressWarnings("CanonicalDuration") // asyncio's constant, spelled as asyncio does: 300 seconds
        private Duration executorShutdownTimeout = Duration.ofSeconds(300);
        private @Nullable Boolean handleSigint;

        private Builder() {
        }

        /**
         * Chooses whether {@link Runner#run} handles SIGINT as described in the {@link Runner} class comment.
         * Default: on when {@code run} is called on the thread named {@code "main"}, off elsewhere. Even when
         * on, a SIGINT handler the application installed itself is left in place.
         *
         * @param enabled true to handle SIGINT, false to leave the signal alone
         * @return this
         */
        public Builder handleSigint(boolean enabled) {
            this.handleSigint = enabled;
            return this;
        }

        /**
         * Sets where the loop comes from (default: {@link EventLoops#newEventLoop()}).
         *
         * @param factory makes the loop; called once
         * @return this
         */
        public Builder loopFactory(Supplier<? extends EventLoop> factory) {
            this.loopFactory = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /**
         * Sets the loop's debug mode (default: the loop's own default).
         *
         * @param enabled debug on or off
         * @return this
         */
        public Builder debug(boolean enabled) {
            this.debug = enabled;
            return this;
        }

        /**
         * Sets how long {@link Runner#close()} waits for the default executor (default 300 s, as asyncio).
         *
         * @param timeout the wait
         * @return this
         */
        public Builder executorShutdownTimeout(Duration timeout) {
            this.executorShutdownTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * Builds the runner; its loop is made on the first {@link Runner#run} or {@link Runner#getLoop()}.
         *
         * @return the runner
         */
        public Runner build() {
            return new Runner(this);
        }
    }
}
