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
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Opening the channel of {@code createDatagramEndpoint} (asyncio's address pairing, simplified to one family):
 * picks the family (given, else that of an address already resolved, else that of the first address
 * resolved), resolves the addresses in it, sets the options, binds, connects. Runs inside a task.
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
     */
    static Opened open(ReadinessEventLoop loop, DatagramOptions options) throws Exception {
        StandardProtocolFamily family = options.family()
                .or(() -> literalFamily(options.localAddress().orElse(null)))
                .or(() -> literalFamily(options.remoteAddress().orElse(null))).orElse(null);
        SocketAddress local = resolve(loop, options.localAddress().orElse(null), family);
        if (family == null && local instanceof InetSocketAddress l) {
            family = AddrInfo.familyOf(l);
        }
        SocketAddress remote = resolve(loop, options.remoteAddress().orElse(null), family);
        if (family == null && remote instanceof InetSocketAddress r) {
            family = AddrInfo.familyOf(r);
        }
        if (family == null) {
            family = StandardProtocolFamily.INET;
        }
        checkFamily("localAddress", local, family);
        checkFamily("remoteAddress", remote, family);
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
     * asyncio's "can not get address information": both addresses must be IP socket addresses of the one family
     * the socket is opened for (given, or taken from the first address).
     */
    private static void checkFamily(String what, @Nullable SocketAddress address, StandardProtocolFamily family) {
        if (address == null) {
            return;
        }
        if (!(address instanceof InetSocketAddress isa)) {
            throw new IllegalArgumentException(what + " must be an InetSocketAddress, got " + address + " ("
                    + address.getClass().getName() + ")");
        }
        StandardProtocolFamily actual = AddrInfo.familyOf(isa);
        if (actual != family) {
            throw new IllegalArgumentException("can not get address information: " + what + " " + address + " is "
                    + actual + " but the endpoint's family is " + family + "; give addresses of one family");
        }
    }

    /** An unresolved address becomes the first result of the family (any family when null). */
    private static @Nullable SocketAddress resolve(ReadinessEventLoop loop, @Nullable SocketAddress address,
            @Nullable StandardProtocolFamily family) throws Exception {
        if (!(address instanceof InetSocketAddress isa) || !isa.isUnresolved()) {
            return address;
        }
        AddrInfoOptions.Builder b = AddrInfoOptions.builder();
        if (family != null) {
            b.family(family);
        }
        List<AddrInfo> infos = ReadinessEventLoop.awaitChecked(loop.getAddrInfo(isa.getHostString(), isa.getPort(),
                b.build()));
        return infos.getFirst().address();
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
