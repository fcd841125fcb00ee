package dev.asyncloop.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.testsupport.ForkedJvm;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The console runner, run in-process through {@link TckCommand#run}, which returns the exit status. */
class TckCommandTest {
    /** What one command line printed and returned. */
    record Outcome(int status, String out, String err) {
        List<String> outLines() {
            return out.lines().toList();
        }
    }

    static Outcome run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = new TckCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
        return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @ValueSource(strings = {"--bogus", "--loop", "--report", "--list=yes", "extra", "--loop=", "--loop nio --loop nio"})
    void badArgumentsPrintUsageAndExit2(String line) {
        Outcome o = run(line.split(" "));
        assertEquals(2, o.status(), o.toString());
        assertTrue(o.err().contains("Usage: java -jar"), o.err());
        assertTrue(o.err().startsWith("asyncloop-tck: "), "the error must come first, naming the argument: " + o.err());
        assertEquals("", o.out());
    }

    @Test
    void unknownArgumentIsNamed() {
        assertTrue(run("--bogus").err().contains("unknown argument '--bogus'"));
    }

    @Test
    void helpPrintsUsageAndExits0() {
        Outcome o = run("--help");
        assertEquals(0, o.status());
        assertTrue(o.out().contains("--loop NAME") && o.out().contains("--report FILE.html"), o.out());
    }

    @Test
    void unknownLoopIsASelectionErrorPrintedAsIs() {
        String before = System.getProperty("asyncloop.loop"); // -Dasyncloop.loop=nio when the build names a loop
        Outcome o = run("--loop", "no-such-loop");
        assertEquals(2, o.status(), o.toString());
        assertTrue(o.err().startsWith("asyncloop: -Dasyncloop.loop=no-such-loop names no event loop provider"),
                o.err());
        assertTrue(o.err().contains("nio (priority 0"), "the selection error lists the providers found: " + o.err());
        assertEquals(before, System.getProperty("asyncloop.loop"), "--loop must not leak past the run");
    }

    @Test
    void groupRunsOnlyThoseGroups() {
        Outcome o = run("--loop", "nio", "--group", "timers,signals");
        assertEquals(0, o.status(), o.out() + o.err());
        assertTrue(o.out().contains("timers") && o.out().contains("signals"),
                "the table lists both groups: " + o.out());
        assertTrue(!o.out().contains("callbacks & ordering") && !o.out().contains("TLS"),
                "only the named groups ran: " + o.out());
        List<String> progress = o.err().lines().filter(l -> l.matches("(timers|signals): \\d+ passed, 0 failed,"
                + " \\d+ skipped in \\d+\\.\\d s")).toList();
        assertEquals(2, progress.size(), "each group's line must reach stderr when it ends: " + o.err());
    }

    @Test
    void unknownGroupIsRefusedWithTheList() {
        Outcome o = run("--group", "timer");
        assertEquals(2, o.status(), o.toString());
        assertTrue(o.err().startsWith("asyncloop-tck: --group: no group 'timer'; the groups are "), o.err());
        assertTrue(o.err().contains("timers") && o.err().contains("networking") && o.err().contains("tls"), o.err());
    }

    @Test
    void listShowsNioAndTheEngine() {
        Outcome o = run("--list");
        assertEquals(0, o.status(), o.toString());
        assertTrue(o.out().contains("nio (priority 0, dev.asyncloop.nio.NioEventLoopProvider"), o.out());
        assertTrue(o.out().contains("available"), o.out());
        assertTrue(o.out().contains("capabilities: "), o.out());
        assertTrue(o.out().contains("Coroutine engine: " + dev.asyncloop.Coroutine.engineName()), o.out());
    }

    @Test
    void runAgainstNioPassesAndWritesTheReport(@TempDir Path dir) throws IOException {
        Path html = dir.resolve("sub/report.html");
        Outcome o = run("--loop", "nio", "--report", html.toString());
        assertEquals(0, o.status(), o.out() + o.err());
        List<String> lines = o.outLines();
        String last = lines.getLast();
        assertTrue(last.matches("\\d+ passed, 0 failed, \\d+ skipped"), "closing line: " + last);
        assertTrue(o.out().contains("chosen:  named by -Dasyncloop.loop=nio"), o.out());
        assertTrue(o.out().contains("callbacks & ordering"), "the table lists the groups: " + o.out());
        assertTrue(Files.isRegularFile(html), "--report must write " + html);
        String page = Files.readString(html);
        for (String group : List.of("callbacks &amp; ordering", "timers", "threadsafe", "futures", "registry")) {
            assertTrue(page.contains("<td>" + group + "</td>"), "the report lists group " + group);
        }
        assertTrue(page.contains(HtmlReport.esc(lines.getLast())), "the report carries the closing line");
        assertTrue(page.contains("NioEventLoopProvider") && page.contains("JDK"), "the report names loop and JDK");
        assertTrue(Files.readString(dir.resolve("sub/report.txt")).contains(last), "a text report lies beside");
    }

    @Test
    void failuresAreCountedListedAndExit1() {
        RunResult result = new RunResult(List.of("g"), List.of(
                new RunResult.Outcome("g", "L9.1 passes", RunResult.Status.PASSED, ""),
                new RunResult.Outcome("g", "L9.2 fails", RunResult.Status.FAILED, "[L9.2] expected x\nline 2"),
                new RunResult.Outcome("g", "L9.3 skipped", RunResult.Status.SKIPPED, "untested: why")),
                java.time.Duration.ofMillis(5));
        String text = TextReport.render(null, result);
        assertTrue(text.endsWith("1 passed, 1 failed, 1 skipped\n"), text);
        assertTrue(text.contains("L9.2 fails\n      [L9.2] expected x\n      line 2"), text);
        assertTrue(text.contains("L9.3 skipped: untested: why"), text);
    }

    @Test
    void reportsWriteTheDurationTheSameInEveryDefaultLocale() {
        RunResult result = new RunResult(List.of("g"), List.of(
                new RunResult.Outcome("g", "L9.1 passes", RunResult.Status.PASSED, "")),
                java.time.Duration.ofMillis(1500));
        Locale before = Locale.getDefault();
        Locale.setDefault(Locale.GERMANY);
        try {
            String text = TextReport.render(null, result);
            assertTrue(text.contains("\ntook 1.5 s\n"), text);
            String page = HtmlReport.render(new RunHeader("nio", "named", "continuation", "25"), result);
            assertTrue(page.contains("1.5 s"), page);
        } finally {
            Locale.setDefault(before);
        }
    }

    @Test
    void anEngineThatCannotStartFailsTheRunOnceWithK10() throws Exception {
        // A forced engine that fails is remembered for the life of the JVM, so this runs in a JVM of its own.
        String output = ForkedJvm.of(Main.class).moduleFlags().property("asyncloop.coroutines", "nonsense")
                .args("--loop", "nio", "--group", "callbacks").stderrIntoStdout().run().expectExit(1).stdout();
        assertTrue(output.contains("engine:  none can start: -Dasyncloop.coroutines=nonsense names no coroutine"
                + " engine"), output);
        assertTrue(output.contains("[suite set-up] suite set-up: [K1.0] the coroutine engine cannot start"), output);
        assertTrue(output.contains("0 passed, 1 failed, 0 skipped"), output);
    }
}
