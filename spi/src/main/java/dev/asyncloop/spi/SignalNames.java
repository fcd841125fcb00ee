package dev.asyncloop.spi;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import sun.misc.Signal;

/**
 * The signal names of {@link dev.asyncloop.EventLoop#addSignalHandler}: {@code "USR1"} or {@code "SIGUSR1"}, upper
 * case, as the platform knows them; and the signals no Java handler may take, each with the reason.
 */
final class SignalNames {
    /** The JVM's shutdown signals: handled by Java unless the JVM runs with -Xrs. */
    static final Set<String> SHUTDOWN = Set.of("HUP", "INT", "TERM");

    private static final String UNCATCHABLE =
            "cannot be caught: the operating system never lets a process handle SIGKILL or SIGSTOP";
    /*
     * sun.misc.Signal itself refuses SEGV, ILL, FPE and QUIT. It accepts BUS and USR2, but replacing HotSpot's own
     * handler there breaks the JVM, so they are refused here too.
     */
    private static final Map<String, String> REFUSED = Map.of(
            "KILL", UNCATCHABLE,
            "STOP", UNCATCHABLE,
            "SEGV", "is reserved by the JVM, which uses it for implicit null checks, stack overflow detection and"
                    + " safepoints",
            "ILL", "is reserved by the JVM, which uses it to detect faults in compiled code",
            "FPE", "is reserved by the JVM, which turns it into ArithmeticException (integer division by zero)",
            "QUIT", "is reserved by the JVM, which prints a thread dump on it (with -Xrs it is left to the"
                    + " operating system, still not to Java)",
            "BUS", "is reserved by the JVM, which turns it into an InternalError for a faulting access to a"
                    + " memory-mapped file",
            "USR2", "is reserved by the JVM, which uses it (on Linux and macOS) to suspend and resume threads; use"
                    + " USR1 instead");

    private SignalNames() {
    }

    /**
     * Returns the signal {@code name} denotes, for installing a handler.
     *
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if the platform knows no such signal, or no Java handler may take it
     */
    static Signal forHandler(String name) {
        String bare = bare(name);
        String refusal = REFUSED.get(bare);
        if (refusal != null) {
            throw new IllegalArgumentException("signal: SIG" + bare + " " + refusal);
        }
        return lookUp(name, bare);
    }

    /**
     * Returns the signal {@code name} denotes, for removing a handler: any known signal, also one that no handler
     * can take.
     *
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if the platform knows no such signal
     */
    static Signal known(String name) {
        return lookUp(name, bare(name));
    }

    /** @return {@code "SIGUSR1"} for the signal {@code USR1} */
    static String display(Signal signal) {
        return "SIG" + signal.getName();
    }

    /**
     * @return {@code "USR1"} for {@code "USR1"} and {@code "SIGUSR1"}: the name without its SIG prefix, unchecked
     * @throws NullPointerException if {@code name} is null
     */
    static String bare(String name) {
        Objects.requireNonNull(name, "signal");
        return name.startsWith("SIG") && name.length() > 3 ? name.substring(3) : name;
    }

    private static Signal lookUp(String name, String bare) {
        try {
            return new Signal(bare);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("signal: \"" + name + "\" names no signal this platform knows;"
                    + " give its name in upper case, with or without the SIG prefix, e.g. \"USR1\" or"
                    + " \"SIGUSR1\"", e);
        }
    }
}
