package dev.asyncloop.spi;

import java.lang.reflect.Field;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link BaseEventLoop} whose poll waits for no I/O, for the wake-up tests: it stands for a poller whose wake-up
 * is sticky (a {@code Selector}, an eventfd) and says afterwards what a real one would have done.
 *
 * <p>A poll that may block returns once a {@link #wakeup()} has come that no earlier poll consumed, as a real one
 * would. It must also return when none comes, or the actor would hang: the other actors count themselves done
 * ({@link #callerDone()}) once their call into the loop has returned, and a poll still without a wake-up then
 * will never get one: a real poll would sleep forever (or until its timeout) with the work queued. That poll is
 * counted as lost.
 */
final class ProbeLoop extends BaseEventLoop {
    private final int callers;
    private final AtomicInteger callersDone = new AtomicInteger();
    private final AtomicInteger wakeups = new AtomicInteger();
    private int consumed;
    /** Loop thread only: polls (one per iteration), those that could block, and how these ended. */
    int polls;
    int blockingPolls;
    int wokenPolls;
    int lostPolls;

    ProbeLoop(int callers) {
        this.callers = callers;
    }

    /** A caller's call into the loop has returned: every wake-up it was going to make is made. */
    void callerDone() {
        callersDone.incrementAndGet();
    }

    /** How many times the loop asked the poller to wake up. */
    int wakeups() {
        return wakeups.get();
    }

    /**
     * Empties the loop's ready queue (read by reflection: the queue is the loop's alone) and says how many of its
     * handles still hold a callback that could run (not cancelled). For a loop that is not running: the caller
     * is then the queue's only consumer.
     */
    int drainLiveHandles() {
        Queue<?> queue;
        try {
            Field ready = BaseEventLoop.class.getDeclaredField("ready");
            ready.setAccessible(true);
            queue = (Queue<?>) ready.get(this);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("BaseEventLoop has no field 'ready' any more; update ProbeLoop", e);
        }
        int live = 0;
        for (Object h; (h = queue.poll()) != null; ) {
            if (!((ReadyHandle) h).isCancelled()) {
                live++;
            }
        }
        return live;
    }

    /** Puts the loop in the state of a loop thread that cleared {@code awake} and is polling (by reflection). */
    void asleep() {
        try {
            Field awake = BaseEventLoop.class.getDeclaredField("awake");
            awake.setAccessible(true);
            ((AtomicBoolean) awake.get(this)).set(false);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("BaseEventLoop has no field 'awake' any more; update ProbeLoop", e);
        }
    }

    @Override
    protected void poll(long timeoutNanos) {
        polls++;
        if (timeoutNanos == 0) {
            consumed = wakeups.get(); // a non-blocking select also clears a pending wake-up
            return;
        }
        blockingPolls++;
        while (true) {
            boolean last = callersDone.get() == callers;
            int w = wakeups.get();
            if (w > consumed) {
                consumed = w;
                wokenPolls++;
                return;
            }
            if (last) {
                lostPolls++;
                return;
            }
            Thread.yield();
        }
    }

    @Override
    protected void wakeup() {
        wakeups.incrementAndGet();
    }
}
