package dev.asyncloop.epoll;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.asyncloop.spi.EventLoopProvider;
import dev.asyncloop.spi.EventLoops;
import dev.asyncloop.testsupport.ForkedJvm;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The epoll provider in a forked JVM started without {@code --add-opens java.base/sun.nio.ch}: it reports that
 * flag as its cause, default selection quietly takes nio, and naming epoll fails with the cause (rule S1).
 */
class EpollUnavailableTest {
    private static final String FLAG_CAUSE =
            "add --add-opens java.base/sun.nio.ch=ALL-UNNAMED to the JVM command line";

    /** Runs in the forked JVM; prints one line per fact: cause, default selection, named selection outcome. */
    public static final class Probe {
        private Probe() {
        }

        /**
         * Prints the facts.
         *
         * @param args ignored
         */
        public static void main(String[] args) {
            EventLoopProvider epoll = new EpollEventLoopProvider();
            System.out.println("cause=" + epoll.unavailabilityCause().orElse("<none>"));
            System.out.println("default=" + EventLoops.select().provider().name());
            System.setProperty(EventLoops.PROPERTY, "epoll");
            try {
                EventLoops.newEventLoop().close();
                System.out.println("named=<no error>");
            } catch (IllegalStateException e) {
                System.out.println("named=" + e.getMessage().lines().findFirst().orElse(""));
            }
        }
    }

    private static List<String> runProbe() throws IOException, InterruptedException {
        return ForkedJvm.of(Probe.class).moduleFlags().property("asyncloop.coroutines", "virtual")
                .withoutSettingsFromEnvironment().stderrIntoStdout().run().expectExit(0).stdout().lines()
                .filter(l -> l.matches("^(cause|default|named)=.*")).toList();
    }

    @Test
    @DisplayName("S1 without the add-opens flag: cause names the flag, default is nio, -Dasyncloop.loop=epoll fails")
    void withoutFlag() throws Exception {
        List<String> facts = runProbe();
        assertEquals(3, facts.size(), "expected three lines from the probe, got " + facts);
        assertEquals("cause=" + FLAG_CAUSE, facts.get(0));
        assertEquals("default=nio", facts.get(1), "an unavailable epoll must not be chosen by priority");
        assertEquals("named=asyncloop: -Dasyncloop.loop=epoll names the event loop 'epoll', which is unavailable"
                + " here: " + FLAG_CAUSE + ".", facts.get(2));
    }
}
