package dev.asyncloop.spi;

import dev.asyncloop.Context;
import dev.asyncloop.Handle;
import java.util.List;

/**
 * The {@link Handle} of {@link BaseEventLoop}: a callback and the context it runs in.
 *
 * <p>{@code cancelled} is volatile because the handle of {@code callSoonThreadsafe} may be cancelled from any
 * thread; a cancel that races with the run either prevents it or comes too late, never half-runs it.
 */
class ReadyHandle implements Handle {
    private Runnable callback;
    private final Context context;
    private volatile boolean cancelled;
    final List<StackTraceElement> sourceTraceback;

    ReadyHandle(Runnable callback, Context context, List<StackTraceElement> sourceTraceback) {
        this.callback = callback;
        this.context = context;
        this.sourceTraceback = sourceTraceback;
    }

    @Override
    public void cancel() {
        if (!cancelled) {
            cancelled = true;
            callback = null;
        }
    }

    @Override
    public final boolean isCancelled() {
        return cancelled;
    }

    @Override
    public final Context getContext() {
        return context;
    }

    /** Runs the callback in its context unless cancelled; exceptions propagate to the loop. */
    final void run() {
        Runnable cb = callback;
        if (cb != null && !cancelled) {
            context.run(cb);
        }
    }

    String describeCallback() {
        Runnable cb = callback;
        return cb == null ? "cancelled" : cb.toString();
    }

    @Override
    public String toString() {
        return "Handle[" + describeCallback() + "]";
    }
}
