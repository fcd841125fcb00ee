package dev.asyncloop;

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
 * The virtual-thread engine's hand-off ({@code VirtualThreadEngine}: the volatile {@code turn} and park/unpark):
 * the driver (the loop thread) and the body's virtual thread never run at once, and what one writes in plain
 * fields before handing over is seen by the other after. Each sample drives one coroutine through its two steps to
 * its end, so no virtual thread is left parked.
 *
 * <p>Result: (what the body's first step read of the driver's write; what the driver read of that step's write;
 * what the second step read of the driver's write in between; times a side found the other running).
 */
@JCStressTest
@Description("VirtualThreadEngine: one side runs at a time, and each hand-off publishes the plain writes before it")
@Outcome(id = "1, 2, 3, 0", expect = ACCEPTABLE, desc = "every hand-off published, never both running")
@Outcome(expect = FORBIDDEN, desc = "a write not seen across a hand-off, or driver and body running at once")
@State
public class VirtualThreadHandOffTest {
    private int driverWrite;
    private int bodyWrite;
    private int firstStepSaw;
    private int secondStepSaw;
    private int driverSaw;
    private int overlaps;
    private volatile boolean bodyRunning;

    private final Coroutine<Integer> coroutine = new VirtualThreadEngine().newCoroutine(() -> {
        enterBody();
        firstStepSaw = driverWrite;
        bodyWrite = 2;
        leaveBody();
        Async.yieldNow();
        enterBody();
        secondStepSaw = driverWrite;
        leaveBody();
        return 0;
    });

    private void enterBody() {
        bodyRunning = true;
    }

    private void leaveBody() {
        bodyRunning = false;
    }

    @Actor
    public void driver() {
        driverWrite = 1;
        coroutine.send(null);
        if (bodyRunning) {
            overlaps++;
        }
        driverSaw = bodyWrite;
        driverWrite = 3;
        coroutine.send(null);
        if (bodyRunning) {
            overlaps++;
        }
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
        r.r1 = firstStepSaw;
        r.r2 = driverSaw;
        r.r3 = secondStepSaw;
        r.r4 = overlaps;
    }
}
