package dev.asyncloop;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import org.jspecify.annotations.Nullable;

/**
 * Child processes connected as a shell connects {@code a | b | c}: each stage's stdout is the next stage's stdin,
 * joined by the operating system. Made by {@link Subprocesses#pipeline}. Every stage is a {@link Subprocess} (pid,
 * {@code waitFor}, {@code returnCode}, signals, its own stderr); the pipeline's {@link #stdin()} is the first
 * stage's and its {@link #stdout()} the last stage's.
 *
 * <p><b>Return codes.</b> As in a shell without {@code pipefail}, the pipeline's return code is the last stage's,
 * known once every stage exited ({@link #waitFor()}); {@link #returnCodes()} and {@link #waitForAll()} give every
 * stage's (the shell's {@code PIPESTATUS}). A stage that writes after the next one exited gets SIGPIPE (return code
 * 128 + 13 on POSIX systems).
 *
 * <p><b>Threads.</b> Loop thread only, like the streams.
 *
 * <p><b>Deadlocks.</b> As for one {@link Subprocess}: the first stage blocks while the pipeline's output is not
 * read; read {@link #stdout()} (and every piped stderr) while you write to {@link #stdin()} or wait, or use
 * {@link #communicate(byte[])}.
 */
public final class SubprocessPipeline {
    private final EventLoop loop;
    private final List<Subprocess> stages;
    private final CancelledCommunicate cancelledCommunicate = new CancelledCommunicate();

    SubprocessPipeline(EventLoop loop, List<Subprocess> stages) {
        this.loop = loop;
        this.stages = List.copyOf(stages);
    }

    /**
     * Returns every stage, in pipeline order.
     *
     * @return the stages, unmodifiable, at least one
     */
    public List<Subprocess> stages() {
        return stages;
    }

    /**
     * Returns the first stage, the one reading {@link #stdin()}.
     *
     * @return the first stage
     */
    public Subprocess first() {
        return stages.getFirst();
    }

    /**
     * Returns the last stage, the one writing {@link #stdout()}; its return code is the pipeline's.
     *
     * @return the last stage
     */
    public Subprocess last() {
        return stages.getLast();
    }

    /**
     * Returns the writer of the first stage's standard input.
     *
     * @return the writer, or empty unless stdin is {@link java.lang.ProcessBuilder.Redirect#PIPE}
     */
    public Optional<StreamWriter> stdin() {
        return first().stdin();
    }

    /**
     * Returns the reader of the last stage's standard output.
     *
     * @return the reader, or empty unless stdout is {@link java.lang.ProcessBuilder.Redirect#PIPE}
     */
    public Optional<StreamReader> stdout() {
        return last().stdout();
    }

    /**
     * Returns the pipeline's return code: the last stage's, once every stage's exit was seen.
     *
     * @return the last stage's return code, or empty while a stage runs
     */
    public OptionalInt returnCode() {
        for (Subprocess s : stages) {
            if (s.returnCode().isEmpty()) {
                return OptionalInt.empty();
            }
        }
        return last().returnCode();
    }

    /**
     * Returns every stage's return code as seen so far, in pipeline order (the shell's {@code PIPESTATUS}).
     *
     * @return one entry per stage, empty while that stage runs
     */
    public List<OptionalInt> returnCodes() {
        return stages.stream().map(Subprocess::returnCode).toList();
    }

    /**
     * Waits for every stage to exit and answers the last stage's return code, as a shell without
     * {@code pipefail} does. Each stage is waited for as {@link Subprocess#waitFor()} waits (its exit). Cancelling
     * the returned future stops this wait only.
     *
     * @return a future of the last stage's return code
     */
    public Future<Integer> waitFor() {
        Future<Integer> waiter = loop.createFuture();
        Future<List<Integer>> all = waitForAll();
        all.addDoneCallback(f -> {
            if (!waiter.isDone()) {
                waiter.setResult(f.result().getLast());
            }
        });
        waiter.addDoneCallback(w -> all.cancel());
        return waiter;
    }

    /**
     * Waits for every stage to exit and answers every return code, in pipeline order. Cancelling the returned
     * future stops this wait only.
     *
     * @return a future of one return code per stage
     */
    public Future<List<Integer>> waitForAll() {
        // Counted by hand, not Tasks.gather: a cancelled gather is not CANCELLED but fails a loop iteration later
        // with a CancelledError, where this future, as Subprocess.waitFor()'s, is cancelled at once.
        Future<List<Integer>> waiter = loop.createFuture();
        Integer[] codes = new Integer[stages.size()];
        int[] left = {stages.size()};
        for (int i = 0; i < stages.size(); i++) {
            int stage = i;
            stages.get(i).waitFor().addDoneCallback(f -> {
                codes[stage] = f.result();
                if (--left[0] == 0 && !waiter.isDone()) {
                    waiter.setResult(List.of(codes));
                }
            });
        }
        return waiter;
    }

    /**
     * Runs {@code communicate(null)}: reads the pipeline's output and every piped stderr to their end and waits
     * for every stage, writing nothing.
     *
     * @return a future of the output
     */
    public Future<Output> communicate() {
        return communicate(null);
    }

