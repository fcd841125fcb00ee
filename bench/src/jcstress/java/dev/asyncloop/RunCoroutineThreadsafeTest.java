package dev.asyncloop;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.asyncloop.nio.NioEventLoop;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * {@code Tasks.runCoroutineThreadsafe} from another thread onto a NIO loop starting on its own thread: the waiting
 * thread gets the task's outcome (its result with the body's plain writes visible, or its exception), or a
 * cancellation of its own; the future never stays pending.
 *
 * <p>Result: (42 the result, 7 the body's exception, -1 cancelled, -2 another failure, -3 still pending after
 * 20 s; what the waiter read of the body's write once the future completed; whether the body ran, read once the
 * loop is closed).
 */
public class RunCoroutineThreadsafeTest {
    private static final int PENDING = -3;

    /** One sample: a loop, the task's body and what each side saw. */
    static final class Run {
        final NioEventLoop loop = new NioEventLoop();
        int bodyWrite;
        volatile int bodyRan;
        int outcome;
        int waiterSaw;

        AsyncCallable<Integer> body(boolean fail) {
            return () -> {
                bodyWrite = 1;
                bodyRan = 1;
                if (fail) {
                    throw new ArithmeticException("from the body");
                }
                return 42;
            };
        }

        /** Waits (bounded) for {@code f}, records its outcome and what the waiter sees, then stops the loop. */
        void await(CompletableFuture<Integer> f) {
            try {
                outcome = f.get(20, TimeUnit.SECONDS);
                waiterSaw = bodyWrite;
            } catch (CancellationException e) {
                outcome = -1;
            } catch (ExecutionException e) {
                outcome = e.getCause() instanceof ArithmeticException ? 7 : -2;
                waiterSaw = bodyWrite;
            } catch (TimeoutException e) {
                outcome = PENDING;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                outcome = -2;
            } finally {
                loop.stop();
            }
        }

        void report(III_Result r) {
            // A task whose cancel arrived after the stop is still pending: finish it, as Runner.close() does.
            LeftoverTasks.cancelAndAwait(loop, "RunCoroutineThreadsafeTest");
            loop.close();
            r.r1 = outcome;
            r.r2 = waiterSaw;
            r.r3 = bodyRan;
        }
    }

    @JCStressTest
    @Description("runCoroutineThreadsafe: the result reaches the waiting thread with the body's writes")
    @Outcome(id = "42, 1, 1", expect = ACCEPTABLE, desc = "the task's result, with its writes visible")
    @Outcome(id = "42, 0, .*", expect = FORBIDDEN, desc = "the result arrived without the body's writes")
    @Outcome(id = "-3, .*", expect = FORBIDDEN, desc = "the future never completed")
    @Outcome(expect = FORBIDDEN, desc = "anything else breaks runCoroutineThreadsafe's contract")
    @State
    public static class Result {
        private final Run run = new Run();

        @Actor
        public void loopThread() {
            run.loop.runForever();
        }

        @Actor
        public void waiter() {
            run.await(Tasks.runCoroutineThreadsafe(run.body(false), run.loop));
        }

        @Arbiter
        public void arbiter(III_Result r) {
            run.report(r);
        }
    }

    @JCStressTest
    @Description("runCoroutineThreadsafe: the exception reaches the waiting thread with the body's writes")
    @Outcome(id = "7, 1, 1", expect = ACCEPTABLE, desc = "the task's exception, with its writes visible")
    @Outcome(id = "7, 0, .*", expect = FORBIDDEN, desc = "the exception arrived without the body's writes")
    @Outcome(id = "-3, .*", expect = FORBIDDEN, desc = "the future never completed")
    @Outcome(expect = FORBIDDEN, desc = "anything else breaks runCoroutineThreadsafe's contract")
    @State
    public static class Failure {
        private final Run run = new Run();

        @Actor
        public void loopThread() {
            run.loop.runForever();
        }

        @Actor
        public void waiter() {
            run.await(Tasks.runCoroutineThreadsafe(run.body(true), run.loop));
        }

        @Arbiter
        public void arbiter(III_Result r) {
            run.report(r);
        }
    }

    /**
     * The caller cancels at once, racing with the loop creating and running the task. A cancel that wins before
     * the task's first step keeps the body from running; a later one finds it run.
     */
    @JCStressTest
    @Description("runCoroutineThreadsafe: a cancel from the calling thread racing with the task")
    @Outcome(id = "-1, 0, 0", expect = ACCEPTABLE, desc = "cancelled before the body ran; it never runs")
    @Outcome(id = "-1, 0, 1", expect = ACCEPTABLE, desc = "cancelled after the body ran, before its result arrived")
    @Outcome(id = "42, 1, 1", expect = ACCEPTABLE, desc = "the result arrived first; the cancel came too late")
    @Outcome(id = "-3, .*", expect = FORBIDDEN, desc = "the future never completed")
    @Outcome(expect = FORBIDDEN, desc = "anything else breaks runCoroutineThreadsafe's contract")
    @State
    public static class Cancel {
        private final Run run = new Run();

        @Actor
        public void loopThread() {
            run.loop.runForever();
        }

        @Actor
        public void waiter() {
            CompletableFuture<Integer> f = Tasks.runCoroutineThreadsafe(run.body(false), run.loop);
            f.cancel(false);
            run.await(f);
        }

        @Arbiter
        public void arbiter(III_Result r) {
            run.report(r);
        }
    }
}
