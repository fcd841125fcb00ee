package dev.asyncloop.epoll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.EventLoop;
import dev.asyncloop.spi.EventLoopProvider;
import dev.asyncloop.spi.EventLoops;
import dev.asyncloop.testsupport.SystemProperties;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The epoll provider in a JVM that opens sun.nio.ch (surefire's argLine), with nio also on the path (rule S1). */
class EpollEventLoopProviderTest {
    @Test
    @DisplayName("S1 ServiceLoader finds the epoll provider, available on Linux with the flag, priority 10")
    void providersContainEpoll() {
        List<EventLoopProvider> epoll = EventLoops.providers().stream().filter(p -> p.name().equals("epoll")).toList();
        assertEquals(1, epoll.size(), "expected one provider named epoll, found " + EventLoops.providers());
        assertInstanceOf(EpollEventLoopProvider.class, epoll.getFirst());
        assertEquals(10, epoll.getFirst().priority());
        assertEquals(java.util.Optional.empty(), epoll.getFirst().unavailabilityCause(),
                "the test JVM runs on Linux with --add-opens java.base/sun.nio.ch=ALL-UNNAMED");
    }

    @Test
    @DisplayName("S1 with nothing named, epoll (10) wins over nio (0)")
    void defaultSelectionPrefersEpoll() {
        Assumptions.assumeTrue(System.getProperty(EventLoops.PROPERTY) == null
                && System.getenv(EventLoops.ENV) == null, "a loop is named by the environment");
        EventLoops.Selection s = EventLoops.select();
        assertInstanceOf(EpollEventLoopProvider.class, s.provider());
        assertTrue(s.reason().startsWith("highest priority available (10 > 0"), s.reason());
    }

    @Test
    @DisplayName("S1 newEventLoop() with -Dasyncloop.loop=epoll gives an EpollEventLoop")
    void propertySelectsEpoll() {
        EventLoop loop = SystemProperties.with(EventLoops.PROPERTY, "epoll", EventLoops::newEventLoop);
        try {
            assertInstanceOf(EpollEventLoop.class, loop);
            assertTrue(!loop.isClosed() && !loop.isRunning());
        } finally {
            loop.close();
        }
    }
}
