package dev.asyncloop.spi;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * {@code close()} on one thread against {@code callSoonThreadsafe} on another, the loop not running: the call
 * either throws "Event loop is closed" or is accepted, and an accepted callback is dropped with the loop's other
 * pending callbacks (EventLoop#close). Either way the closed loop keeps no callback that could run: a closed loop
 * never runs again, and one it kept would stay reachable as long as the loop.
 *
 * <p>Result: (1 accepted, 0 refused with IllegalStateException; how many live, not cancelled, handles the closed
 * loop's queue still holds).
 */
@JCStressTest
@Description("callSoonThreadsafe racing with close()")
@Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "refused: the loop was closed")
@Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "accepted before the close, which dropped it")
@Outcome(id = ".*, [1-9]", expect = FORBIDDEN,
        desc = "the call came while close() ran, after it emptied the queue: the closed loop keeps the callback")
@Outcome(expect = FORBIDDEN, desc = "anything else")
@State
public class CloseRacesCallSoonThreadsafeTest {
    private final ProbeLoop loop = new ProbeLoop(1);
    private int accepted;

    @Actor
    public void closer() {
        loop.close();
    }

    @Actor
    public void caller() {
        try {
            loop.callSoonThreadsafe(() -> { });
            accepted = 1;
        } catch (IllegalStateException closed) {
            accepted = 0;
        }
    }

    @Arbiter
    public void arbiter(II_Result r) {
        r.r1 = accepted;
        r.r2 = loop.drainLiveHandles();
    }
}
