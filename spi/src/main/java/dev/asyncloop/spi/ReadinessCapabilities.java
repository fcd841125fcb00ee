package dev.asyncloop.spi;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.nio.channels.SocketChannel;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * What a loop built on {@link ReadinessEventLoop} offers on this platform, for its provider's
 * {@link EventLoopProvider#capabilities()}: TCP, UDP, sendfile, TLS, pipes and subprocesses always, Unix-domain
 * sockets when the JDK can open one here, signal handlers (which {@link BaseEventLoop} implements) when the runtime
 * has {@code sun.misc.Signal}. A loop whose {@link Poller} cannot handle some channel kind removes that capability.
 */
public final class ReadinessCapabilities {
    private static final Set<Capability> SUPPORTED = probe();

    private ReadinessCapabilities() {
    }

    /**
     * Returns the capabilities of the readiness base on this platform. Thread-safe; probed once.
     *
     * @return an unmodifiable set
     */
    public static Set<Capability> supported() {
        return SUPPORTED;
    }

    private static Set<Capability> probe() {
        EnumSet<Capability> caps = EnumSet.of(Capability.TCP, Capability.UDP, Capability.SENDFILE,
                Capability.TLS, Capability.PIPES, Capability.SUBPROCESS);
        if (SignalSupport.unavailabilityCause().isEmpty()) {
            caps.add(Capability.SIGNALS);
        }
        try (SocketChannel unix = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            if (unix.isOpen()) {
                caps.add(Capability.UNIX_SOCKETS);
            }
        } catch (IOException | UnsupportedOperationException e) {
            // no Unix-domain sockets on this platform
        }
        return Collections.unmodifiableSet(caps);
    }
}
