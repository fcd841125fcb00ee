package dev.asyncloop.bench;

import dev.asyncloop.Async;
import dev.asyncloop.EventLoop;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.Random;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * micro.py's call_later: 100k timers with delays uniform in [0, 10 ms) (seeded), scheduled from a task, then run.
 *
 * <p>The primary JMH score is timers per second of wall time, which includes the idle wait for the last deadline
 * (at least 10 ms per run). micro.py's primary figure is over CPU time instead, so the benchmark also records, as
 * auxiliary event counters, the timers run ({@code timers}) and the CPU time the loop thread spent on them
 * ({@code loopCpuNanos}, from {@link ThreadMXBean#getCurrentThreadCpuTime()}, scheduling included);
 * {@code timers / loopCpuNanos} is the figure to compare. Loop-thread CPU rather than process CPU: micro.py's
 * process is that one thread, while a JVM also spends CPU on its JIT and GC threads, which is not the loop's
 * cost and would make the figure depend on the collector.
 */
@State(Scope.Thread)
public class CallLaterBenchmark extends FreshLoopBenchmark {
    static final int N = 100_000;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private Duration[] delays;
    /** Draws the delays once, as micro.py does before its clock starts. */
    @Setup(Level.Trial)
    public void drawDelays() {
        Random random = new Random(12345);
        delays = new Duration[N];
        for (int i = 0; i < N; i++) {
            delays[i] = Duration.ofNanos((long) (random.nextDouble() * 10_000_000));
        }
    }

    /** The CPU time of the loop thread and the timers it ran, summed over an iteration. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class CpuCounters {
        /** Loop-thread CPU nanoseconds spent scheduling and running the timers. */
        public long loopCpuNanos;
        /** Timers run. */
        public long timers;

        /** Starts every iteration from zero. */
        @Setup(Level.Iteration)
        public void reset() {
            loopCpuNanos = 0;
            timers = 0;
        }
    }

    /**
     * Schedules 100k timers from a task and waits until the last has run.
     *
     * @param cpu where the loop thread's CPU time goes
     * @return the number of timers run
     */
    @Benchmark
    @OperationsPerInvocation(N)
    public int callLater(CpuCounters cpu) {
        EventLoop l = loop;
        Duration[] d = delays;
        int ran = l.runUntilComplete(() -> {
            LoopMicroBenchmarks.Counter counter = new LoopMicroBenchmarks.Counter(l, N);
            Runnable cb = counter::tick;
            long c0 = THREADS.getCurrentThreadCpuTime();
            for (Duration delay : d) {
                l.callLater(delay, cb);
            }
            Async.await(counter.done);
            cpu.loopCpuNanos += THREADS.getCurrentThreadCpuTime() - c0;
            return counter.count;
        });
        cpu.timers += ran;
        return ran;
    }
}
