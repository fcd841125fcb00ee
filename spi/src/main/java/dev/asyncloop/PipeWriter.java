package dev.asyncloop;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * asyncio's {@code StreamWriter} over a write pipe (what {@link Streams#openWritePipe} returns): the
 * {@link WriteTransport} of the pipe plus {@link #drain()} (wait for flow control) and {@link #waitClosed()}. It
 * is {@link StreamWriter}'s counterpart for a transport that only writes: a pipe transport is not a
 * {@link StreamTransport}, so {@link #transport()} is a {@link WriteTransport}.
 *
 * <p><b>Threads.</b> Loop thread only, like the transport.
 *
 * <p><b>Ownership.</b> {@code write} consumes the given bytes during the call (the transport copies what the pipe
 * does not take at once), so the caller may reuse its buffer as soon as {@code write} returns.
 *
 * <p>The usual pattern, inside a task: {@code writer.write(data); Async.await(writer.drain());}, and at the end
 * {@code writer.close(); Async.await(writer.waitClosed());}, after which the reader has read everything and end of
 * stream.
 */
public final class PipeWriter {
    private final WriteTransport transport;
    private final StreamProtocol protocol;

    PipeWriter(WriteTransport transport, StreamProtocol protocol) {
        this.transport = Objects.requireNonNull(transport, "transport");
        this.protocol = Objects.requireNonNull(protocol, "protocol");
    }

    /**
     * Returns the pipe's transport.
     *
     * @return the transport
     */
    public WriteTransport transport() {
        return transport;
    }

    /**
     * Sends {@code data}'s remaining bytes; see {@link WriteTransport#write(ByteBuffer)}. Does not wait: follow
     * with {@link #drain()} to respect flow control. After {@link #close()}, or once the reader went away, the
     * bytes are dropped (from the fifth such write on, with a logged warning), as asyncio does.
     *
     * @param data the bytes; consumed during the call
     */
    public void write(ByteBuffer data) {
        transport.write(data);
    }

    /**
     * Sends {@code data}; see {@link #write(ByteBuffer)}.
     *
     * @param data the bytes; the caller may reuse the array when this returns
     */
    public void write(byte[] data) {
        transport.write(data);
    }

    /**
     * Sends each buffer in turn.
     *
     * @param data the buffers; consumed during the call
     */
    public void writeLines(List<ByteBuffer> data) {
        transport.writeLines(data);
    }

    /**
     * Ends the stream: for a pipe the same as {@link #close()} (the pipe is closed once the buffer is sent).
     */
    public void writeEof() {
        transport.writeEof();
    }

    /**
     * Tells whether {@link #writeEof()} is supported.
     *
     * @return true for a pipe
     */
    public boolean canWriteEof() {
        return transport.canWriteEof();
    }

    /** Closes the pipe once the buffered bytes are sent; see {@link Transport#close()}. Idempotent. */
    public void close() {
        transport.close();
    }

    /**
     * Tells whether the transport is closing or closed.
     *
     * @return true once closed or lost
     */
    public boolean isClosing() {
        return transport.isClosing();
    }

    /**
     * Returns a future done once the pipe is closed: with no result after a regular close, failed with the error
     * the transport was lost with otherwise (a broken pipe: an {@link java.io.IOException}). Every call returns the
     * same future.
     *
     * @return the future
     */
    public Future<Void> waitClosed() {
        return protocol.closed();
    }

    /**
     * Returns transport information; see {@link Transport#getExtraInfo(String)}.
     *
     * @param key {@link Transport#PIPE}
     * @return the value, or empty
     */
    public Optional<Object> getExtraInfo(String key) {
        return transport.getExtraInfo(key);
    }

    /**
     * Waits until it is appropriate to write again: done at once while the transport has not paused writing;
     * while it has ({@link Protocol#pauseWriting()}), done when it resumes. Fails with the error the transport was
     * lost with if it is lost while waiting, and with {@link java.net.SocketException} "Connection lost" once it is
     * lost (asyncio's {@code ConnectionResetError}). When the transport is closing it first lets one loop iteration
     * pass, so that a {@code write; drain} loop sees the loss.
     *
     * @return the future; cancelling it stops the wait only
     */
    public Future<Void> drain() {
        return protocol.drain(transport.isClosing());
    }

    @Override
    public String toString() {
        return "PipeWriter[transport=" + transport + "]";
    }
}
