package dev.asyncloop;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.time.Duration;
import java.util.Optional;

/**
 * Options of {@link EventLoop#createConnection(java.util.function.Supplier, String, int, ConnectOptions)}.
 * Immutable; build with {@link #builder()}.
 */
public final class ConnectOptions {
    private static final ConnectOptions DEFAULTS = builder().build();
    private final SocketAddress localAddress;
    private final Duration happyEyeballsDelay;
    private final int interleave;
    private final StandardProtocolFamily family;

    private ConnectOptions(Builder b) {
        this.family = b.family;
        this.localAddress = b.localAddress;
        this.happyEyeballsDelay = b.happyEyeballsDelay;
        this.interleave = b.interleave;
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
     * Returns the address family to connect with (asyncio's {@code family}): the host, and an unresolved
     * {@link #localAddress()}, are resolved to that family only, so a host without an address of it fails to
     * resolve ({@link java.net.UnknownHostException}).
     *
     * @return the family, or empty for every answer of the resolver (the default)
     */
    public Optional<StandardProtocolFamily> family() {
        return Optional.ofNullable(family);
    }

    @Override
    public String toString() {
        return "ConnectOptions[localAddress=" + localAddress + ", happyEyeballsDelay=" + happyEyeballsDelay
                + ", interleave=" + interleave() + ", family=" + family + "]";
    }

    /** Builds {@link ConnectOptions}; not thread-safe. */
    public static final class Builder {
        private SocketAddress localAddress;
        private Duration happyEyeballsDelay;
        private int interleave = -1;
        private StandardProtocolFamily family;

        private Builder() {
        }

        /**
         * Restricts the connection to one address family; see {@link ConnectOptions#family()}.
         *
         * @param family {@code INET}, {@code INET6}, or null for both
         * @return this builder
         * @throws IllegalArgumentException for {@link StandardProtocolFamily#UNIX} (use
         *     {@link EventLoop#createUnixConnection})
         */
        public Builder family(StandardProtocolFamily family) {
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
        public Builder happyEyeballsDelay(Duration delay) {
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
        public Builder localAddress(SocketAddress address) {
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
         */
        public ConnectOptions build() {
            return new ConnectOptions(this);
        }
    }
}
