package dev.asyncloop;

import java.net.StandardProtocolFamily;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.jspecify.annotations.Nullable;

/**
 * Options of {@link EventLoop#createServer(java.util.function.Supplier, String, int, ServerOptions)}.
 * Immutable; build with {@link #builder()}.
 */
public final class ServerOptions {
    private static final ServerOptions DEFAULTS = builder().build();
    private final int backlog;
    private final boolean reuseAddress;
    private final boolean startServing;
    private final boolean cleanupSocket;
    private final boolean reusePort;
    private final @Nullable SSLContext ssl;
    private final @Nullable Duration sslHandshakeTimeout;
    private final @Nullable Duration sslShutdownTimeout;
    private final @Nullable Consumer<? super SSLParameters> sslParameters;
    private final boolean keepAlive;
    private final @Nullable StandardProtocolFamily family;

    private ServerOptions(Builder b) {
        this.ssl = b.ssl;
        this.sslHandshakeTimeout = b.sslHandshakeTimeout;
        this.sslShutdownTimeout = b.sslShutdownTimeout;
        this.sslParameters = b.sslParameters;
        this.keepAlive = b.keepAlive;
        this.family = b.family;
        this.cleanupSocket = b.cleanupSocket;
        this.backlog = b.backlog;
        this.reuseAddress = b.reuseAddress;
        this.startServing = b.startServing;
        this.reusePort = b.reusePort;
    }

