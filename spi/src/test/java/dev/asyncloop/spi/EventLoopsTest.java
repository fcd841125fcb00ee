package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.EventLoop;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Provider listing and selection of {@link EventLoops} (rule S1), on fake providers. */
class EventLoopsTest {

    /** A provider whose name, priority and availability the test chooses. */
    static class Fake implements EventLoopProvider {
        private final String name;
        private final int priority;
        private final String cause;

        Fake(String name, int priority, String cause) {
            this.name = name;
            this.priority = priority;
            this.cause = cause;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public int priority() {
            return priority;
        }

        @Override
        public Optional<String> unavailabilityCause() {
            return Optional.ofNullable(cause);
        }

        @Override
        public Set<Capability> capabilities() {
            return Set.of();
        }

        @Override
        public EventLoop newEventLoop() {
            return new TestLoop();
        }
    }

    /** A second provider class, so that class-name selection and "both classes" messages can be told apart. */
    static final class Other extends Fake {
        Other(String name, int priority, String cause) {
            super(name, priority, cause);
        }
    }

    private static Fake available(String name, int priority) {
        return new Fake(name, priority, null);
    }

    private static Fake unavailable(String name, int priority, String cause) {
        return new Fake(name, priority, cause);
    }

    /** The origin {@link EventLoops#describe} prints for the test classes: their class-path directory. */
    private static String origin() {
        String path = Fake.class.getProtectionDomain().getCodeSource().getLocation().getPath();
        assertTrue(path.endsWith("/"), "test classes are expected in a directory, got " + path);
        return path;
    }

    private static String line(EventLoopProvider p) {
        return p.name() + " (priority " + p.priority() + ", " + p.getClass().getName() + " in " + origin() + "): "
                + p.unavailabilityCause().map(c -> "unavailable: " + c).orElse("available");
    }

    private static String expectedFailure(String headline, List<EventLoopProvider> listed) {
        StringBuilder sb = new StringBuilder("asyncloop: ").append(headline).append(".\n  Providers found:");
        for (EventLoopProvider p : listed) {
            sb.append("\n    ").append(line(p));
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------- providers(Iterable)

    @Test
    @DisplayName("S1 providers() sorts by priority, highest first, then by name")
    void providersAreSortedByPriorityThenName() {
        Fake low = available("low", -5);
        Fake b = available("b", 7);
        Fake a = unavailable("a", 7, "not here");
        Fake mid = available("mid", 0);
        List<EventLoopProvider> sorted = EventLoops.providers(List.of(low, b, mid, a));
        assertEquals(List.of(a, b, mid, low), sorted,
                "unavailable providers are listed too, ordered like the others");
        assertThrows(UnsupportedOperationException.class, () -> sorted.add(low), "the list must be unmodifiable");
    }

    @Test
    @DisplayName("S1 two providers with one name are an error naming both, even if neither is selected")
    void duplicateNamesNameBothProviders() {
        Fake first = available("dup", 3);
        Other second = new Other("dup", 1, "not here");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> EventLoops.providers(List.of(available("fine", 9), first, second)));
        assertEquals("asyncloop: two event loop providers are named 'dup': "
                + "dup (priority 3, " + Fake.class.getName() + " in " + origin() + ") and "
                + "dup (priority 1, " + Other.class.getName() + " in " + origin() + "); remove one jar from the path",
                e.getMessage());
    }

    @Test
    @DisplayName("S1 a provider that cannot be loaded fails listing with the loader's message and a hint")
    void serviceConfigurationErrorIsReported() {
        ServiceConfigurationError broken = new ServiceConfigurationError(
                "dev.asyncloop.spi.EventLoopProvider: Provider com.example.Broken could not be instantiated");
        Iterable<EventLoopProvider> loader = () -> new Iterator<>() {
            private boolean first = true;

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public EventLoopProvider next() {
                if (first) {
                    first = false;
                    return available("ok", 0);
                }
                throw broken;
            }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> EventLoops.providers(loader));
        assertEquals("asyncloop: an event loop provider could not be loaded: " + broken.getMessage()
                + "; check that its jar matches this asyncloop version", e.getMessage());
        assertSame(broken, e.getCause(), "the ServiceConfigurationError must be kept as the cause");
    }

    @Test
    @DisplayName("S1 a ServiceConfigurationError from hasNext() is reported the same way")
    void serviceConfigurationErrorFromHasNextIsReported() {
        ServiceConfigurationError broken = new ServiceConfigurationError("bad META-INF/services line");
        Iterable<EventLoopProvider> loader = () -> new Iterator<>() {
            @Override
            public boolean hasNext() {
                throw broken;
            }

            @Override
            public EventLoopProvider next() {
                throw new NoSuchElementException();
            }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> EventLoops.providers(loader));
        assertSame(broken, e.getCause());
        assertTrue(e.getMessage().contains("bad META-INF/services line"), e.getMessage());
    }

    // ---------------------------------------------------------------- select: by priority

    @Test
    @DisplayName("S1 unnamed: the available provider with the highest priority wins, unavailable ones are skipped")
    void highestAvailablePriorityWins() {
        Fake best = unavailable("best", 100, "needs Linux");
        Fake good = available("good", 10);
        Fake fallback = available("fallback", 0);
        EventLoops.Selection s = EventLoops.select(EventLoops.providers(List.of(fallback, best, good)), null, null);
        assertSame(good, s.provider());
        assertEquals("highest priority available (10 > 0 of 'fallback')", s.reason());
    }

    @Test
    @DisplayName("S1 unnamed: a single available provider is chosen and says so")
    void onlyAvailableProvider() {
        Fake only = available("only", -3);
        EventLoops.Selection s = EventLoops.select(
                EventLoops.providers(List.of(only, unavailable("x", 5, "no"))), null, null);
        assertSame(only, s.provider());
        assertEquals("the only available provider", s.reason());
    }

    @Test
    @DisplayName("S1 unnamed: two available providers sharing the top priority are an error telling to name one")
    void tieAtTopPriorityIsAnError() {
        Fake beta = available("beta", 5);
        Other alpha = new Other("alpha", 5, null);
        Fake low = available("low", 1);
        Fake off = unavailable("off", 9, "disabled by test");
        List<EventLoopProvider> listed = EventLoops.providers(List.of(low, beta, off, alpha));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> EventLoops.select(listed, null, null));
        assertEquals(expectedFailure("event loops 'alpha' and 'beta' share the highest priority 5; name one with"
                + " -Dasyncloop.loop=NAME", List.of(off, alpha, beta, low)), e.getMessage());
    }

