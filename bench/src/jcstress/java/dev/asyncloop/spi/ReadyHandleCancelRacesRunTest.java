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
import org.openjdk.jcstress.infra.results.III_Result;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * {@code cancel()} of a {@code callSoonThreadsafe} handle from another thread against the loop running it
 * (ReadyHandle): the cancel either prevents the run or comes too late; the callback runs at most once, whole, and
 * the handle reports itself cancelled afterwards either way. The debug-mode handle, whose cancel swaps the
 * callback for its description, is checked too. {@code Threadsafe} checks the handle {@code callSoonThreadsafe}
 * returns ({@link ThreadsafeHandle}, asyncio 3.14's gh-128340): once {@code cancel()} returns, the callback either
 * ran to its end or never runs.
 *
 * <p>Result: (times the callback ran; 1 if the handle says it is cancelled); for {@code Threadsafe}, see there.
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

    @JCStressTest
    @Description("ThreadsafeHandle.cancel() from another thread waits for a callback that is running")
    @Outcome(id = "0, 0, 0", expect = ACCEPTABLE, desc = "the cancel came first: the callback never ran")
    @Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "the cancel waited for the callback, which ran to its end")
    @Outcome(id = "1, 0, 1", expect = FORBIDDEN, desc = "cancel() returned while the callback was still running")
    @Outcome(id = "0, 0, 1", expect = FORBIDDEN, desc = "the callback ran after cancel() returned")
    @Outcome(expect = FORBIDDEN, desc = "anything else")
    @State
    public static class Threadsafe {
        private int begun;
        private int finished;
        private int ran;
        private int seenBegun;
        private int seenFinished;
        private final ThreadsafeHandle handle = new ThreadsafeHandle(this::callback, new Context(), List.of());

        private void callback() {
            ran++;
            begun = 1;
            for (int i = 0; i < 64; i++) {
                Thread.onSpinWait(); // widens the window in which a cancel that does not wait would see it half-run
            }
            finished = 1;
        }

        @Actor
        public void loopThread() {
            handle.run();
        }

        @Actor
        public void otherThread() {
            handle.cancel();
            seenBegun = begun;
            seenFinished = finished;
        }

        @Arbiter
        public void arbiter(III_Result r) {
            r.r1 = seenBegun;
            r.r2 = seenFinished;
            r.r3 = ran;
        }
    }
}
