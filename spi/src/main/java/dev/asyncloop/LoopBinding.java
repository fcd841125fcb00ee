package dev.asyncloop;

import dev.asyncloop.spi.RunningLoops;
import org.jspecify.annotations.Nullable;

/**
 * The loop a synchronization primitive or queue belongs to (asyncio's {@code _LoopBoundMixin}): bound to the loop
 * running on the calling thread at the first use made while a loop runs (asyncio: the first use that has to
 * wait), so that later use from another thread can be refused; waiting on another loop is refused too.
 */
final class LoopBinding {
    private @Nullable EventLoop loop;

    /** Returns the running loop, binding to it on first use; for operations that wait. */
    EventLoop loop(Object owner) {
        EventLoop running = Async.getRunningLoop();
        if (loop == null) {
            loop = running;
        } else if (loop != running) {
            throw new IllegalStateException(owner + " is bound to a different event loop (" + loop + "); create one"
                    + " per loop");
        }
        return loop;
    }

    /**
     * Refuses a call from another thread while the bound loop runs: these objects are not thread-safe; other
     * threads go through {@link EventLoop#callSoonThreadsafe}.
     */
    void checkThread(Object owner) {
        if (loop == null) {
            loop = RunningLoops.current().orElse(null);
            return;
        }
        EventLoop bound = loop;
        if (bound != null && bound.isRunning() && !RunningLoops.isCurrent(bound)) {
            throw new IllegalStateException(owner + " was used from thread " + Thread.currentThread().getName()
                    + " while its loop runs on another thread; it is not thread-safe, use"
                    + " loop.callSoonThreadsafe(...) to reach it");
        }
    }
}
