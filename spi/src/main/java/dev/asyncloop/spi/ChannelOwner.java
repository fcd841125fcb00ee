package dev.asyncloop.spi;

/**
 * A transport that owns a channel of a {@link ReadinessEventLoop}: while it is not closing, the loop's public
 * watching and {@code sock*} methods refuse the channel.
 */
interface ChannelOwner {
    /**
     * Tells whether the owner is closing (then the channel may be used again).
     *
     * @return true once closing
     */
    boolean isClosing();
}
