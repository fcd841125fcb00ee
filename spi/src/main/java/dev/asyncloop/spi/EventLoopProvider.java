package dev.asyncloop.spi;

import dev.asyncloop.EventLoop;
import java.util.Optional;
import java.util.Set;

/**
 * A kind of event loop, found with {@link java.util.ServiceLoader}. Register an implementation with
 * {@code @AutoService(EventLoopProvider.class)} (which writes {@code META-INF/services} only when AutoService's
 * processor is on the compiler's {@code annotationProcessorPaths}; javac is silent otherwise) and with
 * {@code provides dev.asyncloop.spi.EventLoopProvider with ...} in {@code module-info.java}, so class-path and
 * module-path users both find it.
 *
 * <p>Implementations must have a public no-argument constructor that does no I/O and never throws: report a
 * missing platform feature through {@link #unavailabilityCause()} instead. Methods may be called from any
 * thread.
 */
public interface EventLoopProvider {
    /**
     * Returns the name {@code -Dasyncloop.loop=} matches, such as {@code nio} or {@code epoll}: lower case,
     * unique among the providers on the path.
     *
     * @return the name
     */
    String name();

    /**
     * Returns the priority: when no loop is named, the available provider with the highest priority wins.
     * The reference loops use 0 ({@code nio}) and 10 ({@code epoll}).
     *
     * @return the priority
     */
    int priority();

    /**
     * Tells why this loop cannot be used here, in one sentence that says what to do about it (for example
     * "not Linux" or "add --add-opens java.base/sun.nio.ch=ALL-UNNAMED").
     *
     * @return empty when usable, else the reason
     */
    Optional<String> unavailabilityCause();

    /**
     * Returns the optional features the loop offers.
     *
     * @return the capabilities
     */
    Set<Capability> capabilities();

    /**
     * Creates a new, not yet running loop.
     *
     * @return the loop
     * @throws IllegalStateException if the provider is unavailable
     */
    EventLoop newEventLoop();
}
