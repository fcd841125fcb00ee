package dev.asyncloop.spi;

import dev.asyncloop.EventLoop;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Which loop runs on the current thread: asyncio's {@code _get_running_loop} / {@code _set_running_loop}.
 *
 * <p>{@link BaseEventLoop} calls {@link #enter} and {@link #exit} around {@code runForever}; a loop written
 * from scratch must do the same so that {@link dev.asyncloop.Async#getRunningLoop()} and the engines'
 * {@code await} work on it.
 */
public final class RunningLoops {
    private static final ThreadLocal<EventLoop> RUNNING = new ThreadLocal<>();

    private RunningLoops() {
    }

    /**
     * Returns the loop running on this thread.
     *
     * @return the loop, or empty
     */
    public static Optional<EventLoop> current() {
        return Optional.ofNullable(RUNNING.get());
    }

    /**
     * Tells whether {@code loop} is the one running on this thread: the debug-mode thread check.
     *
     * @param loop the loop
     * @return true if it runs here
     */
    public static boolean isCurrent(EventLoop loop) {
        Objects.requireNonNull(loop, "loop");
        return RUNNING.get() == loop;
    }

    /**
     * Marks {@code loop} as running on this thread.
     *
     * @param loop the loop starting to run
     * @throws IllegalStateException if a loop already runs on this thread ("Cannot run the event loop while
     *     another loop is running")
     */
    public static void enter(EventLoop loop) {
        Objects.requireNonNull(loop, "loop");
        checkNoneRunning();
        RUNNING.set(loop);
    }

    /**
     * Throws if a loop runs on this thread: asyncio's {@code _check_running} for another loop. A loop calls it
     * before it schedules anything for a run, so that a refused run leaves nothing behind. Any thread.
     *
     * @throws IllegalStateException "Cannot run the event loop while another loop is running", naming that loop
     */
    public static void checkNoneRunning() {
        EventLoop running = RUNNING.get();
        if (running != null) {
            throw new IllegalStateException("Cannot run the event loop while another loop is running: " + running
                    + " runs on thread " + Thread.currentThread().getName());
        }
    }

    /**
     * Clears the running loop of this thread.
     *
     * @param loop the loop that stops running
     * @throws IllegalStateException if {@code loop} is not the one running here
     */
    public static void exit(EventLoop loop) {
        Objects.requireNonNull(loop, "loop");
        if (RUNNING.get() != loop) {
            throw new IllegalStateException(loop + " is not the loop running on thread "
                    + Thread.currentThread().getName());
        }
        RUNNING.remove();
    }

    /**
     * For coroutine engines that run a task's body on a thread of their own: makes {@code loop} (or none)
     * this thread's running loop, without the checks of {@link #enter}. The body thread must only run while
     * the loop thread waits for it. Public only because asyncloop's virtual-thread engine lives in another
     * package: a loop has no use for it, and a call on a thread that runs a loop breaks the checks of
     * {@link #enter} and {@link #exit}.
     *
     * @param loop the loop whose task runs on this thread, or null
     */
    public static void setForCoroutineThread(@Nullable EventLoop loop) {
        if (loop == null) {
            RUNNING.remove();
        } else {
            RUNNING.set(loop);
        }
    }
}
