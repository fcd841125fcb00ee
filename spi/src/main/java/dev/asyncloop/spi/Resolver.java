package dev.asyncloop.spi;

import dev.asyncloop.AddrInfo;
import dev.asyncloop.AddrInfoOptions;
import dev.asyncloop.NameInfo;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * asyncio's {@code getaddrinfo}/{@code getnameinfo} over {@link InetAddress}: the blocking part runs on the
 * default executor (the caller's job), a literal address never reaches the resolver.
 */
final class Resolver {
    private Resolver() {
    }

    static void checkPort(int port) {
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("port must be between 0 and 65535, got " + port);
        }
    }

    /** {@code hosts} as an immutable list, checked: at least one name, none null or empty. */
    static List<String> checkHosts(List<String> hosts) {
        Objects.requireNonNull(hosts, "hosts");
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("hosts is empty; name at least one host, or pass the host \"\""
                    + " (not a list) to listen on every interface");
        }
        for (int i = 0; i < hosts.size(); i++) {
            String host = Objects.requireNonNull(hosts.get(i), "hosts[" + i + "] is null");
            if (host.isEmpty()) {
                throw new IllegalArgumentException("hosts[" + i + "] is empty; every interface cannot be one host"
                        + " among several: pass the host \"\" (not a list) instead");
            }
        }
        return List.copyOf(hosts);
    }

    /**
     * The literal address {@code host} spells, or null if it is a name. An IPv6 literal's zone may be a number
     * or an interface name, which becomes that interface's index as getaddrinfo does ({@code if_nametoindex}):
     * the JDK takes a name only for an interface holding an address of the literal's scope, so "fe80::1%lo" would
     * otherwise fail.
     *
     * @throws UnknownHostException if {@code host} is an IPv6 literal whose zone names no interface
     */
    static @Nullable InetAddress literal(String host) throws UnknownHostException {
        try {
            return InetAddress.ofLiteral(host);
        } catch (IllegalArgumentException notLiteral) {
            return zonedLiteral(host);
        }
    }

    private static @Nullable InetAddress zonedLiteral(String host) throws UnknownHostException {
        int percent = host.indexOf('%');
        if (percent < 0) {
            return null;
        }
        InetAddress unzoned;
        try {
            unzoned = InetAddress.ofLiteral(host.substring(0, percent));
        } catch (IllegalArgumentException notLiteral) {
            return null;
        }
        if (!(unzoned instanceof Inet6Address)) {
            return null;
        }
        String zone = host.substring(percent + 1);
        NetworkInterface nif;
        try {
            nif = zone.isEmpty() ? null : NetworkInterface.getByName(zone);
        } catch (SocketException e) {
            nif = null;
        }
        if (nif == null || nif.getIndex() < 0) {
            throw new UnknownHostException(host + ": no network interface named \"" + zone + "\"");
        }
        return Inet6Address.getByAddress(null, unzoned.getAddress(), nif.getIndex());
    }

    /**
     * The answer that needs no resolver: for a null host (loopback, or wildcard when passive) or a literal;
     * null when the resolver must be asked.
     *
     * @throws UnknownHostException if the host is empty, an IPv6 literal whose zone names no interface, or a name
     *     while {@code numericHost} was asked for
     */
    static @Nullable List<AddrInfo> withoutResolver(@Nullable String host, int port, AddrInfoOptions options)
            throws UnknownHostException {
        List<InetAddress> addresses;
        if (host == null) {
            addresses = options.passive()
                    ? List.of(InetAddress.ofLiteral("0.0.0.0"), InetAddress.ofLiteral("::"))
                    : List.of(InetAddress.ofLiteral("::1"), InetAddress.ofLiteral("127.0.0.1")); // getaddrinfo's order
        } else if (host.isEmpty()) {
            // InetAddress would answer loopback; getaddrinfo knows no host "" (asyncio's create_server maps it to
            // None itself, as createServer does).
            throw new UnknownHostException("\"\": empty host name; pass null for loopback, or null with passive"
                    + " for the wildcard address");
        } else {
            InetAddress literal = literal(host);
            if (literal == null) {
                if (options.numericHost()) {
                    throw new UnknownHostException(host + ": not a numeric address (numericHost was asked for)");
                }
                return null;
            }
            addresses = List.of(literal);
        }
        return toInfos(host, addresses, port, options, host); // getaddrinfo names a numeric host as written
    }

    /** Blocking: asks the system resolver. */
    static List<AddrInfo> lookup(@Nullable String host, int port, AddrInfoOptions options) throws UnknownHostException {
        InetAddress[] all;
        try {
            all = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            if (e.getMessage() != null && e.getMessage().contains(host)) {
                throw e;
            }
            UnknownHostException named = new UnknownHostException(host + ": " + e.getMessage());
            named.initCause(e);
            throw named;
        }
        String canonical = options.canonicalName() && all.length > 0 ? all[0].getCanonicalHostName() : null;
        return toInfos(host, List.of(all), port, options, canonical);
    }

    private static List<AddrInfo> toInfos(@Nullable String host, List<InetAddress> addresses, int port,
            AddrInfoOptions options, @Nullable String canonical) throws UnknownHostException {
        StandardProtocolFamily family = options.family().orElse(null);
        LinkedHashSet<InetSocketAddress> kept = new LinkedHashSet<>();
        for (InetAddress a : addresses) {
            if (family == null || (family == StandardProtocolFamily.INET) == (a instanceof Inet4Address)) {
                kept.add(new InetSocketAddress(a, port));
            }
        }
        if (kept.isEmpty()) {
            throw new UnknownHostException((host == null ? "<null host>" : host) + ": no " + family
                    + " address (the host has " + describe(addresses) + ")");
        }
        List<AddrInfo> out = new ArrayList<>();
        for (InetSocketAddress a : kept) {
            String name = out.isEmpty() && options.canonicalName() ? (canonical != null ? canonical
                    : a.getAddress().getHostAddress()) : "";
            out.add(new AddrInfo(AddrInfo.familyOf(a), a, name));
        }
        return List.copyOf(out);
    }

    private static String describe(List<InetAddress> addresses) {
        boolean v4 = addresses.stream().anyMatch(a -> a instanceof Inet4Address);
        boolean v6 = addresses.stream().anyMatch(a -> a instanceof Inet6Address);
        return v4 && v6 ? "IPv4 and IPv6 addresses" : v4 ? "only IPv4 addresses" : v6 ? "only IPv6 addresses"
                : "no address";
    }

    /** Blocking: reverse lookup; the numeric address when the address has no name. */
    static NameInfo nameInfo(InetSocketAddress address) {
        return new NameInfo(address.getAddress().getHostName(), address.getPort());
    }
}
