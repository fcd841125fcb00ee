package dev.asyncloop.tck.mutants;

import dev.asyncloop.Context;
import dev.asyncloop.EventLoop;
import dev.asyncloop.Future;
import dev.asyncloop.spi.BaseFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Broken rule F3.1: calls its done-callbacks inline, inside setResult/setException/cancel/addDoneCallback. */
final class InlineFuture<T> extends BaseFuture<T> {
    private final List<Consumer<? super Future<T>>> callbacks = new ArrayList<>();

    InlineFuture(EventLoop loop) {
        super(loop);
    }

    @Override
    public void addDoneCallback(Consumer<? super Future<T>> callback, Context context) {
        if (isDone()) {
            context.run(() -> callback.accept(this));
        } else {
            callbacks.add(callback);
        }
    }

    @Override
    public int removeDoneCallback(Consumer<? super Future<T>> callback) {
        int before = callbacks.size();
        callbacks.removeIf(callback::equals);
        return before - callbacks.size();
    }

    @Override
    public void setResult(T value) {
        super.setResult(value);
        fire();
    }

    @Override
    public void setException(Throwable exception) {
        super.setException(exception);
        fire();
    }

    @Override
    public boolean cancel(String message) {
        boolean done = super.cancel(message);
        if (done) {
            fire();
        }
        return done;
    }

    private void fire() {
        List<Consumer<? super Future<T>>> now = List.copyOf(callbacks);
        callbacks.clear();
        for (Consumer<? super Future<T>> c : now) {
            c.accept(this);
        }
    }
}
