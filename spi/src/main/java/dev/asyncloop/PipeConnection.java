package dev.asyncloop;

import java.util.Objects;

/**
 * What {@link EventLoop#connectReadPipe} and {@link EventLoop#connectWritePipe} return: asyncio's
 * {@code (transport, protocol)} pair of a pipe.
 *
 * @param transport the pipe's transport: a {@link ReadTransport} for a read pipe, a {@link WriteTransport} for a
 *     write pipe
 * @param protocol the protocol the factory made, already told {@code connectionMade}
 * @param <T> the transport type
 * @param <P> the protocol type
 */
public record PipeConnection<T extends Transport, P extends Protocol>(T transport, P protocol) {
    /**
     * Checks the components.
     *
     * @throws NullPointerException if either is null
     */
    public PipeConnection {
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(protocol, "protocol");
    }
}
