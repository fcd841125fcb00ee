package dev.asyncloop.spi;

import dev.asyncloop.CancelledError;
import dev.asyncloop.Context;
import dev.asyncloop.EventLoop;
import dev.asyncloop.ExceptionContext;
import dev.asyncloop.Future;
import dev.asyncloop.InvalidStateError;
import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * asyncio's {@code Future}, reusable by any loop: the "private constructor" {@link #BaseFuture(EventLoop)}.
 *
 * <p>Implementation overview. {@code state} moves once from PENDING to CANCELLED or FINISHED. Done-callbacks
 * are kept as (callback, context) pairs, the first in two fields and the rest in a list, since most futures
 * have one; on completion the list is snapshotted and cleared and each pair is scheduled with
 * {@link EventLoop#callSoon(Runnable, Context)}. A failed future registers a {@link Cleaner} action holding
 * only what the report needs (never the future), disarmed by {@code result()}, {@code exception()} and
 * {@code cancel()}; if the future becomes unreachable while armed, the action reports "exception was never
 * retrieved" through the loop's exception handler, on the loop thread when the loop is still open.
 *
 * <p>Threading: as {@link Future}, loop thread only.
 *
 * <p>Extension: {@link #kind()} names a subclass in reports; {@link BaseTask} and the future of
 * {@code Tasks.gather} override {@link #cancel(String)} so that a cancellation is only requested and the future
 * is done later, through the methods of this class. The other methods that are not final may be overridden too;
 * an override that does not call the super method takes over that method's part of the {@link Future} contract
 * (the state, the done-callbacks scheduled with {@code callSoon}, the "exception was never retrieved" report).
 *
 * @param <T> the result type
 */
public class BaseFuture<T extends @Nullable Object> implements Future<T> {
    static final Cleaner CLEANER = Cleaner.create(runnable -> {
        Thread t = new Thread(runnable, "asyncloop-cleaner");
        t.setDaemon(true);
        return t;
    });

    /** The loop this future belongs to. */
    protected final EventLoop loop;
    private State state = State.PENDING;
    private @Nullable T result;
    private @Nullable Throwable exception;
    /**
     * The message of the cancellation requested, for the {@link CancelledError} that {@link #makeCancelledError()}
     * builds on demand: {@link #cancel(String)} sets it, and so does a subclass whose {@code cancel} only requests
     * the cancellation ({@link BaseTask}), before the future is cancelled later.
     */
    protected @Nullable String cancelMessage;
    private @Nullable CancelledError savedCancellation;
    private @Nullable Consumer<? super Future<T>> callback0;
    private @Nullable Context context0;
    private @Nullable List<Object> moreCallbacks;
    private @Nullable UnretrievedReport unretrieved;
    private final List<StackTraceElement> sourceTraceback;
    /** Null unless the result is a resource someone must close when nobody takes it. */
    private @Nullable Undelivered<T> undelivered;
    /**
     * The waiters recorded with {@link #addAwaitedBy}: null, the one waiter (the usual case, which allocates
     * nothing), or a {@link Waiters} list of several.
     */
    private @Nullable Object awaitedBy;

    /**
     * Creates a pending future bound to {@code loop}, recording where it was created when the loop is in debug
     * mode. On the loop thread, or on any thread while the loop is not running, as every {@link Future} method.
     *
     * @param loop the loop, not null
     * @throws NullPointerException if {@code loop} is null
     */
    public BaseFuture(EventLoop loop) {
        this.loop = Objects.requireNonNull(loop, "loop");
        this.sourceTraceback = loop.getDebug() ? Debug.creationStack() : List.of();
    }

    @Override
    public final EventLoop getLoop() {
        return loop;
    }

    @Override
    public final State state() {
        return state;
    }

    @Override
    public final boolean isDone() {
        return state != State.PENDING;
    }

    @Override
    public final boolean isCancelled() {
        return state == State.CANCELLED;
    }

    @Override
    public T result() {
        switch (state) {
            case CANCELLED -> throw makeCancelledError();
            case PENDING -> throw new InvalidStateError("Result is not ready.");
            default -> { }
        }
        disarmReport();
        Undelivered<T> u = undelivered;
        if (u != null) {
            u.taken = true;
        }
        Throwable e = exception;
        if (e != null) {
            if (e instanceof RuntimeException re) {
                throw re;
            }
            if (e instanceof Error err) {
                throw err;
            }
            throw new CompletionException(e);
        }
        return storedResult();
    }

    @SuppressWarnings("NullAway") // finished without an exception: result holds the T that setResult stored
    private T storedResult() {
        return result;
    }

    @Override
    public Optional<Throwable> exception() {
        switch (state) {
            case CANCELLED -> throw makeCancelledError();
            case PENDING -> throw new InvalidStateError("Exception is not set.");
            default -> { }
        }
        disarmReport();
        return Optional.ofNullable(exception);
    }

    @Override
    public void setResult(T value) {
        if (state != State.PENDING) {
            throw new InvalidStateError("invalid state: " + this + " is already done; cannot set a result");
        }
        result = value;
        state = State.FINISHED;
        scheduleCallbacks();
    }

    @Override
    public void setException(Throwable exception) {
        Objects.requireNonNull(exception, "exception");
        if (state != State.PENDING) {
            throw new InvalidStateError("invalid state: " + this + " is already done; cannot set an exception");
        }
        this.exception = exception;
        state = State.FINISHED;
        scheduleCallbacks();
        unretrieved = new UnretrievedReport(loop, kind(), exception, toString(), sourceTraceback);
        CLEANER.register(this, unretrieved);
    }

    @Override
    public boolean cancel(@Nullable String message) {
        disarmReport();
        if (state != State.PENDING) {
            return false;
        }
        state = State.CANCELLED;
        cancelMessage = message;
        scheduleCallbacks();
        return true;
    }

    @Override
    public void addDoneCallback(Consumer<? super Future<T>> callback) {
        addDoneCallback(callback, Context.copyCurrent());
    }

    @Override
    public void addDoneCallback(Consumer<? super Future<T>> callback, Context context) {
        Objects.requireNonNull(callback, "callback");
        Objects.requireNonNull(context, "context");
        Undelivered<T> u = undelivered;
        if (u != null) {
            u.consumers++;
        }
        if (state != State.PENDING) {
            loop.callSoon(new DoneCallback<>(callback, this), context);
        } else if (callback0 == null && moreCallbacks == null) {
            callback0 = callback;
            context0 = context;
        } else {
            if (moreCallbacks == null) {
                moreCallbacks = new ArrayList<>(4);
            }
            moreCallbacks.add(callback);
            moreCallbacks.add(context);
        }
    }

    @Override
    public int removeDoneCallback(Consumer<? super Future<T>> callback) {
        Objects.requireNonNull(callback, "callback");
        int removed = 0;
        if (callback0 != null && callback0.equals(callback)) {
            callback0 = null;
            context0 = null;
            removed++;
        }
        if (moreCallbacks != null) {
            List<Object> kept = new ArrayList<>(moreCallbacks.size());
            for (int i = 0; i < moreCallbacks.size(); i += 2) {
                if (moreCallbacks.get(i).equals(callback)) {
                    removed++;
                } else {
                    kept.add(moreCallbacks.get(i));
                    kept.add(moreCallbacks.get(i + 1));
                }
            }
            moreCallbacks = kept.isEmpty() ? null : kept;
        }
        return removed;
    }

    @Override
    public List<StackTraceElement> sourceTraceback() {
        return sourceTraceback;
    }

    /**
     * Gives this future's result an owner for the case where nobody takes it. A future whose result is a
     * resource (a connection, a server, a child process) sets one before it is handed out: {@code handler}
     * closes the resource. It runs when {@link #resultUndelivered()} finds that the only task to wait on this
     * future since the handler was set (the producer's own done-callbacks, added before, do not count) was
     * cancelled after the future succeeded but before the task resumed, so that the
     * task's coroutine gets a {@link CancelledError} instead of the result (asyncio's rule for a task cancelled
     * while its wake-up is pending). asyncio's own {@code create_connection}, {@code open_connection} and the
     * like close their result in that case because they are coroutines running inside the awaiting task; here
     * they are futures, and this handler does their closing.
     *
     * <p>Loop thread only.
     *
     * @param handler closes the result; runs at most once, on the loop thread
     * @throws NullPointerException if {@code handler} is null
     * @throws IllegalStateException if a handler is already set
     */
    public final void setUndeliveredHandler(Consumer<? super T> handler) {
        Objects.requireNonNull(handler, "handler");
        if (undelivered != null) {
            throw new IllegalStateException("an undelivered-result handler is already set on " + this);
        }
        undelivered = new Undelivered<>(handler);
    }

    /**
     * Sets {@code handler} as {@code future}'s undelivered-result handler if it is a {@code BaseFuture} (see
     * {@link #setUndeliveredHandler}); a future of another kind is returned unchanged. For code that makes
     * resource futures from whatever {@link EventLoop#createTask} or {@link EventLoop#createFuture} returns.
     *
     * @param future a future nobody else has seen yet
     * @param handler closes its result
     * @param <T> the result type
     * @param <F> the future's type
     * @return {@code future}
     * @throws IllegalStateException as {@link #setUndeliveredHandler}
     */
    public static <T extends @Nullable Object, F extends Future<T>> F closeIfUndelivered(F future,
            Consumer<? super T> handler) {
        Objects.requireNonNull(future, "future");
        if (future instanceof BaseFuture<T> b) {
            b.setUndeliveredHandler(handler);
        } else {
            Objects.requireNonNull(handler, "handler");
        }
        return future;
    }

    /**
     * Tells this future that the task woken by its success will not deliver the result to its coroutine,
     * because the task was cancelled before it resumed. A {@link dev.asyncloop.Task} implementation calls this
     * from its done-callback instead of reading the result in that case ({@link BaseTask} does). If this future
     * has an undelivered-result handler ({@link #setUndeliveredHandler}), succeeded, got no other done-callback
     * since the handler was set and its result was never read, the handler gets the result (once; a handler that throws is reported
     * through the loop's exception handler, with this future). Otherwise nothing happens and the result stays
     * readable.
     *
     * <p>Loop thread only.
     *
     * @return true if the handler took the result
     */
    public final boolean resultUndelivered() {
        Undelivered<T> u = undelivered;
        if (u == null || state != State.FINISHED || exception != null || u.taken || u.consumers > 1) {
            return false;
        }
        u.taken = true;
        try {
            u.handler.accept(result);
        } catch (Throwable e) {
            loop.callExceptionHandler(ExceptionContext.builder("Closing an undelivered result failed")
                    .exception(e)
                    .future(this)
                    .build());
        }
        return true;
    }

    /** The owner of a result nobody may take, and what it needs to decide (loop thread only). */
    private static final class Undelivered<T> {
        final Consumer<? super T> handler;
        int consumers;
        boolean taken;

        Undelivered(Consumer<? super T> handler) {
            this.handler = handler;
        }
    }

    /**
     * Records that {@code waiter} waits for {@code future} (asyncio 3.14's {@code future_add_to_awaited_by}), for
     * {@link dev.asyncloop.CallGraph}. A task that awaits a future needs no record: the call graph finds it at
     * capture time from the future that a {@link BaseTask} is suspended on. This is for the waits a task cannot
     * see, where a future stands between the waiter and what it waits for: {@code Tasks.gather} records each
     * child as awaited by the task that called it, {@code Tasks.shield} the shielded future, {@code Tasks.wait}
     * each future it waits for, {@code TaskGroup} each task of the group as awaited by the group's parent task;
     * each discards its records when its wait is over, even for a future that goes on (asyncio 3.15). A library
     * that waits through done-callbacks of its own records its edges here and discards them with
     * {@link #discardFromAwaitedBy} when the wait is over; a {@link dev.asyncloop.Task} class of your own that does not extend {@code BaseTask} records what it
     * awaits here to appear in call graphs.
     *
     * <p>Only a {@code BaseFuture} stores the record: for a future of another class this does nothing. Recording
     * the same waiter twice records it once. The future holds the waiter strongly until the record is discarded.
     * Loop thread only.
     *
     * @param future the future waited for
     * @param waiter the future (usually a task) that waits for it, of the same loop
     * @throws IllegalArgumentException if {@code waiter} is {@code future}, or belongs to another loop
     * @throws NullPointerException if an argument is null
     */
    public static void addAwaitedBy(Future<?> future, Future<?> waiter) {
        Objects.requireNonNull(future, "future");
        Objects.requireNonNull(waiter, "waiter");
        if (waiter == future) {
            throw new IllegalArgumentException("addAwaitedBy(): a future cannot await itself: " + future);
        }
        if (waiter.getLoop() != future.getLoop()) {
            throw new IllegalArgumentException("addAwaitedBy(): waiter " + waiter + " belongs to another loop than "
                    + future + "; both must be of one loop");
        }
        if (future instanceof BaseFuture<?> f) {
            Object recorded = f.awaitedBy;
            if (recorded == null) {
                f.awaitedBy = waiter;
            } else if (recorded instanceof Waiters waiters) {
                if (!containsSame(waiters, waiter)) {
                    waiters.add(waiter);
                }
            } else if (recorded != waiter) {
                Waiters waiters = new Waiters();
                waiters.add((Future<?>) recorded);
                waiters.add(waiter);
                f.awaitedBy = waiters;
            }
        }
    }

    /**
     * Forgets that {@code waiter} waits for {@code future} (asyncio 3.14's {@code future_discard_from_awaited_by}):
     * the end of a wait recorded with {@link #addAwaitedBy}. Does nothing if there is no such record or
     * {@code future} is not a {@code BaseFuture}. Loop thread only.
     *
     * @param future the future that was waited for
     * @param waiter the waiter
     * @throws NullPointerException if an argument is null
     */
    public static void discardFromAwaitedBy(Future<?> future, Future<?> waiter) {
        Objects.requireNonNull(future, "future");
        Objects.requireNonNull(waiter, "waiter");
        if (future instanceof BaseFuture<?> f) {
            Object recorded = f.awaitedBy;
            if (recorded == waiter) {
                f.awaitedBy = null;
            } else if (recorded instanceof Waiters waiters) {
                for (int i = 0; i < waiters.size(); i++) {
                    if (waiters.get(i) == waiter) {
                        waiters.remove(i);
                        break;
                    }
                }
                if (waiters.size() == 1) {
                    f.awaitedBy = waiters.get(0);
                }
            }
        }
    }

    /**
     * Returns the waiters recorded for {@code future} with {@link #addAwaitedBy} and not yet discarded, oldest
     * first; not the tasks that await it directly (see {@link BaseTask#awaiting()}). Loop thread only.
     *
     * @param future any future
     * @return a snapshot; empty for a future that is not a {@code BaseFuture}
     * @throws NullPointerException if {@code future} is null
     */
    public static List<Future<?>> awaitedBy(Future<?> future) {
        Objects.requireNonNull(future, "future");
        if (!(future instanceof BaseFuture<?> f) || f.awaitedBy == null) {
            return List.of();
        }
        return f.awaitedBy instanceof Waiters waiters ? List.copyOf(waiters) : List.of((Future<?>) f.awaitedBy);
    }

    /** Several waiters recorded for one future; a class of its own, so that no waiter can be mistaken for it. */
    private static final class Waiters extends ArrayList<Future<?>> {
        private static final long serialVersionUID = 1L;

        Waiters() {
            super(4);
        }
    }

    private static boolean containsSame(List<Future<?>> futures, Future<?> future) {
        for (Future<?> f : futures) {
            if (f == future) {
                return true;
            }
        }
        return false;
    }

    /**
     * Names this kind of future in reports ("Future exception was never retrieved").
     *
     * @return "Future"; {@link BaseTask} returns "Task"
     */
    protected String kind() {
        return "Future";
    }

    /**
     * Builds the error {@code result()} throws for a cancelled future: the {@link CancelledError} saved with
     * {@link #saveCancellation} the first time (keeping where the cancellation happened), else a new one
     * carrying the cancel message.
     *
     * @return the error to throw
     */
    protected final CancelledError makeCancelledError() {
        CancelledError saved = savedCancellation;
        if (saved != null) {
            savedCancellation = null;
            return saved;
        }
        return new CancelledError(cancelMessage);
    }

    /**
     * Keeps the {@link CancelledError} a task's coroutine ended with, for the next {@link #makeCancelledError()}.
     *
     * @param error the error
     */
    protected final void saveCancellation(CancelledError error) {
        savedCancellation = error;
    }

    /** @return the exception this future finished with, or null; unlike {@link #exception()} it marks nothing */
    final @Nullable Throwable storedException() {
        return exception;
    }

    /** Stops the "exception was never retrieved" report of this future. */
    protected final void disarmReport() {
        UnretrievedReport r = unretrieved;
        if (r != null) {
            r.armed = false;
        }
    }

    /** A done-callback as a loop callback; its {@code toString} is the callback's, for reports naming the handle. */
    private record DoneCallback<T>(Consumer<? super Future<T>> callback, Future<T> future) implements Runnable {
        @Override
        public void run() {
            callback.accept(future);
        }

        @Override
        public String toString() {
            return CallbackNames.describe(callback);
        }
    }

    private void scheduleCallbacks() {
        Consumer<? super Future<T>> cb0 = callback0;
        Context ctx0 = context0;
        List<Object> more = moreCallbacks;
        callback0 = null;
        context0 = null;
        moreCallbacks = null;
        if (cb0 != null) {
            loop.callSoon(new DoneCallback<>(cb0, this), Objects.requireNonNull(ctx0, "stored with callback0"));
        }
        if (more != null) {
            for (int i = 0; i < more.size(); i += 2) {
                @SuppressWarnings("unchecked")
                Consumer<? super Future<T>> cb = (Consumer<? super Future<T>>) more.get(i);
                loop.callSoon(new DoneCallback<>(cb, this), (Context) more.get(i + 1));
            }
        }
    }

    @Override
    public String toString() {
        return kind() + "[" + describeState() + "]";
    }

    /**
     * Describes the state for {@code toString}: "pending", "cancelled", "finished result=..." or
     * "finished exception=...".
     *
     * @return the description
     */
    protected final String describeState() {
        return switch (state) {
            case PENDING -> "pending";
            case CANCELLED -> "cancelled";
            case FINISHED -> exception != null ? "finished exception=" + exception
                    : "finished result=" + Debug.shortRepr(result);
        };
    }

    /** The Cleaner action: reports an exception nobody read. Holds no reference to the future. */
    static final class UnretrievedReport implements Runnable {
        private final EventLoop loop;
        private final String kind;
        private final Throwable exception;
        private final String description;
        private final List<StackTraceElement> sourceTraceback;
        volatile boolean armed = true;

        UnretrievedReport(EventLoop loop, String kind, Throwable exception, String description,
                          List<StackTraceElement> sourceTraceback) {
            this.loop = loop;
            this.kind = kind;
            this.exception = exception;
            this.description = description;
            this.sourceTraceback = sourceTraceback;
        }

        @Override
        public void run() {
            if (!armed) {
                return;
            }
            ExceptionContext context = ExceptionContext.builder(kind + " exception was never retrieved")
                    .exception(exception)
                    .extra("future_repr", description)
                    .sourceTraceback(sourceTraceback)
                    .build();
            Debug.reportFromAnyThread(loop, context);
        }
    }
}
