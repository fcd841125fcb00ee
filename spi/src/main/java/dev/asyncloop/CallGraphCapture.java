package dev.asyncloop;

import dev.asyncloop.spi.BaseFuture;
import dev.asyncloop.spi.BaseTask;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One capture of a {@link CallGraph}: walks from a future to its waiters, recursively.
 *
 * <p>Implementation overview. The waiters of a future are the tasks suspended on it, found through an index built
 * once per capture from {@link BaseTask#awaiting()} of the loop's pending tasks (a task suspended in
 * {@link AsCompleted} waits for each future still pending there), then the waiters recorded
 * with {@link BaseFuture#addAwaitedBy}. A future that several waiters reach (tasks that gather the same tasks, in
 * layers) is walked once and its node shared, so a capture is linear in the futures and edges, where a tree would
 * grow with the number of paths, exponentially in the layers. asyncio's graph has no cycles; a mistaken record
 * could make one, so a waiter already on the path from the root is left out instead of being walked again.
 */
final class CallGraphCapture {
    private final int limit;
    /** The tasks suspended on each future, built at first use from the loop's tasks. */
    private @Nullable IdentityHashMap<Future<?>, List<Future<?>>> suspendedOn;
    private final Set<Future<?>> path = Collections.newSetFromMap(new IdentityHashMap<>());
    /** The node of each future walked so far: a future that several waiters reach is walked once, and shared. */
    private final IdentityHashMap<Future<?>, CallGraph> built = new IdentityHashMap<>();

    CallGraphCapture(int limit) {
        this.limit = limit;
    }

    /**
     * Builds the graph of {@code future}.
     *
     * @param ownStack the live stack when {@code future} is the current task, else null
     */
    CallGraph graphOf(Future<?> future, @Nullable List<StackTraceElement> ownStack) {
        CallGraph done = built.get(future);
        if (done != null) {
            return done;
        }
        path.add(future);
        try {
            List<StackTraceElement> stack = ownStack != null ? ownStack : suspendedStack(future);
            List<CallGraph> waiters = new ArrayList<>();
            for (Future<?> waiter : waitersOf(future)) {
                if (!path.contains(waiter)) {
                    waiters.add(graphOf(waiter, null));
                }
            }
            CallGraph graph = new CallGraph(future, limited(stack), waiters);
            built.put(future, graph);
            return graph;
        } finally {
            path.remove(future);
        }
    }

    private List<StackTraceElement> suspendedStack(Future<?> future) {
        if (limit == 0 || !(future instanceof Task<?> task) || task.isDone()) {
            return List.of();
        }
        return task.getCoro().stack();
    }

    private List<StackTraceElement> limited(List<StackTraceElement> stack) {
        int size = stack.size();
        if (limit >= 0) {
            // innermost first: the frames closest to where the body begins are at the end
            return limit >= size ? stack : stack.subList(size - limit, size);
        }
        long keep = -(long) limit;
        return keep >= size ? stack : stack.subList(0, (int) keep);
    }

    private List<Future<?>> waitersOf(Future<?> future) {
        List<Future<?>> direct = index(future.getLoop()).getOrDefault(future, List.of());
        List<Future<?>> recorded = BaseFuture.awaitedBy(future);
        if (recorded.isEmpty()) {
            return direct;
        }
        List<Future<?>> all = new ArrayList<>(direct);
        for (Future<?> waiter : recorded) {
            if (!containsSame(all, waiter)) {
                all.add(waiter);
            }
        }
        return all;
    }

    /* Every future of one graph belongs to one loop: a task awaits futures of its loop only, and a record's
       waiter is of its future's loop (addAwaitedBy checks). */
    private IdentityHashMap<Future<?>, List<Future<?>>> index(EventLoop loop) {
        IdentityHashMap<Future<?>, List<Future<?>>> index = suspendedOn;
        if (index == null) {
            index = new IdentityHashMap<>();
            for (Task<?> task : Async.allTasks(loop)) {
                if (task instanceof BaseTask<?> base) {
                    Future<?> awaited = base.awaiting().orElse(null);
                    if (awaited != null) {
                        index.computeIfAbsent(awaited, a -> new ArrayList<>(1)).add(task);
                        if (awaited instanceof AsCompleted.Waiting<?> waiting && !waiting.isDone()) {
                            for (Future<?> f : waiting.pending()) {
                                index.computeIfAbsent(f, a -> new ArrayList<>(1)).add(task);
                            }
                        }
                    }
                }
            }
            suspendedOn = index;
        }
        return index;
    }

    private static boolean containsSame(List<Future<?>> futures, Future<?> future) {
        for (Future<?> f : futures) {
            if (f == future) {
                return true;
            }
        }
        return false;
    }

    /**
     * The stack of the code running now, from {@code depth} frames above the first frame outside
     * {@link CallGraph} down to the bottom of the current task's body.
     */
    static List<StackTraceElement> currentStack(int depth) {
        String api = CallGraph.class.getName();
        String own = CallGraphCapture.class.getName();
        return StackWalker.getInstance().walk(frames -> frames
                .dropWhile(f -> f.getClassName().equals(api) || f.getClassName().equals(own))
                .skip(depth - 1L)
                .takeWhile(f -> !isBelowBody(f))
                .map(StackWalker.StackFrame::toStackTraceElement)
                .toList());
    }

    /**
     * Whether {@code frame} is where the engine calls the task's body, or, for a coroutine of another kind, where
     * the task steps it: the first frame that belongs to the task and not to its body.
     */
    private static boolean isBelowBody(StackWalker.StackFrame frame) {
        String c = frame.getClassName();
        return (c.equals(EngineCoroutine.class.getName()) && frame.getMethodName().equals("runBody"))
                || c.equals(BaseTask.class.getName());
    }
}
