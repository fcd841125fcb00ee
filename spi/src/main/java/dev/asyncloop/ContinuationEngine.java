package dev.asyncloop;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;
import java.util.Optional;

/**
 * Coroutines on {@code jdk.internal.vm.Continuation}: about 100 ns per suspend and resume.
 *
 * <p>This is the only class that touches that JDK-internal API. It is reached through method handles so the
 * code compiles with {@code --release}; it is usable when the JVM runs with
 * {@code --add-exports java.base/jdk.internal.vm=ALL-UNNAMED} (or {@code =dev.asyncloop} on the module path).
 * A body suspended while pinned (inside a native frame) fails with the JDK's {@code IllegalStateException}.
 */
final class ContinuationEngine extends CoroutineEngine {
    static final String FLAG = "--add-exports java.base/jdk.internal.vm=ALL-UNNAMED";

    private static final MethodHandle NEW_CONTINUATION;
    private static final MethodHandle RUN;
    private static final MethodHandle YIELD;
    private static final MethodHandle STACK;
    private static final Object SCOPE;
    private static final String CAUSE;

    static {
        MethodHandle create = null;
        MethodHandle run = null;
        MethodHandle yield = null;
        MethodHandle stack = null;
        Object scope = null;
        String cause = null;
        try {
            Class<?> continuation = Class.forName("jdk.internal.vm.Continuation");
            Class<?> scopeClass = Class.forName("jdk.internal.vm.ContinuationScope");
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            scope = lookup.findConstructor(scopeClass, MethodType.methodType(void.class, String.class))
                    .invoke("asyncloop");
            create = lookup.findConstructor(continuation,
                            MethodType.methodType(void.class, scopeClass, Runnable.class))
                    .asType(MethodType.methodType(Object.class, Object.class, Runnable.class));
            run = lookup.findVirtual(continuation, "run", MethodType.methodType(void.class))
                    .asType(MethodType.methodType(void.class, Object.class));
            yield = lookup.findStatic(continuation, "yield", MethodType.methodType(boolean.class, scopeClass))
                    .asType(MethodType.methodType(boolean.class, Object.class));
            stack = lookup.findVirtual(continuation, "getStackTrace", MethodType.methodType(StackTraceElement[].class))
                    .asType(MethodType.methodType(StackTraceElement[].class, Object.class));
        } catch (IllegalAccessException e) {
            cause = "the JVM does not export jdk.internal.vm to asyncloop; add " + FLAG;
        } catch (Throwable e) {
            cause = "this JDK has no usable jdk.internal.vm.Continuation (" + e + ")";
        }
        NEW_CONTINUATION = create;
        RUN = run;
        YIELD = yield;
        STACK = stack;
        SCOPE = scope;
        CAUSE = cause;
    }

    static Optional<ContinuationEngine> create() {
        return CAUSE == null ? Optional.of(new ContinuationEngine()) : Optional.empty();
    }

    static String unavailabilityCause() {
        return CAUSE == null ? "available" : CAUSE;
    }

    @Override
    String name() {
        return "continuation";
    }

    @Override
    <T> EngineCoroutine<T> newCoroutine(AsyncCallable<T> body) {
        return new ContinuationCoroutine<>(body);
    }

    /* Runnable is the continuation's entry (run() = runBody()), which saves a bound lambda per coroutine. */
    private static final class ContinuationCoroutine<T> extends EngineCoroutine<T> implements Runnable {
        private final Object continuation;

        ContinuationCoroutine(AsyncCallable<T> body) {
            super(body);
            try {
                this.continuation = (Object) NEW_CONTINUATION.invokeExact(SCOPE, (Runnable) this);
            } catch (Throwable e) {
                throw new IllegalStateException("cannot create a continuation", e);
            }
        }

        @Override
        public void run() {
            runBody();
        }

        @Override
        void runUntilSuspended() {
            ThreadState state = ThreadState.get();
            EngineCoroutine<?> previous = state.coroutine;
            state.coroutine = this;
            try {
                RUN.invokeExact(continuation);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            } finally {
                state.coroutine = previous;
            }
        }

        @Override
        public List<StackTraceElement> stack() {
            if (!isSuspended()) {
                return List.of();
            }
            try {
                return bodyFrames((StackTraceElement[]) STACK.invokeExact(continuation));
            } catch (Throwable e) {
                return List.of();
            }
        }

        @Override
        void park() {
            try {
                boolean yielded = (boolean) YIELD.invokeExact(SCOPE);
                if (!yielded) {
                    throw new IllegalStateException("the coroutine could not suspend (pinned)");
                }
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
