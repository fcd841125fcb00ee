package dev.asyncloop;

import dev.asyncloop.spi.BaseEventLoop;

/**
 * A loop without I/O for the library tests: {@link #poll(long)} waits on a monitor until {@link #wakeup()} or
 * the timeout. Named apart from {@code dev.asyncloop.spi.TestLoop}, which another test tree defines.
 */
final class LibraryTestLoop extends BaseEventLoop {
    private final Object monitor = new Object();
    private boolean woken;

    @Override
    protected void poll(long timeoutNanos) {
        synchronized (monitor) {
            if (timeoutNanos != 0) {
                long deadline = System.nanoTime() + timeoutNanos;
                while (!woken) {
                    long left = timeoutNanos < 0 ? 0 : deadline - System.nanoTime();
                    if (timeoutNanos > 0 && left <= 0) {
                        break;
                    }
                    try {
                        if (timeoutNanos < 0) {
                            monitor.wait();
                        } else {
                            monitor.wait(left / 1_000_000, (int) (left % 1_000_000));
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
            woken = false;
        }
    }

    @Override
    protected void wakeup() {
        synchronized (monitor) {
            woken = true;
            monitor.notifyAll();
        }
    }
}
