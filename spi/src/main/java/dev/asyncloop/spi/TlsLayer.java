package dev.asyncloop.spi;

import dev.asyncloop.BufferedProtocol;
import dev.asyncloop.Connection;
import dev.asyncloop.EventLoop;
import dev.asyncloop.Future;
import dev.asyncloop.Handle;
import dev.asyncloop.Protocol;
import dev.asyncloop.StreamTransport;
import dev.asyncloop.TlsOptions;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

/**
 * TLS as a protocol layered over any {@link StreamTransport} (asyncio's {@code sslproto}), for loop authors: the
 * default {@link EventLoop#startTls} is built on it, and a loop gives TLS connections and servers by handing
 * {@link #wrap} to its stream transports in place of the application's protocol. Everything here runs on the
 * loop thread.
 *
 * <p>The layer drives a {@link javax.net.ssl.SSLEngine} made from the context: delegated tasks run inline;
 * buffers are borrowed from the loop for each read and write and given back at its end, so an idle connection
 * holds none (only an incomplete record, or data a paused application has not taken, waits with it). See
 * {@link TlsOptions} for host name verification and the timeouts.
 */
public final class TlsLayer {
    private TlsLayer() {
    }

    /**
     * Returns the protocol to give a new stream transport so that it carries TLS: when the transport calls its
     * {@code connectionMade}, it starts the handshake (bounded by {@link TlsOptions#handshakeTimeout()}); once
     * the handshake is done it calls {@code application.connectionMade} with the TLS transport, then completes
     * {@code handshakeDone} with that transport. A failed handshake fails {@code handshakeDone} with the
     * {@link javax.net.ssl.SSLException} (a {@link java.net.SocketTimeoutException} on timeout) and closes the
     * transport; {@code application} then hears nothing.
     *
     * @param loop the loop of the transport
     * @param application the application's protocol
     * @param context the TLS context
     * @param options side, server host name, timeouts
     * @param handshakeDone completed as above, or null when nobody waits (a server's connection)
     * @return the protocol for the raw transport
     * @throws IllegalArgumentException if the client side has no {@link TlsOptions#serverHostname()}
     * @throws IllegalStateException if the context is not initialized
     */
    public static BufferedProtocol wrap(EventLoop loop, Protocol application, SSLContext context, TlsOptions options,
            @Nullable Future<StreamTransport> handshakeDone) {
        return new TlsProtocol(loop, application, context, options, true, handshakeDone);
    }

    /**
     * asyncio's {@code loop.start_tls}: upgrades an open connection to TLS; the implementation of
     * {@link EventLoop#startTls(StreamTransport, Protocol, SSLContext, TlsOptions)}, built only on the public
     * {@link StreamTransport} API. Pauses the transport's reading, installs the TLS layer as its protocol,
     * and in the next iteration starts the handshake and resumes reading. {@code protocol} gets no second
     * {@code connectionMade}; after the handshake its events come from the returned transport.
     *
     * @param loop the loop of the transport
     * @param transport the open plain transport
     * @param protocol the application's protocol, which keeps serving the connection
     * @param context the TLS context
     * @param options side, server host name, timeouts
     * @return a future of the TLS transport, done after the handshake; failed with the handshake's error, the
     *     transport then closed. Cancelling it closes the transport, and so does cancelling the only task awaiting
     *     it before that task takes the result: the plain {@code transport} is closed at once (what it buffered
     *     is still sent), with no TLS {@code close_notify} and no wait for the peer's, as asyncio's
     *     {@code start_tls} closes the transport it was given; the protocol then gets {@code connectionLost}.
     * @throws IllegalArgumentException as {@link #wrap}
     * @throws IllegalStateException if the transport is closing, or the context is not initialized
     * @throws NullPointerException if an argument is null
     */
    public static Future<StreamTransport> startTls(EventLoop loop, StreamTransport transport, Protocol protocol,
            SSLContext context, TlsOptions options) {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(protocol, "protocol");
        TlsProtocol.checkOptions(context, options);
        if (transport.isClosing()) {
            throw new IllegalStateException("startTls: transport " + transport + " is closing; upgrade an open"
                    + " connection");
        }
        Future<StreamTransport> waiter = loop.createFuture();
        TlsProtocol tls = new TlsProtocol(loop, protocol, context, options, false, waiter);
        // Paused first, so that no byte reaches the TLS layer before its connectionMade.
        transport.pauseReading();
        transport.setProtocol(tls);
        Handle made = loop.callSoon(() -> tls.connectionMade(transport));
        Handle resume = loop.callSoon(transport::resumeReading);
        waiter.addDoneCallback(f -> {
            if (f.isCancelled() || f.exception().isPresent()) {
                made.cancel();
                resume.cancel();
                transport.close();
            }
        });
        // Nobody took the TLS transport: close the plain one under it at once, as asyncio's start_tls closes the
        // transport it was given when its await raises, rather than start a TLS shutdown nobody waits for.
        return BaseFuture.closeIfUndelivered(waiter, tlsTransport -> transport.close());
    }

