package dev.asyncloop.bench;

import dev.asyncloop.EventLoop;
import dev.asyncloop.nio.NioEventLoop;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Base of the benchmarks whose every invocation runs on a new {@link NioEventLoop}, as micro.py and
 * library_micro.py run each repeat in a new {@code asyncio.run}. JMH runs the inherited fixture methods.
 */
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
