package dev.asyncloop;

import java.nio.ByteBuffer;

/**
 * asyncio's {@code BufferedProtocol}: a {@link Protocol} that supplies the buffer the transport reads into,
 * avoiding a copy. The transport calls {@link #getBuffer} then {@link #bufferUpdated} instead of
 * {@link #dataReceived}. Loop thread only.
 */
public interface BufferedProtocol extends Protocol {
    /**
     * Returns the buffer the next read fills, from its position up to its limit. The protocol owns it; the
     * transport writes into it only during the read that follows this call.
     *
     * <p>A transport reading from a socket passes -1. Returning null or a buffer with nothing remaining, or
     * throwing, is a fatal error of the transport ("Fatal error: protocol.getBuffer() call failed."); a read-only
     * buffer fails the read that follows ("Fatal read error on socket transport"). Either way the error is reported
     * to the loop's exception handler and the protocol gets {@code connectionLost(thatException)}.
     *
     * @param sizeHint the size the transport would like, or -1 for no preference
     * @return a writable buffer with at least one byte remaining
     */
    ByteBuffer getBuffer(int sizeHint);

    /**
     * {@code nbytes} bytes were written into the buffer from {@link #getBuffer}, starting at the position it
     * had; the transport advanced the position by {@code nbytes}.
     *
     * @param nbytes how many bytes arrived, at least 1
     */
    void bufferUpdated(int nbytes);

    /**
     * Copies {@code data} through {@link #getBuffer}/{@link #bufferUpdated}, for callers that only have bytes.
     *
     * @param data the bytes, valid during the call only
     */
    @Override
    default void dataReceived(ByteBuffer data) {
        while (data.hasRemaining()) {
            ByteBuffer into = getBuffer(data.remaining());
            int n = Math.min(into.remaining(), data.remaining());
            if (n <= 0) {
                throw new IllegalStateException("getBuffer returned a buffer with no room left: " + into);
            }
            ByteBuffer slice = data.slice(data.position(), n);
            into.put(slice);
            data.position(data.position() + n);
            bufferUpdated(n);
        }
    }
}
