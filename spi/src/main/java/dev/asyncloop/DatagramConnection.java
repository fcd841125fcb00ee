package dev.asyncloop;

import java.util.Objects;

/**
 * What {@link EventLoop#createDatagramEndpoint} returns: asyncio's {@code (transport, protocol)} pair.
 *
 * @param transport the endpoint's transport
 * @param protocol the protocol the factory made, already told {@code connectionMade}
 * @param <P> the protocol type
 */
public record DatagramConnection<P extends DatagramProtocol>(DatagramTransport transport, P protocol) {
    /**
     * Checks the components.
     *
     * @throws NullPointerException if either is null
     */
    public DatagramConnection {
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(protocol, "protocol");
    }
}
