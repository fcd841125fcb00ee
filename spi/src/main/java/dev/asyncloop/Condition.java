package dev.asyncloop;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * asyncio's {@code Condition}: tasks wait, with its {@link Lock} released, until another task signals them; the
 * lock is held again when {@link #await()} returns or throws.
 *
 * <pre>{@code
 * try (var _ = condition.hold()) {
 *     condition.awaitFor(() -> !items.isEmpty());
 *     use(items.remove());
 * }
 * // elsewhere:
 * try (var _ = condition.hold()) {
 *     items.add(x);
 *     condition.signal();
 * }
 * }</pre>
 *
 * <p><b>Names.</b> asyncio's {@code notify(n)} / {@code notify_all()} are {@link #signal(int)} /
 * {@link #signalAll()} here: {@link Object#notify()} and {@link Object#notifyAll()} are final, and a
 * {@code notify(int)} next to them would let {@code condition.notify()} compile and fail with
 * {@link IllegalMonitorStateException}.
 *
 * <p><b>Fairness and cancellation.</b> Waiters are signalled in FIFO order. A waiter that is cancelled (or fails
 * re-acquiring the lock) after it may have been signalled passes one signal on to the next waiter, so a signal
 * is never lost; that may be a spurious wake-up, which the condition-variable contract allows (use
 * {@link #awaitFor}). The lock is re-acquired even when the wait is cancelled.
 *
 * <p><b>Threads.</b> For tasks of the loop thread; {@link #signal} and {@link #signalAll} may also be called from
 * callbacks that hold the lock. Bound to the loop of its first waiter.
 */
public final class Condition {
    private final Lock lock;
    private final LoopBinding binding = new LoopBinding();
    private final Deque<Future<Boolean>> waiters = new ArrayDeque<>();

    /** Creates a condition with a new {@link Lock}. */
    public Condition() {
        this(new Lock());
    }

    /**
     * Creates a condition over {@code lock}, which other conditions may share.
     *
     * @param lock the lock, not null
     */
    public Condition(Lock lock) {
        this.lock = Objects.requireNonNull(lock, "lock");
    }

    /**
     * Acquires the underlying lock; see {@link Lock#acquire()}.
     *
     * @return true
     * @throws CancelledError if cancelled while waiting
     */
    public boolean acquire() {
        return lock.acquire();
    }

    /**
     * Acquires the underlying lock and returns a handle that releases it; see {@link Lock#hold()}.
     *
     * @return the handle
     */
    public Held hold() {
        return lock.hold();
    }

    /**
     * Releases the underlying lock; see {@link Lock#release()}.
     *
     * @throws IllegalStateException if the lock is not locked
     */
    public void release() {
        lock.release();
    }

    /**
     * Tells whether the underlying lock is held.
     *
     * @return true if locked
     */
    public boolean locked() {
        return lock.locked();
    }

    /**
     * Releases the lock, waits until signalled, then re-acquires the lock (also when cancelled meanwhile).
     *
     * @return true (asyncio's return value)
     * @throws IllegalStateException if the lock is not held ("cannot wait on un-acquired lock"), or not inside a
     *     task (the lock stays held then)
     * @throws CancelledError if the task was cancelled while waiting or re-acquiring; the lock is held again
     *     when it is thrown, and a signal this waiter may have received goes to the next waiter
     */
    public boolean await() {
        binding.checkThread(this);
        if (!lock.locked()) {
            throw new IllegalStateException("cannot wait on un-acquired lock: acquire the condition's lock first");
        }
        EventLoop loop = binding.loop(this);
        if (Async.currentTask().isEmpty()) {
            // Checked before releasing: a callback could not wait, nor take the lock back if a task took it.
            throw new IllegalStateException("Condition.await() was called outside a task; call it from a task"
                    + " that holds the condition's lock");
        }
        lock.release();
        try {
            try {
                Future<Boolean> waiter = loop.createFuture();
                waiters.addLast(waiter);
                try {
                    Async.await(waiter);
                    return true;
                } finally {
                    waiters.remove(waiter);
                }
            } finally {
                reacquire();
            }
        } catch (Throwable e) {
            // This waiter may have been signalled already: hand one signal to the next waiter.
            wake(1);
            throw e;
        }
    }

    /**
     * Waits until {@code predicate} is true: checks it first, then after each wake-up (asyncio's
     * {@code wait_for}). The lock must be held; it is held when the predicate is called.
     *
     * @param predicate the condition to wait for
     * @return true, the last value of the predicate
     * @throws IllegalStateException if the lock is not held
     * @throws CancelledError if cancelled while waiting (the lock is held again)
     */
    public boolean awaitFor(BooleanSupplier predicate) {
        Objects.requireNonNull(predicate, "predicate");
        boolean result = predicate.getAsBoolean();
        while (!result) {
            await();
            result = predicate.getAsBoolean();
        }
        return result;
    }

    /**
     * Wakes the first task waiting in {@link #await()}, if any (asyncio's {@code notify()}).
     *
     * @throws IllegalStateException if the lock is not held ("cannot notify on un-acquired lock")
     */
    public void signal() {
        signal(1);
    }

    /**
     * Wakes up to {@code n} waiting tasks, oldest first (asyncio's {@code notify(n)}).
     *
     * @param n how many, at least 0
     * @throws IllegalArgumentException if {@code n} is negative
     * @throws IllegalStateException if the lock is not held ("cannot notify on un-acquired lock")
     */
    public void signal(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must not be negative, got " + n);
        }
        binding.checkThread(this);
        if (!lock.locked()) {
            throw new IllegalStateException("cannot notify on un-acquired lock: acquire the condition's lock first");
        }
        wake(n);
    }

    /**
     * Wakes every waiting task (asyncio's {@code notify_all()}).
     *
     * @throws IllegalStateException if the lock is not held
     */
    public void signalAll() {
        signal(Integer.MAX_VALUE);
    }

    @Override
    public String toString() {
        return "Condition[" + (lock.locked() ? "locked" : "unlocked")
                + (waiters.isEmpty() ? "" : ", waiters:" + waiters.size()) + "]";
    }

    /** Signals up to {@code n} waiters without checking the lock; for {@link Barrier} and cancelled waiters. */
    void wake(int n) {
        int woken = 0;
        for (Future<Boolean> w : waiters) {
            if (woken >= n) {
                break;
            }
            if (!w.isDone()) {
                woken++;
                w.setResult(false);
            }
        }
    }

    private void reacquire() {
        CancelledError cancelled = null;
        while (true) {
            try {
                lock.acquire();
                break;
            } catch (CancelledError e) {
                cancelled = e;
            }
        }
        if (cancelled != null) {
            throw cancelled;
        }
    }
}
