package dev.asyncloop.bench;

import dev.asyncloop.Async;
import dev.asyncloop.EventLoop;
import dev.asyncloop.Future;
import dev.asyncloop.Task;
import dev.asyncloop.nio.NioEventLoop;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The loop-core micro-benchmarks of the asyncio anchor {@code micro.py}, one method per benchmark of the same
 * name, on {@link NioEventLoop} with the continuation engine.
 *
 * <p>Each invocation is one run of micro.py: a fresh loop (opened and closed outside the timed part), the same
 * operation count {@code n}, the same body, run with {@code loop.runUntilComplete(main)}. The timed part is the
 * whole {@code runUntilComplete}; micro.py starts its clock inside the coroutine, so the Java figure also
 * carries the start and end of the main task (a few microseconds against tens of milliseconds).
 * {@link OperationsPerInvocation} makes JMH report operations per second (callbacks, tasks, round trips,
 * switches), the unit micro.py prints; the auxiliary counters of {@link LoopCpu} give the loop thread's CPU time
 * beside it. {@code call_later} lives in {@link CallLaterBenchmark} because its figure is
 * over CPU time.
 */
@State(Scope.Thread)
public class LoopMicroBenchmarks extends FreshLoopBenchmark {
    static final int CALL_SOON_N = 1_000_000;
    static final int CHAIN_N = 1_000_000;
    static final int CREATE_TASK_N = 200_000;
    static final int BATCH = 100;
    static final int FUTURE_N = 500_000;
    static final int SLEEP0_N = 1_000_000;
    static final int THREADSAFE_N = 200_000;

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /**
     * call_soon: 1M {@code callSoon(cb)} issued from a task, then all run.
     *
     * @param cpu where the loop thread's CPU time goes
     * @return the number of callbacks run
     */
    @Benchmark
    @OperationsPerInvocation(CALL_SOON_N)
    public int callSoon(LoopCpu cpu) {
        EventLoop l = loop;
        return cpu.time(() -> l.runUntilComplete(() -> {
            Counter counter = new Counter(l, CALL_SOON_N);
            Runnable cb = counter::tick;
            for (int i = 0; i < CALL_SOON_N; i++) {
                l.callSoon(cb);
            }
            Async.await(counter.done);
            return counter.count;
        }));
    }

    /**
     * call_soon_chain: each callback schedules the next, one per loop iteration.
     *
     * @param cpu where the loop thread's CPU time goes
     * @return the number of callbacks run
     */
    @Benchmark
    @OperationsPerInvocation(CHAIN_N)
    public int callSoonChain(LoopCpu cpu) {
        EventLoop l = loop;
        return cpu.time(() -> l.runUntilComplete(() -> {
            Future<Void> done = l.createFuture();
            Runnable cb = new Runnable() {
                private int count;

                @Override
                public void run() {
                    if (++count == CHAIN_N) {
                        done.setResult(null);
                    } else {
                        l.callSoon(this);
                    }
                }
            };
            l.callSoon(cb);
            Async.await(done);
            return CHAIN_N;
        }));
    }

    /**
     * create_task: 200k {@code await(createTask(trivial))}, one at a time.
     *
     * @param cpu where the loop thread's CPU time goes
     * @return the sum of the tasks' results
     */
    @Benchmark
    @OperationsPerInvocation(CREATE_TASK_N)
    public long createTask(LoopCpu cpu) {
        EventLoop l = loop;
        return cpu.time(() -> l.runUntilComplete(() -> {
            long sum = 0;
            for (int i = 0; i < CREATE_TASK_N; i++) {
                sum += Async.await(l.createTask(LoopMicroBenchmarks::trivial));
            }
            return sum;
        }));
    }

