package dev.asyncloop;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGINT handling of one {@link Runner#run} call: the first signal cancels the main task (on the loop thread,
 * through {@link EventLoop#callSoonThreadsafe}), the second restores the previous handler and raises the signal
 * again, which ends the JVM as the default handling does. Installed only over the JVM's own handler, so a
 * handler the application installed is left alone.
 *
 * <p>An application handler added during the run (e.g. {@link EventLoop#addSignalHandler}) has this handling as
 * its predecessor and may put it back after the run ended, when the loop removes its handlers. So once
 * {@link #uninstall() uninstalled}, this handling stands for the handler it replaced: a SIGINT restores that one
 * and raises the signal again, and a later {@link #install} looks through it.
 */
final class SigintHandling implements SignalHandler {
    private static final Signal INT = new Signal("INT");
    private final EventLoop loop;
    private final Task<?> task;
    private final AtomicInteger count = new AtomicInteger();
    private @Nullable SignalHandler previous;
    private volatile boolean retired;

    private SigintHandling(EventLoop loop, Task<?> task) {
        this.loop = loop;
        this.task = task;
    }

    /**
     * Installs the handling for {@code task}, unless the JVM does not handle signals (-Xrs) or the application
     * installed its own SIGINT handler.
     *
     * @return the installed handling, or null
     */
    static @Nullable SigintHandling install(EventLoop loop, Task<?> task) {
        SigintHandling h = new SigintHandling(loop, task);
        try {
            h.previous = Signal.handle(INT, h);
            while (h.previous instanceof SigintHandling retiredOne && retiredOne.retired) {
                h.previous = retiredOne.previous;
            }
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            return null;
        }
        SignalHandler previous = Objects.requireNonNull(h.previous, "Signal.handle returns the handler it replaced");
        if (!isJvmDefault(previous)) {
            Signal.handle(INT, previous);
            return null;
        }
        return h;
    }

    private static boolean isJvmDefault(SignalHandler handler) {
        // sun.misc.Signal wraps a handler the JDK installed (the shutdown-hook one) in a class of its own.
        return handler == SignalHandler.SIG_DFL || handler.getClass().getName().startsWith("sun.misc.Signal$")
                || handler.getClass().getName().startsWith("jdk.internal.");
    }

    /** Tells whether at least one SIGINT arrived while installed. */
    boolean interrupted() {
        return count.get() > 0;
    }

    /** Puts the previous handler back, if ours is still the installed one. */
    void uninstall() {
        retired = true;
        SignalHandler current = Signal.handle(INT, previous);
        if (current != this) {
            Signal.handle(INT, current);
        }
    }

    @Override
    public void handle(Signal signal) {
        if (!retired && count.incrementAndGet() == 1 && !task.isDone()) {
            try {
                loop.callSoonThreadsafe(() -> {
                    if (!task.isDone()) {
                        task.cancel();
                    }
                });
                return;
            } catch (RuntimeException closedLoop) {
                // the loop is gone: fall through to the real interrupt
            }
        }
        Signal.handle(INT, previous);
        Signal.raise(INT);
    }
}
