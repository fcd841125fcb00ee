package dev.asyncloop;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.util.Objects;

/**
 * One result of {@link EventLoop#getAddrInfo}: asyncio's {@code (family, type, proto, canonname, sockaddr)}
 * tuple without the socket type and protocol, which Java channels choose themselves.
 *
 * @param family {@link StandardProtocolFamily#INET} or {@link StandardProtocolFamily#INET6}, matching the address
 * @param address the resolved socket address (never unresolved)
 * @param canonicalName the host's canonical name when {@link AddrInfoOptions#canonicalName()} was asked for
 *     (on the first result only, as getaddrinfo does), otherwise the empty string
 */
public record AddrInfo(StandardProtocolFamily family, InetSocketAddress address, String canonicalName) {
    /**
     * Checks the components.
     *
     * @throws NullPointerException if any is null
     * @throws IllegalArgumentException if the address is unresolved or does not match the family
     */
    public AddrInfo {
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(canonicalName, "canonicalName");
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("address " + address + " is unresolved; pass a resolved address");
        }
        if (familyOf(address) != family) {
            throw new IllegalArgumentException("family " + family + " does not match the address " + address);
        }
    }

    /**
     * Makes a result for {@code address}, its family taken from the address.
     *
     * @param address a resolved address
     * @return the result, without canonical name
     */
    public static AddrInfo of(InetSocketAddress address) {
        return new AddrInfo(familyOf(address), address, "");
    }

    /**
     * Returns the protocol family of a resolved address.
     *
     * @param address a resolved address
     * @return INET for an IPv4 address, INET6 otherwise
     */
    public static StandardProtocolFamily familyOf(InetSocketAddress address) {
        return address.getAddress() instanceof Inet4Address ? StandardProtocolFamily.INET
                : StandardProtocolFamily.INET6;
    }
}
