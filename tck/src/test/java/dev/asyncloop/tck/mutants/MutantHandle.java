package dev.asyncloop.tck.mutants;

import dev.asyncloop.Context;
import dev.asyncloop.TimerHandle;

/** A handle a mutant runs itself: {@link #run()} runs the callback in its context unless cancelled. */
final class MutantHandle implements TimerHandle {
    private final Runnable callback;
    private final Context context;
    private final double when;
    private volatile boolean cancelled;

    MutantHandle(Runnable callback, Context context, double when) {
        this.callback = callback;
        this.context = context;
        this.when = when;
    }

    void run() {
        if (!cancelled) {
            context.run(callback);
        }
    }

    @Override
    public void cancel() {
        cancelled = true;
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    @Override
    public Context getContext() {
        return context;
    }

    @Override
    public double when() {
        return when;
    }
}
