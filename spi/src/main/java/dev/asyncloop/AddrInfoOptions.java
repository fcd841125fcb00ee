package dev.asyncloop;

import java.net.StandardProtocolFamily;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Options of {@link EventLoop#getAddrInfo(String, int, AddrInfoOptions)}: asyncio's {@code family} and the
 * {@code AI_*} flags Java can honour. Immutable; build with {@link #builder()}.
 */
public final class AddrInfoOptions {
    private static final AddrInfoOptions DEFAULTS = builder().build();
    private final @Nullable StandardProtocolFamily family;
    private final boolean numericHost;
    private final boolean canonicalName;
    private final boolean passive;

    private AddrInfoOptions(Builder b) {
        this.family = b.family;
        this.numericHost = b.numericHost;
        this.canonicalName = b.canonicalName;
        this.passive = b.passive;
    }

    /**
     * Returns the options with every default.
     *
     * @return any family, no flags
     */
    public static AddrInfoOptions defaults() {
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
     * Returns the family results are restricted to.
     *
     * @return INET or INET6, or empty for both ({@code AF_UNSPEC})
     */
    public Optional<StandardProtocolFamily> family() {
        return Optional.ofNullable(family);
    }

    /**
     * Tells whether the host must be a literal address ({@code AI_NUMERICHOST}): no resolver is asked, and a
     * name fails with {@link java.net.UnknownHostException}.
     *
     * @return the flag (default false)
     */
    public boolean numericHost() {
        return numericHost;
    }

    /**
     * Tells whether the first result carries the canonical host name ({@code AI_CANONNAME}): a literal as written;
     * for a name, the reverse-lookup name of its first address ({@link java.net.InetAddress#getCanonicalHostName()},
     * the address's text when it has none), since {@code InetAddress} does not expose the forward (CNAME) name.
     *
     * @return the flag (default false)
     */
    public boolean canonicalName() {
        return canonicalName;
    }

    /**
     * Tells whether a null host means the wildcard address ({@code AI_PASSIVE}) rather than loopback.
     *
     * @return the flag (default false)
     */
    public boolean passive() {
        return passive;
    }

    /**
     * Returns a builder holding these options, to derive a changed copy: {@code toBuilder().build()} has every
     * value of these options.
     *
     * @return a new builder
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.family = family;
        b.numericHost = numericHost;
        b.canonicalName = canonicalName;
        b.passive = passive;
        return b;
    }

    @Override
    public String toString() {
        return "AddrInfoOptions[family=" + family + ", numericHost=" + numericHost + ", canonicalName="
                + canonicalName + ", passive=" + passive + "]";
    }

    /** Builds {@link AddrInfoOptions}; not thread-safe. */
    public static final class Builder {
        private @Nullable StandardProtocolFamily family;
        private boolean numericHost;
        private boolean canonicalName;
        private boolean passive;

        private Builder() {
        }

        /**
         * Restricts results to one family.
         *
         * @param family INET, INET6, or null for both
         * @return this builder
         * @throws IllegalArgumentException for {@link StandardProtocolFamily#UNIX}
         */
        public Builder family(@Nullable StandardProtocolFamily family) {
            if (family == StandardProtocolFamily.UNIX) {
                throw new IllegalArgumentException("family UNIX has no address resolution; use INET, INET6 or null");
            }
            this.family = family;
            return this;
        }

        /**
         * Requires a literal address ({@code AI_NUMERICHOST}).
         *
         * @param numericHost the flag
         * @return this builder
         */
        public Builder numericHost(boolean numericHost) {
            this.numericHost = numericHost;
            return this;
        }

        /**
         * Asks for the canonical name ({@code AI_CANONNAME}).
         *
         * @param canonicalName the flag
         * @return this builder
         */
        public Builder canonicalName(boolean canonicalName) {
            this.canonicalName = canonicalName;
            return this;
        }

        /**
         * Makes a null host mean the wildcard address ({@code AI_PASSIVE}).
         *
         * @param passive the flag
         * @return this builder
         */
        public Builder passive(boolean passive) {
            this.passive = passive;
            return this;
        }

        /**
         * Builds the options.
         *
         * @return the immutable options
         */
        public AddrInfoOptions build() {
            return new AddrInfoOptions(this);
        }
    }
}
