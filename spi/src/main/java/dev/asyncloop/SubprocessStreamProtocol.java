package dev.asyncloop;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * asyncio's {@code SubprocessStreamProtocol}: turns a child's pipes into a {@link StreamWriter} (stdin) and
 * {@link StreamReader}s (stdout, stderr) for {@link Subprocess}, completes {@link #exit()} once the child exited
 * (asyncio 3.15, gh-119710: whatever its pipes do), and closes the transport once the child exited and both output
 * pipes ended. Loop thread only.
 */
final class SubprocessStreamProtocol implements SubprocessProtocol {
    private final EventLoop loop;
    private final int limit;
    private final Future<Integer> exit;
    private final List<Integer> openOutputs = new ArrayList<>(2);
    private @Nullable SubprocessTransport transport;
    private @Nullable StreamWriter stdin;
    private @Nullable StreamProtocol stdinFlow;
    private @Nullable StreamReader stdout;
    private @Nullable StreamReader stderr;
    private boolean exited;

    SubprocessStreamProtocol(EventLoop loop, int limit) {
        this.loop = loop;
        this.limit = limit;
        this.exit = loop.createFuture();
    }

    @Override
    public void connectionMade(SubprocessTransport transport) {
        this.transport = transport;
        transport.getPipeTransport(STDOUT).ifPresent(pipe -> {
            stdout = new StreamReader(loop, limit);
            stdout.setTransport((ReadTransport) pipe);
            openOutputs.add(STDOUT);
        });
        transport.getPipeTransport(STDERR).ifPresent(pipe -> {
            stderr = new StreamReader(loop, limit);
            stderr.setTransport((ReadTransport) pipe);
            openOutputs.add(STDERR);
        });
        transport.getPipeTransport(STDIN).ifPresent(pipe -> {
            stdinFlow = new StreamProtocol(loop, null, null);
            stdin = new StreamWriter((WriteTransport) pipe, stdinFlow, null, loop);
        });
    }

    @Override
    public void pipeDataReceived(int fd, ByteBuffer data) {
        StreamReader reader = reader(fd);
        if (reader != null) {
            reader.feedData(data);
        }
    }

    @Override
    public void pipeConnectionLost(int fd, @Nullable Throwable exception) {
        if (fd == STDIN) {
            if (stdin != null && stdinFlow != null) {
                stdin.close();
                stdinFlow.connectionLost(exception);
            }
            return;
        }
        StreamReader reader = reader(fd);
        if (reader != null) {
            if (exception == null) {
                reader.feedEof();
            } else {
                reader.setException(exception);
            }
        }
        openOutputs.remove(/* element */ (Integer) fd);
        maybeCloseTransport();
    }

    @Override
    public void processExited() {
        exited = true;
        if (!exit.isDone()) {
            exit.setResult(Objects.requireNonNull(transport, "set by connectionMade").returnCode().orElseThrow());
        }
        maybeCloseTransport();
    }

    @Override
    public void connectionLost(@Nullable Throwable exception) {
        if (!exit.isDone()) {
            exit.setResult(Objects.requireNonNull(transport, "set by connectionMade").returnCode().orElseThrow());
        }
    }

    @Override
    public void pauseWriting() {
        if (stdinFlow != null) {
            stdinFlow.pauseWriting();
        }
    }

    @Override
    public void resumeWriting() {
        if (stdinFlow != null) {
            stdinFlow.resumeWriting();
        }
    }

    private void maybeCloseTransport() {
        if (exited && openOutputs.isEmpty()) {
            Objects.requireNonNull(transport, "set by connectionMade").close();
        }
    }

    private @Nullable StreamReader reader(int fd) {
        return fd == STDOUT ? stdout : fd == STDERR ? stderr : null;
    }

    @Nullable StreamWriter stdin() {
        return stdin;
    }

    @Nullable StreamReader stdout() {
        return stdout;
    }

    @Nullable StreamReader stderr() {
        return stderr;
    }

    /** Done with the return code once the exit was seen, also while a pipe is still open. */
    Future<Integer> exit() {
        return exit;
    }

    @Override
    public String toString() {
        return "SubprocessStreamProtocol[stdin=" + stdin + ", stdout=" + stdout + ", stderr=" + stderr + "]";
    }
}
