package dev.asyncloop;

import dev.asyncloop.spi.BaseTask;
import dev.asyncloop.spi.RunningLoops;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * asyncio's {@code AbstractEventLoop}: runs callbacks, timers and tasks on one thread.
 *
 * <p>Obtain one from {@code dev.asyncloop.spi.EventLoops.newEventLoop()} (the provider named by
 * {@code -Dasyncloop.loop}, else the best available), or run a program with {@link Async#run(AsyncCallable)}.
 * Loop authors extend {@code dev.asyncloop.spi.BaseEventLoop}, which implements all of this over two hooks, or
 * implement this interface from scratch; the conformance kit ({@code asyncloop-tck}) checks either.
 *
 * <p><b>Threads.</b> Methods are for the loop thread (or any one thread while the loop is not running), except
 * {@link #callSoonThreadsafe}, {@link #stop()}, {@link #isRunning()}, {@link #isClosed()}, {@link #time()},
 * {@link #addSignalHandler} and {@link #removeSignalHandler}, which any thread may call. In debug mode the non-thread-safe scheduling methods throw
 * {@link IllegalStateException} when called from another thread while the loop runs (rule D1.2). See the
 * package documentation for ordering and memory visibility.
 *
 * <p><b>Callbacks that throw.</b> An {@link Exception} thrown by a callback is reported through
 * {@link #callExceptionHandler} and the loop goes on (rule E1.1); an {@link Error} propagates out of
 * {@link #runForever()} (L4.7).
 *
 * <p><b>Closed loops.</b> Scheduling on a closed loop, or running it, throws {@link IllegalStateException}
 * ("Event loop is closed").
 *
 * <p><b>Networking.</b> Reader/writer callbacks, the {@code sock*} operations, DNS, TCP connections and servers,
 * UDP endpoints, Unix-domain sockets, sendfile and pipes have default implementations that throw
 * {@link UnsupportedOperationException} (asyncio's {@code NotImplementedError}): a loop offers them by extending
 * {@code dev.asyncloop.spi.ReadinessEventLoop} (or implementing them itself) and claiming {@code Capability.TCP}
 * (and {@code UDP}, {@code UNIX_SOCKETS}, {@code SENDFILE}, {@code PIPES}). Channels passed to these methods
 * must be in non-blocking mode, except the pipes, which the loop switches itself.
 *
 * <p><b>Subprocesses.</b> {@link #subprocessExec} and {@link #subprocessShell} work on every loop: their default
 * implementation uses only this interface's public methods (a loop claims {@code Capability.SUBPROCESS}).
 */
public interface EventLoop extends AutoCloseable {

    // ---------------------------------------------------------------- lifecycle

    /**
     * Runs the loop until {@link #stop()} is called. The iteration in which {@code stop()} is called finishes
     * first (rule L4.1); a {@code stop()} before {@code runForever()} makes it run one iteration that does not
     * block and return (L4.2). An interrupt of the running loop's thread neither stops the loop nor makes it spin:
     * the loop clears the interrupt status, logs a warning once, keeps running, and sets the status again when
     * this method returns (L4.9); stop the loop with {@link #stop()}.
     *
     * @throws IllegalStateException if the loop is closed, already running, or another loop runs in this thread
     */
    void runForever();

    /**
     * Runs the loop until {@code future} is done and returns its result.
     *
     * @param future a future of this loop
     * @param <T> the result type
     * @return the future's result
     * @throws IllegalArgumentException if the future belongs to another loop
     * @throws IllegalStateException if the loop is closed or running, another loop runs in this thread, or the
     *     loop stops before the future is done
     *     ("Event loop stopped before Future completed.")
     * @throws CancelledError if the future was cancelled; otherwise whatever {@link Future#result()} throws
     */
    <T extends @Nullable Object> T runUntilComplete(Future<T> future);

    /**
     * Wraps {@code main} in a task and runs the loop until it is done (asyncio's
     * {@code run_until_complete(coro)}). A refused call creates no task, so {@code main} never runs (rule L4.8).
     *
     * @param main the coroutine body
     * @param <T> the result type
     * @return the task's result
     * @throws IllegalStateException as for {@link #runUntilComplete(Future)}, or if another loop runs in this
     *     thread
     */
    default <T extends @Nullable Object> T runUntilComplete(AsyncCallable<T> main) {
        Objects.requireNonNull(main, "main");
        if (isRunning()) {
            throw new IllegalStateException("This event loop is already running");
        }
        RunningLoops.checkNoneRunning();
        return runUntilComplete(createTask(main));
    }

    /**
     * Asks the loop to stop after the current iteration. Any thread may call it.
     */
    void stop();

    /**
     * Tells whether the loop is running. Any thread may call it.
     *
     * @return true between the start and the end of {@link #runForever()}
     */
    boolean isRunning();

    /**
     * Tells whether {@link #close()} was called. Any thread may call it.
     *
     * @return true once closed
     */
    boolean isClosed();

    /**
     * Closes the loop: drops pending callbacks and timers (a loop built on {@code BaseEventLoop} first delivers
     * the reports queued for its exception handler from other threads, such as "exception was never retrieved"),
     * shuts the default executor down without waiting,
     * removes the loop's signal handlers (rule G1.6), releases the loop's resources. Idempotent.
     *
     * @throws IllegalStateException if the loop is running ("Cannot close a running event loop"; rule L4.4)
     */
    @Override
    void close();

    /**
     * Shuts the default executor down and waits for its threads to finish, at most {@code timeout}.
     *
     * @param timeout how long to wait; on expiry a warning is logged and the executor is left to finish
     * @return a future done when the executor has terminated or the timeout expired; run the loop until it is
     *     done (e.g. {@code loop.runUntilComplete(loop.shutdownDefaultExecutor(timeout))})
     * @throws IllegalStateException if the loop is closed
     */
    Future<@Nullable Void> shutdownDefaultExecutor(Duration timeout);

    // ---------------------------------------------------------------- scheduling

    /**
     * Schedules {@code callback} for the next iteration, after the callbacks already scheduled (rule L1.1),
     * in a copy of the current context.
     *
     * @param callback what to run
     * @return a handle that can cancel it
     * @throws IllegalStateException if the loop is closed
     */
    Handle callSoon(Runnable callback);

    /**
     * Like {@link #callSoon(Runnable)}, running the callback in {@code context}.
     *
     * @param callback what to run
     * @param context the context to run it in
     * @return a handle that can cancel it
     * @throws IllegalStateException if the loop is closed
     */
    Handle callSoon(Runnable callback, Context context);

    /**
     * Schedules {@code callback} to run after {@code delay}, that is at {@code time() + delay}; a zero or negative
     * delay means "due now", still ordered by that deadline (rule L2.2).
     *
     * @param delay how long from now
     * @param callback what to run
     * @return a handle that can cancel it
     * @throws IllegalStateException if the loop is closed
     */
    TimerHandle callLater(Duration delay, Runnable callback);

    /**
     * Like {@link #callLater(Duration, Runnable)}, running the callback in {@code context}.
     *
     * @param delay how long from now
     * @param callback what to run
     * @param context the context to run it in
     * @return a handle that can cancel it
     * @throws IllegalStateException if the loop is closed
     */
    TimerHandle callLater(Duration delay, Runnable callback, Context context);

    /**
     * Schedules {@code callback} to run when {@link #time()} reaches {@code when}. Timers run in order of
     * their deadlines, and timers with equal deadlines in the order they were scheduled (rule L2.1).
     *
     * @param when the deadline, on the {@link #time()} clock
     * @param callback what to run
     * @return a handle that can cancel it
     * @throws IllegalArgumentException if {@code when} is NaN
     * @throws IllegalStateException if the loop is closed
     */
    TimerHandle callAt(double when, Runnable callback);

    /**
     * Like {@link #callAt(double, Runnable)}, running the callback in {@code context}.
     *
     * @param when the deadline
     * @param callback what to run
     * @param context the context to run it in
     * @return a handle that can cancel it
     * @throws IllegalArgumentException if {@code when} is NaN
     * @throws IllegalStateException if the loop is closed
     */
    TimerHandle callAt(double when, Runnable callback, Context context);

    /**
     * Returns the loop's clock: monotonic, in seconds, as asyncio's {@code loop.time()}. Any thread may call it.
     *
     * @return the current time
     */
    double time();

    /**
     * Schedules {@code callback} from any thread, waking the loop if it is blocked waiting for I/O (rule L3.1).
     * Shares the FIFO order of {@link #callSoon} (L3.2). A call that races with {@link #close()} on another thread
     * either throws, and the callback never runs, or returns a handle whose callback ran before the close or is
     * dropped by it with the other pending ones; the closed loop keeps neither.
     *
     * @param callback what to run
     * @return a handle whose {@code cancel()} any thread may call
     * @throws IllegalStateException if the loop is closed, or was closed during the call before running the
     *     callback
     */
    Handle callSoonThreadsafe(Runnable callback);

    /**
     * Like {@link #callSoonThreadsafe(Runnable)}, running the callback in {@code context}.
     *
     * @param callback what to run
     * @param context the context to run it in
     * @return a handle whose {@code cancel()} any thread may call
     * @throws IllegalStateException if the loop is closed, or was closed during the call before running the
     *     callback
     */
    Handle callSoonThreadsafe(Runnable callback, Context context);

    // ---------------------------------------------------------------- futures and tasks

    /**
     * Creates a pending future bound to this loop.
     *
     * @param <T> the result type
     * @return the future
     */
    <T extends @Nullable Object> Future<T> createFuture();

    /**
     * Creates a task running the straight-line coroutine {@code body}, named {@code Task-N}.
     *
     * @param body the coroutine body
     * @param <T> the result type
     * @return the scheduled task
     * @throws IllegalStateException if the loop is closed
     */
    default <T extends @Nullable Object> Task<T> createTask(AsyncCallable<T> body) {
        return createTask(Coroutine.of(body), null, null);
    }

    /**
     * Creates a named task running the straight-line coroutine {@code body}.
     *
     * @param body the coroutine body
     * @param name the task's name, or null for {@code Task-N}
     * @param <T> the result type
     * @return the scheduled task
     * @throws IllegalStateException if the loop is closed
     */
    default <T extends @Nullable Object> Task<T> createTask(AsyncCallable<T> body, @Nullable String name) {
        return createTask(Coroutine.of(body), name, null);
    }

    /**
     * Schedules {@code body} as a named task that runs in {@code context} (asyncio's
     * {@code create_task(coro, name=name, context=context)}); the same as
     * {@code createTask(Coroutine.of(body), name, context)}.
     *
     * @param body the task's body
     * @param name the task's name, or null for {@code Task-N}
     * @param context the context the task's steps run in, or null for a copy of the current one
     * @param <T> the result type
     * @return the task
     * @throws IllegalStateException if the loop is closed
     * @throws NullPointerException if {@code body} is null
     */
    default <T extends @Nullable Object> Task<T> createTask(AsyncCallable<T> body, @Nullable String name,
            @Nullable Context context) {
        return createTask(Coroutine.of(body), name, context);
    }

    /**
     * Creates a task driving {@code coroutine}, through the task factory when one is set.
     *
     * @param coroutine the coroutine
     * @param name the name, or null for {@code Task-N}
     * @param context the context every step runs in, or null for a copy of the current one
     * @param <T> the result type
     * @return the scheduled (or, with an eager factory, possibly already finished) task
     * @throws IllegalStateException if the loop is closed
     */
    <T extends @Nullable Object> Task<T> createTask(Coroutine<T> coroutine, @Nullable String name,
            @Nullable Context context);

    /**
     * Schedules {@code body} as a task that starts eagerly or lazily as the caller says, whatever the task
     * factory's default (asyncio 3.14's {@code create_task(coro, name=, context=, eager_start=)}); the same as
     * {@code createTask(Coroutine.of(body), name, context, eagerStart)}.
     *
     * @param body the task's body
     * @param name the task's name, or null for {@code Task-N}
     * @param context the context the task's steps run in, or null for a copy of the current one
     * @param eagerStart true to run the first step inside this call when the loop is running (the task may be
     *     done when it returns), false to schedule it
     * @param <T> the result type
     * @return the task
     * @throws IllegalStateException if the loop is closed
     * @throws UnsupportedOperationException if a task factory is set that takes no eager-start choice
     */
    default <T extends @Nullable Object> Task<T> createTask(AsyncCallable<T> body, @Nullable String name,
            @Nullable Context context, boolean eagerStart) {
        return createTask(Coroutine.of(body), name, context, eagerStart);
    }

    /**
     * Creates a task driving {@code coroutine} that starts eagerly or lazily as the caller says (asyncio 3.14's
     * {@code eager_start=}): through the task factory's
     * {@link TaskFactory#newTask(EventLoop, Coroutine, String, Context, boolean)} when one is set; else a lazy
     * start is this loop's own {@link #createTask(Coroutine, String, Context)} (so that a loop overriding it, a
     * wrapping loop say, still makes its tasks), and an eager one
     * {@code new BaseTask<>(this, coroutine, name, context, true)}. An eager start needs the loop to be running;
     * otherwise the first step is scheduled.
     *
     * @param coroutine the coroutine
     * @param name the name, or null for {@code Task-N}
     * @param context the context every step runs in, or null for a copy of the current one
     * @param eagerStart whether to run the first step inside this call
     * @param <T> the result type
     * @return the task, scheduled or (eagerly started) possibly done
     * @throws IllegalStateException if the loop is closed
     * @throws UnsupportedOperationException if a task factory is set that takes no eager-start choice
     */
    default <T extends @Nullable Object> Task<T> createTask(Coroutine<T> coroutine, @Nullable String name,
            @Nullable Context context, boolean eagerStart) {
        Objects.requireNonNull(coroutine, "coroutine");
        if (isClosed()) {
            throw new IllegalStateException("Event loop is closed");
        }
        Optional<TaskFactory> factory = getTaskFactory();
        if (factory.isPresent()) {
            return Objects.requireNonNull(factory.get().newTask(this, coroutine, name, context, eagerStart),
                    () -> "task factory " + factory.get() + " returned null");
        }
        return eagerStart ? new BaseTask<>(this, coroutine, name, context, true) : createTask(coroutine, name, context);
    }

    /**
     * Sets the factory {@link #createTask(Coroutine, String, Context)} uses.
     *
     * @param factory the factory, or null for the default
     */
    void setTaskFactory(@Nullable TaskFactory factory);

    /**
     * Returns the task factory.
     *
     * @return the factory set, or empty for the default
     */
    Optional<TaskFactory> getTaskFactory();

    // ---------------------------------------------------------------- threads and executors

    /**
     * Runs {@code function} on {@code executor} and returns a future of this loop for its result. Cancelling
     * the returned future cancels the executor's task if it has not started.
     *
     * @param executor where to run it, or null for the loop's default executor
     * @param function what to run
     * @param <T> the result type
     * @return a future done on the loop thread when {@code function} is
     * @throws IllegalStateException if the loop is closed or the default executor was shut down
     * @throws java.util.concurrent.RejectedExecutionException if {@code executor} refuses the job (shut down or
     *     saturated); nothing is scheduled then
     */
    <T extends @Nullable Object> Future<T> runInExecutor(@Nullable Executor executor, Callable<T> function);

    /**
     * Replaces the default executor of {@link #runInExecutor}. Any {@link ExecutorService} will do (asyncio
     * requires a {@code ThreadPoolExecutor}); the loop takes it over: {@link #close()} and
     * {@link #shutdownDefaultExecutor} shut it down.
     *
     * @param executor the new default executor
     * @throws NullPointerException if {@code executor} is null
     */
    void setDefaultExecutor(ExecutorService executor);

    /**
     * Returns a future of this loop that follows {@code future}: done on the loop thread when it is, and
     * cancelling it when it is cancelled. Any thread may complete {@code future}.
     *
     * @param future the future to follow
     * @param <T> the result type
     * @return the loop future
     */
    <T extends @Nullable Object> Future<T> wrapFuture(CompletableFuture<T> future);

    // ---------------------------------------------------------------- channel watching (asyncio add_reader & co.)

    /**
     * Calls {@code callback} on the loop thread in every iteration in which {@code channel} is readable (for a
     * {@link ServerSocketChannel}: has a connection to accept), in a copy of the current context, until
     * {@link #removeReader}. Replaces (and cancels) a reader already registered for the channel. A callback that
     * throws is reported to the exception handler and stays registered.
     *
     * @param channel a non-blocking channel
     * @param callback what to run
     * @throws IllegalStateException if the loop is closed, or a live transport owns the channel
     * @throws IllegalArgumentException if the channel is in blocking mode
     * @throws UnsupportedOperationException if the loop has no channel watching
     */
    default void addReader(SelectableChannel channel, Runnable callback) {
        throw unsupported("addReader");
    }

    /**
     * Stops watching {@code channel} for reading.
     *
     * @param channel the channel
     * @return true if a reader was registered (and is now cancelled); false otherwise, and always after close
     * @throws IllegalStateException if a live transport owns the channel
     */
    default boolean removeReader(SelectableChannel channel) {
        throw unsupported("removeReader");
    }

    /**
     * Calls {@code callback} on the loop thread in every iteration in which {@code channel} is writable (for a
     * connecting {@link SocketChannel}: the connection attempt finished), until {@link #removeWriter}. Replaces
     * (and cancels) a writer already registered for the channel.
     *
     * @param channel a non-blocking channel
     * @param callback what to run
     * @throws IllegalStateException if the loop is closed, or a live transport owns the channel
     * @throws IllegalArgumentException if the channel is in blocking mode
     */
    default void addWriter(SelectableChannel channel, Runnable callback) {
        throw unsupported("addWriter");
    }

    /**
     * Stops watching {@code channel} for writing.
     *
     * @param channel the channel
     * @return true if a writer was registered; false otherwise, and always after close
     * @throws IllegalStateException if a live transport owns the channel
     */
    default boolean removeWriter(SelectableChannel channel) {
        throw unsupported("removeWriter");
    }

    // ---------------------------------------------------------------- socket operations (asyncio sock_*)

    /**
     * Receives up to {@code maxBytes} bytes: tries at once, else when the channel becomes readable.
     * Cancelling the future stops watching the channel and loses no data. A channel has one reader: a second
     * receive that has to wait replaces the first's, which then stays pending until cancelled (as in asyncio;
     * the same holds for {@link #sockRecvInto}, {@link #sockAccept} and {@link #addReader}).
     *
     * @param channel a connected non-blocking channel
     * @param maxBytes the most bytes to receive, at least 1
     * @return a future of the bytes received; an empty array at end of stream
     * @throws IllegalArgumentException if the channel is blocking or {@code maxBytes < 1}
     * @throws IllegalStateException if the loop is closed or a live transport owns the channel
     */
    default Future<byte[]> sockRecv(SocketChannel channel, int maxBytes) {
        throw unsupported("sockRecv");
    }

    /**
     * Receives into {@code buffer} (from its position to its limit). The loop owns the buffer until the
     * future is done: do not touch it meanwhile. A buffer with no space left gives 0 at once on an open channel;
     * a closed channel fails as {@link #sockRecv} does there (asyncio's {@code sock_recv_into} asks the socket,
     * which raises when closed, whatever the buffer's size).
     *
     * @param channel a connected non-blocking channel
     * @param buffer where to put the bytes
     * @return a future of the number of bytes received, -1 at end of stream (asyncio returns 0; Java channels
     *     say -1, which also tells end of stream apart from a full buffer)
     * @throws IllegalArgumentException if the channel is blocking, or the buffer is read-only (full or not)
     * @throws IllegalStateException if the loop is closed or a live transport owns the channel
     */
    default Future<Integer> sockRecvInto(SocketChannel channel, ByteBuffer buffer) {
        throw unsupported("sockRecvInto");
    }

    /**
     * Sends every remaining byte of {@code data}, waiting for writability as often as needed. The loop owns the
     * buffer until the future is done; on success its position is at its limit. If the future is cancelled,
     * nothing more is sent and the buffer's position tells how much was (asyncio cannot tell). An empty buffer
     * is done at once.
     *
     * @param channel a connected non-blocking channel
     * @param data the bytes to send
     * @return a future done when all was sent, or failed with the {@link java.io.IOException} of the send
     * @throws IllegalArgumentException if the channel is blocking
     * @throws IllegalStateException if the loop is closed or a live transport owns the channel
     */
    default Future<@Nullable Void> sockSendAll(SocketChannel channel, ByteBuffer data) {
        throw unsupported("sockSendAll");
    }

    /**
     * Connects {@code channel} to {@code address} (an unresolved {@link java.net.InetSocketAddress} is resolved
     * first, on the default executor, and the first answer of the channel's address family is used, as asyncio
     * resolves for the socket's family). The connection error, if any, fails the future; an attempt that fails
     * with a socket error (a refusal, no route; found later or, on some kernels, at once) fails with an exception
     * of the same kind that names the address, as
     * asyncio's "Connect call failed ADDRESS" does ({@link java.net.ConnectException} "Connect call failed
     * /127.0.0.1:8080: Connection refused", the system's error as its cause). Cancelling the future stops
     * watching the channel and leaves the connection attempt to the caller (close the channel).
     *
     * @param channel an unconnected non-blocking channel
     * @param address where to connect
     * @return a future done when connected
     * @throws IllegalArgumentException if the channel is blocking
     * @throws IllegalStateException if the loop is closed or a live transport owns the channel
     */
    default Future<@Nullable Void> sockConnect(SocketChannel channel, SocketAddress address) {
        throw unsupported("sockConnect");
    }

    /**
     * Accepts one connection.
     *
     * @param channel a bound non-blocking server channel
     * @return a future of the accepted channel, already in non-blocking mode; the caller owns it
     * @throws IllegalArgumentException if the channel is blocking
     * @throws IllegalStateException if the loop is closed
     */
    default Future<SocketChannel> sockAccept(ServerSocketChannel channel) {
        throw unsupported("sockAccept");
    }

    // ---------------------------------------------------------------- TCP (asyncio create_connection & co.)

    /**
     * Opens a TCP connection with default options; see
     * {@link #createConnection(Supplier, String, int, ConnectOptions)}.
     *
     * @param protocolFactory makes the connection's protocol
     * @param host a host name or literal IP address
     * @param port the port
     * @param <P> the protocol type
     * @return a future of the transport and protocol
     */
    default <P extends Protocol> Future<Connection<P>> createConnection(Supplier<P> protocolFactory, String host,
            int port) {
        return createConnection(protocolFactory, host, port, ConnectOptions.defaults());
    }

    /**
     * Opens a TCP connection: resolves {@code host} (on the default executor unless it is a literal address),
     * tries each address in order until one connects (staggered with a Happy Eyeballs delay; see
     * {@link ConnectOptions}), binding each socket first to the local address of its family when one is given,
     * then makes a transport and a protocol. The future is done after {@link Protocol#connectionMade} was
     * called. When every address fails the future fails with the only error (a refusal names its address, as
     * {@link #sockConnect} describes), or with a {@link java.net.ConnectException} "Multiple exceptions: ..."
     * naming each address and its error, each error also suppressed. Cancelling it closes the socket.
     *
     * @param protocolFactory makes the connection's protocol (called on the loop thread)
     * @param host a host name or literal IP address
     * @param port the port, 0 to 65535
     * @param options local address and the like
     * @param <P> the protocol type
     * @return a future of the transport and protocol
     * @throws IllegalArgumentException if {@code port} is out of range
     * @throws IllegalStateException if the loop is closed
     * @throws UnsupportedOperationException if the loop has no TCP
     */
    default <P extends Protocol> Future<Connection<P>> createConnection(Supplier<P> protocolFactory, String host,
            int port, ConnectOptions options) {
        throw unsupported("createConnection");
    }

    /**
     * Starts a TCP server on every interface with default options (asyncio's {@code create_server} with
     * {@code host=None}); see {@link #createServer(Supplier, String, int, ServerOptions)}.
     *
     * @param protocolFactory makes one protocol per accepted connection
     * @param port the port, 0 for an ephemeral one
     * @return a future of the server
     * @throws IllegalArgumentException if {@code port} is out of range
     * @throws IllegalStateException if the loop is closed
     */
    default Future<Server> createServer(Supplier<? extends Protocol> protocolFactory, int port) {
        return createServer(protocolFactory, (String) null, port, ServerOptions.defaults());
    }

    /**
     * Starts a TCP server on every interface (asyncio's {@code create_server} with {@code host=None}): one
     * wildcard socket, or the wildcard of {@link ServerOptions#family()}; otherwise as
     * {@link #createServer(Supplier, String, int, ServerOptions)} with a null host, which it calls.
     *
     * @param protocolFactory makes one protocol per accepted connection (called on the loop thread)
     * @param port the port, 0 for an ephemeral one
     * @param options backlog, reuse-address, reuse-port, keep-alive, family, start-serving
     * @return a future of the server, failed with the bind error if the address cannot be bound
     * @throws IllegalArgumentException if {@code port} is out of range
     * @throws IllegalStateException if the loop is closed
     */
    default Future<Server> createServer(Supplier<? extends Protocol> protocolFactory, int port,
            ServerOptions options) {
        return createServer(protocolFactory, (String) null, port, options);
    }

    /**
     * Starts a TCP server with default options; see {@link #createServer(Supplier, String, int, ServerOptions)}.
     *
     * @param protocolFactory makes one protocol per accepted connection
     * @param host the host to listen on, or null or {@code ""} for every interface (without a host,
     *     {@link #createServer(Supplier, int)} says the same)
     * @param port the port, 0 for an ephemeral one
     * @return a future of the server
     */
    default Future<Server> createServer(Supplier<? extends Protocol> protocolFactory, @Nullable String host, int port) {
        return createServer(protocolFactory, host, port, ServerOptions.defaults());
    }

    /**
     * Starts a TCP server: binds one listening socket per address {@code host} resolves to (one wildcard socket
     * when {@code host} is null or empty) and, unless {@link ServerOptions#startServing()} is false, accepts
     * connections, each with a new protocol and transport. Errors of a factory or of the transport creation
     * for an accepted connection are reported to the exception handler; the server goes on.
     *
     * @param protocolFactory makes one protocol per accepted connection (called on the loop thread)
     * @param host the host to listen on, or null or {@code ""} for every interface (without a host,
     *     {@link #createServer(Supplier, int, ServerOptions)} says the same)
     * @param port the port, 0 for an ephemeral one (each socket then gets its own)
     * @param options backlog, reuse-address, reuse-port, keep-alive, family, start-serving
     * @return a future of the server, failed with the bind error if any address cannot be bound; an address
     *     no interface of this host holds, or whose family the JDK has no socket for ({@code ::1} where
     *     loopback has no IPv6), is skipped, as asyncio skips it (bpo-30945), and only when none is left does
     *     the server fail, with a {@link java.net.BindException} whose suppressed exceptions are each address's
     *     error
     * @throws IllegalArgumentException if {@code port} is out of range
     * @throws IllegalStateException if the loop is closed
     */
    default Future<Server> createServer(Supplier<? extends Protocol> protocolFactory, @Nullable String host, int port,
            ServerOptions options) {
        throw unsupported("createServer");
    }

    /**
     * Starts a TCP server on several hosts with default options; see
     * {@link #createServer(Supplier, List, int, ServerOptions)}.
     *
     * @param protocolFactory makes one protocol per accepted connection
     * @param hosts the hosts to listen on
     * @param port the port, 0 for an ephemeral one
     * @return a future of the server
     */
    default Future<Server> createServer(Supplier<? extends Protocol> protocolFactory, List<String> hosts,
            int port) {
        return createServer(protocolFactory, hosts, port, ServerOptions.defaults());
    }

    /**
     * Starts one TCP server on several hosts (asyncio's {@code create_server} with a sequence of hosts): resolves
     * every host, binds one listening socket per distinct address among all the answers, and otherwise behaves as
     * {@link #createServer(Supplier, String, int, ServerOptions)}. The default implementation serves a single
     * host through that method and refuses any other number; loops that support several override it.
     *
     * @param protocolFactory makes one protocol per accepted connection (called on the loop thread)
     * @param hosts the host names or literal addresses to listen on, at least one, none null or empty (to listen
     *     on every interface, use {@link #createServer(Supplier, int, ServerOptions)})
     * @param port the port, 0 for an ephemeral one (each socket then gets its own)
     * @param options backlog, reuse-address, start-serving
     * @return a future of the server, failed with the first resolution error, or with the bind error if any
     *     address cannot be bound (the sockets already bound are closed); an address this host cannot have is
     *     skipped as by {@link #createServer(Supplier, String, int, ServerOptions)}
     * @throws IllegalArgumentException if {@code hosts} is empty or has an empty name, or {@code port} is out of
     *     range
     * @throws NullPointerException if {@code hosts} or one of its names is null
     * @throws IllegalStateException if the loop is closed
     * @throws UnsupportedOperationException if the loop has no TCP, or (default implementation) {@code hosts}
     *     does not hold exactly one name
     */
    default Future<Server> createServer(Supplier<? extends Protocol> protocolFactory, List<String> hosts,
            int port, ServerOptions options) {
        if (hosts.size() != 1) {
            throw new UnsupportedOperationException("createServer takes exactly one host on " + getClass().getName()
                    + ", got " + hosts + "; create one server per host");
        }
        return createServer(protocolFactory, hosts.getFirst(), port, options);
    }

    /**
     * Serves a listening socket made elsewhere (asyncio's {@code create_server(sock=...)}), such as the one
     * {@link System#inheritedChannel()} answers under socket activation, or one bound with options this API does
     * not offer. The loop takes the channel over (switches it to non-blocking mode, closes it when the server
     * closes); TCP and Unix-domain channels alike. Of the options only {@link ServerOptions#backlog()} (as the
     * most connections accepted per readiness event), {@link ServerOptions#startServing()} and
     * {@link ServerOptions#keepAlive()} apply: the channel is already bound, so the binding options are not used.
     *
     * @param protocolFactory makes one protocol per accepted connection (called on the loop thread)
     * @param channel an open, bound channel (in Java, bound also means listening)
     * @param options start-serving, keep-alive, backlog
     * @return a future of the server, already done
     * @throws IllegalArgumentException if {@code channel} is closed or not bound, or {@code keepAlive} is asked
     *     for a Unix-domain channel (the channel is left as it was)
     * @throws IllegalStateException if the loop is closed, or this loop already watches the channel (a reader,
     *     another server, a transport)
     * @throws java.io.UncheckedIOException if the channel cannot be switched to non-blocking mode
     * @throws UnsupportedOperationException if the loop has no TCP
     */
    default Future<Server> createServer(Supplier<? extends Protocol> protocolFactory,
            ServerSocketChannel channel, ServerOptions options) {
        throw unsupported("createServer");
    }

    /**
     * Wraps a connection accepted elsewhere in a transport and protocol; the loop takes the channel over
     * (asyncio's {@code connect_accepted_socket}). For TLS see
     * {@link #connectAcceptedSocket(Supplier, SocketChannel, javax.net.ssl.SSLContext, TlsOptions)}.
     *
     * @param protocolFactory makes the protocol
     * @param channel an open, connected channel, blocking or not; it is switched to non-blocking mode
     * @param <P> the protocol type
     * @return a future done after {@link Protocol#connectionMade}
     * @throws IllegalArgumentException if {@code channel} is closed or not connected (the channel is left as it
     *     was)
     * @throws IllegalStateException if the loop is closed or a live transport already owns the channel
     */
    default <P extends Protocol> Future<Connection<P>> connectAcceptedSocket(Supplier<P> protocolFactory,
            SocketChannel channel) {
        throw unsupported("connectAcceptedSocket");
    }

    // ---------------------------------------------------------------- DNS (asyncio getaddrinfo/getnameinfo)

    /**
     * Resolves {@code host} with default options; see {@link #getAddrInfo(String, int, AddrInfoOptions)}.
     *
     * @param host a host name, a literal address, or null for loopback
     * @param port the port of every result, 0 to 65535
     * @return a future of the results, in the resolver's order
     */
    default Future<java.util.List<AddrInfo>> getAddrInfo(@Nullable String host, int port) {
        return getAddrInfo(host, port, AddrInfoOptions.defaults());
    }

    /**
     * Resolves {@code host} to socket addresses (asyncio's {@code getaddrinfo}). A literal address (or a null
     * host) is answered at once without the resolver; a name is resolved on the default executor. Duplicates
     * are dropped; the order is the resolver's.
     *
     * @param host a host name, a literal address (an IPv6 one may carry a zone: an index or an interface name), or
     *     null (loopback, {@code ::1} then {@code 127.0.0.1}; or the wildcard with {@link AddrInfoOptions#passive()},
     *     {@code 0.0.0.0} then {@code ::}), each as the family allows
     * @param port the port of every result, 0 to 65535
     * @param options family restriction and flags
     * @return a future of at least one result, or failed with {@link java.net.UnknownHostException} naming the
     *     host (no such host, no address of the family asked for, a name with {@code numericHost}, an empty host,
     *     or a zone naming no interface)
     * @throws IllegalArgumentException if the port is out of range
     * @throws IllegalStateException if the loop is closed
     * @throws UnsupportedOperationException if the loop has no networking
     */
    default Future<java.util.List<AddrInfo>> getAddrInfo(@Nullable String host, int port, AddrInfoOptions options) {
        throw unsupported("getAddrInfo");
    }

    /**
     * Finds the host name of {@code address} (asyncio's {@code getnameinfo}) by a reverse lookup on the default
     * executor.
     *
     * @param address a resolved address
     * @return a future of the name (the numeric address when it has none) and the port
     * @throws IllegalArgumentException if the address is unresolved
     * @throws IllegalStateException if the loop is closed
     */
    default Future<NameInfo> getNameInfo(java.net.InetSocketAddress address) {
        throw unsupported("getNameInfo");
    }

    // ---------------------------------------------------------------- UDP (asyncio create_datagram_endpoint)

    /**
     * Creates a datagram endpoint (asyncio's {@code create_datagram_endpoint}): opens (or takes over) a UDP
     * channel, binds it to the local address and connects it to the remote address when given (not with
     * {@link DatagramOptions#allowBroadcast()}: the remote address is then only the default destination), then
     * makes a {@link DatagramTransport} and a protocol. {@link DatagramProtocol#connectionMade} is scheduled, never
     * called inline; the future is done after it ran. Unresolved addresses are resolved like
     * {@link #getAddrInfo} and paired by family, and each pair is tried in turn until one binds and connects, as
     * asyncio does (see {@link DatagramOptions#family()}).
     *
     * @param protocolFactory makes the protocol (called on the loop thread)
     * @param options addresses, socket options, or an existing channel
     * @param <P> the protocol type
     * @return a future of the transport and protocol; failed with the first pair's bind/connect error (the other
     *     pairs' errors suppressed in it), with
     *     {@link IllegalArgumentException} if an address is not an IP address of the endpoint's family, or with
     *     {@link UnsupportedOperationException} if {@code reusePort} is asked for where the platform lacks it
     * @throws IllegalStateException if the loop is closed
     * @throws UnsupportedOperationException if the loop has no UDP
     */
    default <P extends DatagramProtocol> Future<DatagramConnection<P>> createDatagramEndpoint(
            Supplier<P> protocolFactory, DatagramOptions options) {
        throw unsupported("createDatagramEndpoint");
    }

    /**
     * Receives one datagram of at most {@code maxBytes} bytes (asyncio's {@code sock_recvfrom}): tries at once,
     * else when the channel becomes readable. The rest of a longer datagram is discarded, as the system call
     * does. Cancelling the future stops watching the channel and loses no datagram; as for {@link #sockRecv}, a
     * second receive that has to wait replaces the first's reader.
     *
     * @param channel a bound non-blocking channel no transport owns
     * @param maxBytes the most bytes to keep, at least 1
     * @return a future of the bytes and the sender's address
     * @throws IllegalArgumentException if the channel is blocking or {@code maxBytes < 1}
     * @throws IllegalStateException if the loop is closed or a live transport owns the channel
     * @throws UnsupportedOperationException if the loop has no UDP
     */
    default Future<Datagram> sockRecvFrom(DatagramChannel channel, int maxBytes) {
        throw unsupported("sockRecvFrom");
    }

    /**
     * Receives one datagram into {@code buffer} (asyncio's {@code sock_recvfrom_into}, without a copy): tries at
     * once, else when the channel becomes readable. The datagram's bytes go to the buffer's position, which
     * advances by their number (what asyncio returns as {@code nbytes}); what does not fit in the remaining space
     * is discarded, as the system call does. The loop owns the buffer until the future is done. Cancelling the
     * future stops watching the channel and loses no datagram; a second receive that has to wait replaces the
     * first's reader.
     *
     * @param channel a bound non-blocking channel no transport owns
     * @param buffer a writable buffer (heap or direct)
     * @return a future of the sender's address
     * @throws IllegalArgumentException if the channel is blocking or {@code buffer} is read-only
     * @throws IllegalStateException if the loop is closed or a live transport owns the channel
     * @throws UnsupportedOperationException if the loop has no UDP
     */
    default Future<SocketAddress> sockRecvFromInto(DatagramChannel channel, ByteBuffer buffer) {
        throw unsupported("sockRecvFromInto");
    }

    /**
     * Sends the remaining bytes of {@code data} as one datagram to {@code address} (asyncio's
     * {@code sock_sendto}): tries at once, else when the channel becomes writable. On success the buffer's
     * position is at its limit; an empty buffer sends an empty datagram on an unconnected channel (on a connected
     * one the JDK sends nothing, and the future gives 0). The loop owns the buffer until the future is done.
     * Cancelling the future stops watching the channel; the datagram was then not sent.
     *
     * @param channel a non-blocking channel no transport owns
     * @param data the datagram
     * @param address a resolved destination (the connected peer's, if the channel is connected)
     * @return a future of the number of bytes sent; failed with the send's {@link java.io.IOException}
     * @throws IllegalArgumentException if the channel is blocking or the address is unresolved (asyncio's
     *     {@code sendto} would resolve it, blocking the loop; resolve it first with {@link #getAddrInfo})
     * @throws IllegalStateException if the loop is closed or a live transport owns the channel
     * @throws UnsupportedOperationException if the loop has no UDP
     */
    default Future<Integer> sockSendTo(DatagramChannel channel, ByteBuffer data,
            SocketAddress address) {
        throw unsupported("sockSendTo");
    }

    // ---------------------------------------------------------------- Unix sockets (asyncio unix_events)

    /**
     * Connects to the Unix-domain stream socket at {@code path} (asyncio's {@code create_unix_connection}); the
     * transport behaves as a TCP one, without {@code TCP_NODELAY}.
     *
     * @param protocolFactory makes the protocol (called on the loop thread)
     * @param path the socket file
     * @param <P> the protocol type
     * @return a future done after {@link Protocol#connectionMade}; failed with the connect error
     * @throws IllegalArgumentException if {@code path} is empty
     * @throws IllegalStateException if the loop is closed
     * @throws UnsupportedOperationException if the loop or platform has no Unix-domain sockets
     */
    default <P extends Protocol> Future<Connection<P>> createUnixConnection(Supplier<P> protocolFactory,
            java.nio.file.Path path) {
        throw unsupported("createUnixConnection");
    }

    /**
     * Starts a Unix-domain server with default options; see
     * {@link #createUnixServer(Supplier, java.nio.file.Path, ServerOptions)}.
     *
     * @param protocolFactory makes one protocol per accepted connection
     * @param path the socket file to create
     * @return a future of the server
     */
    default Future<Server> createUnixServer(Supplier<? extends Protocol> protocolFactory, java.nio.file.Path path) {
        return createUnixServer(protocolFactory, path, ServerOptions.defaults());
    }

    /**
     * Starts a Unix-domain stream server at {@code path} (asyncio's {@code create_unix_server}). A stale socket
     * file at the path is removed first (any other kind of file is left and binding fails; a symbolic link to a
     * socket counts as one, and the link is removed). With
     * {@link ServerOptions#cleanupSocket()} (default), closing the server deletes the socket file if it is
     * still the one the server created. {@link ServerOptions#reuseAddress()} does not apply.
     *
     * @param protocolFactory makes one protocol per accepted connection (called on the loop thread)
     * @param path the socket file to create
     * @param options backlog, start-serving, cleanup
     * @return a future of the server; failed with the bind error
     * @throws IllegalArgumentException if {@code path} is empty, or {@code options} ask for
     *     {@link ServerOptions#reusePort()}, which has no meaning for a Unix-domain socket
     * @throws IllegalStateException if the loop is closed
     * @throws UnsupportedOperationException if the loop or platform has no Unix-domain sockets
     */
    default Future<Server> createUnixServer(Supplier<? extends Protocol> protocolFactory, java.nio.file.Path path,
            ServerOptions options) {
        throw unsupported("createUnixServer");
    }

    // ---------------------------------------------------------------- sendfile (asyncio sendfile, sock_sendfile)

    /**
     * Sends {@code file} from {@code offset} to its end over {@code transport}; see
     * {@link #sendfile(StreamTransport, java.nio.channels.FileChannel, long, long)}.
     *
     * @param transport an open stream transport of this loop
     * @param file the file
     * @param offset where to start, at least 0
     * @return a future of the number of bytes sent
     */
    default Future<Long> sendfile(StreamTransport transport, java.nio.channels.FileChannel file, long offset) {
        return sendfile(transport, file, offset, Long.MAX_VALUE);
    }

    /**
     * Sends up to {@code count} bytes of {@code file} from {@code offset} over {@code transport} (asyncio's
     * {@code loop.sendfile}). For a socket transport of this loop: waits until the transport's write buffer
     * is empty, pauses reading, then sends with zero-copy {@link java.nio.channels.FileChannel#transferTo};
     * meanwhile {@link WriteTransport#write} throws {@link IllegalStateException}. For any other transport:
     * reads chunks (on the default executor) and writes them through {@link WriteTransport#write}, waiting
     * whenever the transport pauses the protocol. Either way the file's position is left after the last byte
     * sent. Sending stops early at the end of the file.
     *
     * @param transport an open stream transport of this loop
     * @param file the file, open for reading
     * @param offset where to start, at least 0
     * @param count the most bytes to send, at least 1 ({@code Long.MAX_VALUE}: to the end)
     * @return a future of the number of bytes sent; failed with the I/O error, or a
     *     {@link java.net.SocketException} if the connection is lost meanwhile
     * @throws IllegalArgumentException if {@code offset < 0} or {@code count < 1}
     * @throws IllegalStateException if the transport is closing, or the loop is closed
     * @throws UnsupportedOperationException if the loop has no sendfile
     */
    default Future<Long> sendfile(StreamTransport transport, java.nio.channels.FileChannel file, long offset,
            long count) {
        throw unsupported("sendfile");
    }

    /**
     * Sends up to {@code count} bytes of {@code file} from {@code offset} to a connected channel with zero-copy
     * {@link java.nio.channels.FileChannel#transferTo}, waiting for writability as often as needed (asyncio's
     * {@code sock_sendfile}). The file's position is left after the last byte sent, also when the future fails or
     * is cancelled; from the end of the file nothing is sent and the position stays. There is no fallback switch:
     * {@code transferTo} copies by itself where the kernel cannot send the file directly.
     *
     * @param channel a connected non-blocking channel no transport owns
     * @param file the file, open for reading
     * @param offset where to start, at least 0
     * @param count the most bytes to send, at least 1 ({@code Long.MAX_VALUE}: to the end)
     * @return a future of the number of bytes sent
     * @throws IllegalArgumentException if the channel is blocking, {@code offset < 0} or {@code count < 1}
     * @throws IllegalStateException if the loop is closed or a live transport owns the channel
     */
    default Future<Long> sockSendfile(SocketChannel channel, java.nio.channels.FileChannel file, long offset,
            long count) {
        throw unsupported("sockSendfile");
    }

    // ---------------------------------------------------------------- TLS (asyncio start_tls, ssl=)

    /**
     * Upgrades an open connection to TLS (asyncio's {@code loop.start_tls}). Pauses the transport's reading,
     * makes a TLS layer its protocol, and in the next iteration starts the handshake and resumes reading. After
     * the handshake, {@code protocol} (which gets no second {@code connectionMade}) receives the decrypted data
     * and writes through the returned transport; the old transport must not be used any more. Built only on the
     * public {@link StreamTransport} API ({@code pauseReading}, {@code setProtocol}, ...), so every loop has it.
     * Call on the loop thread.
     *
     * @param transport the open plain transport
     * @param protocol the application's protocol, which keeps serving the connection
     * @param context the TLS context (with key material on the server side)
     * @param options side, server host name (required on the client side; {@code ""} verifies none), timeouts
     * @return a future of the TLS transport, done after the handshake; failed with the
     *     {@link javax.net.ssl.SSLException} (a {@link java.net.SocketTimeoutException} when the handshake timed
     *     out), the transport then closed. Cancelling it closes the transport; so does cancelling the only task
     *     awaiting it before that task takes the TLS transport: the plain transport is closed at once, without a
     *     TLS shutdown (no {@code close_notify}, no wait for the peer's), as asyncio's {@code start_tls} closes
     *     the transport it was given when cancelled
     * @throws IllegalArgumentException if the client side has no server host name
     * @throws IllegalStateException if the transport is closing, or the context is not initialized
     * @throws NullPointerException if an argument is null
     */
    default Future<StreamTransport> startTls(StreamTransport transport, Protocol protocol,
            javax.net.ssl.SSLContext context, TlsOptions options) {
        return dev.asyncloop.spi.TlsLayer.startTls(this, transport, protocol, context, options);
    }

    /**
     * Connects to the Unix-domain stream socket at {@code path} with options (asyncio's
     * {@code create_unix_connection} with {@code ssl=}): with {@link ConnectOptions#ssl()} the connection runs
     * TLS and the future is done after the handshake; {@link ConnectOptions#serverHostname()} is then required.
     * The default implementation serves options without TLS through
     * {@link #createUnixConnection(Supplier, java.nio.file.Path)}.
     *
     * @param protocolFactory makes the protocol (called on the loop thread)
     * @param path the socket file
     * @param options TLS context, server host name, TLS timeouts
     * @param <P> the protocol type
     * @return a future done after {@link Protocol#connectionMade}; failed with the connect or handshake error
     * @throws IllegalArgumentException if {@code path} is empty, {@code options} set a local address or a Happy
     *     Eyeballs delay (no meaning for a Unix-domain socket), or set {@code ssl} without a server host name
     * @throws IllegalStateException if the loop is closed
     * @throws UnsupportedOperationException if the loop or platform has no Unix-domain sockets, or (default
     *     implementation) {@code options} ask for TLS
     */
    default <P extends Protocol> Future<Connection<P>> createUnixConnection(Supplier<P> protocolFactory,
            java.nio.file.Path path, ConnectOptions options) {
        Objects.requireNonNull(options, "options");
        if (options.localAddress().isPresent() || options.happyEyeballsDelay().isPresent()) {
            throw new IllegalArgumentException("localAddress and happyEyeballsDelay do not apply to a Unix-domain"
                    + " connection, got " + options);
        }
        if (options.ssl().isPresent()) {
            options.tlsOptions(null);
            throw unsupported("createUnixConnection with TLS");
        }
        return createUnixConnection(protocolFactory, path);
    }

    /**
     * Wraps a connection accepted elsewhere and serves it over TLS, as its server side (asyncio's
     * {@code connect_accepted_socket} with {@code ssl}, {@code ssl_handshake_timeout} and
     * {@code ssl_shutdown_timeout}). The loop takes the channel over as
     * {@link #connectAcceptedSocket(Supplier, SocketChannel)} does, with a TLS layer as the raw transport's
     * protocol: the handshake starts at once, bounded by {@link TlsOptions#handshakeTimeout()}; after it the
     * protocol gets {@link Protocol#connectionMade} with the TLS transport, then the future is done. A failed or
     * timed-out handshake fails the future and closes the channel; the protocol then hears nothing. Works for
     * TCP and Unix-domain channels. Call on the loop thread.
     *
     * <p>The default implementation ({@code dev.asyncloop.spi.TlsLayer.connectAcceptedSocket}) is built on the
     * plain {@link #connectAcceptedSocket(Supplier, SocketChannel)}, so every loop that has that has this.
     *
     * @param protocolFactory makes the protocol (called on the loop thread)
     * @param channel an open, connected channel, blocking or not; it is switched to non-blocking mode
     * @param context the server's TLS context, initialized with its key material
     * @param options server-side options ({@link TlsOptions#server()}, or a builder with
     *     {@code serverSide(true)} and the timeouts)
     * @param <P> the protocol type
     * @return a future of the TLS transport and the protocol, done after the handshake and
     *     {@code connectionMade}; failed with the handshake's {@link javax.net.ssl.SSLException} (a
     *     {@link java.net.SocketTimeoutException} when it timed out, an {@link IllegalStateException} when the
     *     context is not initialized), the channel then closed. Cancelling it aborts the connection and closes the
     *     channel.
     * @throws NullPointerException if an argument is null, naming it
     * @throws IllegalArgumentException if {@code options} are client-side, or {@code channel} is closed or not
     *     connected (the channel is left as it was)
     * @throws IllegalStateException if the loop is closed or a live transport already owns the channel
     * @throws UnsupportedOperationException if the loop has no TCP
     */
    default <P extends Protocol> Future<Connection<P>> connectAcceptedSocket(Supplier<P> protocolFactory,
            SocketChannel channel, javax.net.ssl.SSLContext context, TlsOptions options) {
        return dev.asyncloop.spi.TlsLayer.connectAcceptedSocket(this, protocolFactory, channel, context, options);
    }

    private UnsupportedOperationException unsupported(String what) {
        return new UnsupportedOperationException(what + " is not supported by " + getClass().getName()
                + "; use a loop that claims the matching Capability (TCP, UDP, UNIX_SOCKETS, SENDFILE;"
                + " e.g. -Dasyncloop.loop=nio)");
    }

    // ---------------------------------------------------------------- subprocesses (asyncio subprocess_exec/shell)

    /**
     * Starts {@code command} with three pipes; see {@link #subprocessExec(Supplier, List, SubprocessOptions)}.
     *
     * @param protocolFactory makes the protocol
     * @param command the program and its arguments
     * @param <P> the protocol type
     * @return a future of the transport and protocol
     */
    default <P extends SubprocessProtocol> Future<SubprocessConnection<P>> subprocessExec(Supplier<P> protocolFactory,
            List<String> command) {
        return subprocessExec(protocolFactory, command, SubprocessOptions.defaults());
    }

    /**
     * Starts {@code command} as a child process (asyncio's {@code subprocess_exec}): {@code command.get(0)} is the
     * program, looked up on the {@code PATH} when it has no directory; no shell is involved. The streams of
     * {@code options} that are {@link java.lang.ProcessBuilder.Redirect#PIPE} get pipe transports
     * ({@link SubprocessTransport#getPipeTransport}). The protocol's {@link SubprocessProtocol#connectionMade} is
     * scheduled, never called inline; the future is done after it ran. Events follow
     * {@link SubprocessProtocol}'s order.
     *
     * <p>The default implementation works on every loop: it uses only this interface's public methods, with one
     * virtual thread per piped stream blocking on it and one in {@link Process#waitFor()} for the exit
     * ({@code dev.asyncloop.spi.SubprocessSpawner}). Closing the loop kills the children of its live subprocess
     * transports.
     *
     * @param protocolFactory makes the protocol (called at once, on the loop thread)
     * @param command the program and its arguments, at least the program
     * @param options redirections, working directory, environment
     * @param <P> the protocol type
     * @return a future of the transport and protocol; failed with the {@link java.io.IOException} of a program
     *     that cannot be started (no such file, not executable, no such working directory; asyncio's
     *     {@code FileNotFoundError}), in which case nothing is left running
     * @throws IllegalArgumentException if {@code command} is empty, its program is empty, or an element contains
     *     NUL
     * @throws NullPointerException if an argument or an element of {@code command} is null
     * @throws IllegalStateException if the loop is closed
     */
    default <P extends SubprocessProtocol> Future<SubprocessConnection<P>> subprocessExec(Supplier<P> protocolFactory,
            List<String> command, SubprocessOptions options) {
        return dev.asyncloop.spi.SubprocessSpawner.exec(this, protocolFactory, command, options);
    }

    /**
     * Runs {@code command} through the shell with three pipes; see
     * {@link #subprocessShell(Supplier, String, SubprocessOptions)}.
     *
     * @param protocolFactory makes the protocol
     * @param command the command line
     * @param <P> the protocol type
     * @return a future of the transport and protocol
     */
    default <P extends SubprocessProtocol> Future<SubprocessConnection<P>> subprocessShell(Supplier<P> protocolFactory,
            String command) {
        return subprocessShell(protocolFactory, command, SubprocessOptions.defaults());
    }

    /**
     * Runs the command line {@code command} through the system shell (asyncio's {@code subprocess_shell}):
     * {@code /bin/sh -c command}, or {@code cmd.exe /c command} on Windows. Quoting is the caller's job; pass
     * untrusted input to {@link #subprocessExec} instead. Otherwise as
     * {@link #subprocessExec(Supplier, List, SubprocessOptions)}; the shell's exit status is the return code.
     *
     * @param protocolFactory makes the protocol (called at once, on the loop thread)
     * @param command the command line
     * @param options redirections, working directory, environment
     * @param <P> the protocol type
     * @return a future of the transport and protocol
     * @throws IllegalArgumentException if {@code command} contains NUL
     * @throws IllegalStateException if the loop is closed
     */
    default <P extends SubprocessProtocol> Future<SubprocessConnection<P>> subprocessShell(Supplier<P> protocolFactory,
            String command, SubprocessOptions options) {
        return dev.asyncloop.spi.SubprocessSpawner.shell(this, protocolFactory, command, options);
    }

    // ---------------------------------------------------------------- errors

    /**
     * Installs a custom exception handler.
     *
     * @param handler the handler, or null for the default one
     */
    void setExceptionHandler(@Nullable ExceptionHandler handler);

    /**
     * Returns the custom exception handler.
     *
     * @return the handler, or empty if the default one is in use
     */
    Optional<ExceptionHandler> getExceptionHandler();

    /**
     * Reports an error: to the custom handler when one is set, else to {@link #defaultExceptionHandler}.
     * Throws no exception: a failing handler is itself reported through the default handler (an {@link Error}
     * propagates, as from a callback). Any thread may call it; the handler runs on the caller's thread. The
     * custom handler runs in the context of the report's task (also a task given as its {@code future}), else of
     * its handle.
     *
     * @param context what happened
     * @throws NullPointerException if {@code context} is null
     */
    void callExceptionHandler(ExceptionContext context);

    /**
     * Logs the report at ERROR on the {@code dev.asyncloop} {@link System.Logger}: its message ("Unhandled
     * exception in event loop" when empty), its other fields, and its exception with that exception's stack. In
     * debug mode, a report without a creation stack of its own gets the one of the handle running at the time.
     *
     * @param context what happened
     */
    void defaultExceptionHandler(ExceptionContext context);

    // ---------------------------------------------------------------- debug

    /**
     * Tells whether debug mode is on. Its initial value comes from {@code -Dasyncloop.debug=true} or the
     * environment variable {@code ASYNCLOOP_DEBUG}.
     *
     * @return true in debug mode
     */
    boolean getDebug();

    /**
     * Turns debug mode on or off: slow-callback warnings, wrong-thread checks, creation stacks of handles,
     * futures and tasks.
     *
     * @param enabled the new mode
     */
    void setDebug(boolean enabled);

    /**
     * Returns the duration above which a callback is logged as slow in debug mode (default 100 ms).
     *
     * @return the threshold
     */
    Duration getSlowCallbackDuration();

    /**
     * Sets the slow-callback threshold.
     *
     * @param threshold the new threshold, not negative
     * @throws IllegalArgumentException if negative
     */
    void setSlowCallbackDuration(Duration threshold);

    // ---------------------------------------------------------------- pipes (asyncio connect_read_pipe/_write_pipe)

    /**
     * Reads {@code pipe} through a transport (asyncio's {@code connect_read_pipe}): the loop takes the channel over,
     * puts it in non-blocking mode and delivers what arrives to a protocol made by {@code protocolFactory}.
     * {@link Protocol#connectionMade} is scheduled, never called inline; then {@link Protocol#dataReceived} (or a
     * {@link BufferedProtocol}'s buffer) for each read; at end of stream {@link Protocol#eofReceived} (its answer is
     * ignored: a read pipe has nothing left to keep open) and {@link Protocol#connectionLost} with {@code null},
     * after which the channel is closed. The transport's {@link Transport#getExtraInfo extra info}
     * {@link Transport#PIPE} is the channel. Any thread may write to the other end, as a pipe allows.
     *
     * @param protocolFactory makes the protocol (called on the loop thread)
     * @param pipe the readable end: a {@link java.nio.channels.Pipe.SourceChannel}, a socket, or any other open
     *     selectable readable channel of the loop's {@link java.nio.channels.spi.SelectorProvider}
     * @param <P> the protocol type
     * @param <C> the channel type
     * @return a future done after {@code connectionMade} with the transport and protocol; failed (and the
     *     channel closed) if the factory, {@code configureBlocking} or {@code connectionMade} throws
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code pipe} is closed
     * @throws IllegalStateException if the loop is closed, or a live transport of this loop or one of its
     *     reader/writer callbacks already uses {@code pipe}
     * @throws UnsupportedOperationException if the loop has no pipes (it does not claim {@code Capability.PIPES})
     */
    default <P extends Protocol, C extends SelectableChannel & java.nio.channels.ReadableByteChannel>
            Future<PipeConnection<ReadTransport, P>> connectReadPipe(Supplier<P> protocolFactory, C pipe) {
        throw new UnsupportedOperationException("connectReadPipe: this loop (" + getClass().getName()
                + ") does not support pipes; use a loop that claims Capability.PIPES (e.g. -Dasyncloop.loop=nio)");
    }

    /**
     * Writes {@code pipe} through a transport (asyncio's {@code connect_write_pipe}): the loop takes the channel
     * over and puts it in non-blocking mode. {@link WriteTransport#write} tries the pipe at once and buffers the
     * rest, with flow control ({@link Protocol#pauseWriting}/{@link Protocol#resumeWriting} at the high/low water
     * marks); {@link WriteTransport#writeEof()} and {@link Transport#close()} both close the pipe once the buffer is
     * sent, so the reader sees end of stream; {@link WriteTransport#abort()} closes it at once. When the reader goes
     * away the protocol gets {@code connectionLost}: with {@code null} if nothing was buffered, else with an
     * {@link java.io.IOException} ("Broken pipe"). Where the loop's poller can watch a pipe's write end for that
     * (epoll) this happens at once; otherwise (a {@link java.nio.channels.Selector}) at the next write, which fails
     * with the broken pipe. {@link Transport#PIPE} is the channel.
     *
     * @param protocolFactory makes the protocol (called on the loop thread)
     * @param pipe the writable end: a {@link java.nio.channels.Pipe.SinkChannel}, a socket, or any other open
     *     selectable writable channel of the loop's {@link java.nio.channels.spi.SelectorProvider}
     * @param <P> the protocol type
     * @param <C> the channel type
     * @return a future done after {@code connectionMade} with the transport and protocol; failed (and the
     *     channel closed) if the factory, {@code configureBlocking} or {@code connectionMade} throws
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code pipe} is closed
     * @throws IllegalStateException if the loop is closed, or a live transport of this loop or one of its
     *     reader/writer callbacks already uses {@code pipe}
     * @throws UnsupportedOperationException if the loop has no pipes (it does not claim {@code Capability.PIPES})
     */
    default <P extends Protocol, C extends SelectableChannel & java.nio.channels.WritableByteChannel>
            Future<PipeConnection<WriteTransport, P>> connectWritePipe(Supplier<P> protocolFactory, C pipe) {
        throw new UnsupportedOperationException("connectWritePipe: this loop (" + getClass().getName()
                + ") does not support pipes; use a loop that claims Capability.PIPES (e.g. -Dasyncloop.loop=nio)");
    }

    // ---------------------------------------------------------------- signals (asyncio unix_events)

    /**
     * Handles {@code signal} with {@code callback}, run in a copy of the caller's current context taken now; see
     * {@link #addSignalHandler(String, Runnable, Context)}.
     *
     * @param signal the signal's name, e.g. {@code "USR1"} or {@code "SIGUSR1"}
     * @param callback what to run on the loop thread each time the signal arrives
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if the name is unknown or the signal cannot be handled from Java
     * @throws IllegalStateException if the loop is closed, or another loop handles the signal
     * @throws UnsupportedOperationException if the loop has no signal handlers, or the JVM leaves the signal to
     *     the operating system
     */
    default void addSignalHandler(String signal, Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        addSignalHandler(signal, callback, Context.copyCurrent());
    }

    /**
     * Handles {@code signal} with {@code callback} (asyncio's {@code add_signal_handler}). Each time the signal
     * arrives, the callback is scheduled on this loop as by {@link #callSoonThreadsafe(Runnable, Context)}: it runs
     * on the loop thread, in {@code context}, also when the loop was blocked waiting for I/O (rules G1.1–G1.3); a
     * callback that throws is reported through {@link #callExceptionHandler} and the handler stays (G1.7). Adding
     * a handler for a signal this loop already handles replaces the callback (G1.4).
     *
     * <p>The signal's handler is process-wide: while this loop handles a signal, no other loop may (G1.13), and
     * what was installed before (the JVM's default handling, or a {@code sun.misc.Signal} handler) is put back by
     * {@link #removeSignalHandler} or {@link #close()} (G1.5, G1.6, G1.15). Any thread may call this method; unlike
     * asyncio there is no main-thread rule (G1.14). A SIGINT handler added here takes precedence over
     * {@link Runner}'s Ctrl-C handling.
     *
     * <p>Names are the platform's, upper case, with or without the {@code SIG} prefix ({@code "TERM"},
     * {@code "SIGTERM"}; G1.8). SIGKILL and SIGSTOP cannot be caught (G1.10); SIGSEGV, SIGILL, SIGFPE, SIGQUIT,
     * SIGBUS and SIGUSR2 belong to the JVM (G1.11). With {@code -Xrs}, SIGHUP, SIGINT and SIGTERM are left to the
     * operating system.
     *
     * @param signal the signal's name, e.g. {@code "USR1"} or {@code "SIGUSR1"}
     * @param callback what to run on the loop thread each time the signal arrives
     * @param context the context the callback runs in
     * @throws NullPointerException if an argument is null, naming it (G1.9)
     * @throws IllegalArgumentException if the name is unknown (G1.9), or the signal cannot be handled from Java,
     *     with the reason (G1.10, G1.11)
     * @throws IllegalStateException if the loop is closed (G1.12), or another loop handles the signal, naming it
     *     (G1.13)
     * @throws UnsupportedOperationException if the loop has no signal handlers (this default implementation; a
     *     loop that has them claims {@code Capability.SIGNALS}), the runtime lacks {@code sun.misc.Signal}, or the
     *     JVM leaves the signal to the operating system ({@code -Xrs}, or a shutdown signal the process started
     *     with ignored, as under {@code nohup}); the message names the reason
     */
    default void addSignalHandler(String signal, Runnable callback, Context context) {
        throw new UnsupportedOperationException("addSignalHandler is not supported by " + getClass().getName()
                + "; use a loop that claims Capability.SIGNALS (e.g. -Dasyncloop.loop=nio)");
    }

    /**
     * Stops handling {@code signal} (asyncio's {@code remove_signal_handler}) and puts back what was installed
     * before this loop took it (rule G1.5). A signal that arrived before the removal may still run its callback
     * once, as in asyncio. Any thread may call this method.
     *
     * @param signal the signal's name, e.g. {@code "USR1"} or {@code "SIGUSR1"}
     * @return true if this loop handled the signal and no longer does; false if it did not handle it, also when
     *     the loop is closed (G1.5, G1.12)
     * @throws NullPointerException if {@code signal} is null
     * @throws IllegalArgumentException if the name is unknown
     * @throws UnsupportedOperationException if the loop has no signal handlers (this default implementation)
     */
    default boolean removeSignalHandler(String signal) {
        throw new UnsupportedOperationException("removeSignalHandler is not supported by " + getClass().getName()
                + "; use a loop that claims Capability.SIGNALS (e.g. -Dasyncloop.loop=nio)");
    }

    // ---------------------------------------------------------------- sock_* on UDP, shutdown_default_executor()

    /**
     * Receives one datagram of at most {@code maxBytes} bytes from the peer of a connected datagram channel
     * (asyncio's {@code sock_recv} on a UDP socket): tries at once, else when the channel becomes readable. The
     * rest of a longer datagram is discarded, as the system call does; an empty datagram is an empty array (a
     * datagram socket has no end of stream). An ICMP error the peer's host sent back (nobody listens there) fails
     * the future with {@link java.net.PortUnreachableException} (asyncio's {@code ConnectionRefusedError}).
     * Cancelling the future stops watching the channel and loses no datagram; as for
     * {@link #sockRecv(SocketChannel, int)}, a second receive that has to wait replaces the first's reader. Loop
     * thread only.
     *
     * @param channel a connected non-blocking channel no transport owns
     * @param maxBytes the most bytes to keep, at least 1
     * @return a future of the datagram's bytes
     * @throws NullPointerException if {@code channel} is null
     * @throws IllegalArgumentException if the channel is blocking or not connected (connect it, or use
     *     {@link #sockRecvFrom}), or {@code maxBytes < 1}
     * @throws IllegalStateException if the loop is closed or a live transport owns the channel
     * @throws UnsupportedOperationException if the loop has no UDP
     */
    default Future<byte[]> sockRecv(DatagramChannel channel, int maxBytes) {
        throw unsupported("sockRecv(DatagramChannel, int)");
    }

    /**
     * Receives one datagram from the peer of a connected datagram channel into {@code buffer} (asyncio's
     * {@code sock_recv_into} on a UDP socket): its bytes go to the buffer's position, which advances by their
     * number; what does not fit in the remaining space is discarded. A buffer with no space left gives 0 at once
     * and receives nothing on an open channel; a closed channel fails as {@link #sockRecv(DatagramChannel, int)}
     * does there. The loop owns the buffer until the future is done. Errors, cancellation and threads
     * as for {@link #sockRecv(DatagramChannel, int)}.
     *
     * @param channel a connected non-blocking channel no transport owns
     * @param buffer a writable buffer (heap or direct)
     * @return a future of the number of bytes received (0 for an empty datagram; never -1)
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if the channel is blocking or not connected (connect it, or use
     *     {@link #sockRecvFromInto}), or {@code buffer} is read-only
     * @throws IllegalStateException if the loop is closed or a live transport owns the channel
     * @throws UnsupportedOperationException if the loop has no UDP
     */
    default Future<Integer> sockRecvInto(DatagramChannel channel, ByteBuffer buffer) {
        throw unsupported("sockRecvInto(DatagramChannel, ByteBuffer)");
    }

    /**
     * Sends the remaining bytes of {@code data} as one datagram to the peer of a connected datagram channel
     * (asyncio's {@code sock_sendall} on a UDP socket): tries at once, else when the channel becomes writable. On
     * success the buffer's position is at its limit. An empty buffer is done at once and sends nothing (the JDK
     * never sends an empty datagram on a connected channel; use {@link #sockSendTo} on an unconnected one). The
     * loop owns the buffer until the future is done. Cancelling the future stops watching the channel; the
     * datagram was then not sent. Loop thread only.
     *
     * @param channel a connected non-blocking channel no transport owns
     * @param data the datagram
     * @return a future done when the datagram was sent; failed with the send's {@link java.io.IOException} (a
     *     {@link java.net.PortUnreachableException} for an ICMP error of an earlier datagram)
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if the channel is blocking or not connected (connect it, or use
     *     {@link #sockSendTo})
     * @throws IllegalStateException if the loop is closed or a live transport owns the channel
     * @throws UnsupportedOperationException if the loop has no UDP
     */
    default Future<@Nullable Void> sockSendAll(DatagramChannel channel, ByteBuffer data) {
        throw unsupported("sockSendAll(DatagramChannel, ByteBuffer)");
    }

    /**
     * Shuts the default executor down and waits for its threads to finish, however long that takes (asyncio's
     * {@code shutdown_default_executor()} with {@code timeout=None}): {@link #shutdownDefaultExecutor(Duration)}
     * with {@code Long.MAX_VALUE} nanoseconds (about 292 years), so a job that never ends keeps the future
     * pending. Loop thread only, as the other form.
     *
     * @return a future done when the executor has terminated; run the loop until it is done
     * @throws IllegalStateException if the loop is closed
     */
    default Future<@Nullable Void> shutdownDefaultExecutor() {
        return shutdownDefaultExecutor(Duration.ofNanos(Long.MAX_VALUE));
    }

    // ---------------------------------------------------------------- subprocess pipelines (asyncio stdin=fd, stdout=fd)

    /**
     * Starts a pipeline with pipes at both ends and for every stage's stderr; see
     * {@link #subprocessPipeline(Supplier, List, SubprocessOptions)}.
     *
     * @param protocolFactory makes one protocol per stage
     * @param commands each stage's program and arguments, in order
     * @param <P> the protocol type
     * @return a future of one transport and protocol per stage, in order
     */
    default <P extends SubprocessProtocol> Future<List<SubprocessConnection<P>>> subprocessPipeline(
            Supplier<P> protocolFactory, List<List<String>> commands) {
        return subprocessPipeline(protocolFactory, commands, SubprocessOptions.defaults());
    }

    /**
     * Starts {@code commands} as a pipeline, as a shell runs {@code a | b | c}: each stage's stdout is connected to
     * the next stage's stdin by an operating-system pipe ({@link ProcessBuilder#startPipeline}), so the bytes
     * between two stages never pass through this process (asyncio does this by passing one child's pipe
     * descriptor as the next child's {@code stdin=}). Each stage is a child process with a transport and a protocol of
     * its own, as {@link #subprocessExec(Supplier, List, SubprocessOptions)} makes: {@code options.stdin()} applies
     * to the first stage only, {@code options.stdout()} to the last only (a middle stage has no stdin or stdout pipe
     * transport), and {@code options.stderr()} or {@link SubprocessOptions#stderrToStdout()} to every stage (a
     * middle stage's merged stderr goes down the pipeline, as {@code 2>&1 |} does; a file given for stderr is
     * truncated once and appended to by every stage); the directory and environment apply to every stage. Every
     * protocol's {@link SubprocessProtocol#connectionMade} is scheduled, in stage order, never called inline; the
     * future is done after they all ran. Each stage ends on its own: a stage whose reader has exited gets SIGPIPE
     * when it writes, as in a shell.
     *
     * <p>The default implementation works on every loop ({@code dev.asyncloop.spi.SubprocessSpawner}); closing the
     * loop kills every live stage. Cancelling the future before it is done, or the only task awaiting it before that
     * task resumes, closes every stage's transport (which kills the stages still running).
     *
     * @param protocolFactory makes one protocol per stage (called at once, on the loop thread, in stage order)
     * @param commands each stage's program and arguments, in order; one command is a pipeline of one stage
     * @param options the first stage's stdin, the last stage's stdout, every stage's stderr, the directory and
     *     environment
     * @param <P> the protocol type
     * @return a future of one transport and protocol per stage, in stage order; failed with an
     *     {@link java.io.IOException} when a stage cannot be started (its message names the stage's index and
     *     command; the cause is the system's error), in which case the stages started before it were killed and
     *     reaped and no protocol got a callback (when the failing stage is not the first, the JDK's
     *     {@code startPipeline} leaves this process's read end of the pipe that was to feed it open: one file
     *     descriptor per such failure)
     * @throws IllegalArgumentException if {@code commands} or one of them is empty, a program is empty, or an
     *     element contains NUL; the message names the element ({@code commands[1][0]})
     * @throws NullPointerException if an argument, a command or an element of one is null
     * @throws IllegalStateException if the loop is closed
     */
    default <P extends SubprocessProtocol> Future<List<SubprocessConnection<P>>> subprocessPipeline(
            Supplier<P> protocolFactory, List<List<String>> commands, SubprocessOptions options) {
        return dev.asyncloop.spi.SubprocessSpawner.pipeline(this, protocolFactory, commands, options);
    }
}
