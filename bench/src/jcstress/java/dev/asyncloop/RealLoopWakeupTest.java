package dev.asyncloop;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.asyncloop.epoll.EpollEventLoop;
import dev.asyncloop.nio.NioEventLoop;
import java.time.Duration;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * The whole wake-up path of a real loop, poller included (SelectorPoller's {@code Selector.wakeup}, EpollPoller's
 * eventfd): {@code callSoonThreadsafe(loop::stop)} from another thread while the loop starts and goes to sleep in
 * its poll stops the loop at once. A safety timer stops it after 10 s if the wake-up was lost, so a lost one shows
 * as an outcome (and a 10 s sample) instead of a hung run.
 *
 * <p>Result: (1 if the threadsafe callback ran; 1 if the safety timer had to stop the loop).
 */
public class RealLoopWakeupTest {
    private static final Duration SAFETY = Duration.ofSeconds(10);

    /** One sample on {@code loop}. */
    static final class Run {
        final EventLoop loop;
        volatile int ran;
        int timedOut;

        Run(EventLoop loop) {
            this.loop = loop;
            loop.callLater(SAFETY, () -> {
                timedOut = 1;
                loop.stop();
            });
        }

        void report(II_Result r) {
            loop.close();
            r.r1 = ran;
            r.r2 = timedOut;
        }
    }

    @JCStressTest
    @Description("NIO loop: a threadsafe stop racing with the loop going to sleep in select wakes it")
    @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "the threadsafe call stopped the loop")
    @Outcome(id = ".*, 1", expect = FORBIDDEN, desc = "lost wake-up: the loop slept until the safety timer")
    @Outcome(expect = FORBIDDEN, desc = "anything else")
    @State
    public static class Nio {
        private final Run run = new Run(new NioEventLoop());

        @Actor
        public void loopThread() {
            run.loop.runForever();
        }

        @Actor
        public void otherThread() {
            run.loop.callSoonThreadsafe(() -> {
                run.ran = 1;
                run.loop.stop();
            });
        }

        @Arbiter
        public void arbiter(II_Result r) {
            run.report(r);
        }
    }

    @JCStressTest
    @Description("epoll loop: a threadsafe stop racing with the loop going to sleep in epoll_wait wakes it")
    @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "the threadsafe call stopped the loop")
    @Outcome(id = ".*, 1", expect = FORBIDDEN, desc = "lost wake-up: the loop slept until the safety timer")
    @Outcome(expect = FORBIDDEN, desc = "anything else")
    @State
    public static class Epoll {
        private final Run run = new Run(new EpollEventLoop());

        @Actor
        public void loopThread() {
            run.loop.runForever();
        }

        @Actor
        public void otherThread() {
            run.loop.callSoonThreadsafe(() -> {
                run.ran = 1;
                run.loop.stop();
            });
        }

        @Arbiter
        public void arbiter(II_Result r) {
            run.report(r);
        }
    }
}
