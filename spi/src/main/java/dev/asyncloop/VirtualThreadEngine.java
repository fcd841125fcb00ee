package dev.asyncloop;

import dev.asyncloop.spi.RunningLoops;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * Coroutines on virtual threads: the portable engine, for JVMs without the flag the continuation engine needs.
 *
 * <p>Implementation overview. Each coroutine body runs on its own virtual thread; control passes back and forth
 * with the driving (loop) thread through the volatile {@code turn} field and park/unpark, so exactly one of
 * the two runs at any time and each hand-off is a happens-before edge. On every resume the driver's running
 * loop and current {@link Context} are installed on the virtual thread, so {@code Async.getRunningLoop()},
 * context variables and the debug-mode thread checks behave as on the loop thread. A virtual thread whose
 * coroutine is never finished stays parked until the JVM exits.
 */
final class VirtualThreadEngine extends CoroutineEngine {
    private static final Thread.Builder BUILDER = Thread.ofVirtual().name("asyncloop-coroutine-", 1);

    @Override
    String name() {
        return "virtual";
    }

    @Override
    <T extends @Nullable Object> EngineCoroutine<T> newCoroutine(AsyncCallable<T> body) {
        return new VirtualThreadCoroutine<>(body);
    }

    private static final class VirtualThreadCoroutine<T> extends EngineCoroutine<T> {
        private static final int DRIVER = 0;
        private static final int BODY = 1;

        private volatile int turn = DRIVER;
        private @Nullable Thread driver;
        private @Nullable Thread thread;
        private @Nullable EventLoop carriedLoop;
        private @Nullable Context carriedContext;

        VirtualThreadCoroutine(AsyncCallable<T> body) {
            super(body);
        }

        @Override
        void runUntilSuspended() {
            driver = Thread.currentThread();
            carriedLoop = RunningLoops.current().orElse(null);
            carriedContext = Context.current();
            turn = BODY;
            if (thread == null) {
                thread = BUILDER.start(this::bodyThread);
            } else {
                LockSupport.unpark(thread);
            }
            while (turn == BODY) {
                LockSupport.park(this);
            }
        }

        private void bodyThread() {
            ThreadState.get().coroutine = this;
            installCarried();
            try {
                runBody();
            } finally {
                turn = DRIVER;
                LockSupport.unpark(driver);
            }
        }

        @Override
        void park() {
            turn = DRIVER;
            LockSupport.unpark(driver);
            while (turn == DRIVER) {
                LockSupport.park(this);
            }
            installCarried();
        }

        private void installCarried() {
            RunningLoops.setForCoroutineThread(carriedLoop);
            Context.swapCurrent(Objects.requireNonNull(carriedContext, "runUntilSuspended sets it first"));
        }

        @Override
        public List<StackTraceElement> stack() {
            Thread t = thread;
            return t == null || !isSuspended() ? List.of() : bodyFrames(t.getStackTrace());
        }
    }
}
