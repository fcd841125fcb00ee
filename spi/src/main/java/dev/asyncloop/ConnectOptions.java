package dev.asyncloop;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.jspecify.annotations.Nullable;

/**
 * Options of {@link EventLoop#createConnection(java.util.function.Supplier, String, int, ConnectOptions)}.
 * Immutable; build with {@link #builder()}.
 */
public final class ConnectOptions {
    private static final ConnectOptions DEFAULTS = builder().build();
    private final @Nullable SocketAddress localAddress;
    private final @Nullable Duration happyEyeballsDelay;
    private final int interleave;
    private final @Nullable SSLContext ssl;
    private final @Nullable String serverHostname;
    private final @Nullable Duration sslHandshakeTimeout;
    private final @Nullable Duration sslShutdownTimeout;
    private final @Nullable Consumer<? super SSLParameters> sslParameters;
    private final @Nullable StandardProtocolFamily family;

    private ConnectOptions(Builder b) {
        this.family = b.family;
        this.localAddress = b.localAddress;
        this.happyEyeballsDelay = b.happyEyeballsDelay;
        this.interleave = b.interleave;
        this.ssl = b.ssl;
        this.serverHostname = b.serverHostname;
        this.sslHandshakeTimeout = b.sslHandshakeTimeout;
        this.sslShutdownTimeout = b.sslShutdownTimeout;
        this.sslParameters = b.sslParameters;
    }

    /**
     * Returns the options with every default.
     *
     * @return no local address
     */
    public static ConnectOptions defaults() {
        return DEFAULTS;
    }

    /**
     * Starts a builder.
     *
     * @return a builder with every default
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the local address the socket binds to before connecting (asyncio's {@code local_addr}). An
     * unresolved address is resolved when connecting, and each attempt binds to the first of its answers of the
     * attempt's family that binds; an attempt for which none is of its family fails with a
     * {@link java.net.SocketException} "no matching local address ..." and the next address is tried. A wildcard
     * address ({@code 0.0.0.0} or {@code ::}) stands for the wildcard of either family. A bind error names the
     * local address.
     *
     * @return the address, or empty to let the system choose
     */
    public Optional<SocketAddress> localAddress() {
        return Optional.ofNullable(localAddress);
    }

    /**
     * Returns the Happy Eyeballs delay (RFC 8305, asyncio's {@code happy_eyeballs_delay}): with it, connection
     * attempts overlap; the next address is tried when the previous attempt fails or this delay has passed,
     * whichever comes first. The first attempt to connect wins; the others are cancelled and their sockets
     * closed.
     *
     * @return the delay, or empty to try the addresses one after the other (the default)
     */
    public Optional<Duration> happyEyeballsDelay() {
        return Optional.ofNullable(happyEyeballsDelay);
    }

    /**
     * Returns how the resolved addresses are reordered by family before connecting (asyncio's
     * {@code interleave}): 0 keeps the resolver's order; n moves n addresses of the first family to the front,
     * then alternates one of the other family and one of the first.
     *
     * @return the interleave count; when not set, 1 with a Happy Eyeballs delay and 0 without
     */
    public int interleave() {
        return interleave >= 0 ? interleave : happyEyeballsDelay != null ? 1 : 0;
    }

    /**
     * Returns the TLS context (asyncio's {@code ssl}): with it the connection runs TLS over the socket, and the
     * connect future is done only after the handshake, with the TLS transport; a failed handshake fails it with
     * the {@link javax.net.ssl.SSLException} and closes the socket.
     *
     * @return the context, or empty for a plain connection (the default)
     */
    public Optional<SSLContext> ssl() {
        return Optional.ofNullable(ssl);
    }

    /**
     * Returns the host name to verify the server's certificate against and send as SNI (asyncio's
     * {@code server_hostname}); see {@link TlsOptions#serverHostname()}.
     *
     * @return the name ({@code ""}: verify none), or empty for the default: the {@code host} connected to (a Unix
     *     connection has no default and requires one)
     */
    public Optional<String> serverHostname() {
        return Optional.ofNullable(serverHostname);
    }

    /**
     * Returns the TLS handshake timeout (asyncio's {@code ssl_handshake_timeout}).
     *
     * @return the timeout (default {@link TlsOptions#DEFAULT_HANDSHAKE_TIMEOUT})
     */
    public Duration sslHandshakeTimeout() {
        return sslHandshakeTimeout != null ? sslHandshakeTimeout : TlsOptions.DEFAULT_HANDSHAKE_TIMEOUT;
    }

