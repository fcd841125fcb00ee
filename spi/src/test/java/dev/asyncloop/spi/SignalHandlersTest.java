package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * What {@link BaseEventLoop}'s signal handlers say when they refuse, beyond what the conformance kit's group G1
 * checks on every loop: the reasons of the signals refused here, the loop named by a conflict, and (in forked JVMs)
 * the JVM leaving a signal to the operating system.
 */
@EnabledOnOs({OS.LINUX, OS.MAC})
class SignalHandlersTest {
    private static final long WAIT_SECONDS = 20;

    @Test
    @DisplayName("SIGUSR2 and SIGBUS, which sun.misc.Signal would take from HotSpot, are refused with the JVM's use of them")
    void refusesSignalsTheJvmRelieson() {
        try (TestLoop loop = new TestLoop()) {
            IllegalArgumentException usr2 = assertThrows(IllegalArgumentException.class,
                    () -> loop.addSignalHandler("SIGUSR2", () -> { }));
            assertTrue(usr2.getMessage().contains("SIGUSR2 is reserved by the JVM")
                    && usr2.getMessage().contains("suspend and resume threads"), usr2.getMessage());
            IllegalArgumentException bus = assertThrows(IllegalArgumentException.class,
                    () -> loop.addSignalHandler("BUS", () -> { }));
            assertTrue(bus.getMessage().contains("SIGBUS") && bus.getMessage().contains("memory-mapped"),
                    bus.getMessage());
            IllegalArgumentException segv = assertThrows(IllegalArgumentException.class,
                    () -> loop.addSignalHandler("SEGV", () -> { }));
            assertTrue(segv.getMessage().startsWith("signal: SIGSEGV is reserved by the JVM"), segv.getMessage());
        }
    }

    @Test
    @DisplayName("an unknown name: the message quotes it and says which names are expected; lower case is not a name")
    void unknownNameMessage() {
        try (TestLoop loop = new TestLoop()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> loop.addSignalHandler("usr1", () -> { }));
            assertEquals("signal: \"usr1\" names no signal this platform knows; give its name in upper case, with or"
                    + " without the SIG prefix, e.g. \"USR1\" or \"SIGUSR1\"", e.getMessage());
        }
    }

    @Test
    @DisplayName("a signal another loop handles: the refusal names that loop and what to do")
    void conflictNamesTheOtherLoop() {
        try (TestLoop first = new TestLoop(); TestLoop second = new TestLoop()) {
            first.addSignalHandler("WINCH", () -> { });
            try {
                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> second.addSignalHandler("SIGWINCH", () -> { }));
                assertEquals("SIGWINCH is already handled by another event loop, " + first + "; a signal goes to"
                        + " one loop at a time: remove it there (removeSignalHandler) or close that loop first",
                        e.getMessage());
            } finally {
                first.removeSignalHandler("WINCH");
            }
        }
    }

    @Test
    @DisplayName("-Xrs: SIGINT, SIGTERM, SIGHUP throw UnsupportedOperationException naming -Xrs; SIGUSR1 still works")
    void reducedSignalUsage() throws Exception {
        List<String> lines = runChild(List.of("-Xrs"), false, "INT", "SIGTERM", "HUP", "USR1");
        assertEquals(4, lines.size(), String.valueOf(lines));
        for (int i = 0; i < 3; i++) {
            assertTrue(lines.get(i).contains("java.lang.UnsupportedOperationException: ")
                    && lines.get(i).contains("cannot be handled: the JVM runs with -Xrs"), lines.get(i));
        }
        assertEquals("USR1 OK true", lines.get(3));
    }

    @Test
    @DisplayName("a shutdown signal the process started with ignored (nohup): UnsupportedOperationException saying so")
    void ignoredShutdownSignal() throws Exception {
        List<String> lines = runChild(List.of(), true, "HUP", "USR1");
        assertEquals(2, lines.size(), String.valueOf(lines));
        assertEquals("HUP java.lang.UnsupportedOperationException: SIGHUP cannot be handled: the process started"
                + " with it ignored (as nohup does for SIGHUP), and the JVM keeps it ignored", lines.get(0));
        assertEquals("USR1 OK true", lines.get(1));
    }

    /** Runs {@link SignalProbeChild} in a new JVM, with SIGHUP ignored from the start if asked; its output lines. */
    private static List<String> runChild(List<String> jvmOptions, boolean hupIgnored, String... signals)
            throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>();
        if (hupIgnored) {
            command.addAll(List.of("sh", "-c", "trap '' HUP; exec \"$@\"", "sh"));
        }
        command.add(java);
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), SignalProbeChild.class.getName()));
        command.addAll(Arrays.asList(signals));
        Path output = Files.createTempFile("signal-probe", ".out");
        try {
            Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
                    .start();
            if (!child.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
                child.destroyForcibly();
                throw new AssertionError("the child JVM did not exit within " + WAIT_SECONDS + " s: "
                        + Files.readString(output));
            }
            String text = Files.readString(output, StandardCharsets.UTF_8);
            assertEquals(0, child.exitValue(), "the child JVM failed: " + text);
            return text.lines().filter(l -> !l.startsWith("WARNING")).toList();
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
