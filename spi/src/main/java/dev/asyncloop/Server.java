package dev.asyncloop;

import java.nio.channels.ServerSocketChannel;
import java.util.List;
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
     * Starts accepting, then returns a task that is done only when cancelled; cancelling it closes the server
     * and waits for {@link #waitClosed()} before it finishes cancelled. {@link #close()} cancels it too. A task
     * cancelled before its first step cannot wait: it closes the server as it finishes.
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
}
