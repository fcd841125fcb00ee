package dev.asyncloop.spi;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import org.jspecify.annotations.Nullable;

/**
 * The readiness loop the spi tests run on (the base class over a {@link SelectorPoller}, nothing added), and what
 * those tests ask of the host.
 */
final class SelectorLoops {
    private SelectorLoops() {
    }

    /** Whether {@code ::1} can be bound here (a host without IPv6 cannot). */
    static boolean ipv6Loopback() {
        try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.INET6)) {
            s.bind(new InetSocketAddress("::1", 0));
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** A new loop; the caller closes it. */
    static ReadinessEventLoop newLoop() {
        try {
            return new ReadinessEventLoop(new SelectorPoller()) { };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A new loop whose socket transports do their heap I/O through {@code heapIo} (null: the default). */
    static ReadinessEventLoop newLoop(@Nullable HeapIo heapIo) {
        try {
            return new ReadinessEventLoop(new SelectorPoller(), heapIo) { };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
