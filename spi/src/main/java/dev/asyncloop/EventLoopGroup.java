package dev.asyncloop;

import dev.asyncloop.spi.EventLoopProvider;
import dev.asyncloop.spi.EventLoops;
import dev.asyncloop.spi.RunningLoops;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * N event loops, each running forever on its own platform thread ({@code asyncloop-group-<i>}, not a daemon:
 * close the group, or the JVM does not exit), for servers and work spread over several cores. There is no asyncio
 * counterpart: asyncio has one loop per thread and leaves the rest to the application; this class is that rest.
 *
 * <pre>{@code
 * try (EventLoopGroup group = EventLoopGroup.create(4)) {
 *     GroupServer server = group.createServer(EchoProtocol::new, "127.0.0.1", 8888, ServerOptions.defaults())
 *             .join();
 *     group.submit(() -> work()).join();
 * }
 * }</pre>
 *
 * <p>Methods of this class are thread-safe and never wait for a loop, except {@link #shutdownGracefully} and
 * {@link #close()}, which are refused on the group's own loops. Do not block a group loop's thread on a future they
 * return (it completes on a loop thread). Each loop belongs to its thread: use {@link EventLoop#callSoonThreadsafe},
 * {@link #submit} or {@link Tasks#runCoroutineThreadsafe} to reach it from elsewhere.
 *
 * <p>The group owns its loops: do not stop or close one yourself. A loop whose run ends before the group is shut
 * down (someone called its {@code stop()}, or an {@link Error} escaped a callback, which then reaches the thread's
 * uncaught exception handler) is finished on its thread as at shutdown; {@link #next()} still returns it, and
 * {@link #submit} to it throws {@link IllegalStateException}. When a loop ends, whatever the group started on it
 * and could not finish is settled: futures of {@link #submit} are cancelled (a body whose task would only have been
 * created once the loop's run was over never starts), {@link GroupServer} listening sockets are closed, connections
 * accepted but not yet handed over are closed. Connections already served stay with their loop, as with
 * {@link Runner#close()}: close them (e.g. {@link Server#closeClients()}) before shutting down.
 */
public final class EventLoopGroup implements AutoCloseable {
    /** The wait of {@link #close()} for the loop threads to end. */
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);

    private final List<EventLoop> loops;
    private final List<Thread> threads;
    private final AtomicInteger nextIndex = new AtomicInteger();
    private final AtomicBoolean shutdown = new AtomicBoolean();
    private volatile boolean terminated;
    /** Per loop: what to settle once the loop has ended (run once, on its thread, after it is closed). */
    private final List<Set<Runnable>> endActions;
    /** Per loop: 1 once the loop has ended (closed); its end actions run right after. */
    private final AtomicIntegerArray ended;
    /**
     * Per loop: its run is over and its thread is finishing it (cancelling leftovers, closing); a task the group
     * hands it from then on is not started. Each slot is written and read on its loop's thread only.
     */
    private final boolean[] finishing;

    private EventLoopGroup(List<EventLoop> loops) {
        this.loops = List.copyOf(loops);
        List<Set<Runnable>> actions = new ArrayList<>();
        List<Thread> ts = new ArrayList<>();
        for (int i = 0; i < loops.size(); i++) {
            int index = i;
            actions.add(ConcurrentHashMap.newKeySet());
            ts.add(Thread.ofPlatform().name("asyncloop-group-" + i).unstarted(() -> runThenFinish(index)));
        }
        this.endActions = List.copyOf(actions);
        this.ended = new AtomicIntegerArray(loops.size());
        this.finishing = new boolean[loops.size()];
        this.threads = List.copyOf(ts);
        threads.forEach(Thread::start);
    }

    /**
     * A loop thread's body: runs the loop until it is stopped, then, as {@link Runner#close()} does, cancels the
     * tasks still pending and lets them finish (their {@code finally} blocks run), shuts the default executor
     * down and closes the loop; last, it runs the loop's end actions ({@link #whenLoopEnds}). A task that keeps
     * running after its cancellation keeps the thread alive, which {@link #shutdownGracefully} reports by returning
     * false.
     */
    private void runThenFinish(int index) {
        EventLoop loop = loops.get(index);
        try {
            loop.runForever();
        } finally {
            finishing[index] = true;
            try {
                LeftoverTasks.cancelAndAwait(loop, "unhandled exception during EventLoopGroup shutdown");
                loop.runUntilComplete(loop.shutdownDefaultExecutor(DEFAULT_SHUTDOWN_TIMEOUT));
            } finally {
                try {
                    loop.close();
                } finally {
                    loopEnded(index);
                }
            }
        }
    }

    /**
     * Registers {@code action} to run once loop {@code loop} has ended (on its thread, after it is closed), or at
     * once on the calling thread if it has ended already. Any thread.
     *
     * @return unregisters the action; call it once the action is no longer needed
     */
    Runnable whenLoopEnds(EventLoop loop, Runnable action) {
        return whenLoopEnds(indexOf(loop), action);
    }

    @SuppressWarnings("UnnecessaryMethodReference") // the wrapper is wanted: a distinct identity per registration
    private Runnable whenLoopEnds(int index, Runnable action) {
        Set<Runnable> actions = endActions.get(index);
        Runnable once = action::run; // a distinct identity per registration
        actions.add(once);
        if (ended.get(index) == 1 && actions.remove(once)) {
            once.run();
        }
        return () -> actions.remove(once);
    }

    private int indexOf(EventLoop loop) {
        int index = loops.indexOf(loop);
        if (index < 0) {
            throw new IllegalArgumentException("loop " + loop + " is not a loop of this group");
        }
        return index;
    }

    private void loopEnded(int index) {
        ended.set(index, 1);
        Set<Runnable> actions = endActions.get(index);
        for (Runnable action : List.copyOf(actions)) {
            if (actions.remove(action)) {
                try {
                    action.run();
                } catch (RuntimeException e) {
                    System.getLogger("dev.asyncloop").log(System.Logger.Level.WARNING,
                            "EventLoopGroup: settling what loop " + index + " left behind failed", e);
                }
            }
        }
    }

    /**
     * {@link Tasks#runCoroutineThreadsafe} whose future is cancelled if {@code loop} ends before the task does
     * (a callback still queued, or a task still pending, when the loop closes would otherwise leave it pending
     * forever). A task that would be created once the loop's run is over is not: its future is cancelled, and the
     * body never runs (created then, it would miss the cancellation of the leftover tasks and stay pending in the
     * closed loop). Any thread.
     *
     * @throws IllegalStateException if the loop is closed
     */
    @SuppressWarnings("FutureReturnValueIgnored") // whenComplete only registers forget, which drops a set entry
    <T extends @Nullable Object> CompletableFuture<T> runOn(EventLoop loop, AsyncCallable<T> body) {
        int index = indexOf(loop);
        CompletableFuture<T> result = Tasks.runCoroutineThreadsafe(body, loop, () -> finishing[index]);
        Runnable forget = whenLoopEnds(index, () -> result.cancel(false));
        result.whenComplete((value, error) -> forget.run());
        return result;
    }

    /**
     * Creates a group of {@code size} loops from the selected provider ({@link EventLoops#select()}).
     *
     * @param size the number of loops, at least 1
     * @return the running group
     * @throws IllegalArgumentException if {@code size < 1}
     * @throws IllegalStateException if no provider is available
     */
    public static EventLoopGroup create(int size) {
        return create(size, EventLoops.select().provider());
    }

    /**
     * Creates a group of {@code size} loops from {@code provider}.
     *
     * @param size the number of loops, at least 1
     * @param provider makes the loops
     * @return the running group
     * @throws IllegalArgumentException if {@code size < 1}
     */
    public static EventLoopGroup create(int size, EventLoopProvider provider) {
        Objects.requireNonNull(provider, "provider");
        return create(size, provider::newEventLoop);
    }

    /**
     * Creates a group of {@code size} loops from {@code factory}, called {@code size} times on the calling
     * thread; if it fails, the loops made so far are closed.
     *
     * @param size the number of loops, at least 1
     * @param factory makes one new, not yet running loop per call
     * @return the running group
     * @throws IllegalArgumentException if {@code size < 1}
     */
    public static EventLoopGroup create(int size, Supplier<? extends EventLoop> factory) {
        Objects.requireNonNull(factory, "factory");
        if (size < 1) {
            throw new IllegalArgumentException("size must be at least 1, got " + size);
        }
        List<EventLoop> made = new ArrayList<>();
        try {
            for (int i = 0; i < size; i++) {
                made.add(Objects.requireNonNull(factory.get(), "the loop factory returned null"));
            }
        } catch (RuntimeException | Error e) {
            made.forEach(EventLoop::close);
            throw e;
        }
        return new EventLoopGroup(made);
    }

    /**
     * Returns the loops, index {@code i} running on thread {@code asyncloop-group-<i>}.
     *
     * @return an unmodifiable list
     */
    public List<EventLoop> loops() {
        return loops;
    }

    /**
     * Returns the number of loops.
     *
     * @return the size
     */
    public int size() {
        return loops.size();
    }

    /**
     * Returns the next loop, round-robin over {@link #loops()} starting at index 0.
     *
     * @return a loop
     */
    public EventLoop next() {
        return loops.get(Math.floorMod(nextIndex.getAndIncrement(), loops.size()));
    }

    /**
     * Runs {@code body} as a task on the {@link #next()} loop.
     *
     * @param body the coroutine body
     * @param <T> the result type
     * @return a future of the task's outcome (result, exception, or cancellation), completed on a loop's thread;
     *     cancelled if the loop ends (shutdown) before the task does
     * @throws IllegalStateException if the group is shut down, or that loop has ended
     */
    public <T extends @Nullable Object> CompletableFuture<T> submit(AsyncCallable<T> body) {
        Objects.requireNonNull(body, "body");
        checkOpen();
        return runOn(next(), body);
    }

    /**
     * Runs {@code body} as a task on loop {@code loopIndex}; see {@link Tasks#runCoroutineThreadsafe}.
     *
     * @param loopIndex the loop's index in {@link #loops()}
     * @param body the coroutine body
     * @param <T> the result type
     * @return a future of the task's outcome (result, exception, or cancellation), completed on the loop's thread;
     *     cancelled if the loop ends (shutdown) before the task does
     * @throws IndexOutOfBoundsException if {@code loopIndex} is not a loop's index
     * @throws IllegalStateException if the group is shut down, or that loop has ended
     */
    public <T extends @Nullable Object> CompletableFuture<T> submit(int loopIndex, AsyncCallable<T> body) {
        Objects.checkIndex(loopIndex, loops.size());
        Objects.requireNonNull(body, "body");
        checkOpen();
        return runOn(loops.get(loopIndex), body);
    }

    /**
     * Starts a TCP server served by every loop: {@link GroupServer.Mode#REUSE_PORT} where the platform offers
     * {@code SO_REUSEPORT}, else {@link GroupServer.Mode#HAND_OFF}.
     *
     * @param protocolFactory makes one protocol per connection, called on the loop that serves it
     * @param host the host, or null for every interface; with port 0 it must resolve to one address
     * @param port the port, or 0 for one ephemeral port shared by every loop
     * @param options the server options; {@code reusePort} is set by the group
     * @return a future of the server, failed if any loop cannot bind (the loops already bound are closed); give it
     *     up (cancel it, or let {@code orTimeout} or {@code completeOnTimeout} end it) and the server, when it
     *     arrives, is closed: every listening socket bound for it, and the port refuses connections (see the
     *     five-argument form)
     * @throws IllegalStateException if the group is shut down
     */
    public CompletableFuture<GroupServer> createServer(Supplier<? extends Protocol> protocolFactory,
            @Nullable String host,
            int port, ServerOptions options) {
        return createServer(protocolFactory, host, port, options,
                reusePortSupported() ? GroupServer.Mode.REUSE_PORT : GroupServer.Mode.HAND_OFF);
    }

    /**
     * Starts a TCP server served by every loop, in the given mode: {@link GroupServer.Mode#REUSE_PORT} binds one
     * listening socket per loop on the same port (the kernel spreads connections); {@link
     * GroupServer.Mode#HAND_OFF} accepts on loop 0 and hands each accepted connection to the {@link #next()}
     * loop with {@link EventLoop#connectAcceptedSocket}.
     *
     * @param protocolFactory makes one protocol per connection, called on the loop that serves it
     * @param host the host, or null for every interface; with port 0 it must resolve to one address
     * @param port the port, or 0 for one ephemeral port shared by every loop
     * @param options the server options; {@code reusePort} is set by the group; with {@code ssl} every connection
     *     runs the server side of a TLS handshake first (see {@link ServerOptions#ssl()})
     * @param mode how connections are spread
     * @return a future of the server, failed if any loop cannot bind (the loops already bound are closed),
     *     with {@link UnsupportedOperationException} for REUSE_PORT where {@code SO_REUSEPORT} is missing. The
     *     future is the caller's alone: completing it in any other way than the group does (cancel,
     *     {@code orTimeout}, {@code completeOnTimeout}, {@code complete}) gives the server up, and the group
     *     closes it when it arrives ({@link GroupServer#close()}: every listening socket bound for it, on its
     *     loop's thread; the port then refuses connections), as asyncio's {@code create_server}, cancelled
     *     mid-way, closes what it opened. The binding itself goes on until then: cancelling does not interrupt it
     * @throws IllegalStateException if the group is shut down
     */
    public CompletableFuture<GroupServer> createServer(Supplier<? extends Protocol> protocolFactory,
            @Nullable String host,
            int port, ServerOptions options, GroupServer.Mode mode) {
        Objects.requireNonNull(protocolFactory, "protocolFactory");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(mode, "mode");
        checkOpen();
        Supplier<? extends Protocol> factory = tlsFactory(protocolFactory, options);
        CompletableFuture<GroupServer> creating = switch (mode) {
            case REUSE_PORT -> GroupServer.startReusePort(this, factory, host, port, options);
            case HAND_OFF -> GroupServer.startHandOff(this, factory, host, port, options);
        };
        return closedUnlessTaken(creating);
    }

    /**
     * The caller's view of {@code creating}: a future of its own, so that giving it up (cancel, {@code orTimeout},
     * {@code complete}) cannot reach the steps still binding; a server that arrives once the caller's future is
     * already done has nobody to hold it and is closed, as asyncio's {@code create_server} closes what it opened
     * when cancelled mid-way.
     */
    @SuppressWarnings("FutureReturnValueIgnored") // whenComplete's callback settles taken itself; close() hands off
    private static CompletableFuture<GroupServer> closedUnlessTaken(CompletableFuture<GroupServer> creating) {
        CompletableFuture<GroupServer> taken = new CompletableFuture<>();
        creating.whenComplete((server, error) -> {
            if (error != null) {
                taken.completeExceptionally(error);
            } else if (!taken.complete(server)) {
                server.close();
            }
        });
        return taken;
    }

    /**
     * With {@link ServerOptions#ssl()}: each connection's first protocol is a TLS layer over the application's,
     * made on the loop that serves the connection (in either mode the loops themselves then serve plain sockets).
     */
    private static Supplier<? extends Protocol> tlsFactory(Supplier<? extends Protocol> protocolFactory,
            ServerOptions options) {
        if (options.ssl().isEmpty()) {
            return protocolFactory;
        }
        javax.net.ssl.SSLContext context = options.ssl().get();
        TlsOptions tls = options.tlsOptions().orElseThrow();
        return () -> {
            EventLoop loop = dev.asyncloop.spi.RunningLoops.current().orElseThrow(() -> new IllegalStateException(
                    "a group server's protocol factory runs on the loop that serves the connection"));
            Protocol application = Objects.requireNonNull(protocolFactory.get(),
                    () -> "protocolFactory " + protocolFactory + " returned null");
            return dev.asyncloop.spi.TlsLayer.wrap(loop, application, context, tls, null);
        };
    }

    /**
     * Tells whether TCP listening sockets offer {@code SO_REUSEPORT} on this platform. Any thread.
     *
     * @return the answer
     * @throws java.io.UncheckedIOException if no socket can be opened to probe
     */
    public static boolean reusePortSupported() {
        try (ServerSocketChannel probe = ServerSocketChannel.open()) {
            return probe.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a probe socket", e);
        }
    }

    /**
     * Stops every loop (through {@link EventLoop#callSoonThreadsafe}) and waits up to {@code timeout} in all for
     * their threads to end. Each loop thread, once its loop stops, cancels the tasks still pending and runs the
     * loop until they are done (so their {@code finally} blocks and try-with-resources run, as with
     * {@link Runner#close()}), shuts the loop's default executor down, closes the loop, and closes the listening
     * sockets of the group's {@link GroupServer}s on it. Idempotent and safe from several threads at once: later
     * calls wait again for threads still running. While it waits, the group's loops may go on calling the group
     * ({@link #isShutdown()}, {@link #submit}: refused, {@link #next()}).
     *
     * @param timeout the bound on the wait for the threads
     * @return true if every thread ended and every loop is closed; false if a thread is still running after
     *     {@code timeout} (a callback blocks its loop, or a task keeps going after its cancellation), or the
     *     calling thread was interrupted while waiting (its interrupt status is set again)
     * @throws IllegalStateException if called from one of the group's loops (a callback or task: it would wait
     *     for itself). Do not call it from a task of a loop's default executor either: the loop thread waits up to
     *     {@link #DEFAULT_SHUTDOWN_TIMEOUT} for that executor, which waits for the loop thread
     */
    public boolean shutdownGracefully(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (threads.contains(Thread.currentThread())
                || RunningLoops.current().filter(loops::contains).isPresent()) {
            throw new IllegalStateException("shutdownGracefully() called on the group's own loop thread "
                    + Thread.currentThread().getName() + "; call it from another thread");
        }
        if (shutdown.compareAndSet(false, true)) {
            for (EventLoop loop : loops) {
                try {
                    loop.callSoonThreadsafe(loop::stop);
                } catch (RuntimeException closed) {
                    // the loop has ended already: nothing to stop
                }
            }
        }
        if (terminated) {
            return true;
        }
        // No lock is held while waiting: a loop that calls isShutdown() or submit() meanwhile must not block.
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread t : threads) {
            boolean ended;
            try {
                // join's answer, not isAlive() after it: a thread that is ending reads as terminated to join while
                // isAlive() may still say true for a moment (the JVM marks it terminated first).
                ended = t.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            if (!ended) {
                return false;
            }
        }
        synchronized (loops) {
            for (EventLoop loop : loops) {
                if (!loop.isClosed()) {
                    loop.close(); // its thread ended without closing it (its run threw before the loop started)
                }
            }
        }
        terminated = true;
        return true;
    }

    /**
     * Shuts the group down with {@link #DEFAULT_SHUTDOWN_TIMEOUT}; see {@link #shutdownGracefully(Duration)}.
     *
     * @throws IllegalStateException if a loop thread did not end in time, or the calling thread was interrupted
     *     while waiting, or on a loop thread of the group
     */
    @Override
    public void close() {
        if (!shutdownGracefully(DEFAULT_SHUTDOWN_TIMEOUT)) {
            throw new IllegalStateException(Thread.currentThread().isInterrupted()
                    ? "EventLoopGroup.close(): interrupted while waiting for the loop threads to end"
                    : "EventLoopGroup.close(): a loop thread did not end within "
                            + DEFAULT_SHUTDOWN_TIMEOUT.toSeconds() + " s (a callback blocks its loop?); its loop is"
                            + " left unclosed");
        }
    }

    /**
     * Tells whether the group was shut down. Any thread; never waits.
     *
     * @return true once {@link #shutdownGracefully} or {@link #close()} was called
     */
    public boolean isShutdown() {
        return shutdown.get();
    }

    /**
     * Describes the group for logs: its size and whether it runs, is shutting down or has ended. Any thread.
     *
     * @return e.g. {@code EventLoopGroup[4 loops, running]}
     */
    @Override
    public String toString() {
        String state = terminated ? "terminated" : shutdown.get() ? "shutting down" : "running";
        return "EventLoopGroup[" + loops.size() + (loops.size() == 1 ? " loop, " : " loops, ") + state + "]";
    }

    List<Thread> threads() {
        return threads;
    }

    private void checkOpen() {
        if (isShutdown()) {
            throw new IllegalStateException("the EventLoopGroup is shut down");
        }
    }
}