    /**
     * Returns the TLS shutdown timeout (asyncio's {@code ssl_shutdown_timeout}).
     *
     * @return the timeout (default {@link TlsOptions#DEFAULT_SHUTDOWN_TIMEOUT})
     */
    public Duration sslShutdownTimeout() {
        return sslShutdownTimeout != null ? sslShutdownTimeout : TlsOptions.DEFAULT_SHUTDOWN_TIMEOUT;
    }

    /**
     * Returns the configurer of the TLS engine's parameters (ALPN, client authentication, protocols, cipher
     * suites: what asyncio sets on its SSL context); see {@link TlsOptions#sslParameters()}.
     *
     * @return the configurer, or empty
     */
    public Optional<Consumer<? super SSLParameters>> sslParameters() {
        return Optional.ofNullable(sslParameters);
    }

    /**
     * Returns the client-side TLS options these options describe, for a loop to hand to its TLS layer.
     *
     * @param defaultHostname the server host name to use when {@link #serverHostname()} is empty, or null
     * @return the options, or empty without {@link #ssl()}
     * @throws IllegalArgumentException if neither a server host name nor {@code defaultHostname} is given
     *     (asyncio: "you have to pass server_hostname when using ssl")
     */
    public Optional<TlsOptions> tlsOptions(@Nullable String defaultHostname) {
        if (ssl == null) {
            return Optional.empty();
        }
        String name = serverHostname != null ? serverHostname : defaultHostname;
        if (name == null) {
            throw new IllegalArgumentException("serverHostname is required with ssl here (there is no host name to"
                    + " default to); set ConnectOptions.Builder.serverHostname(name), or \"\" to verify no name");
        }
        return Optional.of(TlsOptions.builder().serverHostname(name).handshakeTimeout(sslHandshakeTimeout())
                .shutdownTimeout(sslShutdownTimeout()).sslParameters(sslParameters).build());
    }

    /**
     * Returns the address family to connect with (asyncio's {@code family}): the host, and an unresolved
     * {@link #localAddress()}, are resolved to that family only, so a host without an address of it fails to
     * resolve ({@link java.net.UnknownHostException}).
     *
     * @return the family, or empty for every answer of the resolver (the default)
     */
    public Optional<StandardProtocolFamily> family() {
        return Optional.ofNullable(family);
    }

    /**
     * Returns a builder holding these options, to derive a changed copy: {@code toBuilder().build()} has every
     * value of these options; a value left at its default stays unset, so that it still follows the
     * others (the interleave count follows a Happy Eyeballs delay set on the builder).
     *
     * @return a new builder
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.localAddress = localAddress;
        b.happyEyeballsDelay = happyEyeballsDelay;
        b.interleave = interleave;
        b.ssl = ssl;
        b.serverHostname = serverHostname;
        b.sslHandshakeTimeout = sslHandshakeTimeout;
        b.sslShutdownTimeout = sslShutdownTimeout;
        b.sslParameters = sslParameters;
        b.family = family;
        return b;
    }

    @Override
    public String toString() {
        return "ConnectOptions[localAddress=" + localAddress + ", happyEyeballsDelay=" + happyEyeballsDelay
                + ", interleave=" + interleave() + ", family=" + family + (ssl == null ? "" : ", ssl="
                + ssl.getProtocol() + ", serverHostname=" + serverHostname + ", sslHandshakeTimeout="
                + sslHandshakeTimeout() + ", sslShutdownTimeout=" + sslShutdownTimeout()
                + (sslParameters != null ? ", sslParameters=" + sslParameters : "")) + "]";
    }

    /** Builds {@link ConnectOptions}; not thread-safe. */
    public static final class Builder {
        private @Nullable SocketAddress localAddress;
        private @Nullable Duration happyEyeballsDelay;
        private int interleave = -1;
        private @Nullable SSLContext ssl;
        private @Nullable String serverHostname;
        private @Nullable Duration sslHandshakeTimeout;
        private @Nullable Duration sslShutdownTimeout;
        private @Nullable Consumer<? super SSLParameters> sslParameters;
        private @Nullable StandardProtocolFamily family;

        private Builder() {
        }

        /**
         * Runs TLS over the connection with {@code context}; see {@link ConnectOptions#ssl()}.
         *
         * @param context the client's context, or null for a plain connection
         * @return this builder
         */
        public Builder ssl(@Nullable SSLContext context) {
            this.ssl = context;
            return this;
        }

        /**
         * Sets the server host name of the TLS handshake; see {@link ConnectOptions#serverHostname()}.
         *
         * @param serverHostname the name, {@code ""} to verify none, or null for the default
         * @return this builder
         * @throws IllegalArgumentException if it is neither a literal address nor a valid host name
         */
        public Builder serverHostname(@Nullable String serverHostname) {
            this.serverHostname = TlsOptions.checkHostname(serverHostname);
            return this;
        }

