package dev.asyncloop.spi;

import java.util.Optional;

/**
 * Whether this Java runtime lets an event loop handle signals at all: only on POSIX systems (as asyncio), and
 * through {@code sun.misc.Signal} of the JDK module {@code jdk.unsupported}, which a trimmed runtime image may
 * lack. Kept free of any reference to that module, so asking never fails.
 */
final class SignalSupport {
    private static final Optional<String> UNAVAILABILITY = probe();

    private SignalSupport() {
    }

    /** @return empty when signal handlers can be installed here; else why not, in one sentence */
    static Optional<String> unavailabilityCause() {
        return UNAVAILABILITY;
    }

    /**
     * Throws when signal handlers cannot be installed in this runtime.
     *
     * @throws UnsupportedOperationException naming the reason
     */
    static void check() {
        UNAVAILABILITY.ifPresent(cause -> {
            throw new UnsupportedOperationException(cause);
        });
    }

    private static Optional<String> probe() {
        if (System.getProperty("os.name", "").startsWith("Windows")) {
            return Optional.of("signal handlers are for POSIX systems; on Windows asyncio has none either");
        }
        try {
            Class.forName("sun.misc.Signal", false, SignalSupport.class.getClassLoader());
            return Optional.empty();
        } catch (ClassNotFoundException | LinkageError e) {
            return Optional.of("signal handlers need sun.misc.Signal from the JDK module jdk.unsupported, which this"
                    + " Java runtime lacks; build the runtime image with it (jlink --add-modules jdk.unsupported)");
        }
    }
}
