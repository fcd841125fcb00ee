package dev.asyncloop;

import java.net.SocketAddress;
import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One datagram received by {@link EventLoop#sockRecvFrom}: asyncio's {@code (data, address)} pair. Two datagrams are
 * equal when they hold the same bytes from the same address, as asyncio's pairs compare; the record keeps the
 * array it was given (no copy), so a datagram whose bytes are changed afterwards changes its hash code too.
 *
 * @param data the bytes received (at most the size asked for; the rest of a longer datagram is discarded)
 * @param address the sender's address
 */
@SuppressWarnings("ArrayRecordComponent") // equals and hashCode compare the bytes
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
     * Compares by content: the same bytes and an equal sender address.
     *
     * @param other the object to compare with
     * @return true if {@code other} is a datagram with equal bytes and address
     */
    @Override
    public boolean equals(@Nullable Object other) {
        return other instanceof Datagram that && Arrays.equals(data, that.data) && address.equals(that.address);
    }

    /**
     * Hashes the content, consistent with {@link #equals}.
     *
     * @return the hash of the bytes and the address
     */
    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(data) + address.hashCode();
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
