package dev.asyncloop.spi;

import dev.asyncloop.EventLoop;
import dev.asyncloop.ExceptionContext;
import dev.asyncloop.Future;
import dev.asyncloop.Protocol;
import dev.asyncloop.SubprocessConnection;
import dev.asyncloop.SubprocessProtocol;
import dev.asyncloop.SubprocessTransport;
import dev.asyncloop.Transport;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * asyncio's {@code BaseSubprocessTransport} over a {@link Process}: a {@link OutputStreamTransport} for a piped
 * stdin, a {@link InputStreamTransport} for each piped output, and a virtual thread in {@link Process#waitFor()}
 * for the exit. Each pipe
 * transport talks to a {@link Bridge} protocol (asyncio's {@code ReadSubprocessPipeProto}), which passes its
 * events on with the fd. {@code connectionLost} is scheduled once the exit was seen and every pipe was lost.
 * Loop thread only, except {@link #loopClosed()}.
 */
final class ProcessTransport implements SubprocessTransport {
    private static final System.Logger LOG = System.getLogger("dev.asyncloop");
    private static final int STDIN_FD = SubprocessProtocol.STDIN;
    private static final int STDOUT_FD = SubprocessProtocol.STDOUT;
    private static final int STDERR_FD = SubprocessProtocol.STDERR;

    private final EventLoop loop;
    private final Process process;
    private final long pid;
    private final @Nullable String label;
    private final @Nullable OutputStreamTransport stdin;
    private final @Nullable InputStreamTransport stdout;
    private final @Nullable InputStreamTransport stderr;
    private final boolean[] pipeLost = new boolean[3];
    private final AtomicBoolean abandoned = new AtomicBoolean();
    private SubprocessProtocol protocol;
    private @Nullable Integer returnCode;
    private boolean closed;
    private boolean finished;
    /** Set once {@code connectionLost} ran: from then on terminate() and kill() throw (asyncio clears _proc). */
    private boolean ended;

    ProcessTransport(EventLoop loop, Process process, SubprocessProtocol protocol, boolean pipeIn, boolean pipeOut,
            boolean pipeErr, String program) {
        this.loop = loop;
        this.process = process;
        this.protocol = protocol;
        this.pid = process.pid();
        this.label = "subprocess-" + pid;
        this.stdin = pipeIn ? new OutputStreamTransport(loop, process.getOutputStream(), new Bridge(STDIN_FD),
                label + "-stdin", this::loopClosed) : null;
        this.stdout = pipeOut ? new InputStreamTransport(loop, process.getInputStream(), new Bridge(STDOUT_FD),
                label + "-stdout", this::loopClosed) : null;
        this.stderr = pipeErr ? new InputStreamTransport(loop, process.getErrorStream(), new Bridge(STDERR_FD),
                label + "-stderr", this::loopClosed) : null;
        pipeLost[STDIN_FD] = !pipeIn;
        pipeLost[STDOUT_FD] = !pipeOut;
        pipeLost[STDERR_FD] = !pipeErr;
        if (loop.getDebug()) {
            LOG.log(Level.DEBUG, "process {0} created: pid {1}", program, pid);
        }
    }

    /**
     * Tells the protocol it is connected, starts the pumps and the exit watch, then completes {@code waiter}:
     * the callback the spawner schedules right after starting the process.
     */
    <P extends SubprocessProtocol> void connect(P application, Future<SubprocessConnection<P>> waiter) {
        start();
        if (waiter.isCancelled()) {
            close();
        } else {
            waiter.setResult(new SubprocessConnection<>(this, application));
        }
    }

    /** Tells the protocol it is connected, then starts the pumps and the exit watch; on the loop thread. */
    void start() {
        call("connectionMade", () -> protocol.connectionMade(this));
        if (stdin != null) {
            stdin.start();
        }
        if (stdout != null) {
            stdout.start();
        }
        if (stderr != null) {
            stderr.start();
        }
        // Not Process.onExit(): the JDK completes it on the common ForkJoinPool, which a loop running on one of
        // that pool's workers (one worker on two cores) keeps from ever running it.
        Thread.ofVirtual().name("asyncloop-" + label + "-exit").start(this::watchExit);
    }

    /** The exit watch: waits for the child on its own virtual thread, then hands the code to the loop. */
    private void watchExit() {
        boolean interrupted = false;
        while (true) {
            try {
                int code = process.waitFor();
                post(() -> processExited(code));
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void post(Runnable action) {
        try {
            loop.callSoonThreadsafe(action);
        } catch (IllegalStateException closedLoop) {
            loopClosed();
        }
    }

    private void processExited(int code) {
        if (returnCode != null) {
            return;
        }
        returnCode = code;
        if (loop.getDebug()) {
            LOG.log(Level.INFO, "{0} exited with return code {1}", this, code);
        }
        call("processExited", () -> protocol.processExited());
        // Nobody reads the child's stdin any more: an idle stdin pipe ends now (asyncio notices that through
        // the pipe's read end); one with bytes still queued ends when writing them fails.
        if (stdin != null && !pipeLost[STDIN_FD] && stdin.isDrained()) {
            stdin.writeEof();
        }
        tryFinish();
    }

    private void pipeLost(int fd, @Nullable Throwable exception) {
        if (pipeLost[fd]) {
            return;
        }
        pipeLost[fd] = true;
        call("pipeConnectionLost", () -> protocol.pipeConnectionLost(fd, exception));
        tryFinish();
    }

    private void tryFinish() {
        if (finished || returnCode == null || !pipeLost[STDIN_FD] || !pipeLost[STDOUT_FD] || !pipeLost[STDERR_FD]) {
            return;
        }
        finished = true;
        loop.callSoon(() -> {
            SubprocessSpawner.forget(loop, this);
            try {
                call("connectionLost", () -> protocol.connectionLost(null));
            } finally {
                ended = true;
            }
        });
    }

    private void call(String what, Runnable callback) {
        try {
            callback.run();
        } catch (Exception e) {
            loop.callExceptionHandler(ExceptionContext.builder("protocol." + what + "() failed").exception(e)
                    .transport(this).protocol(protocol).build());
        }
    }

    /**
     * The loop closed while the process was live: kills the child if it runs and stops the pumps, from any thread.
     * Nothing is delivered any more. Idempotent.
     */
    void loopClosed() {
        if (!abandoned.compareAndSet(false, true)) {
            return;
        }
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        if (stdin != null) {
            stdin.abandon();
        }
        if (stdout != null) {
            stdout.stop();
        }
        if (stderr != null) {
            stderr.stop();
        }
        SubprocessSpawner.forget(loop, this);
    }

    @Override
    public long pid() {
        return pid;
    }

    @Override
    public OptionalInt returnCode() {
        return returnCode == null ? OptionalInt.empty() : OptionalInt.of(returnCode);
    }

    @Override
    public Optional<Transport> getPipeTransport(int fd) {
        return switch (fd) {
            case STDIN_FD -> Optional.ofNullable(stdin);
            case STDOUT_FD -> Optional.ofNullable(stdout);
            case STDERR_FD -> Optional.ofNullable(stderr);
            default -> throw new IllegalArgumentException("fd must be 0 (stdin), 1 (stdout) or 2 (stderr), got " + fd);
        };
    }

    @Override
    public void terminate() {
        checkNotFinished("terminate");
        // The handle only signals; Process.destroy() also closes the pipes, losing what the child wrote last and
        // failing a pump between two reads with "Stream closed". asyncio's terminate only sends the signal.
        process.toHandle().destroy();
    }

    @Override
    public void kill() {
        checkNotFinished("kill");
        process.toHandle().destroyForcibly();
    }

    @Override
    public void sendSignal(String signal) {
        ProcessSignal parsed = ProcessSignal.parse(signal);
        checkNotFinished("send " + parsed + " to");
        if (returnCode == null) {
            parsed.sendTo(process);
        }
    }

    private void checkNotFinished(String what) {
        if (ended) {
            throw new IllegalStateException("Cannot " + what + " process " + pid + ": it exited with return code "
                    + returnCode + " and its transport is finished (connectionLost ran)");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (stdin != null) {
            stdin.close();
        }
        if (stdout != null) {
            stdout.close();
        }
        if (stderr != null) {
            stderr.close();
        }
        if (returnCode == null && process.isAlive()) {
            if (loop.getDebug()) {
                LOG.log(Level.WARNING, "Close running child process: kill {0}", this);
            }
            process.destroyForcibly();
        }
    }

    @Override
    public boolean isClosing() {
        return closed;
    }

    @Override
    public Optional<Object> getExtraInfo(String key) {
        return SUBPROCESS.equals(Objects.requireNonNull(key, "key")) ? Optional.of(process) : Optional.empty();
    }

    @Override
    public void setProtocol(SubprocessProtocol protocol) {
        this.protocol = Objects.requireNonNull(protocol, "protocol");
    }

    @Override
    public SubprocessProtocol getProtocol() {
        return protocol;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("SubprocessTransport[pid=").append(pid);
        if (closed) {
            sb.append(", closed");
        }
        sb.append(returnCode != null ? ", returncode=" + returnCode : ", running");
        if (stdin != null) {
            sb.append(", stdin=").append(stdin);
        }
        if (stdout != null) {
            sb.append(", stdout=").append(stdout);
        }
        if (stderr != null) {
            sb.append(", stderr=").append(stderr);
        }
        return sb.append(']').toString();
    }

    /** The protocol of one pipe transport: hands its events to the process transport with the pipe's fd. */
    private final class Bridge implements Protocol {
        private final int fd;

        Bridge(int fd) {
            this.fd = fd;
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            call("pipeDataReceived", () -> protocol.pipeDataReceived(fd, data));
        }

        @Override
        public void connectionLost(@Nullable Throwable exception) {
            pipeLost(fd, exception);
        }

        @Override
        public void pauseWriting() {
            call("pauseWriting", () -> protocol.pauseWriting());
        }

        @Override
        public void resumeWriting() {
            call("resumeWriting", () -> protocol.resumeWriting());
        }

        @Override
        public String toString() {
            return "PipeProtocol[fd=" + fd + ", " + ProcessTransport.this + "]";
        }
    }
}
