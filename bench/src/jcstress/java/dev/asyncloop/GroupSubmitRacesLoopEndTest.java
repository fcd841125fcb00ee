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
import org.openjdk.jcstress.infra.results.I_Result;

/**
 * {@code EventLoopGroup.submit} against the end of the loop it goes to (the loop's {@code stop()} from another
 * thread; the group finishes it on its thread: leftover tasks cancelled, loop closed, end actions run): the submit
 * is refused ("that loop has ended"), or its future completes, with the result or cancelled because the loop
 * ended first; it never stays pending (the group's {@code whenLoopEnds} against {@code loopEnded}).
 *
 * <p>Result: (42 the result, -1 cancelled, -4 refused with IllegalStateException, -2 another failure, -3 still
 * pending after 20 s).
 */
@JCStressTest
@Description("EventLoopGroup.submit racing with the end of its loop")
@Outcome(id = "42", expect = ACCEPTABLE, desc = "the task ran before the loop ended")
@Outcome(id = "-1", expect = ACCEPTABLE, desc = "the loop ended first: the future was cancelled")
@Outcome(id = "-4", expect = ACCEPTABLE, desc = "the loop had ended: submit refused")
@Outcome(id = "-3", expect = FORBIDDEN, desc = "the future never completed")
@Outcome(expect = FORBIDDEN, desc = "anything else breaks submit's contract")
@State
public class GroupSubmitRacesLoopEndTest {
    private final EventLoopGroup group = EventLoopGroup.create(1, NioEventLoop::new);
    private int outcome;

    @Actor
    public void stopper() {
        group.loops().get(0).stop();
    }

    @Actor
    public void submitter() {
        try {
            outcome = group.submit(0, () -> 42).get(20, TimeUnit.SECONDS);
        } catch (CancellationException e) { // an IllegalStateException too: first
            outcome = -1;
        } catch (IllegalStateException refused) {
            outcome = -4;
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
    public void arbiter(I_Result r) {
        group.close();
        r.r1 = outcome;
    }
}
