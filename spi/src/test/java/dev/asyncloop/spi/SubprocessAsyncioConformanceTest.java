package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.Async;
import dev.asyncloop.ExceptionContext;
import dev.asyncloop.ReadTransport;
import dev.asyncloop.StreamWriter;
import dev.asyncloop.Subprocess;
import dev.asyncloop.SubprocessOptions;
import dev.asyncloop.Subprocesses;
import dev.asyncloop.Tasks;
import dev.asyncloop.TimeoutError;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Cases of asyncio 3.12–3.13's {@code test_subprocess.py} that the TCK's N14 group leaves out, for
 * {@link Subprocesses} and {@link Subprocess}.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SubprocessAsyncioConformanceTest {
    private final ReadinessEventLoop loop = SelectorLoops.newLoop();
    private final List<ExceptionContext> reports = new ArrayList<>();

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

    private static byte[] await(dev.asyncloop.Future<byte[]> f) {
        return Tasks.waitFor(f, Duration.ofSeconds(20));
    }

    /** test_pause_reading: a small limit pauses the stdout pipe while unread; everything still arrives. */
    @Test
    void limitPausesTheStdoutPipeAndEverythingArrives() {
        int size = 1024 * 1024;
        loop.runUntilComplete(() -> {
            Subprocess p = Async.await(Subprocesses.shell("head -c " + size + " /dev/zero",
                    SubprocessOptions.defaults(), 1024));
            ReadTransport stdout = (ReadTransport) p.transport().getPipeTransport(1).orElseThrow();
            double deadline = loop.time() + 20;
            while (stdout.isReading() && loop.time() < deadline) {
                Async.sleep(Duration.ofMillis(5));
            }
            assertFalse(stdout.isReading(), "the reader's limit paused the pipe");
            assertEquals(size, await(p.stdout().orElseThrow().read()).length);
            assertEquals(0, Async.await(p.waitFor()));
            return null;
        });
    }

    /** test_empty_input: communicate with no bytes closes stdin; cat ends with empty output. */
    @Test
    void communicateEmptyInput() {
        loop.runUntilComplete(() -> {
            Subprocess p = Async.await(Subprocesses.exec(List.of("cat")));
            Subprocess.Output out = Async.await(p.communicate(new byte[0]));
            assertArrayEquals(new byte[0], out.stdout());
            assertArrayEquals(new byte[0], out.stderr());
            assertEquals(0, p.returnCode().orElseThrow());
            return null;
        });
    }

    /** create_subprocess_exec(program, *args): each argument reaches the child as it is, spaces included. */
    @Test
    void execWithProgramAndArguments() {
        loop.runUntilComplete(() -> {
            Subprocess p = Async.await(Subprocesses.exec("printf", "%s|%s", "a b", "c"));
            Subprocess.Output out = Async.await(p.communicate());
            assertEquals("a b|c", new String(out.stdout(), java.nio.charset.StandardCharsets.UTF_8));
            assertEquals(0, p.returnCode().orElseThrow());
            return null;
        });
        NullPointerException e = assertThrows(NullPointerException.class,
                () -> Subprocesses.exec("printf", "x", null));
        assertEquals("args[1]", e.getMessage());
    }

    /** test_communicate_ignore_broken_pipe: the child does not read its input; communicate still succeeds. */
    @Test
    void communicateIgnoresBrokenPipe() {
        loop.runUntilComplete(() -> {
            Subprocess p = Async.await(Subprocesses.exec(List.of("true")));
            Subprocess.Output out = Async.await(p.communicate(new byte[4 * 1024 * 1024]));
            assertArrayEquals(new byte[0], out.stdout());
            assertEquals(0, p.returnCode().orElseThrow());
            return null;
        });
    }

    /**
     * The child closes its stdin and lives on, so writing meets EPIPE ("Broken pipe") rather than the JDK's
     * "Stream closed" of an exited child: communicate ignores it too and reports what the child wrote.
     */
    @Test
    void communicateIgnoresAStdinTheChildClosed() {
        loop.runUntilComplete(() -> {
            Subprocess p = Async.await(Subprocesses.exec(List.of("/bin/sh", "-c",
                    "exec 0<&-; printf closed; sleep 0.2")));
            Subprocess.Output out = Async.await(p.communicate(new byte[4 * 1024 * 1024]));
            assertEquals("closed", new String(out.stdout(), StandardCharsets.US_ASCII));
            assertEquals(0, p.returnCode().orElseThrow());
            return null;
        });
    }

    /** test_read_stdout_after_process_exit: output stays readable after the exit was awaited. */
    @Test
    void stdoutReadableAfterWaitFor() {
        loop.runUntilComplete(() -> {
            Subprocess p = Async.await(Subprocesses.exec(List.of("printf", "hello")));
            assertEquals(0, Async.await(p.waitFor()));
            assertEquals("hello", new String(await(p.stdout().orElseThrow().read()), StandardCharsets.UTF_8));
            return null;
        });
    }

    /**
     * test_stdin_not_inheritable: a second child started meanwhile does not hold the first one's stdin pipe, so
     * closing that stdin ends the first child's input.
     */
    @Test
    void stdinPipeNotInheritedBySiblings() {
        loop.runUntilComplete(() -> {
            Subprocess first = Async.await(Subprocesses.exec(List.of("cat")));
            Subprocess second = Async.await(Subprocesses.exec(List.of("sleep", "30")));
            StreamWriter in = first.stdin().orElseThrow();
            in.write("x".getBytes(StandardCharsets.UTF_8));
            in.close();
            assertEquals("x", new String(await(first.stdout().orElseThrow().read()), StandardCharsets.UTF_8));
            assertEquals(0, Tasks.waitFor(first.waitFor(), Duration.ofSeconds(20)));
            second.kill();
            Async.await(second.waitFor());
            return null;
        });
    }

    /** test_subprocess_close_after_finish: close() of a finished transport does nothing. */
    @Test
    void closeAfterFinishDoesNothing() {
        loop.runUntilComplete(() -> {
            Subprocess p = Async.await(Subprocesses.exec(List.of("true")));
            assertEquals(0, Async.await(p.waitFor()));
            p.transport().close();
            p.transport().close();
            assertTrue(p.transport().isClosing());
            assertEquals(0, p.returnCode().orElseThrow());
            return null;
        });
    }

    /**
     * asyncio's gh-139373 (3.15): what a cancelled {@code communicate} (a {@code wait_for} timeout) already read is
     * kept and returned by the next {@code communicate}, as {@code Popen.communicate} does after a timeout; input
     * to a {@code communicate} after a cancelled one is refused, since part of the first input may have gone. The
     * child writes at once, so the first call has read its output before the timeout (were it slower, the output
     * would still wait in the pipe for the second call: the test holds either way).
     */
    @Test
    void aCancelledCommunicateKeepsWhatItReadForTheNextOne() {
        loop.runUntilComplete(() -> {
            Subprocess p = Async.await(Subprocesses.shell("echo out; echo err >&2; exec sleep 30"));
            assertThrows(TimeoutError.class, () -> Tasks.waitFor(p.communicate(), Duration.ofMillis(500)));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> p.communicate("more".getBytes(StandardCharsets.UTF_8)));
            assertTrue(e.getMessage().contains("cancelled"), e.getMessage());
            p.kill();
            Subprocess.Output out = Tasks.waitFor(p.communicate(), Duration.ofSeconds(20));
            assertEquals("out\n", new String(out.stdout(), StandardCharsets.UTF_8));
            assertEquals("err\n", new String(out.stderr(), StandardCharsets.UTF_8));
            assertEquals(137, Async.await(p.waitFor()));
            return null;
        });
    }

    /** communicate after the child exited and its stdin pipe ended: the input is dropped, no error. */
    @Test
    void communicateAfterTheExit() {
        loop.runUntilComplete(() -> {
            Subprocess p = Async.await(Subprocesses.exec(List.of("true")));
            assertEquals(0, Async.await(p.waitFor()));
            Subprocess.Output out = Async.await(p.communicate("ignored".getBytes(StandardCharsets.UTF_8)));
            assertArrayEquals(new byte[0], out.stdout());
            assertArrayEquals(new byte[0], out.stderr());
            return null;
        });
    }

    /**
     * asyncio 3.15 (gh-119710): {@code wait()} answers once the child exited, although a grandchild still holds
     * its stdout open. The pipe ends later, when the grandchild does, unless the JDK drained and closed it at the
     * exit (then what the grandchild writes after is lost: architecture.md, Subprocesses).
     */
    @Test
    void waitForAnswersAtTheExitWhileAGrandchildHoldsStdout() {
        loop.runUntilComplete(() -> {
            // the grandchild reads the child's stdin until it ends, holding the child's stdout meanwhile
            Subprocess p = Async.await(Subprocesses.shell(
                    "exec 3<&0; (cat <&3 >/dev/null; echo gone) & exit 7"));
            assertEquals(7, Tasks.waitFor(p.waitFor(), Duration.ofSeconds(10)), "the exit, pipes still open");
            StreamWriter stdin = p.stdin().orElseThrow();
            stdin.close();
            String rest = new String(await(p.stdout().orElseThrow().read()), StandardCharsets.UTF_8);
            assertTrue(rest.equals("gone\n") || rest.isEmpty(), rest);
            assertEquals(7, Async.await(p.waitFor()), "asked again after the pipes ended");
            return null;
        });
    }
}
