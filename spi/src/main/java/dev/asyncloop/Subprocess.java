package dev.asyncloop;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletionException;
import org.jspecify.annotations.Nullable;

/**
 * asyncio's {@code asyncio.subprocess.Process}: a child process with its piped standard streams as a
 * {@link StreamWriter} and {@link StreamReader}s. Made by {@link Subprocesses#exec} and
 * {@link Subprocesses#shell}.
 *
 * <p><b>Threads.</b> Loop thread only, like the streams.
 *
 * <p><b>Deadlocks.</b> A child blocks when the pipe it writes to is full. Read {@link #stdout()} and
 * {@link #stderr()} while you wait for the child or write to it, or use {@link #communicate(byte[])}, which feeds
 * stdin and reads both outputs at the same time.
 */
public final class Subprocess {
    /** The starts of the messages {@link #childStoppedReading} recognises, compared ignoring case. */
    private static final List<String> CHILD_STOPPED_READING = List.of("Broken pipe", "Stream closed",
            "The pipe is being closed", "The pipe has been ended", "Connection lost", "Connection reset");

    /** How much one read of {@link #readAll} asks for: a pipe's capacity. */
    private static final int READ_CHUNK = 64 * 1024;

    private final EventLoop loop;
    private final SubprocessTransport transport;
    private final SubprocessStreamProtocol protocol;
    /** What reading stdout and stderr for {@code communicate} took from the readers and did not return yet. */
    private final ByteArrayOutputStream readStdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream readStderr = new ByteArrayOutputStream();
    private final CancelledCommunicate cancelledCommunicate = new CancelledCommunicate();

    Subprocess(EventLoop loop, SubprocessTransport transport, SubprocessStreamProtocol protocol) {
        this.loop = loop;
        this.transport = transport;
        this.protocol = protocol;
    }

    /**
     * Returns the child's process id.
     *
     * @return the pid
     */
    public long pid() {
        return transport.pid();
    }

    /**
     * Returns how the child exited, once seen; see {@link SubprocessTransport#returnCode()} (128 + the signal for a
     * child killed by a signal on POSIX systems, where asyncio reports {@code -signal}).
     *
     * @return the return code, or empty while it runs
     */
    public OptionalInt returnCode() {
        return transport.returnCode();
    }

    /**
     * Returns the writer of the child's standard input.
     *
     * @return the writer, or empty unless stdin is {@link java.lang.ProcessBuilder.Redirect#PIPE}
     */
    public Optional<StreamWriter> stdin() {
        return Optional.ofNullable(protocol.stdin());
    }

    /**
     * Returns the reader of the child's standard output.
     *
     * @return the reader, or empty unless stdout is {@link java.lang.ProcessBuilder.Redirect#PIPE}
     */
    public Optional<StreamReader> stdout() {
        return Optional.ofNullable(protocol.stdout());
    }

    /**
     * Returns the reader of the child's standard error.
     *
     * @return the reader, or empty unless stderr is {@link java.lang.ProcessBuilder.Redirect#PIPE} (and not sent
     *     to stdout)
     */
    public Optional<StreamReader> stderr() {
        return Optional.ofNullable(protocol.stderr());
    }

    /**
     * Returns the transport underneath.
     *
     * @return the transport
     */
    public SubprocessTransport transport() {
        return transport;
    }

    /**
     * Waits for the child to exit (asyncio's {@code wait()}; {@link Object#wait()} takes that name in Java). The
     * future is done once the exit was seen, also while a pipe is still open, as asyncio 3.15's: a process the
     * child started may hold one (a shell's {@code sh -c 'a; b'} runs {@code a} as a child of its own, and a
     * {@link #terminate()} of the shell leaves {@code a} running with the shell's stdout); what is left of the
     * output can still be read, and signalling the descendants too ({@link ProcessHandle#descendants()}) ends them.
     * A child blocked writing output nobody reads may never exit: read it, or use {@link #communicate(byte[])}.
     * Cancelling the returned future stops this wait only.
     *
     * @return a future of the return code
     */
    public Future<Integer> waitFor() {
        Future<Integer> exit = protocol.exit();
        Future<Integer> waiter = loop.createFuture();
        if (exit.isDone()) {
            waiter.setResult(exit.result());
            return waiter;
        }
        exit.addDoneCallback(e -> {
            if (!waiter.isDone()) {
                waiter.setResult(e.result());
            }
        });
        return waiter;
    }

