package dev.asyncloop;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import javax.net.ssl.SSLParameters;
import org.jspecify.annotations.Nullable;

/**
 * Options of {@link EventLoop#startTls(StreamTransport, Protocol, javax.net.ssl.SSLContext, TlsOptions)} and
 * {@link StreamWriter#startTls(javax.net.ssl.SSLContext, TlsOptions)}: asyncio's {@code server_side},
 * {@code server_hostname}, {@code ssl_handshake_timeout} and {@code ssl_shutdown_timeout}. Immutable; build with
 * {@link #builder()}, or take {@link #client(String)} / {@link #server()}.
 *
 * <p><b>Host name verification.</b> On the client side a non-empty {@link #serverHostname()} is sent as SNI (when
 * it is a name, not a literal address) and the server's certificate must match it (the JDK's {@code "HTTPS"}
 * endpoint identification), as asyncio's default context does ({@code check_hostname}). The empty string turns
 * both off, as in asyncio; only do that when the peer is authenticated another way.
 *
 * <p><b>Engine parameters.</b> What asyncio sets on its {@code SSLContext} but Java sets on each
 * {@link javax.net.ssl.SSLEngine} (ALPN protocols, client authentication, protocol versions, cipher suites) goes
 * through {@link #sslParameters()}: a configurer that gets each engine's {@link SSLParameters}, after the host
 * name settings above, before the handshake.
 */
