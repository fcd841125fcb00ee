package dev.asyncloop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A TCP server of an {@link EventLoopGroup}, made by {@link EventLoopGroup#createServer}: every loop of the group
 * serves connections on one port. Thread-safe: every method may be called from any thread and returns at once (do
 * not block a group loop's thread on {@link #waitClosed()}). When a loop of the group ends (the group's shutdown),
 * this server's listening sockets on it are closed and count as closed for {@link #waitClosed()}; the connections
 * it accepted stay with their loops (see {@link EventLoopGroup}): close them first with {@link #closeClients()}.
 */
public final class GroupServer implements AutoCloseable {
    /** How a group server spreads connections over the loops. */
    public enum Mode {
        /** One listening socket per loop on the same port with {@code SO_REUSEPORT}; the kernel spreads. */
        REUSE_PORT,
        /**
         * One listening socket on loop 0, on the first address the host resolves to; each accepted connection goes
         * to the group's next loop, round-robin.
         */
        HAND_OFF
    }

    private static final Duration ACCEPT_RETRY_DELAY = Duration.ofSeconds(1);
    private final EventLoopGroup group;
    private final Mode mode;
    private final List<Part> parts;
    private final List<Server> servers;
    private final List<InetSocketAddress> addresses;
    private final @Nullable HandOff handOff;
    private volatile boolean servingAsked;
    private volatile boolean closeCalled;

    private GroupServer(EventLoopGroup group, Mode mode, List<Part> parts, List<InetSocketAddress> addresses,
            @Nullable HandOff handOff, boolean serving) {
        this.group = group;
        this.mode = mode;
        this.parts = List.copyOf(parts);
        this.servers = parts.stream().map(p -> p.server).toList();
        this.addresses = List.copyOf(addresses);
        this.handOff = handOff;
        this.servingAsked = serving;
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
     * belongs to its loop's thread: reach it there (e.g. {@code server.getLoop().callSoonThreadsafe(...)}) for
     * what this class does not offer for all loops at once (e.g. one loop's {@link Server#isServing()}).
     *
     * @return an unmodifiable list
     */
    public List<Server> servers() {
        return servers;
    }

    /**
     * Starts accepting on every loop, for a server made with {@link ServerOptions#startServing()} false (asyncio's
     * {@code start_serving}). Any thread; returns at once, each loop starts on its own thread. Idempotent; does
     * nothing once {@link #close()} was called.
     */
    public void startServing() {
        if (closeCalled) {
            return;
        }
        servingAsked = true;
        for (Part p : parts) {
            onLoop(p.loop, () -> {
                if (!p.server.sockets().isEmpty()) {
                    p.server.startServing();
                }
            });
        }
        if (handOff != null) {
            onLoop(handOff.loop, handOff::startServing);
        }
    }

    /**
     * Stops accepting on every loop and closes the listening sockets (each on its loop's thread); accepted
     * connections stay open. Any thread; returns at once. Idempotent; for a loop that has ended, its listening
     * sockets were closed when it ended.
     */
    @Override
    public void close() {
        closeCalled = true;
        for (Part p : parts) {
            onLoop(p.loop, p.server::close);
        }
        if (handOff != null) {
            onLoop(handOff.loop, handOff::close);
        }
    }

    /**
     * Answers whether this server accepts connections (asyncio's {@code is_serving}): true from the moment
     * accepting was asked for (at creation, or by {@link #startServing()}) until {@link #close()} or the group's
     * shutdown. Any thread; the loops start and stop accepting on their own threads just after.
     *
     * @return true while serving
     */
    public boolean isServing() {
        return servingAsked && !closeCalled && !group.isShutdown();
    }

    /**
     * Closes every connection this server accepted that is still open, each on the loop that serves it (asyncio's
     * {@code close_clients}; {@link Transport#close()}: data already written is still sent). New connections are
     * still accepted unless {@link #close()} was called first. Any thread; returns at once.
     *
     * @return a future done once every loop has closed its connections (a loop that has ended counts as done);
     *     waiting for the connections to be lost is {@link #waitClosed()}'s job in REUSE_PORT mode
     */
    public CompletableFuture<@Nullable Void> closeClients() {
        return onEveryLoop(false);
    }

    /**
     * Aborts every connection this server accepted that is still open, each on the loop that serves it (asyncio's
     * {@code abort_clients}; {@link WriteTransport#abort()}: buffered data is dropped). Any thread; returns at once.
     *
     * @return a future done once every loop has aborted its connections (a loop that has ended counts as done)
     */
    public CompletableFuture<@Nullable Void> abortClients() {
        return onEveryLoop(true);
    }

    private CompletableFuture<@Nullable Void> onEveryLoop(boolean abort) {
        List<CompletableFuture<@Nullable Void>> all = new ArrayList<>();
        for (Part p : parts) {
            all.add(settled(GroupServer.<@Nullable Void>runOn(group, p.loop, () -> {
                if (abort) {
                    p.server.abortClients();
                } else {
                    p.server.closeClients();
                }
                return null;
            })));
        }
        if (handOff != null) {
            for (Map.Entry<EventLoop, Clients> e : handOff.clients.entrySet()) {
                all.add(settled(GroupServer.<@Nullable Void>runOn(group, e.getKey(), () -> {
                    e.getValue().closeAll(abort);
                    return null;
                })));
            }
        }
        return allOf(all);
    }

    /** {@link CompletableFuture#allOf}, typed as this class's futures are. */
    @SuppressWarnings("NullAway") // allOf completes with null: its Void is a nullable one
    private static CompletableFuture<@Nullable Void> allOf(List<CompletableFuture<@Nullable Void>> all) {
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
    }

    /** Done when {@code step} is, whatever its outcome: a step cancelled because its loop ended counts as done. */
    private static CompletableFuture<@Nullable Void> settled(CompletableFuture<?> step) {
        return step.handle((v, e) -> null);
    }

    /**
     * Returns a future done once {@link #close()} took effect everywhere (asyncio's {@code wait_closed}, so it
     * waits for a later {@code close()} too): in REUSE_PORT mode when every per-loop {@link Server#waitClosed()} is
     * done (accepted connections gone too); in HAND_OFF mode when the listening socket is closed (connections on
     * the other loops are not waited for). A loop that ends (group shutdown) counts as closed. Any thread.
     *
     * @return the future, completed on a loop thread
     */
    public CompletableFuture<@Nullable Void> waitClosed() {
        List<CompletableFuture<@Nullable Void>> all = new ArrayList<>();
        for (Part p : parts) {
            all.add(p.closed);
        }
        if (handOff != null) {
            all.add(handOff.closed);
        }
        return allOf(all);
    }

    @Override
    public String toString() {
        return "GroupServer[" + mode + ", " + addresses + "]";
    }

    private static void onLoop(EventLoop loop, Runnable action) {
        try {
            loop.callSoonThreadsafe(action);
        } catch (IllegalStateException | java.util.concurrent.RejectedExecutionException loopClosed) {
            // the loop is closed: the group closed its sockets when it ended
        }
    }

    private static void closeQuietly(java.nio.channels.Channel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing to flush: a listening socket, or a connection never served
        }
    }

    /** {@link EventLoopGroup#runOn}, failing the future instead of throwing when the loop has ended. */
    private static <T extends @Nullable Object> CompletableFuture<T> runOn(EventLoopGroup group, EventLoop loop,
            AsyncCallable<T> body) {
        try {
            return group.runOn(loop, body);
        } catch (RuntimeException loopClosed) {
            return CompletableFuture.failedFuture(group.isShutdown() ? shutDownMeanwhile() : loopClosed);
        }
    }

    /** The cause to fail creation with: the group's shutdown when it cancelled a step. */
    private static Throwable creationFailure(EventLoopGroup group, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof java.util.concurrent.CancellationException && group.isShutdown()) {
            return shutDownMeanwhile();
        }
        return cause;
    }

    private static IllegalStateException shutDownMeanwhile() {
        return new IllegalStateException("the EventLoopGroup was shut down while the server was being created");
    }

    private static ServerOptions bindOnly(ServerOptions o) {
        return ServerOptions.builder().backlog(o.backlog()).reuseAddress(o.reuseAddress())
                .startServing(false).cleanupSocket(o.cleanupSocket()).reusePort(true).keepAlive(o.keepAlive())
                .family(o.family().orElse(null)).build();
    }

    /**
     * One loop's server in REUSE_PORT mode. {@code closed} completes when its {@code waitClosed()} does, or when
     * the loop ends (its sockets are closed then).
     */
    private static final class Part {
        final EventLoop loop;
        final Server server;
        final List<ServerSocketChannel> sockets;
        final CompletableFuture<@Nullable Void> closed = new CompletableFuture<>();

        /** On the loop thread, right after the server is made. */
        @SuppressWarnings("FutureReturnValueIgnored") // whenComplete only registers forget, which drops a set entry
        Part(EventLoopGroup group, EventLoop loop, Server server) {
            this.loop = loop;
            this.server = server;
            this.sockets = List.copyOf(server.sockets());
            server.waitClosed().addDoneCallback(f -> closed.complete(null));
            Runnable forget = group.whenLoopEnds(loop, () -> {
                sockets.forEach(GroupServer::closeQuietly);
                closed.complete(null);
            });
            closed.whenComplete((v, e) -> forget.run());
        }
    }

    /**
     * Binds loop 0 first (port 0 becomes one port), then every other loop on that port, all without accepting;
     * then starts every loop accepting if asked. If any bind fails, every bound socket is closed before the
     * future fails, so nothing was accepted and the port is free again.
     */
    @SuppressWarnings("FutureReturnValueIgnored") // handle(..).thenCompose(f -> f): a step composed on either outcome
    static CompletableFuture<GroupServer> startReusePort(EventLoopGroup group,
            Supplier<? extends Protocol> protocolFactory, @Nullable String host, int port, ServerOptions options) {
        ServerOptions opts = bindOnly(options);
        EventLoop first = group.loops().getFirst();
        return explained(group, bind(group, first, protocolFactory, host, port, opts).thenCompose(p0 -> {
            List<InetSocketAddress> addresses = new ArrayList<>();
            for (ServerSocketChannel c : p0.sockets) {
                try {
                    addresses.add((InetSocketAddress) c.getLocalAddress());
                } catch (IOException | RuntimeException e) {
                    return GroupServer.<GroupServer>closeAll(List.of(p0), new UncheckedIOException(
                            "cannot read the bound address of " + c, e instanceof IOException io ? io
                                    : new IOException(e)));
                }
            }
            if (port == 0 && addresses.size() != 1) {
                return GroupServer.<GroupServer>closeAll(List.of(p0), new IllegalArgumentException("port 0 with host "
                        + host + " resolving to " + addresses.size() + " addresses: each got its own port; give a"
                        + " port or a host with one address"));
            }
            int actual = addresses.getFirst().getPort();
            List<CompletableFuture<Part>> rest = new ArrayList<>();
            for (EventLoop loop : group.loops().subList(1, group.size())) {
                rest.add(bind(group, loop, protocolFactory, host, actual, opts));
            }
            return CompletableFuture.allOf(rest.toArray(CompletableFuture[]::new)).handle((ignored, error) -> {
                List<Part> parts = new ArrayList<>(List.of(p0));
                rest.stream().filter(f -> !f.isCompletedExceptionally()).map(CompletableFuture::join)
                        .forEach(parts::add);
                if (error != null) {
                    return GroupServer.<GroupServer>closeAll(parts, creationFailure(group, error));
                }
                GroupServer server = new GroupServer(group, Mode.REUSE_PORT, parts, addresses, null,
                        options.startServing());
                if (!options.startServing()) {
                    return CompletableFuture.completedFuture(server);
                }
                List<CompletableFuture<@Nullable Void>> started = new ArrayList<>();
                for (Part p : parts) {
                    started.add(runOn(group, p.loop, () -> {
                        if (!p.server.sockets().isEmpty()) { // closed meanwhile: close() wins
                            p.server.startServing();
                        }
                        return null;
                    }));
                }
                return CompletableFuture.allOf(started.toArray(CompletableFuture[]::new)).handle((i, e) -> {
                    if (e != null) {
                        return GroupServer.<GroupServer>closeAll(parts, creationFailure(group, e));
                    }
                    return CompletableFuture.completedFuture(server);
                }).thenCompose(f -> f);
            }).thenCompose(f -> f);
        }));
    }

    /** {@code future}, failed with {@link #creationFailure}'s cause when it fails. */
    private static CompletableFuture<GroupServer> explained(EventLoopGroup group,
            CompletableFuture<GroupServer> future) {
        return future.handle((server, error) -> {
            if (error != null) {
                throw new CompletionException(creationFailure(group, error));
            }
            return server;
        });
    }

    /**
     * Creates {@code loop}'s server. If the step is cancelled (group shutdown) after the server was bound, or the
     * loop ends before the step resumes, the bound sockets are closed: nobody else knows of them.
     */
    private static CompletableFuture<Part> bind(EventLoopGroup group, EventLoop loop,
            Supplier<? extends Protocol> protocolFactory, @Nullable String host, int port, ServerOptions opts) {
        return runOn(group, loop, () -> {
            Future<Server> creating = loop.createServer(protocolFactory, host, port, opts);
            Runnable forget = group.whenLoopEnds(loop, () -> boundServer(creating)
                    .ifPresent(s -> s.sockets().forEach(GroupServer::closeQuietly)));
            try {
                Part part = new Part(group, loop, Async.await(creating));
                forget.run();
                return part;
            } catch (Throwable t) {
                forget.run();
                boundServer(creating).ifPresent(Server::close);
                throw t;
            }
        });
    }

    private static java.util.Optional<Server> boundServer(Future<Server> creating) {
        return creating.isDone() && !creating.isCancelled() && creating.exception().isEmpty()
                ? java.util.Optional.of(creating.result()) : java.util.Optional.empty();
    }

    /** Closes every part on its loop, then fails with {@code error} once all are closed. */
    private static <T extends @Nullable Object> CompletableFuture<T> closeAll(List<Part> parts, Throwable error) {
        for (Part p : parts) {
            onLoop(p.loop, p.server::close);
        }
        return CompletableFuture.allOf(parts.stream().map(p -> p.closed).toArray(CompletableFuture[]::new))
                .thenCompose(ignored -> CompletableFuture.<T>failedFuture(error));
    }

    static CompletableFuture<GroupServer> startHandOff(EventLoopGroup group,
            Supplier<? extends Protocol> protocolFactory, @Nullable String host, int port, ServerOptions options) {
        EventLoop first = group.loops().getFirst();
        return explained(group, runOn(group, first, () -> {
            // resolved on loop 0's executor, as createServer does, never on the calling thread
            StandardProtocolFamily family = options.family().orElse(null);
            InetSocketAddress address = host == null || host.isEmpty() ? wildcard(family, port)
                    : Async.await(first.getAddrInfo(host, port, AddrInfoOptions.builder().passive(true)
                            .family(family).build())).getFirst().address();
            ServerSocketChannel socket = family == null && (host == null || host.isEmpty())
                    ? ServerSocketChannel.open() : ServerSocketChannel.open(AddrInfo.familyOf(address));
            try {
                socket.setOption(StandardSocketOptions.SO_REUSEADDR, options.reuseAddress());
                socket.configureBlocking(false);
                socket.bind(address, options.backlog());
            } catch (IOException | RuntimeException e) {
                socket.close();
                throw e;
            }
            HandOff handOff = new HandOff(group, first, socket, protocolFactory, options.backlog(),
                    options.keepAlive());
            if (options.startServing()) {
                handOff.startServing();
            }
            return new GroupServer(group, Mode.HAND_OFF, List.of(),
                    List.of((InetSocketAddress) socket.getLocalAddress()), handOff, options.startServing());
        }));
    }

    /** The wildcard address of {@code family}, or the dual-stack one for null. */
    private static InetSocketAddress wildcard(@Nullable StandardProtocolFamily family, int port)
            throws UnknownHostException {
        if (family == null) {
            return new InetSocketAddress(port);
        }
        return new InetSocketAddress(InetAddress.getByName(
                family == StandardProtocolFamily.INET ? "0.0.0.0" : "::"), port);
    }

    /** Accepts on loop 0 and passes each connection to the group's next loop; loop-0 thread only. */
    private static final class HandOff {
        final EventLoopGroup group;
        final EventLoop loop;
        final ServerSocketChannel socket;
        final Supplier<? extends Protocol> protocolFactory;
        final int backlog;
        final boolean keepAlive;
        final CompletableFuture<@Nullable Void> closed = new CompletableFuture<>();
        /** Per target loop, the connections served there; each set is touched on its loop's thread only. */
        final IdentityHashMap<EventLoop, Clients> clients = new IdentityHashMap<>();
        private final Runnable forget;
        private boolean serving;

        HandOff(EventLoopGroup group, EventLoop loop, ServerSocketChannel socket,
                Supplier<? extends Protocol> protocolFactory, int backlog, boolean keepAlive) {
            this.group = group;
            this.loop = loop;
            this.socket = socket;
            this.protocolFactory = protocolFactory;
            this.backlog = backlog;
            this.keepAlive = keepAlive;
            for (EventLoop l : group.loops()) {
                clients.put(l, new Clients());
            }
            this.forget = group.whenLoopEnds(loop, () -> { // the loop is closed: no removeReader
                closeQuietly(socket);
                closed.complete(null);
            });
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
                closeQuietly(socket);
            }
            forget.run();
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
                if (keepAlive) {
                    try {
                        accepted.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
                    } catch (IOException e) {
                        closeQuietly(accepted);
                        reportServingFailure(loop, e);
                        continue;
                    }
                }
                handTo(group.next(), accepted);
            }
        }

        /**
         * Serves {@code accepted} on {@code target}. Until a transport owns it, the channel is closed if anything
         * fails, the serving task is cancelled, or the target loop ends first.
         */
        private void handTo(EventLoop target, SocketChannel accepted) {
            Supplier<Protocol> factory = protocolFactory::get;
            Runnable forget = group.whenLoopEnds(target, () -> closeQuietly(accepted));
            try {
                target.callSoonThreadsafe(() -> {
                    Future<Connection<Protocol>> serving;
                    try {
                        serving = target.connectAcceptedSocket(factory, accepted);
                    } catch (RuntimeException e) {
                        forget.run();
                        closeQuietly(accepted);
                        reportServingFailure(target, e);
                        return;
                    }
                    serving.addDoneCallback(f -> {
                        forget.run();
                        if (f.isCancelled()) {
                            closeQuietly(accepted);
                        } else if (f.exception().isPresent()) {
                            reportServingFailure(target, f.exception().get());
                        } else {
                            Objects.requireNonNull(clients.get(target), "every loop has its clients")
                                    .add(f.result().transport());
                        }
                    });
                });
            } catch (RuntimeException loopClosed) {
                forget.run();
                closeQuietly(accepted);
            }
        }

        private static void reportServingFailure(EventLoop target, Throwable e) {
            target.callExceptionHandler(ExceptionContext.builder("group server: serving an accepted connection"
                    + " failed").exception(e).build());
        }
    }

    /**
     * The connections a HAND_OFF server passed to one loop; that loop's thread only. Closing ones are dropped when
     * the set has doubled since the last sweep, so a long-running server keeps only about twice its open ones (a
     * connection swept while still flushing after its close() is then no longer aborted by abortClients()).
     */
    private static final class Clients {
        private static final int FIRST_SWEEP = 64;
        private final Set<StreamTransport> served = Collections.newSetFromMap(new IdentityHashMap<>());
        private int sweepAt = FIRST_SWEEP;

        void add(StreamTransport transport) {
            if (transport.isClosing()) {
                return;
            }
            if (served.size() >= sweepAt) {
                served.removeIf(Transport::isClosing);
                sweepAt = Math.max(FIRST_SWEEP, 2 * served.size());
            }
            served.add(transport);
        }

        void closeAll(boolean abort) {
            List<StreamTransport> open = List.copyOf(served);
            served.clear();
            for (StreamTransport t : open) {
                if (abort) {
                    t.abort(); // also one still flushing after close()
                } else if (!t.isClosing()) {
                    t.close();
                }
            }
        }
    }
}