        /**
         * Sets the TLS handshake timeout.
         *
         * @param timeout positive, or null for the default
         * @return this builder
         * @throws IllegalArgumentException if {@code timeout} is zero or negative
         */
        public Builder sslHandshakeTimeout(@Nullable Duration timeout) {
            this.sslHandshakeTimeout = timeout == null ? null : TlsOptions.checkTimeout("sslHandshakeTimeout", timeout);
            return this;
        }

        /**
         * Sets the TLS shutdown timeout.
         *
         * @param timeout positive, or null for the default
         * @return this builder
         * @throws IllegalArgumentException if {@code timeout} is zero or negative
         */
        public Builder sslShutdownTimeout(@Nullable Duration timeout) {
            this.sslShutdownTimeout = timeout == null ? null : TlsOptions.checkTimeout("sslShutdownTimeout", timeout);
            return this;
        }

        /**
         * Sets the configurer of the TLS engine's parameters; see {@link TlsOptions#sslParameters()}.
         *
         * @param configurer changes the {@link SSLParameters} it is given, or null for none
         * @return this builder
         */
        public Builder sslParameters(@Nullable Consumer<? super SSLParameters> configurer) {
            this.sslParameters = configurer;
            return this;
        }

        /**
         * Restricts the connection to one address family; see {@link ConnectOptions#family()}.
         *
         * @param family {@code INET}, {@code INET6}, or null for both
         * @return this builder
         * @throws IllegalArgumentException for {@link StandardProtocolFamily#UNIX} (use
         *     {@link EventLoop#createUnixConnection})
         */
        public Builder family(@Nullable StandardProtocolFamily family) {
            if (family == StandardProtocolFamily.UNIX) {
                throw new IllegalArgumentException("family: UNIX is not a TCP family; use INET, INET6 or null, and"
                        + " EventLoop.createUnixConnection for a Unix-domain connection");
            }
            this.family = family;
            return this;
        }

        /**
         * Enables Happy Eyeballs with {@code delay} between attempts (RFC 8305 recommends 250 ms).
         *
         * @param delay the delay, at least 0, or null to connect sequentially
         * @return this builder
         * @throws IllegalArgumentException if {@code delay} is negative
         */
        public Builder happyEyeballsDelay(@Nullable Duration delay) {
            if (delay != null && delay.isNegative()) {
                throw new IllegalArgumentException("happyEyeballsDelay must not be negative, got " + delay);
            }
            this.happyEyeballsDelay = delay;
            return this;
        }

        /**
         * Sets the interleave count; see {@link ConnectOptions#interleave()}.
         *
         * @param interleave at least 0
         * @return this builder
         * @throws IllegalArgumentException if {@code interleave < 0}
         */
        public Builder interleave(int interleave) {
            if (interleave < 0) {
                throw new IllegalArgumentException("interleave must be at least 0, got " + interleave);
            }
            this.interleave = interleave;
            return this;
        }

        /**
         * Binds the socket to {@code address} before connecting (asyncio's {@code local_addr}); see
         * {@link ConnectOptions#localAddress()}.
         *
         * @param address an {@link InetSocketAddress}, resolved or not (its port 0 for any), or null for none
         * @return this builder
         * @throws IllegalArgumentException if {@code address} is not an {@link InetSocketAddress}
         */
        public Builder localAddress(@Nullable SocketAddress address) {
            if (address != null && !(address instanceof InetSocketAddress)) {
                throw new IllegalArgumentException("localAddress must be an InetSocketAddress (a TCP connection"
                        + " binds to an IP address and port), got " + address.getClass().getName() + " " + address);
            }
            this.localAddress = address;
            return this;
        }

        /**
         * Builds the options.
         *
         * @return the immutable options
         * @throws IllegalArgumentException if a server host name, a TLS timeout or a parameters configurer is set
         *     without {@link #ssl}
         *     (asyncio: "server_hostname is only meaningful with ssl")
         */
        public ConnectOptions build() {
            if (ssl == null) {
                String set = serverHostname != null ? "serverHostname" : sslHandshakeTimeout != null
                        ? "sslHandshakeTimeout" : sslShutdownTimeout != null ? "sslShutdownTimeout"
                        : sslParameters != null ? "sslParameters" : null;
                if (set != null) {
                    throw new IllegalArgumentException(set + " is only meaningful with ssl; set"
                            + " ConnectOptions.Builder.ssl(context) too, or leave " + set + " unset");
                }
            }
            return new ConnectOptions(this);
        }
    }
}
