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
 * Two {@code callSoonThreadsafe} callers finding the loop asleep (its thread cleared {@code awake} and polls):
 * exactly one of them wakes the poller, the one that flips {@code awake}; the other's callback rides on that
 * wake-up. (Two actors and the loop's sleep set up beforehand: a test with the loop as a third actor cannot be
 * scheduled on a 2-CPU machine; WakeupNotLostTest races the loop thread itself.)
 *
 * <p>Result: (wake-ups asked for; callbacks the woken iteration runs).
 */
@JCStressTest
@Description("Threadsafe calls coalesce into one wake-up per sleep")
@Outcome(id = "1, 2", expect = ACCEPTABLE, desc = "one wake-up, both callbacks run when the loop wakes")
@Outcome(id = "0, .*", expect = FORBIDDEN, desc = "lost wake-up: nobody woke the sleeping loop")
@Outcome(id = "[2-9], .*", expect = FORBIDDEN, desc = "more than one wake-up for one sleep")
@Outcome(expect = FORBIDDEN, desc = "anything else breaks the protocol")
@State
public class WakeupCoalescingTest {
    private final ProbeLoop loop = new ProbeLoop(2);
    private int ran;

    public WakeupCoalescingTest() {
        loop.asleep();
    }

    @Actor
    public void caller1() {
        loop.callSoonThreadsafe(() -> ran++);
    }

    @Actor
    public void caller2() {
        loop.callSoonThreadsafe(() -> ran++);
    }

    @Arbiter
    public void arbiter(II_Result r) {
        r.r1 = loop.wakeups();
        loop.runOnce(); // the iteration that the wake-up ended: it runs what both callers queued
        r.r2 = ran;
    }
}
