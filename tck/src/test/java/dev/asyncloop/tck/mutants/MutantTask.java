package dev.asyncloop.tck.mutants;

import dev.asyncloop.CancelledError;
import dev.asyncloop.Context;
import dev.asyncloop.Coroutine;
import dev.asyncloop.EventLoop;
import dev.asyncloop.Future;
import dev.asyncloop.Task;
import dev.asyncloop.TaskFactory;
import dev.asyncloop.spi.BaseFuture;
import dev.asyncloop.spi.TaskRegistry;
import java.io.PrintStream;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A compact asyncio Task on {@link BaseFuture} with switches that break one rule each. With no flaw it behaves
 * as asyncio's Task in the cases the suite checks; the flaws model mistakes a task author makes.
 */
final class MutantTask<T> extends BaseFuture<T> implements Task<T> {
    /** The ways to break the task. */
    enum Flaw {
        /** None: the control the flawed tasks are compared with. */
        NONE,
        /** Never calls TaskRegistry.enterTask/leaveTask (rule R1.1: currentTask() is empty inside the task). */
        NO_ENTER_LEAVE,
        /** Never registers with TaskRegistry (rule R1.3: allTasks() misses it). */
        NO_REGISTER,
        /** cancel() of a waiting task abandons the awaited future instead of cancelling it (rule T2.1). */
        NO_CANCEL_PROPAGATION,
        /** cancelling() tells only whether a cancel was requested, not how many (rule T2.4). */
        CANCELLING_AS_FLAG,
        /** Each step runs in a fresh copy of the task's context, so sets are lost across awaits (rule C1.3). */
        FRESH_CONTEXT_PER_STEP
    }

    private static final AtomicLong COUNTER = new AtomicLong();

    private final Coroutine<T> coroutine;
    private final Context context;
    private final Flaw flaw;
    private final long number = COUNTER.incrementAndGet();
    private final Consumer<Future<?>> wakeup = this::wakeup;
    private String name;
    private int cancelRequests;
    private boolean mustCancel;
    private Future<?> waitingOn;

    MutantTask(EventLoop loop, Coroutine<T> coroutine, String name, Context context, Flaw flaw) {
        super(loop);
        this.coroutine = Objects.requireNonNull(coroutine, "coroutine");
        this.name = name;
        this.context = context != null ? context : Context.copyCurrent();
        this.flaw = flaw;
        loop.callSoon(() -> step(null), stepContext());
        if (flaw != Flaw.NO_REGISTER) {
            TaskRegistry.registerTask(this);
        }
    }

    /** A factory making tasks with {@code flaw}. */
    static TaskFactory factory(Flaw flaw) {
        return new TaskFactory() {
            @Override
            public <R> Task<R> newTask(EventLoop loop, Coroutine<R> coroutine, String name, Context context) {
                return new MutantTask<>(loop, coroutine, name, context, flaw);
            }

            @Override
            public String toString() {
                return "MutantTask factory " + flaw;
            }
        };
    }

    private Context stepContext() {
        return flaw == Flaw.FRESH_CONTEXT_PER_STEP ? context.copy() : context;
    }

    private void step(Throwable error) {
        if (isDone()) {
            return;
        }
        if (mustCancel) {
            if (!(error instanceof CancelledError)) {
                error = new CancelledError(cancelMessage);
            }
            mustCancel = false;
        }
        boolean enter = flaw != Flaw.NO_ENTER_LEAVE;
        if (enter) {
            TaskRegistry.enterTask(getLoop(), this);
        }
        try {
            runStep(error);
        } finally {
            if (enter) {
                TaskRegistry.leaveTask(getLoop(), this);
            }
        }
    }

    private void runStep(Throwable error) {
        waitingOn = null;
        Coroutine.Step<T> outcome;
        try {
            outcome = error == null ? coroutine.send(null) : coroutine.throwInto(error);
        } catch (RuntimeException e) {
            outcome = new Coroutine.Threw<>(e);
        }
        switch (outcome) {
            case Coroutine.Returned<T>(T value) -> {
                if (mustCancel) {
                    super.cancel(cancelMessage);
                } else {
                    super.setResult(value);
                }
                TaskRegistry.unregisterTask(this);
            }
            case Coroutine.Threw<T>(Throwable thrown) -> {
                TaskRegistry.unregisterTask(this);
                if (thrown instanceof CancelledError ce) {
                    saveCancellation(ce);
                    super.cancel(null);
                } else {
                    super.setException(thrown);
                    if (thrown instanceof Error err) {
                        throw err;
                    }
                }
            }
            case Coroutine.Awaiting<T>(Future<?> awaited) -> {
                if (awaited.getLoop() != getLoop() || awaited == this) {
                    IllegalStateException e = new IllegalStateException("Task " + this + " cannot await " + awaited);
                    getLoop().callSoon(() -> step(e), stepContext());
                } else {
                    awaited.addDoneCallback(wakeup, stepContext());
                    waitingOn = awaited;
                    if (mustCancel && awaited.cancel(cancelMessage)) {
                        mustCancel = false;
                    }
                }
            }
            case Coroutine.Yielded<T>() -> getLoop().callSoon(() -> step(null), stepContext());
        }
    }

    private void wakeup(Future<?> future) {
        try {
            future.result();
        } catch (Throwable e) {
            step(e);
            return;
        }
        step(null);
    }

    @Override
    public boolean cancel(String message) {
        disarmReport();
        if (isDone()) {
            return false;
        }
        cancelRequests++;
        Future<?> waiter = waitingOn;
        if (waiter != null) {
            if (flaw != Flaw.NO_CANCEL_PROPAGATION) {
                if (waiter.cancel(message)) {
                    return true;
                }
            } else {
                // The flaw: leave the awaited future pending and wake the task directly.
                waiter.removeDoneCallback(wakeup);
                waitingOn = null;
                getLoop().callSoon(() -> step(null), stepContext());
            }
        }
        mustCancel = true;
        cancelMessage = message;
        return true;
    }

    @Override
    public int cancelling() {
        return flaw == Flaw.CANCELLING_AS_FLAG ? Math.min(cancelRequests, 1) : cancelRequests;
    }

    @Override
    public int uncancel() {
        if (cancelRequests > 0) {
            cancelRequests--;
            if (cancelRequests == 0) {
                mustCancel = false;
            }
        }
        return cancelling();
    }

    @Override
    public String getName() {
        return name != null ? name : "Task-M" + number;
    }

    @Override
    public void setName(String name) {
        this.name = Objects.requireNonNull(name, "name");
    }

    @Override
    public Coroutine<T> getCoro() {
        return coroutine;
    }

    @Override
    public Context getContext() {
        return context;
    }

    @Override
    public List<StackTraceElement> getStack() {
        return isDone() ? List.of() : coroutine.stack();
    }

    @Override
    public void printStack(PrintStream out) {
        out.println("No stack for " + this);
    }

    @Override
    public void setResult(T value) {
        throw new UnsupportedOperationException("only the coroutine finishes a task");
    }

    @Override
    public void setException(Throwable exception) {
        throw new UnsupportedOperationException("only the coroutine finishes a task");
    }

    @Override
    protected String kind() {
        return "Task";
    }

    @Override
    public String toString() {
        return "MutantTask[" + getName() + ", " + describeState() + ", " + flaw + "]";
    }
}
