package dev.asyncloop.spi;

import dev.asyncloop.Context;
import dev.asyncloop.Handle;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The {@link Handle} of {@link BaseEventLoop}: a callback and the context it runs in.
 *
 * <p>{@code cancelled} is volatile because the handle of {@code callSoonThreadsafe} ({@link ThreadsafeHandle})
 * may be cancelled from any thread; a cancel that races with the run either prevents it or comes too late, never
 * half-runs it.
 */
class ReadyHandle implements Handle {
    private @Nullable Runnable callback;
    private final Context context;
    private volatile boolean cancelled;
    /**
     * Set as the callback starts: on the loop thread, or by {@code close()} for a pending report. Plain: another
     * thread reads it under {@link ThreadsafeHandle}'s lock, which its run also holds.
     */
    private boolean started;
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
            Runnable cb = callback;
            // As asyncio in debug mode: a handle cancelled while it runs is still named in the slow warning. The
            // callback itself is dropped either way; its description takes its place (no field of its own, so
            // handles and timers stay as small as they were).
            callback = cb != null && !sourceTraceback.isEmpty() ? new Description(CallbackNames.describe(cb)) : null;
        }
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    /**
     * The cancelled flag as it reads now, without {@link ThreadsafeHandle}'s lock: for the loop's skip of cancelled
     * handles, where {@link #run()} checks the flag again (under the lock, for a thread-safe handle).
     */
    final boolean cancelledFlag() {
        return cancelled;
    }

    @Override
    public final Context getContext() {
        return context;
    }

    /** Runs the callback in its context unless cancelled; exceptions propagate to the loop. */
    void run() {
        Runnable cb = callback;
        if (cb != null && !cancelled) {
            started = true;
            context.run(cb);
        }
    }

    /**
     * Tells whether the loop started the callback. Loop thread, or under {@link ThreadsafeHandle}'s lock.
     */
    final boolean started() {
        return started;
    }

    /** The callback; null or a description once cancelled. */
    final @Nullable Runnable callback() {
        return callback;
    }

    /** The callback's description, "cancelled" first once cancelled, and in debug mode where it was scheduled. */
    String describeCallback() {
        Runnable cb = callback;
        String text = cb instanceof Description d ? "cancelled, " + d.text()
                : cb != null ? CallbackNames.describe(cb) : "cancelled";
        return sourceTraceback.isEmpty() ? text : text + ", created at " + sourceTraceback.get(0);
    }

    /** What a cancelled debug-mode handle keeps of its callback: its description. Never run. */
    private record Description(String text) implements Runnable {
        @Override
        public void run() {
        }
    }

    @Override
    public String toString() {
        return "Handle[" + describeCallback() + "]";
    }
}
