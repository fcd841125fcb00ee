package dev.asyncloop;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;
import java.util.Optional;
import jdk.internal.vm.Continuation;
import jdk.internal.vm.ContinuationScope;
import org.jspecify.annotations.Nullable;

/**
 * Coroutines on {@code jdk.internal.vm.Continuation}: about 100 ns per suspend and resume.
 *
 * <p>This is the only class that touches that JDK-internal API. Its coroutine class calls it directly (the module
 * is compiled with {@code --add-exports java.base/jdk.internal.vm=ALL-UNNAMED}, see {@code spi/pom.xml}; a
 * constructor method handle made every task's continuation through {@code DirectMethodHandle.allocateInstance},
 * and creating tasks is 16% faster without it, while switches cost the same); it is usable when the JVM
 * runs with that flag too (or {@code =dev.asyncloop} on the module path). Without it the static initializer's
 * access probe fails, {@link #create()} answers empty, and the coroutine class, the only one that links against
 * the internal API, is never loaded. A body suspended while pinned (inside a native frame) fails with the JDK's
 * {@code IllegalStateException}.
 */
final class ContinuationEngine extends CoroutineEngine {
    /** The JVM flag that enables this engine, naming this module on the module path, ALL-UNNAMED on the class path. */
    static final String FLAG = "--add-exports java.base/jdk.internal.vm="
            + (ContinuationEngine.class.getModule().isNamed() ? ContinuationEngine.class.getModule().getName()
                    : "ALL-UNNAMED");

    private static final @Nullable String CAUSE;

    static {
        String cause = null;
        try {
            // What the coroutine class links against, looked up from here: IllegalAccessException when the
            // package is not exported to this module, where a direct call would throw IllegalAccessError.
            Class<?> continuation = Class.forName("jdk.internal.vm.Continuation");
            Class<?> scopeClass = Class.forName("jdk.internal.vm.ContinuationScope");
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            lookup.findConstructor(scopeClass, MethodType.methodType(void.class, String.class));
            lookup.findConstructor(continuation, MethodType.methodType(void.class, scopeClass, Runnable.class));
            lookup.findVirtual(continuation, "run", MethodType.methodType(void.class));
            lookup.findStatic(continuation, "yield", MethodType.methodType(boolean.class, scopeClass));
            lookup.findVirtual(continuation, "getStackTrace", MethodType.methodType(StackTraceElement[].class));
        } catch (IllegalAccessException e) {
            cause = "the JVM does not export jdk.internal.vm to asyncloop; add " + FLAG;
        } catch (Throwable e) {
            cause = "this JDK has no usable jdk.internal.vm.Continuation (" + e + ")";
        }
        CAUSE = cause;
    }

    /**
     * The coroutine of this engine whose body runs on the calling thread, innermost first, or null: found through
     * the mounted continuation itself, which costs less than a thread-local lookup on every suspension.
     */
    static @Nullable EngineCoroutine<?> current() {
        return CAUSE == null ? ContinuationCoroutine.current() : null;
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
    <T extends @Nullable Object> EngineCoroutine<T> newCoroutine(AsyncCallable<T> body) {
        return new ContinuationCoroutine<>(body);
    }

    /* Runnable is the continuation's entry (run() = runBody()), which saves a bound lambda per coroutine. */
    private static final class ContinuationCoroutine<T> extends EngineCoroutine<T> implements Runnable {
        private static final ContinuationScope SCOPE = new ContinuationScope("asyncloop");
        private final Continuation continuation;

        ContinuationCoroutine(AsyncCallable<T> body) {
            super(body);
            this.continuation = new Owned(this);
        }

        /** A continuation that knows its coroutine, so that {@link #current()} needs no thread-local. */
        private static final class Owned extends Continuation {
            final ContinuationCoroutine<?> coroutine;

            Owned(ContinuationCoroutine<?> coroutine) {
                super(SCOPE, coroutine);
                this.coroutine = coroutine;
            }
        }

        static @Nullable EngineCoroutine<?> current() {
            return Continuation.getCurrentContinuation(SCOPE) instanceof Owned owned ? owned.coroutine : null;
        }

        @Override
        public void run() {
            runBody();
        }

        @Override
        void runUntilSuspended() {
            continuation.run();
        }

        @Override
        public List<StackTraceElement> stack() {
            if (!isSuspended()) {
                return List.of();
            }
            try {
                return bodyFrames(continuation.getStackTrace());
            } catch (Throwable e) {
                return List.of();
            }
        }

        @Override
        void park() {
            if (!Continuation.yield(SCOPE)) {
                throw new IllegalStateException("the coroutine could not suspend (pinned)");
            }
        }
    }
}
