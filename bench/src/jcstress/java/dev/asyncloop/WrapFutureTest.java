package dev.asyncloop;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.asyncloop.nio.NioEventLoop;
import java.util.concurrent.CompletableFuture;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * {@code EventLoop.wrapFuture}: a {@link CompletableFuture} completed on another thread, before, while or after
 * the loop starts waiting for it: the loop future gets the value on the loop thread, and the completing thread's
 * plain writes before {@code complete} are visible there (the package's memory-visibility rule through
 * {@code callSoonThreadsafe}).
 *
 * <p>Result: (the loop future's result; what the loop thread read of the completer's write, in a done callback).
 */
@JCStressTest
@Description("wrapFuture: a completion on another thread reaches the loop with its writes")
@Outcome(id = "42, 1", expect = ACCEPTABLE, desc = "the value and the write before it")
@Outcome(id = "42, 0", expect = FORBIDDEN, desc = "the value arrived without the write before it")
@Outcome(expect = FORBIDDEN, desc = "anything else breaks wrapFuture's contract")
@State
public class WrapFutureTest {
    private final NioEventLoop loop = new NioEventLoop();
    private final CompletableFuture<Integer> source = new CompletableFuture<>();
    private final Future<Integer> wrapped = loop.wrapFuture(source);
    private int completerWrite;
    private int loopSaw;
    private int result;

    public WrapFutureTest() {
        wrapped.addDoneCallback(f -> loopSaw = completerWrite);
    }

    @Actor
    public void loopThread() {
        result = loop.runUntilComplete(wrapped);
    }

    @Actor
    public void completer() {
        completerWrite = 1;
        source.complete(42);
    }

    @Arbiter
    public void arbiter(II_Result r) {
        loop.close();
        r.r1 = result;
        r.r2 = loopSaw;
    }
}
