package dev.asyncloop.tck;

import dev.asyncloop.Coroutine;
import dev.asyncloop.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A coroutine written by hand, without a coroutine engine: the first {@link #send} awaits {@code future},
 * the second returns {@code then.apply(future.result())}. It shows that a task drives any {@link Coroutine},
 * not only those of {@link Coroutine#of}. Records every call in {@link #calls} (as "send", "throw ..." and
 * "close"). Loop thread only, like every coroutine.
 */
final class AwaitOnceCoroutine<F extends @Nullable Object, T extends @Nullable Object> implements Coroutine<T> {
    private enum State { NEW, SUSPENDED, DONE }

    final List<String> calls = new ArrayList<>();
    private final Future<F> future;
    private final Function<F, T> then;
    private State state = State.NEW;

    AwaitOnceCoroutine(Future<F> future, Function<F, T> then) {
        this.future = Objects.requireNonNull(future, "future");
        this.then = Objects.requireNonNull(then, "then");
    }

    @Override
    public Step<T> send(@Nullable Object value) {
        calls.add("send");
        return switch (state) {
            case NEW -> {
                state = State.SUSPENDED;
                yield new Awaiting<>(future);
            }
            case SUSPENDED -> {
                state = State.DONE;
                try {
                    yield new Returned<>(then.apply(future.result()));
                } catch (RuntimeException e) {
                    yield new Threw<>(e);
                }
            }
            case DONE -> throw new IllegalStateException("coroutine already ended");
        };
    }

    @Override
    public Step<T> throwInto(Throwable error) {
        calls.add("throw " + error.getClass().getSimpleName());
        if (state == State.DONE) {
            throw new IllegalStateException("coroutine already ended");
        }
        state = State.DONE;
        return new Threw<>(error);
    }

    @Override
    public void close() {
        calls.add("close");
        state = State.DONE;
    }
}
