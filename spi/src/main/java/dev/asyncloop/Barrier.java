package dev.asyncloop;

import java.util.Locale;

/**
 * asyncio's {@code Barrier} (3.11+): {@code parties} tasks meet; each {@link #await()} waits until the last one
 * arrives, then all go on. The barrier can be used again afterwards ("cyclic").
 *
 * <pre>{@code
 * Barrier ready = new Barrier(3);
 * int index = ready.await();   // 0, 1 or 2: the order of arrival
 *
 * try (var arrival = ready.hold()) {   // asyncio's "async with barrier as index"
 *     log(arrival.index());
 * }
 * }</pre>
 *
 * <p><b>States</b> (asyncio's): filling (tasks arrive), draining (the last one arrived; the waiters leave, new
 * arrivals wait until all have left), resetting ({@link #reset()} while tasks wait: they get
 * {@link BrokenBarrierError}, then filling again) and broken ({@link #abort()}: every current and future
 * {@code await()} gets {@code BrokenBarrierError} until {@code reset()}). A task cancelled while waiting leaves
 * without breaking the barrier (unlike {@link java.util.concurrent.CyclicBarrier}).
 *
 * <p><b>Threads.</b> For the loop thread: {@link #await()} inside a task; {@link #reset()} and {@link #abort()}
 * also from callbacks. Bound to the loop of its first use; other threads reach it through
 * {@link EventLoop#callSoonThreadsafe}.
 */
public final class Barrier {
    private enum State { FILLING, DRAINING, RESETTING, BROKEN }

    private final int parties;
    private final LoopBinding binding = new LoopBinding();
    private final Condition condition = new Condition();
    private State state = State.FILLING;
    private int count;

    /**
     * Creates a barrier for {@code parties} tasks.
     *
     * @param parties how many tasks must arrive, at least 1
     * @throws IllegalArgumentException if {@code parties} is less than 1
     */
    public Barrier(int parties) {
        if (parties < 1) {
            throw new IllegalArgumentException("parties must be > 0, got " + parties);
        }
        this.parties = parties;
    }

    /**
     * Waits until {@code parties} tasks have called it; the last one to arrive releases the others without
     * waiting.
     *
     * @return the order of arrival, from 0 to {@code parties - 1} (the last to arrive gets {@code parties - 1})
     * @throws BrokenBarrierError if the barrier is broken, or is reset or aborted while this task waits
     * @throws CancelledError if the task is cancelled while waiting (the barrier stays usable)
     * @throws IllegalStateException if not inside a task, or called from another thread while the loop runs
     */
    public int await() {
        binding.checkThread(this);
        try (var _ = condition.hold()) {
            // Wait while the previous round drains or a reset completes.
            condition.awaitFor(() -> state != State.DRAINING && state != State.RESETTING);
            if (state == State.BROKEN) {
                throw new BrokenBarrierError("Barrier aborted");
            }
            try {
                int index = count;
                count++;
                if (index + 1 == parties) {
                    state = State.DRAINING;
                    condition.signalAll();
                } else {
                    condition.awaitFor(() -> state != State.FILLING);
                    if (state == State.BROKEN || state == State.RESETTING) {
                        throw new BrokenBarrierError("Abort or reset of barrier");
                    }
                }
                return index;
            } finally {
                count--;
                leave();
            }
        }
    }

    /**
     * Waits as {@link #await()} and returns the arrival for try-with-resources, the shape of {@link Lock#hold()}
     * (asyncio's {@code async with barrier as index}: entering waits, leaving does nothing, so closing the
     * arrival does nothing either).
     *
     * @return the arrival, with the order of arrival as {@link Arrival#index()}
     * @throws BrokenBarrierError if the barrier is broken, or is reset or aborted while this task waits
     * @throws CancelledError if the task is cancelled while waiting (the barrier stays usable)
     * @throws IllegalStateException if not inside a task, or called from another thread while the loop runs
     */
    public Arrival hold() {
        return new Arrival(await());
    }

    /**
     * Returns the barrier to its empty, filling state. Tasks waiting in it get {@link BrokenBarrierError}; new
     * arrivals wait until they have left. Also repairs a broken barrier.
     *
     * @throws IllegalStateException if called from another thread while the loop runs
     */
    public void reset() {
        binding.checkThread(this);
        if (count > 0) {
            if (state != State.RESETTING) {
                state = State.RESETTING;
            }
        } else {
            state = State.FILLING;
        }
        condition.wake(Integer.MAX_VALUE);
    }

    /**
     * Breaks the barrier: every waiting and every later {@link #await()} throws {@link BrokenBarrierError} until
     * {@link #reset()}.
     *
     * @throws IllegalStateException if called from another thread while the loop runs
     */
    public void abort() {
        binding.checkThread(this);
        state = State.BROKEN;
        condition.wake(Integer.MAX_VALUE);
    }

    /**
     * Returns the number of tasks needed to pass.
     *
     * @return the parties
     */
    public int parties() {
        return parties;
    }

    /**
     * Returns the number of tasks waiting while the barrier fills.
     *
     * @return the waiting count, 0 while draining
     */
    public int waiting() {
        return state == State.FILLING ? count : 0;
    }

    /**
     * Tells whether the barrier is broken ({@link #abort()} without a later {@link #reset()}).
     *
     * @return true if broken
     */
    public boolean isBroken() {
        return state == State.BROKEN;
    }

    @Override
    public String toString() {
        return "Barrier[" + state.name().toLowerCase(Locale.ROOT) + ", waiters:" + waiting() + "/" + parties + "]";
    }

    /**
     * A task's passage through the barrier, as {@link #hold()} returns it; {@link #close()} does nothing, as
     * leaving asyncio's {@code async with barrier} block does nothing.
     *
     * @param index the order of arrival, from 0 to {@code parties - 1}
     */
    public record Arrival(int index) implements Held {
        /** Does nothing: the barrier was passed when {@link Barrier#hold()} returned. */
        @Override
        public void close() {
        }
    }

    private void leave() {
        if (count == 0) {
            if (state == State.RESETTING || state == State.DRAINING) {
                state = State.FILLING;
            }
            condition.wake(Integer.MAX_VALUE);
        }
    }
}
