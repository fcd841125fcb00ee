package dev.asyncloop.tck;

import dev.asyncloop.EventLoop;
import dev.asyncloop.spi.Capability;
import dev.asyncloop.spi.EventLoopProvider;
import dev.asyncloop.spi.EventLoops;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;

/**
 * The conformance suite over a loop provider: the one the console runner chose, or else the one
 * {@link EventLoops#select()} picks (so {@code -Dasyncloop.loop=NAME} works when a JUnit launcher runs this class
 * directly).
 *
 * <p>Not thread-safe to reconfigure while a run is under way: {@link #use} is for the code that starts the run.
 * Final: run it as it is; a test class of your own extends {@link EventLoopConformanceSuite}.
 */
@DisplayName("suite set-up")
public final class ProviderConformanceSuite extends EventLoopConformanceSuite {
    private static volatile @Nullable EventLoopProvider chosen;

    /** Creates the suite; the JUnit launcher calls this. */
    public ProviderConformanceSuite() {
    }

    /**
     * Makes the suites created from now on test {@code provider}'s loops.
     *
     * @param provider the provider, or null to go back to {@link EventLoops#select()}
     */
    static void use(@Nullable EventLoopProvider provider) {
        chosen = provider;
    }

    /**
     * Returns the provider under test.
     *
     * @return the provider set with {@link #use}, else the selected one
     * @throws IllegalStateException as {@link EventLoops#select()} when none was set and selection fails
     */
    static EventLoopProvider current() {
        EventLoopProvider p = chosen;
        return p != null ? p : EventLoops.select().provider();
    }

    /** @return a new loop of the provider under test */
    @Override
    protected EventLoop newLoop() {
        EventLoopProvider p = current();
        return Objects.requireNonNull(p.newEventLoop(), () -> "[TCK] provider " + p.name()
                + " returned null from newEventLoop()");
    }

    /** @return the provider under test */
    @Override
    protected Optional<EventLoopProvider> provider() {
        return Optional.of(current());
    }

    /** @return the capabilities the provider under test claims */
    @Override
    protected Set<Capability> capabilities() {
        return current().capabilities();
    }
}
