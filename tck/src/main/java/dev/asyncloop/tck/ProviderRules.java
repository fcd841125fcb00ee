package dev.asyncloop.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.EventLoop;
import dev.asyncloop.spi.EventLoopProvider;
import dev.asyncloop.spi.EventLoops;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Group "provider & selection": rules S1.x; skipped unless the suite overrides {@code provider()}. */
abstract class ProviderRules extends ConformanceGroup {
    private EventLoopProvider provider;

    ProviderRules(EventLoopConformanceSuite suite) {
        super(suite);
    }

    @BeforeEach
    final void requireProvider() {
        Optional<EventLoopProvider> given = suite.provider();
        assertNotNull(given, "[S1] provider() must not return null; return Optional.empty() for none");
        Assumptions.assumeTrue(given.isPresent(), "no provider given; override provider()");
        provider = given.get();
    }

    @Test
    @DisplayName("S1.1 the provider's name is non-blank lower case, and the provider is available")
    void required_S1_1_nameAndAvailability() {
        String name = provider.name();
        assertTrue(name != null && !name.isBlank() && name.equals(name.strip()), msg("S1.1", "name() must be"
                + " non-blank without surrounding spaces, got '" + name + "'"));
        assertEquals(name.toLowerCase(Locale.ROOT), name, msg("S1.1", "name() must be lower case (it is matched"
                + " by -Dasyncloop.loop=NAME), got '" + name + "'"));
        assertTrue(name.chars().noneMatch(Character::isWhitespace), msg("S1.1", "name() must not contain spaces,"
                + " got '" + name + "'"));
        Optional<String> cause = provider.unavailabilityCause();
        assertNotNull(cause, msg("S1.1", "unavailabilityCause() must not return null"));
        assertTrue(cause.isEmpty(), msg("S1.1", "the provider under test must be available here, but says: "
                + cause.orElse("") + "; fix the environment or the availability check"));
    }

    @Test
    @DisplayName("S1.2 newEventLoop() returns a new loop each call, neither running nor closed")
    void required_S1_2_newEventLoopGivesFreshLoops() {
        EventLoop first = provider.newEventLoop();
        EventLoop second = provider.newEventLoop();
        try {
            assertNotNull(first, msg("S1.2", "newEventLoop() must not return null"));
            assertNotSame(first, second, msg("S1.2", "each newEventLoop() call must return a new loop"));
            for (EventLoop l : List.of(first, second)) {
                assertFalse(l.isRunning(), msg("S1.2", "a new loop must not be running: " + l));
                assertFalse(l.isClosed(), msg("S1.2", "a new loop must not be closed: " + l));
            }
            first.callSoon(first::stop);
            first.runForever();
        } finally {
            if (first != null) {
                first.close();
            }
            if (second != null) {
                second.close();
            }
        }
    }

    @Test
    @DisplayName("S1.3 capabilities() is non-null and equals the suite's capabilities()")
    void required_S1_3_capabilitiesMatchSuite() {
        assertNotNull(provider.capabilities(), msg("S1.3", "capabilities() must not return null"));
        assertEquals(suite.capabilities(), provider.capabilities(), msg("S1.3", "the provider claims "
                + provider.capabilities() + " but the suite tests " + suite.capabilities() + "; your"
                + " EventLoopConformanceSuite subclass overrides capabilities(): remove that override (the suite then"
                + " tests what provider() claims) or make the two agree; the groups of a capability left out are"
                + " skipped"));
    }

    @Test
    @DisplayName("S1.4 the provider is registered: EventLoops.providers() finds it through ServiceLoader")
    void required_S1_4_registeredWithServiceLoader() {
        List<EventLoopProvider> found = EventLoops.providers();
        assertTrue(found.stream().anyMatch(p -> p.getClass() == provider.getClass()
                        && p.name().equals(provider.name())),
                msg("S1.4", "EventLoops.providers() must list " + provider.getClass().getName() + " ('"
                        + provider.name() + "'), found " + found.stream().map(EventLoops::describe).toList()
                        + "; register it in META-INF/services/dev.asyncloop.spi.EventLoopProvider (e.g."
                        + " @AutoService) and with 'provides' in module-info.java"));
    }

    @Test
    @DisplayName("S1.5 -Dasyncloop.loop=NAME makes EventLoops.select() pick the provider")
    void required_S1_5_selectedByProperty() {
        String previous = System.getProperty(EventLoops.PROPERTY);
        System.setProperty(EventLoops.PROPERTY, provider.name());
        try {
            EventLoops.Selection selection = EventLoops.select();
            assertEquals(provider.getClass(), selection.provider().getClass(), msg("S1.5", "with -D"
                    + EventLoops.PROPERTY + "=" + provider.name() + " select() must pick "
                    + provider.getClass().getName() + ", picked " + EventLoops.describe(selection.provider())
                    + "; check the name is unique among the providers on the path"));
            EventLoop selected = EventLoops.newEventLoop();
            try {
                assertFalse(selected.isRunning() || selected.isClosed(), msg("S1.5", "the selected provider's"
                        + " loop must be fresh"));
            } finally {
                selected.close();
            }
        } finally {
            if (previous == null) {
                System.clearProperty(EventLoops.PROPERTY);
            } else {
                System.setProperty(EventLoops.PROPERTY, previous);
            }
        }
    }
}
