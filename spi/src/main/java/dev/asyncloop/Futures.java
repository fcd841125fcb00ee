package dev.asyncloop;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.common.util.concurrent.SettableFuture;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;

/**
 * Bridges between loop {@link Future}s and the JDK's {@link CompletableFuture} and Guava's
 * {@link ListenableFuture}, in both directions (asyncio's {@code wrap_future} and the chaining behind
 * {@code run_coroutine_threadsafe}).
 *
 * <p><b>Rules for every bridge.</b>
 * <ul>
 *   <li>Outcomes pass unchanged: a result, an exception (the original, unwrapped from
 *       {@link CompletionException}/{@link ExecutionException}), or a cancellation.</li>
 *   <li>Cancellation crosses in both directions: cancelling either side cancels the other.</li>
 *   <li>A loop future is only ever touched on its loop thread: completions and cancellations from other
 *       threads are handed over with {@link EventLoop#callSoonThreadsafe}. Once the loop is closed they are
 *       dropped (nothing is left to receive them).</li>
 *   <li>Java futures are completed on the loop thread; their dependent actions then run there too, so keep
 *       them short or give them an executor ({@code thenApplyAsync(f, executor)}). Never block the loop thread
 *       on one ({@code join()}, {@code get()}).</li>
 * </ul>
 *
 * <p>Not to be confused with Guava's {@code com.google.common.util.concurrent.Futures}; import one of them by
 * its full name when both are needed.
 */
public final class Futures {
    private Futures() {
    }

    /**
     * Returns a {@link CompletableFuture} that follows {@code future}; call it on the loop thread.
     *
     * @param future a future of a loop
     * @param <T> the result type
     * @return a new completable future, completed (on the loop thread) when {@code future} is done, at once if
     *     it already is; cancelling it (from any thread) cancels {@code future}
     */
    public static <T extends @Nullable Object> CompletableFuture<T> toCompletableFuture(Future<T> future) {
        Objects.requireNonNull(future, "future");
        CompletableFuture<T> result = new CompletableFuture<>();
        chain(future, result);
        return result;
    }

    /**
     * Returns a future of the running loop that follows {@code future} ({@link EventLoop#wrapFuture}).
     *
     * @param future the future to follow; any thread may complete it
     * @param <T> the result type
     * @return the loop future; cancelling it cancels {@code future}
     * @throws IllegalStateException if no loop runs on this thread
     */
    public static <T extends @Nullable Object> Future<T> wrap(CompletableFuture<T> future) {
        Objects.requireNonNull(future, "future");
        return wrap(Async.getRunningLoop(), future);
    }

    /**
     * Returns a future of {@code loop} that follows {@code future} ({@link EventLoop#wrapFuture}); call it on
     * the loop thread, or before the loop runs.
     *
     * @param loop the loop
     * @param future the future to follow; any thread may complete it
     * @param <T> the result type
     * @return the loop future; cancelling it cancels {@code future}
     */
    public static <T extends @Nullable Object> Future<T> wrap(EventLoop loop, CompletableFuture<T> future) {
        Objects.requireNonNull(loop, "loop");
        return loop.wrapFuture(Objects.requireNonNull(future, "future"));
    }

    /**
     * Returns a Guava {@link ListenableFuture} that follows {@code future}; call it on the loop thread.
     *
     * @param future a future of a loop
     * @param <T> the result type
     * @return a new listenable future, completed (on the loop thread) when {@code future} is done, at once if
     *     it already is; cancelling it (from any thread) cancels {@code future}. A null result is allowed.
     */
    public static <T extends @Nullable Object> ListenableFuture<T> toListenableFuture(Future<T> future) {
        Objects.requireNonNull(future, "future");
        SettableFuture<T> result = SettableFuture.create();
        EventLoop loop = future.getLoop();
        if (future.isDone()) {
            copyTo(future, result);
            return result;
        }
        future.addDoneCallback(f -> copyTo(f, result));
        result.addListener(() -> {
            if (result.isCancelled()) {
                onLoop(loop, () -> future.cancel());
            }
        }, MoreExecutors.directExecutor());
        return result;
    }

    /**
     * Returns a future of {@code loop} that follows the Guava {@code future}; call it on the loop thread, or
     * before the loop runs.
     *
     * @param loop the loop
     * @param future the future to follow; any thread may complete it
     * @param <T> the result type
     * @return the loop future, done on the loop thread (through {@link EventLoop#callSoonThreadsafe}, also when
     *     {@code future} is already done); cancelling it cancels {@code future} ({@code cancel(false)})
     */
    public static <T extends @Nullable Object> Future<T> wrap(EventLoop loop, ListenableFuture<T> future) {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(future, "future");
        Future<T> result = loop.createFuture();
        result.addDoneCallback(f -> {
            if (f.isCancelled()) {
                future.cancel(false);
            }
        });
        future.addListener(() -> {
            Runnable copy;
            if (future.isCancelled()) {
                copy = () -> result.cancel();
            } else {
                try {
                    T value = com.google.common.util.concurrent.Futures.getDone(future);
                    copy = () -> result.setResult(value);
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause() != null ? e.getCause() : e;
                    copy = () -> result.setException(cause);
                } catch (CancellationException e) {
                    copy = () -> result.cancel();
                }
            }
            Runnable action = copy;
            onLoop(loop, () -> {
                if (!result.isDone()) {
                    action.run();
                }
            });
        }, MoreExecutors.directExecutor());
        return result;
    }

    /** Copies {@code source}'s outcome to {@code target} when done; cancelling {@code target} cancels it. */
    @SuppressWarnings("FutureReturnValueIgnored") // whenComplete registers the cancel; onLoop catches a closed loop
    static <T extends @Nullable Object> void chain(Future<T> source, CompletableFuture<T> target) {
        EventLoop loop = source.getLoop();
        if (source.isDone()) {
            copyTo(source, target);
            return;
        }
        source.addDoneCallback(f -> copyTo(f, target));
        target.whenComplete((value, error) -> {
            if (target.isCancelled()) {
                onLoop(loop, () -> source.cancel());
            }
        });
    }

    private static <T extends @Nullable Object> void copyTo(Future<T> source, CompletableFuture<T> target) {
        if (source.isCancelled()) {
            target.cancel(false);
            return;
        }
        Optional<Throwable> e = source.exception();
        if (e.isPresent()) {
            target.completeExceptionally(e.get());
        } else {
            target.complete(source.result());
        }
    }

    private static <T extends @Nullable Object> void copyTo(Future<T> source, SettableFuture<T> target) {
        if (source.isCancelled()) {
            target.cancel(false);
            return;
        }
        Optional<Throwable> e = source.exception();
        if (e.isPresent()) {
            target.setException(e.get());
        } else {
            target.set(source.result());
        }
    }

    /** Runs {@code action} on the loop thread: inline when already there, else handed over; dropped once closed. */
    private static void onLoop(EventLoop loop, Runnable action) {
        if (loop.isClosed()) {
            return;
        }
        if (dev.asyncloop.spi.RunningLoops.isCurrent(loop)) {
            action.run();
            return;
        }
        try {
            loop.callSoonThreadsafe(action);
        } catch (IllegalStateException closedMeanwhile) {
            // the loop closed between the check and the call: nobody is left to receive the outcome
        }
    }
}
