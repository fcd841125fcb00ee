package dev.asyncloop.spi;

import com.google.common.collect.MapMaker;
import dev.asyncloop.EventLoop;
import dev.asyncloop.Task;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.jspecify.annotations.Nullable;

/**
 * asyncio's task registration functions, for tasks of any class on any loop.
 *
 * <p>A task implementation calls {@link #registerTask} when it is scheduled, {@link #enterTask} right before
 * each step of its coroutine and {@link #leaveTask} right after; eager tasks use
 * {@link #registerEagerTask}/{@link #unregisterEagerTask} and {@link #swapCurrentTask} around their first
 * step. {@link BaseTask} does all of this. Registered tasks are held weakly: a task nobody references can be
 * collected (and reported as "destroyed but pending"). Done tasks are filtered out by {@link #allTasks}.
 *
 * <p>For loops built on {@link BaseEventLoop}, the current task lives in the loop itself and {@link BaseTask}s
 * enter the weak set only when they first suspend (before that the loop's ready queue holds them anyway), so a
 * step and a task that finishes at once cost no concurrent-map operation.
 *
 * <p>Threading: {@link #registerTask}, {@link #unregisterTask}, {@link #registerEagerTask},
 * {@link #unregisterEagerTask}, {@link #currentTask} and {@link #allTasks} may be called from any thread;
 * {@link #allTasks} of a {@link BaseEventLoop} called from another thread than the loop's may miss tasks created
 * meanwhile. {@link #enterTask}, {@link #leaveTask} and {@link #swapCurrentTask} are what a task's step does and
 * belong on the thread that runs {@code loop}: for a {@link BaseEventLoop} the check and the update of the current
 * task are not one atomic action, so two threads entering tasks of one loop at once may both succeed. Messages
 * follow asyncio 3.13 word for word.
 */
public final class TaskRegistry {
    private static final ConcurrentMap<Task<?>, Boolean> SCHEDULED = new MapMaker().weakKeys().makeMap();
    private static final Set<Task<?>> EAGER = ConcurrentHashMap.newKeySet();
    private static final ConcurrentMap<EventLoop, Task<?>> CURRENT = new ConcurrentHashMap<>();

    private TaskRegistry() {
    }

    /**
     * Registers a scheduled task (held weakly).
     *
     * @param task the task
     */
    public static void registerTask(Task<?> task) {
        SCHEDULED.put(Objects.requireNonNull(task, "task"), Boolean.TRUE);
    }

    /**
     * Forgets a task; no error if it was not registered.
     *
     * @param task the task
     */
    public static void unregisterTask(Task<?> task) {
        SCHEDULED.remove(Objects.requireNonNull(task, "task"));
    }

    /**
     * Registers a task during its eager first step (held strongly until {@link #unregisterEagerTask}).
     *
     * @param task the task
     */
    public static void registerEagerTask(Task<?> task) {
        EAGER.add(Objects.requireNonNull(task, "task"));
    }

    /**
     * Ends the eager registration of a task.
     *
     * @param task the task
     */
    public static void unregisterEagerTask(Task<?> task) {
        EAGER.remove(Objects.requireNonNull(task, "task"));
    }

    /**
     * Marks {@code task} as the one running on {@code loop}.
     *
     * @param loop the loop
     * @param task the task about to step
     * @throws IllegalStateException if another task is current on that loop ("Cannot enter into task X while
     *     another task Y is being executed.")
     */
    public static void enterTask(EventLoop loop, Task<?> task) {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(task, "task");
        Task<?> current;
        if (loop instanceof BaseEventLoop base) {
            current = base.tasks.current();
            if (current == null) {
                base.tasks.setCurrent(task);
            }
        } else {
            current = CURRENT.putIfAbsent(loop, task);
        }
        if (current != null) {
            throw new IllegalStateException("Cannot enter into task " + task + " while another task " + current
                    + " is being executed.");
        }
    }

    /**
     * Clears the current task of {@code loop}.
     *
     * @param loop the loop
     * @param task the task that just stepped
     * @throws IllegalStateException if {@code task} is not current on that loop ("Leaving task X does not match
     *     the current task Y.")
     */
    public static void leaveTask(EventLoop loop, Task<?> task) {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(task, "task");
        if (loop instanceof BaseEventLoop base) {
            Task<?> current = base.tasks.current();
            if (current != task) {
                throw new IllegalStateException("Leaving task " + task + " does not match the current task "
                        + current + ".");
            }
            base.tasks.setCurrent(null);
        } else if (!CURRENT.remove(loop, task)) {
            throw new IllegalStateException("Leaving task " + task + " does not match the current task "
                    + CURRENT.get(loop) + ".");
        }
    }

    /**
     * Makes {@code task} current on {@code loop} without checks and returns the previous one.
     *
     * @param loop the loop
     * @param task the new current task, or null for none
     * @return the previous current task, or null
     */
    public static @Nullable Task<?> swapCurrentTask(EventLoop loop, @Nullable Task<?> task) {
        Objects.requireNonNull(loop, "loop");
        if (loop instanceof BaseEventLoop base) {
            Task<?> previous = base.tasks.current();
            base.tasks.setCurrent(task);
            return previous;
        }
        return task == null ? CURRENT.remove(loop) : CURRENT.put(loop, task);
    }

    /**
     * Returns the task running on {@code loop}.
     *
     * @param loop the loop
     * @return the current task, or empty
     */
    public static Optional<Task<?>> currentTask(EventLoop loop) {
        Objects.requireNonNull(loop, "loop");
        if (loop instanceof BaseEventLoop base) {
            return Optional.ofNullable(base.tasks.current());
        }
        return Optional.ofNullable(CURRENT.get(loop));
    }

    /**
     * Returns the registered tasks of {@code loop} that are not done, eager ones included.
     *
     * @param loop the loop
     * @return a snapshot
     */
    public static Set<Task<?>> allTasks(EventLoop loop) {
        Objects.requireNonNull(loop, "loop");
        Set<Task<?>> result = new LinkedHashSet<>();
        if (loop instanceof BaseEventLoop base) {
            base.tasks.addUnstartedTo(result);
        }
        for (Task<?> t : EAGER) {
            if (t.getLoop() == loop && !t.isDone()) {
                result.add(t);
            }
        }
        for (Map.Entry<Task<?>, Boolean> e : SCHEDULED.entrySet()) {
            Task<?> t = e.getKey();
            if (t.getLoop() == loop && !t.isDone()) {
                result.add(t);
            }
        }
        return Collections.unmodifiableSet(result);
    }

    /** Forgets the current task of a closed loop, so the registry holds no reference to it. */
    static void forgetLoop(EventLoop loop) {
        CURRENT.remove(loop);
    }
}
