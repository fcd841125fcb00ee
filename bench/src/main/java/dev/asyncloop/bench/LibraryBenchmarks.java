package dev.asyncloop.bench;

import dev.asyncloop.Async;
import dev.asyncloop.AsyncCallable;
import dev.asyncloop.AsyncQueue;
import dev.asyncloop.EventLoop;
import dev.asyncloop.Future;
import dev.asyncloop.Lock;
import dev.asyncloop.Task;
import dev.asyncloop.TaskGroup;
import dev.asyncloop.Tasks;
import dev.asyncloop.Timeout;
import dev.asyncloop.nio.NioEventLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * Benchmarks of the asyncio library on top of the loop (gather, queues, lock, timeout), one method per benchmark
 * of {@code bench/library_micro.py}, which runs the same programs on asyncio; on {@link NioEventLoop} with the
 * continuation engine.
 *
 * <p>Set up and timed as {@link LoopMicroBenchmarks}: each invocation is one library_micro.py run on a fresh
 * loop (opened and closed outside the timed part), with the same operation count and the same program, run
 * with {@code loop.runUntilComplete(main)}; {@link OperationsPerInvocation} makes JMH report operations per
 * second (tasks gathered, items transferred, lock hand-offs, timeout scopes), and
 * {@link LoopMicroBenchmarks.LoopCpu} records the loop thread's CPU time beside it.
 */
@State(Scope.Thread)
public class LibraryBenchmarks extends FreshLoopBenchmark {
    static final int GATHER_N = 100_000;
    static final int QUEUE_N = 200_000;
    static final int QUEUE_MAXSIZE = 100;
    static final int LOCK_N = 100_000;
    static final int LOCK_TASKS = 2;
    static final int TIMEOUT_N = 200_000;

    private static final Duration TIMEOUT_DELAY = Duration.ofSeconds(10);
    private static final AsyncCallable<Object> EMPTY_BODY = () -> null;

    /**
     * gather_100k: 100k trivial tasks created, then {@code await(Tasks.gather(tasks))}; one operation is one
     * task, so the score is tasks gathered per second (one gather = 100k operations).
     *
     * @param cpu where the loop thread's CPU time goes
     * @return the number of results
     */
    @Benchmark
    @OperationsPerInvocation(GATHER_N)
    public int gather100k(LoopMicroBenchmarks.LoopCpu cpu) {
        EventLoop l = loop;
        return cpu.time(() -> l.runUntilComplete(() -> {
            return Async.await(Tasks.gather(trivialTasks(l))).size();
        }));
    }

    /**
     * wait_100k: 100k trivial tasks created, then {@code Tasks.wait(tasks)} (all completed); one operation is one
     * task.
     *
     * @param cpu where the loop thread's CPU time goes
     * @return the number of tasks done
     */
    @Benchmark
    @OperationsPerInvocation(GATHER_N)
    public int wait100k(LoopMicroBenchmarks.LoopCpu cpu) {
        EventLoop l = loop;
        return cpu.time(() -> l.runUntilComplete(() -> {
            return Tasks.wait(trivialTasks(l)).done().size();
        }));
    }

    /**
     * as_completed_100k: 100k trivial tasks created, then each awaited in the order {@code Tasks.asCompleted}
     * gives; one operation is one task.
     *
     * @param cpu where the loop thread's CPU time goes
     * @return the sum of the results
     */
    @Benchmark
    @OperationsPerInvocation(GATHER_N)
    public int asCompleted100k(LoopMicroBenchmarks.LoopCpu cpu) {
        EventLoop l = loop;
        return cpu.time(() -> l.runUntilComplete(() -> {
            int total = 0;
            for (Future<Integer> f : Tasks.asCompleted(trivialTasks(l), null)) {
                total += Async.await(f);
            }
            return total;
        }));
    }

    /** The {@code GATHER_N} trivial tasks that gather_100k, wait_100k and as_completed_100k start from. */
    private static List<Task<Integer>> trivialTasks(EventLoop l) {
        List<Task<Integer>> tasks = new ArrayList<>(GATHER_N);
        for (int i = 0; i < GATHER_N; i++) {
            tasks.add(l.createTask(LibraryBenchmarks::trivial));
        }
        return tasks;
    }

