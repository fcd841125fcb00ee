package dev.asyncloop.tck.mutants;

import dev.asyncloop.ConnectOptions;
import dev.asyncloop.Connection;
import dev.asyncloop.Future;
import dev.asyncloop.Protocol;
import dev.asyncloop.StreamTransport;
import dev.asyncloop.TlsOptions;
import dev.asyncloop.Transport;
import dev.asyncloop.spi.TlsLayer;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/** The TLS mutants of {@link Mutants}: each a {@link ForwardingNetworkLoop} that gets one TLS rule wrong. */
final class TlsMutants {
    private TlsMutants() {
    }

    /**
     * Broken N12.2: a TLS client connection tells its protocol connectionMade with the plain transport as soon as
     * TCP connects, then runs the handshake underneath (startTls).
     */
    static final class ConnectionMadeBeforeHandshake extends ForwardingNetworkLoop {
        @Override
        public <P extends Protocol> Future<Connection<P>> createConnection(Supplier<P> protocolFactory, String host,
                int port, ConnectOptions options) {
            if (options.ssl().isEmpty()) {
                return super.createConnection(protocolFactory, host, port, options);
            }
            SSLContext context = options.ssl().get();
            Future<Connection<P>> result = delegate.createFuture();
            Future<Connection<P>> plain = delegate.createConnection(protocolFactory, host, port,
                    ConnectOptions.defaults());
            plain.addDoneCallback(f -> {
                if (f.isCancelled() || f.exception().isPresent()) {
                    result.setException(f.isCancelled() ? new IllegalStateException("cancelled")
                            : f.exception().get());
                    return;
                }
                Connection<P> c = f.result();
                Future<StreamTransport> tls = startTls(c.transport(), c.protocol(), context,
                        TlsOptions.client(options.serverHostname().orElse(host)));
                tls.addDoneCallback(t -> {
                    if (t.exception().isPresent()) {
                        result.setException(t.exception().get());
                    } else if (!t.isCancelled()) {
                        result.setResult(new Connection<>(t.result(), c.protocol()));
                    }
                });
            });
            return result;
        }
    }

    /** Broken N12.7: a TLS transport's close() aborts: what is buffered is lost and no close_notify is sent. */
    static final class CloseAborts extends ForwardingNetworkLoop {
        @Override
        public <P extends Protocol> Future<Connection<P>> createConnection(Supplier<P> protocolFactory, String host,
                int port, ConnectOptions options) {
            Future<Connection<P>> real = super.createConnection(protocolFactory, host, port, options);
            Future<Connection<P>> out = delegate.createFuture();
            real.addDoneCallback(f -> {
                if (f.isCancelled()) {
                    out.cancel();
                } else if (f.exception().isPresent()) {
                    out.setException(f.exception().get());
                } else {
                    Connection<P> c = f.result();
                    out.setResult(new Connection<>(c.transport().getExtraInfo(Transport.SSL_CONTEXT).isPresent()
                            ? new AbortOnClose(c.transport()) : c.transport(), c.protocol()));
                }
            });
            return out;
        }

        @Override
        protected Protocol protocol(Protocol application) {
            return new NetworkMutants.ProtocolRelay(application) {
                @Override
                public void connectionMade(Transport transport) {
                    StreamTransport real = (StreamTransport) transport;
                    application.connectionMade(real.getExtraInfo(Transport.SSL_CONTEXT).isPresent()
                            ? new AbortOnClose(real) : real);
                }
            };
        }
    }

    /** Broken N12.25: connectAcceptedSocket ignores the TLS context and serves the connection in plain text. */
    static final class AcceptedIgnoresSsl extends ForwardingNetworkLoop {
        @Override
        public <P extends Protocol> Future<Connection<P>> connectAcceptedSocket(Supplier<P> protocolFactory,
                SocketChannel channel, SSLContext context, TlsOptions options) {
            return connectAcceptedSocket(protocolFactory, channel);
        }
    }

