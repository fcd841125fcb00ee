package dev.asyncloop.tck.mutants;

import dev.asyncloop.Context;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The signal mutants of {@link Mutants}: a {@link ForwardingNetworkLoop} with signal handlers of its own, on
 * {@code sun.misc.Signal}, that get one rule wrong. Only as much of the contract as the mutant's own rule needs.
 */
final class SignalMutant extends ForwardingNetworkLoop {
    /** What the mutant gets wrong. */
    enum Flaw {
        /** The callback runs on the JVM's signal thread (G1.1). */
        CALLBACK_OFF_LOOP,
        /** removeSignalHandler installs SIG_DFL, not the handler from before (G1.5). */
        REMOVE_INSTALLS_DEFAULT,
        /** close() leaves the handlers installed (G1.6). */
        KEPT_AT_CLOSE
    }

    private record Installed(Signal signal, SignalHandler previous) {
    }

    private final Flaw flaw;
    private final Map<Integer, Installed> installed = new HashMap<>();

    SignalMutant(Flaw flaw) {
        this.flaw = flaw;
    }

    private static Signal signal(String name) {
        Objects.requireNonNull(name, "signal");
        return new Signal(name.startsWith("SIG") ? name.substring(3) : name);
    }

    @Override
    public synchronized void addSignalHandler(String name, Runnable callback, Context context) {
        Objects.requireNonNull(callback, "callback");
        Objects.requireNonNull(context, "context");
        Signal signal = signal(name);
        SignalHandler handler = flaw == Flaw.CALLBACK_OFF_LOOP
                ? s -> context.run(callback)
                : s -> delegate.callSoonThreadsafe(callback, context);
        SignalHandler previous = Signal.handle(signal, handler);
        installed.putIfAbsent(signal.getNumber(), new Installed(signal, previous));
    }

    @Override
    public synchronized boolean removeSignalHandler(String name) {
        Installed held = installed.remove(signal(name).getNumber());
        if (held == null) {
            return false;
        }
        Signal.handle(held.signal(), flaw == Flaw.REMOVE_INSTALLS_DEFAULT ? SignalHandler.SIG_DFL : held.previous());
        return true;
    }

    @Override
    public synchronized void close() {
        if (flaw != Flaw.KEPT_AT_CLOSE && !delegate.isRunning()) {
            installed.values().forEach(held -> Signal.handle(held.signal(), held.previous()));
            installed.clear();
        }
        super.close();
    }
}
