package dev.asyncloop;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import org.jspecify.annotations.Nullable;

/**
 * asyncio's {@code DatagramProtocol}: the application's side of a UDP endpoint; the transport calls it on the
 * loop thread.
 *
 * <p><b>Order.</b> {@link #connectionMade} first (in an iteration after the transport was created, never
 * inline); then any number of {@link #datagramReceived} and {@link #errorReceived}; finally exactly one
 * {@link #connectionLost}. {@link #pauseWriting}/{@link #resumeWriting} alternate, starting with pause.
 *
 * <p><b>Exceptions.</b> An exception thrown by {@link #connectionMade}, {@link #datagramReceived} or
 * {@link #errorReceived} is reported to the loop's exception handler with the transport and protocol, and the
 * transport is closed at once; {@code connectionLost} then gets that exception. One thrown by
 * {@link #pauseWriting} or {@link #resumeWriting} is only reported; the endpoint carries on (as in asyncio).
 *
 * <p>Every method has an empty default, so a protocol overrides what it needs.
 */
public interface DatagramProtocol {
    /**
     * The endpoint is ready.
     *
     * @param transport the endpoint's transport
     */
    default void connectionMade(DatagramTransport transport) {
    }

    /**
     * A datagram arrived. <b>Ownership:</b> {@code data} (position to limit) is valid only during this call; the
     * transport reuses the buffer afterwards, so copy what you keep.
     *
     * @param data the datagram's bytes (possibly none)
     * @param address the sender
     */
    default void datagramReceived(ByteBuffer data, SocketAddress address) {
    }

    /**
     * A send or receive failed with an I/O error; the endpoint stays open and a failed send's datagram is
     * dropped. On a connected endpoint this is where an ICMP "port unreachable" shows up, as a
     * {@link java.net.PortUnreachableException} naming the peer ("Connection refused by /127.0.0.1:9999 (ICMP port
     * unreachable)", asyncio's "Connection refused"; the JDK's own exception, without a message, is its cause). A send to an address of a family the socket cannot reach (IPv6
     * from an IPv4 socket) arrives here too, as {@link java.nio.channels.UnsupportedAddressTypeException}.
     *
     * @param exception the error
     */
    default void errorReceived(Exception exception) {
    }

    /**
     * The endpoint is closed; called exactly once, last.
     *
     * @param exception null on a regular close; otherwise why the endpoint was closed
     */
    default void connectionLost(@Nullable Throwable exception) {
    }

    /** The transport's send buffer rose above its high-water mark: stop sending until {@link #resumeWriting}. */
    default void pauseWriting() {
    }

    /** The transport's send buffer drained to its low-water mark: sending may go on. */
    default void resumeWriting() {
    }
}