    /**
     * Returns the options with every default.
     *
     * @return backlog 100, reuseAddress true, startServing true
     */
    public static ServerOptions defaults() {
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
     * Returns the listen backlog, also the most connections accepted per readiness event.
     *
     * @return the backlog (default 100)
     */
    public int backlog() {
        return backlog;
    }

    /**
     * Tells whether {@code SO_REUSEADDR} is set on the listening sockets.
     *
     * @return the flag (default true, as asyncio on POSIX)
     */
    public boolean reuseAddress() {
        return reuseAddress;
    }

    /**
     * Tells whether {@code SO_REUSEPORT} is set on the listening sockets, so several sockets (of this or other
     * loops) can listen on the same port and the kernel spreads connections among them.
     *
     * @return the flag (default false); where the platform lacks {@code SO_REUSEPORT}, creating a server with it
     *     fails with {@link UnsupportedOperationException}
     */
    public boolean reusePort() {
        return reusePort;
    }

    /**
     * Tells whether the server accepts connections as soon as it is created.
     *
     * @return the flag (default true); when false, call {@link Server#startServing()} or
     *     {@link Server#serveForever()}
     */
    public boolean startServing() {
        return startServing;
    }

    /**
     * Tells whether closing a Unix-domain server deletes its socket file, if the file is still the one the
     * server created (asyncio 3.13's {@code cleanup_socket}). TCP servers ignore it.
     *
     * @return the flag (default true)
     */
    public boolean cleanupSocket() {
        return cleanupSocket;
    }

    /**
     * Returns the TLS context of the server (asyncio's {@code ssl}): each accepted connection runs the server
     * side of a TLS handshake first, and its protocol gets {@code connectionMade} only after it. A connection
     * whose handshake fails (or times out) is closed, logged at {@code DEBUG} as asyncio does for an
     * {@code OSError}, and the server goes on.
     *
     * @return the context, or empty for plain connections (the default)
     */
    public Optional<SSLContext> ssl() {
        return Optional.ofNullable(ssl);
    }

    /**
     * Returns the TLS handshake timeout of each connection (asyncio's {@code ssl_handshake_timeout}).
     *
     * @return the timeout (default {@link TlsOptions#DEFAULT_HANDSHAKE_TIMEOUT})
     */
    public Duration sslHandshakeTimeout() {
        return sslHandshakeTimeout != null ? sslHandshakeTimeout : TlsOptions.DEFAULT_HANDSHAKE_TIMEOUT;
    }

    /**
     * Returns the TLS shutdown timeout of each connection (asyncio's {@code ssl_shutdown_timeout}).
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
     * Returns the server-side TLS options these options describe, for a loop to hand to its TLS layer.
     *
     * @return the options, or empty without {@link #ssl()}
     */
    public Optional<TlsOptions> tlsOptions() {
        if (ssl == null) {
            return Optional.empty();
        }
        return Optional.of(TlsOptions.builder().serverSide(true).handshakeTimeout(sslHandshakeTimeout())
                .shutdownTimeout(sslShutdownTimeout()).sslParameters(sslParameters).build());
    }

    /**
     * Tells whether {@code SO_KEEPALIVE} is set on every accepted connection (asyncio 3.13's {@code keep_alive}),
     * so the system probes idle peers and a vanished one ends in {@code connectionLost}. TCP only: a Unix-domain
     * server refuses it.
     *
     * @return the flag (default false)
     */
    public boolean keepAlive() {
        return keepAlive;
    }

    /**
     * Returns the address family the server listens on (asyncio's {@code family}): the hosts are resolved to that
     * family only, and no host at all is that family's wildcard address ({@code 0.0.0.0} or {@code ::}). An
     * {@code INET6} socket may still accept IPv4 clients where the system is dual-stack: Java offers no
     * {@code IPV6_V6ONLY}.
     *
     * @return the family, or empty for both (the default: a host's every answer; no host is the dual-stack wildcard)
     */
    public Optional<StandardProtocolFamily> family() {
        return Optional.ofNullable(family);
    }

    /**
     * Returns a builder holding these options, to derive a changed copy: {@code toBuilder().build()} has every
     * value of these options.
     *
     * @return a new builder
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.backlog = backlog;
        b.reuseAddress = reuseAddress;
        b.startServing = startServing;
        b.cleanupSocket = cleanupSocket;
        b.reusePort = reusePort;
        b.ssl = ssl;
        b.sslHandshakeTimeout = sslHandshakeTimeout;
        b.sslShutdownTimeout = sslShutdownTimeout;
        b.sslParameters = sslParameters;
        b.keepAlive = keepAlive;
        b.family = family;
        return b;
    }

    @Override
    public String toString() {
        return "ServerOptions[backlog=" + backlog + ", reuseAddress=" + reuseAddress + ", startServing="
                + startServing + ", cleanupSocket=" + cleanupSocket + ", reusePort=" + reusePort + ", keepAlive="
                + keepAlive + ", family=" + family + (ssl == null ? "" : ", ssl=" + ssl.getProtocol()
                + ", sslHandshakeTimeout=" + sslHandshakeTimeout() + ", sslShutdownTimeout=" + sslShutdownTimeout()
                + (sslParameters != null ? ", sslParameters=" + sslParameters : "")) + "]";
    }

    /** Builds {@link ServerOptions}; not thread-safe. */
    public static final class Builder {
        private int backlog = 100;
        private boolean reuseAddress = true;
        private boolean startServing = true;
        private boolean cleanupSocket = true;
        private boolean reusePort;
        private @Nullable SSLContext ssl;
        private @Nullable Duration sslHandshakeTimeout;
        private @Nullable Duration sslShutdownTimeout;
        private @Nullable Consumer<? super SSLParameters> sslParameters;
        private boolean keepAlive;
        private @Nullable StandardProtocolFamily family;

        private Builder() {
        }

        /**
         * Serves TLS with {@code context}; see {@link ServerOptions#ssl()}.
         *
         * @param context the server's context (with its key material), or null for plain connections
         * @return this builder
         */
        public Builder ssl(@Nullable SSLContext context) {
            this.ssl = context;
            return this;
        }

        /**
         * Sets {@code SO_KEEPALIVE} on every accepted connection (TCP only; Unix-domain servers reject it).
         *
         * @param keepAlive the flag
         * @return this builder
         */
        public Builder keepAlive(boolean keepAlive) {
            this.keepAlive = keepAlive;
            return this;
        }

        /**
         * Sets the TLS handshake timeout of each connection.
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
         * Sets the TLS shutdown timeout of each connection.
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
         * Restricts the server to one address family.
         *
         * @param family {@code INET}, {@code INET6}, or null for both
         * @return this builder
         * @throws IllegalArgumentException for {@link StandardProtocolFamily#UNIX} (use
         *     {@link EventLoop#createUnixServer})
         */
        public Builder family(@Nullable StandardProtocolFamily family) {
            if (family == StandardProtocolFamily.UNIX) {
                throw new IllegalArgumentException("family: UNIX is not a TCP family; use INET, INET6 or null, and"
                        + " EventLoop.createUnixServer for a Unix-domain server");
            }
            this.family = family;
            return this;
        }

        /**
         * Sets {@code SO_REUSEPORT} on the listening sockets (TCP only; Unix-domain servers reject it).
         *
         * @param reusePort the flag
         * @return this builder
         */
        public Builder reusePort(boolean reusePort) {
            this.reusePort = reusePort;
            return this;
        }

        /**
         * Chooses whether closing a Unix-domain server deletes its socket file.
         *
         * @param cleanupSocket the flag
         * @return this builder
         */
        public Builder cleanupSocket(boolean cleanupSocket) {
            this.cleanupSocket = cleanupSocket;
            return this;
        }

        /**
         * Sets the listen backlog.
         *
         * @param backlog at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code backlog < 1}
         */
        public Builder backlog(int backlog) {
            if (backlog < 1) {
                throw new IllegalArgumentException("backlog must be at least 1, got " + backlog);
            }
            this.backlog = backlog;
            return this;
        }

        /**
         * Sets {@code SO_REUSEADDR} on the listening sockets.
         *
         * @param reuseAddress the flag
         * @return this builder
         */
        public Builder reuseAddress(boolean reuseAddress) {
            this.reuseAddress = reuseAddress;
            return this;
        }

        /**
         * Chooses whether the server accepts at once.
         *
         * @param startServing the flag
         * @return this builder
         */
        public Builder startServing(boolean startServing) {
            this.startServing = startServing;
            return this;
        }

        /**
         * Builds the options.
         *
         * @return the immutable options
         * @throws IllegalArgumentException if a TLS timeout or a parameters configurer is set without {@link #ssl} (asyncio:
         *     "ssl_handshake_timeout is only meaningful with ssl")
         */
        public ServerOptions build() {
            if (ssl == null && (sslHandshakeTimeout != null || sslShutdownTimeout != null || sslParameters != null)) {
                String set = sslHandshakeTimeout != null ? "sslHandshakeTimeout" : sslShutdownTimeout != null
                        ? "sslShutdownTimeout" : "sslParameters";
                throw new IllegalArgumentException(set + " is only meaningful with ssl; set"
                        + " ServerOptions.Builder.ssl(context) too, or leave " + set + " unset");
            }
            return new ServerOptions(this);
        }
    }
}
