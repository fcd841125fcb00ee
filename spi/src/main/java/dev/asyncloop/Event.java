package dev.asyncloop;

import java.util.ArrayList;
import java.util.List;

/**
 * asyncio's {@code Event}: a flag that tasks can wait for. {@link #set()} wakes every waiting task;
 * {@link #clear()} lowers the flag for later waiters.
 *
 * <p><b>Threads.</b> For the loop thread: {@link #await()} must run inside a task (unless the flag is set);
 * {@link #set()}, {@link #clear()} and {@link #isSet()} may also be called from callbacks. Another thread sets it
 * with {@code loop.callSoonThreadsafe(event::set)}. The event binds to the loop of its first waiter.
 */
public final class Event {
    private final LoopBinding binding = new LoopBinding();
    private final List<Future<Boolean>> waiters = new ArrayList<>();
    private boolean value;

    /** Creates an event whose flag is down. */
    public Event() {
    }

    /** Creates an event whose flag is {@code set}, without binding it to a loop (unlike {@link #set()}). */
    Event(boolean set) {
        this.value = set;
    }

    /**
     * Tells whether the flag is set.
     *
     * @return the flag
     */
    public boolean isSet() {
        return value;
    }

    /**
     * Sets the flag and wakes every task waiting in {@link #await()}, in the order they started waiting. A waiter
     * woken this way returns true even if the flag is cleared again before it runs.
     *
     * @throws IllegalStateException if called from another thread while the loop runs
     */
    public void set() {
        binding.checkThread(this);
        if (value) {
            return;
        }
        value = true;
        for (Future<Boolean> w : waiters) {
            if (!w.isDone()) {
                w.setResult(true);
            }
        }
    }

    /**
     * Lowers the flag: later {@link #await()} calls wait until the next {@link #set()}.
     *
     * @throws IllegalStateException if called from another thread while the loop runs
     */
    public void clear() {
        binding.checkThread(this);
        value = false;
    }

    /**
     * Waits until the flag is set; returns at once if it is.
     *
     * @return true (asyncio's return value)
     * @throws CancelledError if the task is cancelled while waiting
     * @throws IllegalStateException if it has to wait and is not inside a task, or the event belongs to another
     *     loop
     */
    public boolean await() {
        binding.checkThread(this);
        if (value) {
            return true;
        }
        Async.checkCanWait("Event.await()");
        Future<Boolean> waiter = binding.loop(this).createFuture();
        waiters.add(waiter);
        try {
            Async.await(waiter);
            return true;
        } finally {
            waiters.remove(waiter);
        }
    }

    @Override
    public String toString() {
        return "Event[" + (value ? "set" : "unset") + (waiters.isEmpty() ? "" : ", waiters:" + waiters.size()) + "]";
    }
}
