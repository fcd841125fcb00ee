package dev.asyncloop.spi;

import dev.asyncloop.AddrInfo;
import dev.asyncloop.AddrInfoOptions;
import dev.asyncloop.Async;
import dev.asyncloop.CancelledError;
import dev.asyncloop.ConnectOptions;
import dev.asyncloop.Connection;
import dev.asyncloop.Context;
import dev.asyncloop.Datagram;
import dev.asyncloop.DatagramConnection;
import dev.asyncloop.DatagramOptions;
import dev.asyncloop.DatagramProtocol;
import dev.asyncloop.ExceptionContext;
import dev.asyncloop.Future;
import dev.asyncloop.Handle;
import dev.asyncloop.NameInfo;
import dev.asyncloop.PipeConnection;
import dev.asyncloop.Protocol;
import dev.asyncloop.ReadTransport;
import dev.asyncloop.Server;
import dev.asyncloop.ServerOptions;
import dev.asyncloop.StreamTransport;
import dev.asyncloop.WriteTransport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnsupportedAddressTypeException;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * asyncio's {@code BaseSelectorEventLoop}: reader/writer callbacks, the {@code sock*} operations, TCP
 * transports and servers (and, from asyncio's Unix loop, pipe transports), implemented once over a
 * {@link Poller}. A loop extends this class and passes its poller to the constructor; {@link #poll(long)},
 * {@link #wakeup()} and {@link #closeResources()} are done.
 *
 * <p>Implementation overview.
 * <ul>
 *   <li><b>Registrations.</b> Each watched channel has one {@code Registration} (reader handle, writer handle),
 *       the poller's attachment. Its interest is recomputed from the two handles on every change; with
 *       neither, the channel is deregistered (asyncio's {@code _add_reader}/{@code _remove_reader}).</li>
 *   <li><b>Dispatch.</b> {@link #poll(long)} waits on the poller; for each event the reader and/or writer
 *       handle is queued with {@link #addReady}, so I/O callbacks run in the iteration that saw the event. A
 *       cancelled handle is not queued; its registration is dropped instead (asyncio's
 *       {@code _process_events}).</li>
 *   <li><b>Ownership.</b> A channel a live transport owns is refused by the public reader/writer and
 *       {@code sock*} methods ({@link IllegalStateException}); transports and sock operations use the same
 *       registrations internally.</li>
 *   <li><b>Buffers.</b> Socket transports read into one buffer owned by the loop (256 KiB), handed to
 *       {@link Protocol#dataReceived} for the duration of the call: a heap buffer filled through the
 *       {@link HeapIo} the loop was created with, else a direct one. They write direct buffers as they are and
 *       heap bytes through the {@code HeapIo}, else through one direct scratch buffer per loop (256 KiB) that
 *       also gathers small queued writes into one system call.</li>
 * </ul>
 *
 * <p><b>Hooks.</b> Besides {@link BaseEventLoop}'s ({@code createFuture}, {@code createTask},
 * {@code defaultExceptionHandler}), a subclass may override {@link #closeResources()} (calling
 * {@code super.closeResources()}) and the resolver, {@link #getAddrInfo(String, int, AddrInfoOptions)} and
 * {@link #getNameInfo(InetSocketAddress)}; {@link #poll(long)} and {@link #wakeup()} are the {@link Poller}'s.
 * Every other method is final: the transports, servers and {@code sock*} operations share one registration per
 * channel, which an override could not keep consistent.
 *
 * <p>All methods are for the loop thread, as {@link dev.asyncloop.EventLoop} says.
 */
public abstract class ReadinessEventLoop extends BaseEventLoop {
    static final System.Logger LOG = System.getLogger("dev.asyncloop");
    private static final Duration ACCEPT_RETRY_DELAY = Duration.ofSeconds(1);

    private final Poller poller;
    private final Poller.EventSink sink = this::dispatch;
    private final Map<SelectableChannel, Registration> registrations = new HashMap<>();
    private final Map<SelectableChannel, ChannelOwner> transports = new HashMap<>();
    private final SocketIo socketIo;

    /**
     * Creates a loop over {@code poller}, which it owns from now on and closes in {@link #close()}.
     *
     * @param poller the readiness primitive
     */
    protected ReadinessEventLoop(Poller poller) {
        this(poller, null);
    }

    /**
     * Creates a loop over {@code poller}, which it owns from now on and closes in {@link #close()}, whose stream
     * transports read into and write from heap arrays through {@code heapIo} instead of copying the bytes
     * through direct memory.
     *
     * @param poller the readiness primitive
     * @param heapIo how to read and write this loop's sockets with heap arrays; null to read into a direct
     *     buffer and stage heap writes through another, as the one-argument constructor does
     */
    protected ReadinessEventLoop(Poller poller, @Nullable HeapIo heapIo) {
        this.poller = Objects.requireNonNull(poller, "poller");
        this.socketIo = SocketIo.of(heapIo);
    }

    // ------------------------------------------------------------------ hooks

    @Override
    protected final void poll(long timeoutNanos) throws IOException {
        poller.poll(timeoutNanos, sink);
    }

    @Override
    protected final void wakeup() {
        poller.wakeup();
    }

    /**
     * Closes the poller; channels and transports are left as they are (asyncio does the same). A hook: a subclass
     * that releases more resources overrides it and calls {@code super.closeResources()}.
     *
     * @throws java.io.UncheckedIOException if the poller cannot be closed
     */
    @Override
    protected void closeResources() {
        registrations.clear();
        transports.clear();
        try {
            poller.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close the poller of " + this, e);
        }
    }

    private void dispatch(Object attachment, int readyOps) {
        Registration r = (Registration) attachment;
        if ((readyOps & Poller.READ) != 0 && r.reader != null) {
            if (r.reader.isCancelled()) {
                removeReaderHandle(r.channel);
            } else {
                addReady(r.reader);
            }
        }
        if ((readyOps & Poller.WRITE) != 0 && r.writer != null) {
            if (r.writer.isCancelled()) {
                removeWriterHandle(r.channel);
            } else {
                addReady(r.writer);
            }
        }
    }

    // ------------------------------------------------------------------ registrations

    /** The reader and writer of one channel; the poller's attachment. */
    static final class Registration {
        final SelectableChannel channel;
        @Nullable Handle reader;
        @Nullable Handle writer;
        boolean registered;

        Registration(SelectableChannel channel) {
            this.channel = channel;
        }
    }

    final Handle setReader(SelectableChannel channel, Runnable callback) {
        return setReader(channel, callback, Context.copyCurrent());
    }

    /** Sets the reader of {@code channel}, which runs in {@code context} (a transport's own). */
    final Handle setReader(SelectableChannel channel, Runnable callback, Context context) {
        checkClosed();
        Handle handle = newHandle(callback, context);
        Registration r = registrations.computeIfAbsent(channel, Registration::new);
        Handle old = r.reader;
        r.reader = handle;
        updateInterest(r);
        if (old != null) {
            old.cancel();
        }
        return handle;
    }

    final Handle setWriter(SelectableChannel channel, Runnable callback) {
        return setWriter(channel, callback, Context.copyCurrent());
    }

    /** Sets the writer of {@code channel}, which runs in {@code context} (a transport's own). */
    final Handle setWriter(SelectableChannel channel, Runnable callback, Context context) {
        checkClosed();
        Handle handle = newHandle(callback, context);
        Registration r = registrations.computeIfAbsent(channel, Registration::new);
        Handle old = r.writer;
        r.writer = handle;
        updateInterest(r);
        if (old != null) {
            old.cancel();
        }
        return handle;
    }

    final boolean removeReaderHandle(SelectableChannel channel) {
        if (isClosed()) {
            return false;
        }
        Registration r = registrations.get(channel);
        if (r == null || r.reader == null) {
            return false;
        }
        Handle h = r.reader;
        r.reader = null;
        updateInterest(r);
        h.cancel();
        return true;
    }

    final boolean removeWriterHandle(SelectableChannel channel) {
        if (isClosed()) {
            return false;
        }
        Registration r = registrations.get(channel);
        if (r == null || r.writer == null) {
            return false;
        }
        Handle h = r.writer;
        r.writer = null;
        updateInterest(r);
        h.cancel();
        return true;
    }

    /** Removes the reader only if it is still {@code handle} (not replaced meanwhile). */
    private void removeReaderIf(SelectableChannel channel, Handle handle) {
        Registration r = registrations.get(channel);
        if (r != null && r.reader == handle) {
            removeReaderHandle(channel);
        }
    }

    private void removeWriterIf(SelectableChannel channel, Handle handle) {
        Registration r = registrations.get(channel);
        if (r != null && r.writer == handle) {
            removeWriterHandle(channel);
        }
    }

    /** Drops every registration of {@code channel}, before the channel is closed. */
    final void forget(SelectableChannel channel) {
        if (isClosed()) {
            return;
        }
        Registration r = registrations.remove(channel);
        if (r != null) {
            if (r.registered) {
                poller.deregister(channel);
            }
            if (r.reader != null) {
                r.reader.cancel();
            }
            if (r.writer != null) {
                r.writer.cancel();
            }
        }
    }

    private void updateInterest(Registration r) {
        int interest = (r.reader != null ? Poller.READ : 0) | (r.writer != null ? Poller.WRITE : 0);
        try {
            if (interest == 0) {
                registrations.remove(r.channel);
                if (r.registered) {
                    r.registered = false;
                    poller.deregister(r.channel);
                }
            } else if (!r.registered) {
                poller.register(r.channel, interest, r);
                r.registered = true;
            } else {
                poller.modify(r.channel, interest);
            }
        } catch (ClosedChannelException e) {
            registrations.remove(r.channel);
            throw new IllegalArgumentException("the channel " + r.channel + " is closed; watch an open channel", e);
        } catch (IOException e) {
            registrations.remove(r.channel);
            throw new UncheckedIOException("the poller of " + this + " cannot watch " + r.channel, e);
        } catch (RuntimeException e) {
            // A poller that breaks its contract (Poller's Javadoc allows only IOException): name it and the
            // channel, so the application does not get a bare exception from inside the poller.
            registrations.remove(r.channel);
            throw new IllegalStateException("the poller " + poller.getClass().getName() + " of " + this
                    + " failed to watch " + r.channel + " for interest " + interestName(interest) + ": " + e, e);
        }
    }

    /** A Poller interest as its constants' names, for messages. */
    private static String interestName(int interest) {
        return switch (interest) {
            case Poller.READ -> "READ";
            case Poller.WRITE -> "WRITE";
            case Poller.READ | Poller.WRITE -> "READ|WRITE";
            default -> Integer.toString(interest);
        };
    }

    // ------------------------------------------------------------------ public reader/writer

    @Override
    public final void addReader(SelectableChannel channel, Runnable callback) {
        checkWatchable(channel, callback);
        setReader(channel, callback);
    }

    @Override
    public final boolean removeReader(SelectableChannel channel) {
        Objects.requireNonNull(channel, "channel");
        if (isClosed()) {
            return false;
        }
        ensureNoTransport(channel);
        return removeReaderHandle(channel);
    }

    @Override
    public final void addWriter(SelectableChannel channel, Runnable callback) {
        checkWatchable(channel, callback);
        setWriter(channel, callback);
    }

    @Override
    public final boolean removeWriter(SelectableChannel channel) {
        Objects.requireNonNull(channel, "channel");
        if (isClosed()) {
            return false;
        }
        ensureNoTransport(channel);
        return removeWriterHandle(channel);
    }

    private void checkWatchable(SelectableChannel channel, Runnable callback) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(callback, "callback");
        checkClosed();
        requireNonBlocking(channel, "channel");
        ensureNoTransport(channel);
    }

    private static void requireNonBlocking(SelectableChannel channel, String name) {
        Objects.requireNonNull(channel, name);
        if (channel.isBlocking()) {
            throw new IllegalArgumentException(name + " " + channel
                    + " is in blocking mode; call configureBlocking(false) first");
        }
    }

    private void ensureNoTransport(SelectableChannel channel) {
        ChannelOwner t = transports.get(channel);
        if (t != null && !t.isClosing()) {
            throw new IllegalStateException("the channel " + channel + " is used by the transport " + t
                    + "; use the transport, or close it first");
        }
    }

    void transportOpened(SelectableChannel channel, ChannelOwner transport) {
        ChannelOwner old = transports.get(channel);
        if (old != null && !old.isClosing()) {
            throw new IllegalStateException("the channel " + channel + " is already used by the transport " + old);
        }
        transports.put(channel, transport);
    }

    void transportGone(SelectableChannel channel, ChannelOwner transport) {
        transports.remove(channel, transport);
    }

    /** How this loop's transports read and write sockets; loop thread only. */
    SocketIo socketIo() {
        return socketIo;
    }

    // ------------------------------------------------------------------ sock* operations

    /** One attempt of a sock operation: completes {@code result} and returns true, or returns false to wait. */
    @FunctionalInterface
    private interface Attempt<T> {
        boolean run(Future<T> result) throws IOException;
    }

    /** asyncio's pattern: try at once; else watch the channel and retry on each event until done. */
    private <T extends @Nullable Object> Future<T> trySockOp(SelectableChannel channel, boolean read,
            Attempt<T> attempt) {
        Future<T> result = createFuture();
        attemptInto(result, attempt);
        if (!result.isDone()) {
            watchUntilDone(channel, read, result, attempt);
        }
        return result;
    }

    private <T extends @Nullable Object> void watchUntilDone(SelectableChannel channel, boolean read,
            Future<T> result, Attempt<T> attempt) {
        Handle[] handle = new Handle[1];
        Runnable retry = () -> {
            if (!result.isDone()) {
                attemptInto(result, attempt);
            }
            if (result.isDone()) {
                if (read) {
                    removeReaderIf(channel, handle[0]);
                } else {
                    removeWriterIf(channel, handle[0]);
                }
            }
        };
        try {
            handle[0] = read ? setReader(channel, retry) : setWriter(channel, retry);
        } catch (RuntimeException e) {
            result.setException(e);
            return;
        }
        result.addDoneCallback(f -> {
            if (read) {
                removeReaderIf(channel, handle[0]);
            } else {
                removeWriterIf(channel, handle[0]);
            }
        });
    }

    private static <T extends @Nullable Object> void attemptInto(Future<T> result, Attempt<T> attempt) {
        try {
            attempt.run(result);
        } catch (IOException | RuntimeException e) {
            if (!result.isDone()) {
                result.setException(e);
            }
        }
    }

    private void checkSockOp(SelectableChannel channel) {
        checkClosed();
        requireNonBlocking(channel, "channel");
        ensureNoTransport(channel);
    }

    @Override
    public final Future<byte[]> sockRecv(SocketChannel channel, int maxBytes) {
        checkSockOp(channel);
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be at least 1, got " + maxBytes);
        }
        ByteBuffer buffer = ByteBuffer.allocate(maxBytes);
        return trySockOp(channel, true, result -> {
            int n = socketIo.read(channel, buffer);
            if (n == 0) {
                return false;
            }
            result.setResult(n < 0 ? new byte[0] : java.util.Arrays.copyOf(buffer.array(), n));
            return true;
        });
    }

    @Override
    public final Future<Integer> sockRecvInto(SocketChannel channel, ByteBuffer buffer) {
        Objects.requireNonNull(buffer, "buffer");
        checkSockOp(channel);
        if (buffer.isReadOnly()) {
            throw new IllegalArgumentException("buffer is read-only; pass a writable buffer to receive into");
        }
        if (!buffer.hasRemaining() && channel.isOpen()) {
            return nothingReceived();
        }
        return trySockOp(channel, true, result -> {
            int n = socketIo.read(channel, buffer);
            if (n == 0) {
                return false;
            }
            result.setResult(n);
            return true;
        });
    }

    /**
     * A receive into a buffer with no space left on an open channel: 0 bytes, at once, as the system call answers.
     * A closed channel is tried as for any buffer instead, so that it fails as {@code sockRecv} does there.
     */
    private Future<Integer> nothingReceived() {
        Future<Integer> f = createFuture();
        f.setResult(0);
        return f;
    }

    @Override
    public final Future<@Nullable Void> sockSendAll(SocketChannel channel, ByteBuffer data) {
        Objects.requireNonNull(data, "data");
        checkSockOp(channel);
        return trySockOp(channel, false, result -> {
            if (!socketIo.send(channel, data)) {
                return false;
            }
            result.setResult(null);
            return true;
        });
    }

    @Override
    public final Future<@Nullable Void> sockConnect(SocketChannel channel, SocketAddress address) {
        Objects.requireNonNull(address, "address");
        checkSockOp(channel);
        if (address instanceof InetSocketAddress isa && isa.isUnresolved()) {
            Future<@Nullable Void> result = createFuture();
            Future<List<InetSocketAddress>> resolved = resolve(isa.getHostString(), isa.getPort());
            resolved.addDoneCallback(r -> {
                if (result.isDone()) {
                    return;
                }
                if (r.isCancelled()) {
                    result.cancel();
                } else if (r.exception().isPresent()) {
                    result.setException(r.exception().get());
                } else {
                    try {
                        chain(connectFirstOfFamily(channel, r.result()), result);
                    } catch (RuntimeException e) { // the loop closed, or a transport took the channel, meanwhile
                        result.setException(e);
                    }
                }
            });
            result.addDoneCallback(f -> {
                if (f.isCancelled()) {
                    resolved.cancel();
                }
            });
            return result;
        }
        Future<@Nullable Void> result = createFuture();
        try {
            if (channel.connect(address)) {
                result.setResult(null);
                return result;
            }
        } catch (SocketException e) {
            // refused or unreachable at once (a BSD kernel refuses a loopback connect so): named as when found later
            result.setException(connectCallFailed(address, e));
            return result;
        } catch (IOException | RuntimeException e) {
            result.setException(e);
            return result;
        }
        watchUntilDone(channel, false, result, r -> {
            try {
                if (!channel.finishConnect()) {
                    return false;
                }
            } catch (IOException e) {
                throw connectCallFailed(address, e);
            }
            r.setResult(null);
            return true;
        });
        return result;
    }

    /**
     * asyncio's {@code _sock_connect_cb}: a connection that failed (after it was started, or with a socket error at
     * once) names the address
     * ("Connect call failed ADDRESS: Connection refused"), keeps the system's text, is of the same kind
     * ({@link ConnectException} for a refusal, {@link NoRouteToHostException}, other {@link SocketException}s),
     * and has the original as its cause.
     */
    static IOException connectCallFailed(SocketAddress address, IOException e) {
        String text = "Connect call failed " + address + ": " + e.getMessage();
        IOException named = switch (e) {
            case ConnectException _ -> new ConnectException(text);
            case NoRouteToHostException _ -> new NoRouteToHostException(text);
            case SocketException _ -> new SocketException(text);
            default -> new IOException(text);
        };
        named.initCause(e);
        return named;
    }

    /**
     * asyncio resolves for the socket's family; a Java channel tells its family only by refusing an address of
     * another one ({@link UnsupportedAddressTypeException}, before any system call), so each answer is tried in
     * order until one is not refused.
     */
    private Future<@Nullable Void> connectFirstOfFamily(SocketChannel channel, List<InetSocketAddress> addresses) {
        Future<@Nullable Void> attempt = null;
        for (InetSocketAddress address : addresses) {
            attempt = sockConnect(channel, address);
            if (!attempt.isDone() || attempt.isCancelled()
                    || !(attempt.exception().orElse(null) instanceof UnsupportedAddressTypeException)) {
                return attempt;
            }
        }
        return Objects.requireNonNull(attempt, "no address to connect to");
    }

    private static <T extends @Nullable Object> void chain(Future<T> from, Future<T> to) {
        from.addDoneCallback(f -> {
            if (to.isDone()) {
                return;
            }
            if (f.isCancelled()) {
                to.cancel();
            } else if (f.exception().isPresent()) {
                to.setException(f.exception().get());
            } else {
                to.setResult(f.result());
            }
        });
        to.addDoneCallback(t -> {
            if (t.isCancelled()) {
                from.cancel();
            }
        });
    }

    @Override
    public final Future<SocketChannel> sockAccept(ServerSocketChannel channel) {
        checkClosed();
        requireNonBlocking(channel, "channel");
        return BaseFuture.closeIfUndelivered(trySockOp(channel, true, result -> {
            SocketChannel accepted = channel.accept();
            if (accepted == null) {
                return false;
            }
            try {
                accepted.configureBlocking(false);
            } catch (IOException e) {
                accepted.close();
                throw e;
            }
            result.setResult(accepted);
            return true;
        }), ReadinessEventLoop::closeQuietly);
    }

    // ------------------------------------------------------------------ DNS

    /**
     * {@inheritDoc}
     *
     * <p>Here: addresses that need no lookup (literals, a null host) at once, anything else through the JDK's
     * resolver on the default executor. A hook, the loop's resolver (uvloop replaces asyncio's the same way): every
     * method here that takes a host name ({@code createConnection}, {@code createServer},
     * {@code createDatagramEndpoint}, {@code sockConnect} with an unresolved address, ...) resolves it through this
     * method, so a loop with a resolver of its own (an asynchronous DNS client, a cache, a test's fixed answers)
     * overrides it, and {@link #getNameInfo} with it. An override keeps the contract above: the checks at the
     * call, getaddrinfo's order of the answers, and a failure as the future's {@link java.net.UnknownHostException}.
     */
    @Override
    public Future<List<AddrInfo>> getAddrInfo(@Nullable String host, int port, AddrInfoOptions options) {
        Objects.requireNonNull(options, "options");
        Resolver.checkPort(port);
        checkClosed();
        Future<List<AddrInfo>> f;
        try {
            List<AddrInfo> at = Resolver.withoutResolver(host, port, options);
            if (at == null) {
                return runInExecutor(null, () -> Resolver.lookup(host, port, options));
            }
            f = createFuture();
            f.setResult(at);
        } catch (java.net.UnknownHostException e) {
            f = createFuture();
            f.setException(e);
        }
        return f;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Here: through the JDK's resolver on the default executor. A hook, with {@link #getAddrInfo}: the loop's
     * reverse lookup, which nothing else in this class calls.
     */
    @Override
    public Future<NameInfo> getNameInfo(InetSocketAddress address) {
        Objects.requireNonNull(address, "address");
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("address " + address + " is unresolved; resolve it first"
                    + " (getAddrInfo)");
        }
        checkClosed();
        return runInExecutor(null, () -> Resolver.nameInfo(address));
    }

    /** Resolves {@code host} with {@link #getAddrInfo}, keeping only the socket addresses. */
    Future<List<InetSocketAddress>> resolve(@Nullable String host, int port) {
        return resolve(host, port, null);
    }

    /** {@link #resolve(String, int)} restricted to {@code family}, or not when it is null. */
    Future<List<InetSocketAddress>> resolve(@Nullable String host, int port, @Nullable StandardProtocolFamily family) {
        Objects.requireNonNull(host, "host");
        Future<List<AddrInfo>> infos = getAddrInfo(host, port,
                family == null ? AddrInfoOptions.defaults() : AddrInfoOptions.builder().family(family).build());
        Future<List<InetSocketAddress>> out = createFuture();
        infos.addDoneCallback(f -> {
            if (out.isDone()) {
                return;
            }
            if (f.isCancelled()) {
                out.cancel();
            } else if (f.exception().isPresent()) {
                out.setException(f.exception().get());
            } else {
                out.setResult(f.result().stream().map(AddrInfo::address).toList());
            }
        });
        out.addDoneCallback(f -> {
            if (f.isCancelled()) {
                infos.cancel();
            }
        });
        return out;
    }

    // ------------------------------------------------------------------ TCP

    @Override
    public final <P extends Protocol> Future<Connection<P>> createConnection(Supplier<P> protocolFactory, String host,
            int port, ConnectOptions options) {
        Objects.requireNonNull(protocolFactory, "protocolFactory");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(options, "options");
        Tls tls = Tls.of(options, host);
        checkClosed();
        return connectTo(protocolFactory, resolve(host, port, options.family().orElse(null)), options,
                host + ":" + port, tls);
    }

    /** The TLS of a connection: its context and options; null for a plain connection. */
    private record Tls(javax.net.ssl.SSLContext context, dev.asyncloop.TlsOptions options) {
        static @Nullable Tls of(ConnectOptions options, @Nullable String defaultHostname) {
            return options.tlsOptions(defaultHostname).map(t -> new Tls(options.ssl().get(), t)).orElse(null);
        }
    }

    /**
     * createConnection after resolution: tries each address in order, or staggered with Happy Eyeballs;
     * package-private for tests.
     */
    <P extends Protocol> Future<Connection<P>> connectTo(Supplier<P> protocolFactory,
            Future<List<InetSocketAddress>> addresses, ConnectOptions options, String target) {
        return connectTo(protocolFactory, addresses, options, target, null);
    }

    private <P extends Protocol> Future<Connection<P>> connectTo(Supplier<P> protocolFactory,
            Future<List<InetSocketAddress>> addresses, ConnectOptions options, String target, @Nullable Tls tls) {
        return BaseFuture.closeIfUndelivered(createTask(() -> {
            List<InetSocketAddress> all = StaggeredRace.interleave(awaitChecked(addresses), options.interleave());
            List<InetSocketAddress> locals = localAddresses(options);
            Exception[] errors = new Exception[all.size()];
            SocketChannel channel = null;
            if (options.happyEyeballsDelay().isPresent()) {
                List<dev.asyncloop.AsyncCallable<SocketChannel>> attempts = new ArrayList<>();
                for (InetSocketAddress address : all) {
                    attempts.add(() -> openAndConnect(address, locals));
                }
                channel = StaggeredRace.run(this, attempts, options.happyEyeballsDelay().get(), errors,
                        ReadinessEventLoop::closeQuietly);
            } else {
                for (int i = 0; i < all.size() && channel == null; i++) {
                    try {
                        channel = openAndConnect(all.get(i), locals);
                    } catch (IOException e) {
                        errors[i] = e;
                    }
                }
            }
            if (channel != null) {
                return connect(protocolFactory, channel, tls);
            }
            throw connectFailure(all, errors, target);
        }, "createConnection(" + target + ")"), c -> c.transport().close());
    }

    /**
     * Inside a task: the local addresses to bind to, an unresolved one resolved (asyncio's
     * {@code _ensure_resolved}); null for none.
     */
    private @Nullable List<InetSocketAddress> localAddresses(ConnectOptions options) throws Exception {
        InetSocketAddress local = (InetSocketAddress) options.localAddress().orElse(null);
        if (local == null) {
            return null;
        }
        if (!local.isUnresolved()) {
            return List.of(local);
        }
        return awaitChecked(resolve(local.getHostString(), local.getPort(), options.family().orElse(null)));
    }

    /**
     * Inside a task: opens a socket for {@code address}, binds it to a local address if there are any,
     * connects; closes it on failure.
     */
    private SocketChannel openAndConnect(InetSocketAddress address, @Nullable List<InetSocketAddress> locals)
            throws Exception {
        StandardProtocolFamily family = AddrInfo.familyOf(address);
        SocketChannel channel = null;
        try {
            channel = openStream(family);
            channel.configureBlocking(false);
            if (locals != null) {
                bindLocal(channel, family, locals);
            }
            awaitChecked(sockConnect(channel, address));
            return channel;
        } catch (Throwable t) {
            closeQuietly(channel);
            throw t;
        }
    }

    /** A stream socket of {@code family}; a family the platform lacks is an I/O error, as asyncio's. */
    private static SocketChannel openStream(StandardProtocolFamily family) throws IOException {
        try {
            return SocketChannel.open(family);
        } catch (UnsupportedOperationException e) {
            throw new SocketException("can not open an " + family + " socket: " + e.getMessage());
        }
    }

    /**
     * asyncio's {@code _connect_sock}: binds to the first local address of the socket's family that binds,
     * skipping the others (a wildcard address stands for the wildcard of either family). Fails with the last
     * bind error, naming its address, the earlier ones suppressed; or, when no local address is of the family,
     * with a {@link SocketException} saying so.
     */
    private static void bindLocal(SocketChannel channel, StandardProtocolFamily family,
            List<InetSocketAddress> locals) throws IOException {
        BindException failed = null;
        for (InetSocketAddress local : locals) {
            InetSocketAddress fitting = ofFamily(local, family);
            if (fitting == null) {
                continue;
            }
            try {
                channel.bind(fitting);
                return;
            } catch (IOException e) {
                BindException named = bindError(local, e);
                if (failed != null) {
                    named.addSuppressed(failed);
                }
                failed = named;
            }
        }
        if (failed != null) {
            throw failed;
        }
        throw new SocketException("no matching local address with family=" + family + " found; the local"
                + " addresses are " + locals);
    }

    /** asyncio's bind error: names the address, keeps the system's text, and has the original as its cause. */
    private static BindException bindError(@Nullable Object address, IOException e) {
        BindException named = new BindException("error while attempting to bind on address " + address + ": "
                + e.getMessage());
        named.initCause(e);
        return named;
    }

    /** {@code local} if it is of {@code family}, the family's wildcard if it is a wildcard, else null. */
    private static @Nullable InetSocketAddress ofFamily(InetSocketAddress local, StandardProtocolFamily family) {
        if (AddrInfo.familyOf(local) == family) {
            return local;
        }
        if (local.getAddress().isAnyLocalAddress()) {
            return new InetSocketAddress(InetAddress.ofLiteral(family == StandardProtocolFamily.INET ? "0.0.0.0"
                    : "::"), local.getPort());
        }
        return null;
    }

    /** The one error, or "Multiple exceptions" with each as suppressed (asyncio's create_connection). */
    private static Exception connectFailure(List<InetSocketAddress> all, Exception[] errors, String target) {
        List<Integer> failed = new ArrayList<>();
        for (int i = 0; i < errors.length; i++) {
            if (errors[i] != null) {
                failed.add(i);
            }
        }
        if (failed.isEmpty()) {
            return new ConnectException("no address to connect to for " + target);
        }
        if (failed.size() == 1) {
            return errors[failed.getFirst()];
        }
        StringBuilder text = new StringBuilder("Multiple exceptions: ");
        for (int i : failed) {
            String message = String.valueOf(errors[i].getMessage());
            String address = all.get(i).toString();
            text.append(text.length() > 21 ? ", " : "")
                    .append(message.contains(address) ? message : address + ": " + message);
        }
        ConnectException e = new ConnectException(text.toString());
        failed.forEach(i -> e.addSuppressed(errors[i]));
        return e;
    }

    @Override
    public final <P extends Protocol> Future<Connection<P>> connectAcceptedSocket(Supplier<P> protocolFactory,
            SocketChannel channel) {
        Objects.requireNonNull(protocolFactory, "protocolFactory");
        Objects.requireNonNull(channel, "channel");
        if (!channel.isOpen()) {
            throw new IllegalArgumentException("channel " + channel + " is closed; expected an accepted connection");
        }
        if (!channel.isConnected()) {
            throw new IllegalArgumentException("channel " + channel + " is not connected; expected an accepted"
                    + " connection (or one whose connect has finished)");
        }
        checkClosed();
        ensureNoTransport(channel);
        return BaseFuture.closeIfUndelivered(createTask(() -> {
            channel.configureBlocking(false);
            return connect(protocolFactory, channel, null);
        }, "connectAcceptedSocket"), c -> c.transport().close());
    }

    /**
     * Runs inside a task: makes the protocol and transport, waits for connectionMade (with TLS: for the
     * handshake, then the application's connectionMade). Closes on failure.
     */
    private <P extends Protocol> Connection<P> connect(Supplier<P> protocolFactory, SocketChannel channel,
            @Nullable Tls tls)
            throws Exception {
        P protocol;
        try {
            protocol = Objects.requireNonNull(protocolFactory.get(),
                    () -> "protocolFactory " + protocolFactory + " returned null");
        } catch (Throwable t) {
            closeQuietly(channel);
            throw t;
        }
        Future<@Nullable Void> waiter = createFuture();
        Future<StreamTransport> handshake = tls == null ? null : createFuture();
        SocketTransport transport;
        try {
            Protocol first = tls == null ? protocol
                    : TlsLayer.wrap(this, protocol, tls.context(), tls.options(), handshake);
            transport = new SocketTransport(this, channel, first, waiter, null);
        } catch (Throwable t) {
            closeQuietly(channel);
            throw t;
        }
        try {
            awaitChecked(waiter);
            if (handshake != null) {
                return new Connection<>(awaitChecked(handshake), protocol);
            }
        } catch (Throwable t) {
            transport.close();
            throw t;
        }
        return new Connection<>(transport, protocol);
    }

    @Override
    public final Future<Server> createServer(Supplier<? extends Protocol> protocolFactory, @Nullable String host, int port,
            ServerOptions options) {
        return createServer(protocolFactory, host == null || host.isEmpty() ? List.of() : List.of(host), port,
                options, host);
    }

    @Override
    public final Future<Server> createServer(Supplier<? extends Protocol> protocolFactory, List<String> hosts, int port,
            ServerOptions options) {
        Objects.requireNonNull(protocolFactory, "protocolFactory");
        Objects.requireNonNull(options, "options");
        List<String> names = Resolver.checkHosts(hosts);
        return createServer(protocolFactory, names, port, options, names.size() == 1 ? names.getFirst() : names);
    }

    /** Binds every address the {@code hosts} resolve to, once each; no host at all is the wildcard address. */
    private Future<Server> createServer(Supplier<? extends Protocol> protocolFactory, List<String> hosts, int port,
            ServerOptions options, @Nullable Object hostsForName) {
        Objects.requireNonNull(protocolFactory, "protocolFactory");
        Objects.requireNonNull(options, "options");
        checkClosed();
        Resolver.checkPort(port);
        Supplier<? extends Protocol> factory = tlsServerFactory(protocolFactory, options);
        StandardProtocolFamily family = options.family().orElse(null);
        List<Future<List<InetSocketAddress>>> resolving = hosts.stream().map(h -> resolve(h, port, family))
                .toList();
        return BaseFuture.closeIfUndelivered(createTask(() -> {
            Collection<InetSocketAddress> all;
            if (hosts.isEmpty()) {
                all = List.of(family == null ? new InetSocketAddress(port) : wildcard(family, port));
            } else {
                all = new LinkedHashSet<>();
                try {
                    for (Future<List<InetSocketAddress>> addresses : resolving) {
                        all.addAll(awaitChecked(addresses));
                    }
                } catch (Throwable t) {
                    resolving.forEach(Future::cancel);
                    throw t;
                }
            }
            List<ServerSocketChannel> sockets = new ArrayList<>();
            UnavailableAddresses unavailable = new UnavailableAddresses(getDebug());
            InetSocketAddress current = null;
            try {
                for (InetSocketAddress address : all) {
                    current = address;
                    ServerSocketChannel s;
                    try {
                        s = hosts.isEmpty() && family == null ? ServerSocketChannel.open()
                                : ServerSocketChannel.open(AddrInfo.familyOf(address));
                    } catch (UnsupportedOperationException noSuchFamily) {
                        unavailable.familyUnavailable(address, noSuchFamily);
                        continue;
                    }
                    sockets.add(s);
                    s.setOption(StandardSocketOptions.SO_REUSEADDR, options.reuseAddress());
                    if (options.reusePort()) {
                        if (!s.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)) {
                            throw new UnsupportedOperationException("reusePort: SO_REUSEPORT is not supported on"
                                    + " this platform; create the server without ServerOptions.reusePort(true)");
                        }
                        s.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                    }
                    s.configureBlocking(false);
                    try {
                        s.bind(address, options.backlog());
                    } catch (BindException be) {
                        if (!unavailable.skipIfNotHere(address, bindError(address, be))) {
                            throw be;
                        }
                        sockets.remove(s);
                        closeQuietly(s);
                    }
                }
            } catch (Throwable t) {
                sockets.forEach(ReadinessEventLoop::closeQuietly);
                if (t instanceof BindException be) {
                    throw bindError(current, be);
                }
                throw t;
            }
            if (sockets.isEmpty()) {
                throw unavailable.noneLeft(all);
            }
            ReadinessServer server = new ReadinessServer(this, factory, sockets, options.backlog(),
                    options.keepAlive());
            if (options.startServing()) {
                server.startServing();
            }
            return (Server) server;
        }, "createServer(" + hostsForName + ":" + port + ")"), Server::close);
    }

    /**
     * The factory of an accepted connection's first protocol: the application's, or with TLS a TLS layer over
     * it (the server side of the handshake; a failed handshake closes the connection; the server goes on).
     */
    private Supplier<? extends Protocol> tlsServerFactory(Supplier<? extends Protocol> protocolFactory,
            ServerOptions options) {
        if (options.ssl().isEmpty()) {
            return protocolFactory;
        }
        javax.net.ssl.SSLContext context = options.ssl().get();
        dev.asyncloop.TlsOptions tls = options.tlsOptions().orElseThrow();
        return new Supplier<Protocol>() {
            @Override
            public Protocol get() {
                Protocol application = Objects.requireNonNull(protocolFactory.get(),
                        () -> "protocolFactory " + protocolFactory + " returned null");
                return TlsLayer.wrap(ReadinessEventLoop.this, application, context, tls, null);
            }

            @Override
            public String toString() {
                return "TLS over " + protocolFactory;
            }
        };
    }

    private static InetSocketAddress wildcard(StandardProtocolFamily family, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(family == StandardProtocolFamily.INET ? "0.0.0.0"
                    : "::"), port);
        } catch (java.net.UnknownHostException literal) {
            throw new AssertionError(literal);
        }
    }

    @Override
    public final Future<Server> createServer(Supplier<? extends Protocol> protocolFactory, ServerSocketChannel channel,
            ServerOptions options) {
        Objects.requireNonNull(protocolFactory, "protocolFactory");
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(options, "options");
        checkClosed();
        SocketAddress local;
        try {
            local = channel.getLocalAddress();
        } catch (ClosedChannelException e) {
            throw new IllegalArgumentException("channel: " + channel + " is closed; pass an open, bound"
                    + " ServerSocketChannel", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("channel: cannot read the address of " + channel, e);
        }
        if (local == null) {
            throw new IllegalArgumentException("channel: " + channel + " is not bound; bind it first (bind(address,"
                    + " backlog) also listens), or pass a host and port to createServer");
        }
        boolean unix = local instanceof UnixDomainSocketAddress;
        if (unix && options.keepAlive()) {
            throw new IllegalArgumentException("keepAlive: SO_KEEPALIVE does not apply to Unix-domain connections;"
                    + " serve " + local + " without ServerOptions.keepAlive(true)");
        }
        ensureUnused(channel);
        try {
            channel.configureBlocking(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make " + channel + " non-blocking", e);
        }
        ReadinessServer server = new ReadinessServer(this, tlsServerFactory(protocolFactory, options),
                List.of(channel), options.backlog(), options.keepAlive());
        if (options.startServing()) {
            server.startServing();
        }
        Future<Server> done = BaseFuture.closeIfUndelivered(createFuture(), Server::close);
        done.setResult(server);
        return done;
    }

    /** Accepts on {@code socket} for {@code server}: asyncio's {@code _start_serving}. */
    void startServing(ReadinessServer server, ServerSocketChannel socket) {
        setReader(socket, () -> acceptConnections(server, socket));
    }

    /** Stops accepting and closes the socket: asyncio's {@code _stop_serving}. */
    void stopServing(ServerSocketChannel socket) {
        forget(socket);
        closeQuietly(socket);
    }

    private void acceptConnections(ReadinessServer server, ServerSocketChannel socket) {
        for (int i = 0; i < server.backlog(); i++) {
            SocketChannel accepted;
            try {
                accepted = socket.accept();
                if (accepted == null) {
                    return;
                }
            } catch (ClosedChannelException closed) {
                return;
            } catch (IOException e) {
                callExceptionHandler(ExceptionContext.builder("socket.accept() failed; accepting again in "
                        + ACCEPT_RETRY_DELAY.toSeconds() + " s").exception(e).socket(socket).build());
                removeReaderHandle(socket);
                callLater(ACCEPT_RETRY_DELAY, () -> {
                    if (server.isServing() && socket.isOpen()) {
                        startServing(server, socket);
                    }
                });
                return;
            }
            acceptedConnection(server, accepted);
        }
    }

    private void acceptedConnection(ReadinessServer server, SocketChannel accepted) {
        Protocol protocol = null;
        try {
            accepted.configureBlocking(false);
            if (server.keepAlive()) {
                accepted.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            }
            protocol = Objects.requireNonNull(server.protocolFactory().get(),
                    () -> "protocolFactory " + server.protocolFactory() + " returned null");
            new SocketTransport(this, accepted, protocol, null, server);
        } catch (Error e) {
            closeQuietly(accepted); // the Error leaves the loop; the connection must not stay open behind it
            throw e;
        } catch (Exception e) {
            closeQuietly(accepted);
            ExceptionContext.Builder report = ExceptionContext
                    .builder("Error on transport creation for incoming connection").exception(e).socket(accepted);
            if (protocol != null) {
                report.protocol(protocol);
            }
            callExceptionHandler(report.build());
        }
    }

    // ------------------------------------------------------------------ UDP

    @Override
    public final <P extends DatagramProtocol> Future<DatagramConnection<P>> createDatagramEndpoint(
            Supplier<P> protocolFactory, DatagramOptions options) {
        Objects.requireNonNull(protocolFactory, "protocolFactory");
        Objects.requireNonNull(options, "options");
        checkClosed();
        return BaseFuture.closeIfUndelivered(createTask(() -> {
            DatagramChannel given = options.channel().orElse(null);
            DatagramEndpoints.Opened opened = given != null ? new DatagramEndpoints.Opened(given, null)
                    : DatagramEndpoints.open(this, options);
            DatagramChannel channel = opened.channel();
            try {
                channel.configureBlocking(false);
                P protocol = Objects.requireNonNull(protocolFactory.get(),
                        () -> "protocolFactory " + protocolFactory + " returned null");
                Future<@Nullable Void> waiter = createFuture();
                DatagramSocketTransport transport = new DatagramSocketTransport(this, channel, opened.remote(),
                        protocol, waiter);
                try {
                    awaitChecked(waiter);
                } catch (Throwable t) {
                    transport.abort();
                    throw t;
                }
                return new DatagramConnection<>(transport, protocol);
            } catch (Throwable t) {
                closeQuietly(channel);
                throw t;
            }
        }, "createDatagramEndpoint"), c -> c.transport().close());
    }

    @Override
    public final Future<Datagram> sockRecvFrom(DatagramChannel channel, int maxBytes) {
        checkSockOp(channel);
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be at least 1, got " + maxBytes);
        }
        ByteBuffer buffer = ByteBuffer.allocate(maxBytes);
        return trySockOp(channel, true, result -> {
            SocketAddress from = channel.receive(buffer);
            if (from == null) {
                return false;
            }
            result.setResult(new Datagram(java.util.Arrays.copyOf(buffer.array(), buffer.position()), from));
            return true;
        });
    }

    @Override
    public final Future<SocketAddress> sockRecvFromInto(DatagramChannel channel, ByteBuffer buffer) {
        Objects.requireNonNull(buffer, "buffer");
        checkSockOp(channel);
        if (buffer.isReadOnly()) {
            throw new IllegalArgumentException("buffer is read-only; pass a writable buffer to receive into");
        }
        return trySockOp(channel, true, result -> {
            SocketAddress from = channel.receive(buffer);
            if (from == null) {
                return false;
            }
            result.setResult(from);
            return true;
        });
    }

    @Override
    public final Future<Integer> sockSendTo(DatagramChannel channel, ByteBuffer data, SocketAddress address) {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(address, "address");
        checkSockOp(channel);
        if (address instanceof InetSocketAddress isa && isa.isUnresolved()) {
            throw new IllegalArgumentException("address " + address + " is unresolved; resolve it first"
                    + " (getAddrInfo)");
        }
        return trySockOp(channel, false, result -> {
            int n = channel.send(data, address);
            if (n == 0 && data.hasRemaining()) {
                return false; // no room for the datagram now; the JDK sends all of it or nothing
            }
            result.setResult(n);
            return true;
        });
    }

    @Override
    public final Future<byte[]> sockRecv(DatagramChannel channel, int maxBytes) {
        checkConnectedDatagram(channel, "sockRecv");
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be at least 1, got " + maxBytes);
        }
        ByteBuffer buffer = ByteBuffer.allocate(maxBytes);
        return trySockOp(channel, true, result -> {
            if (channel.receive(buffer) == null) {
                return false;
            }
            result.setResult(java.util.Arrays.copyOf(buffer.array(), buffer.position()));
            return true;
        });
    }

    @Override
    public final Future<Integer> sockRecvInto(DatagramChannel channel, ByteBuffer buffer) {
        Objects.requireNonNull(buffer, "buffer");
        checkConnectedDatagram(channel, "sockRecvInto");
        if (buffer.isReadOnly()) {
            throw new IllegalArgumentException("buffer is read-only; pass a writable buffer to receive into");
        }
        if (!buffer.hasRemaining() && channel.isOpen()) {
            return nothingReceived();
        }
        int start = buffer.position();
        return trySockOp(channel, true, result -> {
            if (channel.receive(buffer) == null) {
                return false;
            }
            result.setResult(buffer.position() - start);
            return true;
        });
    }

    @Override
    public final Future<@Nullable Void> sockSendAll(DatagramChannel channel, ByteBuffer data) {
        Objects.requireNonNull(data, "data");
        checkConnectedDatagram(channel, "sockSendAll");
        return trySockOp(channel, false, result -> {
            if (data.hasRemaining() && channel.write(data) == 0) {
                return false; // no room for the datagram now; the JDK sends all of it or nothing
            }
            result.setResult(null);
            return true;
        });
    }

    /**
     * The checks of the stream-named sock operations on a datagram channel: those of every sock operation, and a
     * peer to receive from and send to. A closed channel passes, so the operation fails with the channel's
     * {@link java.nio.channels.ClosedChannelException}, as on a closed stream socket.
     */
    private void checkConnectedDatagram(DatagramChannel channel, String method) {
        checkSockOp(channel);
        if (channel.isOpen() && !channel.isConnected()) {
            throw new IllegalArgumentException(method + ": channel " + channel + " is not connected; connect it"
                    + " (DatagramChannel.connect) to receive from and send to one peer, or use sockRecvFrom/"
                    + "sockSendTo");
        }
    }

    // ------------------------------------------------------------------ Unix sockets

    @Override
    public final <P extends Protocol> Future<Connection<P>> createUnixConnection(Supplier<P> protocolFactory, Path path) {
        return createUnixConnection(protocolFactory, path, (Tls) null);
    }

    @Override
    public final <P extends Protocol> Future<Connection<P>> createUnixConnection(Supplier<P> protocolFactory, Path path,
            ConnectOptions options) {
        Objects.requireNonNull(options, "options");
        if (options.localAddress().isPresent() || options.happyEyeballsDelay().isPresent()) {
            throw new IllegalArgumentException("localAddress and happyEyeballsDelay do not apply to a Unix-domain"
                    + " connection, got " + options);
        }
        return createUnixConnection(protocolFactory, path, Tls.of(options, null));
    }

    private <P extends Protocol> Future<Connection<P>> createUnixConnection(Supplier<P> protocolFactory, Path path,
            @Nullable Tls tls) {
        Objects.requireNonNull(protocolFactory, "protocolFactory");
        UnixSocketFiles.checkPath(path);
        checkClosed();
        return BaseFuture.closeIfUndelivered(createTask(() -> {
            SocketChannel channel = null;
            try {
                channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                channel.configureBlocking(false);
                awaitChecked(sockConnect(channel, UnixDomainSocketAddress.of(path)));
            } catch (Throwable t) {
                closeQuietly(channel);
                throw t;
            }
            return connect(protocolFactory, channel, tls);
        }, "createUnixConnection(" + path + ")"), c -> c.transport().close());
    }

    @Override
    public final Future<Server> createUnixServer(Supplier<? extends Protocol> protocolFactory, Path path,
            ServerOptions options) {
        Objects.requireNonNull(protocolFactory, "protocolFactory");
        UnixSocketFiles.checkPath(path);
        Objects.requireNonNull(options, "options");
        if (options.reusePort()) {
            throw new IllegalArgumentException("reusePort: SO_REUSEPORT does not apply to Unix-domain servers;"
                    + " create the server without ServerOptions.reusePort(true)");
        }
        if (options.keepAlive()) {
            throw new IllegalArgumentException("keepAlive: SO_KEEPALIVE does not apply to Unix-domain servers;"
                    + " create the server without ServerOptions.keepAlive(true)");
        }
        if (options.family().isPresent()) {
            throw new IllegalArgumentException("family: " + options.family().get() + " does not apply to a"
                    + " Unix-domain server; create it without ServerOptions.family(...)");
        }
        checkClosed();
        Supplier<? extends Protocol> factory = tlsServerFactory(protocolFactory, options);
        return BaseFuture.closeIfUndelivered(createTask(() -> {
            ServerSocketChannel socket = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            Object fileKey;
            try {
                UnixSocketFiles.removeStale(path);
                socket.configureBlocking(false);
                socket.bind(UnixDomainSocketAddress.of(path), options.backlog());
                fileKey = UnixSocketFiles.key(path);
            } catch (Throwable t) {
                closeQuietly(socket);
                if (t instanceof BindException be) {
                    throw bindError(path, be);
                }
                throw t;
            }
            ReadinessServer server = new ReadinessServer(this, factory, List.of(socket), options.backlog(),
                    false);
            if (options.cleanupSocket()) {
                server.onClose(() -> UnixSocketFiles.removeIfSame(path, fileKey));
            }
            if (options.startServing()) {
                server.startServing();
            }
            return (Server) server;
        }, "createUnixServer(" + path + ")"), Server::close);
    }

    // ------------------------------------------------------------------ sendfile

    @Override
    public final Future<Long> sendfile(StreamTransport transport, FileChannel file, long offset, long count) {
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(file, "file");
        Sendfile.checkRange(offset, count);
        checkClosed();
        if (transport.isClosing()) {
            throw new IllegalStateException("Transport is closing: " + transport);
        }
        if (transport instanceof SocketTransport st && st.loop() == this) {
            return Sendfile.nativeTransfer(this, st, file, offset, count);
        }
        return Sendfile.fallback(this, transport, file, offset, count);
    }

    @Override
    public final Future<Long> sockSendfile(SocketChannel channel, FileChannel file, long offset, long count) {
        Objects.requireNonNull(file, "file");
        checkSockOp(channel);
        Sendfile.checkRange(offset, count);
        return sendfileNative(channel, file, offset, count);
    }

    /**
     * asyncio's {@code _sock_sendfile_native}: {@link FileChannel#transferTo} until {@code count} bytes or the end
     * of the file, waiting for writability whenever the socket takes nothing; leaves the file's position after
     * the last byte sent. No ownership check: the sendfile of a transport uses it on the transport's channel.
     */
    Future<Long> sendfileNative(SocketChannel channel, FileChannel file, long offset, long count) {
        long[] sent = {0};
        return trySockOp(channel, false, result -> {
            try {
                while (sent[0] < count) {
                    long n = file.transferTo(offset + sent[0], count - sent[0], channel);
                    if (n == 0) {
                        if (offset + sent[0] >= file.size()) {
                            break;
                        }
                        return false;
                    }
                    sent[0] += n;
                }
            } finally {
                if (sent[0] > 0) {
                    file.position(offset + sent[0]);
                }
            }
            result.setResult(sent[0]);
            return true;
        });
    }

    // ------------------------------------------------------------------ pipes

    @Override
    public final <P extends Protocol, C extends SelectableChannel & ReadableByteChannel>
            Future<PipeConnection<ReadTransport, P>> connectReadPipe(Supplier<P> protocolFactory, C pipe) {
        checkPipe(protocolFactory, pipe);
        return BaseFuture.closeIfUndelivered(createTask(() -> {
            P protocol = takePipe(protocolFactory, pipe);
            Future<@Nullable Void> waiter = createFuture();
            ReadPipeTransport<C> transport;
            try {
                transport = new ReadPipeTransport<>(this, pipe, protocol, waiter);
            } catch (Throwable t) {
                closeQuietly(pipe);
                throw t;
            }
            awaitMade(waiter, transport);
            return new PipeConnection<ReadTransport, P>(transport, protocol);
        }, "connectReadPipe(" + pipe + ")"), c -> c.transport().close());
    }

    @Override
    public final <P extends Protocol, C extends SelectableChannel & WritableByteChannel>
            Future<PipeConnection<WriteTransport, P>> connectWritePipe(Supplier<P> protocolFactory, C pipe) {
        checkPipe(protocolFactory, pipe);
        return BaseFuture.closeIfUndelivered(createTask(() -> {
            P protocol = takePipe(protocolFactory, pipe);
            Future<@Nullable Void> waiter = createFuture();
            WritePipeTransport<C> transport;
            try {
                transport = new WritePipeTransport<>(this, pipe, protocol, waiter);
            } catch (Throwable t) {
                closeQuietly(pipe);
                throw t;
            }
            awaitMade(waiter, transport);
            return new PipeConnection<WriteTransport, P>(transport, protocol);
        }, "connectWritePipe(" + pipe + ")"), c -> c.transport().close());
    }

    /** The checks at the call: arguments, an open loop, an open channel nobody here uses. */
    private void checkPipe(Supplier<?> protocolFactory, SelectableChannel pipe) {
        Objects.requireNonNull(protocolFactory, "protocolFactory");
        Objects.requireNonNull(pipe, "pipe");
        checkClosed();
        if (!pipe.isOpen()) {
            throw new IllegalArgumentException("pipe " + pipe + " is closed; pass an open pipe end");
        }
        ensureUnused(pipe);
    }

    /**
     * Inside the task: checks the channel is still free (a second connect of the same channel may have taken it
     * meanwhile; then it is left alone), makes the protocol and switches the channel to non-blocking mode,
     * closing it if either fails.
     */
    private <P extends Protocol> P takePipe(Supplier<P> protocolFactory, SelectableChannel pipe) throws Exception {
        ensureUnused(pipe);
        try {
            P protocol = Objects.requireNonNull(protocolFactory.get(),
                    () -> "protocolFactory " + protocolFactory + " returned null");
            pipe.configureBlocking(false);
            return protocol;
        } catch (Throwable t) {
            closeQuietly(pipe);
            throw t;
        }
    }

    /**
     * Refuses a channel a live transport, a reader or writer callback, a pending sock operation or a serving server
     * uses.
     */
    private void ensureUnused(SelectableChannel channel) {
        ensureNoTransport(channel);
        Registration r = registrations.get(channel);
        if (r != null && (r.reader != null || r.writer != null)) {
            throw new IllegalStateException("the channel " + channel + " has a reader or writer on this loop"
                    + " (addReader/addWriter, a pending sock operation, or a server accepting on it); remove it or"
                    + " close that server first");
        }
    }

    /** Inside the task: waits for connectionMade; closes the transport if that fails or the wait is cancelled. */
    private static void awaitMade(Future<@Nullable Void> waiter, ReadinessTransport<?> transport) throws Exception {
        try {
            awaitChecked(waiter);
        } catch (Throwable t) {
            transport.close();
            throw t;
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Awaits inside a task, rethrowing a checked exception of the future as it is. */
    static <T extends @Nullable Object> T awaitChecked(Future<T> future) throws Exception {
        try {
            return Async.await(future);
        } catch (CompletionException e) {
            if (e.getCause() instanceof Exception cause && !(cause instanceof CancelledError)) {
                throw cause;
            }
            throw e;
        }
    }

    static void closeQuietly(java.nio.channels.@Nullable Channel channel) {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // Nothing more can be done with a channel that fails to close.
        }
    }
}