    /**
     * Writes {@code input} to the first stage's stdin and closes it, reads the last stage's stdout and every
     * stage's piped stderr to their end, all at the same time, then waits for every stage to exit (asyncio's
     * {@code communicate}, for the whole pipeline). A first stage that stops reading early is not an error. The
     * returned future is a task; cancelling it cancels the feeding and reading, not the stages, and keeps what was
     * read for the next {@code communicate}, as {@link Subprocess#communicate(byte[])} does.
     *
     * @param input the bytes for stdin, or null to write nothing (stdin is still closed); read during the call
     * @return a future of what the pipeline wrote; failed with any other error of writing stdin, as
     *     {@link Subprocess#communicate(byte[])}'s
     * @throws IllegalArgumentException if {@code input} is given but stdin is not a pipe, or a {@code communicate}
     *     was cancelled before (part of its input may have reached the first stage: call {@code communicate()})
     */
    public Future<Output> communicate(byte @Nullable [] input) {
        Optional<StreamWriter> in = stdin();
        if (input != null && in.isEmpty()) {
            throw new IllegalArgumentException("communicate(input) needs stdin to be Redirect.PIPE; this pipeline's"
                    + " first stage's stdin is not a pipe");
        }
        cancelledCommunicate.refuseInput(input, "the first stage");
        byte[] data = input == null ? null : input.clone();
        String name = "communicate-pipeline-" + first().pid();
        return cancelledCommunicate.watch(loop.createTask(() -> {
            Future<@Nullable Void> feeding = in.isEmpty() ? first().done(null)
                    : loop.createTask(() -> Subprocess.feed(in.get(), data), name + "-stdin");
            Future<byte @Nullable []> outRead = read(last(), last().stdout(), SubprocessProtocol.STDOUT,
                    name + "-stdout");
            List<Future<byte @Nullable []>> errReads = new ArrayList<>(stages.size());
            for (int i = 0; i < stages.size(); i++) {
                Subprocess s = stages.get(i);
                errReads.add(read(s, s.stderr(), SubprocessProtocol.STDERR, name + "-stderr-" + i));
            }
            List<Future<?>> all = new ArrayList<>(errReads);
            all.add(feeding);
            all.add(outRead);
            Async.await(Tasks.<@Nullable Object>gather(all));
            Async.await(waitForAll());
            List<byte @Nullable []> errors = new ArrayList<>(errReads.size());
            for (Future<byte @Nullable []> e : errReads) {
                errors.add(e.result());
            }
            return new Output(outRead.result(), errors);
        }, name));
    }

    private Future<byte @Nullable []> read(Subprocess stage, Optional<StreamReader> reader, int fd, String name) {
        if (reader.isEmpty()) {
            return stage.done(null);
        }
        return loop.createTask(() -> stage.readAll(reader.get(), fd), name);
    }

    /**
     * Sends SIGTERM to every stage that has not exited; see {@link Subprocess#terminate()}.
     */
    public void terminate() {
        for (Subprocess s : stages) {
            if (s.returnCode().isEmpty()) {
                s.terminate();
            }
        }
    }

    /**
     * Sends SIGKILL to every stage that has not exited; see {@link Subprocess#kill()}.
     */
    public void kill() {
        for (Subprocess s : stages) {
            if (s.returnCode().isEmpty()) {
                s.kill();
            }
        }
    }

    @Override
    public String toString() {
        return "SubprocessPipeline" + stages;
    }

    /**
     * What {@link #communicate(byte[])} returns. Two outputs are equal when they hold the same bytes (or both null)
     * on stdout and on each stage's stderr, as {@link Subprocess.Output} compares.
     *
     * @param stdout everything the last stage wrote to stdout, or null if stdout was not a pipe
     * @param stderr per stage, in pipeline order, everything it wrote to stderr, or null where stderr was not a
     *     pipe; unmodifiable
     */
    @SuppressWarnings("ArrayRecordComponent") // equals and hashCode compare the bytes
    public record Output(byte @Nullable [] stdout, List<byte @Nullable []> stderr) {
        /**
         * Checks and copies the components.
         *
         * @param stdout everything the last stage wrote to stdout, or null
         * @param stderr per stage, what it wrote to stderr, or null elements; copied
         * @throws NullPointerException if {@code stderr} is null (its elements may be)
         */
        public Output(byte @Nullable [] stdout, List<byte @Nullable []> stderr) {
            this.stdout = stdout;
            this.stderr = Collections.unmodifiableList(new ArrayList<>(Objects.requireNonNull(stderr, "stderr")));
        }

        /**
         * Compares by content: equal bytes (or both null) on stdout and on each stage's stderr, in order.
         *
         * @param other the object to compare with
         * @return true if {@code other} is an output with the same bytes everywhere
         */
        @Override
        public boolean equals(@Nullable Object other) {
            if (!(other instanceof Output that) || !Arrays.equals(stdout, that.stdout)
                    || stderr.size() != that.stderr.size()) {
                return false;
            }
            for (int i = 0; i < stderr.size(); i++) {
                if (!Arrays.equals(stderr.get(i), that.stderr.get(i))) {
                    return false;
                }
            }
            return true;
        }

        /**
         * Hashes the content, consistent with {@link #equals}.
         *
         * @return the hash of every stream's bytes
         */
        @Override
        public int hashCode() {
            int hash = Arrays.hashCode(stdout);
            for (byte[] bytes : stderr) {
                hash = 31 * hash + Arrays.hashCode(bytes);
            }
            return hash;
        }

        @Override
        public String toString() {
            return "Output[stdout=" + (stdout == null ? "null" : stdout.length + " bytes") + ", stderr="
                    + stderr.stream().map(e -> e == null ? "null" : e.length + " bytes").toList() + "]";
        }
    }
}
