package dev.asyncloop;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What {@link EventLoop#callExceptionHandler} reports: asyncio's exception-handler context dict as a typed,
 * immutable object.
 *
 * <p>The keys asyncio documents are fields here ({@code message}, {@code exception}, {@code future},
 * {@code task}, {@code handle}, {@code protocol}, {@code transport}, {@code socket}, {@code source_traceback},
 * {@code handle_traceback}, and {@code context} for the original report when a custom handler failed);
 * anything else goes into {@link #extras()}.
 */
public final class ExceptionContext {
    private final String message;
    private final @Nullable Throwable exception;
    private final @Nullable Future<?> future;
    private final @Nullable Task<?> task;
    private final @Nullable Handle handle;
    private final @Nullable Object protocol;
    private final @Nullable Object transport;
    private final @Nullable Object socket;
    private final List<StackTraceElement> sourceTraceback;
    private final List<StackTraceElement> handleTraceback;
    private final @Nullable ExceptionContext original;
    private final Map<String, Object> extras;

    private ExceptionContext(Builder b) {
        this.message = b.message;
        this.exception = b.exception;
        this.future = b.future;
        this.task = b.task;
        this.handle = b.handle;
        this.protocol = b.protocol;
        this.transport = b.transport;
        this.socket = b.socket;
        this.sourceTraceback = List.copyOf(b.sourceTraceback);
        this.handleTraceback = List.copyOf(b.handleTraceback);
        this.original = b.original;
        this.extras = Map.copyOf(b.extras);
    }

    /**
     * Starts a context with a message.
     *
     * @param message what happened, not null
     * @return a builder
     */
    public static Builder builder(String message) {
        return new Builder(message);
    }

    /**
     * Returns what happened.
     *
     * @return what happened
     */
    public String message() {
        return message;
    }

    /**
     * Returns the exception, if one caused the report.
     *
     * @return the exception, if one caused the report
     */
    public Optional<Throwable> exception() {
        return Optional.ofNullable(exception);
    }

    /**
     * Returns the future concerned, if any.
     *
     * @return the future concerned, if any
     */
    public Optional<Future<?>> future() {
        return Optional.ofNullable(future);
    }

    /**
     * Returns the task concerned, if any.
     *
     * @return the task concerned, if any
     */
    public Optional<Task<?>> task() {
        return Optional.ofNullable(task);
    }

    /**
     * Returns the handle whose callback failed, if any.
     *
     * @return the handle whose callback failed, if any
     */
    public Optional<Handle> handle() {
        return Optional.ofNullable(handle);
    }

    /**
     * Returns the protocol concerned, if any.
     *
     * @return the protocol concerned, if any
     */
    public Optional<Object> protocol() {
        return Optional.ofNullable(protocol);
    }

    /**
     * Returns the transport concerned, if any.
     *
     * @return the transport concerned, if any
     */
    public Optional<Object> transport() {
        return Optional.ofNullable(transport);
    }

    /**
     * Returns the socket or channel concerned, if any.
     *
     * @return the socket or channel concerned, if any
     */
    public Optional<Object> socket() {
        return Optional.ofNullable(socket);
    }

    /**
     * Returns where the future, task or handle was created (debug mode only), else empty.
     *
     * @return where the future, task or handle was created (debug mode only), else empty
     */
    public List<StackTraceElement> sourceTraceback() {
        return sourceTraceback;
    }

    /**
     * Returns where the handle running when the report was made was created (debug mode only), else empty.
     *
     * @return where the handle running when the report was made was created (debug mode only), else empty
     */
    public List<StackTraceElement> handleTraceback() {
        return handleTraceback;
    }

    /**
     * Returns the report a custom handler failed on, when this report is about that failure.
     *
     * @return the report a custom handler failed on, when this report is about that failure
     */
    public Optional<ExceptionContext> originalContext() {
        return Optional.ofNullable(original);
    }

    /**
     * Returns any further keys, in insertion order of the builder.
     *
     * @return any further keys, in insertion order of the builder
     */
    public Map<String, Object> extras() {
        return extras;
    }

    /**
     * Returns a builder holding this context's values, to derive a changed copy.
     *
     * @return a builder
     */
    public Builder toBuilder() {
        Builder b = new Builder(message);
        b.exception = exception;
        b.future = future;
        b.task = task;
        b.handle = handle;
        b.protocol = protocol;
        b.transport = transport;
        b.socket = socket;
        b.sourceTraceback = sourceTraceback;
        b.handleTraceback = handleTraceback;
        b.original = original;
        b.extras.putAll(extras);
        return b;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(message);
        exception().ifPresent(e -> sb.append("\nexception: ").append(e));
        future().ifPresent(f -> sb.append("\nfuture: ").append(f));
        task().ifPresent(t -> sb.append("\ntask: ").append(t));
        handle().ifPresent(h -> sb.append("\nhandle: ").append(h));
        protocol().ifPresent(p -> sb.append("\nprotocol: ").append(p));
        transport().ifPresent(t -> sb.append("\ntransport: ").append(t));
        socket().ifPresent(s -> sb.append("\nsocket: ").append(s));
        extras.forEach((k, v) -> sb.append('\n').append(k).append(": ").append(v));
        return sb.toString();
    }

    /** Builds an {@link ExceptionContext}. Not thread-safe. */
    public static final class Builder {
        private final String message;
        private @Nullable Throwable exception;
        private @Nullable Future<?> future;
        private @Nullable Task<?> task;
        private @Nullable Handle handle;
        private @Nullable Object protocol;
        private @Nullable Object transport;
        private @Nullable Object socket;
        private List<StackTraceElement> sourceTraceback = List.of();
        private List<StackTraceElement> handleTraceback = List.of();
        private @Nullable ExceptionContext original;
        private final Map<String, Object> extras = new LinkedHashMap<>();

        private Builder(String message) {
            this.message = Objects.requireNonNull(message, "message");
        }

        /**
         * Sets the exception.
         *
         * @param e the exception; may be null
         * @return this builder
         */
        public Builder exception(@Nullable Throwable e) {
            this.exception = e;
            return this;
        }

        /**
         * Sets the future.
         *
         * @param f the future; may be null
         * @return this builder
         */
        public Builder future(@Nullable Future<?> f) {
            this.future = f;
            return this;
        }

        /**
         * Sets the task.
         *
         * @param t the task; may be null
         * @return this builder
         */
        public Builder task(@Nullable Task<?> t) {
            this.task = t;
            return this;
        }

        /**
         * Sets the handle.
         *
         * @param h the handle; may be null
         * @return this builder
         */
        public Builder handle(@Nullable Handle h) {
            this.handle = h;
            return this;
        }

        /**
         * Sets the protocol.
         *
         * @param p the protocol; may be null
         * @return this builder
         */
        public Builder protocol(@Nullable Object p) {
            this.protocol = p;
            return this;
        }

        /**
         * Sets the transport.
         *
         * @param t the transport; may be null
         * @return this builder
         */
        public Builder transport(@Nullable Object t) {
            this.transport = t;
            return this;
        }

        /**
         * Sets the socket or channel.
         *
         * @param s the socket or channel; may be null
         * @return this builder
         */
        public Builder socket(@Nullable Object s) {
            this.socket = s;
            return this;
        }

        /**
         * Sets the creation stack of the future, task or handle.
         *
         * @param frames creation stack, not null
         * @return this builder
         */
        public Builder sourceTraceback(List<StackTraceElement> frames) {
            this.sourceTraceback = Objects.requireNonNull(frames, "frames");
            return this;
        }

        /**
         * Sets the running handle's creation stack.
         *
         * @param frames the running handle's creation stack, not null
         * @return this builder
         */
        public Builder handleTraceback(List<StackTraceElement> frames) {
            this.handleTraceback = Objects.requireNonNull(frames, "frames");
            return this;
        }

        /**
         * Sets the report a custom handler failed on.
         *
         * @param context the report a custom handler failed on; may be null
         * @return this builder
         */
        public Builder originalContext(@Nullable ExceptionContext context) {
            this.original = context;
            return this;
        }

        /**
         * Adds a key asyncio's dict would carry but this class has no field for.
         *
         * @param key the key, not null
         * @param value the value, not null
         * @return this
         */
        public Builder extra(String key, Object value) {
            extras.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Builds the context.
         *
         * @return the immutable context
         */
        public ExceptionContext build() {
            return new ExceptionContext(this);
        }
    }
}