    /**
     * Runs {@code communicate(null)}: reads both outputs to their end and waits for the exit, writing nothing.
     *
     * @return a future of the output
     */
    public Future<Output> communicate() {
        return communicate(null);
    }

    /**
     * Writes {@code input} to the child's stdin and closes it, reads stdout and stderr to their end, all at the
     * same time, then waits for the exit (asyncio's {@code communicate}). A child that stops reading its stdin
     * early (closes it or exits) is not an error: the broken pipe is ignored and what it did not read is dropped.
     * The returned future is a task; cancelling it (a {@link Tasks#waitFor} timeout) cancels the feeding and
     * reading, not the child, and keeps what was read: the next {@code communicate} returns it in front of the rest
     * (asyncio 3.15, gh-139373, as {@code Popen.communicate} after a timeout).
     *
     * @param input the bytes for stdin, or null to write nothing (stdin is still closed); read during the call
     * @return a future of what the child wrote; failed with any other error of writing stdin (an
     *     {@link IOException} that is not a broken pipe or a lost connection), as asyncio's is
     * @throws IllegalArgumentException if {@code input} is given but stdin is not a pipe, or a {@code communicate}
     *     was cancelled before (part of its input may have reached the child: call {@code communicate()})
     */
    public Future<Output> communicate(byte @Nullable [] input) {
        StreamWriter in = protocol.stdin();
        if (input != null && in == null) {
            throw new IllegalArgumentException("communicate(input) needs stdin to be Redirect.PIPE; this child's"
                    + " stdin is not a pipe");
        }
        cancelledCommunicate.refuseInput(input, "the child");
        byte[] data = input == null ? null : input.clone();
        StreamReader out = protocol.stdout();
        StreamReader err = protocol.stderr();
        return cancelledCommunicate.watch(loop.createTask(() -> {
            Future<@Nullable Void> feeding = in == null ? done(null) : loop.createTask(() -> feed(in, data),
                    "communicate-stdin");
            Future<byte @Nullable []> outRead = out == null ? done(null)
                    : loop.createTask(() -> readAll(out, SubprocessProtocol.STDOUT), "communicate-stdout");
            Future<byte @Nullable []> errRead = err == null ? done(null)
                    : loop.createTask(() -> readAll(err, SubprocessProtocol.STDERR), "communicate-stderr");
            Async.await(Tasks.gather(feeding, outRead, errRead));
            Async.await(waitFor());
            return new Output(outRead.result(), errRead.result());
        }, "communicate-" + pid()));
    }

    <T extends @Nullable Object> Future<T> done(T value) {
        Future<T> f = loop.createFuture();
        f.setResult(value);
        return f;
    }

    /**
     * Inside a task: writes {@code data}, waits for it to drain, closes {@code in}. The child closing its stdin or
     * exiting is no error ({@link #childStoppedReading}); any other failure of the drain is thrown, as asyncio's
     * {@code _feed_stdin} ignores only {@code BrokenPipeError} and {@code ConnectionResetError}.
     */
    static @Nullable Void feed(StreamWriter in, byte @Nullable [] data) {
        if (data != null && data.length > 0) {
            in.write(data);
        }
        try {
            Async.await(in.drain());
        } catch (CompletionException e) {
            if (!childStoppedReading(e.getCause())) {
                throw e;
            }
            // what the child did not read is dropped, as asyncio does
        }
        in.close();
        return null;
    }