    /**
     * Broken N12.26: connectAcceptedSocket with TLS is done as soon as the raw transport exists, with that plain
     * transport, before the handshake (and before the protocol's connectionMade).
     */
    static final class AcceptedDoneBeforeHandshake extends ForwardingNetworkLoop {
        @Override
        public <P extends Protocol> Future<Connection<P>> connectAcceptedSocket(Supplier<P> protocolFactory,
                SocketChannel channel, SSLContext context, TlsOptions options) {
            Object[] application = new Object[1];
            Future<Connection<Protocol>> raw = delegate.connectAcceptedSocket(() -> {
                P app = protocolFactory.get();
                application[0] = app;
                return TlsLayer.wrap(delegate, app, context, options, null);
            }, channel);
            Future<Connection<P>> out = delegate.createFuture();
            raw.addDoneCallback(f -> {
                if (f.isCancelled()) {
                    out.cancel();
                } else if (f.exception().isPresent()) {
                    out.setException(f.exception().get());
                } else {
                    @SuppressWarnings("unchecked")
                    P app = (P) application[0];
                    out.setResult(new Connection<>(f.result().transport(), app));
                }
            });
            return out;
        }
    }

    /** Forwards everything to a stream transport except {@code close()}, which aborts. */
    private static final class AbortOnClose implements StreamTransport {
        private final StreamTransport real;

        AbortOnClose(StreamTransport real) {
            this.real = real;
        }

        @Override
        public void close() {
            real.abort();
        }

        @Override
        public boolean isClosing() {
            return real.isClosing();
        }

        @Override
        public Optional<Object> getExtraInfo(String key) {
            return real.getExtraInfo(key);
        }

        @Override
        public void setProtocol(Protocol protocol) {
            real.setProtocol(protocol);
        }

        @Override
        public Protocol getProtocol() {
            return real.getProtocol();
        }

        @Override
        public void pauseReading() {
            real.pauseReading();
        }

        @Override
        public void resumeReading() {
            real.resumeReading();
        }

        @Override
        public boolean isReading() {
            return real.isReading();
        }

        @Override
        public void write(ByteBuffer data) {
            real.write(data);
        }

        @Override
        public void writeLines(List<ByteBuffer> data) {
            real.writeLines(data);
        }

        @Override
        public void writeEof() {
            real.writeEof();
        }

        @Override
        public boolean canWriteEof() {
            return real.canWriteEof();
        }

        @Override
        public void abort() {
            real.abort();
        }

        @Override
        public void setWriteBufferLimits(Integer high, Integer low) {
            real.setWriteBufferLimits(high, low);
        }

        @Override
        public int getWriteBufferHighWater() {
            return real.getWriteBufferHighWater();
        }

        @Override
        public int getWriteBufferLowWater() {
            return real.getWriteBufferLowWater();
        }

        @Override
        public int getWriteBufferSize() {
            return real.getWriteBufferSize();
        }
    }

    /**
     * Broken N15.9: when the only task awaiting startTls is cancelled before it takes the TLS transport, the TLS
     * transport is closed (close_notify, then a wait for the peer's) instead of the plain transport at once.
     */
    static final class UndeliveredStartTlsClosesGracefully extends ForwardingNetworkLoop {
        @Override
        public Future<StreamTransport> startTls(StreamTransport transport, Protocol protocol, SSLContext context,
                TlsOptions options) {
            Future<StreamTransport> upgrading = TlsLayer.startTls(this, transport, protocol, context, options);
            Future<StreamTransport> result = delegate.createFuture();
            result.addDoneCallback(f -> {
                if (f.isCancelled()) {
                    upgrading.cancel();
                }
            });
            upgrading.addDoneCallback(f -> {
                if (result.isDone()) {
                    return;
                }
                if (f.isCancelled()) {
                    result.cancel();
                } else if (f.exception().isPresent()) {
                    result.setException(f.exception().get());
                } else {
                    result.setResult(f.result());
                }
            });
            return dev.asyncloop.spi.BaseFuture.closeIfUndelivered(result, StreamTransport::close);
        }
    }
}
