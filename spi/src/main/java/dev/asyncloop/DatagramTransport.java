package dev.asyncloop;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * asyncio's {@code DatagramTransport}: a UDP endpoint of the loop, handed to a {@link DatagramProtocol}. Not a
 * {@link Transport}, because its protocol is a {@link DatagramProtocol}; the shared methods mean the same.
 *
 * <p><b>Threads.</b> Every method is for the loop thread only.
 *
 * <p><b>Sending.</b> A send is tried at once when nothing is queued; a datagram the socket cannot take now is
 * copied and queued, and sent in order when the socket becomes writable. An I/O error of a send goes to
 * {@link DatagramProtocol#errorReceived}, not to the caller.
 */
public interface DatagramTransport {
    /** Key of {@link #getExtraInfo}: the remote {@link SocketAddress} of a connected endpoint. */
    String PEERNAME = Transport.PEERNAME;
    /** Key of {@link #getExtraInfo}: the local {@link SocketAddress}. */
    String SOCKNAME = Transport.SOCKNAME;
    /** Key of {@link #getExtraInfo}: the {@link java.nio.channels.DatagramChannel} (never read it directly). */
    String SOCKET = Transport.SOCKET;

    /**
     * Sends one datagram. The caller may reuse {@code data} afterwards (its position moves to its limit).
     *
     * @param data the datagram (position to limit; may be empty)
     * @param address where to send it; null (or the remote address) on a connected endpoint
     * @throws IllegalArgumentException if the endpoint has a remote address and {@code address} is another
     *     address, or it has none and {@code address} is null or unresolved
     * @throws UnsupportedOperationException if {@code data} is empty and the endpoint is connected (the JDK
     *     cannot send an empty datagram on a connected channel; send it from an endpoint without a remote address)
     */
    void sendTo(ByteBuffer data, @Nullable SocketAddress address);

    /**
     * Sends one datagram to the endpoint's remote address ({@link DatagramOptions#remoteAddress()}):
     * {@code sendTo(data, null)}.
     *
     * @param data the datagram
     * @throws IllegalStateException if the endpoint has no remote address
     * @throws UnsupportedOperationException if {@code data} is empty and the endpoint is connected (see
     *     {@link #sendTo})
     */
    void send(ByteBuffer data);

    /**
     * Closes the endpoint: stops receiving at once, sends what is queued, then calls
     * {@link DatagramProtocol#connectionLost} with null in a later iteration. Idempotent.
     */
    void close();

    /** Closes at once, dropping what is queued; {@code connectionLost(null)} follows in a later iteration. */
    void abort();

    /**
     * Tells whether the transport is closing or closed.
     *
     * @return true once {@link #close()} or {@link #abort()} was called or the endpoint failed
     */
    boolean isClosing();

    /**
     * Returns the size of the send queue, which the write-buffer limits are compared with.
     *
     * @return the queued datagrams' payload plus 8 bytes each (asyncio's allowance for the UDP header, so that
     *     empty datagrams count too); 0 when nothing is queued
     */
    int getWriteBufferSize();

    /**
     * Sets the marks of the send queue, as {@link WriteTransport#setWriteBufferLimits}: when
     * {@link #getWriteBufferSize()} rises above the high-water mark the protocol gets
     * {@link DatagramProtocol#pauseWriting()}, when it falls to the low-water mark or below
     * {@link DatagramProtocol#resumeWriting()}. May pause the protocol at once.
     *
     * @param high the high-water mark, or null for the default (64 KiB, or 4 × low)
     * @param low the low-water mark, or null for high / 4
     * @throws IllegalArgumentException if not {@code high >= low >= 0}
     */
    void setWriteBufferLimits(@Nullable Integer high, @Nullable Integer low);

    /**
     * Returns the high-water mark of the send queue (asyncio's {@code get_write_buffer_limits()[1]}).
     *
     * @return bytes, {@link WriteTransport#DEFAULT_HIGH_WATER} unless set
     */
    int getWriteBufferHighWater();

    /**
     * Returns the low-water mark of the send queue (asyncio's {@code get_write_buffer_limits()[0]}).
     *
     * @return bytes, {@link WriteTransport#DEFAULT_LOW_WATER} unless set
     */
    int getWriteBufferLowWater();

    /**
     * Returns optional information: {@link #PEERNAME}, {@link #SOCKNAME}, {@link #SOCKET}.
     *
     * @param key the name of the information
     * @return its value, or empty when unknown
     */
    Optional<Object> getExtraInfo(String key);

    /**
     * {@link #getExtraInfo(String)} with the value cast to {@code type}, e.g.
     * {@code getExtraInfo(PEERNAME, InetSocketAddress.class)}. Same threads as {@link #getExtraInfo(String)}.
     *
     * @param key the name of the information
     * @param type the class the value is expected to be an instance of
     * @param <T> the value's type
     * @return the value, or empty when unknown
     * @throws NullPointerException if an argument is null
     * @throws ClassCastException if the value is not a {@code type}; the message names the key and both types
     */
    default <T> Optional<T> getExtraInfo(String key, Class<T> type) {
        return ExtraInfo.as(key, type, this::getExtraInfo);
    }

    /**
     * Replaces the protocol the transport calls.
     *
     * @param protocol the new protocol
     */
    void setProtocol(DatagramProtocol protocol);

    /**
     * Returns the protocol the transport calls.
     *
     * @return the current protocol
     */
    DatagramProtocol getProtocol();
}
