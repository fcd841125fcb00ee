package dev.asyncloop.spi;

import dev.asyncloop.CancelledError;
import dev.asyncloop.EventLoop;
import dev.asyncloop.Future;
import dev.asyncloop.Protocol;
import dev.asyncloop.Server;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * asyncio's {@code base_events.Server} for a {@link ReadinessEventLoop}. Loop thread only.
 *
 * <p>{@code sockets} is null once closed; {@code waiters} is null once the server is closed and its last
 * connection detached (then {@link #waitClosed()} is done at once); {@code activeCount} counts attached
 * transports. Binding also listens in Java, so a server made with {@code startServing(false)} queues
 * connections in the kernel backlog until it starts accepting.
 */
final class ReadinessServer implements Server {
    private final ReadinessEventLoop loop;
    private final Supplier<? extends Protocol> protocolFactory;
    private final int backlog;
    private final boolean keepAlive;
    private @Nullable List<ServerSocketChannel> sockets;
    private @Nullable List<Future<@Nullable Void>> waiters = new ArrayList<>();
    private final Set<SocketTransport> clients = new LinkedHashSet<>();
    private int activeCount;
    private boolean serving;
    private @Nullable Future<@Nullable Void> servingForever;
    private @Nullable Runnable onClose;

    ReadinessServer(ReadinessEventLoop loop, Supplier<? extends Protocol> protocolFactory,
            List<ServerSocketChannel> sockets, int backlog, boolean keepAlive) {
        this.loop = loop;
        this.protocolFactory = protocolFactory;
        this.sockets = List.copyOf(sockets);
        this.backlog = backlog;
        this.keepAlive = keepAlive;
    }

    Supplier<? extends Protocol> protocolFactory() {
        return protocolFactory;
    }

    int backlog() {
        return backlog;
    }

    /** Whether accepted connections get {@code SO_KEEPALIVE}. */
    boolean keepAlive() {
        return keepAlive;
    }

    /** Runs {@code action} once, right after the server's sockets are closed (Unix socket-file cleanup). */
    void onClose(Runnable action) {
        this.onClose = action;
    }

    void attach(SocketTransport transport) {
        activeCount++;
        clients.add(transport);
    }

    void detach(SocketTransport transport) {
        activeCount--;
        clients.remove(transport);
        if (activeCount == 0 && sockets == null) {
            wakeup();
        }
    }

    private void wakeup() {
        List<Future<@Nullable Void>> w = waiters;
        waiters = null;
        if (w != null) {
            for (Future<@Nullable Void> f : w) {
                if (!f.isDone()) {
                    f.setResult(null);
                }
            }
        }
    }

    @Override
    public EventLoop getLoop() {
        return loop;
    }

    @Override
    public void close() {
        List<ServerSocketChannel> socks = sockets;
        if (socks == null) {
            return;
        }
        sockets = null;
        for (ServerSocketChannel s : socks) {
            loop.stopServing(s);
        }
        Runnable cleanup = onClose;
        onClose = null;
        if (cleanup != null) {
            cleanup.run();
        }
        serving = false;
        Future<@Nullable Void> forever = servingForever;
        servingForever = null;
        if (forever != null && !forever.isDone()) {
            forever.cancel();
        }
        if (activeCount == 0) {
            wakeup();
        }
    }

    @Override
    public Future<@Nullable Void> waitClosed() {
        Future<@Nullable Void> f = loop.createFuture();
        if (waiters == null) {
            f.setResult(null);
        } else {
            waiters.add(f);
        }
        return f;
    }

    @Override
    public void closeClients() {
        for (SocketTransport t : List.copyOf(clients)) {
            t.close();
        }
    }

    @Override
    public void abortClients() {
        for (SocketTransport t : List.copyOf(clients)) {
            t.abort();
        }
    }

    @Override
    public void startServing() {
        if (sockets == null) {
            throw new IllegalStateException("server " + this + " is closed");
        }
        if (serving) {
            return;
        }
        serving = true;
        for (ServerSocketChannel s : sockets) {
            loop.startServing(this, s);
        }
    }

    @Override
    public Future<@Nullable Void> serveForever() {
        if (servingForever != null) {
            throw new IllegalStateException("server " + this + " is already being awaited on serveForever()");
        }
        if (sockets == null) {
            throw new IllegalStateException("server " + this + " is closed");
        }
        startServing();
        Future<@Nullable Void> forever = loop.createFuture();
        servingForever = forever;
        // Only a cancellation ends the task (nothing completes forever; close() cancels it), and close() forgets
        // servingForever before anything else: the task need not forget it.
        Future<@Nullable Void> task = loop.createTask(() -> {
            try {
                ReadinessEventLoop.awaitChecked(forever);
            } catch (CancelledError e) {
                close();
                ReadinessEventLoop.awaitChecked(waitClosed()); // the connections stay open (asyncio's gh-123720)
                throw e;
            }
            return null;
        }, "serveForever");
        // A task cancelled before its first step never runs the body above.
        task.addDoneCallback(t -> {
            if (t.isCancelled()) {
                close();
            }
        });
        return task;
    }

    @Override
    public boolean isServing() {
        return serving;
    }

    @Override
    public List<ServerSocketChannel> sockets() {
        return sockets == null ? List.of() : sockets;
    }

    @Override
    public String toString() {
        return "Server[" + (sockets == null ? "closed" : sockets.stream().map(s -> {
            try {
                return String.valueOf(s.getLocalAddress());
            } catch (java.io.IOException e) {
                return "?";
            }
        }).toList()) + ", connections=" + activeCount + "]";
    }
}
