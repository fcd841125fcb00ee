package dev.asyncloop.spi;

import dev.asyncloop.Context;
import dev.asyncloop.TimerHandle;
import java.util.List;

/**
 * The {@link TimerHandle} of {@link BaseEventLoop}. Ordered by deadline, then by scheduling order, so timers
 * with equal deadlines run first-in first-out. {@code scheduled} is true while the timer sits in the loop's
 * heap; cancelling a scheduled timer tells the loop, which purges cancelled timers lazily.
 */
final class ScheduledTimer extends ReadyHandle implements TimerHandle, Comparable<ScheduledTimer> {
    private final BaseEventLoop loop;
    final long whenNanos;
    final long sequence;
    boolean scheduled;

    ScheduledTimer(BaseEventLoop loop, long whenNanos, long sequence, Runnable callback, Context context,
                   List<StackTraceElement> sourceTraceback) {
        super(callback, context, sourceTraceback);
        this.loop = loop;
        this.whenNanos = whenNanos;
        this.sequence = sequence;
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
    public int compareTo(ScheduledTimer o) {
        int c = Long.signum(whenNanos - o.whenNanos);
        return c != 0 ? c : Long.compare(sequence, o.sequence);
    }

    @Override
    public String toString() {
        return "TimerHandle[when=" + String.format("%.6f", when()) + ", " + describeCallback() + "]";
    }
}