    /**
     * taskgroup_100k: 100k trivial tasks created in one {@code TaskGroup}, whose exit waits for them all; one
     * operation is one task.
     *
     * @param cpu where the loop thread's CPU time goes
     * @return the number of tasks created
     */
    @Benchmark
    @OperationsPerInvocation(GATHER_N)
    public int taskGroup100k(LoopMicroBenchmarks.LoopCpu cpu) {
        EventLoop l = loop;
        return cpu.time(() -> l.runUntilComplete(() -> TaskGroup.run(group -> {
            for (int i = 0; i < GATHER_N; i++) {
                group.createTask(LibraryBenchmarks::trivial);
            }
            return GATHER_N;
        })));
    }

    /**
     * queue_1_pair: one producer task puts 200k items into an {@code AsyncQueue(100)}, one consumer task gets
     * them; items per second.
     *
     * @param cpu where the loop thread's CPU time goes
     * @return the sum of the items received
     */
    @Benchmark
    @OperationsPerInvocation(QUEUE_N)
    public long queue1Pair(LoopMicroBenchmarks.LoopCpu cpu) {
        return cpu.time(() -> queuePairs(loop, 1));
    }

    /**
     * queue_100_pairs: 100 producer/consumer pairs, each with its own {@code AsyncQueue(100)}, moving 2,000 items
     * each (200k in all), all running at once; items per second.
     *
     * @param cpu where the loop thread's CPU time goes
     * @return the sum of the items received
     */
    @Benchmark
    @OperationsPerInvocation(QUEUE_N)
    public long queue100Pairs(LoopMicroBenchmarks.LoopCpu cpu) {
        return cpu.time(() -> queuePairs(loop, 100));
    }

    /**
     * lock_handoff: two tasks each take one {@link Lock} 50k times, holding it across one
     * {@code Async.sleep(ZERO)}; the other task is always waiting, so every release hands the lock over.
     * Operations are acquire/release pairs (100k per run).
     *
     * @param cpu where the loop thread's CPU time goes
     * @return the number of acquisitions
     */
    @Benchmark
    @OperationsPerInvocation(LOCK_N)
    public int lockHandoff(LoopMicroBenchmarks.LoopCpu cpu) {
        EventLoop l = loop;
        return cpu.time(() -> l.runUntilComplete(() -> {
            Lock lock = new Lock();
            List<Task<Integer>> tasks = new ArrayList<>(LOCK_TASKS);
            for (int t = 0; t < LOCK_TASKS; t++) {
                tasks.add(l.createTask(() -> contend(lock, LOCK_N / LOCK_TASKS)));
            }
            int n = 0;
            for (Task<Integer> t : tasks) {
                n += Async.await(t);
            }
            return n;
        }));
    }

    /**
     * timeout_scope: 200k {@code Timeout.run(10 s, body)} in a row in one task, with a body that returns at once
     * ({@code async with asyncio.timeout(10): pass}); one operation is one enter and exit, which schedules and
     * cancels one timer.
     *
     * @param cpu where the loop thread's CPU time goes
     * @return the number of scopes
     */
    @Benchmark
    @OperationsPerInvocation(TIMEOUT_N)
    public int timeoutScope(LoopMicroBenchmarks.LoopCpu cpu) {
        EventLoop l = loop;
        return cpu.time(() -> l.runUntilComplete(() -> {
            int n = 0;
            for (int i = 0; i < TIMEOUT_N; i++) {
                Timeout.run(TIMEOUT_DELAY, EMPTY_BODY);
                n++;
            }
            return n;
        }));
    }

    private static long queuePairs(EventLoop l, int pairs) {
        int perPair = QUEUE_N / pairs;
        return l.runUntilComplete(() -> {
            List<Task<Long>> tasks = new ArrayList<>(2 * pairs);
            for (int p = 0; p < pairs; p++) {
                AsyncQueue<Integer> q = new AsyncQueue<>(QUEUE_MAXSIZE);
                tasks.add(l.createTask(() -> produce(q, perPair)));
                tasks.add(l.createTask(() -> consume(q, perPair)));
            }
            long sum = 0;
            for (Task<Long> t : tasks) {
                sum += Async.await(t);
            }
            return sum;
        });
    }

    private static long produce(AsyncQueue<Integer> q, int n) {
        for (int i = 0; i < n; i++) {
            q.put(i);
        }
        return 0L;
    }

    private static long consume(AsyncQueue<Integer> q, int n) {
        long sum = 0;
        for (int i = 0; i < n; i++) {
            sum += q.get();
        }
        return sum;
    }

    private static int contend(Lock lock, int n) {
        for (int i = 0; i < n; i++) {
            try (var _ = lock.hold()) {
                Async.sleep(Duration.ZERO);
            }
        }
        return n;
    }

    private static Integer trivial() {
        return 1;
    }
}
