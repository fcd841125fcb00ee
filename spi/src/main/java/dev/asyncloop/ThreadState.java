package dev.asyncloop;

import org.jspecify.annotations.Nullable;

/**
 * What asyncloop keeps per thread: the current {@link Context} and, for the virtual-thread engine, the coroutine
 * whose body runs here. One {@link ThreadLocal} lookup serves both.
 */
final class ThreadState {
    private static final ThreadLocal<ThreadState> STATE = ThreadLocal.withInitial(ThreadState::new);

    /** The current context; never null. */
    Context context = new Context();
    /**
     * The virtual-thread engine's coroutine whose body runs on this thread, or null; the continuation engine finds
     * its own through the mounted continuation ({@link ContinuationEngine#current()}).
     */
    @Nullable EngineCoroutine<?> coroutine;

    static ThreadState get() {
        return STATE.get();
    }
}
