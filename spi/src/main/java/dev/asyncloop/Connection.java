package dev.asyncloop;

import java.util.Objects;

/**
 * What {@link EventLoop#createConnection} and {@link EventLoop#connectAcceptedSocket} return: asyncio's
 * {@code (transport, protocol)} pair.
 *
 * @param transport the connection's transport
 * @param protocol the protocol the factory made, already told {@code connectionMade}
 * @param <P> the protocol type
 */
public record Connection<P extends Protocol>(StreamTransport transport, P protocol) {
    /**
     * Checks the components.
     *
     * @throws NullPointerException if either is null
     */
    public Connection {
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(protocol, "protocol");
    }
}
