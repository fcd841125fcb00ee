package dev.asyncloop.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.asyncloop.Async;
import dev.asyncloop.ExceptionContext;
import dev.asyncloop.Future;
import dev.asyncloop.ReadTransport;
import dev.asyncloop.StreamReader;
import dev.asyncloop.StreamWriter;
import dev.asyncloop.Subprocess;
import dev.asyncloop.SubprocessConnection;
import dev.asyncloop.SubprocessOptions;
import dev.asyncloop.SubprocessPipeline;
import dev.asyncloop.SubprocessProtocol;
import dev.asyncloop.SubprocessTransport;
import dev.asyncloop.Subprocesses;
import dev.asyncloop.Transport;
import dev.asyncloop.WriteTransport;
import dev.asyncloop.spi.Capability;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Rules N14.x: subprocesses (asyncio's {@code subprocess_exec}, {@code subprocess_shell},
 * {@code BaseSubprocessTransport} and {@code asyncio.subprocess}). The children are POSIX tools ({@code /bin/sh},
 * {@code cat}, {@code printf}, {@code head}, {@code sleep}; {@code sort}, {@code tr}, {@code yes} for pipelines); a
 * sleeping child is always killed by the test, never waited out.
 */
abstract class SubprocessRules extends ConformanceGroup {
    /** On POSIX systems the JDK reports a child killed by signal n as 128 + n. */
    static final int SIGKILLED = 128 + 9;
    static final int SIGTERMED = 128 + 15;

    SubprocessRules(EventLoopConformanceSuite suite) {
        super(suite);
    }

