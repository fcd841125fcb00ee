package dev.asyncloop.examples;

import dev.asyncloop.testsupport.ForkedJvm;
import dev.asyncloop.testsupport.RunningJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;

/**
 * What forking an example takes beyond {@link ForkedJvm}: the fast coroutine engine's flag, standard error in the
 * output the test reads, 20 s waits; and the {@code READY <port>} line an example server prints once it listens.
 */
final class ForkedExample {
    private static final String READY = "READY ";

    private ForkedExample() {
    }

    /** {@code main} of {@code example} with {@code args}, for {@link dev.asyncloop.testsupport.ForkedJvms#start}. */
    static ForkedJvm of(Class<?> example, String... args) {
        return ForkedJvm.of(example).moduleFlags("--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED").args(args)
                .stderrIntoStdout().timeout(Duration.ofSeconds(20));
    }

    /**
     * Skips the calling test when this JVM inherited SIGINT as ignored (a build started as a background job
     * without job control): a forked JVM inherits that too, and a SIGINT sent to it does nothing. Linux only
     * ({@code /proc/self/status}); elsewhere the test runs.
     */
    static void assumeSigintReachesChildren() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) {
            return;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("SigIgn:")) {
                long ignored = Long.parseUnsignedLong(line.substring("SigIgn:".length()).strip(), 16);
                Assumptions.assumeTrue((ignored & (1L << 1)) == 0, "SIGINT is ignored in this JVM (inherited"
                        + " SIG_IGN, e.g. a background job without job control), so in its children too: run the"
                        + " build in the foreground");
            }
        }
    }

    /** Waits for the server's {@code READY <port>} line (the lines before it are dropped) and returns the port. */
    static int readyPort(RunningJvm server) throws InterruptedException {
        return Integer.parseInt(server.awaitLine(READY).substring(READY.length()).strip());
    }
}
