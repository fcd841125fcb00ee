package dev.asyncloop;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * asyncio's {@code Server}: the listening sockets made by {@link EventLoop#createServer}, and the connections
 * accepted on them. Loop thread only.
 *
 * <p>{@link #close()} stops accepting and closes the listening sockets but leaves accepted connections open;
 * {@link #waitClosed()} is done once the server is closed <em>and</em> every accepted connection is gone
 * (asyncio 3.12.1 semantics); {@link #closeClients()} and {@link #abortClients()} end those connections.
 */
public interface Server extends AutoCloseable {
    /**
     * Returns the loop the server runs on.
     *
     * @return the loop
     */
    EventLoop getLoop();

    /**
     * Stops accepting and closes the listening sockets; accepted connections stay open. Cancels a pending
     * {@link #serveForever()}. Idempotent.
     */
    @Override
    void close();

    /**
     * Returns a future done once the server is closed and every accepted connection has been lost. If that
     * already happened, the future is done at once.
     *
     * @return the future
     */
    Future<@Nullable Void> waitClosed();

    /** Closes every accepted connection that is still open ({@link Transport#close()}). */
    void closeClients();

    /** Aborts every accepted connection that is still open ({@link WriteTransport#abort()}). */
    void abortClients();

    /**
     * Starts accepting connections, if not already. Idempotent.
     *
     * @throws IllegalStateException if the server is closed
     */
    void startServing();

    /**
     * Starts accepting, then returns a task that is done only when cancelled; cancelling it closes the server and
     * waits for {@link #waitClosed()} before it finishes cancelled. {@link #close()} cancels it too. As in asyncio
     * (3.12 and later), the accepted connections stay open, so the task ends only once every one of them is lost: a
     * client that stays connected and silent keeps it waiting (asyncio's open gh-123720). To end them, call
     * {@link #closeClients()} or {@link #abortClients()}, for example after a grace period. A task cancelled before
     * its first step cannot wait: it closes the server as it finishes.
     *
     * @return the task
     * @throws IllegalStateException if the server is closed, or a {@code serveForever} task is already pending
     */
    Future<@Nullable Void> serveForever();

    /**
     * Tells whether the server accepts connections.
     *
     * @return true between {@link #startServing()} and {@link #close()}
     */
    boolean isServing();

    /**
     * Returns the listening sockets, for their addresses ({@code getLocalAddress()}); do not accept on them or
     * close them. Empty once the server is closed.
     *
     * @return an unmodifiable list
     */
    List<ServerSocketChannel> sockets();

    /**
     * Returns the addresses the server listens on, one per listening socket in {@link #sockets()} order: an
     * {@link InetSocketAddress} with the actual port (also when port 0 was asked for) for a TCP server, a
     * {@link java.net.UnixDomainSocketAddress} for a Unix one. Empty once the server is closed. Loop thread only.
     *
     * @return an unmodifiable list
     * @throws IllegalStateException if a listening socket was closed behind the server's back
     */
    default List<SocketAddress> addresses() {
        List<SocketAddress> addresses = new ArrayList<>();
        for (ServerSocketChannel socket : sockets()) {
            try {
                addresses.add(Objects.requireNonNull(socket.getLocalAddress(),
                        "a listening socket is bound"));
            } catch (IOException e) {
                throw new IllegalStateException("listening socket " + socket + " of " + this
                        + " was closed without closing the server; close the server instead", e);
            }
        }
        return List.copyOf(addresses);
    }

    /**
     * Returns the TCP port the server listens on: what a server started with port 0 was given (asyncio:
     * {@code server.sockets[0].getsockname()[1]}). A server with several listening sockets (several hosts, or a
     * name that resolves to several addresses) shares the port it asked for; asked for port 0, each socket has
     * its own ephemeral port and this method refuses: use {@link #addresses()}. Loop thread only.
     *
     * @return the port, 1 to 65535
     * @throws IllegalStateException if the server is closed, is a Unix domain server, or listens on several
     *     ports (the message lists its addresses)
     */
    default int port() {
        List<SocketAddress> addresses = addresses();
        if (addresses.isEmpty()) {
            throw new IllegalStateException(this + " is closed: it listens on no port");
        }
        int port = -1;
        for (SocketAddress address : addresses) {
            if (!(address instanceof InetSocketAddress inet)) {
                throw new IllegalStateException(this + " listens on " + address
                        + ", which has no port (a Unix domain server); use addresses()");
            }
            if (port != -1 && port != inet.getPort()) {
                throw new IllegalStateException(this + " listens on several ports " + addresses
                        + "; use addresses()");
            }
            port = inet.getPort();
        }
        return port;
    }
}
