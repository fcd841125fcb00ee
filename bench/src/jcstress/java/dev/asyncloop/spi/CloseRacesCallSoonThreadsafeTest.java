package dev.asyncloop.spi;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
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
 * pending callbacks (EventLoop#close); it never runs, and the loop refuses any later work.
 *
 * <p>Result: (1 accepted, 0 refused with IllegalStateException; 1 if the closed loop still holds the callback in its
 * queue). A closed loop never runs again ({@code runForever} refuses it), so a callback it holds is dropped too, but
 * it stays reachable as long as the loop is.
 */
@JCStressTest
@Description("callSoonThreadsafe racing with close()")
@Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "refused: the loop was closed")
@Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "accepted before the close, which dropped it")
@Outcome(id = "1, 1", expect = ACCEPTABLE_INTERESTING,
        desc = "accepted while the close ran, after it emptied the queue: dropped too, but the closed loop keeps it")
@Outcome(expect = FORBIDDEN, desc = "a refused callback was queued")
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
        r.r2 = loop.queuedHandles();
    }
}