    /**
     * Whether {@code failure} of a stdin drain says that the child closed its stdin or exited: asyncio's
     * {@code BrokenPipeError} or {@code ConnectionResetError}, for which Java has no type of its own. The stdin
     * pipe's pump reports any failure of writing or closing the child's stdin (EPIPE while the child lives on
     * without it, the JDK's "Stream closed" once it saw the exit) as an {@link IOException} "Broken pipe: ..." of
     * its own, because the JDK's text is in the language of the process locale; the JDK's English and Windows
     * texts are recognised too. A drain after the loss fails with the writer's {@link java.net.SocketException}
     * "Connection lost" (asyncio's {@code ConnectionResetError}), and a connection reset is ignored as asyncio
     * ignores it.
     */
    static boolean childStoppedReading(@Nullable Throwable failure) {
        if (!(failure instanceof IOException) || failure.getMessage() == null) {
            return false;
        }
        String message = failure.getMessage();
        for (String gone : CHILD_STOPPED_READING) {
            if (message.regionMatches(true, 0, gone, 0, gone.length())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Inside a task: reads {@code reader} to its end, then closes the pipe transport of {@code fd}. What each read
     * takes is kept here as it arrives, so that a cancelled call loses nothing: the next call returns it first.
     */
    byte[] readAll(StreamReader reader, int fd) {
        ByteArrayOutputStream read = fd == SubprocessProtocol.STDERR ? readStderr : readStdout;
        byte[] bytes;
        do {
            Future<byte[]> chunk = reader.read(READ_CHUNK);
            try {
                bytes = Async.await(chunk);
            } catch (CancelledError e) {
                if (chunk.isDone() && !chunk.isCancelled() && chunk.exception().isEmpty()) {
                    read.writeBytes(chunk.result());   // taken from the reader just before the cancellation
                }
                throw e;
            }
            read.writeBytes(bytes);
        } while (bytes.length > 0);
        transport.getPipeTransport(fd).ifPresent(Transport::close);
        byte[] all = read.toByteArray();
        read.reset();
        return all;
    }

    /**
     * Sends SIGTERM to the child; see {@link SubprocessTransport#terminate()}.
     *
     * @throws IllegalStateException once the transport is finished
     */
    public void terminate() {
        transport.terminate();
    }

    /**
     * Sends SIGKILL to the child; see {@link SubprocessTransport#kill()}.
     *
     * @throws IllegalStateException once the transport is finished
     */
    public void kill() {
        transport.kill();
    }

    /**
     * Sends a signal to the child by name ({@code "USR1"} or {@code "SIGUSR1"}); see
     * {@link SubprocessTransport#sendSignal(String)}, which says what is thrown and which JVM flag lets it call
     * the C library without a warning.
     *
     * @param signal the signal's name
     * @throws IllegalStateException once the transport is finished
     */
    public void sendSignal(String signal) {
        transport.sendSignal(signal);
    }

    @Override
    public String toString() {
        return "Subprocess[pid=" + transport.pid() + returnCode().stream().mapToObj(c -> ", returncode=" + c)
                .findFirst().orElse(", running") + "]";
    }

    /**
     * What {@link #communicate(byte[])} returns: asyncio's {@code (stdout_data, stderr_data)}. Two outputs are equal
     * when they hold the same bytes (or both null) on each stream, as asyncio's pairs compare.
     *
     * @param stdout everything the child wrote to stdout, or null if stdout was not a pipe
     * @param stderr everything the child wrote to stderr, or null if stderr was not a pipe
     */
    @SuppressWarnings("ArrayRecordComponent") // equals and hashCode compare the bytes
    public record Output(byte @Nullable [] stdout, byte @Nullable [] stderr) {
        /**
         * Compares by content: equal bytes (or both null) on stdout and on stderr.
         *
         * @param other the object to compare with
         * @return true if {@code other} is an output with the same bytes on both streams
         */
        @Override
        public boolean equals(@Nullable Object other) {
            return other instanceof Output that && Arrays.equals(stdout, that.stdout)
                    && Arrays.equals(stderr, that.stderr);
        }

        /**
         * Hashes the content, consistent with {@link #equals}.
         *
         * @return the hash of both streams' bytes
         */
        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(stdout) + Arrays.hashCode(stderr);
        }

        @Override
        public String toString() {
            return "Output[stdout=" + (stdout == null ? "null" : stdout.length + " bytes") + ", stderr="
                    + (stderr == null ? "null" : stderr.length + " bytes") + "]";
        }
    }
}
