package dev.asyncloop.nio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.Async;
import dev.asyncloop.EventLoop;
import dev.asyncloop.spi.EventLoopProvider;
import dev.asyncloop.spi.EventLoops;
import dev.asyncloop.testsupport.SystemProperties;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The NIO provider as {@link java.util.ServiceLoader} finds it on the class path (rule S1). */
class NioEventLoopProviderTest {
    private static final String SERVICE_FILE = "META-INF/services/" + EventLoopProvider.class.getName();

    @Test
    @DisplayName("S1 ServiceLoader finds the nio provider, available, priority 0")
    void providersContainNio() {
        List<EventLoopProvider> providers = EventLoops.providers();
        List<EventLoopProvider> nio = providers.stream().filter(p -> p.name().equals("nio")).toList();
        assertEquals(1, nio.size(), "expected one provider named nio, found " + providers);
        assertInstanceOf(NioEventLoopProvider.class, nio.get(0));
        assertEquals(0, nio.get(0).priority());
        assertTrue(nio.get(0).unavailabilityCause().isEmpty());
    }

    @Test
    @DisplayName("S1 -Dasyncloop.loop=nio selects the nio provider")
    void propertySelectsNio() {
        EventLoops.Selection s = SystemProperties.with(EventLoops.PROPERTY, "nio", EventLoops::select);
        assertInstanceOf(NioEventLoopProvider.class, s.provider());
        assertEquals("named by -Dasyncloop.loop=nio", s.reason());
    }

    @Test
    @DisplayName("S1 the provider's class name selects it too")
    void classNameSelectsNio() {
        EventLoops.Selection s = SystemProperties.with(EventLoops.PROPERTY, NioEventLoopProvider.class.getName(),
                EventLoops::select);
        assertInstanceOf(NioEventLoopProvider.class, s.provider());
    }

    @Test
    @DisplayName("S1 newEventLoop() with -Dasyncloop.loop=nio gives a NioEventLoop")
    void newEventLoopGivesNio() {
        EventLoop loop = SystemProperties.with(EventLoops.PROPERTY, "nio", EventLoops::newEventLoop);
        try {
            assertInstanceOf(NioEventLoop.class, loop);
            assertTrue(!loop.isClosed() && !loop.isRunning());
        } finally {
            loop.close();
        }
    }

    @Test
    @DisplayName("S1 the built classes register the provider in META-INF/services")
    void serviceFileIsBuilt() throws Exception {
        URI location = NioEventLoopProvider.class.getProtectionDomain().getCodeSource().getLocation().toURI();
        Path root = Path.of(location);
        List<String> lines;
        if (Files.isDirectory(root)) {
            lines = Files.readAllLines(root.resolve(SERVICE_FILE), StandardCharsets.UTF_8);
        } else {
            try (FileSystem jar = FileSystems.newFileSystem(root, Map.of())) {
                lines = Files.readAllLines(jar.getPath(SERVICE_FILE), StandardCharsets.UTF_8);
            }
        }
        assertTrue(lines.stream().map(String::strip).anyMatch(NioEventLoopProvider.class.getName()::equals),
                SERVICE_FILE + " in " + root + " must list " + NioEventLoopProvider.class.getName() + ": " + lines);
    }

    @Test
    @DisplayName("Async.run() runs main on the selected nio loop and returns its result")
    void asyncRunUsesNio() {
        Assumptions.assumeTrue(System.getenv(EventLoops.ENV) == null, "ASYNCLOOP_LOOP is set");
        String loopClass = SystemProperties.with(EventLoops.PROPERTY, "nio", () -> Async.run(() -> {
            Async.sleep(java.time.Duration.ofMillis(1));
            return Async.getRunningLoop().getClass().getName();
        }));
        assertEquals(NioEventLoop.class.getName(), loopClass);
    }

    @Test
    @DisplayName("S1 with nothing named, the only provider on the path is chosen")
    void onlyProviderChosen() {
        Assumptions.assumeTrue(System.getProperty(EventLoops.PROPERTY) == null
                && System.getenv(EventLoops.ENV) == null, "a loop is named by the environment");
        Assumptions.assumeTrue(EventLoops.providers().size() == 1, "other providers are on the path");
        EventLoops.Selection s = EventLoops.select();
        assertInstanceOf(NioEventLoopProvider.class, s.provider());
        assertEquals("the only available provider", s.reason());
    }
}
