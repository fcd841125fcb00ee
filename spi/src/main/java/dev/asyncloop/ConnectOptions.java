package dev.asyncloop;

import java.net.SocketAddress;
import java.util.Optional;

/**
 * Options of {@link EventLoop#createConnection(java.util.function.Supplier, String, int, ConnectOptions)}.
 * Immutable; build with {@link #builder()}.
 */
public final class ConnectOptions {
    private static final ConnectOptions DEFAULTS = builder().build();
    private final SocketAddress localAddress;

    private ConnectOptions(Builder b) {
        this.localAddress = b.localAddress;
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
     * Returns the local address the socket binds to before connecting.
     *
     * @return the address, or empty to let the system choose
     */
    public Optional<SocketAddress> localAddress() {
        return Optional.ofNullable(localAddress);
    }

    @Override
    public String toString() {
        return "ConnectOptions[localAddress=" + localAddress + "]";
    }

    /** Builds {@link ConnectOptions}; not thread-safe. */
    public static final class Builder {
        private SocketAddress localAddress;

        private Builder() {
        }

        /**
         * Binds the socket to {@code address} before connecting (asyncio's {@code local_addr}).
         *
         * @param address the local address, or null for none
         * @return this builder
         */
        public Builder localAddress(SocketAddress address) {
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
