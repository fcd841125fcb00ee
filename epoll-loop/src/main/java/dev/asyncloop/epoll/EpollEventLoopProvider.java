package dev.asyncloop.epoll;

import com.google.auto.service.AutoService;
import dev.asyncloop.EventLoop;
import dev.asyncloop.spi.Capability;
import dev.asyncloop.spi.EventLoopProvider;
import dev.asyncloop.spi.ReadinessCapabilities;
import java.util.Optional;
import java.util.Set;

/**
 * Provides {@link EpollEventLoop} under the name {@code epoll}, priority 10 (above {@code nio}), claiming what
 * the readiness base offers here ({@link ReadinessCapabilities#supported()}: {@link Capability#TCP}, UDP,
 * sendfile, pipes, subprocesses, Unix-domain sockets where the JDK has them, and signal handlers). Available on
 * Linux when the JVM opens {@code java.base/sun.nio.ch} to this module;
 * otherwise {@link #unavailabilityCause()} says which of the two is missing (or which JDK internal changed), so
 * {@code -Dasyncloop.loop=epoll} fails with that sentence and a loop chosen by priority is {@code nio}.
 */
@AutoService(EventLoopProvider.class)
public final class EpollEventLoopProvider implements EventLoopProvider {
    /** The provider name, {@value}. */
    public static final String NAME = "epoll";

    /** Creates the provider; {@link java.util.ServiceLoader} calls this. Does no I/O. */
    public EpollEventLoopProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 10;
    }

    /**
     * {@inheritDoc} One of "not Linux (os.name=...)", "add --add-opens java.base/sun.nio.ch=ALL-UNNAMED to the
     * JVM command line", or "JDK internals changed: ...".
     */
    @Override
    public Optional<String> unavailabilityCause() {
        return EpollNative.UNAVAILABLE;
    }

    @Override
    public Set<Capability> capabilities() {
        return ReadinessCapabilities.supported();
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException if the provider is unavailable (the message carries the cause)
     */
    @Override
    public EventLoop newEventLoop() {
        return new EpollEventLoop();
    }
}