    /**
     * create_task_batch: 200k trivial tasks created 100 at a time, then each awaited.
     *
     * @param cpu where the loop thread's CPU time goes
     * @return the sum of the tasks' results
     */
    @Benchmark
    @OperationsPerInvocation(CREATE_TASK_N)
    public long createTaskBatch(LoopCpu cpu) {
        EventLoop l = loop;
        return cpu.time(() -> l.runUntilComplete(() -> {
            long sum = 0;
            @SuppressWarnings({"unchecked", "rawtypes"})
            Task<Integer>[] tasks = new Task[BATCH];
            for (int b = 0; b < CREATE_TASK_N / BATCH; b++) {
                for (int i = 0; i < BATCH; i++) {
                    tasks[i] = l.createTask(LoopMicroBenchmarks::trivial);
                }
                for (Task<Integer> t : tasks) {
                    sum += Async.await(t);
                }
            }
            return sum;
        }));
    }

    /**
     * future: 500k round trips of (createFuture, callSoon(setResult), await).
     *
     * @param cpu where the loop thread's CPU time goes
     * @return the number of round trips
     */
    @Benchmark
    @OperationsPerInvocation(FUTURE_N)
    public int future(LoopCpu cpu) {
        EventLoop l = loop;
        return cpu.time(() -> l.runUntilComplete(() -> {
            int n = 0;
            for (int i = 0; i < FUTURE_N; i++) {
                Future<Object> f = l.createFuture();
                l.callSoon(() -> f.setResult(null));
                Async.await(f);
                n++;
            }
            return n;
        }));
    }

    /**
     * sleep0: two tasks each {@code sleep(ZERO)} 500k times: 1M task switches.
     *
     * @param cpu where the loop thread's CPU time goes
     * @return the number of switches
     */
    @Benchmark
    @OperationsPerInvocation(SLEEP0_N)
    public int sleep0(LoopCpu cpu) {
        EventLoop l = loop;
        return cpu.time(() -> l.runUntilComplete(() -> {
            int half = SLEEP0_N / 2;
            Task<Integer> a = l.createTask(() -> player(half));
            Task<Integer> b = l.createTask(() -> player(half));
            return Async.await(a) + Async.await(b);
        }));
    }

    /**
     * threadsafe: another thread calls {@code callSoonThreadsafe(cb)} 200k times; timed from the producer's start
     * to the last callback.
     *
     * @param cpu where the loop thread's CPU time goes
     * @return the number of callbacks run
     */
    @Benchmark
    @OperationsPerInvocation(THREADSAFE_N)
    public int threadsafe(LoopCpu cpu) {
        EventLoop l = loop;
        return cpu.time(() -> l.runUntilComplete(() -> {
            Counter counter = new Counter(l, THREADSAFE_N);
            Runnable cb = counter::tick;
            Thread producer = new Thread(() -> {
                for (int i = 0; i < THREADSAFE_N; i++) {
                    l.callSoonThreadsafe(cb);
                }
            }, "threadsafe-producer");
            producer.start();
            Async.await(counter.done);
            producer.join();
            return counter.count;
        }));
    }

    /**
     * The CPU time the loop thread spent in the timed part, summed over an iteration, next to the wall-clock
     * score: on a shared machine, {@code ops / loopCpuNanos} shows what the loop costs when other processes
     * take its core (the producer thread of {@code threadsafe} is not counted).
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class LoopCpu {
        /** Loop-thread CPU nanoseconds in the timed part. */
        public long loopCpuNanos;
        /** Runs timed. */
        public long runs;

        /** Starts every iteration from zero. */
        @Setup(Level.Iteration)
        public void reset() {
            loopCpuNanos = 0;
            runs = 0;
        }

        <T> T time(java.util.function.Supplier<T> run) {
            long c0 = THREADS.getCurrentThreadCpuTime();
            T result = run.get();
            loopCpuNanos += THREADS.getCurrentThreadCpuTime() - c0;
            runs++;
            return result;
        }
    }

    private static Integer trivial() {
        return 1;
    }

    private static int player(int switches) {
        for (int i = 0; i < switches; i++) {
            Async.sleep(Duration.ZERO);
        }
        return switches;
    }

    /** Counts callbacks on the loop thread and completes {@code done} at the n-th. */
    static final class Counter {
        final Future<Void> done;
        final int n;
        int count;

        Counter(EventLoop loop, int n) {
            this.done = loop.createFuture();
            this.n = n;
        }

        void tick() {
            if (++count == n) {
                done.setResult(null);
            }
        }
    }
}
