package dev.asyncloop.spi;

import java.io.InterruptedIOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;

/**
 * The smallest complete {@link BaseEventLoop}: no I/O, {@link #poll(long)} waits on a monitor and
 * {@link #wakeup()} notifies it. Being enough to run tasks, timers and cross-thread calls, it shows that the two
 * hooks suffice.
 *
 * <p>Implementation overview. {@code woken} is a sticky flag guarded by {@code lock}: a wake-up that arrives
 * before the loop waits is not lost, it makes the next poll return at once (like {@code Selector.wakeup}); every
 * poll clears it. Tests observe the loop through counters and two hooks that run on the loop thread:
 * {@link #onPoll} (before waiting, with the timeout) and {@link #onWoken} (after waiting, before returning).
 */
public final class TestLoop extends BaseEventLoop {
    private final Object lock = new Object();
    private boolean woken;
    private final AtomicInteger wakeups = new AtomicInteger();
    private final AtomicInteger polls = new AtomicInteger();
    private volatile LongConsumer pollObserver = timeout -> { };
    private volatile Runnable wokenObserver = () -> { };

    /** Creates an idle loop. */
    public TestLoop() {
    }

    @Override
    protected void poll(long timeoutNanos) throws InterruptedIOException {
        polls.incrementAndGet();
        pollObserver.accept(timeoutNanos);
        synchronized (lock) {
            long deadline = System.nanoTime() + Math.max(timeoutNanos, 0);
            try {
                while (!woken && timeoutNanos != 0) {
                    if (timeoutNanos < 0) {
                        lock.wait();
                    } else {
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            break;
                        }
                        TimeUnit.NANOSECONDS.timedWait(lock, left);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("TestLoop.poll interrupted");
            }
            woken = false;
        }
        wokenObserver.run();
    }

    @Override
    protected void wakeup() {
        wakeups.incrementAndGet();
        synchronized (lock) {
            woken = true;
            lock.notifyAll();
        }
    }

    /**
     * Returns how many times the loop called {@link #wakeup()}.
     *
     * @return the count
     */
    public int wakeupCount() {
        return wakeups.get();
    }

    /**
     * Returns how many times the loop called {@link #poll(long)}: its iteration count.
     *
     * @return the count
     */
    public int pollCount() {
        return polls.get();
    }

    /**
     * Sets what runs at the start of every poll, on the loop thread, with the poll's timeout in nanoseconds.
     *
     * @param observer the hook
     */
    public void onPoll(LongConsumer observer) {
        this.pollObserver = observer;
    }

    /**
     * Sets what runs at the end of every poll, on the loop thread, after the wait.
     *
     * @param observer the hook
     */
    public void onWoken(Runnable observer) {
        this.wokenObserver = observer;
    }
}
