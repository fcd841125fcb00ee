package dev.asyncloop;

/**
 * What asyncloop keeps per thread: the current {@link Context} and the coroutine whose body runs here. One
 * {@link ThreadLocal} lookup serves both, since a task switch reads and writes each of them.
 */
final class ThreadState {
    private static final ThreadLocal<ThreadState> STATE = ThreadLocal.withInitial(ThreadState::new);

    /** The current context; never null. */
    Context context = new Context();
    /** The engine coroutine whose body runs on this thread, or null. */
    EngineCoroutine<?> coroutine;

    static ThreadState get() {
        return STATE.get();
    }
}