    @Test
    @DisplayName("S1 unnamed: a tie below the top priority is no error")
    void tieBelowTopIsFine() {
        Fake top = available("top", 6);
        EventLoops.Selection s = EventLoops.select(
                EventLoops.providers(List.of(available("a", 1), available("b", 1), top)), null, null);
        assertSame(top, s.provider());
    }

    @Test
    @DisplayName("S1 unnamed: an unavailable provider sharing the top priority does not cause a tie")
    void unavailableProviderDoesNotTie() {
        Fake on = available("on", 4);
        EventLoops.Selection s = EventLoops.select(
                EventLoops.providers(List.of(unavailable("off", 4, "no"), on)), null, null);
        assertSame(on, s.provider());
    }

    @Test
    @DisplayName("S1 unnamed: no available provider is an error listing every provider and its cause")
    void noneAvailable() {
        Fake a = unavailable("a", 2, "not Linux");
        Other b = new Other("b", 1, "add --add-opens java.base/sun.nio.ch=ALL-UNNAMED");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> EventLoops.select(EventLoops.providers(List.of(b, a)), null, null));
        assertEquals(expectedFailure("no available event loop provider found; add asyncloop-nio (or another loop)"
                + " to the class path", List.of(a, b)), e.getMessage());
    }

    @Test
    @DisplayName("S1 no provider at all is an error saying none was found")
    void noProviders() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> EventLoops.select(List.of(), null, null));
        assertEquals("asyncloop: no available event loop provider found; add asyncloop-nio (or another loop) to the"
                + " class path.\n  No event loop providers were found on the class path or module path.",
                e.getMessage());
    }

    // ---------------------------------------------------------------- select: named

    @Test
    @DisplayName("S1 named by property: the named provider wins over a higher priority")
    void propertyNamesProvider() {
        Fake low = available("low", 0);
        EventLoops.Selection s = EventLoops.select(
                EventLoops.providers(List.of(available("high", 50), low)), "low", null);
        assertSame(low, s.provider());
        assertEquals("named by -Dasyncloop.loop=low", s.reason());
    }

    @Test
    @DisplayName("S1 named: the value is stripped of surrounding blanks")
    void namedValueIsStripped() {
        Fake low = available("low", 0);
        EventLoops.Selection s = EventLoops.select(
                EventLoops.providers(List.of(available("high", 50), low)), "  low\t", null);
        assertSame(low, s.provider());
        assertEquals("named by -Dasyncloop.loop=low", s.reason());
    }

    @Test
    @DisplayName("S1 named by class name: the provider's fully qualified class name selects it")
    void classNameSelects() {
        Other other = new Other("other", 0, null);
        EventLoops.Selection s = EventLoops.select(
                EventLoops.providers(List.of(available("fake", 50), other)), Other.class.getName(), null);
        assertSame(other, s.provider());
        assertEquals("named by -Dasyncloop.loop=" + Other.class.getName(), s.reason());
    }

    @Test
    @DisplayName("S1 environment variable is used when the property is absent")
    void envUsedWhenPropertyAbsent() {
        Fake low = available("low", 0);
        EventLoops.Selection s = EventLoops.select(
                EventLoops.providers(List.of(available("high", 50), low)), null, "low");
        assertSame(low, s.provider());
        assertEquals("named by ASYNCLOOP_LOOP=low", s.reason());
    }

    @Test
    @DisplayName("S1 the property wins over the environment variable")
    void propertyWinsOverEnv() {
        Fake a = available("a", 0);
        Fake b = available("b", 1);
        EventLoops.Selection s = EventLoops.select(EventLoops.providers(List.of(a, b)), "a", "b");
        assertSame(a, s.provider());
        assertEquals("named by -Dasyncloop.loop=a", s.reason());
    }

    @Test
    @DisplayName("S1 the property wins over the environment variable even when the env names a missing provider")
    void propertyWinsOverBrokenEnv() {
        Fake a = available("a", 0);
        EventLoops.Selection s = EventLoops.select(EventLoops.providers(List.of(a)), "a", "missing");
        assertSame(a, s.provider());
    }

    @Test
    @DisplayName("S1 a blank property is ignored: the environment variable applies")
    void blankPropertyFallsToEnv() {
        Fake a = available("a", 0);
        Fake b = available("b", 1);
        EventLoops.Selection s = EventLoops.select(EventLoops.providers(List.of(a, b)), " \t", "a");
        assertSame(a, s.provider());
        assertEquals("named by ASYNCLOOP_LOOP=a", s.reason());
    }

    @Test
    @DisplayName("S1 blank property and blank environment variable are ignored: priority decides")
    void blankValuesAreIgnored() {
        Fake a = available("a", 0);
        Fake b = available("b", 1);
        EventLoops.Selection s = EventLoops.select(EventLoops.providers(List.of(a, b)), "", "   ");
        assertSame(b, s.provider());
        assertEquals("highest priority available (1 > 0 of 'a')", s.reason());
    }

    @Test
    @DisplayName("S1 a named but unavailable provider fails: no silent fallback to an available one")
    void namedUnavailableFailsWithoutFallback() {
        Fake gone = unavailable("gone", 10, "needs io_uring");
        Other fine = new Other("fine", 0, null);
        List<EventLoopProvider> listed = EventLoops.providers(List.of(fine, gone));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> EventLoops.select(listed, "gone", null));
        assertEquals(expectedFailure("-Dasyncloop.loop=gone names the event loop 'gone', which is unavailable here:"
                + " needs io_uring", List.of(gone, fine)), e.getMessage());
    }

    @Test
    @DisplayName("S1 a provider named by the environment variable but unavailable fails, naming the variable")
    void envNamedUnavailableFails() {
        Fake gone = unavailable("gone", 10, "needs io_uring");
        Fake fine = available("fine", 0);
        List<EventLoopProvider> listed = EventLoops.providers(List.of(fine, gone));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> EventLoops.select(listed, null, "gone"));
        assertEquals(expectedFailure("ASYNCLOOP_LOOP=gone names the event loop 'gone', which is unavailable here:"
                + " needs io_uring", List.of(gone, fine)), e.getMessage());
    }

    @Test
    @DisplayName("S1 a name that matches no provider fails, listing what was found")
    void missingNameFails() {
        Fake a = available("a", 1);
        Other b = new Other("b", 0, "off");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> EventLoops.select(EventLoops.providers(List.of(a, b)), "epoll", null));
        assertEquals(expectedFailure("-Dasyncloop.loop=epoll names no event loop provider on the path",
                List.of(a, b)), e.getMessage());
    }

    @Test
    @DisplayName("S1 a named provider when none is on the path fails saying none was found")
    void missingNameWithNoProviders() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> EventLoops.select(List.of(), null, "nio"));
        assertEquals("asyncloop: ASYNCLOOP_LOOP=nio names no event loop provider on the path.\n"
                + "  No event loop providers were found on the class path or module path.", e.getMessage());
    }

    @Test
    @DisplayName("S1 names are matched exactly (case-sensitive)")
    void namesAreCaseSensitive() {
        List<EventLoopProvider> listed = EventLoops.providers(List.of(available("nio", 0)));
        assertThrows(IllegalStateException.class, () -> EventLoops.select(listed, "NIO", null));
    }

    @Test
    @DisplayName("S1 describe() shows name, priority, class and origin")
    void describeFormat() {
        Fake p = available("x", 3);
        assertEquals("x (priority 3, " + Fake.class.getName() + " in " + origin() + ")", EventLoops.describe(p));
        assertThrows(NullPointerException.class, () -> EventLoops.describe(null));
    }
}
