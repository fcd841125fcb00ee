package dev.asyncloop.tck;

import dev.asyncloop.CancelledError;
import dev.asyncloop.Context;
import dev.asyncloop.Coroutine;
import dev.asyncloop.EventLoop;
import dev.asyncloop.Future;
import dev.asyncloop.InvalidStateError;
import dev.asyncloop.Task;
import dev.asyncloop.TaskFactory;
import dev.asyncloop.spi.TaskRegistry;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A minimal {@link Task} written without {@code BaseTask}, the way a third-party task must be written so that
 * {@code Async.allTasks()} and {@code Async.currentTask()} see it: it registers with {@link TaskRegistry} in its
 * constructor, enters and leaves around each step of its coroutine, and unregisters when it finishes.
 *
 * <p>Implementation overview. Just enough of asyncio's Task to be awaited and cancelled: each step sends into
 * (or throws into) the coroutine and acts on the answer; an awaited future wakes the task through a
 * done-callback; {@code cancel} cancels the awaited future, else the next step throws {@link CancelledError}
 * in. No debug support, no protocol-error checks. Loop thread only.
 */
final class ThirdPartyTask<T extends @Nullable Object> implements Task<T> {
    /** A task factory making these tasks. */
    static final TaskFactory FACTORY = new TaskFactory() {
        @Override
        public <R extends @Nullable Object> Task<R> newTask(EventLoop loop, Coroutine<R> coroutine,
                @Nullable String name, @Nullable Context context) {
            return new ThirdPartyTask<>(loop, coroutine, name, context);
        }
    };

    private final EventLoop loop;
    private final Coroutine<T> coroutine;
    private final Context context;
    private final List<Consumer<? super Future<T>>> callbacks = new ArrayList<>();
    private final List<Context> callbackContexts = new ArrayList<>();
    private String name;
    private State state = State.PENDING;
    private @Nullable T result;
    private @Nullable Throwable exception;
    private @Nullable String cancelMessage;
    private boolean mustCancel;
    private int cancelRequests;
    private @Nullable Future<?> waitingOn;

    ThirdPartyTask(EventLoop loop, Coroutine<T> coroutine, @Nullable String name, @Nullable Context context) {
        this.loop = Objects.requireNonNull(loop, "loop");
        this.coroutine = Objects.requireNonNull(coroutine, "coroutine");
        this.name = name != null ? name : "ThirdPartyTask-" + System.identityHashCode(this);
        this.context = context != null ? context : Context.copyCurrent();
        TaskRegistry.registerTask(this);
        loop.callSoon(() -> step(null), this.context);
    }

    private void step(@Nullable Throwable error) {
        if (mustCancel) {
            mustCancel = false;
            if (!(error instanceof CancelledError)) {
                error = new CancelledError(cancelMessage);
            }
        }
        waitingOn = null;
        Coroutine.Step<T> outcome;
        TaskRegistry.enterTask(loop, this);
        try {
            outcome = error == null ? coroutine.send(null) : coroutine.throwInto(error);
        } catch (RuntimeException e) {
            outcome = new Coroutine.Threw<>(e);
        } finally {
            TaskRegistry.leaveTask(loop, this);
        }
        switch (outcome) {
            case Coroutine.Returned<T>(T value) -> {
                if (mustCancel) {
                    finish(State.CANCELLED, null, null);
                } else {
                    finish(State.FINISHED, value, null);
                }
            }
            case Coroutine.Threw<T>(Throwable thrown) -> {
                if (thrown instanceof CancelledError ce) {
                    cancelMessage = ce.getMessage();
                    finish(State.CANCELLED, null, null);
                } else {
                    finish(State.FINISHED, null, thrown);
                }
            }
            case Coroutine.Awaiting<T>(Future<?> awaited) -> {
                waitingOn = awaited;
                awaited.addDoneCallback(this::wakeup, context);
                if (mustCancel && awaited.cancel(cancelMessage)) {
                    mustCancel = false;
                }
            }
            case Coroutine.Yielded<T>() -> loop.callSoon(() -> step(null), context);
        }
    }

    private void wakeup(Future<?> awaited) {
        try {
            awaited.result();
        } catch (Throwable e) {
            step(e);
            return;
        }
        step(null);
    }

    private void finish(State end, @Nullable T value, @Nullable Throwable error) {
        TaskRegistry.unregisterTask(this);
        state = end;
        result = value;
        exception = error;
        for (int i = 0; i < callbacks.size(); i++) {
            Consumer<? super Future<T>> cb = callbacks.get(i);
            loop.callSoon(() -> cb.accept(this), callbackContexts.get(i));
        }
        callbacks.clear();
        callbackContexts.clear();
    }

    @Override
    public EventLoop getLoop() {
        return loop;
    }

    @Override
    public State state() {
        return state;
    }

    @Override
    public T result() {
        exception();
        if (exception instanceof RuntimeException e) {
            throw e;
        }
        if (exception instanceof Error e) {
            throw e;
        }
        if (exception != null) {
            throw new CompletionException(exception);
        }
        return storedResult();
    }

    @SuppressWarnings("NullAway") // finished without an exception: result holds the coroutine's T
    private T storedResult() {
        return result;
    }

    @Override
    public Optional<Throwable> exception() {
        return switch (state) {
            case PENDING -> throw new InvalidStateError("Exception is not set.");
            case CANCELLED -> throw new CancelledError(cancelMessage);
            case FINISHED -> Optional.ofNullable(exception);
        };
    }

    @Override
    public void setResult(T value) {
        throw new UnsupportedOperationException("a task's result is its coroutine's");
    }

    @Override
    public void setException(Throwable exception) {
        throw new UnsupportedOperationException("a task's exception is its coroutine's");
    }

    @Override
    public boolean cancel(@Nullable String message) {
        if (isDone()) {
            return false;
        }
        cancelRequests++;
        if (waitingOn != null && waitingOn.cancel(message)) {
            return true;
        }
        mustCancel = true;
        cancelMessage = message;
        return true;
    }

    @Override
    public void addDoneCallback(Consumer<? super Future<T>> callback) {
        addDoneCallback(callback, Context.copyCurrent());
    }

    @Override
    public void addDoneCallback(Consumer<? super Future<T>> callback, Context context) {
        if (isDone()) {
            loop.callSoon(() -> callback.accept(this), context);
        } else {
            callbacks.add(callback);
            callbackContexts.add(context);
        }
    }

    @Override
    public int removeDoneCallback(Consumer<? super Future<T>> callback) {
        int removed = 0;
        for (int i = callbacks.size() - 1; i >= 0; i--) {
            if (callbacks.get(i).equals(callback)) {
                callbacks.remove(i);
                callbackContexts.remove(i);
                removed++;
            }
        }
        return removed;
    }

    @Override
    public List<StackTraceElement> sourceTraceback() {
        return List.of();
    }

    @Override
    public String getName() {
        return name;
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
    public int cancelling() {
        return cancelRequests;
    }

    @Override
    public int uncancel() {
        if (cancelRequests > 0 && --cancelRequests == 0) {
            mustCancel = false;
        }
        return cancelRequests;
    }

    @Override
    public List<StackTraceElement> getStack() {
        return List.of();
    }

    @Override
    public void printStack(PrintStream out) {
        out.println("No stack for " + this);
    }

    @Override
    public String toString() {
        return "ThirdPartyTask[" + name + ", " + state + "]";
    }
}
