package dev.asyncloop.tck.mutants;

import dev.asyncloop.Context;
import dev.asyncloop.EventLoop;
import dev.asyncloop.Future;
import dev.asyncloop.spi.BaseFuture;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Consumer;

/** Broken rule F3.2: schedules its done-callbacks (with callSoon, as it should) but newest first. */
final class ReversedCallbacksFuture<T> extends BaseFuture<T> {
    private record Registration<T>(Consumer<? super Future<T>> callback, Context context) {
    }

    private final Deque<Registration<T>> callbacks = new ArrayDeque<>();

    ReversedCallbacksFuture(EventLoop loop) {
        super(loop);
    }

    @Override
    public void addDoneCallback(Consumer<? super Future<T>> callback, Context context) {
        if (isDone()) {
            getLoop().callSoon(() -> callback.accept(this), context);
        } else {
            callbacks.push(new Registration<>(callback, context));
        }
    }

    @Override
    public int removeDoneCallback(Consumer<? super Future<T>> callback) {
        int before = callbacks.size();
        callbacks.removeIf(r -> r.callback().equals(callback));
        return before - callbacks.size();
    }

    @Override
    public void setResult(T value) {
        super.setResult(value);
        schedule();
    }

    @Override
    public void setException(Throwable exception) {
        super.setException(exception);
        schedule();
    }

    @Override
    public boolean cancel(String message) {
        boolean done = super.cancel(message);
        if (done) {
            schedule();
        }
        return done;
    }

    private void schedule() {
        while (!callbacks.isEmpty()) {
            Registration<T> r = callbacks.pop();
            getLoop().callSoon(() -> r.callback().accept(this), r.context());
        }
    }
}
