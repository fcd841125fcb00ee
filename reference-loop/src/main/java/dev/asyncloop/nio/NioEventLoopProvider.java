package dev.asyncloop.nio;

import com.google.auto.service.AutoService;
import dev.asyncloop.EventLoop;
import dev.asyncloop.spi.Capability;
import dev.asyncloop.spi.EventLoopProvider;
import dev.asyncloop.spi.ReadinessCapabilities;
import java.util.Optional;
import java.util.Set;

/**
 * Provides {@link NioEventLoop} under the name {@code nio}, priority 0: available on every JDK; claims
 * {@link Capability#TCP}, {@link Capability#UDP}, {@link Capability#SENDFILE}, {@link Capability#PIPES},
 * {@link Capability#SUBPROCESS}, {@link Capability#UNIX_SOCKETS} where the JDK can open a Unix-domain socket on this
 * platform, and {@link Capability#SIGNALS} on POSIX systems (see {@link ReadinessCapabilities#supported()}).
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
        return ReadinessCapabilities.supported();
    }

    @Override
    public EventLoop newEventLoop() {
        return new NioEventLoop();
    }
}
