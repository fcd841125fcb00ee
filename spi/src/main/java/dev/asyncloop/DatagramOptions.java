package dev.asyncloop;

import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.util.Optional;
import java.util.StringJoiner;
import org.jspecify.annotations.Nullable;

/**
 * Options of {@link EventLoop#createDatagramEndpoint}. Immutable; build with {@link #builder()}, or take
 * {@link #defaults()}.
 *
 * <p>Either an existing {@link #channel()}, or any of the other options; not both (asyncio's rule for
 * {@code sock}).
 */
public final class DatagramOptions {
    private static final DatagramOptions DEFAULTS = builder().build();
    private final @Nullable SocketAddress localAddress;
    private final @Nullable SocketAddress remoteAddress;
    private final @Nullable StandardProtocolFamily family;
    private final boolean reuseAddress;
    private final boolean reusePort;
    private final boolean allowBroadcast;
    private final @Nullable DatagramChannel channel;

    private DatagramOptions(Builder b) {
        this.localAddress = b.localAddress;
        this.remoteAddress = b.remoteAddress;
        this.family = b.family;
        this.reuseAddress = b.reuseAddress;
        this.reusePort = b.reusePort;
        this.allowBroadcast = b.allowBroadcast;
        this.channel = b.channel;
    }

    /**
     * Returns the options with every default: a new IPv4 socket, bound to an ephemeral port when it first sends,
     * not connected.
     *
     * @return the defaults
     */
    public static DatagramOptions defaults() {
        return DEFAULTS;
    }

    /**
     * Starts a builder.
     *
     * @return a builder with every default (nothing bound, nothing connected)
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the address to bind to.
     *
     * @return the address (an unresolved {@link java.net.InetSocketAddress} is resolved), or empty for an
     *     ephemeral one chosen when first sending
     */
    public Optional<SocketAddress> localAddress() {
        return Optional.ofNullable(localAddress);
    }

    /**
     * Returns the address to connect to.
     *
     * @return the address, or empty for an unconnected endpoint
     */
    public Optional<SocketAddress> remoteAddress() {
        return Optional.ofNullable(remoteAddress);
    }

    /**
     * Returns the protocol family of the socket.
     *
     * @return INET or INET6, which both addresses must be of (an IPv4 address on an INET6 endpoint too: use INET
     *     for IPv4); or empty: the family of an address that needs no resolving, else each family the addresses
     *     resolve to, tried in turn as asyncio tries them (INET when there is no address)
     */
    public Optional<StandardProtocolFamily> family() {
        return Optional.ofNullable(family);
    }

    /**
     * Tells whether {@code SO_REUSEADDR} is set. asyncio refuses it for UDP (another process could then
     * receive the endpoint's datagrams); here it is allowed but off by default.
     *
     * @return the flag (default false)
     */
    public boolean reuseAddress() {
        return reuseAddress;
    }

    /**
     * Tells whether {@code SO_REUSEPORT} is set.
     *
     * @return the flag (default false)
     */
    public boolean reusePort() {
        return reusePort;
    }

    /**
     * Tells whether {@code SO_BROADCAST} is set. With a {@link #remoteAddress()} as well, the socket is not
     * connected (asyncio's rule, since replies to a broadcast come from other addresses): the remote address is
     * only where {@link DatagramTransport#send} goes and the one address {@link DatagramTransport#sendTo}
     * accepts, datagrams from any sender are received, and there is no {@code peername}.
     *
     * @return the flag (default false)
     */
    public boolean allowBroadcast() {
        return allowBroadcast;
    }

    /**
     * Returns an existing channel to use instead of opening one.
     *
     * @return the channel (the loop takes it over and switches it to non-blocking mode), or empty
     */
    public Optional<DatagramChannel> channel() {
        return Optional.ofNullable(channel);
    }

