package dev.asyncloop.spi;

import dev.asyncloop.Task;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Collection;
import org.jspecify.annotations.Nullable;

/**
 * The task registry's fast path for one {@link BaseEventLoop}: its current task, and the {@link BaseTask}s that
 * were created but have not suspended yet.
 *
 * <p>Implementation overview. The current task is written only by the loop thread (enter, leave, swap) with
 * release semantics and read from any thread with acquire semantics, so a step costs two plain stores instead
 * of two concurrent-map operations. Tasks not yet suspended are strongly reachable through the ready queue
 * anyway, so they are kept strongly in an intrusive doubly linked list (O(1) link and unlink, no allocation);
 * a task moves to the weak registry only when it first suspends, when nothing else may hold it. Tasks that
 * finish in their first step, the common case, never touch the weak registry. The list is loop-thread only;
 * {@link #addUnstartedTo} from another thread may see a stale list.
 */
final class LoopTasks {
    private static final VarHandle CURRENT;

    static {
        try {
            CURRENT = MethodHandles.lookup().findVarHandle(LoopTasks.class, "current", Task.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // accessed through CURRENT
    private @Nullable Task<?> current;
    private @Nullable BaseTask<?> head;

    Task<?> current() {
        return (Task<?>) CURRENT.getAcquire(this);
    }

    void setCurrent(@Nullable Task<?> task) {
        CURRENT.setRelease(this, task);
    }

    void link(BaseTask<?> task) {
        task.nextUnstarted = head;
        task.previousUnstarted = null;
        if (head != null) {
            head.previousUnstarted = task;
        }
        head = task;
    }

    void unlink(BaseTask<?> task) {
        BaseTask<?> previous = task.previousUnstarted;
        BaseTask<?> next = task.nextUnstarted;
        if (previous != null) {
            previous.nextUnstarted = next;
        } else if (head == task) {
            head = next;
        }
        if (next != null) {
            next.previousUnstarted = previous;
        }
        task.previousUnstarted = null;
        task.nextUnstarted = null;
    }

    void addUnstartedTo(Collection<Task<?>> out) {
        for (BaseTask<?> t = head; t != null; t = t.nextUnstarted) {
            if (!t.isDone()) {
                out.add(t);
            }
        }
    }

    /** Forgets every task (the loop is closing); those still pending are reported if they are collected. */
    void clear() {
        while (head != null) {
            BaseTask<?> task = head;
            unlink(task);
            task.armPendingReport();
        }
        setCurrent(null);
    }
}
