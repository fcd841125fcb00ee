package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.Async;
import dev.asyncloop.Future;
import dev.asyncloop.Subprocess;
import dev.asyncloop.SubprocessConnection;
import dev.asyncloop.SubprocessOptions;
import dev.asyncloop.SubprocessProtocol;
import dev.asyncloop.SubprocessTransport;
import dev.asyncloop.Subprocesses;
import dev.asyncloop.Transport;
import java.lang.ProcessBuilder.Redirect;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The subprocess transport's own machinery, beyond the TCK's N14 rules: pump threads end with the transport or
 * the loop, an unread stdin pipe ends when the child exits, options are checked at the call.
 */
class SubprocessTransportTest {
    private final ReadinessEventLoop loop = SelectorLoops.newLoop();

    @BeforeEach
    void requirePosix() {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "needs a POSIX /bin/sh");
    }

    @AfterEach
    void tearDown() {
        loop.close();
    }

    /** Events in order, as strings. */
    private static final class Events implements SubprocessProtocol {
        final List<String> log = new ArrayList<>();
        final long[] received = new long[3];
        SubprocessTransport transport;
        Future<Void> lost;
        java.util.function.Consumer<SubprocessTransport> onMade = t -> { };
        Runnable onExit = () -> { };
        java.util.function.IntConsumer onData = fd -> { };

        Events(Future<Void> lost) {
            this.lost = lost;
        }

        @Override
        public void connectionMade(SubprocessTransport transport) {
            this.transport = transport;
            log.add("made");
            onMade.accept(transport);
        }

        @Override
        public void pipeDataReceived(int fd, ByteBuffer data) {
            log.add("data" + fd);
            received[fd] += data.remaining();
            onData.accept(fd);
        }

        @Override
        public void pipeConnectionLost(int fd, Throwable exception) {
            log.add("pipeLost" + fd + (exception == null ? "" : ":" + exception.getClass().getSimpleName()));
        }

        @Override
        public void processExited() {
            log.add("exited");
            onExit.run();
        }

        @Override
        public void connectionLost(Throwable exception) {
            log.add("lost");
            lost.setResult(null);
        }
    }

    private Events start(List<String> command, SubprocessOptions options) {
        Future<SubprocessConnection<Events>> f = loop.subprocessExec(() -> new Events(loop.createFuture()), command,
                options);
        return loop.runUntilComplete(f).protocol();
    }

    private void awaitLost(Events e) {
        loop.runUntilComplete(() -> dev.asyncloop.Tasks.waitFor(e.lost, Duration.ofSeconds(10)));
    }

    private static List<Thread> pumps(SubprocessTransport t) {
        List<Thread> threads = new ArrayList<>();
        for (int fd = 0; fd < 3; fd++) {
            t.getPipeTransport(fd).ifPresent(p -> threads.add(p instanceof InputStreamTransport r ? r.pumpThread()
                    : ((OutputStreamTransport) p).pumpThread()));
        }
        return threads;
    }

    private static void assertEnded(List<Thread> threads) throws InterruptedException {
        for (Thread t : threads) {
            assertTrue(t.join(Duration.ofSeconds(10)), t.getName() + " still runs");
        }
    }

    /**
     * asyncio's terminate only sends the signal: the pipes stay open, so what the child wrote still arrives and
     * the pipe ends with its EOF. (Process.destroy() closed them: a pump paused between two reads then failed
     * with "Stream closed".)
     */
    @Test
    void terminateLeavesThePipesToEndByThemselves() {
        Events e = start(List.of("/bin/sh", "-c", "echo ready; exec sleep 60"), SubprocessOptions.builder()
                .stdin(Redirect.DISCARD).stderr(Redirect.DISCARD).build());
        var stdout = (dev.asyncloop.ReadTransport) e.transport.getPipeTransport(1).orElseThrow();
        Future<Void> exited = loop.createFuture();
        e.onExit = () -> exited.setResult(null);
        // Paused from inside the delivery, so the pump waits between two reads, not inside one.
        e.onData = fd -> stdout.pauseReading();
        loop.runUntilComplete(() -> {
            while (e.received[1] == 0) {
                Async.sleep(Duration.ofMillis(2));
            }
            return null;
        });
        e.transport.terminate();
        loop.runUntilComplete(() -> dev.asyncloop.Tasks.waitFor(exited, Duration.ofSeconds(10)));
        stdout.resumeReading();
        awaitLost(e);
        // The pump may be in its read (EOF at the exit) or paused before it (EOF after resume): either order.
        assertEquals(List.of("made", "data1"), e.log.subList(0, 2), e.log::toString);
        assertEquals(java.util.Set.of("exited", "pipeLost1"), java.util.Set.copyOf(e.log.subList(2, 4)), "the stdout"
                + " pipe must end with its EOF after terminate, without an error: " + e.log);
        assertEquals("lost", e.log.getLast());
        assertEquals(128 + 15, e.transport.returnCode().orElseThrow());
    }

    @Test
    void pumpThreadsEndWithTheTransport() throws InterruptedException {
        Events e = start(List.of("cat"), SubprocessOptions.defaults());
        List<Thread> threads = pumps(e.transport);
        assertEquals(3, threads.size());
        assertTrue(threads.stream().allMatch(Thread::isVirtual), "pumps are virtual threads");
        e.transport.getPipeTransport(0).ifPresent(Transport::close);
        awaitLost(e);
        assertEnded(threads);
    }

    @Test
    void anUnreadStdinPipeEndsWhenTheChildExits() {
        Events e = start(List.of("true"), SubprocessOptions.defaults());
        awaitLost(e);
        assertTrue(e.log.contains("pipeLost0"), "stdin pipe ended without error after the exit: " + e.log);
        assertEquals("lost", e.log.getLast());
    }

    @Test
    void bytesQueuedForAChildThatExitedEndStdinWithAnError() {
        Events e = start(List.of("sleep", "30"), SubprocessOptions.defaults());
        var stdin = (dev.asyncloop.WriteTransport) e.transport.getPipeTransport(0).orElseThrow();
        stdin.write(new byte[1024 * 1024]);
        e.transport.kill();
        awaitLost(e);
        assertTrue(e.log.contains("pipeLost0:IOException"), "stdin lost with the write error: " + e.log);
        stdin.write(new byte[10]);
        assertEquals(0, stdin.getWriteBufferSize(), "writes after the loss are dropped");
    }

    @Test
    void closingTheLoopKillsTheChildAndEndsThePumps() throws Exception {
        Events e = start(List.of("sleep", "30"), SubprocessOptions.defaults());
        Process process = (Process) e.transport.getExtraInfo(SubprocessTransport.SUBPROCESS).orElseThrow();
        List<Thread> threads = pumps(e.transport);
        loop.close();
        assertTrue(process.waitFor(10, TimeUnit.SECONDS), "the child outlived the loop");
        assertEnded(threads);
    }

    @Test
    void cancellingSubprocessesExecKillsTheChild() {
        long before = sleepers();
        loop.runUntilComplete(() -> {
            Future<Subprocess> f = Subprocesses.exec(List.of("sleep", "30"));
            f.cancel();
            return null;
        });
        loop.runUntilComplete(() -> {
            double deadline = loop.time() + 10;
            while (sleepers() > before && loop.time() < deadline) {
                Async.sleep(Duration.ofMillis(5));
            }
            return null;
        });
        assertEquals(before, sleepers(), "a cancelled Subprocesses.exec left its child running");
    }

    private static long sleepers() {
        return ProcessHandle.current().children().filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().orElse("").endsWith("sleep")).count();
    }

    @Test
    void argumentsAreCheckedAtTheCall() {
        assertThrows(IllegalArgumentException.class, () -> loop.subprocessExec(() -> new SubprocessProtocol() { },
                List.of("")));
        assertThrows(NullPointerException.class, () -> loop.subprocessExec(() -> new SubprocessProtocol() { },
                List.of("true"), null));
        assertThrows(IllegalArgumentException.class,
                () -> SubprocessOptions.builder().putEnvironment("A=B", "x"));
        assertThrows(IllegalArgumentException.class,
                () -> SubprocessOptions.builder().environment(Map.of("A", "x\0y")));
        SubprocessOptions o = SubprocessOptions.builder().stdin(Redirect.DISCARD).stderrToStdout().build();
        assertTrue(o.stderrToStdout());
        assertFalse(SubprocessOptions.builder().stderrToStdout().stderr(Redirect.INHERIT).build().stderrToStdout(),
                "stderr(...) undoes stderrToStdout()");
        Events e = start(List.of("true"), SubprocessOptions.defaults());
        assertThrows(IllegalArgumentException.class, () -> e.transport.getPipeTransport(3));
        awaitLost(e);
        loop.runUntilComplete(() -> {
            assertThrows(IllegalArgumentException.class, () -> Subprocesses.exec(List.of("true"),
                    SubprocessOptions.defaults(), 0));
            return null;
        });
    }

    @Test
    void writingToStdinAfterTheChildExitedDoesNotThrow() {
        List<RuntimeException> thrown = new ArrayList<>();
        Future<SubprocessConnection<Events>> f = loop.subprocessExec(() -> {
            Events e = new Events(loop.createFuture());
            // runs right after processExited, while the stdin pipe is ending but has not ended yet
            e.onExit = () -> loop.callSoon(() -> {
                var stdin = (dev.asyncloop.WriteTransport) e.transport.getPipeTransport(0).orElseThrow();
                try {
                    stdin.write(new byte[] {'x'});
                } catch (RuntimeException x) {
                    thrown.add(x);
                }
            });
            return e;
        }, List.of("true"), SubprocessOptions.defaults());
        Events e = loop.runUntilComplete(f).protocol();
        awaitLost(e);
        assertEquals(List.of(), thrown, "a write to the stdin pipe of a child that exited is dropped, as asyncio's"
                + " pipe drops it; it must not throw");
        assertEquals(0, ((dev.asyncloop.WriteTransport) e.transport.getPipeTransport(0).orElseThrow())
                .getWriteBufferSize());
    }

    @Test
    void writesAfterWriteEofOrCloseAreDroppedLikeAPipes() {
        Events e = start(List.of("cat"), SubprocessOptions.defaults());
        var stdin = (dev.asyncloop.WriteTransport) e.transport.getPipeTransport(0).orElseThrow();
        stdin.write(new byte[] {'a'});
        stdin.writeEof();
        stdin.write(new byte[] {'b'});
        stdin.close();
        stdin.write(ByteBuffer.wrap(new byte[] {'c'}));
        awaitLost(e);
        assertEquals(1, e.received[1], "cat echoes only what was written before writeEof(): " + e.log);
    }

    @Test
    void abortDropsTheRestOfAWriteInProgress() throws InterruptedException {
        int size = 8 * 1024 * 1024;
        Future<SubprocessConnection<Events>> f = loop.subprocessExec(() -> {
            Events e = new Events(loop.createFuture());
            // cat's stdout is not read, so cat soon stops reading its stdin and the stdin pump blocks mid-write
            e.onMade = t -> ((dev.asyncloop.ReadTransport) t.getPipeTransport(1).orElseThrow()).pauseReading();
            return e;
        }, List.of("cat"), SubprocessOptions.defaults());
        Events e = loop.runUntilComplete(f).protocol();
        var stdin = (dev.asyncloop.WriteTransport) e.transport.getPipeTransport(0).orElseThrow();
        Thread pump = ((OutputStreamTransport) stdin).pumpThread();
        stdin.write(new byte[size]);
        loop.runUntilComplete(() -> {
            double deadline = loop.time() + 10;
            while (stdin.getWriteBufferSize() == size && loop.time() < deadline) {
                Async.sleep(Duration.ofMillis(5));
            }
            return null;
        });
        assertTrue(stdin.getWriteBufferSize() < size, "the pump started writing");
        stdin.abort();
        assertEquals(0, stdin.getWriteBufferSize(), "abort() empties the write buffer at once, as asyncio's does");
        ((dev.asyncloop.ReadTransport) e.transport.getPipeTransport(1).orElseThrow()).resumeReading();
        awaitLost(e);
        assertTrue(e.received[1] < size / 2, "abort() dropped the unwritten rest of the write, but the child got "
                + e.received[1] + " of " + size + " bytes");
        assertTrue(pump.join(Duration.ofSeconds(10)), "the stdin pump ended");
    }

    @Test
    void killAndTerminateBetweenTheExitAndConnectionLostDoNothing() {
        List<RuntimeException> thrown = new ArrayList<>();
        SubprocessOptions noPipes = SubprocessOptions.builder().stdin(Redirect.DISCARD).stdout(Redirect.DISCARD)
                .stderr(Redirect.DISCARD).build();
        Future<SubprocessConnection<Events>> f = loop.subprocessExec(() -> {
            Events e = new Events(loop.createFuture());
            // queued before connectionLost, which the exit schedules as there is no pipe to wait for
            e.onExit = () -> loop.callSoon(() -> {
                try {
                    e.transport.terminate();
                    e.transport.kill();
                } catch (RuntimeException x) {
                    thrown.add(x);
                }
                e.log.add("signalled");
            });
            return e;
        }, List.of("true"), noPipes);
        Events e = loop.runUntilComplete(f).protocol();
        awaitLost(e);
        assertEquals(List.of("made", "exited", "signalled", "lost"), e.log);
        assertEquals(List.of(), thrown, "terminate()/kill() before connectionLost do nothing, as asyncio's do");
        assertThrows(IllegalStateException.class, e.transport::kill, "kill() after connectionLost");
    }
}
