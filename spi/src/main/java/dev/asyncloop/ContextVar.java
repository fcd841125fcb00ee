package dev.asyncloop;

import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * asyncio's {@code contextvars.ContextVar}: a variable whose value lives in the current {@link Context}.
 *
 * <p>A task sees the values of the context it captured when it was created; what it sets stays in that
 * context and does not leak to the task that created it (rule C1.3). Values may not be {@code null}:
 * "no value" is what {@link #reset(Token)} restores.
 *
 * <p>Identity semantics: two variables with the same name are different variables.
 *
 * @param <T> the value type
 */
public final class ContextVar<T> {
    private final String name;
    private final @Nullable T defaultValue;

    private ContextVar(String name, @Nullable T defaultValue) {
        this.name = Objects.requireNonNull(name, "name");
        this.defaultValue = defaultValue;
    }

    /**
     * Creates a variable with no default: {@link #get()} throws until a value is set.
     *
     * @param name a name for messages and {@code toString}
     * @param <T> the value type
     * @return the variable
     */
    public static <T> ContextVar<T> of(String name) {
        return new ContextVar<>(name, null);
    }

    /**
     * Creates a variable whose {@link #get()} returns {@code defaultValue} when the context holds none.
     *
     * @param name a name for messages and {@code toString}
     * @param defaultValue the default, not null
     * @param <T> the value type
     * @return the variable
     */
    public static <T> ContextVar<T> withDefault(String name, T defaultValue) {
        return new ContextVar<>(name, Objects.requireNonNull(defaultValue, "defaultValue"));
    }

    /**
     * Returns the variable's name.
     *
     * @return the name given at creation
     */
    public String name() {
        return name;
    }

    /**
     * Returns the value in the current context, else the default.
     *
     * @return the value
     * @throws NoSuchElementException if there is neither a value nor a default (Python's LookupError)
     */
    public T get() {
        @SuppressWarnings("unchecked")
        T value = (T) Context.current().rawGet(this);
        if (value != null) {
            return value;
        }
        if (defaultValue != null) {
            return defaultValue;
        }
        throw new NoSuchElementException("ContextVar '" + name + "' has no value in the current context and no default;"
                + " set it first or create it with ContextVar.withDefault");
    }

    /**
     * Returns the value in the current context, else {@code fallback} (the variable's default is ignored).
     *
     * @param fallback returned when the current context holds no value; may be null
     * @return the value or {@code fallback}
     */
    @SuppressWarnings("unchecked")
    public @Nullable T get(@Nullable T fallback) {
        T value = (T) Context.current().rawGet(this);
        return value != null ? value : fallback;
    }

    /**
     * Returns the value in the current context, if any (the default is ignored).
     *
     * @return the value, or empty
     */
    @SuppressWarnings("unchecked")
    public Optional<T> find() {
        return Optional.ofNullable((T) Context.current().rawGet(this));
    }

    /**
     * Sets the value in the current context.
     *
     * @param value the new value, not null
     * @return a token that {@link #reset(Token)} takes to restore the previous value
     */
    public Token<T> set(T value) {
        Objects.requireNonNull(value, "value");
        Context context = Context.current();
        @SuppressWarnings("unchecked")
        T old = (T) context.rawGet(this);
        context.rawPut(this, value);
        return new Token<>(this, context, old);
    }

    /**
     * Restores the value this variable had before the {@link #set} that returned {@code token}.
     *
     * @param token the token from {@link #set}
     * @throws IllegalStateException if the token was already used
     * @throws IllegalArgumentException if the token belongs to another variable or was created in another context
     */
    public void reset(Token<T> token) {
        Objects.requireNonNull(token, "token");
        if (token.used) {
            throw new IllegalStateException("Token has already been used once: " + token);
        }
        if (token.var != this) {
            throw new IllegalArgumentException("Token " + token + " was created by a different ContextVar than " + this);
        }
        Context context = Context.current();
        if (token.context != context) {
            throw new IllegalArgumentException("Token " + token + " was created in a different Context");
        }
        context.rawPut(this, token.oldValue);
        token.used = true;
    }

    @Override
    public String toString() {
        return "ContextVar[" + name + (defaultValue != null ? ", default=" + defaultValue : "") + "]";
    }

    /**
     * What {@link ContextVar#set} returns: enough to undo that set with {@link ContextVar#reset}.
     *
     * @param <T> the variable's value type
     */
    public static final class Token<T> {
        private final ContextVar<T> var;
        private final Context context;
        private final @Nullable T oldValue;
        private boolean used;

        private Token(ContextVar<T> var, Context context, @Nullable T oldValue) {
            this.var = var;
            this.context = context;
            this.oldValue = oldValue;
        }

        /**
         * Returns the variable this token belongs to.
         *
         * @return the variable
         */
        public ContextVar<T> var() {
            return var;
        }

        /**
         * Returns the value before the set, if there was one.
         *
         * @return the old value, or empty if the variable had none (Python's {@code Token.MISSING})
         */
        public Optional<T> oldValue() {
            return Optional.ofNullable(oldValue);
        }

        @Override
        public String toString() {
            return "Token[" + var.name() + (used ? ", used" : "") + "]";
        }
    }
}
