package dev.asyncloop;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

/**
 * asyncio's {@code StreamWriter}: the writing side of a stream connection, a write pipe or a child process's stdin,
 * a thin layer over its {@link WriteTransport} that adds {@link #drain()} (wait for flow control) and
 * {@link #waitClosed()}.
 *
 * <p><b>Threads.</b> Loop thread only, like the transport.
 *
 * <p><b>Ownership.</b> {@code write} consumes the given bytes during the call (the transport copies what it
 * cannot send at once), so the caller may reuse its buffer as soon as {@code write} returns.
 *
 * <p>The usual pattern, inside a task: {@code writer.write(data); Async.await(writer.drain());}.
 */
public final class StreamWriter {
    private final WriteTransport transport;
    private final StreamProtocol protocol;
    private final StreamReader reader;
    private final EventLoop loop;

    StreamWriter(WriteTransport transport, StreamProtocol protocol, StreamReader reader, EventLoop loop) {
        this.transport = transport;
        this.protocol = protocol;
        this.reader = reader;
        this.loop = loop;
    }

    /**
     * Returns the underlying transport: a {@link StreamTransport} for a connection made by {@link Streams}, the
     * pipe's {@link WriteTransport} for {@link Streams#openWritePipe} and for a {@link Subprocess}'s stdin.
     *
     * @return the transport
     */
    public WriteTransport transport() {
        return transport;
    }

    /**
     * Sends {@code data}'s remaining bytes; see {@link WriteTransport#write(ByteBuffer)}. Does not wait: follow
     * with {@link #drain()} to respect flow control.
     *
     * @param data the bytes; consumed during the call
     * @throws IllegalStateException after {@link #writeEof()}
     */
    public void write(ByteBuffer data) {
        transport.write(data);
    }

    /**
     * Sends {@code data}; see {@link WriteTransport#write(byte[])}.
     *
     * @param data the bytes; the caller may reuse the array when this returns
     * @throws IllegalStateException after {@link #writeEof()}
     */
    public void write(byte[] data) {
        transport.write(data);
    }

    /**
     * Sends each buffer in turn.
     *
     * @param data the buffers; consumed during the call
     * @throws IllegalStateException after {@link #writeEof()}
     */
    public void writeLines(List<ByteBuffer> data) {
        transport.writeLines(data);
    }

    /**
     * Half-closes the connection once the buffered data is sent; see {@link WriteTransport#writeEof()}.
     *
     * @throws UnsupportedOperationException if {@link #canWriteEof()} is false
     */
    public void writeEof() {
        transport.writeEof();
    }

    /**
     * Tells whether {@link #writeEof()} is supported.
     *
     * @return true for TCP and for a child's stdin
     */
    public boolean canWriteEof() {
        return transport.canWriteEof();
    }

    /** Closes the transport (buffered data is still sent); see {@link Transport#close()}. Idempotent. */
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
     * Returns a future done once the connection is lost: with no result after a regular close or end of
     * stream, failed with the error the connection was lost with otherwise. Every call returns the same future.
     *
     * @return the future
     */
    public Future<Void> waitClosed() {
        return protocol.closed();
    }

    /**
     * Returns transport information; see {@link Transport#getExtraInfo(String)}.
     *
     * @param key {@link Transport#PEERNAME}, {@link Transport#SOCKNAME} or {@link Transport#SOCKET}
     * @return the value, or empty
     */
    public Optional<Object> getExtraInfo(String key) {
        return transport.getExtraInfo(key);
    }

    /**
     * Waits until it is appropriate to write again: done at once while the transport has not paused writing;
     * while it has ({@link Protocol#pauseWriting()}), done when it resumes. Fails with the reader's exception
     * when the connection broke, with the error the connection was lost with if it is lost while waiting, and
     * with {@link java.net.SocketException} "Connection lost" once it is lost. When the transport is closing it
     * first lets one loop iteration pass, so that a {@code write; drain} loop sees the loss.
     *
     * @return the future; cancelling it stops the wait only
     */
    public Future<Void> drain() {
        if (reader != null && reader.exception().isPresent()) {
            Future<Void> failed = loop.createFuture();
            failed.setException(reader.exception().get());
            return failed;
        }
        return protocol.drain(transport.isClosing());
    }

    @Override
    public String toString() {
        return "StreamWriter[transport=" + transport + (reader == null ? "" : ", reader=" + reader) + "]";
    }
}
