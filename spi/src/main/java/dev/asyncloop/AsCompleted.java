package dev.asyncloop;

import dev.asyncloop.spi.BaseFuture;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * What {@link Tasks#asCompleted} returns: the given futures in the order they complete, one per call, as
 * many as there are distinct futures. Two ways to take them, sharing one count:
 *
 * <ul>
 *   <li>{@link #next()} (asyncio 3.12's plain iteration, also {@code for (Future<T> f : asCompleted)}): never
 *       suspends; returns a new future that gets the outcome (result, exception or cancellation) of the next
 *       future to complete, or a {@link TimeoutError} once the deadline has passed. Await it.</li>
 *   <li>{@link #awaitNext()} (asyncio 3.13's {@code async for}, also {@code for (Future<T> f : ac.originals())}
 *       inside a task): suspends the current task until the next future completes and returns that original
 *       future, done; throws {@link TimeoutError} once the deadline has passed.</li>
 * </ul>
 *
 * <p>On timeout the futures still pending are left alone (not cancelled); every later take times out.
 * Threads: loop thread only; {@link #awaitNext()} inside a task.
 *
 * <p>{@link CallGraph}: while a task waits in {@link #awaitNext()}, or awaits a future {@link #next()} returned
 * that has no outcome yet, the graph of each future still pending shows that task among its waiters (asyncio
 * 3.15, gh-156523); once the wait is over it does not.
 *
 * @param <T> the result type
 */
public final class AsCompleted<T extends @Nullable Object> implements Iterable<Future<T>> {
    private static final Object TIMED_OUT = new Object();

    private final @Nullable EventLoop loop;
    /* The distinct futures in a list, not a hash set: see IdentityIndex for why, at 100,000 futures. */
    private final List<Future<T>> futures;
    private int pending;
    private boolean timedOut;
    private final ArrayDeque<Object> completed = new ArrayDeque<>();
    private final ArrayDeque<Receiver> receivers = new ArrayDeque<>();
    private final Consumer<Future<T>> onCompletion = this::completed;
    private int left;
    private @Nullable TimerHandle timer;

    /**
     * The future a consuming task is suspended on, in {@link #awaitNext()} or on a {@link #next()} slot: through it
     * a call graph finds that the task waits for every future still pending. It is the capture that finds the
     * edges (as for any await), so a wait costs no record on each of the futures.
     */
    static final class Waiting<V extends @Nullable Object> extends BaseFuture<V> {
        private final AsCompleted<?> source;

        Waiting(EventLoop loop, AsCompleted<?> source) {
            super(loop);
            this.source = source;
        }

        /** The futures a take still waits for: none once the timeout expired. */
        List<Future<?>> pending() {
            List<Future<?>> pending = new ArrayList<>();
            if (!source.timedOut) {
                for (Future<?> f : source.futures) {
                    if (!f.isDone()) {
                        pending.add(f);
                    }
                }
            }
            return pending;
        }
    }

    /** A consumer waiting for an item; {@code wake} is called while an item is queued. */
    private interface Receiver {
        boolean live();

        void wake();
    }

    AsCompleted(Collection<? extends Future<T>> futures, @Nullable Duration timeout) {
        this.futures = IdentityDistinct.of(new ArrayList<>(futures));
        this.loop = Tasks.sameLoop(this.futures);
        for (Future<T> f : this.futures) {
            f.addDoneCallback(onCompletion);
        }
        pending = this.futures.size();
        if (pending > 0 && timeout != null) {
            timer = loop().callLater(timeout, this::timedOut);
        }
        left = pending;
    }

    /** The futures' loop; there is one whenever a future remains, the only time it is asked for. */
    private EventLoop loop() {
        return Objects.requireNonNull(loop, "no futures, no loop");
    }

    /**
     * Tells whether a future remains to be taken.
     *
     * @return true while fewer futures were taken than were given
     */
    public boolean hasNext() {
        return left > 0;
    }

    /**
     * Describes the iteration for logs: how many futures remain to be taken, of how many, and whether the timeout
     * expired.
     *
     * @return e.g. {@code AsCompleted[2 of 5 left]} or {@code AsCompleted[2 of 5 left, timed out]}
     */
    @Override
    public String toString() {
        return "AsCompleted[" + left + " of " + futures.size() + " left" + (timedOut ? ", timed out" : "") + "]";
    }

    /**
     * Takes the next slot without suspending (3.12 form).
     *
     * @return a new future of the loop completing like the next future to complete, or with
     *     {@link TimeoutError}
     * @throws NoSuchElementException if every future was taken
     */
    public Future<T> next() {
        take();
        Future<T> slot = new Waiting<>(loop(), this);
        Receiver receiver = new Receiver() {
            @Override
            public boolean live() {
                return !slot.isDone();
            }

            @Override
            public void wake() {
                resolve(slot, completed.poll());
            }
        };
        if (!completed.isEmpty()) {
            receiver.wake();
        } else {
            receivers.add(receiver);
        }
        return slot;
    }

    /**
     * Suspends the current task until the next future completes and returns it (3.13 form).
     *
     * @return the original future, done
     * @throws TimeoutError if the deadline passed before it completed
     * @throws CancelledError if the waiting task is cancelled (nothing is taken then)
     * @throws NoSuchElementException if every future was taken
     * @throws IllegalStateException if not called inside a task
     */
    @SuppressWarnings("unchecked")
    public Future<T> awaitNext() {
        if (left > 0 && completed.isEmpty()) {
            Async.checkCanWait("AsCompleted.awaitNext()"); // before take(): a refused call takes nothing
        }
        take();
        while (completed.isEmpty()) {
            Future<@Nullable Void> signal = new Waiting<>(loop(), this);
            receivers.add(new Receiver() {
                @Override
                public boolean live() {
                    return !signal.isDone();
                }

                @Override
                public void wake() {
                    signal.setResult(null);
                }
            });
            try {
                Async.await(signal);
            } catch (CancelledError e) {
                left++;
                signal.cancel();
                if (!completed.isEmpty()) {
                    wakeOne();
                }
                throw e;
            }
        }
        Object item = completed.poll();
        if (item == TIMED_OUT) {
            throw new TimeoutError("as_completed: the timeout expired", null);
        }
        return (Future<T>) item;
    }

    /**
     * Iterates with {@link #next()}: never suspends; await each future it returns.
     *
     * @return the iterator
     */
    @Override
    public Iterator<Future<T>> iterator() {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return AsCompleted.this.hasNext();
            }

            @Override
            public Future<T> next() {
                return AsCompleted.this.next();
            }
        };
    }

    /**
     * Iterates with {@link #awaitNext()}: each {@code next()} suspends the current task and returns an original
     * future, done. Iterate it inside a task.
     *
     * @return the iterable of the original futures
     */
    public Iterable<Future<T>> originals() {
        return () -> new Iterator<>() {
            @Override
            public boolean hasNext() {
                return AsCompleted.this.hasNext();
            }

            @Override
            public Future<T> next() {
                return awaitNext();
            }
        };
    }

    private void take() {
        if (left == 0) {
            throw new NoSuchElementException("as_completed: every future was already taken");
        }
        left--;
    }

    /* Each distinct future's callback runs once, unless the timeout came first. */
    private void completed(Future<T> f) {
        if (timedOut) {
            return;
        }
        pending--;
        put(f);
        if (pending == 0 && timer != null) {
            timer.cancel();
        }
    }

    private void timedOut() {
        timedOut = true;
        for (Future<T> f : futures) {
            f.removeDoneCallback(onCompletion);
        }
        for (; pending > 0; pending--) {
            put(TIMED_OUT);
        }
    }

    private void put(Object item) {
        completed.add(item);
        wakeOne();
    }

    private void wakeOne() {
        while (!receivers.isEmpty()) {
            Receiver r = receivers.poll();
            if (r.live()) {
                r.wake();
                return;
            }
        }
    }

    @SuppressWarnings("unchecked")
    private void resolve(Future<T> slot, Object item) {
        if (item == TIMED_OUT) {
            slot.setException(new TimeoutError("as_completed: the timeout expired", null));
            return;
        }
        Future<T> f = (Future<T>) item;
        if (f.isCancelled()) {
            slot.cancel();
        } else if (f.exception().isPresent()) {
            slot.setException(f.exception().get());
        } else {
            slot.setResult(f.result());
        }
    }
}
