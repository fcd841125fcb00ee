package dev.asyncloop;

import java.time.Duration;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.concurrent.CompletionException;
import org.jspecify.annotations.Nullable;

/**
 * asyncio's {@code asyncio.timeout()} / {@code timeout_at()}: a deadline for the code of the current task.
 * When the deadline passes, the timeout cancels the task; when the code ends with the resulting
 * {@link CancelledError}, the timeout turns it into a {@link TimeoutError}.
 *
 * <p><b>Two forms.</b> The primary one runs a body and does everything asyncio does:
 * <pre>{@code
 * String page = Timeout.run(Duration.ofSeconds(2), () -> await(fetch(url)));   // or throws TimeoutError
 * }</pre>
 * The try-with-resources form lets the deadline be moved while the code runs, but Java does not let
 * {@link #close()} see or replace the exception leaving the {@code try} block, so the conversion is one line
 * the caller writes:
 * <pre>{@code
 * Timeout t = Timeout.after(Duration.ofSeconds(2));
 * try (t) {
 *     await(first);
 *     t.reschedule(loop.time() + 1);
 *     await(second);
 * } catch (CancelledError e) {
 *     throw t.convert(e);        // TimeoutError if this timeout caused e, else e itself
 * }
 * }</pre>
 * Without the {@code catch}, an expiry leaves the block as the {@link CancelledError} (after {@link #close()}
 * has withdrawn this timeout's cancel request) and, uncaught, cancels the task; {@link #expired()} tells
 * afterwards whether the deadline passed.
 *
 * <p><b>Whose cancellation.</b> On entry the timeout records {@link Task#cancelling()}. On exit after expiry it
 * calls {@link Task#uncancel()} once (withdrawing its own request) and converts only if the count is then no
 * higher than recorded: a cancellation requested by anyone else (another task, an outer timeout that expired
 * too) stays a cancellation. A timeout whose body finished normally never converts, even if it expired (the
 * body swallowed the cancellation, or the awaited task finished anyway).
 *
 * <p><b>Threads.</b> Create, use and close a timeout inside one task, on its loop's thread. The factories
 * enter the timeout at once (asyncio's {@code __aenter__}): they record the current task and schedule the
 * deadline with {@link EventLoop#callAt} on {@link EventLoop#time()}'s clock.
 */
public final class Timeout implements AutoCloseable {
    private enum State { ENTERED, EXPIRING, EXPIRED, EXITED }

    private final EventLoop loop;
    private final Task<?> task;
    private final int cancellingAtEntry;
    private State state = State.ENTERED;
    private OptionalDouble when;
    private @Nullable Handle handle;
    private boolean convertsCancellation;

    private Timeout(OptionalDouble when) {
        this.loop = Async.getRunningLoop();
        this.task = Async.currentTask(loop).orElseThrow(() -> new IllegalStateException(
                "Timeout should be used inside a task; call it from a task's body"));
        this.cancellingAtEntry = task.cancelling();
        schedule(when);
    }

    /**
     * Starts a timeout that expires {@code delay} from now ({@code asyncio.timeout(delay)}). A zero or
     * negative delay expires at the next loop iteration.
     *
     * @param delay how long, not null; use {@link #never()} for none
     * @return the entered timeout
     * @throws IllegalStateException if not called inside a task
     */
    public static Timeout after(Duration delay) {
        Objects.requireNonNull(delay, "delay (use Timeout.never() for no deadline)");
        EventLoop loop = Async.getRunningLoop();
        return new Timeout(OptionalDouble.of(loop.time() + seconds(delay)));
    }

    /**
     * Starts a timeout that expires at loop time {@code when} ({@code asyncio.timeout_at(when)}); a time in
     * the past expires at the next loop iteration.
     *
     * @param when a deadline on the clock of {@link EventLoop#time()}
     * @return the entered timeout
     * @throws IllegalStateException if not called inside a task
     */
    public static Timeout at(double when) {
        return new Timeout(OptionalDouble.of(when));
    }

    /**
     * Starts a timeout with no deadline ({@code asyncio.timeout(None)}); give it one later with
     * {@link #reschedule(double)}.
     *
     * @return the entered timeout
     * @throws IllegalStateException if not called inside a task
     */
    public static Timeout never() {
        return new Timeout(OptionalDouble.empty());
    }

    /**
     * Runs {@code body} in the current task with a deadline {@code delay} from now; the primary form.
     *
     * @param delay how long; null for no deadline
     * @param body the code, run inline in the current task (not in a new task)
     * @param <T> the result type
     * @return what the body returned, even if the deadline passed meanwhile and the body swallowed the
     *     cancellation
     * @throws TimeoutError if the deadline passed and the body ended with the resulting cancellation; its
     *     cause is that {@link CancelledError}
     * @throws CancelledError if the task was cancelled by anything else
     * @throws CompletionException wrapping a checked exception of the body; unchecked ones pass as they are.
     *     When this timeout expired and the body ended with another exception, a {@link TimeoutError} is
     *     added to it as suppressed (asyncio 3.13 chains it as the context)
     * @throws IllegalStateException if not called inside a task
     */
    public static <T extends @Nullable Object> T run(@Nullable Duration delay, AsyncCallable<T> body) {
        Objects.requireNonNull(body, "body");
        return (delay == null ? never() : after(delay)).runBody(body);
    }

