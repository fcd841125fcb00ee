package dev.asyncloop.examples;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.spi.EventLoops;
import dev.asyncloop.testsupport.ForkedJvms;
import dev.asyncloop.testsupport.RunningJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An example on the poll loop ({@link dev.asyncloop.examples.poll.PollLoop}), named as an application names it:
 * {@link EchoServer} in a forked JVM with {@code -Dasyncloop.loop=poll} and the loop's two flags echoes and stops on
 * SIGTERM (the loop's signal handlers). A named loop runs or fails, never falls back, as the second test shows: the
 * same command without {@code --enable-native-access} fails with the flag to add.
 */
@EnabledOnOs({OS.LINUX, OS.MAC})
class PollLoopExampleTest {
    private static final String DESCRIPTORS_FLAG = "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED";
    private static final String NATIVE_ACCESS_FLAG = "--enable-native-access=ALL-UNNAMED";

    @RegisterExtension
    final ForkedJvms forked = new ForkedJvms();

    @Test
    void echoServerRunsOnThePollLoopAndStopsOnSigterm() throws Exception {
        ServerAppSigtermTest.echoesThenStopsOnSigterm(forked.start(ForkedExample.of(EchoServer.class, "--host",
                RunningServer.HOST, "--port", "0").jvmOptions(NATIVE_ACCESS_FLAG, DESCRIPTORS_FLAG)
                .property(EventLoops.PROPERTY, "poll").withoutSettingsFromEnvironment()));
    }

    @Test
    void namingThePollLoopWithoutNativeAccessFailsWithTheFlagToAdd() throws Exception {
        String[] withoutNativeAccess = ForkedExample.moduleFlags().stream()
                .filter(flag -> !flag.startsWith("--enable-native-access")).toArray(String[]::new);
        RunningJvm child = forked.start(ForkedExample.of(EchoServer.class, "--host", RunningServer.HOST, "--port", "0")
                .moduleFlags(withoutNativeAccess).jvmOptions(DESCRIPTORS_FLAG).property(EventLoops.PROPERTY, "poll")
                .withoutSettingsFromEnvironment());
        String output = String.join("\n", child.linesToTheEnd());
        assertNotEquals(0, child.awaitExit("the JVM did not exit"), output);
        assertTrue(output.contains("add " + NATIVE_ACCESS_FLAG + " to the JVM command line"), output);
    }
}
