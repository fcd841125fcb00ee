package dev.asyncloop;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.asyncloop.epoll.EpollPoller;
import dev.asyncloop.spi.Poller;
import dev.asyncloop.spi.SelectorPoller;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * A poller's {@code wakeup()} from another thread against its {@code close()} on the loop thread (Poller: "any
 * thread; never throws, also after close()"). The closing thread opens a pipe right after the close; the kernel
 * hands it the lowest free descriptor numbers, often the wake-up descriptor's just freed. A wake-up that wrote to
 * its eventfd's number after the close would put 8 bytes into that pipe (or into whatever another sample opened
 * meanwhile, which sees them). {@link RealLoopCloseRacesWakeupTest} races the same through a whole loop,
 * where the window is much narrower.
 *
 * <p>Result: (bytes found in the pipe; 1 if {@code wakeup()} threw).
 */
public class PollerCloseRacesWakeupTest {

    /**
     * One sample. The poller is opened by the closer, not in the state's constructor, and the closer reads and
     * closes its pipe once the waker is done: jcstress allocates thousands of states at a time, and descriptors
     * held by each from construction to the arbiter would exceed the process's limit.
     */
    static final class Run {
        private final boolean epoll;
        private volatile Poller poller;
        private volatile boolean wakerDone;
        private int threw;
        private int bytes;

        Run(boolean epoll) {
            this.epoll = epoll;
        }

        void closer() {
            try {
                Poller p = epoll ? new EpollPoller() : new SelectorPoller();
                poller = p;
                p.close();
                Pipe pipe = Pipe.open();
                try (Pipe.SourceChannel source = pipe.source(); Pipe.SinkChannel sink = pipe.sink()) {
                    while (!wakerDone) {
                        Thread.onSpinWait();
                    }
                    source.configureBlocking(false);
                    bytes = Math.max(source.read(ByteBuffer.allocate(64)), 0);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void waker() {
            Poller p;
            while ((p = poller) == null) {
                Thread.onSpinWait();
            }
            try {
                p.wakeup();
            } catch (RuntimeException | Error e) {
                threw = 1;
            }
            wakerDone = true;
        }

        void report(II_Result r) {
            r.r1 = bytes;
            r.r2 = threw;
        }
    }

    @JCStressTest
    @Description("SelectorPoller: wakeup() racing with close() writes nowhere and throws nothing")
    @Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "the wake-up came before the close, or did nothing after it")
    @Outcome(id = "[1-9][0-9]*, .*", expect = FORBIDDEN,
            desc = "a wake-up after the close wrote into a descriptor opened since")
    @Outcome(id = ".*, 1", expect = FORBIDDEN, desc = "wakeup() threw")
    @Outcome(expect = FORBIDDEN, desc = "anything else")
    @State
    public static class Selector {
        private final Run run = new Run(false);

        @Actor
        public void closer() {
            run.closer();
        }

        @Actor
        public void waker() {
            run.waker();
        }

        @Arbiter
        public void arbiter(II_Result r) {
            run.report(r);
        }
    }

    @JCStressTest
    @Description("EpollPoller: wakeup() racing with close() never writes to the closed (reused) eventfd number")
    @Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "the wake-up came before the close, or did nothing after it")
    @Outcome(id = "[1-9][0-9]*, .*", expect = FORBIDDEN,
            desc = "a wake-up after the close wrote into a descriptor opened since")
    @Outcome(id = ".*, 1", expect = FORBIDDEN, desc = "wakeup() threw")
    @Outcome(expect = FORBIDDEN, desc = "anything else")
    @State
    public static class Epoll {
        private final Run run = new Run(true);

        @Actor
        public void closer() {
            run.closer();
        }

        @Actor
        public void waker() {
            run.waker();
        }

        @Arbiter
        public void arbiter(II_Result r) {
            run.report(r);
        }
    }
}
