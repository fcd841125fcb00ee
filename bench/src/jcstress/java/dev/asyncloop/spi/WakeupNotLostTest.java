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
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * {@code callSoonThreadsafe} against the loop thread deciding to block (BaseEventLoop's {@code awake} protocol):
 * the loop either sees the callback before it polls, or the caller wakes the poll; the callback runs in that
 * iteration either way.
 *
 * <p>Result: (how the poll went: 0 did not block, 1 blocked and was woken, 2 blocked and no wake-up came;
 * wake-ups asked for; callbacks run by the iteration).
 */
@JCStressTest
@Description("callSoonThreadsafe racing with the loop going to sleep: no lost wake-up")
@Outcome(id = "0, 0, 1", expect = ACCEPTABLE, desc = "the loop saw the callback before polling; no wake-up needed")
@Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "the loop blocked; the caller's wake-up ended the poll")
@Outcome(id = "0, 1, 1", expect = ACCEPTABLE_INTERESTING,
        desc = "the caller woke a loop that was about to poll but saw the callback: one spurious early return later")
@Outcome(id = "2, .*", expect = FORBIDDEN, desc = "lost wake-up: the loop sleeps with the callback queued")
@Outcome(expect = FORBIDDEN, desc = "anything else breaks the protocol")
@State
public class WakeupNotLostTest {
    private final ProbeLoop loop = new ProbeLoop(1);
    private int ran;

    @Actor
    public void loopThread() {
        loop.runOnce();
    }

    @Actor
    public void otherThread() {
        loop.callSoonThreadsafe(() -> ran++);
        loop.callerDone();
    }

    @Arbiter
    public void arbiter(III_Result r) {
        r.r1 = loop.lostPolls > 0 ? 2 : loop.wokenPolls > 0 ? 1 : 0;
        r.r2 = loop.wakeups();
        r.r3 = ran;
    }
}
