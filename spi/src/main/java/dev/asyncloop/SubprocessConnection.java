package dev.asyncloop;

import java.util.Objects;

/**
 * What {@link EventLoop#subprocessExec} and {@link EventLoop#subprocessShell} return: asyncio's
 * {@code (transport, protocol)} pair.
 *
 * @param transport the process's transport
 * @param protocol the protocol the factory made, already told {@code connectionMade}
 * @param <P> the protocol type
 */
public record SubprocessConnection<P extends SubprocessProtocol>(SubprocessTransport transport, P protocol) {
    /**
     * Checks the components.
     *
     * @throws NullPointerException if either is null
     */
    public SubprocessConnection {
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(protocol, "protocol");
    }
}
