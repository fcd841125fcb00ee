package dev.asyncloop.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.epoll.EpollPoller;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The abrupt-close soak at CI size: 400 connections reset or half-closed under load leave no connection,
 * registration, descriptor, protocol or buffer behind, on the NIO and on the epoll loop.
 */
@Timeout(120)
class AbruptCloseSoakTest {

    private static void leavesNothingBehind(String loop) throws Exception {
        AbruptCloseSoak.Config config = new AbruptCloseSoak.Config(loop, 400, 2, 4, 8, 2, Duration.ofSeconds(20));
        AbruptCloseSoak.Result r = AbruptCloseSoak.run(config);
        String json = r.toJson();
        assertEquals(List.of(), r.problems(), json);
        // What the run must have exercised, or the checks above prove little.
        assertEquals(400, r.resets() + r.halfCloses(), json);
        assertTrue(r.made() >= 300, "the server saw too few of the connections: " + json);
        assertTrue(r.lostWithError() > 0, "no connection was lost to a reset: " + json);
        assertTrue(r.floodStalls() > 0, "no connection left the server with a full write buffer: " + json);
        assertTrue(r.loadRoundTrips() > 0, "the load did not run: " + json);
        // The checks themselves, spelled out.
        assertEquals(r.made(), r.lost(), json);
        assertEquals(r.openBefore(), r.openAfter(), json);
        assertEquals(r.registeredBefore(), r.registeredAfter(), json);
        assertEquals(0, r.registeredClosed(), json);
        assertEquals(r.before().fds(), r.after().fds(), json);
        assertEquals(0, r.retainedClosed(), json);
        assertEquals(0, r.openAfterLoad(), json);
        assertEquals(1, r.registeredAfterLoad(), json);
    }

    @Test
    void nioLoopLeavesNothingBehind() throws Exception {
        leavesNothingBehind("nio");
    }

    @Test
    void epollLoopLeavesNothingBehind() throws Exception {
        Assumptions.assumeTrue(EpollPoller.unavailabilityCause().isEmpty(),
                () -> "epoll is unavailable: " + EpollPoller.unavailabilityCause().orElse(""));
        leavesNothingBehind("epoll");
    }

    @Test
    void everyLeakCheckNamesWhatLeaked() {
        AbruptCloseSoak.Config config = new AbruptCloseSoak.Config("nio", 10, 1, 1, 1, 1, Duration.ofSeconds(1));
        ProcessGauges before = new ProcessGauges(20, 1, 1000, 10L << 20);
        ProcessGauges after = new ProcessGauges(21, 1 + AbruptCloseSoak.DIRECT_COUNT_ALLOWANCE + 1, 1000,
                (10L << 20) + AbruptCloseSoak.HEAP_ALLOWANCE + 1);
        AbruptCloseSoak.Result leaky = new AbruptCloseSoak.Result(config, 8, 2, 10, 9, 8, 1, 1, 2, 2, 3, 1, before,
                after, List.of(before.heapAfterGc(), after.heapAfterGc()), 1, 1, 2, 0, 0, 0, 0, 0, 0, 1.0, List.of(), false);
        List<String> leaks = AbruptCloseSoak.leaks(leaky);
        for (String expected : List.of("connectionMade 10 times but connectionLost 9 times",
                "1 protocol callbacks out of order", "open connections 1 -> 2", "registered channels 2 -> 3",
                "1 closed channels still registered", "open file descriptors 20 -> 21",
                "1 protocols of closed connections still reachable", "direct buffers 1 (1000 B) -> 6 (1000 B)",
                "heap after GC 10485760 ->", "heap after GC grew across rounds", "after the load closed: 1 connections open, 2 channels registered")) {
            assertTrue(leaks.stream().anyMatch(l -> l.startsWith(expected)), expected + " not in " + leaks);
        }
        assertEquals(11, leaks.size(), leaks.toString());

        AbruptCloseSoak.Result clean = new AbruptCloseSoak.Result(config, 8, 2, 10, 10, 8, 0, 1, 1, 2, 2, 0, before,
                before, List.of(before.heapAfterGc()), 0, 0, 1, 0, 0, 0, 0, 0, 0, 1.0, List.of(), false);
        assertEquals(List.of(), AbruptCloseSoak.leaks(clean));
    }

    @Test
    void badOptionsAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AbruptCloseSoak.parse(new String[] {"--connections", "0"}, "nio"));
        assertTrue(e.getMessage().contains("--connections"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> AbruptCloseSoak.parse(new String[] {"--bogus", "1"}, "nio"));
        assertTrue(e.getMessage().contains("unknown option --bogus"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> AbruptCloseSoak.parse(new String[] {"--rounds"}, "nio"));
        assertTrue(e.getMessage().contains("needs a value"), e.getMessage());
        assertEquals(new AbruptCloseSoak.Config("epoll", 10_000, 4, 8, 8, 5, Duration.ofSeconds(30)),
                AbruptCloseSoak.parse(new String[0], "epoll"));
        assertThrows(IllegalArgumentException.class, () -> new SoakServer("kqueue"));
    }
}
