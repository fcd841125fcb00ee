package dev.asyncloop.spi;

import dev.asyncloop.Context;
import dev.asyncloop.Coroutine;
import dev.asyncloop.EventLoop;
import dev.asyncloop.ExceptionContext;
import dev.asyncloop.ExceptionHandler;
import dev.asyncloop.Future;
import dev.asyncloop.Handle;
import dev.asyncloop.Task;
import dev.asyncloop.TaskFactory;
import dev.asyncloop.TimerHandle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.atomic.MpscUnboundedAtomicArrayQueue;
import org.jspecify.annotations.Nullable;

/**
 * asyncio's {@code BaseEventLoop}: all of {@link EventLoop} on top of two hooks, {@link #poll(long)} and
 * {@link #wakeup()}.
 *
 * <p>Implementation overview.
 * <ul>
 *   <li><b>State.</b> {@code ready} is a multi-producer single-consumer queue of handles: the loop thread and
 *       {@code callSoonThreadsafe} callers append, only the loop thread removes, so no lock is taken on the
 *       loop thread's path. {@code timers} is a heap of {@link ScheduledTimer}s ordered by deadline then
 *       sequence, touched by the loop thread only.</li>
 *   <li><b>One iteration</b> ({@link #runOnce()}) is asyncio's {@code _run_once}: purge cancelled timers (rebuild
 *       the heap when it holds more than 100 timers and more than half are cancelled, else pop cancelled heads);
 *       compute the poll timeout (0 when handles are ready or the loop is stopping, else until the next timer,
 *       capped at 24 h, else unbounded); poll; move timers due by now into {@code ready}; run exactly the number
 *       of handles that were ready at that point, so callbacks scheduled meanwhile wait for the next
 *       iteration.</li>
 *   <li><b>Wake-up protocol.</b> {@code awake} is true except while the loop is about to block in
 *       {@code poll}. The loop clears it, re-checks {@code ready} and {@code stopping}, and polls; a cross-thread
 *       caller appends (or sets {@code stopping}), then calls {@link #wakeup()} only if it flips {@code awake}
 *       from false to true. So there is at most one wake-up per sleep, and none is lost: either the loop's
 *       re-check sees the handle or the stop, or the caller sees {@code awake == false} (sequentially consistent
 *       volatiles).</li>
 *   <li><b>Errors.</b> An {@link Exception} from a callback goes to {@link #callExceptionHandler}; an
 *       {@link Error} propagates out of {@code runForever}, leaving the rest of the iteration's handles queued.</li>
 * </ul>
 *
 * <p><b>Hooks.</b> A subclass implements {@link #poll(long)} (wait for I/O, then hand ready callbacks over with
 * {@link #addReady(Handle)}) and {@link #wakeup()}, and may override these, each documented as a hook:
 * <ul>
 *   <li>{@link #closeResources()}: release the poller and the like, once, from {@link #close()};</li>
 *   <li>{@link #createFuture()} and {@link #createTask(Coroutine, String, Context)}: a Future or Task class of the
 *       loop's own (asyncio's {@code create_future} and {@code create_task});</li>
 *   <li>{@link #defaultExceptionHandler(ExceptionContext)}: report errors elsewhere than the
 *       {@code dev.asyncloop} logger;</li>
 *   <li>the {@link EventLoop} methods this class does not implement (networking, pipes, DNS and the like, which
 *       throw {@link UnsupportedOperationException} by default), and {@link #toString()}.</li>
 * </ul>
 * Every other method is final: the lifecycle, scheduling, executors, the exception handler's plumbing and debug
 * mode hold the loop's invariants together. {@code docs/writing-a-loop.md} shows a complete loop.
 */
public abstract class BaseEventLoop implements EventLoop {
    private static final System.Logger LOG = System.getLogger("dev.asyncloop");
    private static final long ORIGIN = System.nanoTime();
    private static final int MIN_SCHEDULED_TIMER_HANDLES = 100;
    private static final long MAX_POLL_NANOS = TimeUnit.HOURS.toNanos(24);
    private static final long MAX_DELAY_NANOS = TimeUnit.DAYS.toNanos(365L * 100);
    private static final AtomicInteger EXECUTOR_THREADS = new AtomicInteger();

