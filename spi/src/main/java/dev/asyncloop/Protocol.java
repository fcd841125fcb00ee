package dev.asyncloop;

import java.nio.ByteBuffer;
import org.jspecify.annotations.Nullable;

/**
 * asyncio's {@code Protocol}: the application's side of a stream connection; the transport calls it on the
 * loop thread.
 *
 * <p><b>Order.</b> {@link #connectionMade} first (in an iteration after the transport was created, never
 * inline); then any number of {@link #dataReceived}, at most one {@link #eofReceived}; finally exactly one
 * {@link #connectionLost}. {@link #pauseWriting}/{@link #resumeWriting} alternate, starting with pause, between
 * made and lost.
 *
 * <p><b>Exceptions.</b> An exception thrown by a callback is reported to the loop's exception handler with the
 * transport and the protocol, and the transport is closed as if the connection failed: the protocol then gets
 * {@code connectionLost(thatException)}. Exceptions from {@code pauseWriting}/{@code resumeWriting} are only
 * reported.
 *
 * <p>Every method has an empty default, so a protocol overrides what it needs.
 */
public interface Protocol {
    /**
     * The connection is up.
     *
     * @param transport the transport of this connection, a {@link StreamTransport} for TCP
     */
    default void connectionMade(Transport transport) {
    }

    /**
     * Bytes arrived. <b>Ownership:</b> {@code data} (position to limit) is valid only during this call; the
     * transport reuses the buffer afterwards, so copy what you keep. The protocol may read and move the
     * buffer's position, nothing else.
     *
     * @param data the bytes received
     */
    default void dataReceived(ByteBuffer data) {
    }

    /**
     * The peer half-closed the connection (it will send nothing more).
     *
     * @return true to keep the connection open for writing (the protocol will close it); false to let the
     *     transport close it
     */
    default boolean eofReceived() {
        return false;
    }

    /**
     * The connection is closed; called exactly once, last.
     *
     * @param exception null on a regular close or EOF; otherwise why the connection was lost
     */
    default void connectionLost(@Nullable Throwable exception) {
    }

    /** The transport's write buffer rose above its high-water mark: stop writing until {@link #resumeWriting}. */
    default void pauseWriting() {
    }

    /** The transport's write buffer drained to its low-water mark: writing may go on. */
    default void resumeWriting() {
    }
}
