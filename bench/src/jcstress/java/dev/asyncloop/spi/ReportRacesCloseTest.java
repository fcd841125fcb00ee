package dev.asyncloop.spi;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.asyncloop.ExceptionContext;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * {@code close()} on one thread against a report from another ("exception was never retrieved", made by the
 * Cleaner thread), the loop not running: the report is queued for the loop thread, delivered by the close, or
 * made on the reporting thread because the loop was closed, and whichever way, the exception handler gets it
 * exactly once and the closed loop keeps nothing.
 *
 * <p>Result: (how many times the handler got the report; how many live handles the closed loop's queue holds).
 */
@JCStressTest
@Description("a report from another thread racing with close()")
@Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "reported once")
@Outcome(id = "0, .*", expect = FORBIDDEN, desc = "lost: queued before the close, which dropped it")
@Outcome(id = "2, .*", expect = FORBIDDEN, desc = "reported twice: by the close and by the reporter")
@Outcome(expect = FORBIDDEN, desc = "anything else")
@State
public class ReportRacesCloseTest {
    private static final ExceptionContext REPORT = ExceptionContext.builder("Future exception was never retrieved")
            .build();
    private final ProbeLoop loop = new ProbeLoop(1);
    private final AtomicInteger handled = new AtomicInteger();

    public ReportRacesCloseTest() {
        loop.setExceptionHandler((l, context) -> handled.incrementAndGet());
    }

    @Actor
    public void closer() {
        loop.close();
    }

    @Actor
    public void reporter() {
        Debug.reportFromAnyThread(loop, REPORT);
    }

    @Arbiter
    public void arbiter(II_Result r) {
        r.r1 = handled.get();
        r.r2 = loop.drainLiveHandles();
    }
}
