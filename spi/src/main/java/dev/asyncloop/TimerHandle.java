package dev.asyncloop;

/**
 * asyncio's {@code TimerHandle}: a callback scheduled for a time with {@link EventLoop#callLater} or
 * {@link EventLoop#callAt}. Cancelling it tells the loop, which drops cancelled timers (rule L2.3).
 */
public interface TimerHandle extends Handle {
    /**
     * Returns when the callback is due, on the loop's {@link EventLoop#time()} clock.
     *
     * @return the deadline in seconds
     */
    double when();
}
