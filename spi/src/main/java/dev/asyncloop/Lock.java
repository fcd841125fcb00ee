package dev.asyncloop;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * asyncio's {@code Lock}: a mutual-exclusion lock for tasks of one loop. Not owned by a task: any code of the
 * loop may release it (as in asyncio).
 *
 * <pre>{@code
 * try (var _ = lock.hold()) {     // async with lock:
 *     await(write(record));
 * }
 * }</pre>
 *
 * <p><b>Fairness.</b> Waiting tasks get the lock in the order they called {@link #acquire()}: a release wakes the
 * first waiter, and a new {@code acquire()} while tasks wait queues behind them even if the lock is free at that
 * moment. A waiter cancelled while it is being woken (the release chose it, its task was cancelled before it
 * ran) passes the wake-up on to the next waiter, so no release is lost.
 *
 * <p><b>Threads.</b> For the loop thread: {@link #acquire()} and {@link #hold()} must run inside a task;
 * {@link #release()} and {@link #locked()} may also be called from callbacks. The lock binds to the loop of its
 * first waiting {@code acquire()} and refuses other loops with {@link IllegalStateException}; other threads reach
 * it through {@link EventLoop#callSoonThreadsafe}.
 */
public final class Lock {
    private final LoopBinding binding = new LoopBinding();
    private final Deque<Future<Boolean>> waiters = new ArrayDeque<>();
    private boolean locked;

    /** Creates an unlocked lock, bound to a loop when first waited on. */
    public Lock() {
    }

    /**
     * Acquires the lock, waiting in FIFO order while it is held or other tasks wait for it.
     *
     * @return true (asyncio's return value)
     * @throws CancelledError if the task is cancelled while waiting; the lock is then not held by it, and a
     *     wake-up it had been given goes to the next waiter
     * @throws IllegalStateException if it has to wait and is not inside a task, or the lock belongs to another
     *     loop
     */
    public boolean acquire() {
        binding.checkThread(this);
        if (!locked && allCancelled()) {
            locked = true;
            return true;
        }
        Async.checkCanWait("Lock.acquire()");
        Future<Boolean> waiter = binding.loop(this).createFuture();
        waiters.addLast(waiter);
        try {
            try {
                Async.await(waiter);
            } finally {
                waiters.remove(waiter);
            }
        } catch (Throwable e) {
            // Keep the invariant: when the lock is free and tasks wait, the first one is about to run.
            if (!locked) {
                wakeUpFirst();
            }
            throw e;
        }
        locked = true;
        return true;
    }

    /**
     * Acquires the lock (as {@link #acquire()}) and returns a handle that releases it on close.
     *
     * @return the handle for try-with-resources
     * @throws CancelledError if the task is cancelled while waiting (nothing is held then)
     * @throws IllegalStateException as for {@link #acquire()}
     */
    public Held hold() {
        acquire();
        return new ReleaseOnce(this::release);
    }

    /**
     * Releases the lock and wakes the first waiting task, if any.
     *
     * @throws IllegalStateException if the lock is not locked ("Lock is not acquired"), or called from another
     *     thread while the loop runs
     */
    public void release() {
        binding.checkThread(this);
        if (!locked) {
            throw new IllegalStateException("Lock is not acquired: release() must follow a successful acquire()");
        }
        locked = false;
        wakeUpFirst();
    }

    /**
     * Tells whether the lock is held.
     *
     * @return true if locked
     */
    public boolean locked() {
        return locked;
    }

    @Override
    public String toString() {
        return "Lock[" + (locked ? "locked" : "unlocked") + (waiters.isEmpty() ? "" : ", waiters:" + waiters.size())
                + "]";
    }

    private boolean allCancelled() {
        for (Future<Boolean> w : waiters) {
            if (!w.isCancelled()) {
                return false;
            }
        }
        return true;
    }

    private void wakeUpFirst() {
        Future<Boolean> first = waiters.peekFirst();
        if (first != null && !first.isDone()) {
            first.setResult(true);
        }
    }
}
