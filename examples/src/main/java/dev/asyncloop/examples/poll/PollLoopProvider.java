package dev.asyncloop.examples.poll;

import com.google.auto.service.AutoService;
import dev.asyncloop.EventLoop;
import dev.asyncloop.spi.Capability;
import dev.asyncloop.spi.EventLoopProvider;
import dev.asyncloop.spi.ReadinessCapabilities;
import java.util.Optional;
import java.util.Set;

/**
 * Provides {@link PollLoop} under the name {@code poll}, priority -5: below {@code nio} (0), so it runs only when
 * named ({@code -Dasyncloop.loop=poll}). Claims what the readiness base offers here
 * ({@link ReadinessCapabilities#supported()}). Registered for {@link java.util.ServiceLoader} by
 * {@link AutoService}.
 */
@AutoService(EventLoopProvider.class)
public final class PollLoopProvider implements EventLoopProvider {
    /** The provider name, {@value}. */
    public static final String NAME = "poll";

    /** Creates the provider; {@link java.util.ServiceLoader} calls this. Does no I/O. */
    public PollLoopProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return -5;
    }

    /** {@inheritDoc} {@link PollPoller#unavailabilityCause()}'s sentence: not POSIX, or the JVM flag to add. */
    @Override
    public Optional<String> unavailabilityCause() {
        return PollPoller.unavailabilityCause();
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
        return new PollLoop();
    }
}
