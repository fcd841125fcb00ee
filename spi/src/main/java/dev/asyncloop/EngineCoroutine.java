package dev.asyncloop;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A straight-line coroutine: an {@link AsyncCallable} that suspends inside {@link Async#await}.
 *
 * <p>Implementation overview. States go NEW → (RUNNING ⇄ SUSPENDED)* → DONE. {@link #resume(Throwable)} runs the
 * body until it calls {@link #suspend(Step)} or ends; the engine subclass decides how the body's stack is
 * kept while suspended (a continuation, or a parked virtual thread). A value thrown in with
 * {@link #throwInto} is stored in {@code pendingThrow} and thrown by {@code suspend} when the body resumes.
 * {@link ThreadState#coroutine} names the coroutine whose body is running on this thread, which is how {@code await}
 * finds it.
 */
abstract class EngineCoroutine<T> implements Coroutine<T> {

    private static final int NEW = 0;
    private static final int RUNNING = 1;
    private static final int SUSPENDED = 2;
    private static final int DONE = 3;

    final AsyncCallable<T> body;
    private int state = NEW;
    @Nullable Step<T> suspendedAt;
    @Nullable Step<T> outcome;
    private @Nullable Throwable pendingThrow;

    EngineCoroutine(AsyncCallable<T> body) {
        this.body = body;
    }

    /** Runs the body until it suspends or ends; sets {@link #suspendedAt} or {@link #outcome}. */
    abstract void runUntilSuspended();

    /** Called by the body: parks it, hands {@code step} to the driver, returns when resumed. */
    abstract void park();

    @Override
    public final Step<T> send(@Nullable Object value) {
        return resume(null);
    }

    @Override
    public final Step<T> throwInto(Throwable error) {
        if (error == null) {
            throw new NullPointerException("error");
        }
        if (state == NEW) {
            state = DONE;
            outcome = new Threw<>(error);
            return outcome;
        }
        return resume(error);
    }

    @Override
    public final void close() {
        if (state != SUSPENDED) {
            if (state == NEW) {
                state = DONE;
            }
            return;
        }
        Step<T> step = resume(new CoroutineExit());
        if (step instanceof Threw<T>(Throwable error) && !(error instanceof CoroutineExit)) {
            if (error instanceof RuntimeException re) {
                throw re;
            }
            if (error instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("coroutine threw while closing", error);
        }
        if (!(step instanceof Threw<T>) && !(step instanceof Returned<T>)) {
            throw new IllegalStateException("coroutine suspended again while being closed: " + this);
        }
    }

    private Step<T> resume(@Nullable Throwable toThrow) {
        switch (state) {
            case DONE -> throw new IllegalStateException("cannot resume a coroutine that already ended: " + this);
            case RUNNING -> throw new IllegalStateException("coroutine is already running: " + this);
            default -> { }
        }
        pendingThrow = toThrow;
        suspendedAt = null;
        state = RUNNING;
        runUntilSuspended();
        if (outcome != null) {
            state = DONE;
            return outcome;
        }
        state = SUSPENDED;
        Step<T> step = Objects.requireNonNull(suspendedAt, "a coroutine that has not ended suspends with a step");
        suspendedAt = null; // the driver has it; a suspended coroutine need not keep it
        return step;
    }

    /** Runs the body to its end, recording the outcome; engines call it on the body's stack. */
    final void runBody() {
        Step<T> result;
        try {
            // The call comes first: "new Returned<>(body.call())" allocates the record before calling, and that
            // half-built object would stay in every suspended frame.
            T value = body.call();
            result = new Returned<>(value);
        } catch (Throwable t) {
            result = new Threw<>(t);
        }
        outcome = result;
    }

    /**
     * Called on the body's stack by await/sleep: suspends with {@code step}, then throws what was thrown in. A
     * {@link CancelledError} is thrown as a new one raised here, with the same message and the thrown one as its
     * cause: the task made it on the loop's stack, and Java, unlike Python, does not add the frames an exception
     * passes through, so only a new one shows where the body was when it was cancelled (rule T2.7).
     */
    final void suspend(Step<T> step) {
        suspendedAt = step;
        park();
        Throwable t = pendingThrow;
        if (t != null) {
            pendingThrow = null;
            if (t instanceof CancelledError cancelled) {
                CancelledError here = new CancelledError(cancelled.getMessage());
                here.initCause(cancelled);
                throw here;
            }
            throw EngineCoroutine.<RuntimeException>sneaky(t);
        }
    }

    @SuppressWarnings({"unchecked", "TypeParameterUnusedInFormals"}) // rethrows a checked exception unchecked
    private static <E extends Throwable> E sneaky(Throwable t) throws E {
        throw (E) t;
    }

    /** @return whether the body is parked inside {@code suspend}, so its frames can be listed */
    final boolean isSuspended() {
        return state == SUSPENDED;
    }

    /**
     * Keeps the body's own frames of a stack captured while it is parked: drops the engine's frames above the
     * body's await and the launcher's frames below the body.
     */
    static List<StackTraceElement> bodyFrames(StackTraceElement[] frames) {
        int first = 0;
        for (int i = 0; i < frames.length; i++) {
            // Cut right below the engine's suspend: whatever the parking machinery above it is doing (it may
            // still be handing control back when the stack is read), the body's frames start under it.
            if (frames[i].getClassName().equals(EngineCoroutine.class.getName())
                    && frames[i].getMethodName().equals("suspend")) {
                first = i + 1;
                break;
            }
        }
        while (first < frames.length && isEngineFrame(frames[first])) {
            first++;
        }
        int end = first;
        while (end < frames.length && !(frames[end].getClassName().equals(EngineCoroutine.class.getName())
                && frames[end].getMethodName().equals("runBody"))) {
            end++;
        }
        return List.of(frames).subList(first, end);
    }

    private static boolean isEngineFrame(StackTraceElement frame) {
        String c = frame.getClassName();
        return c.startsWith("jdk.internal.vm.") || c.startsWith("jdk.internal.misc.")
                || c.startsWith("java.util.concurrent.locks.")
                || c.startsWith("java.lang.VirtualThread") || c.equals("java.lang.Thread") || c.startsWith("java.lang.System$")
                || c.startsWith(EngineCoroutine.class.getName()) || c.startsWith(ContinuationEngine.class.getName())
                || c.startsWith(VirtualThreadEngine.class.getName()) || c.equals(Async.class.getName());
    }

    @Override
    public String toString() {
        return "Coroutine[" + body.getClass().getName() + ", " + switch (state) {
            case NEW -> "new";
            case RUNNING -> "running";
            case SUSPENDED -> "suspended";
            default -> "done";
        } + "]";
    }

    /** Thrown into a suspended body by {@link #close()}: Python's GeneratorExit. */
    static final class CoroutineExit extends Error {
        private static final long serialVersionUID = 1L;

        CoroutineExit() {
            super("coroutine closed", null, false, false);
        }
    }
}
