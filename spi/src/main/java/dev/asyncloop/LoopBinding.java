package dev.asyncloop;

import dev.asyncloop.spi.RunningLoops;

/**
 * The loop a synchronization primitive or queue belongs to (asyncio's {@code _LoopBoundMixin}): bound on the first
 * operation that needs a future, from the loop running on the calling thread; every later use must come from
 * that loop.
 */
final class LoopBinding {
    private final Object owner;
    private EventLoop loop;

    LoopBinding(Object owner) {
        this.owner = owner;
    }

    /** Returns the running loop, binding to it on first use; for operations that wait. */
    EventLoop loop() {
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
    void checkThread() {
        EventLoop bound = loop;
        if (bound != null && bound.isRunning() && !RunningLoops.isCurrent(bound)) {
            throw new IllegalStateException(owner + " was used from thread " + Thread.currentThread().getName()
                    + " while its loop runs on another thread; it is not thread-safe, use"
                    + " loop.callSoonThreadsafe(...) to reach it");
        }
    }
}
