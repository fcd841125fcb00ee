package dev.asyncloop;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.asyncloop.nio.NioEventLoop;
import java.util.concurrent.CancellationException;
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
 * {@code EventLoopGroup.submit} (round-robin through {@code next()}) on one thread against the group's
 * {@code close()} on another: the submit is refused (the group is shut down, or the loop {@code next()} handed
 * out has ended), or its future completes with the result, or cancelled because the loop ended first; it never
 * stays pending, a refused body never runs, and {@code close()} returns (every loop thread ended).
 *
 * <p>Result: (42 the result, -1 cancelled, -4 refused "the EventLoopGroup is shut down", -5 refused otherwise
 * (the loop has ended), -2 another failure, -3 still pending after 20 s; 1 if the body ran; 1 if
 * {@code close()} returned, 0 if it threw).
 */
@JCStressTest
@Description("EventLoopGroup.submit through next() racing with the group's close()")
@Outcome(id = "42, 1, 1", expect = ACCEPTABLE, desc = "the task ran before the group shut down")
@Outcome(id = "-1, 0, 1", expect = ACCEPTABLE, desc = "the loop ended first: the future was cancelled, the body never ran")
@Outcome(id = "-4, 0, 1", expect = ACCEPTABLE, desc = "the group was shut down: submit refused")
@Outcome(id = "-5, 0, 1", expect = ACCEPTABLE, desc = "the loop next() gave had ended: submit refused")
@Outcome(id = "-3, .*", expect = FORBIDDEN, desc = "the future never completed")
@Outcome(id = "-[145], 1, .*", expect = FORBIDDEN, desc = "refused or cancelled, yet the body ran")
@Outcome(id = ".*, .*, 0", expect = FORBIDDEN, desc = "close() threw: a loop thread did not end")
@Outcome(expect = FORBIDDEN, desc = "anything else breaks submit's or close()'s contract")
@State
public class GroupSubmitRacesCloseTest {
    private final EventLoopGroup group = EventLoopGroup.create(2, NioEventLoop::new);
    private volatile int ran;
    private int outcome;
    private int closed;

    @Actor
    public void closer() {
        long start = System.nanoTime();
        try {
            group.close();
            closed = 1;
        } catch (IllegalStateException e) {
            closed = 0;
            StringBuilder where = new StringBuilder("GroupSubmitRacesCloseTest: close() threw after "
                    + (System.nanoTime() - start) / 1_000_000 + " ms: " + e);
            for (Thread t : group.threads()) {
                if (t.isAlive()) {
                    where.append("\n  ").append(t.getName()).append(' ').append(t.getState());
                    for (StackTraceElement frame : t.getStackTrace()) {
                        where.append("\n    at ").append(frame);
                    }
                }
            }
            System.err.println(where);
        }
    }

    @Actor
    public void submitter() {
        try {
            outcome = group.submit(() -> {
                ran = 1;
                return 42;
            }).get(20, TimeUnit.SECONDS);
        } catch (CancellationException e) { // an IllegalStateException too: first
            outcome = -1;
        } catch (IllegalStateException refused) {
            outcome = "the EventLoopGroup is shut down".equals(refused.getMessage()) ? -4 : -5;
        } catch (ExecutionException e) {
            outcome = -2;
        } catch (TimeoutException e) {
            outcome = -3;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            outcome = -2;
        }
    }

    @Arbiter
    public void arbiter(III_Result r) {
        r.r1 = outcome;
        r.r2 = ran;
        r.r3 = closed;
    }
}
