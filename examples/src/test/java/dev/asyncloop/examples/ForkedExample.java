package dev.asyncloop.examples;

import dev.asyncloop.Coroutine;
import dev.asyncloop.spi.EventLoops;
import dev.asyncloop.testsupport.ForkedJvm;
import dev.asyncloop.testsupport.RunningJvm;
import dev.asyncloop.testsupport.TestJvmArgs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What forking an example takes beyond {@link ForkedJvm}: this JVM's setting (its coroutine engine, module flags,
 * {@code -Dasyncloop.test.jvmArgs}, {@code asyncloop.loop} and {@code asyncloop.debug}), so that the example runs as
 * the tests in this JVM do; standard error in the output the test reads, 20 s waits; and the {@code READY <port>}
 * line an example server prints once it listens.
 */
final class ForkedExample {
    private static final String READY = "READY ";

    private ForkedExample() {
    }

    /** {@code main} of {@code example} with {@code args}, for {@link dev.asyncloop.testsupport.ForkedJvms#start}. */
    static ForkedJvm of(Class<?> example, String... args) {
        ForkedJvm jvm = ForkedJvm.of(example).moduleFlags(moduleFlags().toArray(String[]::new))
                .property("asyncloop.coroutines", Coroutine.engineName());
        jvm.jvmOptions(TestJvmArgs.given().toArray(String[]::new));
        for (String property : List.of(EventLoops.PROPERTY, "asyncloop.debug")) {
            String value = System.getProperty(property);
            if (value != null) {
                jvm.property(property, value);
            }
        }
        return jvm.args(args).stderrIntoStdout().timeout(Duration.ofSeconds(20));
    }

    /** The module flags {@link #of} gives: this JVM's, and the export the continuation engine needs when it runs it. */
    static List<String> moduleFlags() {
        List<String> flags = new ArrayList<>(ForkedJvm.parentModuleFlags());
        if (Coroutine.engineName().equals("continuation")) {
            flags.add("--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED");
        }
        return flags;
    }

    /** Waits for the server's {@code READY <port>} line (the lines before it are dropped) and returns the port. */
    static int readyPort(RunningJvm server) throws InterruptedException {
        return Integer.parseInt(server.awaitLine(READY).substring(READY.length()).strip());
    }
}
