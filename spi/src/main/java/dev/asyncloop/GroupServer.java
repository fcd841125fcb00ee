package dev.asyncloop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * A TCP server of an {@link EventLoopGroup}, made by {@link EventLoopGroup#createServer}: every loop of the group
 * serves connections on one port. Thread-safe; {@link #close()} and {@link #waitClosed()} may be called from any
 * thread (do not block a group loop's thread on {@link #waitClosed()}).
 */
public final class GroupServer implements AutoCloseable {
    /** How a group server spreads connections over the loops. */
    public enum Mode {
        /** One listening socket per loop on the same port with {@code SO_REUSEPORT}; the kernel spreads. */
        REUSE_PORT,
        /** One listening socket on loop 0; each accepted connection goes to the group's next loop, round-robin. */
        HAND_OFF
    }

    private static final Duration ACCEPT_RETRY_DELAY = Duration.ofSeconds(1);
    private final Mode mode;
    private final List<Server> servers;
    private final List<InetSocketAddress> addresses;
    private final HandOff handOff;

    private GroupServer(Mode mode, List<Server> servers, List<InetSocketAddress> addresses, HandOff handOff) {
        this.mode = mode;
        this.servers = List.copyOf(servers);
        this.addresses = List.copyOf(addresses);
        this.handOff = handOff;
    }

    /**
     * Returns how this server spreads connections.
     *
     * @return the mode
     */
    public Mode mode() {
        return mode;
    }

    /**
     * Returns the listening addresses (with the actual port when 0 was asked for).
     *
     * @return an unmodifiable list
     */
    public List<InetSocketAddress> addresses() {
        return addresses;
    }

    /**
     * Returns the per-loop servers (REUSE_PORT mode, loop order); empty in HAND_OFF mode. Each {@link Server}
     * belongs to its loop's thread.
     *
     * @return an unmodifiable list
     */
    public List<Server> servers() {
        return servers;
    }

    /**
     * Starts accepting on every loop, for a server made with {@link ServerOptions#startServing()} false (asyncio's
     * {@code start_serving}). Returns at once; each loop starts on its own thread. Idempotent; does nothing once
     * {@link #close()} was called.
     */
    public void startServing() {
        for (Server s : servers) {
            onLoop(s.getLoop(), () -> {
                if (!s.sockets().isEmpty()) {
                    s.startServing();
                }
            });
        }
        if (handOff != null) {
            onLoop(handOff.loop, handOff::startServing);
        }
    }

    /**
     * Stops accepting on every loop and closes the listening sockets (each on its loop's thread); accepted
     * connections stay open. Idempotent; does nothing for loops already closed.
     */
    @Override
    public void close() {
        for (Server s : servers) {
            onLoop(s.getLoop(), s::close);
        }
        if (handOff != null) {
            onLoop(handOff.loop, handOff::close);
        }
    }

    /**
     * Returns a future done once {@link #close()} took effect everywhere: in REUSE_PORT mode when every per-loop
     * {@link Server#waitClosed()} is done (accepted connections gone too); in HAND_OFF mode when the listening
     * socket is closed (connections on the other loops are not waited for).
     *
     * @return the future, completed on a loop thread
     */
    public CompletableFuture<Void> waitClosed() {
        List<CompletableFuture<?>> all = new ArrayList<>();
        for (Server s : servers) {
            try {
                all.add(Tasks.runCoroutineThreadsafe(() -> Async.await(s.waitClosed()), s.getLoop()));
            } catch (IllegalStateException loopClosed) {
                // nothing left to wait for
            }
        }
        if (handOff != null) {
            all.add(handOff.closed);
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
    }

    @Override
    public String toString() {
        return "GroupServer[" + mode + ", " + addresses + "]";
    }

    private static void onLoop(EventLoop loop, Runnable action) {
        try {
            loop.callSoonThreadsafe(action);
        } catch (IllegalStateException | java.util.concurrent.RejectedExecutionException loopClosed) {
            // the loop is closed: its sockets went with it
        }
    }

    private static ServerOptions withReusePort(ServerOptions o) {
        return ServerOptions.builder().backlog(o.backlog()).reuseAddress(o.reuseAddress())
                .startServing(o.startServing()).cleanupSocket(o.cleanupSocket()).reusePort(true).build();
    }

    static CompletableFuture<GroupServer> startReusePort(EventLoopGroup group,
            Supplier<? extends Protocol> protocolFactory, String host, int port, ServerOptions options) {
        ServerOptions opts = withReusePort(options);
        EventLoop first = group.loops().getFirst();
        CompletableFuture<Server> firstServer = Tasks.runCoroutineThreadsafe(
                () -> Async.await(first.createServer(protocolFactory, host, port, opts)), first);
        return firstServer.thenCompose(s0 -> {
            List<InetSocketAddress> addresses = new ArrayList<>();
            try {
                for (ServerSocketChannel c : s0.sockets()) {
                    addresses.add((InetSocketAddress) c.getLocalAddress());
                }
            } catch (IOException e) {
                onLoop(first, s0::close);
                throw new UncheckedIOException(e);
            }
            if (port == 0 && addresses.size() != 1) {
                onLoop(first, s0::close);
                throw new IllegalArgumentException("port 0 with host " + host + " resolving to " + addresses.size()
                        + " addresses: each got its own port; give a port or a host with one address");
            }
            int actual = addresses.getFirst().getPort();
            List<CompletableFuture<Server>> rest = new ArrayList<>();
            for (EventLoop loop : group.loops().subList(1, group.size())) {
                rest.add(Tasks.runCoroutineThreadsafe(
                        () -> Async.await(loop.createServer(protocolFactory, host, actual, opts)), loop));
            }
            return CompletableFuture.allOf(rest.toArray(CompletableFuture[]::new)).handle((ignored, error) -> {
                List<Server> servers = new ArrayList<>(List.of(s0));
                rest.stream().filter(f -> !f.isCompletedExceptionally()).map(CompletableFuture::join)
                        .forEach(servers::add);
                GroupServer server = new GroupServer(Mode.REUSE_PORT, servers, addresses, null);
                if (error != null) {
                    server.close();
                    throw error instanceof CompletionException ce ? ce : new CompletionException(error);
                }
                return server;
            });
        });
    }

    static CompletableFuture<GroupServer> startHandOff(EventLoopGroup group,
            Supplier<? extends Protocol> protocolFactory, String host, int port, ServerOptions options) {
        EventLoop first = group.loops().getFirst();
        return Tasks.runCoroutineThreadsafe(() -> {
            // resolved on loop 0's executor, as createServer does, never on the calling thread
            InetSocketAddress address = host == null || host.isEmpty() ? new InetSocketAddress(port)
                    : Async.await(first.getAddrInfo(host, port, AddrInfoOptions.builder().passive(true).build()))
                            .getFirst().address();
            ServerSocketChannel socket = ServerSocketChannel.open();
            try {
                socket.setOption(StandardSocketOptions.SO_REUSEADDR, options.reuseAddress());
                socket.configureBlocking(false);
                socket.bind(address, options.backlog());
            } catch (IOException | RuntimeException e) {
                socket.close();
                throw e;
            }
            HandOff handOff = new HandOff(group, first, socket, protocolFactory, options.backlog());
            if (options.startServing()) {
                handOff.startServing();
            }
            return new GroupServer(Mode.HAND_OFF, List.of(),
                    List.of((InetSocketAddress) socket.getLocalAddress()), handOff);
        }, first);
    }

    /** Accepts on loop 0 and passes each connection to the group's next loop; loop-0 thread only. */
    private static final class HandOff {
        final EventLoopGroup group;
        final EventLoop loop;
        final ServerSocketChannel socket;
        final Supplier<? extends Protocol> protocolFactory;
        final int backlog;
        final CompletableFuture<Void> closed = new CompletableFuture<>();
        private boolean serving;

        HandOff(EventLoopGroup group, EventLoop loop, ServerSocketChannel socket,
                Supplier<? extends Protocol> protocolFactory, int backlog) {
            this.group = group;
            this.loop = loop;
            this.socket = socket;
            this.protocolFactory = protocolFactory;
            this.backlog = backlog;
        }

        void startServing() {
            if (!serving) {
                serving = true;
                start();
            }
        }

        private void start() {
            if (socket.isOpen()) {
                loop.addReader(socket, this::acceptSome);
            }
        }

        void close() {
            if (socket.isOpen()) {
                loop.removeReader(socket);
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closing a listening socket has nothing to flush
                }
            }
            closed.complete(null);
        }

        private void acceptSome() {
            for (int i = 0; i < backlog; i++) {
                SocketChannel accepted;
                try {
                    accepted = socket.accept();
                } catch (IOException e) {
                    if (!socket.isOpen()) {
                        return;
                    }
                    loop.callExceptionHandler(ExceptionContext.builder("group server: accept() failed; accepting"
                            + " again in " + ACCEPT_RETRY_DELAY.toSeconds() + " s").exception(e).socket(socket)
                            .build());
                    loop.removeReader(socket);
                    loop.callLater(ACCEPT_RETRY_DELAY, this::start);
                    return;
                }
                if (accepted == null) {
                    return;
                }
                handTo(group.next(), accepted);
            }
        }

        private void handTo(EventLoop target, SocketChannel accepted) {
            Supplier<Protocol> factory = protocolFactory::get;
            try {
                target.callSoonThreadsafe(() -> target.connectAcceptedSocket(factory, accepted)
                        .addDoneCallback(f -> {
                            if (!f.isCancelled()) {
                                f.exception().ifPresent(e -> target.callExceptionHandler(ExceptionContext
                                        .builder("group server: serving an accepted connection failed")
                                        .exception(e).build()));
                            }
                        }));
            } catch (RuntimeException loopClosed) {
                try {
                    accepted.close();
                } catch (IOException ignored) {
                    // the peer sees the connection reset
                }
            }
        }
    }
}
