package dev.asyncloop.spi;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * A loop's signal handling against its {@code close()} on another thread ({@code SignalHandlers}: the closed flag
 * is read under the handlers' monitor, and close removes the loop's handlers under it after setting the flag).
 *
 * <p>A signal's handler is process-wide and held by one loop at a time, while jcstress runs many samples' actors
 * back to back: so the actor that takes SIGUSR1 waits, before it leaves the sample, until the other actor's close
 * has returned, and the arbiter checks that nothing is left installed. No real signal is raised: the delivery
 * calls the handler the loop installed, as the JVM's signal thread does ({@code SignalHandler.handle}).
 */
public class SignalHandlerRacesCloseTest {
    private static final Signal USR1 = new Signal("USR1");

    /** The handler installed for SIGUSR1 now (swapped out and back: only the sample's own actor installs one). */
    static SignalHandler installed() {
        SignalHandler current = Signal.handle(USR1, SignalHandler.SIG_DFL);
        Signal.handle(USR1, current);
        return current;
    }

    /** The loop of one sample, and the close's end for the other actor to wait for. */
    static class Sample {
        final ProbeLoop loop = new ProbeLoop(1);
        volatile boolean closeReturned;
        volatile int ran;

        void close() {
            loop.close();
            closeReturned = true;
        }

        void awaitClose() {
            while (!closeReturned) {
                Thread.onSpinWait();
            }
        }

        /** 1 if the closed loop still held SIGUSR1 (or its handler is still installed), else 0. */
        int leftHeld() {
            boolean held = loop.removeSignalHandler("USR1");
            return held || installed() != SignalHandler.SIG_DFL ? 1 : 0;
        }
    }

    @JCStressTest
    @Description("addSignalHandler racing with close(): refused, or added and removed by the close; never left held")
    @Outcome(id = "1, 0, 0", expect = ACCEPTABLE, desc = "added before the close, which removed it")
    @Outcome(id = "0, 0, 0", expect = ACCEPTABLE, desc = "refused: the loop was closed")
    @Outcome(id = ".*, 1, .*", expect = FORBIDDEN, desc = "the closed loop still holds the signal")
    @Outcome(id = "2, .*, .*", expect = FORBIDDEN, desc = "refused for another reason (another loop held the signal)")
    @Outcome(expect = FORBIDDEN, desc = "anything else")
    @State
    public static class Add extends Sample {
        private int added;

        @Actor
        public void adder() {
            try {
                loop.addSignalHandler("USR1", () -> ran = 1);
                added = 1;
            } catch (IllegalStateException e) {
                added = "Event loop is closed".equals(e.getMessage()) ? 0 : 2;
            }
            awaitClose();
        }

        @Actor
        public void closer() {
            close();
        }

        @Arbiter
        public void arbiter(III_Result r) {
            r.r1 = added;
            r.r2 = leftHeld();
            r.r3 = ran;
        }
    }

    @JCStressTest
    @Description("a signal delivered while the loop closes: scheduled and dropped by the close, or dropped; the"
            + " JVM's signal thread sees no exception and the closed loop keeps no callback")
    @Outcome(id = "0, 0, 0", expect = ACCEPTABLE, desc = "delivered and dropped, before or after the close")
    @Outcome(id = "1, .*, .*", expect = FORBIDDEN, desc = "the delivery threw on the signal thread")
    @Outcome(id = ".*, [1-9], .*", expect = FORBIDDEN, desc = "the closed loop keeps the signal's callback")
    @Outcome(id = ".*, .*, 1", expect = FORBIDDEN, desc = "the closed loop still holds the signal")
    @Outcome(expect = FORBIDDEN, desc = "anything else")
    @State
    public static class Deliver extends Sample {
        private volatile SignalHandler delivery;
        private int threw;

        @Actor
        public void signalThread() {
            loop.addSignalHandler("USR1", () -> ran = 1);
            SignalHandler d = installed();
            delivery = d;
            try {
                d.handle(USR1);
            } catch (RuntimeException | Error e) {
                threw = 1;
            }
            awaitClose();
        }

        @Actor
        public void closer() {
            while (delivery == null) {
                Thread.onSpinWait();
            }
            close();
        }

        @Arbiter
        public void arbiter(III_Result r) {
            r.r1 = threw;
            r.r2 = loop.drainLiveHandles();
            r.r3 = leftHeld();
        }
    }
}
