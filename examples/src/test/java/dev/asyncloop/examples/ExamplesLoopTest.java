package dev.asyncloop.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.asyncloop.spi.EventLoops;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The examples' tests run on the loop the build means them to: {@code nio}, or {@code epoll} with
 * {@code -Dasyncloop.examples.epoll} (examples/pom.xml), unless {@code asyncloop.loop} names one.
 */
class ExamplesLoopTest {
    @Test
    @DisplayName("the default loop here is the one examples/pom.xml expects, or the one asyncloop.loop names")
    void defaultLoopIsTheExpectedOne() {
        String expected = Optional.ofNullable(System.getProperty(EventLoops.PROPERTY))
                .or(() -> Optional.ofNullable(System.getenv(EventLoops.ENV)))
                .filter(name -> !name.isBlank())
                .orElse(System.getProperty("asyncloop.examples.loop", "nio"));
        EventLoops.Selection selection = EventLoops.select();
        assertEquals(expected, selection.provider().name(), selection.reason());
    }
}
