package dev.asyncloop;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * asyncio's {@code Semaphore}: a counter of permits; {@link #acquire()} takes one, waiting while none is left,
 * {@link #release()} gives one back. Unbounded: {@code release()} may raise the count above the initial value
 * (use {@link BoundedSemaphore} to forbid that).
 *
 * <pre>{@code
 * Semaphore connections = new Semaphore(10);
 * try (var _ = connections.hold()) {
 *     await(fetch(url));
 * }
 * }</pre>
 *
 * <p><b>Fairness.</b> Waiters get permits in FIFO order: while tasks wait, a new {@code acquire()} queues behind
 * them even if a permit is free. A waiter that was handed a permit and then cancelled before it ran gives the
 * permit back, and it goes to the next waiter.
 *
 * <p><b>Threads.</b> For the loop thread: {@link #acquire()} and {@link #hold()} inside a task;
 * {@link #release()} may also be called from callbacks. Bound to the loop of its first waiter.
 *
 * <p>Sealed: {@link BoundedSemaphore} is its only subclass.
 */
public sealed class Semaphore permits BoundedSemaphore {
    private final LoopBinding binding = new LoopBinding();
    private final Deque<Future<Boolean>> waiters = new ArrayDeque<>();
    private int value;

    /** Creates a semaphore with one permit (asyncio's default {@code value=1}). */
    public Semaphore() {
        this(1);
    }

    /**
     * Creates a semaphore with {@code permits} permits.
     *
     * @param permits the initial count, at least 0
     * @throws IllegalArgumentException if {@code permits} is negative ("Semaphore initial value must be &gt;= 0")
     */
    public Semaphore(int permits) {
        if (permits < 0) {
            throw new IllegalArgumentException("Semaphore initial value must be >= 0, got " + permits);
        }
        this.value = permits;
    }

    /**
     * Tells whether an {@link #acquire()} now would wait: no permit is free, or tasks are waiting.
     *
     * @return true if an acquire would wait
     */
    public boolean locked() {
        if (value == 0) {
            return true;
        }
        for (Future<Boolean> w : waiters) {
            if (!w.isCancelled()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Returns the number of free permits (not counting permits handed to waiters that have not run yet).
     *
     * @return the count
     */
    public int availablePermits() {
        return value;
    }

    /**
     * Takes a permit, waiting in FIFO order while none is free or others wait.
     *
     * @return true (asyncio's return value)
     * @throws CancelledError if cancelled while waiting; no permit is then taken (a permit already handed to
     *     this waiter is given back to the next one)
     * @throws IllegalStateException if it has to wait and is not inside a task, or the semaphore belongs to
     *     another loop
     */
    public boolean acquire() {
        binding.checkThread(this);
        if (!locked()) {
            value--;
            return true;
        }
        Async.checkCanWait("Semaphore.acquire()");
        Future<Boolean> waiter = binding.loop(this).createFuture();
        waiters.addLast(waiter);
        try {
            try {
                Async.await(waiter);
            } finally {
                waiters.remove(waiter);
            }
        } catch (Throwable e) {
            if (waiter.isDone() && !waiter.isCancelled()) {
                // A release handed us a permit but we will not take it: give it back.
                value++;
            }
            throw e;
        } finally {
            // Waiters that arrived meanwhile had to queue for FIFO order: wake as many as there are permits.
            while (value > 0 && wakeUpNext()) {
                // each call hands one permit to one waiter
            }
        }
        return true;
    }

    /**
     * Takes a permit as {@link #acquire()} and returns a handle that releases it on close.
     *
     * @return the handle
     * @throws CancelledError if cancelled while waiting (nothing is held then)
     */
    public Held hold() {
        acquire();
        return new ReleaseOnce(this::release);
    }

    /**
     * Gives a permit back and wakes the first waiter, if any.
     *
     * @throws IllegalStateException if called from another thread while the loop runs
     */
    public void release() {
        binding.checkThread(this);
        value++;
        wakeUpNext();
    }

    /** Refuses a call from another thread while the loop runs; for {@link BoundedSemaphore}'s own checks. */
    final void checkThread() {
        binding.checkThread(this);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + (locked() ? "locked" : "unlocked, value:" + value)
                + (waiters.isEmpty() ? "" : ", waiters:" + waiters.size()) + "]";
    }

    /** Hands one permit to the first waiter not yet woken; false if there is none. */
    private boolean wakeUpNext() {
        for (Future<Boolean> w : waiters) {
            if (!w.isDone()) {
                value--;
                w.setResult(true);
                return true;
            }
        }
        return false;
    }
}