    /**
     * asyncio's {@code connect_accepted_socket} with {@code ssl}: the implementation of
     * {@link EventLoop#connectAcceptedSocket(Supplier, SocketChannel, SSLContext, TlsOptions)}, built only on the
     * loop's plain {@link EventLoop#connectAcceptedSocket(Supplier, SocketChannel)}: the raw transport's protocol is
     * a TLS layer ({@link #wrap}) over the application's, and the returned future waits for the handshake.
     * Cancelling the future aborts the connection (or, before the transport exists, cancels making it and closes
     * the channel).
     *
     * @param loop the loop that takes the channel over
     * @param protocolFactory makes the application's protocol (called on the loop thread)
     * @param channel an open, connected channel (TCP or Unix-domain)
     * @param context the server's TLS context, with its key material
     * @param options server-side options: the handshake and shutdown timeouts
     * @param <P> the protocol type
     * @return a future of the TLS transport and the application's protocol, done after the handshake and the
     *     protocol's {@code connectionMade}; failed with the handshake's error (a
     *     {@link java.net.SocketTimeoutException} on timeout), the channel then closed
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code options} are client-side, or as the plain
     *     {@code connectAcceptedSocket} for the channel (closed, not connected)
     * @throws IllegalStateException as the plain {@code connectAcceptedSocket} (loop closed, channel in use)
     */
    public static <P extends Protocol> Future<Connection<P>> connectAcceptedSocket(EventLoop loop,
            Supplier<P> protocolFactory, SocketChannel channel, SSLContext context, TlsOptions options) {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(protocolFactory, "protocolFactory");
        Objects.requireNonNull(channel, "channel");
        TlsProtocol.checkOptions(context, options);
        if (!options.serverSide()) {
            throw new IllegalArgumentException("options: an accepted connection runs the server side of TLS (as"
                    + " asyncio's connect_accepted_socket), got client-side " + options + "; use TlsOptions.server()"
                    + " or TlsOptions.builder().serverSide(true), or startTls for a client-side upgrade");
        }
        Future<StreamTransport> handshake = loop.createFuture();
        Object[] application = new Object[1];
        Supplier<BufferedProtocol> layered = new Supplier<>() {
            @Override
            public BufferedProtocol get() {
                P app = Objects.requireNonNull(protocolFactory.get(),
                        () -> "protocolFactory " + protocolFactory + " returned null");
                application[0] = app;
                return wrap(loop, app, context, options, handshake);
            }

            @Override
            public String toString() {
                return "TLS over " + protocolFactory;
            }
        };
        Future<Connection<BufferedProtocol>> raw = loop.connectAcceptedSocket(layered, channel);
        Future<Connection<P>> result = loop.createFuture();
        raw.addDoneCallback(f -> {
            // Retrieved even when nobody waits any more, so that no failure is reported as never retrieved.
            Throwable failed = f.isCancelled() ? null : f.exception().orElse(null);
            if (f.isCancelled() && application[0] == null) {
                // Cancelled before the loop took the channel over: nobody else will close it.
                ReadinessEventLoop.closeQuietly(channel);
            }
            if (result.isDone()) {
                return;
            }
            if (f.isCancelled()) {
                result.cancel();
            } else if (failed != null) {
                result.setException(failed);
            }
        });
        handshake.addDoneCallback(f -> {
            Throwable failed = f.isCancelled() ? null : f.exception().orElse(null);
            if (result.isDone() || f.isCancelled()) {
                return;
            }
            if (failed != null) {
                result.setException(failed);
            } else {
                @SuppressWarnings("unchecked")
                P app = (P) application[0];
                result.setResult(new Connection<>(f.result(), app));
            }
        });
        result.addDoneCallback(f -> {
            if (!f.isCancelled()) {
                return;
            }
            handshake.cancel();
            if (raw.isDone() && !raw.isCancelled() && raw.exception().isEmpty()) {
                raw.result().transport().abort();
            } else {
                raw.cancel();
            }
        });
        return BaseFuture.closeIfUndelivered(result, c -> c.transport().close());
    }
}
