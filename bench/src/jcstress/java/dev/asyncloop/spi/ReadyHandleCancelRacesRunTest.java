package dev.asyncloop.spi;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.asyncloop.Context;
import java.util.List;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * {@code cancel()} of a {@code callSoonThreadsafe} handle from another thread against the loop running it
 * (ReadyHandle): the cancel either prevents the run or comes too late; the callback runs at most once, whole, and
 * the handle reports itself cancelled afterwards either way. The debug-mode handle, whose cancel swaps the
 * callback for its description, is checked too.
 *
 * <p>Result: (times the callback ran; 1 if the handle says it is cancelled).
 */
public class ReadyHandleCancelRacesRunTest {
    private static final List<StackTraceElement> DEBUG_STACK =
            List.of(new StackTraceElement("Caller", "schedule", "Caller.java", 1));

    @JCStressTest
    @Description("Handle.cancel() from another thread racing with the loop running the handle")
    @Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "the cancel came first: the callback never ran")
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "the cancel came too late: the callback ran once")
    @Outcome(expect = FORBIDDEN, desc = "ran twice, or the cancel was forgotten")
    @State
    public static class Plain {
        private int ran;
        private final ReadyHandle handle = new ReadyHandle(() -> ran++, new Context(), List.of());

        @Actor
        public void loopThread() {
            handle.run();
        }

        @Actor
        public void otherThread() {
            handle.cancel();
        }

        @Arbiter
        public void arbiter(II_Result r) {
            r.r1 = ran;
            r.r2 = handle.isCancelled() ? 1 : 0;
        }
    }

    @JCStressTest
    @Description("Handle.cancel() from another thread racing with the loop running the handle, in debug mode")
    @Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "the cancel came first: the callback never ran")
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "the cancel came too late: the callback ran once")
    @Outcome(expect = FORBIDDEN, desc = "ran twice, or the cancel was forgotten")
    @State
    public static class Debug {
        private int ran;
        private final ReadyHandle handle = new ReadyHandle(() -> ran++, new Context(), DEBUG_STACK);

        @Actor
        public void loopThread() {
            handle.run();
        }

        @Actor
        public void otherThread() {
            handle.cancel();
        }

        @Arbiter
        public void arbiter(II_Result r) {
            r.r1 = ran;
            r.r2 = handle.isCancelled() ? 1 : 0;
        }
    }
}