    private final MpscUnboundedAtomicArrayQueue<ReadyHandle> ready = new MpscUnboundedAtomicArrayQueue<>(1024);
    private final TimerHeap timers = new TimerHeap();
    /* moveDueTimers' batch and the supplier that hands it to the queue's fill, which advances dueTaken. */
    private final @Nullable ReadyHandle[] dueBatch = new ReadyHandle[256];
    private int dueTaken;
    @SuppressWarnings("NullAway") // fill takes only the slots moveDueTimers filled; each is cleared once taken
    private final MessagePassingQueue.Supplier<ReadyHandle> nextDue = () -> {
        ReadyHandle h = dueBatch[dueTaken];
        dueBatch[dueTaken++] = null;
        return h;
    };
    private final AtomicBoolean awake = new AtomicBoolean(true);
    private long timerSequence;
    private int cancelledTimers;
    private volatile boolean stopping;
    private volatile boolean closed;
    private volatile @Nullable Thread thread;
    /** Loop thread only: the thread was interrupted while the loop ran; set its status again on return. */
    private boolean interruptDeferred;
    private boolean interruptLogged;
    private boolean debug = defaultDebug();
    private long slowCallbackNanos = TimeUnit.MILLISECONDS.toNanos(100);
    private @Nullable ReadyHandle currentHandle;
    private @Nullable ExceptionHandler exceptionHandler;
    private @Nullable TaskFactory taskFactory;
    /** The registry's per-loop fast path; see {@link TaskRegistry}. */
    final LoopTasks tasks = new LoopTasks();
    /** The buffers this loop's TLS connections borrow; see {@link TlsBuffers}. */
    final TlsBuffers tlsBuffers = new TlsBuffers();
    private @Nullable ExecutorService defaultExecutor;
    private boolean executorShutdownCalled;

    /** Creates a loop; subclasses open their poller in their own constructor. */
    protected BaseEventLoop() {
    }

    // ------------------------------------------------------------------ hooks

    /**
     * Waits for I/O readiness and hands the callbacks of ready channels to the loop with {@link #addReady}.
     * Called on the loop thread only, once per iteration.
     *
     * <p>An interrupt of the loop thread during the wait may end it early, as a wake-up (leave the interrupt status
     * set and return normally; do not throw): the loop clears the status before each blocking poll and sets it
     * again when {@link #runForever()} returns.
     *
     * @param timeoutNanos -1 to wait until an event or {@link #wakeup()}; 0 not to block; otherwise the longest
     *     wait in nanoseconds (a poller with millisecond resolution must round up, never down)
     * @throws IOException if the poller fails; the loop then stops with an {@link UncheckedIOException}
     */
    protected abstract void poll(long timeoutNanos) throws IOException;

    /**
     * Makes a blocked (or the next) {@link #poll} return early. Called from any thread, possibly concurrently;
     * must not throw when the loop is closing or closed.
     */
    protected abstract void wakeup();

    /**
     * Releases the poller and other resources; called once by {@link #close()}, on the closing thread, last: the
     * loop is already marked closed, so an exception thrown here propagates out of {@code close()} and a second
     * {@code close()} does not call this again.
     */
    protected void closeResources() {
    }

    /**
     * Appends a handle made with {@link #newHandle} to the ready queue, for {@link #poll} implementations.
     * Cancelled handles are skipped when their turn comes. Loop thread only.
     *
     * @param handle the handle
     * @throws IllegalArgumentException if the handle was not made by this class
     */
    protected final void addReady(Handle handle) {
        if (!(handle instanceof ReadyHandle h)) {
            throw new IllegalArgumentException("addReady takes handles made by newHandle, got " + handle);
        }
        ready.offer(h);
    }

    /** The loop thread was interrupted: keep running, set the status again when runForever returns (L4.9). */
    private void deferInterrupt() {
        interruptDeferred = true;
        if (!interruptLogged) {
            interruptLogged = true;
            LOG.log(Level.WARNING, "The thread " + Thread.currentThread().getName() + " of " + this + " was"
                    + " interrupted while the loop ran; the loop goes on and sets the interrupt status again when"
                    + " runForever returns. Stop a loop with stop() (callSoonThreadsafe(loop::stop) from another"
                    + " thread), not with an interrupt.");
        }
    }

    /**
     * Makes a handle that {@link #addReady} can queue, without scheduling it: for reader and writer callbacks
     * that are queued on every readiness event.
     *
     * @param callback the callback
     * @param context the context it runs in
     * @return the handle
     */
    protected final Handle newHandle(Runnable callback, Context context) {
        return new ReadyHandle(Objects.requireNonNull(callback, "callback"), Objects.requireNonNull(context, "context"),
                debug ? Debug.creationStack() : List.of());
    }

