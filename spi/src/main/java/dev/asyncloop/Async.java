package dev.asyncloop;

import dev.asyncloop.spi.BaseTask;
import dev.asyncloop.spi.RunningLoops;
import dev.asyncloop.spi.TaskRegistry;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The entry points a coroutine author reaches for: {@link #await}, {@link #sleep}, {@link #run}, and asyncio's
 * module-level introspection ({@link #getRunningLoop()}, {@link #currentTask()}, {@link #allTasks()}).
 *
 * <p>{@code await} and {@code sleep} suspend the current task only and must be called from a task's body
 * (a coroutine created with {@link EventLoop#createTask(AsyncCallable)} or {@link Coroutine#of}); elsewhere
 * they throw {@link IllegalStateException} saying what to do instead.
 */
public final class Async {
    private Async() {
    }

    /**
     * Waits for {@code future} inside a task and returns its result. A done future returns at once without
     * suspending (rule T1.1); otherwise the current task suspends until the future is done.
     *
     * @param future the future to wait for; must belong to the task's loop
     * @param <T> the result type
     * @return the future's result
     * @throws CancelledError if the future or the waiting task is cancelled
     * @throws IllegalStateException if called outside a task, or the future belongs to another loop
     *     (thrown into the task, as asyncio does)
     * @throws java.util.concurrent.CompletionException wrapping a checked exception of the future; unchecked
     *     ones are rethrown as they are
     */
    public static <T extends @Nullable Object> T await(Future<T> future) {
        Objects.requireNonNull(future, "future");
        if (future.isDone()) {
            return future.result();
        }
        EngineCoroutine<?> coroutine = currentCoroutine("await");
        coroutine.suspend(new Coroutine.Awaiting<>(future));
        if (!future.isDone()) {
            throw new IllegalStateException("await resumed before " + future + " was done: the coroutine was"
                    + " resumed by something other than its task");
        }
        return future.result();
    }

    /**
     * Waits for {@code future} as {@link #await(Future)} does, and throws its failure as itself when it is an
     * {@code exceptionType}, instead of wrapped in a {@link java.util.concurrent.CompletionException}: where
     * asyncio code writes {@code except OSError}, Java code writes
     * <pre>{@code
     * try {
     *     byte[] data = Async.await(reader.read(65536), IOException.class);
     *     ...
     * } catch (IOException e) {   // the connection's own error, the very exception the future holds
     *     ...
     * }
     * }</pre>
     * Like Guava's {@code Futures.getChecked}, but the exception is the future's own object, not a copy. Only the
     * wrapping that {@link Future#result()} adds is taken off: a future whose exception is itself a
     * {@code CompletionException} still throws that.
     *
     * @param future the future to wait for; must belong to the task's loop
     * @param exceptionType the checked exception type to throw as it is, e.g. {@code IOException.class}
     * @param <T> the result type
     * @param <X> the checked exception type
     * @return the future's result
     * @throws X the future's exception, when it is an instance of {@code exceptionType}
     * @throws CancelledError if the future or the waiting task is cancelled
     * @throws IllegalArgumentException if {@code exceptionType} is an unchecked exception type (a
     *     {@link RuntimeException}: those already pass through {@link #await(Future)} as they are); checked
     *     before waiting
     * @throws IllegalStateException if called outside a task, or the future belongs to another loop
     * @throws java.util.concurrent.CompletionException wrapping a checked exception of another type; unchecked
     *     ones are rethrown as they are
     */
    public static <T extends @Nullable Object, X extends Exception> T await(Future<T> future, Class<X> exceptionType)
            throws X {
        Objects.requireNonNull(future, "future");
        Objects.requireNonNull(exceptionType, "exceptionType");
        if (RuntimeException.class.isAssignableFrom(exceptionType)) {
            throw new IllegalArgumentException("exceptionType must be a checked exception type, got "
                    + exceptionType.getName() + ": unchecked exceptions already pass through Async.await(future) as"
                    + " they are; catch it around await(future)");
        }
        try {
            return await(future);
        } catch (java.util.concurrent.CompletionException e) {
            Throwable cause = e.getCause();
            if (exceptionType.isInstance(cause) && !future.isCancelled() && future.exception().orElse(null) == cause) {
                throw exceptionType.cast(cause);
            }
            throw e;
        }
    }

    /**
     * Suspends the current task for {@code delay}. A zero or negative delay gives up control for exactly one
     * loop iteration (asyncio's {@code sleep(0)}).
     *
     * @param delay how long
     * @throws CancelledError if the task is cancelled while sleeping
     * @throws IllegalStateException if called outside a task
     */
    public static void sleep(Duration delay) {
        sleep(delay, null);
    }

    /**
     * Like {@link #sleep(Duration)}, returning {@code result} afterwards.
     *
     * @param delay how long
     * @param result what to return
     * @param <T> the result type
     * @return {@code result}
     */
    public static <T extends @Nullable Object> T sleep(Duration delay, T result) {
        Objects.requireNonNull(delay, "delay");
        EngineCoroutine<?> coroutine = currentCoroutine("sleep");
        if (delay.isZero() || delay.isNegative()) {
            coroutine.suspend(Coroutine.Yielded.instance());
            return result;
        }
        EventLoop loop = getRunningLoop();
        Future<T> future = loop.createFuture();
        // One of these exists per sleeping task, so it is kept small: the wake-up captures the result only when
        // there is one, and runs in the task's own context rather than a copy of it (it reads no variable, and a
        // task's context is never entered while the task is suspended).
        Runnable wake = result == null ? () -> setNullUnlessDone(future) : () -> setUnlessDone(future, result);
        Task<?> task = TaskRegistry.currentTask(loop).orElse(null);
        TimerHandle timer = task != null ? loop.callLater(delay, wake, task.getContext())
                : loop.callLater(delay, wake);
        try {
            return await(future);
        } finally {
            timer.cancel();
        }
    }

    @SuppressWarnings("NullAway") // only for a null result: null is then a value of this T
    private static <T extends @Nullable Object> void setNullUnlessDone(Future<T> future) {
        if (!future.isDone()) {
            future.setResult(null);
        }
    }

    private static <T extends @Nullable Object> void setUnlessDone(Future<T> future, T result) {
        if (!future.isDone()) {
            future.setResult(result);
        }
    }

    /**
     * Gives up control for one loop iteration; the same as {@code sleep(Duration.ZERO)}.
     *
     * @throws IllegalStateException if called outside a task
     */
    public static void yieldNow() {
        currentCoroutine("yieldNow").suspend(Coroutine.Yielded.instance());
    }

    /**
     * Runs {@code main} on a new loop from the selected provider and closes the loop afterwards (asyncio.run):
     * see {@link Runner}.
     *
     * @param main the program
     * @param <T> the result type
     * @return main's result
     * @throws IllegalStateException if called from a thread whose loop is running
     */
    public static <T extends @Nullable Object> T run(AsyncCallable<T> main) {
        try (Runner runner = Runner.builder().build()) {
            return runner.run(main);
        }
    }

    /**
     * Returns the loop running on this thread (asyncio's {@code get_running_loop()}).
     *
     * @return the running loop
     * @throws IllegalStateException if no loop runs on this thread ("no running event loop")
     */
    public static EventLoop getRunningLoop() {
        return RunningLoops.current().orElseThrow(() -> new IllegalStateException(
                "no running event loop in thread " + Thread.currentThread().getName()
                        + "; call this from a callback or task of a running loop, for example inside"
                        + " Async.run(() -> ...), which runs its body as the main task of a new loop"));
    }

    /**
     * Schedules {@code body} as a task on the loop running on this thread (asyncio's {@code create_task(coro)}):
     * {@code getRunningLoop().createTask(body)}.
     *
     * @param body the task's body
     * @param <T> the result type
     * @return the task
     * @throws IllegalStateException if no loop runs on this thread
     * @throws NullPointerException if {@code body} is null
     */
    public static <T extends @Nullable Object> Task<T> createTask(AsyncCallable<T> body) {
        Objects.requireNonNull(body, "body");
        return getRunningLoop().createTask(body);
    }

    /**
     * Schedules {@code body} as a named task on the loop running on this thread (asyncio's
     * {@code create_task(coro, name=name)}).
     *
     * @param body the task's body
     * @param name the task's name, or null for {@code Task-N}
     * @param <T> the result type
     * @return the task
     * @throws IllegalStateException if no loop runs on this thread
     * @throws NullPointerException if {@code body} is null
     */
    public static <T extends @Nullable Object> Task<T> createTask(AsyncCallable<T> body, @Nullable String name) {
        Objects.requireNonNull(body, "body");
        return getRunningLoop().createTask(body, name);
    }

    /**
     * Schedules {@code body} as a task that runs in {@code context} on the loop running on this thread
     * (asyncio's {@code create_task(coro, name=name, context=context)}).
     *
     * @param body the task's body
     * @param name the task's name, or null for {@code Task-N}
     * @param context the context the task runs in, or null for a copy of the current one
     * @param <T> the result type
     * @return the task
     * @throws IllegalStateException if no loop runs on this thread
     * @throws NullPointerException if {@code body} is null
     */
    public static <T extends @Nullable Object> Task<T> createTask(AsyncCallable<T> body, @Nullable String name,
            @Nullable Context context) {
        Objects.requireNonNull(body, "body");
        return getRunningLoop().createTask(body, name, context);
    }

    /**
     * Schedules {@code body} as a task on the loop running on this thread that starts eagerly or lazily as the
     * caller says, whatever the task factory's default (asyncio 3.14's
     * {@code create_task(coro, name=name, context=context, eager_start=eager_start)}).
     *
     * @param body the task's body
     * @param name the task's name, or null for {@code Task-N}
     * @param context the context the task runs in, or null for a copy of the current one
     * @param eagerStart true to run the first step inside this call (the task may be done when it returns),
     *     false to schedule it
     * @param <T> the result type
     * @return the task
     * @throws IllegalStateException if no loop runs on this thread
     * @throws UnsupportedOperationException if a task factory is set that takes no eager-start choice
     * @throws NullPointerException if {@code body} is null
     */
    public static <T extends @Nullable Object> Task<T> createTask(AsyncCallable<T> body, @Nullable String name,
            @Nullable Context context, boolean eagerStart) {
        Objects.requireNonNull(body, "body");
        return getRunningLoop().createTask(body, name, context, eagerStart);
    }

    /**
     * Returns the task running on this thread's loop.
     *
     * @return the current task, or empty in a plain callback
     * @throws IllegalStateException if no loop runs on this thread
     */
    public static Optional<Task<?>> currentTask() {
        return TaskRegistry.currentTask(getRunningLoop());
    }

    /**
     * Returns the task running on {@code loop}, which may run on another thread.
     *
     * @param loop the loop
     * @return its current task, or empty
     */
    public static Optional<Task<?>> currentTask(EventLoop loop) {
        return TaskRegistry.currentTask(loop);
    }

    /**
     * Returns the pending tasks of this thread's running loop.
     *
     * @return a snapshot
     * @throws IllegalStateException if no loop runs on this thread
     */
    public static Set<Task<?>> allTasks() {
        return TaskRegistry.allTasks(getRunningLoop());
    }

    /**
     * Returns the pending tasks of {@code loop}.
     *
     * @param loop the loop
     * @return a snapshot
     */
    public static Set<Task<?>> allTasks(EventLoop loop) {
        return TaskRegistry.allTasks(loop);
    }

    /**
     * Returns asyncio's {@code eager_task_factory}: tasks created while the loop runs start their first step
     * at once, inside {@code createTask}, and may be done when it returns; a {@code createTask} with
     * {@code eagerStart} false makes a lazy one (asyncio 3.14).
     *
     * @return the factory
     */
    public static TaskFactory eagerTaskFactory() {
        return new TaskFactory() {
            @Override
            public <T extends @Nullable Object> Task<T> newTask(EventLoop loop, Coroutine<T> coroutine,
                    @Nullable String name,
                    @Nullable Context context) {
                return new BaseTask<>(loop, coroutine, name, context, true);
            }

            @Override
            public <T extends @Nullable Object> Task<T> newTask(EventLoop loop, Coroutine<T> coroutine,
                    @Nullable String name, @Nullable Context context, boolean eagerStart) {
                return new BaseTask<>(loop, coroutine, name, context, eagerStart); // 3.14: eager_start=False wins
            }

            @Override
            public String toString() {
                return "eagerTaskFactory";
            }
        };
    }

    /**
     * For the library's own waits (a lock, a queue, ...), before they queue a waiter: refuses a wait outside a task
     * with a message naming {@code call}, what the user called, rather than the {@code await} inside it.
     *
     * @param call the waiting method as the user wrote it, e.g. {@code "Semaphore.acquire()"}
     * @throws IllegalStateException if no task runs on this thread
     */
    static void checkCanWait(String call) {
        if (ContinuationEngine.current() == null && ThreadState.get().coroutine == null) {
            throw new IllegalStateException(call + " has to wait, and only a task can wait: call it from a task's"
                    + " body (loop.createTask(() -> ...), Async.run(main)); a plain callback cannot wait, so start a"
                    + " task from it with loop.createTask(() -> ...)");
        }
    }

    private static EngineCoroutine<?> currentCoroutine(String what) {
        EngineCoroutine<?> coroutine = ContinuationEngine.current();
        if (coroutine == null) {
            coroutine = ThreadState.get().coroutine; // the virtual-thread engine's
        }
        if (coroutine == null) {
            throw new IllegalStateException("Async." + what + "() was called outside a task. Call it from a task's"
                    + " body (loop.createTask(() -> ...), Async.run(main), loop.runUntilComplete(main)); from a plain"
                    + " callback, use future.addDoneCallback(...) or loop.callLater(...) instead");
        }
        return coroutine;
    }
}
