package dev.asyncloop.bench;

import dev.asyncloop.EventLoop;
import dev.asyncloop.nio.NioEventLoop;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Base of the benchmarks whose every invocation runs on a new {@link NioEventLoop}, as micro.py and
 * library_micro.py run each repeat in a new {@code asyncio.run}, with the settings they share: throughput in
 * operations per second, 6 x 1 s warm-up, 10 x 1 s measurement, one fork with the continuation engine and a 2 GiB
 * heap. JMH applies the inherited annotations and fixture methods. The long warm-up and measurement are measured
 * needs: a task's body is one long loop run once per invocation, and on 2 cores the one-second iterations still
 * moved by up to 2x after a 3 s warm-up (JIT tiers and OSR settling in, iterations of 0.6M next to 2.7M ops/s).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 6, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(value = 1, jvmArgsAppend = {
        "--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED",
        "-Dasyncloop.coroutines=continuation",
        "-Xms2g", "-Xmx2g"})
public abstract class FreshLoopBenchmark {
    /** The invocation's loop; open during the benchmark method. */
    protected EventLoop loop;

    /** Opens the invocation's loop. */
    @Setup(Level.Invocation)
    public void openLoop() {
        loop = new NioEventLoop();
    }

    /** Closes the invocation's loop. */
    @TearDown(Level.Invocation)
    public void closeLoop() {
        loop.close();
    }
}
