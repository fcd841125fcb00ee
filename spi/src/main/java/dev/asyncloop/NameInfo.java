package dev.asyncloop;

import java.util.Objects;

/**
 * The result of {@link EventLoop#getNameInfo}: asyncio's {@code (host, port)} pair. Java has no service
 * database, so the port stays a number.
 *
 * @param host the host name, or the numeric address when the address has no name
 * @param port the port
 */
public record NameInfo(String host, int port) {
    /**
     * Checks the components.
     *
     * @throws NullPointerException if host is null
     */
    public NameInfo {
        Objects.requireNonNull(host, "host");
    }
}