    // ------------------------------------------------------------------ lifecycle

    @Override
    public final void runForever() {
        checkClosed();
        checkNotRunning();
        RunningLoops.enter(this);
        thread = Thread.currentThread();
        try {
            while (true) {
                runOnce();
                if (stopping) {
                    break;
                }
            }
        } finally {
            stopping = false;
            thread = null;
            RunningLoops.exit(this);
            if (interruptDeferred) {
                interruptDeferred = false;
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public final <T extends @Nullable Object> T runUntilComplete(dev.asyncloop.AsyncCallable<T> main) {
        Objects.requireNonNull(main, "main");
        checkClosed();
        checkNotRunning();
        Task<T> task = createTask(Coroutine.of(main), null, null);
        if (task instanceof BaseTask<T> bt) {
            bt.setLogDestroyPending(false);
        }
        return runUntilComplete(task);
    }

    @Override
    public final <T extends @Nullable Object> T runUntilComplete(Future<T> future) {
        Objects.requireNonNull(future, "future");
        checkClosed();
        checkNotRunning();
        if (future.getLoop() != this) {
            throw new IllegalArgumentException("runUntilComplete: the future belongs to " + future.getLoop()
                    + ", not to this loop " + this + "; run it on its own loop");
        }
        // The callback may already be queued when runForever ends by an Error (asyncio's bpo-22429): once this
        // call has returned it must not stop a later run.
        AtomicBoolean waiting = new AtomicBoolean(true);
        java.util.function.Consumer<Future<T>> stopWhenDone = f -> {
            if (waiting.get()) {
                stop();
            }
        };
        future.addDoneCallback(stopWhenDone);
        try {
            runForever();
        } catch (Throwable t) {
            // asyncio's stop callback reads the exception of a done future when it runs; ours does nothing once
            // this call has returned, so the exception is read here (no "never retrieved" report of it).
            if (future.isDone() && !future.isCancelled()) {
                future.exception();
            }
            throw t;
        } finally {
            waiting.set(false);
            future.removeDoneCallback(stopWhenDone);
        }
        if (!future.isDone()) {
            throw new IllegalStateException("Event loop stopped before Future completed.");
        }
        return future.result();
    }

    @Override
    public final void stop() {
        stopping = true;
        if (!onLoopThreadOrIdle()) {
            wakeUpFromOtherThread();
        }
    }

    @Override
    public final boolean isRunning() {
        return thread != null;
    }

    @Override
    public final boolean isClosed() {
        return closed;
    }

    @Override
    public final void close() {
        if (thread != null) {
            throw new IllegalStateException("Cannot close a running event loop");
        }
        if (closed) {
            return;
        }
        if (debug) {
            LOG.log(Level.DEBUG, "Close {0}", this);
        }
        closed = true;
        if (SignalSupport.unavailabilityCause().isEmpty()) {
            SignalHandlers.removeAll(this);
        }
        dropReadyDeliveringReports();
        timers.clear();
        cancelledTimers = 0;
        executorShutdownCalled = true;
        ExecutorService executor = defaultExecutor;
        defaultExecutor = null;
        if (executor != null) {
            executor.shutdown();
        }
        TaskRegistry.forgetLoop(this);
        tasks.clear();
        SubprocessSpawner.closeAll(this);
        closeResources();
    }

    /**
     * Empties the ready queue for {@link #close()}. Callbacks are dropped, as asyncio's close drops them, except the
     * reports queued from other threads ("exception was never retrieved", "Task was destroyed but it is pending!"):
     * asyncio makes those at once, on the thread that finds them, so the closing loop delivers them here. A report
     * whose caller cancels it first (it found the loop closed) is delivered by that caller instead.
     */
    private void dropReadyDeliveringReports() {
        for (ReadyHandle h; (h = ready.poll()) != null; ) {
            if (h instanceof ThreadsafeHandle t && t.isReport()) {
                t.run(); // callExceptionHandler catches what a handler throws
            }
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Here: through {@code sun.misc.Signal}, whose handler thread hands the callback over with
     * {@link #callSoonThreadsafe(Runnable, Context)}; {@link #close()} removes the handlers.
     */
    @Override
    public final void addSignalHandler(String signal, Runnable callback, Context context) {
        Objects.requireNonNull(signal, "signal");
        Objects.requireNonNull(callback, "callback");
        Objects.requireNonNull(context, "context");
        SignalSupport.check();
        SignalHandlers.add(this, signal, callback, context);
    }

    /**
     * {@inheritDoc}
     *
     * @throws UnsupportedOperationException if the runtime lacks {@code sun.misc.Signal}
     */
    @Override
    public final boolean removeSignalHandler(String signal) {
        Objects.requireNonNull(signal, "signal");
        SignalSupport.check();
        return SignalHandlers.remove(this, signal);
    }

    @Override
    public final Future<@Nullable Void> shutdownDefaultExecutor(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        checkClosed();
        executorShutdownCalled = true;
        Future<@Nullable Void> done = createFuture();
        ExecutorService executor = defaultExecutor;
        if (executor == null) {
            done.setResult(null);
            return done;
        }
        Thread joiner = new Thread(() -> {
            executor.shutdown();
            try {
                if (!awaitTermination(executor, timeout)) {
                    LOG.log(Level.WARNING, "The default executor did not finish joining its threads within {0}",
                            timeout);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            deliver(() -> {
                if (!done.isDone()) {
                    done.setResult(null);
                }
            });
        }, "asyncloop-executor-shutdown");
        joiner.setDaemon(true);
        joiner.start();
        return done;
    }

    /**
     * Waits for {@code executor} to terminate, for {@code timeout} at most, in waits of a day at most, so the JDK's
     * timed wait never gets a timeout near {@code Long.MAX_VALUE} nanoseconds (the unlimited
     * {@link #shutdownDefaultExecutor()}), which it adds to {@link System#nanoTime()}; a timeout too long for
     * {@link Duration#toNanos()} counts as unlimited instead of throwing.
     */
    static boolean awaitTermination(ExecutorService executor, Duration timeout) throws InterruptedException {
        long start = System.nanoTime();
        long total = Math.max(0, saturatedNanos(timeout));
        while (true) {
            long left = total - (System.nanoTime() - start);
            if (left <= 0) {
                return executor.isTerminated();
            }
            if (executor.awaitTermination(Math.min(left, TimeUnit.DAYS.toNanos(1)), TimeUnit.NANOSECONDS)) {
                return true;
            }
        }
    }

    /** {@code d} in nanoseconds, {@code Long.MAX_VALUE} or {@code Long.MIN_VALUE} when it is too long for that. */
    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException tooLong) {
            return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    // ------------------------------------------------------------------ scheduling

    @Override
    public final Handle callSoon(Runnable callback) {
        return callSoon(callback, Context.copyCurrent());
    }

    @Override
    public final Handle callSoon(Runnable callback, Context context) {
        Objects.requireNonNull(callback, "callback");
        Objects.requireNonNull(context, "context");
        checkClosed();
        if (debug) {
            checkThread();
        }
        ReadyHandle h = new ReadyHandle(callback, context, debug ? Debug.creationStack() : List.of());
        ready.offer(h);
        return h;
    }

    /**
     * Queues a handle its owner reuses, such as a task's step: {@link #callSoon(Runnable, Context)} without the
     * handle allocation. Not in debug mode, where every call records its own creation stack. Loop thread only;
     * the owner queues the handle at most once at a time and never cancels it.
     */
    final void callSoonReused(ReadyHandle handle) {
        checkClosed();
        ready.offer(handle);
    }

    @Override
    public final TimerHandle callLater(Duration delay, Runnable callback) {
        return callLater(delay, callback, Context.copyCurrent());
    }

    @Override
    public final TimerHandle callLater(Duration delay, Runnable callback, Context context) {
        Objects.requireNonNull(delay, "delay");
        long nanos = Math.clamp(saturatedNanos(delay), -MAX_DELAY_NANOS, MAX_DELAY_NANOS);
        // A negative delay is kept (asyncio: when = time() + delay), so past-due timers still run in deadline order.
        return schedule(System.nanoTime() + nanos, callback, context);
    }

    @Override
    public final TimerHandle callAt(double when, Runnable callback) {
        return callAt(when, callback, Context.copyCurrent());
    }

    @Override
    public final TimerHandle callAt(double when, Runnable callback, Context context) {
        if (Double.isNaN(when)) {
            throw new IllegalArgumentException("callAt: when is NaN; pass a time on the loop.time() clock");
        }
        // Clamped to now ± MAX_DELAY_NANOS both ways, so deadlines compared by subtraction never overflow.
        long now = System.nanoTime() - ORIGIN;
        double offset = Math.clamp(when * 1e9, (double) (now - MAX_DELAY_NANOS), (double) (now + MAX_DELAY_NANOS));
        return schedule(ORIGIN + (long) Math.floor(offset), callback, context);
    }

    private TimerHandle schedule(long whenNanos, Runnable callback, Context context) {
        Objects.requireNonNull(callback, "callback");
        Objects.requireNonNull(context, "context");
        checkClosed();
        if (debug) {
            checkThread();
        }
        ScheduledTimer timer = new ScheduledTimer(this, whenNanos, callback, context,
                debug ? Debug.creationStack() : List.of());
        timers.add(timer, timerSequence++);
        timer.scheduled = true;
        return timer;
    }

    @Override
    public final double time() {
        return toSeconds(System.nanoTime());
    }

    static double toSeconds(long nanoTime) {
        return (nanoTime - ORIGIN) / 1e9;
    }

    @Override
    public final Handle callSoonThreadsafe(Runnable callback) {
        return callSoonThreadsafe(callback, Context.copyCurrent());
    }

    @Override
    public final Handle callSoonThreadsafe(Runnable callback, Context context) {
        Objects.requireNonNull(callback, "callback");
        Objects.requireNonNull(context, "context");
        checkClosed();
        ThreadsafeHandle h = new ThreadsafeHandle(callback, context, debug ? Debug.creationStack() : List.of());
        ready.offer(h);
        if (closed) {
            // close() ran on another thread meanwhile, perhaps after it emptied the queue: the closed loop must not
            // keep the callback (it never runs again), and the caller learns that it was not taken. Unless the loop
            // ran it before its close, or the close delivered it (a report): then the call was taken.
            if (h.cancelUnlessStarted()) {
                checkClosed(); // throws
            }
        }
        wakeUpFromOtherThread();
        return h;
    }

    private void wakeUpFromOtherThread() {
        if (!awake.get() && !awake.getAndSet(true)) {
            wakeup();
        }
    }

    /**
     * Counts a cancelled timer for the purge. Only the loop's own thread counts (or any thread while the loop is
     * not running): a timer cancelled elsewhere, against {@link dev.asyncloop.Handle}'s contract, still never runs,
     * and is dropped when it reaches the head of the heap instead of racing on the counter.
     */
    void timerCancelled() {
        if (onLoopThreadOrIdle()) {
            cancelledTimers++;
        }
    }

    /** How many timers the heap holds, cancelled ones included (asyncio's {@code len(_scheduled)}). */
    final int scheduledTimerCount() {
        return timers.size();
    }

    /** How many of them the loop counts as cancelled (asyncio's {@code _timer_cancelled_count}). */
    final int cancelledTimerCount() {
        return cancelledTimers;
    }

    /** Whether the caller is the loop's thread (or a task of it), or the loop is not running at all. */
    private boolean onLoopThreadOrIdle() {
        Thread t = thread;
        return t == null || t == Thread.currentThread() || RunningLoops.isCurrent(this);
    }

    // ------------------------------------------------------------------ the iteration

    /**
     * Runs one iteration of the loop, exactly as asyncio's {@code _run_once} (see the class overview). Called by
     * {@link #runForever()}; loop thread only.
     *
     * @throws java.io.UncheckedIOException if {@link #poll} fails (its {@link IOException} as the cause); the loop
     *     then stops
     */
    protected final void runOnce() {
        purgeCancelledTimers();

        long timeout;
        if (!ready.isEmpty() || stopping) {
            timeout = 0;
        } else if (!timers.isEmpty()) {
            timeout = Math.min(Math.max(timers.peekWhen() - System.nanoTime(), 0), MAX_POLL_NANOS);
        } else {
            timeout = -1;
        }
        // awake is cleared only when the loop may block; a non-blocking iteration skips both volatile writes.
        boolean mayBlock = timeout != 0;
        if (mayBlock) {
            if (Thread.interrupted()) {
                deferInterrupt(); // a Selector would return at once on every poll while the status is set
            }
            awake.set(false);
            if (!ready.isEmpty() || stopping) {
                timeout = 0;
            }
        }
        try {
            poll(timeout);
        } catch (IOException e) {
            throw new UncheckedIOException("the poller of " + this + " failed", e);
        } finally {
            if (mayBlock) {
                awake.set(true);
            }
        }

        if (!timers.isEmpty()) {
            moveDueTimers(System.nanoTime() + 1);
        }

        int ntodo = ready.size();
        for (int i = 0; i < ntodo; i++) {
            ReadyHandle handle = ready.poll();
            if (handle == null) {
                break;
            }
            if (handle.cancelledFlag()) {
                continue;
            }
            if (debug) {
                runDebug(handle);
            } else {
                runHandle(handle);
            }
        }
    }

    /**
     * Moves the timers due before {@code end} into {@code ready}, in deadline order, a batch at a time: one
     * {@code fill} claims a batch's slots with a single compare-and-set where an {@code offer} each would pay one
     * per timer (a full fence, behind the heap's stores).
     */
    @SuppressWarnings("NullAway") // poll() after !isEmpty() returns a timer
    private void moveDueTimers(long end) {
        while (!timers.isEmpty() && timers.peekWhen() - end < 0) {
            int n = 0;
            do {
                ScheduledTimer head = timers.poll();
                head.scheduled = false;
                dueBatch[n++] = head;
            } while (n < dueBatch.length && !timers.isEmpty() && timers.peekWhen() - end < 0);
            dueTaken = 0;
            while (dueTaken < n) {
                ready.fill(nextDue, n - dueTaken);
            }
        }
    }

    @SuppressWarnings("NullAway") // peek() and poll() after !isEmpty() return a timer
    private void purgeCancelledTimers() {
        int scheduled = timers.size();
        if (scheduled > MIN_SCHEDULED_TIMER_HANDLES && cancelledTimers * 2 > scheduled) {
            timers.removeCancelled();
            cancelledTimers = 0;
        } else {
            while (!timers.isEmpty() && timers.peek().isCancelled()) {
                ScheduledTimer t = timers.poll();
                t.scheduled = false;
                cancelledTimers = Math.max(cancelledTimers - 1, 0); // one cancelled elsewhere was not counted
            }
        }
    }

    private void runHandle(ReadyHandle handle) {
        try {
            handle.run();
        } catch (Exception e) {
            callExceptionHandler(ExceptionContext.builder("Exception in callback " + handle)
                    .exception(e)
                    .handle(handle)
                    .sourceTraceback(handle.sourceTraceback)
                    .build());
        }
    }

    private void runDebug(ReadyHandle handle) {
        currentHandle = handle;
        long t0 = System.nanoTime();
        try {
            runHandle(handle);
        } finally {
            currentHandle = null;
        }
        long took = System.nanoTime() - t0;
        if (took >= slowCallbackNanos) {
            LOG.log(Level.WARNING, "Executing {0} took {1} seconds", handle,
                    String.format(Locale.ROOT, "%.3f", took / 1e9));
        }
    }

    // ------------------------------------------------------------------ futures and tasks

    /**
     * {@inheritDoc}
     *
     * <p>Here: a {@link BaseFuture}. A hook, as asyncio's {@code create_future}: a loop with a Future class of its
     * own returns it here, and everything the base creates a future with (executors, {@code wrapFuture}, the
     * networking of {@link ReadinessEventLoop}) gets it. The future must follow {@link Future}'s contract.
     */
    @Override
    public <T extends @Nullable Object> Future<T> createFuture() {
        return new BaseFuture<>(this);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Here: the task factory's task when one is set, else a {@link BaseTask}. A hook, as asyncio's
     * {@code create_task}: a loop with a Task class of its own may return it here (or install a factory with
     * {@link #setTaskFactory}); an override should still defer to a task factory that is set, and its tasks must
     * follow {@code docs/writing-a-loop.md}, "Tasks of your own". Every other {@code createTask} overload of
     * {@link EventLoop} ends here, except an eager start ({@code eagerStart} true), which
     * {@link EventLoop#createTask(Coroutine, String, Context, boolean)} builds itself.
     */
    @Override
    public <T extends @Nullable Object> Task<T> createTask(Coroutine<T> coroutine, @Nullable String name,
            @Nullable Context context) {
        Objects.requireNonNull(coroutine, "coroutine");
        checkClosed();
        TaskFactory factory = taskFactory;
        if (factory != null) {
            return Objects.requireNonNull(factory.newTask(this, coroutine, name, context),
                    () -> "task factory " + factory + " returned null");
        }
        return new BaseTask<>(this, coroutine, name, context, false);
    }

    @Override
    public final void setTaskFactory(@Nullable TaskFactory factory) {
        this.taskFactory = factory;
    }

    @Override
    public final Optional<TaskFactory> getTaskFactory() {
        return Optional.ofNullable(taskFactory);
    }

    // ------------------------------------------------------------------ executors

    @Override
    public final <T extends @Nullable Object> Future<T> runInExecutor(@Nullable Executor executor, Callable<T> function) {
        Objects.requireNonNull(function, "function");
        checkClosed();
        Executor target = executor != null ? executor : defaultExecutor();
        Future<T> result = createFuture();
        FutureTask<T> work = new FutureTask<>(function) {
            @Override
            protected void done() {
                deliver(() -> {
                    if (result.isDone()) {
                        return;
                    }
                    if (isCancelled()) {
                        result.cancel();
                        return;
                    }
                    try {
                        result.setResult(get());
                    } catch (ExecutionException e) {
                        result.setException(Objects.requireNonNullElse(e.getCause(), e));
                    } catch (InterruptedException | CancellationException e) {
                        result.cancel();
                    }
                });
            }
        };
        result.addDoneCallback(f -> {
            if (f.isCancelled()) {
                work.cancel(false);
            }
        });
        target.execute(work);
        return result;
    }

    @Override
    public final void setDefaultExecutor(ExecutorService executor) {
        this.defaultExecutor = Objects.requireNonNull(executor, "executor");
    }

    @Override
    @SuppressWarnings("FutureReturnValueIgnored") // whenComplete registers the delivery; deliver catches a closed loop
    public final <T extends @Nullable Object> Future<T> wrapFuture(CompletableFuture<T> future) {
        Objects.requireNonNull(future, "future");
        Future<T> result = createFuture();
        result.addDoneCallback(f -> {
            if (f.isCancelled()) {
                future.cancel(false);
            }
        });
        future.whenComplete((value, error) -> deliver(() -> {
            if (result.isDone()) {
                return;
            }
            Throwable cause = error instanceof CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            if (cause instanceof CancellationException) {
                result.cancel();
            } else if (cause != null) {
                result.setException(cause);
            } else {
                result.setResult(value);
            }
        }));
        return result;
    }

    private ExecutorService defaultExecutor() {
        if (executorShutdownCalled) {
            throw new IllegalStateException("Executor shutdown has been called: the default executor of " + this
                    + " no longer takes work; pass an executor of your own");
        }
        if (defaultExecutor == null) {
            int threads = Math.min(32, Runtime.getRuntime().availableProcessors() + 4);
            ThreadPoolExecutor executor = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                    new LinkedBlockingQueue<>(), runnable -> {
                        Thread t = new Thread(runnable, "asyncloop-executor-" + EXECUTOR_THREADS.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
            executor.allowCoreThreadTimeOut(true);
            defaultExecutor = executor;
        }
        return defaultExecutor;
    }

    /** Runs {@code action} on the loop thread from any thread; dropped silently once the loop is closed. */
    private void deliver(Runnable action) {
        if (closed) {
            return;
        }
        try {
            callSoonThreadsafe(action);
        } catch (IllegalStateException closedMeanwhile) {
            // The loop closed between the check and the call: the result has nowhere to go.
        }
    }

    // ------------------------------------------------------------------ errors

    @Override
    public final void setExceptionHandler(@Nullable ExceptionHandler handler) {
        this.exceptionHandler = handler;
    }

    @Override
    public final Optional<ExceptionHandler> getExceptionHandler() {
        return Optional.ofNullable(exceptionHandler);
    }

    @Override
    public final void callExceptionHandler(ExceptionContext context) {
        Objects.requireNonNull(context, "context");
        ExceptionHandler handler = exceptionHandler;
        if (handler == null) {
            try {
                defaultExceptionHandler(context);
            } catch (Exception e) {
                LOG.log(Level.ERROR, "Exception in default exception handler", e);
            }
            return;
        }
        try {
            // asyncio's order: the task, else a task reported under "future", else the handle.
            Context ctx = context.task().map(Task::getContext)
                    .or(() -> context.future().filter(Task.class::isInstance).map(f -> ((Task<?>) f).getContext()))
                    .or(() -> context.handle().map(Handle::getContext))
                    .orElse(null);
            if (ctx != null && !ctx.isEntered()) {
                ctx.run(() -> handler.handle(this, context));
            } else {
                handler.handle(this, context);
            }
        } catch (Exception e) {
            try {
                defaultExceptionHandler(ExceptionContext.builder("Unhandled error in exception handler")
                        .exception(e)
                        .originalContext(context)
                        .build());
            } catch (Exception again) {
                LOG.log(Level.ERROR, "Exception in default exception handler while handling an unexpected error"
                        + " in a custom exception handler", again);
            }
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>A hook: a loop that reports elsewhere (its own logger, a metrics counter) overrides this;
     * {@link #callExceptionHandler} calls it when no custom handler is set and when the custom handler throws, and
     * logs an exception it throws at ERROR on the {@code dev.asyncloop} logger, after which the loop goes on. An
     * override runs on the thread that reported (usually the loop thread) and must not block.
     */
    @Override
    public void defaultExceptionHandler(ExceptionContext context) {
        Objects.requireNonNull(context, "context");
        ExceptionContext report = context;
        ReadyHandle running = currentHandle;
        // As asyncio: the running handle's creation stack only when the report has no creation stack of its own.
        if (running != null && !running.sourceTraceback.isEmpty() && context.handleTraceback().isEmpty()
                && context.sourceTraceback().isEmpty()) {
            report = context.toBuilder().handleTraceback(running.sourceTraceback).build();
        }
        StringBuilder text = new StringBuilder(report.message().isEmpty() ? "Unhandled exception in event loop" : "")
                .append(report);
        appendStack(text, "Object created at (most recent call first):", report.sourceTraceback());
        appendStack(text, "Handle created at (most recent call first):", report.handleTraceback());
        report.originalContext().ifPresent(o -> text.append("\noriginal report: ").append(o.message()));
        Throwable e = report.exception().orElse(null);
        if (e != null) {
            LOG.log(Level.ERROR, text.toString(), e);
        } else {
            LOG.log(Level.ERROR, text.toString());
        }
    }

    private static void appendStack(StringBuilder text, String title, List<StackTraceElement> frames) {
        if (!frames.isEmpty()) {
            text.append('\n').append(title);
            for (StackTraceElement f : frames) {
                text.append("\n\tat ").append(f);
            }
        }
    }

    // ------------------------------------------------------------------ debug

    @Override
    public final boolean getDebug() {
        return debug;
    }

    @Override
    public final void setDebug(boolean enabled) {
        this.debug = enabled;
    }

    @Override
    public final Duration getSlowCallbackDuration() {
        return Duration.ofNanos(slowCallbackNanos);
    }

    @Override
    public final void setSlowCallbackDuration(Duration threshold) {
        Objects.requireNonNull(threshold, "threshold");
        if (threshold.isNegative()) {
            throw new IllegalArgumentException("slow callback duration must not be negative, got " + threshold);
        }
        this.slowCallbackNanos = threshold.toNanos();
    }

    // ------------------------------------------------------------------ checks

    /**
     * Throws if the loop is closed.
     *
     * @throws IllegalStateException "Event loop is closed"
     */
    protected final void checkClosed() {
        if (closed) {
            throw new IllegalStateException("Event loop is closed");
        }
    }

    /**
     * asyncio's {@code _check_running}: refuses to start while this loop, or another loop on this thread, runs.
     * Called before anything is scheduled, so a refused run leaves nothing behind.
     */
    private void checkNotRunning() {
        if (thread != null) {
            throw new IllegalStateException("This event loop is already running");
        }
        RunningLoops.checkNoneRunning();
    }

    private void checkThread() {
        Thread t = thread;
        if (t != null && !RunningLoops.isCurrent(this)) {
            throw new IllegalStateException("Non-thread-safe operation invoked on an event loop other than the"
                    + " current one: " + this + " runs on thread " + t.getName() + ", called from "
                    + Thread.currentThread().getName() + "; use callSoonThreadsafe");
        }
    }

    private static boolean defaultDebug() {
        String env = System.getenv("ASYNCLOOP_DEBUG");
        return Boolean.getBoolean("asyncloop.debug") || (env != null && !env.isEmpty() && !env.equals("0"));
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + (closed ? "closed" : isRunning() ? "running" : "idle")
                + ", debug=" + debug + "]";
    }
}
