package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.Async;
import dev.asyncloop.ExceptionContext;
import dev.asyncloop.Future;
import dev.asyncloop.SubprocessConnection;
import dev.asyncloop.SubprocessOptions;
import dev.asyncloop.SubprocessPipeline;
import dev.asyncloop.SubprocessProtocol;
import dev.asyncloop.SubprocessTransport;
import dev.asyncloop.Subprocesses;
import dev.asyncloop.Tasks;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The parts of {@link Subprocesses#pipeline} that the TCK's N14.28–N14.32 leave out: files at the pipeline's ends,
 * one stderr file shared by every stage, and the errors of the options.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SubprocessPipelineTest {
    private final ReadinessEventLoop loop = SelectorLoops.newLoop();
    private final List<ExceptionContext> reports = new ArrayList<>();
    @TempDir
    Path dir;

    @BeforeEach
    void setUp() {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "needs a POSIX /bin/sh");
        loop.setExceptionHandler((l, context) -> reports.add(context));
    }

    @AfterEach
    void tearDown() {
        loop.close();
        assertEquals(List.of(), reports, "nothing reported");
    }

    @Test
    void filesAtBothEndsAndNoStreams() throws IOException {
        Path in = Files.writeString(dir.resolve("in.txt"), "pear\napple\n");
        Path out = dir.resolve("out.txt");
        SubprocessPipeline p = loop.runUntilComplete(() -> {
            SubprocessPipeline started = Async.await(Subprocesses.pipeline(List.of(List.of("sort"),
                    List.of("head", "-n", "1")), SubprocessOptions.builder().stdin(Redirect.from(in.toFile()))
                    .stdout(Redirect.to(out.toFile())).stderr(Redirect.DISCARD).build()));
            Async.await(started.waitFor());
            return started;
        });
        assertTrue(p.stdin().isEmpty() && p.stdout().isEmpty(), "files instead of pipes: no streams");
        assertTrue(p.stages().stream().allMatch(s -> s.stderr().isEmpty()), "DISCARD: no stderr streams");
        assertEquals("apple\n", Files.readString(out));
        assertEquals(List.of(OptionalInt.of(0), OptionalInt.of(0)), p.returnCodes());
    }

    /** As {@code Subprocess.communicate} (asyncio's gh-139373): a cancelled call keeps what it read for the next. */
    @Test
    void aCancelledCommunicateKeepsWhatItReadForTheNextOne() {
        loop.runUntilComplete(() -> {
            SubprocessPipeline p = Async.await(Subprocesses.pipeline(List.of(
                    List.of("/bin/sh", "-c", "echo out; echo err 1>&2; exec sleep 30"), List.of("cat"))));
            assertThrows(dev.asyncloop.TimeoutError.class,
                    () -> Tasks.waitFor(p.communicate(), Duration.ofMillis(500)));
            assertThrows(IllegalArgumentException.class, () -> p.communicate("more".getBytes(StandardCharsets.UTF_8)),
                    "part of the earlier input may have gone");
            p.terminate();
            SubprocessPipeline.Output o = Tasks.waitFor(p.communicate(), Duration.ofSeconds(20));
            assertEquals("out\n", new String(o.stdout(), StandardCharsets.UTF_8));
            assertEquals("err\n", new String(o.stderr().get(0), StandardCharsets.UTF_8));
            assertEquals("", new String(o.stderr().get(1), StandardCharsets.UTF_8));
            return null;
        });
    }

    @Test
    void oneStderrFileKeepsEveryStagesLines() throws IOException {
        Path err = Files.writeString(dir.resolve("err.txt"), "old content that must go\n");
        loop.runUntilComplete(() -> {
            SubprocessPipeline p = Async.await(Subprocesses.pipeline(List.of(
                    List.of("/bin/sh", "-c", "echo one 1>&2; cat"),
                    List.of("/bin/sh", "-c", "cat; echo two 1>&2")),
                    SubprocessOptions.builder().stderr(Redirect.to(err.toFile())).build()));
            SubprocessPipeline.Output o = Async.await(p.communicate("x".getBytes(StandardCharsets.US_ASCII)));
            assertEquals("x", new String(o.stdout(), StandardCharsets.US_ASCII));
            assertEquals(Arrays.asList(null, null), o.stderr(), "stderr to a file: no stderr pipes");
            return null;
        });
        assertEquals("one\ntwo\n", Files.readString(err), "the second stage writes after the first exited; with"
                + " the file opened for truncation by each stage it would write over the first line");
    }

    @Test
    void unwritableStderrFileFailsTheFuture() {
        Path missing = dir.resolve("no-such-dir").resolve("err.txt");
        Throwable error = loop.runUntilComplete(() -> {
            try {
                Async.await(Subprocesses.pipeline(List.of(List.of("true"), List.of("true")),
                        SubprocessOptions.builder().stderr(Redirect.to(missing.toFile())).build()));
                return null;
            } catch (CompletionException e) {
                return e.getCause();
            }
        });
        assertInstanceOf(IOException.class, error, "the file's error, as ProcessBuilder.start gives for one child");
        assertTrue(error.getMessage().contains("err.txt"), error.getMessage());
    }

    @Test
    void oneStageIsAPipelineToo() {
        SubprocessPipeline.Output o = loop.runUntilComplete(() -> {
            SubprocessPipeline p = Async.await(Subprocesses.pipeline(List.of(List.of("tr", "a-z", "A-Z"))));
            assertEquals(p.first(), p.last());
            return Async.await(p.communicate("abc".getBytes(StandardCharsets.US_ASCII)));
        });
        assertEquals("ABC", new String(o.stdout(), StandardCharsets.US_ASCII));
    }

    @Test
    void badLimitAndNoRunningLoop() {
        assertThrows(IllegalStateException.class, () -> Subprocesses.pipeline(List.of(List.of("true"))),
                "no loop runs on this thread");
        loop.runUntilComplete(() -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Subprocesses.pipeline(List.of(List.of("true")), SubprocessOptions.defaults(), 0));
            assertTrue(e.getMessage().contains("limit"), e.getMessage());
            return null;
        });
    }

    @Test
    void cancellingTheStartClosesEveryStage() {
        List<Integer> codes = loop.runUntilComplete(() -> {
            List<Future<Integer>> ends = new ArrayList<>();
            Future<List<SubprocessConnection<SubprocessProtocol>>> start = loop.subprocessPipeline(() -> {
                Future<Integer> end = loop.createFuture();
                ends.add(end);
                return new SubprocessProtocol() {
                    private SubprocessTransport transport;

                    @Override
                    public void connectionMade(SubprocessTransport t) {
                        transport = t;
                    }

                    @Override
                    public void connectionLost(Throwable exception) {
                        end.setResult(transport.returnCode().orElseThrow());
                    }
                };
            }, List.of(List.of("cat"), List.of("cat")));
            start.cancel();
            List<Integer> all = new ArrayList<>();
            for (Future<Integer> end : ends) {
                all.add(Tasks.waitFor(end, Duration.ofSeconds(20)));
            }
            return all;
        });
        assertEquals(2, codes.size());
        // Closing a stage's transport closes its pipes, then kills it if it still runs (asyncio's order): a cat
        // may see the end of its input first and exit 0, or be killed (128 + SIGKILL); either way every stage ended.
        for (int i = 0; i < codes.size(); i++) {
            int code = codes.get(i);
            assertTrue(code == 0 || code == 128 + 9, "stage " + i + " ended by its input's end or by the kill, got "
                    + code);
        }
    }

    @Test
    void communicateInputNeedsAStdinPipe() {
        loop.runUntilComplete(() -> {
            SubprocessPipeline p = Async.await(Subprocesses.pipeline(List.of(List.of("true"), List.of("cat")),
                    SubprocessOptions.builder().stdin(Redirect.DISCARD).build()));
            assertThrows(IllegalArgumentException.class, () -> p.communicate(new byte[1]));
            Async.await(p.communicate());
            return null;
        });
    }

    @Test
    void aFirstStageThatExitsEarlyIsNoErrorForCommunicate() {
        byte[] input = new byte[4 * 1024 * 1024]; // far more than a pipe holds: the write meets the closed pipe
        Arrays.fill(input, (byte) 'x');
        SubprocessPipeline.Output o = loop.runUntilComplete(() -> Async.await(Async.await(Subprocesses.pipeline(
                List.of(List.of("head", "-c", "1"), List.of("cat")))).communicate(input)));
        assertEquals("x", new String(o.stdout(), StandardCharsets.US_ASCII), "asyncio's communicate ignores"
                + " BrokenPipeError: what the first stage did not read is dropped");
        // tearDown: nothing reported to the exception handler either
    }

    @Test
    void noDescriptorIsLeftOpenInThisProcess() throws Exception {
        Path fds = Path.of("/proc/self/fd");
        Assumptions.assumeTrue(Files.isDirectory(fds), "needs /proc/self/fd");
        loop.runUntilComplete(() -> Async.await(Async.await(Subprocesses.pipeline(List.of(List.of("cat"),
                List.of("cat")))).communicate(new byte[1])));
        long before = descriptors(fds);
        loop.runUntilComplete(() -> {
            for (int i = 0; i < 3; i++) {
                Async.await(Async.await(Subprocesses.pipeline(List.of(List.of("cat"), List.of("tr", "a", "b"),
                        List.of("cat")))).communicate(new byte[64 * 1024]));
            }
            SubprocessPipeline killed = Async.await(Subprocesses.pipeline(List.of(List.of("sleep", "30"),
                    List.of("cat"))));
            killed.kill();
            Async.await(killed.waitForAll());
            assertThrows(CompletionException.class, () -> Async.await(Subprocesses.pipeline(List.of(
                    List.of("asyncloop-no-such-first-stage"), List.of("cat")))));
            return null;
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long after = descriptors(fds);
        while (after > before && System.nanoTime() - deadline < 0) {
            Thread.sleep(20); // the JDK's process reaper closes its streams after the exit, on its own thread
            after = descriptors(fds);
        }
        assertTrue(after <= before, "pipelines that ended, one killed and one whose first stage could not start"
                + " left " + (after - before) + " descriptors open: " + before + " before, " + after + " after");
    }

    @Test
    void closingTheLoopKillsEveryStage() throws InterruptedException {
        SubprocessPipeline p = loop.runUntilComplete(() -> Async.await(Subprocesses.pipeline(List.of(
                List.of("sleep", "30"), List.of("sleep", "31")))));
        List<ProcessHandle> stages = p.stages().stream().map(s -> ProcessHandle.of(s.pid()).orElseThrow())
                .toList();
        loop.close();
        for (ProcessHandle h : stages) {
            assertTrue(h.onExit().completeOnTimeout(null, 10, TimeUnit.SECONDS).join() != null || !h.isAlive(),
                    "stage " + h.pid() + " still runs after the loop closed");
        }
    }

    /**
     * Cancelling {@code waitFor()} or {@code waitForAll()} stops that wait only: the future is cancelled at once,
     * as any future (a {@code Tasks.gather} of the stages' waits would cancel those and end a loop iteration later
     * with a {@code CancelledError} exception instead), and no stage is signalled.
     */
    @Test
    void cancellingAWaitStopsTheWaitOnly() {
        List<Object> out = loop.runUntilComplete(() -> {
            SubprocessPipeline p = Async.await(Subprocesses.pipeline(List.of(List.of("cat"), List.of("cat"))));
            Future<List<Integer>> all = p.waitForAll();
            Future<Integer> last = p.waitFor();
            List<Boolean> cancelled = List.of(all.cancel(), last.cancel(), all.isCancelled(), last.isCancelled());
            Async.sleep(Duration.ZERO);
            List<OptionalInt> running = p.returnCodes();
            p.stdin().orElseThrow().write("x\n".getBytes(StandardCharsets.US_ASCII));
            SubprocessPipeline.Output output = Async.await(p.communicate());
            return List.of(cancelled, running, new String(output.stdout(), StandardCharsets.US_ASCII),
                    Async.await(p.waitForAll()), Async.await(p.waitFor()));
        });
        assertEquals(List.of(true, true, true, true), out.get(0), "cancel() accepted, the futures cancelled at once");
        assertEquals(List.of(OptionalInt.empty(), OptionalInt.empty()), out.get(1), "the stages run on");
        assertEquals("x\n", out.get(2), "the stages still carry data after the cancelled waits");
        assertEquals(List.of(0, 0), out.get(3), "a new waitForAll() answers");
        assertEquals(0, out.get(4), "a new waitFor() answers");
    }

    @Test
    void cancellingCommunicateLeavesTheStagesRunning() {
        List<Object> out = loop.runUntilComplete(() -> {
            SubprocessPipeline p = Async.await(Subprocesses.pipeline(List.of(List.of("sleep", "30"),
                    List.of("cat"))));
            Future<SubprocessPipeline.Output> c = p.communicate(new byte[1024 * 1024]); // sleep reads none of it
            Async.sleep(Duration.ofMillis(50));
            c.cancel();
            Throwable cancelled = null;
            try {
                Async.await(c);
            } catch (RuntimeException e) {
                cancelled = e;
            }
            List<OptionalInt> running = p.returnCodes();
            p.kill();
            return List.of(String.valueOf(cancelled), running, Async.await(p.waitForAll()));
        });
        assertTrue(out.get(0).toString().contains("Cancel"), "communicate ends cancelled: " + out.get(0));
        assertEquals(List.of(OptionalInt.empty(), OptionalInt.empty()), out.get(1), "asyncio: cancelling"
                + " communicate cancels the feeding and reading, not the children");
        @SuppressWarnings("unchecked")
        List<Integer> codes = (List<Integer>) out.get(2);
        assertEquals(128 + 9, codes.getFirst(), "kill() after the cancel still reaches the first stage");
        assertTrue(codes.getLast() == 128 + 9 || codes.getLast() == 0, "the last stage is killed, or saw the end"
                + " of its input first: " + codes);
    }

    private static long descriptors(Path fds) throws IOException {
        try (var list = Files.list(fds)) {
            return list.count();
        }
    }
}
