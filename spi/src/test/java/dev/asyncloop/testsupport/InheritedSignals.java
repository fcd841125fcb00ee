package dev.asyncloop.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * The signals this JVM inherited as ignored. A build started as a background job of a shell without job control
 * ({@code mvn ... &} in a script, {@code nohup}) runs with SIGINT (and maybe SIGHUP) set to SIG_IGN; its test JVMs
 * and their children inherit that, and asyncloop, as asyncio, leaves an ignored SIGINT alone. Tests of what a
 * signal does skip themselves then, saying why. Read from Linux's {@code /proc/self/status}; elsewhere nothing
 * counts as ignored.
 */
public final class InheritedSignals {
    private static final int SIGINT = 2;

    private InheritedSignals() {
    }

    /**
     * Tells whether this JVM ignores signal {@code number}.
     *
     * @param number the signal's number (1 for SIGHUP, 2 for SIGINT)
     * @return true if ignored; false where it cannot be told
     */
    public static boolean ignored(int number) {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) {
            return false;
        }
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("SigIgn:")) {
                    return new BigInteger(line.substring("SigIgn:".length()).strip(), 16).testBit(number - 1);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return false;
    }

    /** Skips the calling test when SIGINT is ignored here, and so in every JVM or process this one starts. */
    public static void assumeSigintDelivered() {
        Assumptions.assumeFalse(ignored(SIGINT), "SIGINT is ignored in this JVM (inherited SIG_IGN, e.g. a build"
                + " run as a background job without job control), so in its children too: run the build in the"
                + " foreground");
    }
}
