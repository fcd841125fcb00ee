package dev.asyncloop;

import dev.asyncloop.spi.RunningLoops;
import java.io.PrintStream;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * asyncio 3.14's call graph ({@code FutureCallGraph}): what a task is doing and who waits for it. It answers the
 * question of a program that hangs: where is this task suspended, and which tasks are stuck behind it?
 *
 * <p>{@link #future()} is the task or future the graph is about; {@link #callStack()} the frames of its body,
 * innermost first, where it is suspended (or, for the task that captures the graph, where it calls
 * {@code capture}); empty for a plain future, a done task or a task that has not started. {@link #awaitedBy()}
 * holds one graph per waiter: every task suspended on {@code future()} in {@link Async#await}, and every waiter
 * recorded with {@link dev.asyncloop.spi.BaseFuture#addAwaitedBy} (asyncio's {@code future_add_to_awaited_by}):
 * {@link Tasks#gather} records its children as awaited by the task that called it, {@link Tasks#shield} the
 * shielded future, {@link TaskGroup} each of its tasks as awaited by the group's parent task. So the graph crosses
 * those as asyncio's does. A future that several waiters reach by different paths is one node, the same object in
 * each {@code awaitedBy} list (a capture is linear in the futures and edges); {@code equals} and {@code hashCode},
 * a record's, compare by value and walk every path.
 *
 * <pre>{@code
 * CallGraph.capture().ifPresent(graph -> graph.print(System.out));   // the current task
 * System.out.println(CallGraph.capture(stuckTask).format());         // any task or future
 * }</pre>
 * prints, for a task {@code fetch} of a {@link TaskGroup} opened by the task {@code main}:
 * <pre>
 * * Task(name='fetch', id=0x5e9f23b4)
 *   + Call stack:
 *   |   at com.example.Crawler.fetch(Crawler.java:31)
 *   |   at com.example.Crawler.lambda$main$0(Crawler.java:17)
 *   + Awaited by:
 *     * Task(name='main', id=0x4c3e4790)
 *       + Call stack:
 *       |   at dev.asyncloop.TaskGroup.exit(TaskGroup.java:270)
 *       |   at dev.asyncloop.TaskGroup.run(TaskGroup.java:141)
 *       |   at com.example.Crawler.main(Crawler.java:16)
 * </pre>
 *
 * <p>A frame is a {@link StackTraceElement} (asyncio's {@code FrameCallGraphEntry} holds a frame object). The
 * frames are those of the task's body, as {@link Task#getStack()} lists them: the coroutine engine's frames above
 * the await and the loop's below the body are left out, as asyncio shows coroutine frames only. {@code id} is the
 * object's identity hash code (asyncio prints its address); two objects may share one.
 *
 * <p><b>Cost.</b> Nothing is recorded on the await path: the edges from tasks to the futures they await are read
 * at capture time from the tasks of the future's loop ({@link Async#allTasks(EventLoop)}), so a capture costs time
 * in proportion to the loop's pending tasks, once, plus the stacks it reads. Only the library's composite waits
 * store an edge, one per child, when they begin.
 *
 * <p><b>Threads.</b> Capture on the thread of the future's loop, from its tasks and callbacks, or while that loop
 * is not running (the graph of a future left pending after {@code runUntilComplete}, say). The graph reads the
 * state of many tasks without locks, so from another thread while the loop runs it throws
 * {@link IllegalStateException}; use {@code loop.callSoonThreadsafe(() -> ...)} to capture there.
 *
 * @param future the task or future described
 * @param callStack its frames, innermost first; unmodifiable
 * @param awaitedBy the graphs of its waiters; unmodifiable
 */
public record CallGraph(Future<?> future, List<StackTraceElement> callStack, List<CallGraph> awaitedBy) {

    /** The {@code limit} that keeps every frame (asyncio's {@code limit=None}). */
    public static final int NO_LIMIT = Integer.MAX_VALUE;

    /**
     * Creates a graph node; the lists are copied.
     *
     * @throws NullPointerException if an argument or an element is null
     */
    public CallGraph {
        Objects.requireNonNull(future, "future");
        callStack = List.copyOf(Objects.requireNonNull(callStack, "callStack"));
        awaitedBy = List.copyOf(Objects.requireNonNull(awaitedBy, "awaitedBy"));
    }

    /**
     * Captures the graph of the current task (asyncio's {@code capture_call_graph()}): its call stack starts at the
     * method that calls this one.
     *
     * @return the graph, or empty when no task is running (a plain callback)
     * @throws IllegalStateException if no loop runs on this thread
     */
    public static Optional<CallGraph> capture() {
        return capture(null, 1, NO_LIMIT);
    }

    /**
     * Captures the graph of {@code future} (asyncio's {@code capture_call_graph(future)}): a task's frames where it
     * is suspended, or where it calls this method if it is the current task.
     *
     * @param future any task or future; one of another class than {@code BaseFuture} has only the waiters found
     *     from tasks suspended on it
     * @return the graph
     * @throws IllegalStateException if called off the future's loop thread while that loop runs
     * @throws NullPointerException if {@code future} is null
     */
    public static CallGraph capture(Future<?> future) {
        Objects.requireNonNull(future, "future");
        return capture(future, 1, NO_LIMIT).orElseThrow();
    }

    /**
     * Captures a graph as asyncio's {@code capture_call_graph(future, depth=depth, limit=limit)}.
     *
     * @param future the task or future, or null for the current task
     * @param depth for the current task, how many frames to go up before the first one kept: 1 starts at the
     *     method that calls this one, 2 at its caller, and so on; ignored for a task that is not running
     * @param limit how many frames to keep in each call stack of the graph: a positive limit keeps the ones
     *     closest to where the task's body begins (the bottom of its stack), a negative one the topmost
     *     ({@code -limit} innermost frames), 0 none (the graph then shows the waiters only); {@link #NO_LIMIT}
     *     keeps all
     * @return the graph; empty when {@code future} is null and no task is running
     * @throws IllegalArgumentException if {@code depth} is less than 1
     * @throws IllegalStateException if {@code future} is null and no loop runs on this thread, or if called off
     *     the future's loop thread while that loop runs
     */
    public static Optional<CallGraph> capture(@Nullable Future<?> future, int depth, int limit) {
        if (depth < 1) {
            throw new IllegalArgumentException("depth must be 1 or more (1 starts the current task's stack at the"
                    + " method calling capture), got " + depth);
        }
        EventLoop running = RunningLoops.current().orElse(null);
        Future<?> target = future;
        if (target == null) {
            if (running == null) {
                throw new IllegalStateException("CallGraph.capture() was called outside a running event loop and no"
                        + " future to introspect was given; pass the task or future, or call it from a task");
            }
            target = Async.currentTask(running).orElse(null);
            if (target == null) {
                return Optional.empty();
            }
        }
        EventLoop loop = target.getLoop();
        if (loop != running && loop.isRunning()) {
            throw new IllegalStateException("CallGraph.capture(" + target + ") was called on thread "
                    + Thread.currentThread().getName() + " while the future's loop runs on another; capture it on"
                    + " the loop's thread, e.g. from loop.callSoonThreadsafe(() -> ...)");
        }
        List<StackTraceElement> ownStack = null;
        if (loop == running && Async.currentTask(loop).orElse(null) == target) {
            ownStack = CallGraphCapture.currentStack(depth);
        }
        return Optional.of(new CallGraphCapture(limit).graphOf(target, ownStack));
    }

    /**
     * Renders this graph as asyncio's {@code format_call_graph} does: a line per task ({@code * Task(name='x',
     * id=0x...)}) or future ({@code * Future(id=0x...)}), its call stack under {@code + Call stack:} with one
     * {@code |   at frame} line per frame, then its waiters under {@code + Awaited by:}, each indented four spaces
     * more than its future. Lines are separated by {@code \n}; there is no final one.
     *
     * <p>A node that several waiters share (a task that two tasks gather, say) is shown in full where it first
     * appears; where it appears again, only its first line is, ending with {@code (see above)}, so the text grows
     * with the graph's nodes and edges, not with the number of paths through it (asyncio repeats the node).
     *
     * @return the text
     */
    public String format() {
        StringBuilder out = new StringBuilder();
        render(this, 0, out, Collections.newSetFromMap(new IdentityHashMap<>()));
        return out.toString();
    }

    /**
     * Prints {@link #format()} and a line separator (asyncio's {@code print_call_graph}).
     *
     * @param out where to print
     * @throws NullPointerException if {@code out} is null
     */
    public void print(PrintStream out) {
        Objects.requireNonNull(out, "out");
        out.println(format());
    }

    /** @return {@link #format()} */
    @Override
    public String toString() {
        return format();
    }

    private static void render(CallGraph node, int level, StringBuilder out, Set<CallGraph> shown) {
        String indent = "    ".repeat(level);
        String id = "id=0x" + Integer.toHexString(System.identityHashCode(node.future));
        String header = node.future instanceof Task<?> task
                ? "* Task(name='" + task.getName() + "', " + id + ")"
                : "* Future(" + id + ")";
        boolean repeated = !(node.callStack.isEmpty() && node.awaitedBy.isEmpty()) && !shown.add(node);
        line(out, indent, repeated ? header + " (see above)" : header);
        if (repeated) {
            return;
        }
        if (!node.callStack.isEmpty()) {
            line(out, indent, "  + Call stack:");
            for (StackTraceElement frame : node.callStack) {
                line(out, indent, "  |   at " + frame);
            }
        }
        if (!node.awaitedBy.isEmpty()) {
            line(out, indent, "  + Awaited by:");
            for (CallGraph waiter : node.awaitedBy) {
                render(waiter, level + 1, out, shown);
            }
        }
    }

    private static void line(StringBuilder out, String indent, String text) {
        if (!out.isEmpty()) {
            out.append('\n');
        }
        out.append(indent).append(text);
    }
}
