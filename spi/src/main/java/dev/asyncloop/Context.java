package dev.asyncloop;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * asyncio's {@code contextvars.Context}: a mapping of {@link ContextVar}s to values, entered with
 * {@link #run(Runnable)}.
 *
 * <p>Every thread has a current context. {@link ContextVar#set} changes the current context; a
 * {@code Context} entered with {@code run} therefore keeps the changes made inside it, which is how a
 * {@link Task} keeps its variables across its steps. {@link #copyCurrent()} takes a snapshot: later
 * changes to either copy do not show in the other. The loop runs every callback inside the context it was
 * scheduled with (rule C1.1), and every task captures one context at creation (C1.2).
 *
 * <p>Not thread-safe: a context is entered by one thread at a time; entering a context that is already
 * entered throws {@link IllegalStateException}, as in Python. The check is exact on one thread; two threads
 * entering the same context at once are a misuse it may not see (the flag is a plain field, read on every
 * callback the loop runs).
 */
public final class Context {
    /* The map is never mutated in place: a set replaces it, so a copy is O(1) and snapshots stay stable. */
    private Map<ContextVar<?>, Object> vars;
    private boolean entered;

    /** Creates an empty context. */
    public Context() {
        this.vars = Map.of();
    }

    private Context(Map<ContextVar<?>, Object> vars) {
        this.vars = vars;
    }

    /**
     * Returns a snapshot of the calling thread's current context (asyncio's {@code copy_context()}).
     *
     * @return a new context holding the same values as the current one
     */
    public static Context copyCurrent() {
        return ThreadState.get().context.copy();
    }

    /**
     * Returns a shallow copy of this context: the same values, changed independently from now on.
     *
     * @return the copy
     */
    public Context copy() {
        return new Context(vars);
    }

    /**
     * Runs {@code action} with this context as the calling thread's current context, then restores the
     * previous one.
     *
     * @param action what to run
     * @throws IllegalStateException if this context is already entered (see the class comment for threads)
     */
    public void run(Runnable action) {
        Objects.requireNonNull(action, "action");
        ThreadState state = ThreadState.get();
        Context previous = enter(state);
        try {
            action.run();
        } finally {
            exit(state, previous);
        }
    }

    /**
     * Calls {@code action} with this context as the calling thread's current context and returns its result.
     *
     * @param action what to call
     * @param <T> the result type
     * @return the action's result
     * @throws IllegalStateException if this context is already entered
     */
    public <T extends @Nullable Object> T call(Supplier<T> action) {
        Objects.requireNonNull(action, "action");
        ThreadState state = ThreadState.get();
        Context previous = enter(state);
        try {
            return action.get();
        } finally {
            exit(state, previous);
        }
    }

    /**
     * Calls a {@link Callable} with this context as the current one; checked exceptions pass through.
     *
     * @param action what to call
     * @param <T> the result type
     * @return the action's result
     * @throws Exception whatever {@code action} throws
     */
    public <T extends @Nullable Object> T callChecked(Callable<T> action) throws Exception {
        Objects.requireNonNull(action, "action");
        ThreadState state = ThreadState.get();
        Context previous = enter(state);
        try {
            return action.call();
        } finally {
            exit(state, previous);
        }
    }

    /**
     * Returns the value this context holds for {@code var}, ignoring the variable's default.
     *
     * @param var the variable
     * @param <T> its type
     * @return the value, or empty if this context has none for {@code var}
     */
    @SuppressWarnings("unchecked")
    public <T> Optional<T> get(ContextVar<T> var) {
        return Optional.ofNullable((T) vars.get(Objects.requireNonNull(var, "var")));
    }

    /**
     * Tells whether this context holds a value for {@code var}.
     *
     * @param var the variable
     * @return true if a value is set
     */
    public boolean contains(ContextVar<?> var) {
        return vars.containsKey(Objects.requireNonNull(var, "var"));
    }

    /**
     * Returns the variables that hold a value in this context.
     *
     * @return an unmodifiable snapshot
     */
    public Set<ContextVar<?>> vars() {
        return Set.copyOf(vars.keySet());
    }

    /**
     * Returns how many variables hold a value here.
     *
     * @return the count
     */
    public int size() {
        return vars.size();
    }

    /**
     * Tells whether this context is entered: inside a {@link #run} on some thread.
     *
     * @return true while entered (exact for the thread that entered it; another thread may see a stale value)
     */
    public boolean isEntered() {
        return entered;
    }

    @Override
    public String toString() {
        return "Context" + vars;
    }

    static Context current() {
        return ThreadState.get().context;
    }

    /** Makes {@code context} current on this thread without the entered check; the virtual-thread engine's hand-off. */
    static Context swapCurrent(Context context) {
        ThreadState state = ThreadState.get();
        Context previous = state.context;
        state.context = context;
        return previous;
    }

    @Nullable Object rawGet(ContextVar<?> var) {
        return vars.get(var);
    }

    void rawPut(ContextVar<?> var, @Nullable Object value) {
        Map<ContextVar<?>, Object> next = new HashMap<>(vars);
        if (value == null) {
            next.remove(var);
        } else {
            next.put(var, value);
        }
        vars = next.isEmpty() ? Map.of() : next;
    }

    private Context enter(ThreadState state) {
        if (entered) {
            throw new IllegalStateException("cannot enter context: " + this + " is already entered");
        }
        entered = true;
        Context previous = state.context;
        state.context = this;
        return previous;
    }

    private void exit(ThreadState state, Context previous) {
        state.context = previous;
        entered = false;
    }
}