    /**
     * Returns a builder holding these options, to derive a changed copy: {@code toBuilder().build()} has every
     * value of these options.
     *
     * @return a new builder
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.localAddress = localAddress;
        b.remoteAddress = remoteAddress;
        b.family = family;
        b.reuseAddress = reuseAddress;
        b.reusePort = reusePort;
        b.allowBroadcast = allowBroadcast;
        b.channel = channel;
        return b;
    }

    @Override
    public String toString() {
        return "DatagramOptions[local=" + localAddress + ", remote=" + remoteAddress + ", family=" + family
                + ", reuseAddress=" + reuseAddress + ", reusePort=" + reusePort + ", allowBroadcast="
                + allowBroadcast + ", channel=" + channel + "]";
    }

    /** Builds {@link DatagramOptions}; not thread-safe. */
    public static final class Builder {
        private @Nullable SocketAddress localAddress;
        private @Nullable SocketAddress remoteAddress;
        private @Nullable StandardProtocolFamily family;
        private boolean reuseAddress;
        private boolean reusePort;
        private boolean allowBroadcast;
        private @Nullable DatagramChannel channel;

        private Builder() {
        }

        /**
         * Binds the socket to {@code address} (asyncio's {@code local_addr}).
         *
         * @param address the local address, or null
         * @return this builder
         */
        public Builder localAddress(@Nullable SocketAddress address) {
            this.localAddress = address;
            return this;
        }

        /**
         * Connects the socket to {@code address} (asyncio's {@code remote_addr}): only its datagrams are
         * received, and {@link DatagramTransport#send} sends to it.
         *
         * @param address the remote address, or null
         * @return this builder
         */
        public Builder remoteAddress(@Nullable SocketAddress address) {
            this.remoteAddress = address;
            return this;
        }

        /**
         * Chooses the protocol family.
         *
         * @param family INET, INET6, or null to take the addresses' family
         * @return this builder
         * @throws IllegalArgumentException for {@link StandardProtocolFamily#UNIX}
         */
        public Builder family(@Nullable StandardProtocolFamily family) {
            if (family == StandardProtocolFamily.UNIX) {
                throw new IllegalArgumentException("Unix-domain datagram sockets are not supported by the JDK;"
                        + " use INET or INET6");
            }
            this.family = family;
            return this;
        }

        /**
         * Sets {@code SO_REUSEADDR}.
         *
         * @param reuseAddress the flag
         * @return this builder
         */
        public Builder reuseAddress(boolean reuseAddress) {
            this.reuseAddress = reuseAddress;
            return this;
        }

        /**
         * Sets {@code SO_REUSEPORT}; endpoint creation fails with {@link UnsupportedOperationException} where
         * the platform lacks it.
         *
         * @param reusePort the flag
         * @return this builder
         */
        public Builder reusePort(boolean reusePort) {
            this.reusePort = reusePort;
            return this;
        }

        /**
         * Sets {@code SO_BROADCAST}; the remote address, if any, is then not connected to (see
         * {@link DatagramOptions#allowBroadcast()}).
         *
         * @param allowBroadcast the flag
         * @return this builder
         */
        public Builder allowBroadcast(boolean allowBroadcast) {
            this.allowBroadcast = allowBroadcast;
            return this;
        }

        /**
         * Uses an existing channel (asyncio's {@code sock}).
         *
         * @param channel the channel, or null
         * @return this builder
         */
        public Builder channel(@Nullable DatagramChannel channel) {
            this.channel = channel;
            return this;
        }

        /**
         * Builds the options.
         *
         * @return the immutable options
         * @throws IllegalArgumentException if a channel is given together with any other option
         */
        public DatagramOptions build() {
            if (channel != null) {
                StringJoiner problems = new StringJoiner(", ");
                if (localAddress != null) {
                    problems.add("localAddress=" + localAddress);
                }
                if (remoteAddress != null) {
                    problems.add("remoteAddress=" + remoteAddress);
                }
                if (family != null) {
                    problems.add("family=" + family);
                }
                if (reuseAddress) {
                    problems.add("reuseAddress");
                }
                if (reusePort) {
                    problems.add("reusePort");
                }
                if (allowBroadcast) {
                    problems.add("allowBroadcast");
                }
                if (problems.length() > 0) {
                    throw new IllegalArgumentException("socket options cannot be combined with an existing channel"
                            + " (" + problems + "); configure the channel yourself");
                }
            }
            return new DatagramOptions(this);
        }
    }
}
