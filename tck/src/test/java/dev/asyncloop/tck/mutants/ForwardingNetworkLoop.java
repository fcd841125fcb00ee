package dev.asyncloop.tck.mutants;

import dev.asyncloop.AddrInfo;
import dev.asyncloop.AddrInfoOptions;
import dev.asyncloop.ConnectOptions;
import dev.asyncloop.Connection;
import dev.asyncloop.Context;
import dev.asyncloop.Datagram;
import dev.asyncloop.DatagramConnection;
import dev.asyncloop.DatagramOptions;
import dev.asyncloop.DatagramProtocol;
import dev.asyncloop.Future;
import dev.asyncloop.NameInfo;
import dev.asyncloop.PipeConnection;
import dev.asyncloop.Protocol;
import dev.asyncloop.ReadTransport;
import dev.asyncloop.Server;
import dev.asyncloop.ServerOptions;
import dev.asyncloop.StreamTransport;
import dev.asyncloop.SubprocessConnection;
import dev.asyncloop.SubprocessOptions;
import dev.asyncloop.SubprocessProtocol;
import dev.asyncloop.WriteTransport;
import dev.asyncloop.spi.BaseFuture;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A {@link ForwardingEventLoop} that forwards the networking and signal methods too: the base of the networking mutants and
 * their control. A mutant breaks a behaviour by overriding a method, or one of the hooks that see every protocol
 * and server the loop makes ({@link #protocol}, {@link #datagramProtocol}, {@link #server}); the loop hands the
 * application its own protocol object back in the {@link Connection}, as the real loop does.
 */
public class ForwardingNetworkLoop extends ForwardingEventLoop {
    /** Creates a loop over a new NIO loop. */
    public ForwardingNetworkLoop() {
    }

    /** Stands between the transport and the application's protocol; the identity here. */
    protected Protocol protocol(Protocol application) {
        return application;
    }

    /** Stands between a datagram transport and the application's protocol; the identity here. */
    protected DatagramProtocol datagramProtocol(DatagramProtocol application) {
        return application;
    }

    /** Stands between a subprocess transport and the application's protocol; the identity here. */
    protected SubprocessProtocol subprocessProtocol(SubprocessProtocol application) {
        return application;
    }

    /** Stands between the application and a server the loop made; the identity here. */
    protected Server server(Server real) {
        return real;
    }

    private <P extends Protocol> Future<Connection<P>> connection(Supplier<P> factory,
            Function<Supplier<Protocol>, Future<Connection<Protocol>>> open) {
        AtomicReference<P> application = new AtomicReference<>();
        Future<Connection<Protocol>> opened = open.apply(() -> {
            P p = factory.get();
            application.set(p);
            return p == null ? null : protocol(p);
        });
        return map(opened, c -> new Connection<>(c.transport(), application.get()));
    }

    /**
     * Closes a connection, server or endpoint that the application's only awaiting task, cancelled before it
     * resumed, never took (rules N15.x): the futures this loop hands out are its own, so they must carry the
     * undelivered-result handler the delegate's futures carry.
     */
    protected void closeUndelivered(Object result) {
        switch (result) {
            case Connection<?> c -> c.transport().close();
            case Server s -> s.close();
            case DatagramConnection<?> c -> c.transport().close();
            case PipeConnection<?, ?> c -> c.transport().close();
            case SubprocessConnection<?> c -> c.transport().close();
            case List<?> stages -> stages.forEach(this::closeUndelivered);
            default -> { }
        }
    }

    private <T, R> Future<R> map(Future<T> from, Function<T, R> f) {
        Future<R> to = delegate.createFuture();
        from.addDoneCallback(done -> {
            if (to.isDone()) {
                return;
            }
            if (done.isCancelled()) {
                to.cancel();
            } else if (done.exception().isPresent()) {
                to.setException(done.exception().get());
            } else {
                to.setResult(f.apply(done.result()));
            }
        });
        to.addDoneCallback(done -> {
            if (done.isCancelled()) {
                from.cancel();
            }
        });
        return BaseFuture.closeIfUndelivered(to, this::closeUndelivered);
    }

    @Override
    public void addReader(SelectableChannel channel, Runnable callback) {
        delegate.addReader(channel, callback);
    }

    @Override
    public boolean removeReader(SelectableChannel channel) {
        return delegate.removeReader(channel);
    }

    @Override
    public void addWriter(SelectableChannel channel, Runnable callback) {
        delegate.addWriter(channel, callback);
    }

    @Override
    public boolean removeWriter(SelectableChannel channel) {
        return delegate.removeWriter(channel);
    }

    @Override
    public Future<byte[]> sockRecv(SocketChannel channel, int maxBytes) {
        return delegate.sockRecv(channel, maxBytes);
    }

    @Override
    public Future<Integer> sockRecvInto(SocketChannel channel, ByteBuffer buffer) {
        return delegate.sockRecvInto(channel, buffer);
    }

    @Override
    public Future<Void> sockSendAll(SocketChannel channel, ByteBuffer data) {
        return delegate.sockSendAll(channel, data);
    }

    @Override
    public Future<Void> sockConnect(SocketChannel channel, SocketAddress address) {
        return delegate.sockConnect(channel, address);
    }

    @Override
    public Future<SocketChannel> sockAccept(ServerSocketChannel channel) {
        return delegate.sockAccept(channel);
    }

    @Override
    public <P extends Protocol> Future<Connection<P>> createConnection(Supplier<P> protocolFactory, String host,
            int port, ConnectOptions options) {
        return connection(protocolFactory, f -> delegate.createConnection(f, host, port, options));
    }

    @Override
    public Future<Server> createServer(Supplier<? extends Protocol> protocolFactory, String host, int port,
            ServerOptions options) {
        return map(delegate.createServer(() -> wrap(protocolFactory), host, port, options), this::server);
    }

    @Override
    public Future<Server> createServer(Supplier<? extends Protocol> protocolFactory, List<String> hosts, int port,
            ServerOptions options) {
        return map(delegate.createServer(() -> wrap(protocolFactory), hosts, port, options), this::server);
    }

    @Override
    public Future<Server> createServer(Supplier<? extends Protocol> protocolFactory,
            java.nio.channels.ServerSocketChannel channel, ServerOptions options) {
        return map(delegate.createServer(() -> wrap(protocolFactory), channel, options), this::server);
    }

    @Override
    public <P extends Protocol> Future<Connection<P>> connectAcceptedSocket(Supplier<P> protocolFactory,
            SocketChannel channel) {
        return connection(protocolFactory, f -> delegate.connectAcceptedSocket(f, channel));
    }

    @Override
    public <P extends Protocol> Future<Connection<P>> connectAcceptedSocket(Supplier<P> protocolFactory,
            SocketChannel channel, javax.net.ssl.SSLContext context, dev.asyncloop.TlsOptions options) {
        return connection(protocolFactory, f -> delegate.connectAcceptedSocket(f, channel, context, options));
    }

    @Override
    public Future<List<AddrInfo>> getAddrInfo(String host, int port, AddrInfoOptions options) {
        return delegate.getAddrInfo(host, port, options);
    }

    @Override
    public Future<NameInfo> getNameInfo(InetSocketAddress address) {
        return delegate.getNameInfo(address);
    }

    @Override
    public <P extends DatagramProtocol> Future<DatagramConnection<P>> createDatagramEndpoint(
            Supplier<P> protocolFactory, DatagramOptions options) {
        AtomicReference<P> application = new AtomicReference<>();
        Future<DatagramConnection<DatagramProtocol>> opened = delegate.createDatagramEndpoint(() -> {
            P p = protocolFactory.get();
            application.set(p);
            return p == null ? null : datagramProtocol(p);
        }, options);
        return map(opened, c -> new DatagramConnection<>(c.transport(), application.get()));
    }

    @Override
    public Future<Datagram> sockRecvFrom(DatagramChannel channel, int maxBytes) {
        return delegate.sockRecvFrom(channel, maxBytes);
    }

    @Override
    public Future<java.net.SocketAddress> sockRecvFromInto(DatagramChannel channel, ByteBuffer buffer) {
        return delegate.sockRecvFromInto(channel, buffer);
    }

    @Override
    public Future<Integer> sockSendTo(DatagramChannel channel, ByteBuffer data, SocketAddress address) {
        return delegate.sockSendTo(channel, data, address);
    }

    @Override
    public Future<byte[]> sockRecv(DatagramChannel channel, int maxBytes) {
        return delegate.sockRecv(channel, maxBytes);
    }

    @Override
    public Future<Integer> sockRecvInto(DatagramChannel channel, ByteBuffer buffer) {
        return delegate.sockRecvInto(channel, buffer);
    }

    @Override
    public Future<Void> sockSendAll(DatagramChannel channel, ByteBuffer data) {
        return delegate.sockSendAll(channel, data);
    }

    @Override
    public <P extends Protocol> Future<Connection<P>> createUnixConnection(Supplier<P> protocolFactory, Path path) {
        return connection(protocolFactory, f -> delegate.createUnixConnection(f, path));
    }

    @Override
    public <P extends Protocol> Future<Connection<P>> createUnixConnection(Supplier<P> protocolFactory, Path path,
            ConnectOptions options) {
        return connection(protocolFactory, f -> delegate.createUnixConnection(f, path, options));
    }

    @Override
    public Future<Server> createUnixServer(Supplier<? extends Protocol> protocolFactory, Path path,
            ServerOptions options) {
        return map(delegate.createUnixServer(() -> wrap(protocolFactory), path, options), this::server);
    }

    @Override
    public Future<Long> sendfile(StreamTransport transport, FileChannel file, long offset, long count) {
        return delegate.sendfile(transport, file, offset, count);
    }

    @Override
    public Future<Long> sockSendfile(SocketChannel channel, FileChannel file, long offset, long count) {
        return delegate.sockSendfile(channel, file, offset, count);
    }

    /** Stands between a pipe transport and the application's protocol; {@link #protocol} here. */
    protected Protocol pipeProtocol(Protocol application) {
        return protocol(application);
    }

    @Override
    public <P extends Protocol, C extends SelectableChannel & ReadableByteChannel>
            Future<PipeConnection<ReadTransport, P>> connectReadPipe(Supplier<P> protocolFactory, C pipe) {
        Objects.requireNonNull(protocolFactory, "protocolFactory");
        AtomicReference<P> application = new AtomicReference<>();
        Future<PipeConnection<ReadTransport, Protocol>> opened = delegate.connectReadPipe(
                () -> pipeProtocolOf(protocolFactory, application), pipe);
        return map(opened, c -> new PipeConnection<>(c.transport(), application.get()));
    }

    @Override
    public <P extends Protocol, C extends SelectableChannel & WritableByteChannel>
            Future<PipeConnection<WriteTransport, P>> connectWritePipe(Supplier<P> protocolFactory, C pipe) {
        Objects.requireNonNull(protocolFactory, "protocolFactory");
        AtomicReference<P> application = new AtomicReference<>();
        Future<PipeConnection<WriteTransport, Protocol>> opened = delegate.connectWritePipe(
                () -> pipeProtocolOf(protocolFactory, application), pipe);
        return map(opened, c -> new PipeConnection<>(c.transport(), application.get()));
    }

    private <P extends Protocol> Protocol pipeProtocolOf(Supplier<P> factory, AtomicReference<P> application) {
        P p = factory.get();
        application.set(p);
        return p == null ? null : pipeProtocol(p);
    }

    @Override
    public void addSignalHandler(String signal, Runnable callback, Context context) {
        delegate.addSignalHandler(signal, callback, context);
    }

    @Override
    public boolean removeSignalHandler(String signal) {
        return delegate.removeSignalHandler(signal);
    }

    private Protocol wrap(Supplier<? extends Protocol> factory) {
        Protocol p = factory.get();
        return p == null ? null : protocol(p);
    }

    @Override
    public <P extends SubprocessProtocol> Future<SubprocessConnection<P>> subprocessExec(Supplier<P> protocolFactory,
            List<String> command, SubprocessOptions options) {
        return subprocess(protocolFactory, f -> delegate.subprocessExec(f, command, options));
    }

    @Override
    public <P extends SubprocessProtocol> Future<SubprocessConnection<P>> subprocessShell(
            Supplier<P> protocolFactory, String command, SubprocessOptions options) {
        return subprocess(protocolFactory, f -> delegate.subprocessShell(f, command, options));
    }

    @Override
    public <P extends SubprocessProtocol> Future<List<SubprocessConnection<P>>> subprocessPipeline(
            Supplier<P> protocolFactory, List<List<String>> commands, SubprocessOptions options) {
        List<P> applications = new ArrayList<>();
        Future<List<SubprocessConnection<SubprocessProtocol>>> opened = delegate.subprocessPipeline(() -> {
            P p = protocolFactory.get();
            applications.add(p);
            return p == null ? null : subprocessProtocol(p);
        }, commands, options);
        return map(opened, cs -> {
            List<SubprocessConnection<P>> stages = new ArrayList<>(cs.size());
            for (int i = 0; i < cs.size(); i++) {
                stages.add(new SubprocessConnection<>(cs.get(i).transport(), applications.get(i)));
            }
            return List.copyOf(stages);
        });
    }

    private <P extends SubprocessProtocol> Future<SubprocessConnection<P>> subprocess(Supplier<P> factory,
            Function<Supplier<SubprocessProtocol>, Future<SubprocessConnection<SubprocessProtocol>>> open) {
        AtomicReference<P> application = new AtomicReference<>();
        Future<SubprocessConnection<SubprocessProtocol>> opened = open.apply(() -> {
            P p = factory.get();
            application.set(p);
            return p == null ? null : subprocessProtocol(p);
        });
        return map(opened, c -> new SubprocessConnection<>(c.transport(), application.get()));
    }
}
