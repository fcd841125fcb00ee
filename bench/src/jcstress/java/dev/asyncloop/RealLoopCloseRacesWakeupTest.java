package dev.asyncloop;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.asyncloop.epoll.EpollEventLoop;
import dev.asyncloop.nio.NioEventLoop;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.time.Duration;
import java.util.function.Supplier;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * A real loop's wake-up racing with its {@code close()}: another thread's {@code callSoonThreadsafe(loop::stop)}
 * can still be inside the poller's {@code wakeup()} (it found the loop about to sleep) when the loop thread has
 * already run the stop, returned from {@code runForever}, and closed the loop and its poller. The wake-up must
 * then do nothing: the poller's wake-up descriptor (an eventfd, for the NIO loop the selector's) is closed, and
 * the kernel hands its number to the next descriptor opened; a late write would put 8 stray bytes into someone
 * else's file. The loop thread opens a pipe right after the close, which takes the freed numbers, and the arbiter
 * reads what arrived in it. The caller must see no exception: its callback ran.
 *
 * <p>Result: (the caller: 0 returned, 1 threw IllegalStateException, 2 threw anything else; 1 if the callback
 * ran; bytes found in the pipe opened after the close; 1 if the safety timer had to stop the loop).
 */
public class RealLoopCloseRacesWakeupTest {
    private static final Duration SAFETY = Duration.ofSeconds(10);

    /** One sample on a loop from {@code factory}. */
    static final class Run {
        final EventLoop loop;
        volatile int ran;
        int timedOut;
        int caller;
        Pipe pipe;

        Run(Supplier<EventLoop> factory) {
            loop = factory.get();
            loop.callLater(SAFETY, () -> {
                timedOut = 1;
                loop.stop();
            });
        }

        void loopThread() {
            loop.runForever();
            loop.close();
            try {
                pipe = Pipe.open();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void otherThread() {
            try {
                loop.callSoonThreadsafe(() -> {
                    ran = 1;
                    loop.stop();
                });
                caller = 0;
            } catch (IllegalStateException closed) {
                caller = 1;
            } catch (RuntimeException | Error e) {
                caller = 2;
            }
        }

        void report(IIII_Result r) {
            r.r1 = caller;
            r.r2 = ran;
            r.r3 = strayBytes();
            r.r4 = timedOut;
        }

        private int strayBytes() {
            try (Pipe.SourceChannel source = pipe.source(); Pipe.SinkChannel sink = pipe.sink()) {
                source.configureBlocking(false);
                int n = source.read(ByteBuffer.allocate(64));
                return Math.max(n, 0);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @JCStressTest
    @Description("NIO loop: a late Selector.wakeup after the loop closed writes nowhere, and throws nothing")
    @Outcome(id = "0, 1, 0, 0", expect = ACCEPTABLE, desc = "the call was taken and stopped the loop; no stray bytes")
    @Outcome(id = "1, 1, 0, 0", expect = FORBIDDEN,
            desc = "the callback ran, yet the caller was told the loop was closed (refused)")
    @Outcome(id = ".*, .*, [1-9][0-9]*, .*", expect = FORBIDDEN,
            desc = "a wake-up after the close wrote into a descriptor opened since")
    @Outcome(id = ".*, .*, .*, 1", expect = FORBIDDEN, desc = "lost wake-up: the loop slept until the safety timer")
    @Outcome(expect = FORBIDDEN, desc = "anything else")
    @State
    public static class Nio {
        private final Run run = new Run(NioEventLoop::new);

        @Actor
        public void loopThread() {
            run.loopThread();
        }

        @Actor
        public void otherThread() {
            run.otherThread();
        }

        @Arbiter
        public void arbiter(IIII_Result r) {
            run.report(r);
        }
    }

    @JCStressTest
    @Description("epoll loop: a late eventfd wake-up after the loop closed writes nowhere, and throws nothing")
    @Outcome(id = "0, 1, 0, 0", expect = ACCEPTABLE, desc = "the call was taken and stopped the loop; no stray bytes")
    @Outcome(id = "1, 1, 0, 0", expect = FORBIDDEN,
            desc = "the callback ran, yet the caller was told the loop was closed (refused)")
    @Outcome(id = ".*, .*, [1-9][0-9]*, .*", expect = FORBIDDEN,
            desc = "a wake-up after the close wrote into a descriptor opened since")
    @Outcome(id = ".*, .*, .*, 1", expect = FORBIDDEN, desc = "lost wake-up: the loop slept until the safety timer")
    @Outcome(expect = FORBIDDEN, desc = "anything else")
    @State
    public static class Epoll {
        private final Run run = new Run(EpollEventLoop::new);

        @Actor
        public void loopThread() {
            run.loopThread();
        }

        @Actor
        public void otherThread() {
            run.otherThread();
        }

        @Arbiter
        public void arbiter(IIII_Result r) {
            run.report(r);
        }
    }
}
