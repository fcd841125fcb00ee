package dev.asyncloop;

import java.lang.System.Logger.Level;
import org.jspecify.annotations.Nullable;

/**
 * Picks and holds the engine that runs straight-line coroutines.
 *
 * <p>{@code -Dasyncloop.coroutines=continuation|virtual} forces one; unset, the continuation engine is used
 * when the JVM exports {@code jdk.internal.vm}, else the virtual-thread engine with one WARNING naming the
 * flag. Forcing an unavailable engine, or naming an unknown one, fails every {@link Coroutine#of} with the
 * reason.
 */
abstract class CoroutineEngine {
    static final String PROPERTY = "asyncloop.coroutines";
    private static final System.Logger LOG = System.getLogger("dev.asyncloop");
    private static volatile @Nullable CoroutineEngine engine;
    private static volatile @Nullable RuntimeException failure;

    abstract String name();

    abstract <T extends @Nullable Object> EngineCoroutine<T> newCoroutine(AsyncCallable<T> body);

    static CoroutineEngine get() {
        CoroutineEngine e = engine;
        if (e != null) {
            return e;
        }
        return choose();
    }

    // The choice is made once: the first failure is kept, and each later caller gets a new exception of its kind
    // and message, caused by it (a shared instance would carry the first caller's stack and anyone's suppressed).
    @SuppressWarnings("StaticAssignmentOfThrowable")
    private static synchronized CoroutineEngine choose() {
        if (engine != null) {
            return engine;
        }
        RuntimeException first = failure;
        if (first != null) {
            throw first instanceof IllegalArgumentException
                    ? new IllegalArgumentException(first.getMessage(), first)
                    : new IllegalStateException(first.getMessage(), first);
        }
        String wanted = System.getProperty(PROPERTY, "").strip();
        try {
            engine = switch (wanted) {
                case "continuation" -> ContinuationEngine.create().orElseThrow(() -> new IllegalStateException(
                        "-D" + PROPERTY + "=continuation, but the continuation engine is unavailable: "
                                + ContinuationEngine.unavailabilityCause()));
                case "virtual" -> new VirtualThreadEngine();
                case "" -> ContinuationEngine.create().map(CoroutineEngine.class::cast).orElseGet(() -> {
                    LOG.log(Level.WARNING, "asyncloop runs coroutines on virtual threads (about 10x slower per"
                            + " switch): " + ContinuationEngine.unavailabilityCause());
                    return new VirtualThreadEngine();
                });
                default -> throw new IllegalArgumentException("-D" + PROPERTY + "=" + wanted
                        + " names no coroutine engine; use 'continuation' or 'virtual'");
            };
            return engine;
        } catch (RuntimeException e) {
            failure = e;
            throw e;
        }
    }
}
