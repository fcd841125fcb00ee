package dev.asyncloop;

import java.nio.ByteBuffer;
import org.jspecify.annotations.Nullable;

/**
 * asyncio's {@code SubprocessProtocol}: the application's side of a child process started by
 * {@link EventLoop#subprocessExec} or {@link EventLoop#subprocessShell}; the transport calls it on the loop thread.
 *
 * <p><b>Order.</b> {@link #connectionMade} first (in an iteration after the process started, never inline); then,
 * in the order they happen, {@link #pipeDataReceived} for the child's stdout (fd 1) and stderr (fd 2), one
 * {@link #pipeConnectionLost} per pipe, and exactly one {@link #processExited}. Output the child wrote before it
 * exited may still arrive after {@code processExited}; {@link SubprocessTransport#returnCode()} is set when
 * {@code processExited} runs. {@link #connectionLost} comes last, exactly once, in an iteration after the process
 * exited <em>and</em> every pipe was lost. {@link #pauseWriting}/{@link #resumeWriting} follow the stdin pipe's
 * write buffer, as for a {@link Protocol}.
 *
 * <p><b>Exceptions.</b> An exception thrown by a callback is reported to the loop's exception handler with the
 * transport and the protocol; the process and the other callbacks go on.
 *
 * <p>Every method has an empty default, so a protocol overrides what it needs.
 */
public interface SubprocessProtocol {
    /** File descriptor number of the child's standard input. */
    int STDIN = 0;
    /** File descriptor number of the child's standard output. */
    int STDOUT = 1;
    /** File descriptor number of the child's standard error. */
    int STDERR = 2;

    /**
     * The process is running and its pipe transports are ready.
     *
     * @param transport the process's transport
     */
    default void connectionMade(SubprocessTransport transport) {
    }

    /**
     * The child wrote to one of its output pipes. <b>Ownership:</b> {@code data} is valid only during this
     * call; copy what you keep.
     *
     * @param fd {@link #STDOUT} or {@link #STDERR}
     * @param data the bytes read
     */
    default void pipeDataReceived(int fd, ByteBuffer data) {
    }

    /**
     * One pipe is closed: an output pipe reached its end (or was closed by its transport), or the stdin pipe was
     * closed or broke.
     *
     * @param fd {@link #STDIN}, {@link #STDOUT} or {@link #STDERR}
     * @param exception null on a regular end; otherwise the error (e.g. an {@link java.io.IOException} "Broken
     *     pipe" when the child stopped reading while data was still to be written)
     */
    default void pipeConnectionLost(int fd, @Nullable Throwable exception) {
    }

    /** The child process exited; {@link SubprocessTransport#returnCode()} tells how. Called exactly once. */
    default void processExited() {
    }

    /**
     * The process exited and all its pipes are closed; called exactly once, last.
     *
     * @param exception always null for a subprocess transport
     */
    default void connectionLost(@Nullable Throwable exception) {
    }

    /** The stdin pipe's write buffer rose above its high-water mark: stop writing until {@link #resumeWriting}. */
    default void pauseWriting() {
    }

    /** The stdin pipe's write buffer drained to its low-water mark: writing may go on. */
    default void resumeWriting() {
    }
}