    /**
     * Like {@link #run(Duration, AsyncCallable)} with an absolute deadline on the loop's clock.
     *
     * @param when the deadline
     * @param body the code
     * @param <T> the result type
     * @return what the body returned
     * @throws TimeoutError if the deadline passed and the body ended with the resulting cancellation
     */
    public static <T extends @Nullable Object> T runAt(double when, AsyncCallable<T> body) {
        Objects.requireNonNull(body, "body");
        return at(when).runBody(body);
    }

    /**
     * Returns the deadline.
     *
     * @return the loop time it expires at, or empty for none
     */
    public OptionalDouble when() {
        return when;
    }

    /**
     * Moves the deadline ({@code Timeout.reschedule}); a time in the past expires at the next loop iteration.
     *
     * @param when the new deadline on the loop's clock
     * @throws IllegalStateException if the timeout already expired or was closed
     */
    public void reschedule(double when) {
        reschedule(OptionalDouble.of(when));
    }

    /**
     * Moves the deadline, or removes it with an empty value.
     *
     * @param when the new deadline on the loop's clock, or empty for none
     * @throws IllegalStateException if the timeout already expired or was closed
     */
    public void reschedule(OptionalDouble when) {
        Objects.requireNonNull(when, "when (use OptionalDouble.empty() for no deadline)");
        if (state != State.ENTERED) {
            throw new IllegalStateException("Cannot change state of " + describe() + " Timeout");
        }
        schedule(when);
    }

    /**
     * Tells whether the deadline passed while the timeout was active (it then cancelled the task).
     *
     * @return true once expired, also after {@link #close()}
     */
    public boolean expired() {
        return state == State.EXPIRING || state == State.EXPIRED;
    }

    /**
     * Ends the timeout: cancels the pending deadline; after an expiry, withdraws this timeout's cancel request
     * with {@link Task#uncancel()} and records whether the cancellation was this timeout's alone (then
     * {@link #convert} converts). Closing again does nothing.
     *
     * <p>Never throws: unlike asyncio's {@code __aexit__}, it cannot see or replace the exception leaving a
     * try-with-resources block; see {@link #convert}.
     */
    @Override
    public void close() {
        if (state == State.EXPIRED || state == State.EXITED) {
            return;
        }
        if (handle != null) {
            handle.cancel();
            handle = null;
        }
        if (state == State.EXPIRING) {
            state = State.EXPIRED;
            convertsCancellation = task.uncancel() <= cancellingAtEntry;
        } else {
            state = State.EXITED;
        }
    }

    /**
     * Converts the {@link CancelledError} that left the try-with-resources block of this timeout: call it from
     * {@code catch (CancelledError e) { throw t.convert(e); }}, after the timeout is closed.
     *
     * @param error the cancellation the block ended with
     * @return a {@link TimeoutError} caused by {@code error} if this timeout expired and no other cancel
     *     request is pending; otherwise {@code error} itself
     * @throws IllegalStateException if the timeout is still open (the catch of the try-with-resources statement
     *     runs after close, so this means it is called inside the block)
     */
    public RuntimeException convert(CancelledError error) {
        Objects.requireNonNull(error, "error");
        if (state == State.ENTERED || state == State.EXPIRING) {
            throw new IllegalStateException("convert() is for the catch clause after the timeout is closed;"
                    + " the timeout is still " + describe());
        }
        return convertsCancellation ? timeoutError(error) : error;
    }

    @Override
    public String toString() {
        return "Timeout[" + describe() + (state == State.ENTERED && when.isPresent() ? ", when=" + when.getAsDouble()
                : "") + "]";
    }

    private <T extends @Nullable Object> T runBody(AsyncCallable<T> body) {
        T result;
        try {
            result = body.call();
        } catch (CancelledError e) {
            close();
            throw convert(e);
        } catch (RuntimeException e) {
            close();
            throw withTimeoutNote(e);
        } catch (Error e) {
            close();
            throw withTimeoutNote(e);
        } catch (Exception e) {
            close();
            throw withTimeoutNote(new CompletionException(e));
        }
        close();
        return result;
    }

    private <E extends Throwable> E withTimeoutNote(E error) {
        if (convertsCancellation) {
            error.addSuppressed(new TimeoutError("the timeout expired while the body was failing", null));
        }
        return error;
    }

    private void schedule(OptionalDouble newWhen) {
        this.when = newWhen;
        if (handle != null) {
            handle.cancel();
            handle = null;
        }
        if (newWhen.isPresent()) {
            double deadline = newWhen.getAsDouble();
            handle = deadline <= loop.time() ? loop.callSoon(this::onTimeout) : loop.callAt(deadline, this::onTimeout);
        }
    }

    private void onTimeout() {
        handle = null;
        if (state != State.ENTERED) {
            return;
        }
        task.cancel();
        state = State.EXPIRING;
    }

    private String describe() {
        return switch (state) {
            case ENTERED -> "active";
            case EXPIRING -> "expiring";
            case EXPIRED -> "expired";
            case EXITED -> "finished";
        };
    }

    private static TimeoutError timeoutError(CancelledError cause) {
        return new TimeoutError("the timeout expired", cause);
    }

    static double seconds(Duration d) {
        return d.getSeconds() + d.getNano() / 1e9;
    }
}
