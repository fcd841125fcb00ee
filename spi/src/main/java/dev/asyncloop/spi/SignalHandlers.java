package dev.asyncloop.spi;

import dev.asyncloop.Context;
import dev.asyncloop.EventLoop;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The signal handlers event loops hold, process-wide, as asyncio's {@code add_signal_handler} and
 * {@code remove_signal_handler} on {@code sun.misc.Signal}.
 *
 * <p>Implementation overview. A signal's disposition belongs to the process, so one map, keyed by signal number
 * (aliases such as IO and POLL are one signal) and guarded by its own monitor, records which loop holds which
 * signal, the {@link Delivery} installed for it and the handler that was installed before the loop took it. A
 * signal is held by at most one loop; another loop asking for it is refused rather than silently taking it over,
 * because the first loop's removal would then restore a handler under the second one. The JVM runs a
 * {@code sun.misc.Signal} handler on a thread of its own; {@link Delivery} only hands the callback to the loop with
 * {@link EventLoop#callSoonThreadsafe}, so the callback runs on the loop thread, like every other callback, and a
 * throwing callback reaches the loop's exception handler. Adding, removing and closing may happen on any thread:
 * the loop's closed flag is read under the monitor, and {@link #removeAll} (called by {@code close} after setting
 * it) takes the monitor, so no handler outlives the loop's close.
 */
final class SignalHandlers {
    private static final Map<Integer, Holding> HELD = new HashMap<>();

    private SignalHandlers() {
    }

    /** What one loop installed for one signal. */
    private record Holding(EventLoop loop, Signal signal, Delivery delivery, SignalHandler previous) {
    }

    /** What a delivery hands to the loop: replaced as a whole when the handler is added again. */
    private record Target(Runnable callback, Context context) {
    }

    /** The handler the JVM calls on its signal thread: hands the callback to the loop. */
    private static final class Delivery implements SignalHandler {
        private final EventLoop loop;
        private volatile Target target;

        Delivery(EventLoop loop, Target target) {
            this.loop = loop;
            this.target = target;
        }

        @Override
        public void handle(Signal signal) {
            Target t = target;
            try {
                loop.callSoonThreadsafe(t.callback(), t.context());
            } catch (IllegalStateException closedMeanwhile) {
                // close() is removing this handler: the signal has no loop left to go to
            }
        }

        @Override
        public String toString() {
            return "asyncloop signal handler of " + loop;
        }
    }

    /**
     * Installs (or replaces) the handler of {@code loop} for {@code name}.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if the name is unknown, or the signal cannot be handled from Java
     * @throws UnsupportedOperationException if the JVM leaves this signal to the operating system here (-Xrs, or
     *     a shutdown signal ignored since the process started)
     * @throws IllegalStateException if the loop is closed, or another loop holds the signal
     */
    static void add(EventLoop loop, String name, Runnable callback, Context context) {
        Signal signal = SignalNames.forHandler(name);
        Objects.requireNonNull(callback, "callback");
        Objects.requireNonNull(context, "context");
        Target target = new Target(callback, context);
        synchronized (HELD) {
            if (loop.isClosed()) {
                throw new IllegalStateException("Event loop is closed");
            }
            Holding held = HELD.get(signal.getNumber());
            if (held != null && held.loop() != loop) {
                throw new IllegalStateException(SignalNames.display(signal) + " is already handled by another event"
                        + " loop, " + held.loop() + "; a signal goes to one loop at a time: remove it there"
                        + " (removeSignalHandler) or close that loop first");
            }
            if (held != null) {
                held.delivery().target = target;
                Signal.handle(signal, held.delivery());
                return;
            }
            Delivery delivery = new Delivery(loop, target);
            SignalHandler previous = install(signal, delivery);
            HELD.put(signal.getNumber(), new Holding(loop, signal, delivery, previous));
        }
    }

    /**
     * Removes the handler of {@code loop} for {@code name}, restoring what was installed before the loop took the
     * signal.
     *
     * @return true if the loop held the signal
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if the name is unknown
     */
    static boolean remove(EventLoop loop, String name) {
        Signal signal = SignalNames.known(name);
        synchronized (HELD) {
            Holding held = HELD.get(signal.getNumber());
            if (held == null || held.loop() != loop) {
                return false;
            }
            HELD.remove(signal.getNumber());
            restore(held);
            return true;
        }
    }

    /** Removes every handler of {@code loop}; for its {@code close()}, after it is marked closed. */
    static void removeAll(EventLoop loop) {
        synchronized (HELD) {
            for (Iterator<Holding> it = HELD.values().iterator(); it.hasNext();) {
                Holding held = it.next();
                if (held.loop() == loop) {
                    it.remove();
                    restore(held);
                }
            }
        }
    }

    private static SignalHandler install(Signal signal, Delivery delivery) {
        String display = SignalNames.display(signal);
        SignalHandler previous;
        try {
            previous = Signal.handle(signal, delivery);
        } catch (IllegalArgumentException e) {
            if (SignalNames.SHUTDOWN.contains(signal.getName())) {
                throw new UnsupportedOperationException(display + " cannot be handled: the JVM runs with -Xrs"
                        + " (reduced signal usage), which leaves SIGHUP, SIGINT and SIGTERM to the operating system;"
                        + " start it without -Xrs to handle them", e);
            }
            throw new IllegalArgumentException("signal: the JVM refuses to let Java handle " + display + " ("
                    + e.getMessage() + ")", e);
        }
        if (previous == SignalHandler.SIG_IGN && Signal.handle(signal, delivery) != delivery) {
            // The JVM keeps a shutdown signal ignored that the process started with ignored, and installs nothing.
            Signal.handle(signal, previous);
            throw new UnsupportedOperationException(display + " cannot be handled: the process started with it"
                    + " ignored (as nohup does for SIGHUP), and the JVM keeps it ignored");
        }
        return previous;
    }

    private static void restore(Holding held) {
        SignalHandler current = Signal.handle(held.signal(), held.previous());
        if (current != held.delivery()) {
            // Someone installed a handler over the loop's since: theirs stays.
            Signal.handle(held.signal(), current);
        }
    }
}