public final class TlsOptions {
    /** asyncio's {@code SSL_HANDSHAKE_TIMEOUT}: 60 seconds. */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(60);
    /** asyncio's {@code SSL_SHUTDOWN_TIMEOUT}: 30 seconds. */
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);

    private final boolean serverSide;
    private final @Nullable String serverHostname;
    private final Duration handshakeTimeout;
    private final Duration shutdownTimeout;
    private final @Nullable Consumer<? super SSLParameters> sslParameters;

    private TlsOptions(Builder b) {
        this.serverSide = b.serverSide;
        this.serverHostname = b.serverHostname;
        this.handshakeTimeout = b.handshakeTimeout;
        this.shutdownTimeout = b.shutdownTimeout;
        this.sslParameters = b.sslParameters;
    }

    /**
     * Returns client-side options for a server called {@code serverHostname}, other options at their defaults.
     *
     * @param serverHostname the name (or literal address) the server's certificate must match; {@code ""} to
     *     verify no name
     * @return the options
     * @throws NullPointerException if {@code serverHostname} is null
     */
    public static TlsOptions client(String serverHostname) {
        return builder().serverHostname(Objects.requireNonNull(serverHostname, "serverHostname")).build();
    }

    /**
     * Returns server-side options with the default timeouts.
     *
     * @return the options
     */
    public static TlsOptions server() {
        return builder().serverSide(true).build();
    }

    /**
     * Starts a builder: client side, no server host name, default timeouts.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Tells whether this end is the TLS server.
     *
     * @return the flag (default false)
     */
    public boolean serverSide() {
        return serverSide;
    }

    /**
     * Returns the host name the client sends (SNI) and checks the server's certificate against; see the class
     * documentation. Never present on the server side.
     *
     * @return the name, {@code ""} for no check, or empty when not set
     */
    public Optional<String> serverHostname() {
        return Optional.ofNullable(serverHostname);
    }

    /**
     * Returns how long the handshake may take; when it takes longer the connection is aborted and the
     * handshake fails with {@link java.net.SocketTimeoutException}.
     *
     * @return the timeout (default {@link #DEFAULT_HANDSHAKE_TIMEOUT})
     */
    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    /**
     * Returns how long closing may wait for the peer's {@code close_notify}; then the connection is aborted and
     * the protocol gets {@code connectionLost} with a {@link TimeoutError}.
     *
     * @return the timeout (default {@link #DEFAULT_SHUTDOWN_TIMEOUT})
     */
    public Duration shutdownTimeout() {
        return shutdownTimeout;
    }

    /**
     * Returns the configurer of each engine's {@link SSLParameters}: ALPN ({@code setApplicationProtocols}, asyncio's
     * {@code set_alpn_protocols}), client authentication ({@code setNeedClientAuth}/{@code setWantClientAuth},
     * asyncio's {@code verify_mode} on a server context), protocols and cipher suites. It runs on the loop thread
     * when the engine is made, with the parameters the context and the host name settings gave; what it changes
     * is applied to the engine. It may also undo the host name check (at the caller's risk). An exception it throws
     * propagates from where the engine is made: a connect future fails with it, {@code startTls} throws it, a
     * server reports it as a failing protocol factory and closes that connection. An {@link EventLoopGroup}
     * server runs it on the thread of whichever loop serves the connection, so there several threads may run it
     * at once: it must then be thread-safe (one that only sets values on the parameters it is given is).
     *
     * @return the configurer, or empty to keep the context's defaults
     */
    public Optional<Consumer<? super SSLParameters>> sslParameters() {
        return Optional.ofNullable(sslParameters);
    }

    /**
     * Returns a builder holding these options, to derive a changed copy: {@code toBuilder().build()} has every
     * value of these options.
     *
     * @return a new builder
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.serverSide = serverSide;
        b.serverHostname = serverHostname;
        b.handshakeTimeout = handshakeTimeout;
        b.shutdownTimeout = shutdownTimeout;
        b.sslParameters = sslParameters;
        return b;
    }

    @Override
    public String toString() {
        return "TlsOptions[serverSide=" + serverSide + ", serverHostname=" + serverHostname + ", handshakeTimeout="
                + handshakeTimeout + ", shutdownTimeout=" + shutdownTimeout
                + (sslParameters != null ? ", sslParameters=" + sslParameters : "") + "]";
    }

    /** Checks a TLS timeout at the call that sets it; {@code name} is the option's name for the message. */
    static Duration checkTimeout(String name, Duration timeout) {
        Objects.requireNonNull(timeout, name);
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + timeout);
        }
        return timeout;
    }

    /** Checks a server host name at the call that sets it: a literal address, a valid host name, "" or null. */
    static @Nullable String checkHostname(@Nullable String name) {
        if (name == null || name.isEmpty() || isLiteralAddress(name)) {
            return name;
        }
        try {
            new javax.net.ssl.SNIHostName(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("serverHostname \"" + name + "\" is not a valid host name: "
                    + e.getMessage(), e);
        }
        return name;
    }

    /**
     * Tells whether {@code host} is a literal IPv4 or IPv6 address, which is checked against the certificate's IP
     * addresses and never sent as SNI.
     */
    static boolean isLiteralAddress(String host) {
        return host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
    }

    /** Builds {@link TlsOptions}; not thread-safe. */
    public static final class Builder {
        private boolean serverSide;
        private @Nullable String serverHostname;
        private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
        private Duration shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;
        private @Nullable Consumer<? super SSLParameters> sslParameters;

        private Builder() {
        }

        /**
         * Chooses the side of the handshake.
         *
         * @param serverSide true for the TLS server
         * @return this builder
         */
        public Builder serverSide(boolean serverSide) {
            this.serverSide = serverSide;
            return this;
        }

        /**
         * Sets the server's host name (client side only); see {@link TlsOptions#serverHostname()}.
         *
         * @param serverHostname the name, {@code ""} to verify no name, or null for none
         * @return this builder
         * @throws IllegalArgumentException if it is neither a literal address nor a valid host name
         */
        public Builder serverHostname(@Nullable String serverHostname) {
            this.serverHostname = checkHostname(serverHostname);
            return this;
        }

        /**
         * Sets the handshake timeout.
         *
         * @param timeout positive
         * @return this builder
         * @throws IllegalArgumentException if {@code timeout} is zero or negative
         * @throws NullPointerException if {@code timeout} is null
         */
        public Builder handshakeTimeout(Duration timeout) {
            this.handshakeTimeout = checkTimeout("handshakeTimeout", timeout);
            return this;
        }

        /**
         * Sets the shutdown timeout.
         *
         * @param timeout positive
         * @return this builder
         * @throws IllegalArgumentException if {@code timeout} is zero or negative
         * @throws NullPointerException if {@code timeout} is null
         */
        public Builder shutdownTimeout(Duration timeout) {
            this.shutdownTimeout = checkTimeout("shutdownTimeout", timeout);
            return this;
        }

        /**
         * Sets the configurer of each engine's parameters; see {@link TlsOptions#sslParameters()}.
         *
         * @param configurer changes the {@link SSLParameters} it is given, or null for none
         * @return this builder
         */
        public Builder sslParameters(@Nullable Consumer<? super SSLParameters> configurer) {
            this.sslParameters = configurer;
            return this;
        }

        /**
         * Builds the options.
         *
         * @return the immutable options
         * @throws IllegalArgumentException if a server host name is set on the server side (a server has no
         *     peer name to check)
         */
        public TlsOptions build() {
            if (serverSide && serverHostname != null) {
                throw new IllegalArgumentException("serverHostname is only meaningful on the client side, got \""
                        + serverHostname + "\" with serverSide(true); leave it unset for a server");
            }
            return new TlsOptions(this);
        }
    }
}
