package dev.asyncloop.examples;

import dev.asyncloop.testsupport.ForkedJvm;
import dev.asyncloop.testsupport.RunningJvm;
import java.time.Duration;

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

    /** Waits for the server's {@code READY <port>} line (the lines before it are dropped) and returns the port. */
    static int readyPort(RunningJvm server) throws InterruptedException {
        return Integer.parseInt(server.awaitLine(READY).substring(READY.length()).strip());
    }
}
