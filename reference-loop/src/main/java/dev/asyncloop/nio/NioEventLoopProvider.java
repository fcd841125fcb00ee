package dev.asyncloop.nio;

import com.google.auto.service.AutoService;
import dev.asyncloop.EventLoop;
import dev.asyncloop.spi.Capability;
import dev.asyncloop.spi.EventLoopProvider;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.nio.channels.SocketChannel;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * Provides {@link NioEventLoop} under the name {@code nio}, priority 0: available on every JDK; claims
 * {@link Capability#TCP}, {@link Capability#UDP}, {@link Capability#SENDFILE}, and
 * {@link Capability#UNIX_SOCKETS} where the JDK can open a Unix-domain socket on this platform.
 */
@AutoService(EventLoopProvider.class)
public final class NioEventLoopProvider implements EventLoopProvider {
    /** The provider name, {@value}. */
    public static final String NAME = "nio";

    /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
    public NioEventLoopProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public Optional<String> unavailabilityCause() {
        return Optional.empty();
    }

    @Override
    public Set<Capability> capabilities() {
        EnumSet<Capability> caps = EnumSet.of(Capability.TCP, Capability.UDP, Capability.SENDFILE);
        if (UNIX_SOCKETS) {
            caps.add(Capability.UNIX_SOCKETS);
        }
        return Collections.unmodifiableSet(caps);
    }

    private static final boolean UNIX_SOCKETS = unixSocketsWork();

    private static boolean unixSocketsWork() {
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            return probe.isOpen();
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    @Override
    public EventLoop newEventLoop() {
        return new NioEventLoop();
    }
}
