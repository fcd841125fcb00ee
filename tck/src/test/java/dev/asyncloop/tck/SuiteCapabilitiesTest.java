package dev.asyncloop.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.EventLoop;
import dev.asyncloop.nio.NioEventLoop;
import dev.asyncloop.nio.NioEventLoopProvider;
import dev.asyncloop.spi.Capability;
import dev.asyncloop.spi.EventLoopProvider;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Where the suite's capabilities come from when its subclass does not say. */
class SuiteCapabilitiesTest {
    static class NoProvider extends EventLoopConformanceSuite {
        @Override
        protected EventLoop newLoop() {
            return new NioEventLoop();
        }
    }

    static class WithProvider extends NoProvider {
        @Override
        protected Optional<EventLoopProvider> provider() {
            return Optional.of(new NioEventLoopProvider());
        }
    }

    static class OwnClaim extends WithProvider {
        @Override
        protected Set<Capability> capabilities() {
            return EnumSet.of(Capability.TCP);
        }
    }

    @Test
    void theProvidersClaimIsTestedWhenOnlyProviderIsOverridden() {
        Set<Capability> claimed = new NioEventLoopProvider().capabilities();
        assertTrue(claimed.contains(Capability.TCP), "the NIO provider claims TCP: " + claimed);
        assertEquals(claimed, new WithProvider().capabilities());
    }

    @Test
    void nothingIsClaimedWithoutProvider() {
        assertEquals(Set.of(), new NoProvider().capabilities());
    }

    @Test
    void anOverrideWins() {
        assertEquals(EnumSet.of(Capability.TCP), new OwnClaim().capabilities());
    }
}
