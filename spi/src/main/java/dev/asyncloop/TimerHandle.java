package dev.asyncloop;

/**
 * asyncio's {@code TimerHandle}: a callback scheduled for a time with {@link EventLoop#callLater} or
 * {@link EventLoop#callAt}. Cancelling it tells the loop, which drops cancelled timers (rule L2.3).
 *
 * <p>{@link #cancel()} is for the loop thread, as every {@link Handle} method; from another thread use
 * {@code loop.callSoonThreadsafe(handle::cancel)}. A cancel from another thread is tolerated: the timer never
 * runs, but it stays in the loop's timer heap until it comes due, instead of being purged early.
 */
public interface TimerHandle extends Handle {
    /**
     * Returns when the callback is due, on the loop's {@link EventLoop#time()} clock.
     *
     * @return the deadline in seconds
     */
    double when();
}