    @BeforeEach
    final void requireSubprocesses() {
        requireCapability(Capability.SUBPROCESS);
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "the subprocess rules need a POSIX /bin/sh");
    }

    @Override
    String hangHint() {
        return super.hangHint() + "; for subprocesses, check that pipe data, pipe ends and the exit reach the loop"
                + " (callSoonThreadsafe) and that connectionLost follows once the exit was seen and every pipe closed";
    }

    static SubprocessOptions.Builder options() {
        return SubprocessOptions.builder();
    }

    /** Inside a task: starts {@code command} with a recording protocol and waits for the transport. */
    final RecordingSubprocessProtocol exec(SubprocessOptions options, String... command) {
        SubprocessConnection<RecordingSubprocessProtocol> c = Async.await(loop.subprocessExec(
                () -> new RecordingSubprocessProtocol(loop), List.of(command), options));
        return c.protocol();
    }

    final RecordingSubprocessProtocol exec(String... command) {
        return exec(SubprocessOptions.defaults(), command);
    }

    /** Inside a task: waits for the end (connectionLost) and returns the return code. */
    static int finish(RecordingSubprocessProtocol p) {
        Async.await(p.lost);
        return p.transport.returnCode().orElseThrow();
    }

    /** Inside a task: lets loop iterations pass until {@code condition} holds (bounded by the test's timeout). */
    static void until(java.util.function.BooleanSupplier condition) {
        while (!condition.getAsBoolean()) {
            Async.sleep(Duration.ofMillis(1));
        }
    }

    static byte[] pattern(int size) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (i * 31 + i / 251);
        }
        return b;
    }

    static @Nullable String utf8(byte @Nullable [] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("N14.1 subprocessExec runs the program with its arguments: connectionMade first, its output on fd 1,"
            + " return code 0")
    void required_N14_1_exec() {
        RecordingSubprocessProtocol p = run("N14.1", () -> {
            RecordingSubprocessProtocol r = exec("printf", "%s-%s", "hello", "world with spaces");
            finish(r);
            return r;
        });
        assertEquals("made", p.events.getFirst(), msg("N14.1", "the first callback was not connectionMade: "
                + p.events));
        assertEquals("hello-world with spaces", p.text(1), msg("N14.1", "the child's stdout differs; check that"
                + " each argument reaches the program as one argv element, without a shell"));
        assertEquals(OptionalInt.of(0), p.transport.returnCode(), msg("N14.1", "printf's return code"));
        assertTrue(p.transport.pid() > 0, msg("N14.1", "pid() is " + p.transport.pid()));
        Process process = (Process) p.transport.getExtraInfo(SubprocessTransport.SUBPROCESS).orElseThrow(
                () -> new AssertionError(msg("N14.1", "getExtraInfo(\"subprocess\") is empty")));
        assertEquals(p.transport.pid(), process.pid(), msg("N14.1", "the Process of getExtraInfo has another pid"));
    }

    @Test
    @DisplayName("N14.2 subprocessShell runs a command line through /bin/sh -c; stdout and stderr arrive on fd 1 and 2;"
            + " the shell's exit status is the return code")
    void required_N14_2_shell() {
        RecordingSubprocessProtocol p = run("N14.2", () -> {
            SubprocessConnection<RecordingSubprocessProtocol> c = Async.await(loop.subprocessShell(
                    () -> new RecordingSubprocessProtocol(loop), "echo out; echo err 1>&2; exit 7"));
            finish(c.protocol());
            return c.protocol();
        });
        assertEquals("out\n", p.text(1), msg("N14.2", "stdout of the shell command"));
        assertEquals("err\n", p.text(2), msg("N14.2", "stderr of the shell command; check fd 2 is its own pipe"));
        assertEquals(OptionalInt.of(7), p.transport.returnCode(), msg("N14.2", "the return code of 'exit 7'"));
    }

    @Test
    @DisplayName("N14.3 bytes written to the stdin pipe transport reach the child; closing it ends the child's input"
            + " (cat round trip)")
    void required_N14_3_stdinRoundTrip() {
        byte[] payload = pattern(100_000);
        RecordingSubprocessProtocol p = run("N14.3", () -> {
            RecordingSubprocessProtocol r = exec("cat");
            WriteTransport in = (WriteTransport) r.transport.getPipeTransport(SubprocessProtocol.STDIN)
                    .orElseThrow(() -> new AssertionError(msg("N14.3", "no stdin pipe transport with PIPE")));
            in.write(Arrays.copyOfRange(payload, 0, 10));
            in.write(java.nio.ByteBuffer.wrap(payload, 10, payload.length - 10));
            assertTrue(in.canWriteEof(), msg("N14.3", "the stdin pipe cannot writeEof"));
            in.writeEof();
            finish(r);
            return r;
        });
        assertArrayEquals(payload, p.bytes(1), msg("N14.3", "cat echoed other bytes than were written"));
        assertEquals(OptionalInt.of(0), p.transport.returnCode(), msg("N14.3", "cat's return code"));
    }

    @Test
    @DisplayName("N14.4 several MiB of output arrive complete and in order; pauseReading on the stdout pipe stops"
            + " pipeDataReceived until resumeReading")
    void required_N14_4_largeOutputFlowControl() {
        int size = 4 * 1024 * 1024;
        Object[] out = run("N14.4", () -> {
            RecordingSubprocessProtocol r = exec("head", "-c", Integer.toString(size), "/dev/zero");
            ReadTransport stdout = (ReadTransport) r.transport.getPipeTransport(1).orElseThrow();
            until(() -> r.data[1].size() > 0);
            stdout.pauseReading();
            assertFalse(stdout.isReading(), msg("N14.4", "isReading() is true after pauseReading()"));
            int atPause = r.data[1].size();
            Async.sleep(Duration.ofMillis(100));
            int afterPause = r.data[1].size();
            stdout.resumeReading();
            int total = finish(r);
            return new Object[] {atPause, afterPause, r.data[1].size(), total, r.bytes(1)};
        });
        assertEquals(out[0], out[1], msg("N14.4", "pipeDataReceived delivered " + out[0] + " then " + out[1]
                + " bytes while the stdout pipe was paused; check pauseReading stops the pump"));
        assertEquals(size, out[2], msg("N14.4", "the child wrote " + size + " bytes, the protocol got " + out[2]));
        byte[] all = (byte[]) out[4];
        for (byte b : all) {
            if (b != 0) {
                fail(msg("N14.4", "the output is corrupted: head -c of /dev/zero wrote only zero bytes"));
            }
        }
        assertEquals(0, out[3], msg("N14.4", "head's return code"));
    }

    @Test
    @DisplayName("N14.5 stderrToStdout merges stderr into the stdout pipe and makes no fd 2 pipe; otherwise stderr is"
            + " a pipe of its own")
    void required_N14_5_stderrMerged() {
        RecordingSubprocessProtocol p = run("N14.5", () -> {
            RecordingSubprocessProtocol r = exec(options().stderrToStdout().build(), "/bin/sh", "-c",
                    "echo one; echo two 1>&2; echo three");
            finish(r);
            return r;
        });
        assertTrue(p.transport.getPipeTransport(2).isEmpty(), msg("N14.5", "stderrToStdout still made a stderr"
                + " pipe transport"));
        assertEquals("one\ntwo\nthree\n", p.text(1), msg("N14.5", "stdout does not carry stderr's line in order"));
        assertEquals(0, p.bytes(2).length, msg("N14.5", "data arrived on fd 2"));
        assertFalse(p.events.contains("pipeLost2"), msg("N14.5", "pipeConnectionLost(2) for a pipe that does"
                + " not exist: " + p.events));
    }

    @Test
    @DisplayName("N14.6 the return code is the exit status: 0, 1, 42; empty before the exit was seen, set when"
            + " processExited runs")
    void required_N14_6_exitCodes() {
        List<Object> out = run("N14.6", () -> {
            List<Object> codes = new ArrayList<>();
            for (String[] cmd : new String[][] {{"true"}, {"false"}, {"/bin/sh", "-c", "exit 42"}}) {
                RecordingSubprocessProtocol r = exec(cmd);
                codes.add(Async.await(r.exited));
                codes.add(finish(r));
            }
            RecordingSubprocessProtocol sleeper = exec("sleep", "30");
            codes.add(sleeper.transport.returnCode());
            sleeper.transport.kill();
            finish(sleeper);
            return codes;
        });
        assertEquals(List.of(OptionalInt.of(0), 0, OptionalInt.of(1), 1, OptionalInt.of(42), 42,
                OptionalInt.empty()), out, msg("N14.6", "return codes as seen in processExited, then after"
                + " connectionLost, for true, false, exit 42, and of a running child"));
    }

    @Test
    @DisplayName("N14.7 terminate() and kill() end a running child (SIGTERM, SIGKILL: 128 + signal); once the"
            + " transport is finished they throw IllegalStateException")
    void required_N14_7_terminateKill() {
        int[] codes = run("N14.7", () -> {
            RecordingSubprocessProtocol a = exec("sleep", "30");
            a.transport.terminate();
            int terminated = finish(a);
            RecordingSubprocessProtocol b = exec("sleep", "30");
            b.transport.kill();
            int killed = finish(b);
            assertThrows(IllegalStateException.class, b.transport::kill, msg("N14.7", "kill() after connectionLost"
                    + " must throw (asyncio: ProcessLookupError)"));
            assertThrows(IllegalStateException.class, b.transport::terminate, msg("N14.7", "terminate() after"
                    + " connectionLost must throw"));
            return new int[] {terminated, killed};
        });
        assertEquals(SIGTERMED, codes[0], msg("N14.7", "return code after terminate()"));
        assertEquals(SIGKILLED, codes[1], msg("N14.7", "return code after kill()"));
    }

    @Test
    @DisplayName("N14.8 callback order: connectionMade first; pipe data before its pipe's pipeConnectionLost; one"
            + " pipeConnectionLost per pipe; processExited once; connectionLost once, last")
    void required_N14_8_callbackOrder() {
        RecordingSubprocessProtocol p = run("N14.8", () -> {
            RecordingSubprocessProtocol r = exec("/bin/sh", "-c", "echo out; echo err 1>&2");
            finish(r);
            Async.sleep(Duration.ofMillis(20));
            return r;
        });
        List<String> e = p.events;
        assertEquals("made", e.getFirst(), msg("N14.8", "connectionMade is not first: " + e));
        assertEquals(1, p.count("made"), msg("N14.8", "connectionMade more than once: " + e));
        assertEquals(1, p.count("exited"), msg("N14.8", "processExited not exactly once: " + e));
        assertEquals(1, p.count("lost"), msg("N14.8", "connectionLost not exactly once: " + e));
        assertEquals("lost", e.getLast(), msg("N14.8", "connectionLost is not last: " + e));
        for (int fd = 0; fd < 3; fd++) {
            assertEquals(1, p.count("pipeLost" + fd), msg("N14.8", "pipeConnectionLost(" + fd + ") not exactly"
                    + " once: " + e));
        }
        for (int fd = 1; fd < 3; fd++) {
            int data = e.lastIndexOf("data" + fd);
            assertTrue(data >= 0 && data < e.indexOf("pipeLost" + fd), msg("N14.8", "fd " + fd + "'s data does not"
                    + " come before its pipeConnectionLost: " + e));
        }
        assertTrue(p.pipeErrors.isEmpty(), msg("N14.8", "pipes ended with errors: " + p.pipeErrors));
    }

    @Test
    @DisplayName("N14.9 output still in a pipe when the child exits is delivered after processExited, and"
            + " connectionLost waits for that pipe's end")
    void required_N14_9_dataAfterExit() {
        RecordingSubprocessProtocol p = run("N14.9", () -> {
            Future<SubprocessConnection<RecordingSubprocessProtocol>> starting = loop.subprocessExec(() -> {
                RecordingSubprocessProtocol r = new RecordingSubprocessProtocol(loop);
                r.onMade = () -> ((ReadTransport) r.transport.getPipeTransport(1).orElseThrow()).pauseReading();
                r.onExited = () -> {
                    r.events.add("bytesAtExit=" + r.data[1].size());
                    ((ReadTransport) r.transport.getPipeTransport(1).orElseThrow()).resumeReading();
                };
                return r;
            }, List.of("head", "-c", "8000", "/dev/zero"), options().stdin(Redirect.DISCARD).build());
            RecordingSubprocessProtocol r = Async.await(starting).protocol();
            finish(r);
            return r;
        });
        List<String> e = p.events;
        assertTrue(e.contains("bytesAtExit=0"), msg("N14.9", "data arrived while the stdout pipe was paused: "
                + e));
        assertEquals(8000, p.bytes(1).length, msg("N14.9", "the output left in the pipe at exit was not"
                + " delivered in full after resumeReading: " + e));
        assertTrue(e.indexOf("exited") < e.indexOf("data1") && e.indexOf("data1") < e.indexOf("pipeLost1")
                && e.indexOf("pipeLost1") < e.indexOf("lost"), msg("N14.9", "expected exited, data1, pipeLost1,"
                + " lost in that order: " + e + "; connectionLost must wait for every pipe to close"));
    }

    @Test
    @DisplayName("N14.10 a program that cannot be started fails the future with its IOException; the protocol"
            + " gets no callback")
    void required_N14_10_missingProgram() {
        List<RecordingSubprocessProtocol> made = new ArrayList<>();
        Object[] out = run("N14.10", () -> {
            Supplier<RecordingSubprocessProtocol> factory = () -> {
                RecordingSubprocessProtocol r = new RecordingSubprocessProtocol(loop);
                made.add(r);
                return r;
            };
            Future<?> missing = loop.subprocessExec(factory, List.of("/nonexistent/asyncloop-no-such-program"));
            Future<?> notOnPath = loop.subprocessExec(factory, List.of("asyncloop-no-such-program-on-path"));
            Future<?> badCwd = loop.subprocessExec(factory, List.of("true"),
                    options().cwd(Path.of("/nonexistent/asyncloop-dir")).build());
            @Nullable Object[] errors = new Object[3];
            int i = 0;
            for (Future<?> f : List.of(missing, notOnPath, badCwd)) {
                try {
                    Async.await(f);
                    errors[i] = "succeeded";
                } catch (CompletionException e) {
                    errors[i] = e.getCause();
                }
                i++;
            }
            Async.sleep(Duration.ofMillis(20));
            return errors;
        });
        for (Object e : out) {
            assertInstanceOf(IOException.class, e, msg("N14.10", "starting a missing program (or in a missing"
                    + " directory) must fail the future with the IOException of ProcessBuilder.start, got " + e));
        }
        for (RecordingSubprocessProtocol r : made) {
            assertTrue(r.events.isEmpty(), msg("N14.10", "the protocol of a process that never started got "
                    + r.events));
        }
    }

    @Test
    @DisplayName("N14.11 bad arguments throw at the call: empty command, null element, NUL, a write redirect for"
            + " stdin, a closed loop")
    void required_N14_11_argumentChecks() {
        Supplier<SubprocessProtocol> f = () -> new SubprocessProtocol() { };
        assertThrows(IllegalArgumentException.class, () -> loop.subprocessExec(f, List.of()),
                msg("N14.11", "an empty command must throw IllegalArgumentException"));
        assertThrows(NullPointerException.class, () -> loop.subprocessExec(f, Arrays.asList("echo", null)),
                msg("N14.11", "a null argument must throw NullPointerException"));
        assertThrows(IllegalArgumentException.class, () -> loop.subprocessExec(f, List.of("echo", "a\0b")),
                msg("N14.11", "an argument with NUL must throw IllegalArgumentException"));
        assertThrows(IllegalArgumentException.class, () -> loop.subprocessShell(f, "echo \0"),
                msg("N14.11", "a shell command with NUL must throw IllegalArgumentException"));
        assertThrows(IllegalArgumentException.class, () -> options().stdin(Redirect.to(new java.io.File("x"))),
                msg("N14.11", "stdin(Redirect.to(file)) must throw IllegalArgumentException"));
        assertThrows(IllegalArgumentException.class, () -> options().stdout(Redirect.from(new java.io.File("x"))),
                msg("N14.11", "stdout(Redirect.from(file)) must throw IllegalArgumentException"));
        loop.close();
        assertThrows(IllegalStateException.class, () -> loop.subprocessExec(f, List.of("true")),
                msg("N14.11", "subprocessExec on a closed loop must throw IllegalStateException"));
    }

    @Test
    @DisplayName("N14.12 DISCARD: stdin reads the null device, a discarded output has no pipe transport")
    void required_N14_12_devnull() {
        RecordingSubprocessProtocol[] p = run("N14.12", () -> {
            RecordingSubprocessProtocol in = exec(options().stdin(Redirect.DISCARD).build(), "/bin/sh", "-c",
                    "cat; echo end");
            finish(in);
            RecordingSubprocessProtocol out = exec(options().stdout(Redirect.DISCARD).build(), "/bin/sh", "-c",
                    "echo lost; echo kept 1>&2");
            out.transport.getPipeTransport(0).ifPresent(Transport::close);
            finish(out);
            return new RecordingSubprocessProtocol[] {in, out};
        });
        assertTrue(p[0].transport.getPipeTransport(0).isEmpty(), msg("N14.12", "stdin DISCARD made a pipe"));
        assertEquals("end\n", p[0].text(1), msg("N14.12", "cat reading the null device must end at once"));
        assertTrue(p[1].transport.getPipeTransport(1).isEmpty(), msg("N14.12", "stdout DISCARD made a pipe"));
        assertEquals("kept\n", p[1].text(2), msg("N14.12", "stderr of the child with discarded stdout"));
        assertFalse(p[1].events.contains("data1"), msg("N14.12", "data arrived for a discarded stdout"));
    }

    @Test
    @DisplayName("N14.13 a child with no pipes at all (INHERIT, DISCARD) still gets processExited and connectionLost")
    void required_N14_13_noPipes() {
        RecordingSubprocessProtocol p = run("N14.13", () -> {
            RecordingSubprocessProtocol r = exec(options().stdin(Redirect.INHERIT).stdout(Redirect.DISCARD)
                    .stderr(Redirect.INHERIT).build(), "/bin/sh", "-c", "exit 3");
            finish(r);
            Async.sleep(Duration.ofMillis(20));
            return r;
        });
        for (int fd = 0; fd < 3; fd++) {
            assertTrue(p.transport.getPipeTransport(fd).isEmpty(), msg("N14.13", "fd " + fd + " has a pipe"));
        }
        assertEquals(List.of("made", "exited", "lost"), p.events, msg("N14.13", "callbacks of a child without"
                + " pipes"));
        assertEquals(OptionalInt.of(3), p.transport.returnCode(), msg("N14.13", "return code"));
    }

    @Test
    @DisplayName("N14.14 Subprocess.communicate feeds large input and reads large stdout and stderr at the same time"
            + " without deadlock")
    void required_N14_14_communicate() {
        byte[] input = pattern(3 * 1024 * 1024);
        Object[] out = run("N14.14", Duration.ofSeconds(30), () -> {
            Subprocess proc = Async.await(Subprocesses.shell("cat; head -c 1000000 /dev/zero 1>&2; exit 5"));
            Subprocess.Output o = Async.await(proc.communicate(input));
            return new Object[] {o.stdout(), o.stderr(), proc.returnCode()};
        });
        assertArrayEquals(input, (byte[]) out[0], msg("N14.14", "stdout of cat differs from the input"));
        assertEquals(1_000_000, ((byte[]) out[1]).length, msg("N14.14", "stderr length"));
        assertEquals(OptionalInt.of(5), out[2], msg("N14.14", "returnCode() after communicate"));
    }

    @Test
    @DisplayName("N14.15 Subprocess streams: stdin StreamWriter with drain and close, stdout StreamReader lines,"
            + " waitFor returns the return code; communicate gives null for streams that are not pipes")
    void required_N14_15_streams() {
        Object[] out = run("N14.15", () -> {
            Subprocess proc = Async.await(Subprocesses.exec(List.of("cat")));
            StreamWriter in = proc.stdin().orElseThrow();
            StreamReader stdout = proc.stdout().orElseThrow();
            in.write("line one\nline two\n".getBytes(StandardCharsets.UTF_8));
            Async.await(in.drain());
            String first = utf8(Async.await(stdout.readLine()));
            in.close();
            String rest = utf8(Async.await(stdout.read()));
            Future<Integer> cancelled = proc.waitFor();
            cancelled.cancel();
            int code = Async.await(proc.waitFor());
            Async.await(in.waitClosed());
            Subprocess quiet = Async.await(Subprocesses.exec(List.of("true"), options()
                    .stdin(Redirect.DISCARD).stdout(Redirect.DISCARD).stderr(Redirect.DISCARD).build()));
            Subprocess.Output o = Async.await(quiet.communicate());
            return new Object[] {first, rest, code, o.stdout(), o.stderr(), quiet.stdin().isPresent()};
        });
        assertEquals("line one\n", out[0], msg("N14.15", "readLine of cat's stdout"));
        assertEquals("line two\n", out[1], msg("N14.15", "read() to the end after closing stdin"));
        assertEquals(0, out[2], msg("N14.15", "waitFor() of cat (after another waitFor was cancelled)"));
        assertNull(out[3], msg("N14.15", "communicate's stdout for a discarded stdout"));
        assertNull(out[4], msg("N14.15", "communicate's stderr for a discarded stderr"));
        assertEquals(false, out[5], msg("N14.15", "stdin() of a child whose stdin is not a pipe"));
    }

    @Test
    @DisplayName("N14.16 close() of the transport kills a running child; the protocol still gets processExited and"
            + " connectionLost")
    void required_N14_16_closeKills() {
        RecordingSubprocessProtocol p = run("N14.16", () -> {
            RecordingSubprocessProtocol r = exec("sleep", "30");
            r.transport.close();
            assertTrue(r.transport.isClosing(), msg("N14.16", "isClosing() after close()"));
            finish(r);
            return r;
        });
        assertEquals(OptionalInt.of(SIGKILLED), p.transport.returnCode(), msg("N14.16", "close() must kill the"
                + " running child (SIGKILL)"));
        assertEquals(1, p.count("exited"), msg("N14.16", "processExited after close: " + p.events));
        assertEquals("lost", p.events.getLast(), msg("N14.16", "connectionLost after close: " + p.events));
    }

    @Test
    @DisplayName("N14.17 closing the loop with a live subprocess transport does not hang and kills the child")
    void required_N14_17_loopCloseKills() throws Exception {
        RecordingSubprocessProtocol p = run("N14.17", () -> exec("sleep", "30"));
        Process process = (Process) p.transport.getExtraInfo(SubprocessTransport.SUBPROCESS).orElseThrow();
        assertTrue(process.isAlive(), msg("N14.17", "the child should still run"));
        long start = System.nanoTime();
        loop.close();
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), msg("N14.17", "close() took more than"
                + " 5 s"));
        assertTrue(process.waitFor(10, TimeUnit.SECONDS), msg("N14.17", "the child still runs 10 s after the loop"
                + " closed; closing the loop must kill the children of live subprocess transports"));
    }

    @Test
    @DisplayName("N14.18 the stdin pipe has asyncio's write-buffer flow control: pauseWriting above the high-water"
            + " mark, resumeWriting once the child read it down")
    void required_N14_18_stdinFlowControl() {
        byte[] payload = pattern(1024 * 1024);
        RecordingSubprocessProtocol p = run("N14.18", () -> {
            RecordingSubprocessProtocol r = exec("cat");
            WriteTransport in = (WriteTransport) r.transport.getPipeTransport(0).orElseThrow();
            assertEquals(WriteTransport.DEFAULT_HIGH_WATER, in.getWriteBufferHighWater(),
                    msg("N14.18", "default high-water mark"));
            in.write(payload);
            assertTrue(r.events.contains("pause"), msg("N14.18", "pauseWriting was not called after writing "
                    + payload.length + " bytes (buffer " + in.getWriteBufferSize() + ")"));
            assertTrue(in.getWriteBufferSize() > 0, msg("N14.18", "getWriteBufferSize() is 0 right after a 1 MiB"
                    + " write"));
            until(() -> r.events.contains("resume"));
            assertTrue(in.getWriteBufferSize() <= in.getWriteBufferLowWater(), msg("N14.18", "resumeWriting with "
                    + in.getWriteBufferSize() + " bytes buffered"));
            in.close();
            finish(r);
            return r;
        });
        assertArrayEquals(payload, p.bytes(1), msg("N14.18", "cat echoed other bytes"));
        assertTrue(p.events.indexOf("pause") < p.events.indexOf("resume"), msg("N14.18", "pause/resume order: "
                + p.events));
    }

    @Test
    @DisplayName("N14.19 cwd and environment options reach the child")
    void required_N14_19_cwdEnvironment() throws IOException {
        Path dir = Files.createTempDirectory("asyncloop-subprocess").toRealPath();
        try {
            String[] out = run("N14.19", () -> {
                RecordingSubprocessProtocol a = exec(options().cwd(dir).putEnvironment("ASYNCLOOP_X", "x y")
                        .build(), "/bin/sh", "-c", "pwd; echo \"$ASYNCLOOP_X\"");
                finish(a);
                RecordingSubprocessProtocol b = exec(options().environment(java.util.Map.of("ONLY", "1")).build(),
                        "/bin/sh", "-c", "echo \"${ONLY}:${HOME:-unset}\"");
                finish(b);
                return new String[] {a.text(1), b.text(1)};
            });
            assertEquals(dir + "\nx y\n", out[0], msg("N14.19", "pwd and an extra variable"));
            assertEquals("1:unset\n", out[1], msg("N14.19", "environment(map) must replace the whole environment"));
        } finally {
            Files.deleteIfExists(dir);
        }
    }

    @Test
    @DisplayName("N14.20 a protocol callback that throws is reported with the transport and protocol; the other"
            + " callbacks still come")
    void required_N14_20_throwingCallback() {
        expectReports();
        RuntimeException boom = new IllegalStateException("boom");
        RecordingSubprocessProtocol p = run("N14.20", () -> {
            SubprocessConnection<RecordingSubprocessProtocol> c = Async.await(loop.subprocessExec(
                    () -> new RecordingSubprocessProtocol(loop) {
                        @Override
                        public void processExited() {
                            super.processExited();
                            throw boom;
                        }
                    }, List.of("echo", "hi")));
            finish(c.protocol());
            return c.protocol();
        });
        List<ExceptionContext> r = reports();
        assertEquals(1, r.size(), msg("N14.20", "expected one report, got " + r));
        assertSame(boom, r.getFirst().exception().orElse(null), msg("N14.20", "the report's exception"));
        assertSame(p.transport, r.getFirst().transport().orElse(null), msg("N14.20", "the report names no"
                + " transport"));
        assertNotNull(r.getFirst().protocol().orElse(null), msg("N14.20", "the report names no protocol"));
        assertEquals("hi\n", p.text(1), msg("N14.20", "output after the throwing callback"));
        assertEquals("lost", p.events.getLast(), msg("N14.20", "connectionLost after the throwing callback"));
    }

    @Test
    @DisplayName("N14.21 closing the stdout pipe transport ends it with pipeConnectionLost(1, null) and stops its"
            + " data; the child's later writes fail, not the loop")
    void required_N14_21_closePipe() {
        RecordingSubprocessProtocol p = run("N14.21", () -> {
            RecordingSubprocessProtocol r = exec("/bin/sh", "-c", "read x; echo after; read y; exit 0");
            Transport stdout = r.transport.getPipeTransport(1).orElseThrow();
            stdout.close();
            assertTrue(stdout.isClosing(), msg("N14.21", "isClosing() of the closed stdout pipe"));
            Async.await(r.pipeLost(1));
            WriteTransport in = (WriteTransport) r.transport.getPipeTransport(0).orElseThrow();
            in.write("1\n2\n".getBytes(StandardCharsets.UTF_8));
            in.close();
            finish(r);
            return r;
        });
        assertFalse(p.events.contains("data1"), msg("N14.21", "data arrived on a closed pipe: " + p.events));
        assertTrue(p.pipeErrors.stream().noneMatch(e -> e.startsWith("1:")), msg("N14.21", "closing a pipe is a"
                + " regular end, pipeConnectionLost(1, null): " + p.pipeErrors));
    }

    @Test
    @DisplayName("N14.22 writes to the stdin pipe after writeEof(), close() or the child's exit are dropped without"
            + " an exception, as a pipe's are")
    void required_N14_22_stdinWritesAfterEndDropped() {
        List<RuntimeException> thrown = new ArrayList<>();
        RecordingSubprocessProtocol p = run("N14.22", () -> {
            SubprocessConnection<RecordingSubprocessProtocol> c = Async.await(loop.subprocessExec(() -> {
                RecordingSubprocessProtocol r = new RecordingSubprocessProtocol(loop);
                // queued right after processExited, while the idle stdin pipe is being ended
                r.onExited = () -> loop.callSoon(() -> {
                    try {
                        ((WriteTransport) r.transport.getPipeTransport(0).orElseThrow()).write(new byte[] {'x'});
                    } catch (RuntimeException e) {
                        thrown.add(e);
                    }
                });
                return r;
            }, List.of("true"), SubprocessOptions.defaults()));
            finish(c.protocol());
            RecordingSubprocessProtocol cat = exec("cat");
            WriteTransport in = (WriteTransport) cat.transport.getPipeTransport(0).orElseThrow();
            in.write(new byte[] {'a'});
            in.writeEof();
            try {
                in.write(new byte[] {'b'});
                in.close();
                in.write(new byte[] {'c'});
            } catch (RuntimeException e) {
                thrown.add(e);
            }
            assertEquals(0, finish(cat), msg("N14.22", "cat's return code"));
            return cat;
        });
        assertEquals(List.of(), thrown, msg("N14.22", "a write after the stdin pipe's end must be dropped, not throw"));
        assertEquals("a", p.text(1), msg("N14.22", "only the bytes written before writeEof() reach the child"));
    }

    @Test
    @DisplayName("N14.23 abort() of the stdin pipe empties its buffer at once and drops the unwritten rest of a"
            + " write in progress")
    void required_N14_23_stdinAbortStopsWrite() {
        int size = 8 * 1024 * 1024;
        RecordingSubprocessProtocol p = run("N14.23", () -> {
            SubprocessConnection<RecordingSubprocessProtocol> c = Async.await(loop.subprocessExec(() -> {
                RecordingSubprocessProtocol r = new RecordingSubprocessProtocol(loop);
                // cat's output is not read, so cat soon stops reading its input and the stdin write stalls
                r.onMade = () -> ((ReadTransport) r.transport.getPipeTransport(1).orElseThrow()).pauseReading();
                return r;
            }, List.of("cat"), SubprocessOptions.defaults()));
            RecordingSubprocessProtocol r = c.protocol();
            WriteTransport in = (WriteTransport) r.transport.getPipeTransport(0).orElseThrow();
            in.write(new byte[size]);
            until(() -> in.getWriteBufferSize() < size);
            in.abort();
            assertEquals(0, in.getWriteBufferSize(), msg("N14.23", "abort() empties the write buffer at once"));
            ((ReadTransport) r.transport.getPipeTransport(1).orElseThrow()).resumeReading();
            assertEquals(0, finish(r), msg("N14.23", "cat ends at the end of its aborted input"));
            return r;
        });
        assertTrue(p.bytes(1).length < size / 2, msg("N14.23", "abort() must drop what was not written yet, but the"
                + " child got " + p.bytes(1).length + " of " + size + " bytes"));
    }

    @Test
    @DisplayName("N14.24 terminate() and kill() between the exit and connectionLost do nothing; after"
            + " connectionLost they throw IllegalStateException")
    void required_N14_24_signalsBeforeConnectionLost() {
        List<RuntimeException> thrown = new ArrayList<>();
        RecordingSubprocessProtocol p = run("N14.24", () -> {
            SubprocessOptions noPipes = options().stdin(Redirect.DISCARD).stdout(Redirect.DISCARD)
                    .stderr(Redirect.DISCARD).build();
            SubprocessConnection<RecordingSubprocessProtocol> c = Async.await(loop.subprocessExec(() -> {
                RecordingSubprocessProtocol r = new RecordingSubprocessProtocol(loop);
                // queued before connectionLost, which the exit schedules as there is no pipe to wait for
                r.onExited = () -> loop.callSoon(() -> {
                    try {
                        r.transport.terminate();
                        r.transport.kill();
                    } catch (RuntimeException e) {
                        thrown.add(e);
                    }
                    r.events.add("signalled");
                });
                return r;
            }, List.of("true"), noPipes));
            finish(c.protocol());
            return c.protocol();
        });
        assertEquals(List.of("made", "exited", "signalled", "lost"), p.events, msg("N14.24", "events"));
        assertEquals(List.of(), thrown, msg("N14.24", "terminate()/kill() before connectionLost must do nothing"));
        assertThrows(IllegalStateException.class, p.transport::kill, msg("N14.24", "kill() after connectionLost"));
    }

    /**
     * A shell that traps USR1 (echo, go on) and USR2 (echo, exit 3), says "ready" once both traps are set, and
     * waits in {@code wait}, which a trapped signal interrupts at once.
     */
    private static final String TRAPPING_SHELL = "trap 'echo got USR1' USR1; trap 'echo got USR2; kill $p; exit 3'"
            + " USR2; sleep 30 & p=$!; echo ready; while kill -0 $p 2>/dev/null; do wait $p; done; exit 0";

    @Test
    @DisplayName("N14.25 sendSignal delivers the named signal: USR1 and SIGUSR2 reach the child's traps; ALRM ends a"
            + " child that does not trap it (128 + 14), also through Subprocess.sendSignal")
    void required_N14_25_sendSignal() {
        Object[] out = run("N14.25", () -> {
            RecordingSubprocessProtocol r = exec("/bin/sh", "-c", TRAPPING_SHELL);
            until(() -> r.text(1).contains("ready\n"));
            r.transport.sendSignal("USR1");
            until(() -> r.text(1).contains("got USR1\n"));
            r.transport.sendSignal("SIGUSR2");
            int trapped = finish(r);
            Subprocess sleeper = Async.await(Subprocesses.exec(List.of("sleep", "30")));
            sleeper.sendSignal("ALRM");
            int alarmed = Async.await(sleeper.waitFor());
            return new Object[] {r.text(1), trapped, alarmed};
        });
        assertEquals("ready\ngot USR1\ngot USR2\n", out[0], msg("N14.25", "what the trapping shell saw; USR1 and"
                + " USR2 must arrive as the signals of those names on this platform (SIGUSR1 is 10 on Linux, 30 on"
                + " macOS)"));
        assertEquals(3, out[1], msg("N14.25", "the shell exits with 3 from its USR2 trap"));
        assertEquals(128 + 14, out[2], msg("N14.25", "sleep killed by SIGALRM (14) has return code 128 + 14"));
    }

    @Test
    @DisplayName("N14.26 sendSignal(\"TERM\"/\"SIGKILL\") is terminate()/kill(); between the exit and connectionLost"
            + " sendSignal does nothing; after connectionLost it throws IllegalStateException")
    void required_N14_26_sendSignalLifecycle() {
        List<RuntimeException> thrown = new ArrayList<>();
        Object[] out = run("N14.26", () -> {
            RecordingSubprocessProtocol a = exec("sleep", "30");
            a.transport.sendSignal("TERM");
            int terminated = finish(a);
            RecordingSubprocessProtocol b = exec("sleep", "30");
            b.transport.sendSignal("SIGKILL");
            int killed = finish(b);
            SubprocessOptions noPipes = options().stdin(Redirect.DISCARD).stdout(Redirect.DISCARD)
                    .stderr(Redirect.DISCARD).build();
            SubprocessConnection<RecordingSubprocessProtocol> c = Async.await(loop.subprocessExec(() -> {
                RecordingSubprocessProtocol r = new RecordingSubprocessProtocol(loop);
                r.onExited = () -> loop.callSoon(() -> {
                    try {
                        r.transport.sendSignal("USR1");
                        r.transport.sendSignal("TERM");
                    } catch (RuntimeException e) {
                        thrown.add(e);
                    }
                    r.events.add("signalled");
                });
                return r;
            }, List.of("true"), noPipes));
            finish(c.protocol());
            return new Object[] {terminated, killed, b, c.protocol()};
        });
        assertEquals(SIGTERMED, out[0], msg("N14.26", "return code after sendSignal(\"TERM\")"));
        assertEquals(SIGKILLED, out[1], msg("N14.26", "return code after sendSignal(\"SIGKILL\")"));
        RecordingSubprocessProtocol ended = (RecordingSubprocessProtocol) out[3];
        assertEquals(List.of("made", "exited", "signalled", "lost"), ended.events, msg("N14.26", "events"));
        assertEquals(List.of(), thrown, msg("N14.26", "sendSignal between the exit and connectionLost must do"
                + " nothing"));
        SubprocessTransport finished = ((RecordingSubprocessProtocol) out[2]).transport;
        for (String name : List.of("USR1", "TERM", "KILL")) {
            assertThrows(IllegalStateException.class, () -> finished.sendSignal(name), msg("N14.26",
                    "sendSignal(\"" + name + "\") after connectionLost must throw (asyncio: ProcessLookupError)"));
        }
    }

    @Test
    @DisplayName("N14.27 sendSignal checks the name at the call: null is NullPointerException, an unknown or lower-case"
            + " name IllegalArgumentException naming it; the child is not signalled")
    @SuppressWarnings("NullAway") // passes null on purpose: the rule is that it is rejected
    void required_N14_27_sendSignalBadNames() {
        Object[] out = run("N14.27", () -> {
            RecordingSubprocessProtocol r = exec("sleep", "30");
            assertThrows(NullPointerException.class, () -> r.transport.sendSignal(null), msg("N14.27",
                    "sendSignal(null)"));
            IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                    () -> r.transport.sendSignal("NOPE"), msg("N14.27", "sendSignal(\"NOPE\")"));
            IllegalArgumentException lower = assertThrows(IllegalArgumentException.class,
                    () -> r.transport.sendSignal("usr1"), msg("N14.27", "sendSignal(\"usr1\"): names are upper case,"
                            + " as for addSignalHandler"));
            boolean running = r.transport.returnCode().isEmpty();
            r.transport.kill();
            return new Object[] {unknown.getMessage(), lower.getMessage(), running, finish(r)};
        });
        assertTrue(String.valueOf(out[0]).contains("NOPE"), msg("N14.27", "the message must name the signal: "
                + out[0]));
        assertTrue(String.valueOf(out[1]).contains("usr1"), msg("N14.27", "the message must name the signal: "
                + out[1]));
        assertEquals(true, out[2], msg("N14.27", "a refused name must not end the child"));
        assertEquals(SIGKILLED, out[3], msg("N14.27", "the child runs until kill()"));
    }

    /** Inside a task: starts a pipeline with one recording protocol per stage and waits for the connections. */
    final List<RecordingSubprocessProtocol> pipeline(SubprocessOptions options, List<List<String>> commands) {
        List<SubprocessConnection<RecordingSubprocessProtocol>> cs = Async.await(loop.subprocessPipeline(
                () -> new RecordingSubprocessProtocol(loop), commands, options));
        return cs.stream().map(SubprocessConnection::protocol).toList();
    }

    @Test
    @DisplayName("N14.28 subprocessPipeline joins the stages by the OS: stdin pipe on the first only, stdout pipe on"
            + " the last only, a stderr pipe per stage; cat | sort | head -n 1 gives the smallest line")
    void required_N14_28_pipelineConnectsStages() {
        List<RecordingSubprocessProtocol> p = run("N14.28", () -> {
            List<RecordingSubprocessProtocol> stages = pipeline(SubprocessOptions.defaults(), List.of(
                    List.of("cat"), List.of("/bin/sh", "-c", "sort; echo sorted 1>&2"), List.of("head", "-n", "1")));
            assertEquals(3, stages.size(), msg("N14.28", "one connection per stage"));
            for (int i = 0; i < 3; i++) {
                SubprocessTransport t = stages.get(i).transport;
                assertNotNull(t, msg("N14.28", "stage " + i + "'s protocol got no connectionMade before the future"
                        + " was done"));
                assertEquals(i == 0, t.getPipeTransport(SubprocessProtocol.STDIN).isPresent(), msg("N14.28",
                        "stage " + i + " of 3: only the first stage has a stdin pipe transport (the others read the"
                        + " previous stage's stdout through an OS pipe)"));
                assertEquals(i == 2, t.getPipeTransport(SubprocessProtocol.STDOUT).isPresent(), msg("N14.28",
                        "stage " + i + " of 3: only the last stage has a stdout pipe transport (the others write to"
                        + " the next stage through an OS pipe)"));
                assertTrue(t.getPipeTransport(SubprocessProtocol.STDERR).isPresent(), msg("N14.28", "stage " + i
                        + " has no stderr pipe transport with stderr=PIPE"));
            }
            WriteTransport in = (WriteTransport) stages.getFirst().transport.getPipeTransport(SubprocessProtocol.STDIN)
                    .orElseThrow();
            in.write("b\na\nc\n".getBytes(StandardCharsets.US_ASCII));
            in.writeEof();
            for (RecordingSubprocessProtocol r : stages) {
                finish(r);
            }
            return stages;
        });
        assertEquals("a\n", p.getLast().text(1), msg("N14.28", "the last stage's stdout: the first line of the"
                + " sorted input"));
        assertEquals("sorted\n", p.get(1).text(2), msg("N14.28", "the middle stage's own stderr pipe"));
        assertEquals("", p.getFirst().text(2) + p.getLast().text(2), msg("N14.28", "the first and last stages"
                + " wrote nothing to stderr"));
        assertEquals(3, p.stream().mapToLong(r -> r.transport.pid()).distinct().count(), msg("N14.28", "each stage"
                + " is a process of its own"));
        for (int i = 0; i < 3; i++) {
            RecordingSubprocessProtocol r = p.get(i);
            assertEquals("made", r.events.getFirst(), msg("N14.28", "stage " + i + "'s first callback: " + r.events));
            assertEquals(OptionalInt.of(0), r.transport.returnCode(), msg("N14.28", "stage " + i + "'s return code"));
        }
    }

    @Test
    @DisplayName("N14.29 each stage of a pipeline exits on its own: a failing middle stage does not change the last"
            + " stage's return code; a stage whose reader exited ends (yes | head -n 1)")
    void required_N14_29_pipelineStageExits() {
        Object[] out = run("N14.29", () -> {
            List<RecordingSubprocessProtocol> failing = pipeline(SubprocessOptions.defaults(), List.of(
                    List.of("printf", "x"), List.of("/bin/sh", "-c", "cat; exit 3"), List.of("cat")));
            List<Integer> codes = new ArrayList<>();
            for (RecordingSubprocessProtocol r : failing) {
                codes.add(finish(r));
            }
            List<RecordingSubprocessProtocol> yes = pipeline(SubprocessOptions.defaults(), List.of(List.of("yes"),
                    List.of("head", "-n", "1")));
            int head = finish(yes.getLast());
            int producer = finish(yes.getFirst());
            return new Object[] {codes, failing.getLast().text(1), head, producer, yes.getLast().text(1)};
        });
        assertEquals(List.of(0, 3, 0), out[0], msg("N14.29", "return codes of printf | sh -c 'cat; exit 3' | cat"));
        assertEquals("x", out[1], msg("N14.29", "the bytes through the failing middle stage"));
        assertEquals(0, out[2], msg("N14.29", "head's return code"));
        assertEquals("y\n", out[4], msg("N14.29", "head -n 1 of yes"));
        assertTrue((Integer) out[3] != 0, msg("N14.29", "yes must end by SIGPIPE (128 + 13) or a write error once"
                + " head exited, got " + out[3]));
    }

    @Test
    @DisplayName("N14.30 a pipeline stage that cannot start fails the future with an IOException naming the stage and"
            + " its command; the stages started before it are killed and reaped; no protocol gets a callback")
    void required_N14_30_pipelineStageCannotStart() {
        String marker = "3127";
        List<RecordingSubprocessProtocol> made = new ArrayList<>();
        Object[] out = run("N14.30", () -> {
            Supplier<RecordingSubprocessProtocol> factory = () -> {
                RecordingSubprocessProtocol r = new RecordingSubprocessProtocol(loop);
                made.add(r);
                return r;
            };
            @Nullable Object[] errors = new Object[2];
            List<Future<?>> starts = List.of(
                    loop.subprocessPipeline(factory, List.of(List.of("sleep", marker),
                            List.of("/nonexistent/asyncloop-no-such-stage", "-x"), List.of("cat"))),
                    loop.subprocessPipeline(factory, List.of(List.of("asyncloop-no-such-first-stage"),
                            List.of("cat"))));
            for (int i = 0; i < 2; i++) {
                try {
                    errors[i] = "succeeded with " + Async.await(starts.get(i));
                } catch (CompletionException e) {
                    errors[i] = e.getCause();
                }
            }
            Async.sleep(Duration.ofMillis(20));
            return errors;
        });
        IOException middle = assertInstanceOf(IOException.class, out[0], msg("N14.30", "a middle stage that cannot"
                + " start must fail the future with an IOException, got " + out[0]));
        String middleText = String.valueOf(middle.getMessage());
        assertTrue(middleText.contains("stage 1") && middleText.contains("/nonexistent/asyncloop-no-such-stage"),
                msg("N14.30", "the message must name the stage index"
                + " (stage 1) and its command: " + middle.getMessage()));
        IOException first = assertInstanceOf(IOException.class, out[1], msg("N14.30", "a first stage not on the PATH"
                + " must fail the future with an IOException, got " + out[1]));
        String firstText = String.valueOf(first.getMessage());
        assertTrue(firstText.contains("stage 0") && firstText.contains("asyncloop-no-such-first-stage"),
                msg("N14.30", "the message must name stage 0 and its command: "
                + first.getMessage()));
        List<ProcessHandle> left = ProcessHandle.current().children().filter(h -> h.info().arguments()
                .map(a -> Arrays.asList(a).equals(List.of(marker))).orElse(false)).toList();
        assertEquals(List.of(), left, msg("N14.30", "the stage started before the failing one (sleep " + marker
                + ") must be killed and reaped"));
        for (RecordingSubprocessProtocol r : made) {
            assertTrue(r.events.isEmpty(), msg("N14.30", "a protocol of a pipeline that never started got "
                    + r.events));
        }
    }

    @Test
    @DisplayName("N14.31 subprocessPipeline checks its arguments at the call: no commands, an empty command, null,"
            + " NUL, a closed loop; the message names the command")
    void required_N14_31_pipelineArgumentChecks() {
        int[] calls = {0};
        Supplier<SubprocessProtocol> f = () -> {
            calls[0]++;
            return new SubprocessProtocol() { };
        };
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> loop.subprocessPipeline(f, List.of()), msg("N14.31", "no commands"));
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> loop.subprocessPipeline(f, List.of(List.of("true"), List.of())), msg("N14.31",
                        "an empty command"));
        NullPointerException nullCommand = assertThrows(NullPointerException.class,
                () -> loop.subprocessPipeline(f, Arrays.asList(List.of("true"), null)), msg("N14.31",
                        "a null command"));
        NullPointerException nullArg = assertThrows(NullPointerException.class,
                () -> loop.subprocessPipeline(f, List.of(List.of("true"), Arrays.asList("echo", null))),
                msg("N14.31", "a null argument"));
        IllegalArgumentException nul = assertThrows(IllegalArgumentException.class,
                () -> loop.subprocessPipeline(f, List.of(List.of("echo", "a\0b"))), msg("N14.31", "NUL"));
        IllegalArgumentException noProgram = assertThrows(IllegalArgumentException.class,
                () -> loop.subprocessPipeline(f, List.of(List.of("true"), List.of("", "x"))), msg("N14.31",
                        "an empty program"));
        assertTrue(String.valueOf(none.getMessage()).contains("commands"), msg("N14.31", "no commands: "
                + none.getMessage()));
        assertTrue(String.valueOf(empty.getMessage()).contains("commands[1]"), msg("N14.31", "the message must name"
                + " commands[1]: " + empty.getMessage()));
        assertTrue(String.valueOf(nullCommand.getMessage()).contains("commands[1]"), msg("N14.31", "the message"
                + " must name commands[1]: " + nullCommand.getMessage()));
        assertTrue(String.valueOf(nullArg.getMessage()).contains("commands[1][1]"), msg("N14.31", "the message"
                + " must name commands[1][1]: " + nullArg.getMessage()));
        assertTrue(String.valueOf(nul.getMessage()).contains("commands[0][1]"), msg("N14.31", "the message must"
                + " name commands[0][1]: " + nul.getMessage()));
        assertTrue(String.valueOf(noProgram.getMessage()).contains("commands[1][0]"), msg("N14.31", "the message"
                + " must name commands[1][0]: " + noProgram.getMessage()));
        assertEquals(0, calls[0], msg("N14.31", "the protocol factory must not be called for refused arguments"));
        loop.close();
        assertThrows(IllegalStateException.class, () -> loop.subprocessPipeline(f, List.of(List.of("true"))),
                msg("N14.31", "subprocessPipeline on a closed loop must throw IllegalStateException"));
    }

    @Test
    @DisplayName("N14.32 Subprocesses.pipeline: communicate carries 1 MiB through three stages without deadlock;"
            + " waitFor is the last stage's code, waitForAll every stage's; stderrToStdout merges per stage; kill()")
    void required_N14_32_pipelineStreams() {
        byte[] input = new byte[1024 * 1024];
        for (int i = 0; i < input.length; i++) {
            input[i] = (byte) ('a' + i % 26);
        }
        Object[] out = run("N14.32", () -> {
            SubprocessPipeline big = Async.await(Subprocesses.pipeline(List.of(List.of("cat"),
                    List.of("tr", "a-z", "A-Z"), List.of("cat"))));
            assertTrue(big.stdin().isPresent() && big.stdout().isPresent(), msg("N14.32", "stdin and stdout of a"
                    + " pipeline with pipes"));
            assertTrue(big.stages().get(1).stdin().isEmpty() && big.stages().get(1).stdout().isEmpty(),
                    msg("N14.32", "the middle stage has no stdin or stdout stream"));
            SubprocessPipeline.Output o = Async.await(big.communicate(input));
            int bigCode = Async.await(big.waitFor());
            SubprocessPipeline failing = Async.await(Subprocesses.pipeline(List.of(
                    List.of("/bin/sh", "-c", "echo one; echo two 1>&2; exit 4"), List.of("cat")),
                    SubprocessOptions.builder().stderrToStdout().build()));
            SubprocessPipeline.Output merged = Async.await(failing.communicate());
            int failingCode = Async.await(failing.waitFor());
            List<Integer> failingCodes = Async.await(failing.waitForAll());
            SubprocessPipeline sleeping = Async.await(Subprocesses.pipeline(List.of(List.of("sleep", "30"),
                    List.of("cat"))));
            sleeping.kill();
            List<Integer> killed = Async.await(sleeping.waitForAll());
            return new Object[] {o, bigCode, big.returnCodes(), merged, failingCode, failingCodes,
                    failing.returnCode(), killed};
        });
        SubprocessPipeline.Output o = (SubprocessPipeline.Output) out[0];
        assertArrayEquals(new String(input, StandardCharsets.US_ASCII).toUpperCase(Locale.ROOT).getBytes(
                StandardCharsets.US_ASCII), o.stdout(), msg("N14.32", "1 MiB through cat | tr a-z A-Z | cat"));
        assertEquals(3, o.stderr().size(), msg("N14.32", "one stderr entry per stage"));
        for (byte[] e : o.stderr()) {
            assertArrayEquals(new byte[0], e, msg("N14.32", "each stage's stderr pipe is empty"));
        }
        assertEquals(0, out[1], msg("N14.32", "waitFor() of the big pipeline"));
        assertEquals(List.of(OptionalInt.of(0), OptionalInt.of(0), OptionalInt.of(0)), out[2], msg("N14.32",
                "returnCodes() after waitFor()"));
        SubprocessPipeline.Output merged = (SubprocessPipeline.Output) out[3];
        assertEquals("one\ntwo\n", utf8(merged.stdout()), msg("N14.32", "with stderrToStdout the first stage's"
                + " stderr goes down the pipeline with its stdout"));
        assertEquals(Arrays.asList(null, null), merged.stderr(), msg("N14.32", "no stderr pipes with"
                + " stderrToStdout"));
        assertEquals(0, out[4], msg("N14.32", "waitFor() answers the last stage's code, as a shell without"
                + " pipefail"));
        assertEquals(List.of(4, 0), out[5], msg("N14.32", "waitForAll() answers every stage's code"));
        assertEquals(OptionalInt.of(0), out[6], msg("N14.32", "returnCode() once every stage exited"));
        @SuppressWarnings("unchecked")
        List<Integer> killed = (List<Integer>) out[7];
        assertEquals(SIGKILLED, killed.getFirst(), msg("N14.32", "kill() kills the first stage"));
        assertTrue(killed.getLast() == SIGKILLED || killed.getLast() == 0, msg("N14.32", "kill() kills the last"
                + " stage (or it saw end of input first): " + killed.getLast()));
    }
}
