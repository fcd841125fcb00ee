package dev.asyncloop.spi;

import dev.asyncloop.AddrInfo;
import dev.asyncloop.AddrInfoOptions;
import dev.asyncloop.DatagramOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Opening the channel of {@code createDatagramEndpoint} with asyncio's address pairing: the family is the one
 * given, else that of an address already resolved; the addresses are resolved (in that family when there is one)
 * and paired by family, and each pair is tried until a channel opens, binds and connects. Runs inside a task.
 */
final class DatagramEndpoints {
    private DatagramEndpoints() {
    }

    /**
     * An opened endpoint channel and where {@code send} goes by default.
     *
     * @param channel the bound (and, unless broadcasting, connected) channel
     * @param remote the resolved remote address, or null for an endpoint without one
     */
    record Opened(DatagramChannel channel, @Nullable SocketAddress remote) {
    }

    /**
     * Opens, configures, binds and connects the channel. With {@code allowBroadcast} the remote address is not
     * connected to (asyncio's rule: replies to a broadcast come from other addresses, which a connected socket
     * would filter out); it is only the default destination.
     *
     * <p>As asyncio: the addresses are resolved and paired by family, in the order the families first appear
     * (the first address of each family on each side); each pair is tried in turn (open, bind, connect) until one
     * works, and when none does, the first pair's {@link IOException} is thrown, the others' suppressed in it.
     */
    static Opened open(ReadinessEventLoop loop, DatagramOptions options) throws Exception {
        SocketAddress localGiven = options.localAddress().orElse(null);
        SocketAddress remoteGiven = options.remoteAddress().orElse(null);
        StandardProtocolFamily family = options.family()
                .or(() -> literalFamily(localGiven))
                .or(() -> literalFamily(remoteGiven)).orElse(null);
        List<SocketAddress> locals = candidates(loop, "localAddress", localGiven, family);
        List<SocketAddress> remotes = candidates(loop, "remoteAddress", remoteGiven, family);
        Map<StandardProtocolFamily, @Nullable SocketAddress[]> byFamily = new LinkedHashMap<>();
        if (localGiven == null && remoteGiven == null) {
            byFamily.put(family != null ? family : StandardProtocolFamily.INET, new SocketAddress[2]);
        }
        for (int side = 0; side < 2; side++) {
            for (SocketAddress a : side == 0 ? locals : remotes) {
                @Nullable SocketAddress[] pair = byFamily.computeIfAbsent(
                        AddrInfo.familyOf((InetSocketAddress) a), f -> new SocketAddress[2]);
                if (pair[side] == null) {
                    pair[side] = a;
                }
            }
        }
        byFamily.values().removeIf(pair -> (localGiven != null && pair[0] == null)
                || (remoteGiven != null && pair[1] == null));
        if (byFamily.isEmpty()) {
            throw new IllegalArgumentException("can not get address information: no family has both localAddress "
                    + localGiven + " " + locals + " and remoteAddress " + remoteGiven + " " + remotes
                    + "; give addresses of one family");
        }
        IOException first = null;
        for (Map.Entry<StandardProtocolFamily, @Nullable SocketAddress[]> e : byFamily.entrySet()) {
            try {
                return openPair(options, e.getKey(), e.getValue()[0], e.getValue()[1]);
            } catch (IOException failed) {
                if (first == null) {
                    first = failed;
                } else {
                    first.addSuppressed(failed);
                }
            }
        }
        throw Objects.requireNonNull(first);
    }

    /** Opens one pair's channel: options, bind, connect; the channel is closed if any of them fails. */
    private static Opened openPair(DatagramOptions options, StandardProtocolFamily family,
            @Nullable SocketAddress local, @Nullable SocketAddress remote) throws IOException {
        DatagramChannel channel = DatagramChannel.open(family);
        try {
            if (options.reuseAddress()) {
                channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            }
            if (options.reusePort()) {
                if (!channel.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)) {
                    throw new UnsupportedOperationException("reusePort: SO_REUSEPORT is not supported on this"
                            + " platform (" + System.getProperty("os.name") + "); leave reusePort off");
                }
                channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            if (options.allowBroadcast()) {
                channel.setOption(StandardSocketOptions.SO_BROADCAST, true);
            }
            if (local != null) {
                channel.bind(local);
            }
            if (remote != null && !options.allowBroadcast()) {
                channel.connect(remote);
            }
            return new Opened(channel, remote);
        } catch (Throwable t) {
            ReadinessEventLoop.closeQuietly(channel);
            throw t;
        }
    }

    /** The family of an address that needs no resolving, so that the other one is resolved in it. */
    private static Optional<StandardProtocolFamily> literalFamily(@Nullable SocketAddress address) {
        return address instanceof InetSocketAddress isa && !isa.isUnresolved()
                ? Optional.of(AddrInfo.familyOf(isa)) : Optional.empty();
    }

    /**
     * The addresses {@code address} stands for: none when absent, itself when resolved (of {@code family} when
     * one is fixed, else asyncio's "can not get address information"), else every result of resolving it in
     * {@code family} (in any family when null).
     */
    private static List<SocketAddress> candidates(ReadinessEventLoop loop, String what,
            @Nullable SocketAddress address, @Nullable StandardProtocolFamily family) throws Exception {
        if (address == null) {
            return List.of();
        }
        if (!(address instanceof InetSocketAddress isa)) {
            throw new IllegalArgumentException(what + " must be an InetSocketAddress, got " + address + " ("
                    + address.getClass().getName() + ")");
        }
        if (!isa.isUnresolved()) {
            StandardProtocolFamily actual = AddrInfo.familyOf(isa);
            if (family != null && actual != family) {
                throw new IllegalArgumentException("can not get address information: " + what + " " + address
                        + " is " + actual + " but the endpoint's family is " + family
                        + "; give addresses of one family");
            }
            return List.of(isa);
        }
        AddrInfoOptions.Builder b = AddrInfoOptions.builder();
        if (family != null) {
            b.family(family);
        }
        List<AddrInfo> infos = ReadinessEventLoop.awaitChecked(loop.getAddrInfo(isa.getHostString(), isa.getPort(),
                b.build()));
        List<SocketAddress> found = new ArrayList<>(infos.size());
        for (AddrInfo info : infos) {
            found.add(info.address());
        }
        return found;
    }

    /** Used by tests: whether the platform offers SO_REUSEPORT on datagram channels. */
    static boolean reusePortSupported() {
        try (DatagramChannel c = DatagramChannel.open()) {
            return c.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT);
        } catch (IOException e) {
            return false;
        }
    }
}
