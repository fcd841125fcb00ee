package dev.asyncloop.spi;

import dev.asyncloop.Context;
import dev.asyncloop.TimerHandle;
import java.util.List;
import java.util.Locale;

/**
 * The {@link TimerHandle} of {@link BaseEventLoop}. The loop's {@link TimerHeap} orders timers by deadline, then
 * by scheduling order (it keeps the sequence number itself). {@code scheduled} is true while the timer sits in
 * the heap; cancelling a scheduled timer tells the loop, which purges cancelled timers lazily.
 */
final class ScheduledTimer extends ReadyHandle implements TimerHandle {
    private final BaseEventLoop loop;
    final long whenNanos;
    boolean scheduled;

    ScheduledTimer(BaseEventLoop loop, long whenNanos, Runnable callback, Context context,
                   List<StackTraceElement> sourceTraceback) {
        super(callback, context, sourceTraceback);
        this.loop = loop;
        this.whenNanos = whenNanos;
    }

    @Override
    public void cancel() {
        if (!isCancelled()) {
            super.cancel();
            if (scheduled) {
                loop.timerCancelled();
            }
        }
    }

    @Override
    public double when() {
        return BaseEventLoop.toSeconds(whenNanos);
    }

    @Override
    public String toString() {
        return "TimerHandle[when=" + String.format(Locale.ROOT, "%.6f", when()) + ", " + describeCallback() + "]";
    }
}
