package dev.asyncloop;

import java.util.Objects;

/**
 * What {@link Streams#openConnection} returns: asyncio's {@code (reader, writer)} tuple.
 *
 * @param reader the connection's reader
 * @param writer the connection's writer
 */
public record StreamPair(StreamReader reader, StreamWriter writer) {
    /**
     * Checks the components.
     *
     * @throws NullPointerException if either is null
     */
    public StreamPair {
        Objects.requireNonNull(reader, "reader");
        Objects.requireNonNull(writer, "writer");
    }
}
