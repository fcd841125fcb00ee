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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * N event loops, each running forever on its own platform thread ({@code asyncloop-group-<i>}), for servers
 * and work spread over several cores. There is no asyncio counterpart: asyncio has one loop per thread and
 * leaves the rest to the application; this class is that rest.
 *
 * <pre>{@code
 * try (EventLoopGroup group = EventLoopGroup.create(4)) {
 *     GroupServer server = group.createServer(EchoProtocol::new, "127.0.0.1", 8888, ServerOptions.defaults())
 *             .join();
 *     group.submit(() -> work()).join();
 * }
 * }</pre>
 *
 * <p>Methods of this class are thread-safe, but must not block a group loop's thread on a future they return
 * (it completes on a loop thread). Each loop belongs to its thread: use {@link EventLoop#callSoonThreadsafe},
 * {@link #submit} or {@link Tasks#runCoroutineThreadsafe} to reach it from elsewhere.
 */
public final class EventLoopGroup implements AutoCloseable {
    /** The wait of {@link #close()} for the loop threads to end. */
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);

    private final List<EventLoop> loops;
    private final List<Thread> threads;
    private final AtomicInteger nextIndex = new AtomicInteger();
    private final Object shutdownLock = new Object();
    private boolean shutdown;
    private boolean terminated;

    private EventLoopGroup(List<EventLoop> loops) {
        this.loops = List.copyOf(loops);
        List<Thread> ts = new ArrayList<>();
        for (int i = 0; i < loops.size(); i++) {
            EventLoop loop = loops.get(i);
            ts.add(Thread.ofPlatform().name("asyncloop-group-" + i).unstarted(() -> runThenFinish(loop)));
        }
        this.threads = List.copyOf(ts);
        threads.forEach(Thread::start);
    }

    /**
     * A loop thread's body: runs the loop until it is stopped, then, as {@link Runner#close()} does, cancels the
     * tasks still pending and lets them finish (their {@code finally} blocks run), shuts the default executor
     * down and closes the loop. A task that keeps running after its cancellation keeps the thread alive, which
     * {@link #shutdownGracefully} reports by returning false.
     */
    private static void runThenFinish(EventLoop loop) {
        try {
            loop.runForever();
        } finally {
            try {
                LeftoverTasks.cancelAndAwait(loop, "unhandled exception during EventLoopGroup shutdown");
                loop.runUntilComplete(loop.shutdownDefaultExecutor(DEFAULT_SHUTDOWN_TIMEOUT));
            } finally {
                loop.close();
            }
        }
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
        if (size < 1) {
            throw new IllegalArgumentException("size must be at least 1, got " + size);
        }
        Objects.requireNonNull(factory, "factory");
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
     * @return a future of the task's outcome, completed on the loop's thread
     * @throws IllegalStateException if the group is shut down
     */
    public <T> CompletableFuture<T> submit(AsyncCallable<T> body) {
        checkOpen();
        return Tasks.runCoroutineThreadsafe(body, next());
    }

    /**
     * Runs {@code body} as a task on loop {@code loopIndex}; see {@link Tasks#runCoroutineThreadsafe}.
     *
     * @param loopIndex the loop's index in {@link #loops()}
     * @param body the coroutine body
     * @param <T> the result type
     * @return a future of the task's outcome (result, exception, or cancellation), completed on the loop's thread
     * @throws IndexOutOfBoundsException if {@code loopIndex} is not a loop's index
     * @throws IllegalStateException if the group is shut down
     */
    public <T> CompletableFuture<T> submit(int loopIndex, AsyncCallable<T> body) {
        Objects.checkIndex(loopIndex, loops.size());
        checkOpen();
        return Tasks.runCoroutineThreadsafe(body, loops.get(loopIndex));
    }

    /**
     * Starts a TCP server served by every loop: {@link GroupServer.Mode#REUSE_PORT} where the platform offers
     * {@code SO_REUSEPORT}, else {@link GroupServer.Mode#HAND_OFF}.
     *
     * @param protocolFactory makes one protocol per connection, called on the loop that serves it
     * @param host the host, or null for every interface; with port 0 it must resolve to one address
     * @param port the port, or 0 for one ephemeral port shared by every loop
     * @param options the server options; {@code reusePort} is set by the group
     * @return a future of the server, failed if any loop cannot bind (the loops already bound are closed)
     * @throws IllegalStateException if the group is shut down
     */
    public CompletableFuture<GroupServer> createServer(Supplier<? extends Protocol> protocolFactory, String host,
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
     * @param options the server options; {@code reusePort} is set by the group
     * @param mode how connections are spread
     * @return a future of the server, failed if any loop cannot bind (the loops already bound are closed),
     *     with {@link UnsupportedOperationException} for REUSE_PORT where {@code SO_REUSEPORT} is missing
     * @throws IllegalStateException if the group is shut down
     */
    public CompletableFuture<GroupServer> createServer(Supplier<? extends Protocol> protocolFactory, String host,
            int port, ServerOptions options, GroupServer.Mode mode) {
        Objects.requireNonNull(protocolFactory, "protocolFactory");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(mode, "mode");
        checkOpen();
        return switch (mode) {
            case REUSE_PORT -> GroupServer.startReusePort(this, protocolFactory, host, port, options);
            case HAND_OFF -> GroupServer.startHandOff(this, protocolFactory, host, port, options);
        };
    }

    /**
     * Tells whether TCP listening sockets offer {@code SO_REUSEPORT} on this platform.
     *
     * @return the answer
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
     * {@link Runner#close()}), shuts the loop's default executor down and closes the loop. Idempotent: later
     * calls wait again for threads still running.
     *
     * @param timeout the bound on the wait for the threads
     * @return true if every thread ended and every loop is closed; false if a thread is still running after
     *     {@code timeout} (a callback blocks its loop, or a task keeps going after its cancellation)
     * @throws IllegalStateException if called from one of the group's loops (a callback or task: it would wait
     *     for itself)
     */
    public boolean shutdownGracefully(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (threads.contains(Thread.currentThread())
                || RunningLoops.current().filter(loops::contains).isPresent()) {
            throw new IllegalStateException("shutdownGracefully() called on the group's own loop thread "
                    + Thread.currentThread().getName() + "; call it from another thread");
        }
        synchronized (shutdownLock) {
            if (terminated) {
                return true;
            }
            if (!shutdown) {
                shutdown = true;
                for (EventLoop loop : loops) {
                    try {
                        loop.callSoonThreadsafe(loop::stop);
                    } catch (RuntimeException closed) {
                        // closed by someone else: nothing to stop
                    }
                }
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            boolean all = true;
            for (int i = 0; i < loops.size(); i++) {
                Thread t = threads.get(i);
                try {
                    t.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
                if (t.isAlive()) {
                    all = false;
                } else if (!loops.get(i).isClosed()) {
                    loops.get(i).close();
                }
            }
            terminated = all;
            return all;
        }
    }

    /**
     * Shuts the group down with {@link #DEFAULT_SHUTDOWN_TIMEOUT}; see {@link #shutdownGracefully(Duration)}.
     *
     * @throws IllegalStateException if a loop thread did not end in time, or on a loop thread of the group
     */
    @Override
    public void close() {
        if (!shutdownGracefully(DEFAULT_SHUTDOWN_TIMEOUT)) {
            throw new IllegalStateException("EventLoopGroup.close(): a loop thread did not end within "
                    + DEFAULT_SHUTDOWN_TIMEOUT.toSeconds() + " s (a callback blocks its loop?); its loop is left"
                    + " unclosed");
        }
    }

    /**
     * Tells whether the group was shut down.
     *
     * @return true after {@link #shutdownGracefully} or {@link #close()}
     */
    public boolean isShutdown() {
        synchronized (shutdownLock) {
            return shutdown;
        }
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
