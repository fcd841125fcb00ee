package dev.asyncloop;

import java.nio.ByteBuffer;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * asyncio's {@code WriteTransport}: a transport that sends data, buffering what the peer cannot take yet.
 * Loop thread only.
 *
 * <p><b>Flow control.</b> When the buffered size rises above the high-water mark the transport calls
 * {@link Protocol#pauseWriting()}; when it falls to the low-water mark or below, {@link Protocol#resumeWriting()}.
 * The defaults are asyncio's: high {@value #DEFAULT_HIGH_WATER} bytes, low {@value #DEFAULT_LOW_WATER} bytes.
 */
public interface WriteTransport extends Transport {
    /** Default high-water mark of the write buffer, 64 KiB. */
    int DEFAULT_HIGH_WATER = 64 * 1024;
    /** Default low-water mark of the write buffer, 16 KiB. */
    int DEFAULT_LOW_WATER = DEFAULT_HIGH_WATER / 4;

    /**
     * Sends {@code data}'s remaining bytes: tries the socket at once and buffers what it did not take. The
     * transport consumes {@code data} during the call (its position ends at its limit) and keeps no reference
     * to it, so the caller may reuse the buffer as soon as this returns. After the connection is closed or lost
     * the data is dropped; from the fifth such write on, each logs the warning "socket.send() raised exception."
     * (a pipe's: "pipe closed by peer or write(pipe, data) raised exception.").
     *
     * @param data the bytes to send
     * @throws IllegalStateException after {@link #writeEof()} of a stream transport (a pipe's {@code writeEof}
     *     closes it, so its later writes are dropped as after {@code close}), or while a zero-copy
     *     {@link EventLoop#sendfile(StreamTransport, java.nio.channels.FileChannel, long, long) sendfile} of this
     *     transport is in progress (wait for its future first)
     */
    void write(ByteBuffer data);

    /**
     * Sends {@code data}, as {@link #write(ByteBuffer)}; the array is copied if it cannot be sent at once.
     *
     * @param data the bytes to send
     * @throws IllegalStateException after {@link #writeEof()}
     */
    default void write(byte[] data) {
        write(ByteBuffer.wrap(data));
    }

    /**
     * Sends each buffer in turn, as {@link #write(ByteBuffer)}; an empty list does nothing.
     *
     * @param data the buffers
     * @throws IllegalStateException as {@link #write(ByteBuffer)}
     */
    default void writeLines(List<ByteBuffer> data) {
        for (ByteBuffer b : data) {
            write(b);
        }
    }

    /**
     * Half-closes the connection: once the buffered data is sent, shuts the sending side down so the peer reads
     * end-of-stream; receiving goes on. Does nothing when closing or already called. A write pipe has nothing to
     * receive: its {@code writeEof} is {@link #close()}.
     *
     * @throws UnsupportedOperationException if {@link #canWriteEof()} is false
     */
    void writeEof();

    /**
     * Tells whether {@link #writeEof()} is supported.
     *
     * @return true for TCP and pipe transports
     */
    boolean canWriteEof();

    /**
     * Closes the transport at once, dropping buffered data; the protocol's {@link Protocol#connectionLost} is
     * called with {@code null} in a later iteration.
     */
    void abort();

    /**
     * Sets the flow-control marks. With {@code high} null it is {@value #DEFAULT_HIGH_WATER} (or 4 × {@code low},
     * at most {@code Integer.MAX_VALUE}, when {@code low} is given); with {@code low} null it is {@code high / 4}.
     * May pause the protocol at once.
     *
     * @param high the high-water mark in bytes, or null
     * @param low the low-water mark in bytes, or null
     * @throws IllegalArgumentException unless {@code high >= low >= 0}
     */
    void setWriteBufferLimits(@Nullable Integer high, @Nullable Integer low);

    /**
     * Returns the high-water mark.
     *
     * @return bytes
     */
    int getWriteBufferHighWater();

    /**
     * Returns the low-water mark.
     *
     * @return bytes
     */
    int getWriteBufferLowWater();

    /**
     * Returns how many bytes are buffered, not yet taken by the socket. Flow control counts beyond 2 GiB; this
     * answer stops at {@link Integer#MAX_VALUE}.
     *
     * @return bytes, at most {@link Integer#MAX_VALUE}
     */
    int getWriteBufferSize();
}
