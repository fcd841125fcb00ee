package dev.asyncloop.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.EventLoop;
import dev.asyncloop.nio.NioEventLoop;
import dev.asyncloop.nio.NioEventLoopProvider;
import dev.asyncloop.spi.Capability;
import dev.asyncloop.spi.EventLoopProvider;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
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

    /** A loop that claims subprocesses and pipes but no sockets, as a loop on BaseEventLoop may. */
    static class WithoutTcp extends NoProvider {
        @Override
        protected Set<Capability> capabilities() {
            return EnumSet.of(Capability.SUBPROCESS, Capability.PIPES);
        }
    }

    @Test
    void networkingGroupsRunTheirSubprocessAndPipeRulesWithoutTcp() {
        RunResult run = SuiteRun.execute(WithoutTcp.class, name -> name.startsWith("N15."));
        Map<String, RunResult.Outcome> byRule = run.outcomes().stream()
                .collect(Collectors.toMap(o -> o.name().split(" ")[0], o -> o));
        for (String rule : List.of("N15.7", "N15.10", "N15.11")) {
            RunResult.Outcome o = byRule.get(rule);
            assertNotNull(o, rule + " must be among the N15 outcomes: " + byRule.keySet());
            assertEquals(RunResult.Status.PASSED, o.status(), rule + " needs no socket, so a loop claiming its"
                    + " capability without TCP must be checked by it: " + o);
        }
        RunResult.Outcome socketRule = byRule.get("N15.1");
        assertEquals(RunResult.Status.SKIPPED, socketRule.status(), "N15.1 needs TCP: " + socketRule);
        assertTrue(socketRule.message().contains("does not claim TCP"), "the skip must name TCP: " + socketRule);
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
