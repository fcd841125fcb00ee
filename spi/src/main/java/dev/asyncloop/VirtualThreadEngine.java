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
 *
 * <p>The thread's interrupt status travels with control, as on the continuation engine, where the body runs on the
 * loop thread itself: the driver's status is handed to the body at each resume and the body's back to the driver at
 * each suspension and at its end. A side waiting for its turn is therefore never interrupted by its own earlier
 * status (park would return at once, and the wait would spin at full CPU for as long as the other side runs, or as
 * long as the coroutine stays suspended); an interrupt that arrives while it waits is kept and set again when its
 * turn comes.
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
        /* The interrupt status handed over with the turn; each is written before the volatile turn, read after. */
        private boolean interruptToBody;
        private boolean interruptToDriver;

        VirtualThreadCoroutine(AsyncCallable<T> body) {
            super(body);
        }

        @Override
        void runUntilSuspended() {
            driver = Thread.currentThread();
            carriedLoop = RunningLoops.current().orElse(null);
            carriedContext = Context.current();
            interruptToBody = Thread.interrupted();
            turn = BODY;
            if (thread == null) {
                thread = BUILDER.start(this::bodyThread);
            } else {
                LockSupport.unpark(thread);
            }
            boolean interrupted = awaitTurn(BODY);
            if (interrupted || interruptToDriver) {
                Thread.currentThread().interrupt();
            }
        }

        private void bodyThread() {
            ThreadState.get().coroutine = this;
            installCarried();
            try {
                runBody();
            } finally {
                interruptToDriver = Thread.interrupted();
                turn = DRIVER;
                LockSupport.unpark(driver);
            }
        }

        @Override
        void park() {
            interruptToDriver = Thread.interrupted();
            turn = DRIVER;
            LockSupport.unpark(driver);
            boolean interrupted = awaitTurn(DRIVER);
            installCarried();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        /**
         * Parks while the other side has the turn ({@code turn == other}); an interrupt meanwhile is cleared, so
         * that park keeps parking, and reported to the caller.
         */
        private boolean awaitTurn(int other) {
            boolean interrupted = false;
            while (turn == other) {
                LockSupport.park(this);
                if (Thread.interrupted()) {
                    interrupted = true;
                }
            }
            return interrupted;
        }

        private void installCarried() {
            RunningLoops.setForCoroutineThread(carriedLoop);
            Context.swapCurrent(Objects.requireNonNull(carriedContext, "runUntilSuspended sets it first"));
            if (interruptToBody) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public List<StackTraceElement> stack() {
            Thread t = thread;
            return t == null || !isSuspended() ? List.of() : bodyFrames(t.getStackTrace());
        }
    }
}
