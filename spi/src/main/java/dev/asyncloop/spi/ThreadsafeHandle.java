package dev.asyncloop.spi;

import dev.asyncloop.Context;
import java.util.List;

/**
 * The handle of {@link BaseEventLoop#callSoonThreadsafe}: asyncio 3.14's {@code _ThreadSafeHandle} (gh-128340).
 * The callback runs, and {@link #cancel()} and {@link #isCancelled()} act, under the handle's lock, so a cancel
 * from another thread while the callback runs waits for it to finish (rule L3.6): once {@code cancel()} returns,
 * the callback either ran to its end or never runs.
 */
final class ThreadsafeHandle extends ReadyHandle {
    ThreadsafeHandle(Runnable callback, Context context, List<StackTraceElement> sourceTraceback) {
        super(callback, context, sourceTraceback);
    }

    @Override
    public synchronized void cancel() {
        super.cancel();
    }

    @Override
    public synchronized boolean isCancelled() {
        return super.isCancelled();
    }

    @Override
    synchronized void run() {
        super.run(); // checks the cancelled flag again, now under the lock
    }

    /**
     * Cancels the handle unless its callback started: for a caller that finds the loop closed after queueing it,
     * racing with a {@code close()} that may run it (a pending report). Either this cancels it first, and the run
     * does nothing, or the run started first, and this returns false.
     *
     * @return true if this call cancelled a callback that never started
     */
    synchronized boolean cancelUnlessStarted() {
        if (started()) {
            return false;
        }
        cancel();
        return true;
    }

    /** Whether the callback is a report for the exception handler, which a closing loop delivers, not drops. */
    boolean isReport() {
        return callback() instanceof Debug.PendingReport;
    }
}
