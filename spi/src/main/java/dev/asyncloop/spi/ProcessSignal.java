package dev.asyncloop.spi;

/**
 * A signal for {@link dev.asyncloop.SubprocessTransport#sendSignal}, checked at the call: named as
 * {@link dev.asyncloop.EventLoop#addSignalHandler} names signals ({@link SignalNames}), numbered as this platform
 * numbers it (the JVM's own table, so Linux's and macOS's differing numbers are both right). SIGTERM and SIGKILL
 * go through {@link ProcessHandle#destroy()} and {@link ProcessHandle#destroyForcibly()}, which every platform has;
 * any other signal through the C library's {@code kill(2)} ({@link LibcKill}), which only POSIX systems have.
 */
final class ProcessSignal {
    private static final String TERM = "TERM";
    private static final String KILL = "KILL";

    private final String display;
    private final String bare;
    private final int number;

    private ProcessSignal(String bare, int number) {
        this.bare = bare;
        this.display = "SIG" + bare;
        this.number = number;
    }

    /**
     * Checks {@code name} and resolves it.
     *
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if this platform knows no signal of that name
     * @throws UnsupportedOperationException on Windows for any signal but SIGTERM and SIGKILL, or where the JVM
     *     cannot name signals ({@code jdk.unsupported} missing)
     */
    static ProcessSignal parse(String name) {
        String bare = SignalNames.bare(name);
        if (bare.equals(TERM) || bare.equals(KILL)) {
            return new ProcessSignal(bare, bare.equals(TERM) ? 15 : 9);
        }
        if (System.getProperty("os.name", "").startsWith("Windows")) {
            throw new UnsupportedOperationException("sendSignal(\"" + name + "\"): " + System.getProperty("os.name")
                    + " has no kill(2), so a child can only be sent SIGTERM (terminate()) and SIGKILL (kill()), as"
                    + " with asyncio on Windows");
        }
        if (SignalSupport.unavailabilityCause().isPresent()) {
            throw new UnsupportedOperationException("sendSignal(\"" + name + "\"): naming signals needs"
                    + " sun.misc.Signal from the JDK module jdk.unsupported, which this Java runtime lacks; build the"
                    + " runtime image with it (jlink --add-modules jdk.unsupported)");
        }
        return new ProcessSignal(bare, SignalNames.known(name).getNumber());
    }

    /**
     * Sends the signal to {@code process}, which must still run: SIGTERM and SIGKILL through its handle (which
     * only signals, unlike {@link Process#destroy()}, which also closes the pipes), any other through
     * {@code kill(2)}. A child that exited meanwhile is not an error.
     *
     * @throws UnsupportedOperationException if {@code kill(2)} cannot be linked in this JVM
     * @throws java.io.UncheckedIOException if the system refuses to signal the child
     */
    void sendTo(Process process) {
        switch (bare) {
            case TERM -> process.toHandle().destroy();
            case KILL -> process.toHandle().destroyForcibly();
            default -> {
                // The exit watch reaps the child; once reaped its pid may be reused, so ask the JDK first (as
                // CPython's Popen.send_signal polls first).
                if (process.isAlive()) {
                    LibcKill.kill(process.pid(), number, display);
                }
            }
        }
    }

    @Override
    public String toString() {
        return display;
    }
}
