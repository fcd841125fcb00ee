package dev.asyncloop;

import java.util.Optional;

/**
 * asyncio's {@code BaseTransport}: the loop's side of a connection, handed to a {@link Protocol}.
 *
 * <p><b>Threads.</b> Every method is for the loop thread only, like the protocol callbacks that call them.
 */
public interface Transport {
    /** Key of {@link #getExtraInfo}: the remote {@link java.net.SocketAddress}. */
    String PEERNAME = "peername";
    /** Key of {@link #getExtraInfo}: the local {@link java.net.SocketAddress}. */
    String SOCKNAME = "sockname";
    /** Key of {@link #getExtraInfo}: the underlying channel (read it, never read from or close it directly). */
    String SOCKET = "socket";
    /**
     * Key of {@link #getExtraInfo}: the {@link java.nio.channels.SelectableChannel} of a pipe transport (asyncio's
     * {@code "pipe"}); read it, never read from, write to or close it directly.
     */
    String PIPE = "pipe";
    /** Key of {@link #getExtraInfo} on a TLS transport: its {@link javax.net.ssl.SSLContext}. */
    String SSL_CONTEXT = "sslcontext";
    /** Key of {@link #getExtraInfo} on a TLS transport: its {@link javax.net.ssl.SSLEngine} (asyncio's SSLObject). */
    String SSL_OBJECT = "ssl_object";
    /**
     * Key of {@link #getExtraInfo} on a TLS transport: the peer's certificate chain, a
     * {@code List<java.security.cert.Certificate>}, empty when the peer sent none.
     */
    String PEERCERT = "peercert";
    /** Key of {@link #getExtraInfo} on a TLS transport: the negotiated cipher suite's name. */
    String CIPHER = "cipher";

    /**
     * Closes the transport: stops reading at once, flushes data already written, then calls the protocol's
     * {@link Protocol#connectionLost(Throwable)} with {@code null} in a later iteration. Idempotent.
     */
    void close();

    /**
     * Tells whether the transport is closing or closed.
     *
     * @return true once {@link #close()} or {@code abort()} was called or the connection was lost
     */
    boolean isClosing();

    /**
     * Returns optional information about the transport: {@link #PEERNAME}, {@link #SOCKNAME}, {@link #SOCKET},
     * {@link #PIPE}.
     *
     * @param key the name of the information
     * @return its value, or empty when this transport does not know it
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
     * Replaces the protocol the transport calls. Later events go to {@code protocol}, the next read included: a
     * stream transport reads into {@link BufferedProtocol#getBuffer} when the new protocol is a
     * {@link BufferedProtocol}, and hands bytes to {@link Protocol#dataReceived} otherwise, whatever the previous
     * protocol was. {@code connectionMade} is not called again.
     *
     * @param protocol the new protocol
     * @throws NullPointerException if {@code protocol} is null
     */
    void setProtocol(Protocol protocol);

    /**
     * Returns the protocol the transport calls.
     *
     * @return the current protocol
     */
    Protocol getProtocol();
}
