package dev.asyncloop.spi;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * {@code stop()} from another thread against {@code runForever()} starting: a stop before the run makes it run
 * one iteration that does not block (rule L4.2); a stop while it runs wakes it. Either way {@code runForever}
 * returns after exactly one iteration, and the stop is never lost (the poll never sleeps with the loop stopping).
 *
 * <p>Result: (iterations run; polls that blocked; polls that blocked with no wake-up coming; whether the loop
 * still says it runs).
 */
@JCStressTest
@Description("stop() from another thread racing with runForever's start")
@Outcome(id = "1, 0, 0, 0", expect = ACCEPTABLE, desc = "stop came first: one iteration that does not block")
@Outcome(id = "1, 1, 0, 0", expect = ACCEPTABLE, desc = "the loop blocked; the stop woke it")
@Outcome(id = ".*, .*, [1-9], .*", expect = FORBIDDEN, desc = "lost stop: the loop sleeps while stopping")
@Outcome(expect = FORBIDDEN, desc = "anything else breaks the stop contract")
@State
public class StopRacesRunForeverTest {
    private final ProbeLoop loop = new ProbeLoop(1);

    @Actor
    public void loopThread() {
        loop.runForever();
    }

    @Actor
    public void otherThread() {
        loop.stop();
        loop.callerDone();
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
        r.r1 = loop.polls;
        r.r2 = loop.blockingPolls;
        r.r3 = loop.lostPolls;
        r.r4 = loop.isRunning() ? 1 : 0;
    }
}
