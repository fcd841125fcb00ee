package dev.asyncloop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.spi.TestLoop;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the public value types and errors say about themselves: their text in a log and their argument checks. */
class ValueTypesTest {

    @Test
    void datagramDescribesSizeAndSenderNotTheArray() {
        Datagram d = new Datagram(new byte[12], new InetSocketAddress("127.0.0.1", 5000));

        assertEquals("Datagram[data=12 bytes, address=/127.0.0.1:5000]", d.toString());
    }

    @Test
    void incompleteReadErrorNamesMissingPartial() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> new IncompleteReadError(null, 4));

        assertEquals("partial", e.getMessage());
    }

    @Test
    void runnerNamesItsStateAndLoop() {
        Runner runner = Runner.builder().loopFactory(TestLoop::new).build();
        assertEquals("Runner[created]", runner.toString());

        EventLoop loop = runner.getLoop();
        assertEquals("Runner[initialized, loop=" + loop + "]", runner.toString());

        runner.close();
        assertTrue(runner.toString().startsWith("Runner[closed, loop="), runner.toString());
    }

    @Test
    void eventLoopGroupNamesItsSizeAndState() {
        EventLoopGroup group = EventLoopGroup.create(2, TestLoop::new);
        try {
            assertEquals("EventLoopGroup[2 loops, running]", group.toString());
        } finally {
            group.close();
        }
        assertEquals("EventLoopGroup[2 loops, terminated]", group.toString());
    }

    @Test
    void asCompletedCountsWhatIsLeft() {
        try (TestLoop loop = new TestLoop()) {
            Future<String> a = loop.createFuture();
            Future<String> b = loop.createFuture();

            assertEquals("AsCompleted[2 of 2 left]", Tasks.asCompleted(List.of(a, b)).toString());
        }
    }
}
