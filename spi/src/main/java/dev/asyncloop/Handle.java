package dev.asyncloop;

/**
 * asyncio's {@code Handle}: a callback scheduled on a loop with {@link EventLoop#callSoon(Runnable)} and friends.
 *
 * <p>Methods are for the loop thread, except on a handle returned by
 * {@link EventLoop#callSoonThreadsafe(Runnable)}, whose {@link #cancel()} and {@link #isCancelled()} may be called
 * from any thread. There, as asyncio 3.14's thread-safe handle, they wait while the callback runs (rule L3.6):
 * once {@code cancel()} returns, the callback either ran to its end or never runs. So a callback must not wait
 * for a thread that may be cancelling its own handle.
 */
public interface Handle {
    /**
     * Cancels the callback: if it has not run yet, it never will (rule L1.4). Cancelling twice, or after the
     * callback ran, does nothing.
     */
    void cancel();

    /**
     * Tells whether {@link #cancel()} was called.
     *
     * @return true once cancelled
     */
    boolean isCancelled();

    /**
     * Returns the context the callback runs in.
     *
     * @return the context captured when the callback was scheduled, or the one passed explicitly
     */
    Context getContext();
}
