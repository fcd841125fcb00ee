package dev.asyncloop.spi;

import dev.asyncloop.EventLoop;
import java.net.URL;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Finds {@link EventLoopProvider}s and picks one, as an operator asks.
 *
 * <p>Selection, on every call of {@link #select()}:
 * <ol>
 *   <li>the system property {@value #PROPERTY} (or, when the property is absent, the environment variable
 *       {@value #ENV}) names a provider by {@link EventLoopProvider#name()} or by class name: that provider is
 *       used; if it is missing or unavailable, selection fails with a message listing what was asked, every
 *       provider found (name, class, jar, availability) and each unavailability cause;</li>
 *   <li>otherwise the available provider with the highest priority is used; two available providers sharing
 *       the highest priority are an error (name one).</li>
 * </ol>
 * There is never a silent fallback. Two providers with the same name are an error as soon as providers are
 * listed. Thread-safe.
 */
public final class EventLoops {
    /** The system property that names a loop. */
    public static final String PROPERTY = "asyncloop.loop";
    /** The environment variable read when {@link #PROPERTY} is absent. */
    public static final String ENV = "ASYNCLOOP_LOOP";

    private EventLoops() {
    }

    /**
     * Lists the providers on the class path and module path, highest priority first.
     *
     * @return the providers
     * @throws IllegalStateException if two share a name, or one cannot be instantiated (naming it and its jar)
     */
    public static List<EventLoopProvider> providers() {
        return providers(ServiceLoader.load(EventLoopProvider.class));
    }

    static List<EventLoopProvider> providers(Iterable<EventLoopProvider> loader) {
        List<EventLoopProvider> found = new ArrayList<>();
        Iterator<EventLoopProvider> it = loader.iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                found.add(it.next());
            } catch (ServiceConfigurationError e) {
                throw new IllegalStateException("asyncloop: an event loop provider could not be loaded: "
                        + e.getMessage() + "; check that its jar matches this asyncloop version", e);
            }
        }
        Map<String, EventLoopProvider> byName = new HashMap<>();
        for (EventLoopProvider p : found) {
            EventLoopProvider other = byName.putIfAbsent(p.name(), p);
            if (other != null) {
                throw new IllegalStateException("asyncloop: two event loop providers are named '" + p.name() + "': "
                        + describe(other) + " and " + describe(p) + "; remove one jar from the path");
            }
        }
        found.sort(Comparator.comparingInt(EventLoopProvider::priority).reversed()
                .thenComparing(EventLoopProvider::name));
        return List.copyOf(found);
    }

    /**
     * Picks the provider to use, as the class documentation describes.
     *
     * @return the provider and why it was chosen
     * @throws IllegalStateException if the named provider is missing or unavailable, or none is available
     */
    public static Selection select() {
        return select(providers(), System.getProperty(PROPERTY), System.getenv(ENV));
    }

    /**
     * Creates a loop from {@link #select()}.
     *
     * @return a new loop
     * @throws IllegalStateException as {@link #select()}
     */
    public static EventLoop newEventLoop() {
        return select().provider().newEventLoop();
    }

    static Selection select(List<EventLoopProvider> providers, String property, String env) {
        String asked = null;
        String source = null;
        if (property != null && !property.isBlank()) {
            asked = property.strip();
            source = "-D" + PROPERTY + "=" + asked;
        } else if (env != null && !env.isBlank()) {
            asked = env.strip();
            source = ENV + "=" + asked;
        }
        if (asked != null) {
            for (EventLoopProvider p : providers) {
                if (p.name().equals(asked) || p.getClass().getName().equals(asked)) {
                    Optional<String> cause = p.unavailabilityCause();
                    if (cause.isPresent()) {
                        throw new IllegalStateException(failure(source + " names the event loop '" + p.name()
                                + "', which is unavailable here: " + cause.get(), providers));
                    }
                    return new Selection(p, "named by " + source);
                }
            }
            throw new IllegalStateException(failure(source + " names no event loop provider on the path", providers));
        }
        List<EventLoopProvider> available = providers.stream()
                .filter(p -> p.unavailabilityCause().isEmpty()).toList();
        if (available.isEmpty()) {
            throw new IllegalStateException(failure("no available event loop provider found; add asyncloop-nio"
                    + " (or another loop) to the class path", providers));
        }
        EventLoopProvider best = available.get(0);
        if (available.size() > 1 && available.get(1).priority() == best.priority()) {
            throw new IllegalStateException(failure("event loops '" + best.name() + "' and '"
                    + available.get(1).name() + "' share the highest priority " + best.priority()
                    + "; name one with -D" + PROPERTY + "=NAME", providers));
        }
        String why = available.size() > 1
                ? "highest priority available (" + best.priority() + " > " + available.get(1).priority() + " of '"
                        + available.get(1).name() + "')"
                : "the only available provider";
        return new Selection(best, why);
    }

    private static String failure(String headline, List<EventLoopProvider> providers) {
        StringBuilder sb = new StringBuilder("asyncloop: ").append(headline);
        if (!headline.endsWith(".")) {
            sb.append('.');
        }
        if (providers.isEmpty()) {
            sb.append("\n  No event loop providers were found on the class path or module path.");
        } else {
            sb.append("\n  Providers found:");
            for (EventLoopProvider p : providers) {
                sb.append("\n    ").append(describe(p)).append(": ")
                        .append(p.unavailabilityCause().map(c -> "unavailable: " + c).orElse("available"));
            }
        }
        return sb.toString();
    }

    /**
     * Describes a provider for messages: name, priority, class and the jar it came from.
     *
     * @param p the provider
     * @return e.g. {@code nio (priority 0, dev.asyncloop.nio.NioEventLoopProvider in asyncloop-nio-0.1.0.jar)}
     */
    public static String describe(EventLoopProvider p) {
        Objects.requireNonNull(p, "p");
        return p.name() + " (priority " + p.priority() + ", " + p.getClass().getName() + " in " + origin(p) + ")";
    }

    private static String origin(EventLoopProvider p) {
        CodeSource source = p.getClass().getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            return "an unknown location";
        }
        URL url = source.getLocation();
        String path = url.getPath();
        if (path.endsWith("/")) {
            return path;
        }
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /**
     * The outcome of {@link #select()}.
     *
     * @param provider the chosen provider
     * @param reason why it was chosen, for logs ("named by -Dasyncloop.loop=nio", "highest priority available")
     */
    public record Selection(EventLoopProvider provider, String reason) {
        /**
         * Creates the selection.
         *
         * @throws NullPointerException if an argument is null
         */
        public Selection {
            Objects.requireNonNull(provider, "provider");
            Objects.requireNonNull(reason, "reason");
        }
    }
}
