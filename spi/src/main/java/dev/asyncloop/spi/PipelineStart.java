package dev.asyncloop.spi;

import dev.asyncloop.EventLoop;
import dev.asyncloop.Future;
import dev.asyncloop.SubprocessConnection;
import dev.asyncloop.SubprocessOptions;
import dev.asyncloop.SubprocessProtocol;
import java.io.FileOutputStream;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Starts the stages of {@link SubprocessSpawner#pipeline} with {@link ProcessBuilder#startPipeline}, so each
 * stage's stdout is the next one's stdin at the operating-system level and no byte between them passes through the
 * JVM. The first stage's stdin, the last stage's stdout and every stage's stderr follow the options; each stage gets
 * a {@link ProcessTransport} of its own. Commands are checked by the caller.
 */
final class PipelineStart<P extends SubprocessProtocol> {
    private final EventLoop loop;
    private final List<List<String>> stages;
    private final SubprocessOptions options;

    PipelineStart(EventLoop loop, List<List<String>> stages, SubprocessOptions options) {
        this.loop = loop;
        this.stages = stages;
        this.options = options;
    }

    Future<List<SubprocessConnection<P>>> start(Supplier<P> protocolFactory) {
        Future<List<SubprocessConnection<P>>> waiter = loop.createFuture();
        int n = stages.size();
        List<P> protocols = new ArrayList<>(n);
        try {
            for (int i = 0; i < n; i++) {
                int stage = i;
                protocols.add(Objects.requireNonNull(protocolFactory.get(),
                        () -> "protocolFactory " + protocolFactory + " returned null for stage " + stage));
            }
        } catch (RuntimeException e) {
            waiter.setException(e);
            return waiter;
        }
        List<ProcessBuilder> builders;
        try {
            builders = builders();
        } catch (IOException e) {
            waiter.setException(e);
            return waiter;
        }
        List<Process> processes;
        try {
            processes = ProcessBuilder.startPipeline(builders);
        } catch (IOException e) {
            waiter.setException(cannotStart(e));
            return waiter;
        }
        List<ProcessTransport> transports = new ArrayList<>(n);
        try {
            for (int i = 0; i < n; i++) {
                boolean first = i == 0;
                boolean last = i == n - 1;
                ProcessTransport t = new ProcessTransport(loop, processes.get(i), protocols.get(i),
                        first && options.stdin() == Redirect.PIPE, last && options.stdout() == Redirect.PIPE,
                        options.stderr() == Redirect.PIPE && !options.stderrToStdout(), stages.get(i).getFirst());
                transports.add(t);
                SubprocessSpawner.remember(loop, t);
            }
            loop.callSoon(() -> connect(transports, protocols, waiter));
        } catch (RuntimeException | Error e) {
            processes.forEach(Process::destroyForcibly);
            transports.forEach(t -> SubprocessSpawner.forget(loop, t));
            throw e;
        }
        return BaseFuture.closeIfUndelivered(waiter, connections -> connections.forEach(c -> c.transport().close()));
    }

    /** Every stage's protocol learns it is connected, in stage order, before the future is done. */
    private void connect(List<ProcessTransport> transports, List<P> protocols,
            Future<List<SubprocessConnection<P>>> waiter) {
        transports.forEach(ProcessTransport::start);
        if (waiter.isCancelled()) {
            transports.forEach(ProcessTransport::close);
            return;
        }
        List<SubprocessConnection<P>> connections = new ArrayList<>(transports.size());
        for (int i = 0; i < transports.size(); i++) {
            connections.add(new SubprocessConnection<>(transports.get(i), protocols.get(i)));
        }
        waiter.setResult(List.copyOf(connections));
    }

    private List<ProcessBuilder> builders() throws IOException {
        int n = stages.size();
        Redirect stderr = options.stderr();
        boolean sharedFile = n > 1 && !options.stderrToStdout() && stderr.type() == Redirect.Type.WRITE
                && !stderr.equals(Redirect.DISCARD);
        if (sharedFile) {
            // Every stage opens the file: truncated once here (failing as ProcessBuilder.start would for one child),
            // appended to by all, so no stage writes over another's lines from its own offset.
            new FileOutputStream(Objects.requireNonNull(stderr.file(), "a WRITE redirect has a file")).close();
        }
        List<ProcessBuilder> builders = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ProcessBuilder b = SubprocessSpawner.builder(stages.get(i), options);
            if (i > 0) {
                b.redirectInput(Redirect.PIPE);
            }
            if (i < n - 1) {
                b.redirectOutput(Redirect.PIPE);
            }
            if (sharedFile) {
                b.redirectError(Redirect.appendTo(stderr.file()));
            }
            builders.add(b);
        }
        return builders;
    }

    /**
     * The JDK's error names the program but not the stage ("Cannot run program "x""): the first stage running that
     * program is the one that failed (the stages start in order with the same directory and environment).
     */
    private IOException cannotStart(IOException e) {
        String message = String.valueOf(e.getMessage());
        for (int i = 0; i < stages.size(); i++) {
            if (message.startsWith("Cannot run program \"" + stages.get(i).getFirst() + "\"")) {
                return new IOException("pipeline stage " + i + " of " + stages.size() + ", " + stages.get(i)
                        + ", cannot start" + (i == 0 ? "" : i == 1 ? " (stage 0 was killed and reaped)"
                                : " (stages 0 to " + (i - 1) + " were killed and reaped)")
                        + ": " + message, e);
            }
        }
        return new IOException("a stage of the pipeline " + stages + " cannot start (the stages started before it"
                + " were killed and reaped): " + message, e);
    }
}
