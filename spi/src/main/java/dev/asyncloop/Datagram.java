package dev.asyncloop;

import java.net.SocketAddress;
import java.util.Objects;

/**
 * One datagram received by {@link EventLoop#sockRecvFrom}: asyncio's {@code (data, address)} pair. Like any
 * record with an array component, two datagrams are equal only if they share the same array.
 *
 * @param data the bytes received (at most the size asked for; the rest of a longer datagram is discarded)
 * @param address the sender's address
 */
@SuppressWarnings("ArrayRecordComponent") // asyncio's (bytes, address) pair; equality documented above
public record Datagram(byte[] data, SocketAddress address) {
    /**
     * Checks the components.
     *
     * @throws NullPointerException if data or address is null
     */
    public Datagram {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(address, "address");
    }

    /**
     * Describes the datagram for logs: its size and sender, not the bytes.
     *
     * @return e.g. {@code Datagram[data=12 bytes, address=/127.0.0.1:5000]}
     */
    @Override
    public String toString() {
        return "Datagram[data=" + data.length + " bytes, address=" + address + "]";
    }
}
