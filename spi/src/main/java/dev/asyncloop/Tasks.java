package dev.asyncloop;

import dev.asyncloop.spi.BaseFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * asyncio's module-level task functions on top of any loop: {@link #gather}, {@link #wait}, {@link #waitFor},
 * {@link #shield} and {@link #asCompleted}; see also {@link Timeout} and {@link TaskGroup}. They use only the
 * public {@link EventLoop}, {@link Future} and {@link Task} API, so they work with every loop.
 *
 * <p><b>Threads.</b> Like the futures they take, these methods are for the loop thread. The ones that wait
 * ({@link #wait}, {@link #waitFor}) suspend the current task and must be called inside a task; the others
 * ({@link #gather}, {@link #shield}, {@link #asCompleted}) return a future at once and may also be called from
 * callbacks. All futures given to one call must belong to one loop.
 */
public final class Tasks {
    private Tasks() {
    }

    // ------------------------------------------------------------------ gather

    /**
     * Waits for all {@code futures} (asyncio's {@code gather(*fs)}): the returned future's result lists their
     * results in argument order.
     *
     * @param futures the futures; a future given twice is waited for once and listed twice
     * @param <T> the element type
     * @return a future of the results; see {@link #gather(Collection, boolean)}
     * @throws IllegalArgumentException if the futures belong to different loops
     * @throws IllegalStateException if {@code futures} is empty and no loop runs on this thread
     */
    @SafeVarargs
    public static <T extends @Nullable Object> Future<List<T>> gather(Future<? extends T>... futures) {
        List<Future<? extends T>> list = new ArrayList<>(futures.length);
        for (Future<? extends T> f : futures) {
            list.add(f);
        }
        return gather(list);
    }

    /**
     * Waits for all {@code futures}; see {@link #gather(Collection, boolean)} with {@code returnExceptions}
     * false.
     *
     * @param futures the futures
     * @param <T> the element type
     * @return a future of the results in argument order
     * @throws IllegalArgumentException if the futures belong to different loops
     * @throws IllegalStateException if {@code futures} is empty and no loop runs on this thread
     */
    @SuppressWarnings("unchecked")
    public static <T extends @Nullable Object> Future<List<T>> gather(
            Collection<? extends Future<? extends T>> futures) {
        return (Future<List<T>>) (Future<?>) gatherFutures(futures, false);
    }

    /**
     * asyncio's {@code gather(*fs, return_exceptions=...)}.
     *
     * <ul>
     *   <li>The result lists each future's outcome in argument order; a future given twice is waited for once
     *       and listed twice. With no futures the result is an empty list, done at once.</li>
     *   <li>{@code returnExceptions == false}: the first future to fail (or to be cancelled) finishes the
     *       returned future with that exception (a {@link CancelledError} for a cancelled one); the other
     *       futures go on running.</li>
     *   <li>{@code returnExceptions == true}: failures are listed as their {@link Throwable}; a cancelled
     *       future is listed as a {@link CancelledError}.</li>
     *   <li>{@link Future#cancel cancel()} on the returned future cancels every future not yet done and
     *       returns true if any of them accepted; the returned future then finishes, once all are done, with a
     *       {@link CancelledError} as its exception (it is never itself in state {@code CANCELLED}). It is not
     *       cancelled when every future was already done.</li>
     * </ul>
     *
     * @param futures the futures
     * @param returnExceptions whether to list failures instead of failing
     * @return a future of the outcomes in argument order
     * @throws IllegalArgumentException if the futures belong to different loops
     * @throws IllegalStateException if {@code futures} is empty and no loop runs on this thread
     */
    public static Future<List<Object>> gather(Collection<? extends Future<?>> futures, boolean returnExceptions) {
        return gatherFutures(futures, returnExceptions);
    }

    private static Future<List<Object>> gatherFutures(Collection<? extends Future<?>> futures,
            boolean returnExceptions) {
        Objects.requireNonNull(futures, "futures");
        if (futures.isEmpty()) {
            Future<List<Object>> done = Async.getRunningLoop().createFuture();
            done.setResult(List.of());
            return done;
        }
        List<Future<?>> children = new ArrayList<>(futures.size());
        for (Future<?> f : futures) {
            children.add(Objects.requireNonNull(f, "futures must not contain null"));
        }
        EventLoop loop = Objects.requireNonNull(sameLoop(children), "children is not empty");
        return new GatheringFuture(loop, children, returnExceptions);
    }

    /** The future {@code gather} returns: it cancels its children instead of itself. */
    private static final class GatheringFuture extends BaseFuture<List<Object>> {
        private final List<Future<?>> children;
        private final List<Future<?>> distinct;
        private final boolean returnExceptions;
        /** The task that called gather, recorded as awaiting each child (asyncio 3.14), or null. */
        private final @Nullable Task<?> caller;
        private int finished;
        private boolean cancelRequested;
        private @Nullable String requestedMessage;

        GatheringFuture(EventLoop loop, List<Future<?>> children, boolean returnExceptions) {
            super(loop);
            this.children = children;
            this.returnExceptions = returnExceptions;
            this.distinct = IdentityDistinct.of(children);
            this.caller = Async.currentTask(loop).orElse(null);
            List<Future<?>> alreadyDone = new ArrayList<>();
            Consumer<Future<?>> onDone = this::childDone;
            for (Future<?> f : distinct) {
                if (f.isDone()) {
                    alreadyDone.add(f);
                } else {
                    if (caller != null && caller != f) {
                        BaseFuture.addAwaitedBy(f, caller);
                    }
                    f.addDoneCallback(onDone);
                }
            }
            for (Future<?> f : alreadyDone) {
                childDone(f);
            }
        }

        @Override
        public boolean cancel(@Nullable String message) {
            if (isDone()) {
                return false;
            }
            boolean any = false;
            for (Future<?> child : distinct) {
                if (child.cancel(message)) {
                    any = true;
                }
            }
            if (any) {
                cancelRequested = true;
                requestedMessage = message;
            }
            return any;
        }

        @Override
        protected String kind() {
            return "GatheringFuture";
        }

        private void childDone(Future<?> child) {
            finished++;
            if (caller != null) {
                BaseFuture.discardFromAwaitedBy(child, caller);
            }
            if (isDone()) {
                if (!child.isCancelled()) {
                    child.exception();
                }
                return;
            }
            if (!returnExceptions) {
                if (child.isCancelled()) {
                    setException(cancellationOf(child));
                    forgetCaller();
                    return;
                }
                Optional<Throwable> e = child.exception();
                if (e.isPresent()) {
                    setException(e.get());
                    forgetCaller();
                    return;
                }
            }
            if (finished == distinct.size()) {
                List<Object> results = new ArrayList<>(children.size());
                for (Future<?> f : children) {
                    results.add(outcome(f));
                }
                if (cancelRequested) {
                    setException(new CancelledError(requestedMessage));
                } else {
                    setResult(Collections.unmodifiableList(results));
                }
            }
        }

        /**
         * The gather ended before some children: the caller no longer waits for them (asyncio 3.15, gh-157213),
         * so a child that outlives the gather is not shown as awaited by it.
         */
        private void forgetCaller() {
            if (caller != null) {
                for (Future<?> f : distinct) {
                    BaseFuture.discardFromAwaitedBy(f, caller);
                }
            }
        }

        private static Object outcome(Future<?> f) {
            if (f.isCancelled()) {
                return cancellationOf(f);
            }
            Optional<Throwable> e = f.exception();
            return e.isPresent() ? e.get() : f.result();
        }
    }

    // ------------------------------------------------------------------ wait

    /**
     * Waits until all {@code futures} are done; see {@link #wait(Collection, Duration, ReturnWhen)}.
     *
     * @param futures the futures, not empty
     * @param <F> the future type
     * @return the done and the pending futures
     */
    public static <F extends Future<?>> DoneAndPending<F> wait(Collection<F> futures) {
        return wait(futures, null, ReturnWhen.ALL_COMPLETED);
    }

    /**
     * asyncio's {@code wait(fs, timeout=..., return_when=...)}: suspends the current task until
     * {@code returnWhen} holds or {@code timeout} passes, and splits the futures into done and pending. It never
     * cancels anything, also not on timeout, and never throws because a future failed.
     *
     * @param futures the futures, not empty; duplicates count once
     * @param timeout the longest wait, or null for none
     * @param returnWhen when to return
     * @param <F> the future type
     * @return the done and the pending futures: unmodifiable sets in argument order, whose {@code contains}
     *     compares by identity (as futures do)
     * @throws IllegalArgumentException if {@code futures} is empty, or holds futures of another loop
     * @throws CancelledError if the waiting task is cancelled (the futures are left alone)
     * @throws IllegalStateException if not called inside a task
     */
    public static <F extends Future<?>> DoneAndPending<F> wait(Collection<F> futures, @Nullable Duration timeout,
            ReturnWhen returnWhen) {
        Objects.requireNonNull(futures, "futures");
        Objects.requireNonNull(returnWhen, "returnWhen");
        if (futures.isEmpty()) {
            throw new IllegalArgumentException("Set of Tasks/Futures is empty: wait() needs at least one future");
        }
        EventLoop loop = Async.getRunningLoop();
        Async.checkCanWait("Tasks.wait()");
        // a list, not a hash set, while waiting: see IdentityIndex for why, at 100,000 futures
        List<F> fs = IdentityDistinct.of(new ArrayList<>(futures));
        for (F f : fs) {
            if (Objects.requireNonNull(f, "futures must not contain null").getLoop() != loop) {
                throw new IllegalArgumentException("wait(): " + f + " belongs to another loop than the running one");
            }
        }
        Future<@Nullable Void> waiter = loop.createFuture();
        TimerHandle timer = timeout == null ? null : loop.callLater(timeout, () -> release(waiter));
        int[] left = {fs.size()};
        Consumer<Future<?>> onCompletion = f -> {
            left[0]--;
            if (left[0] <= 0 || returnWhen == ReturnWhen.FIRST_COMPLETED
                    || (returnWhen == ReturnWhen.FIRST_EXCEPTION && !f.isCancelled() && f.exception().isPresent())) {
                if (timer != null) {
                    timer.cancel();
                }
                release(waiter);
            }
        };
        Task<?> caller = Async.currentTask(loop).orElse(null);
        for (F f : fs) {
            f.addDoneCallback(onCompletion);
            if (caller != null && f != caller) {
                BaseFuture.addAwaitedBy(f, caller); // asyncio 3.14: the waiting task awaits each future
            }
        }
        try {
            Async.await(waiter);
        } finally {
            if (timer != null) {
                timer.cancel();
            }
            for (F f : fs) {
                f.removeDoneCallback(onCompletion);
                if (caller != null) {
                    BaseFuture.discardFromAwaitedBy(f, caller); // also the pending ones (asyncio 3.15, gh-152569)
                }
            }
        }
        List<F> done = new ArrayList<>();
        List<F> pending = new ArrayList<>();
        for (F f : fs) {
            (f.isDone() ? done : pending).add(f);
        }
        return new DoneAndPending<>(new IdentityListSet<>(done), new IdentityListSet<>(pending));
    }

    // ------------------------------------------------------------------ waitFor

    /**
     * asyncio 3.12's {@code wait_for(fut, timeout)}: awaits {@code future} with a deadline. On timeout the
     * future is cancelled and waited for, then {@link TimeoutError} is thrown; if the future ignored the
     * cancellation and finished with a result, that result is returned.
     *
     * <p>A zero or negative timeout returns the result of a done future at once; otherwise cancels the future,
     * waits for it to be done, and throws {@link TimeoutError} if it ended cancelled.
     *
     * @param future the future, of the running loop
     * @param timeout the deadline from now, or null for none
     * @param <T> the result type
     * @return the future's result
     * @throws TimeoutError on timeout; its cause is the {@link CancelledError} the wait ended with
     * @throws CancelledError if the future or the waiting task was cancelled by something else
     * @throws IllegalStateException if not called inside a task
     */
    public static <T extends @Nullable Object> T waitFor(Future<T> future, @Nullable Duration timeout) {
        Objects.requireNonNull(future, "future");
        if (timeout != null && (timeout.isZero() || timeout.isNegative())) {
            if (future.isDone()) {
                return future.result();
            }
            cancelAndWait(future);
            try {
                return future.result();
            } catch (CancelledError e) {
                throw new TimeoutError("the timeout expired", e);
            }
        }
        return Timeout.run(timeout, () -> Async.await(future));
    }

    /**
     * {@code wait_for(coroutine, timeout)}: runs {@code body} inline in the current task under a
     * {@link Timeout}, as {@code await}ing a coroutine does; with a zero or negative timeout it runs the body
     * as a new task instead and proceeds as {@link #waitFor(Future, Duration)}.
     *
     * @param body the code
     * @param timeout the deadline from now, or null for none
     * @param <T> the result type
     * @return the body's result
     * @throws TimeoutError on timeout
     * @throws java.util.concurrent.CompletionException wrapping a checked exception of the body
     * @throws IllegalStateException if not called inside a task
     */
    public static <T extends @Nullable Object> T waitFor(AsyncCallable<T> body, @Nullable Duration timeout) {
        Objects.requireNonNull(body, "body");
        if (timeout != null && (timeout.isZero() || timeout.isNegative())) {
            return waitFor(Async.getRunningLoop().createTask(body), timeout);
        }
        return Timeout.run(timeout, body);
    }

    private static <T extends @Nullable Object> void cancelAndWait(Future<T> future) {
        Future<@Nullable Void> waiter = future.getLoop().createFuture();
        Consumer<Future<T>> done = f -> release(waiter);
        future.addDoneCallback(done);
        Task<?> caller = Async.currentTask(future.getLoop()).orElse(null);
        if (caller != null && caller != future) {
            BaseFuture.addAwaitedBy(future, caller); // asyncio 3.15 (gh-157058): the task waits for the future
        }
        try {
            future.cancel();
            Async.await(waiter);
        } finally {
            future.removeDoneCallback(done);
            if (caller != null) {
                BaseFuture.discardFromAwaitedBy(future, caller);
            }
        }
    }

    // ------------------------------------------------------------------ shield

    /**
     * asyncio's {@code shield(fut)}: a future that follows {@code inner} but whose cancellation does not cancel
     * {@code inner}. A task awaiting the returned future and cancelled gets {@link CancelledError} while
     * {@code inner} goes on; otherwise the outcome of {@code inner} (result, exception, cancellation) passes to
     * the returned future.
     *
     * @param inner the future to protect
     * @param <T> the result type
     * @return {@code inner} itself if it is done, else a new future of its loop
     */
    public static <T extends @Nullable Object> Future<T> shield(Future<T> inner) {
        Objects.requireNonNull(inner, "inner");
        if (inner.isDone()) {
            return inner;
        }
        Future<T> outer = inner.getLoop().createFuture();
        Task<?> caller = Async.currentTask(inner.getLoop()).orElse(null);
        if (caller != null && caller != inner) {
            BaseFuture.addAwaitedBy(inner, caller); // asyncio 3.14: the shielded future is awaited by the caller
            // a callback of its own: innerDone below is removed when the caller stops waiting, this one is not
            inner.addDoneCallback(in -> BaseFuture.discardFromAwaitedBy(in, caller));
        }
        Consumer<Future<T>> innerDone = in -> {
            if (outer.isDone()) {
                if (!in.isCancelled()) {
                    in.exception();
                }
                return;
            }
            if (in.isCancelled()) {
                outer.cancel();
                return;
            }
            Optional<Throwable> e = in.exception();
            if (e.isPresent()) {
                outer.setException(e.get());
            } else {
                outer.setResult(in.result());
            }
        };
        inner.addDoneCallback(innerDone);
        outer.addDoneCallback(o -> {
            if (!inner.isDone()) {
                inner.removeDoneCallback(innerDone);
                if (caller != null) {
                    BaseFuture.discardFromAwaitedBy(inner, caller); // asyncio 3.15 (gh-155143): the wait is over
                }
            }
        });
        return outer;
    }

    /**
     * {@code shield(coroutine)}: runs {@code body} as a new task of the running loop and shields it.
     *
     * @param body the code
     * @param <T> the result type
     * @return the shielding future
     * @throws IllegalStateException if no loop runs on this thread
     */
    public static <T extends @Nullable Object> Future<T> shield(AsyncCallable<T> body) {
        Objects.requireNonNull(body, "body");
        return shield(Async.getRunningLoop().createTask(body));
    }

    // ------------------------------------------------------------------ asCompleted

    /**
     * asyncio's {@code as_completed(fs)}: the futures in the order they complete, with no deadline; see
     * {@link #asCompleted(Collection, Duration)}.
     *
     * @param futures the futures; duplicates count once
     * @param <T> the result type
     * @return the iterable
     * @throws IllegalArgumentException if the futures belong to different loops
     */
    public static <T extends @Nullable Object> AsCompleted<T> asCompleted(Collection<? extends Future<T>> futures) {
        return asCompleted(futures, null);
    }

    /**
     * asyncio's {@code as_completed(fs, timeout=...)}: the futures in the order they complete; see
     * {@link AsCompleted} for the two ways to iterate.
     *
     * @param futures the futures; duplicates count once
     * @param timeout the deadline for all of them, from now, or null for none
     * @param <T> the result type
     * @return the iterable
     * @throws IllegalArgumentException if the futures belong to different loops
     */
    public static <T extends @Nullable Object> AsCompleted<T> asCompleted(Collection<? extends Future<T>> futures,
            @Nullable Duration timeout) {
        Objects.requireNonNull(futures, "futures");
        return new AsCompleted<>(futures, timeout);
    }

    // ------------------------------------------------------------------ threads

    /**
     * asyncio's {@code to_thread(func)}: runs {@code function} on the loop's default executor, in a copy of the
     * caller's {@link Context} (so {@link ContextVar} values set by the calling task are visible in the worker;
     * what the worker sets stays in the copy), and returns a future of the running loop for its outcome.
     *
     * <p>Unlike asyncio's coroutine, the work starts at once; {@code await(Tasks.toThread(f))} is
     * {@code await asyncio.to_thread(f)}. Cancelling the future before the worker starts keeps it from running;
     * once it runs, the thread is not interrupted (a thread cannot be cancelled), but its outcome is dropped.
     *
     * @param function the blocking work
     * @param <T> the result type
     * @return a future of the running loop, done on the loop thread with the function's result or exception (a
     *     checked exception is stored as it is; {@link Future#result()} wraps it in
     *     {@link java.util.concurrent.CompletionException})
     * @throws IllegalStateException if no loop runs on this thread, or its default executor was shut down
     */
    public static <T extends @Nullable Object> Future<T> toThread(Callable<T> function) {
        Objects.requireNonNull(function, "function");
        EventLoop loop = Async.getRunningLoop();
        Context context = Context.copyCurrent();
        return loop.runInExecutor(null, () -> context.callChecked(function));
    }

    /**
     * asyncio's {@code run_coroutine_threadsafe(coro, loop)}: from any thread, runs {@code body} as a new task of
     * {@code loop} and returns a {@link CompletableFuture} of its outcome.
     *
     * <ul>
     *   <li>The task is created on the loop thread (by a {@link EventLoop#callSoonThreadsafe} callback, so it runs
     *       in a copy of the calling thread's context).</li>
     *   <li>The task's result, exception or cancellation passes to the returned future (cancellation as
     *       {@code cancel(false)}).</li>
     *   <li>Cancelling the returned future cancels the task (from the loop thread); cancelled before the task was
     *       created, the body never runs. Once the loop is closed, cancelling does nothing more.</li>
     * </ul>
     *
     * <p>Do not block the loop thread on the returned future: it completes on that thread.
     *
     * @param body the coroutine body
     * @param loop the loop to run it on; it must run (now or later) for the future to complete
     * @param <T> the result type
     * @return the future, completed on the loop thread
     * @throws IllegalStateException if {@code loop} is closed
     */
    public static <T extends @Nullable Object> CompletableFuture<T> runCoroutineThreadsafe(AsyncCallable<T> body,
            EventLoop loop) {
        return runCoroutineThreadsafe(body, loop, () -> false);
    }

    /**
     * {@link #runCoroutineThreadsafe(AsyncCallable, EventLoop)}, asking {@code refused} on the loop thread, just
     * before the task would be created, whether the loop still takes it: if not, the future is cancelled and the
     * body never runs.
     */
    static <T extends @Nullable Object> CompletableFuture<T> runCoroutineThreadsafe(AsyncCallable<T> body,
            EventLoop loop, BooleanSupplier refused) {
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(loop, "loop");
        CompletableFuture<T> result = new CompletableFuture<>();
        loop.callSoonThreadsafe(() -> {
            if (result.isDone()) {
                return;
            }
            if (refused.getAsBoolean()) {
                result.cancel(false);
                return;
            }
            Task<T> task;
            try {
                task = loop.createTask(body);
            } catch (RuntimeException | Error e) {
                result.completeExceptionally(e);
                throw e;
            }
            Futures.chain(task, result);
        });
        return result;
    }

    // ------------------------------------------------------------------ helpers

    static @Nullable EventLoop sameLoop(Collection<? extends Future<?>> futures) {
        EventLoop loop = null;
        for (Future<?> f : futures) {
            if (loop == null) {
                loop = f.getLoop();
            } else if (f.getLoop() != loop) {
                throw new IllegalArgumentException("all futures must belong to one loop; " + f + " belongs to "
                        + f.getLoop() + ", not " + loop);
            }
        }
        return loop;
    }

    static CancelledError cancellationOf(Future<?> cancelled) {
        try {
            cancelled.result();
        } catch (CancelledError e) {
            return e;
        }
        return new CancelledError();
    }

    private static void release(Future<@Nullable Void> waiter) {
        if (!waiter.isDone()) {
            waiter.setResult(null);
        }
    }
}
