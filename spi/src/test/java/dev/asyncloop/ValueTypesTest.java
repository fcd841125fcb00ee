package dev.asyncloop;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.spi.TestLoop;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** What the public value types and errors say about themselves: their text in a log and their argument checks. */
class ValueTypesTest {

    @Test
    void datagramDescribesSizeAndSenderNotTheArray() {
        Datagram d = new Datagram(new byte[12], new InetSocketAddress("127.0.0.1", 5000));

        assertEquals("Datagram[data=12 bytes, address=/127.0.0.1:5000]", d.toString());
    }

    @Test
    void datagramsWithTheSameBytesAndSenderAreEqual() {
        InetSocketAddress sender = new InetSocketAddress("127.0.0.1", 5000);
        Datagram d = new Datagram(new byte[] {1, 2, 3}, sender);

        assertEquals(d, new Datagram(new byte[] {1, 2, 3}, new InetSocketAddress("127.0.0.1", 5000)));
        assertEquals(d.hashCode(), new Datagram(new byte[] {1, 2, 3}, sender).hashCode());
        assertNotEquals(d, new Datagram(new byte[] {1, 2, 4}, sender));
        assertNotEquals(d, new Datagram(new byte[] {1, 2, 3}, new InetSocketAddress("127.0.0.1", 5001)));
        assertNotEquals(d, "Datagram");
    }

    @Test
    void subprocessOutputsCompareTheirBytes() {
        Subprocess.Output out = new Subprocess.Output("out".getBytes(UTF_8), null);

        assertEquals(out, new Subprocess.Output("out".getBytes(UTF_8), null));
        assertEquals(out.hashCode(), new Subprocess.Output("out".getBytes(UTF_8), null).hashCode());
        assertNotEquals(out, new Subprocess.Output("out".getBytes(UTF_8), new byte[0]));
        assertNotEquals(out, new Subprocess.Output(null, null));
    }

    @Test
    void pipelineOutputsCompareEveryStagesBytes() {
        List<byte @Nullable []> stderr = Arrays.asList("a".getBytes(UTF_8), null);
        SubprocessPipeline.Output out = new SubprocessPipeline.Output("out".getBytes(UTF_8), stderr);

        SubprocessPipeline.Output same =
                new SubprocessPipeline.Output("out".getBytes(UTF_8), Arrays.asList("a".getBytes(UTF_8), null));
        assertEquals(out, same);
        assertEquals(out.hashCode(), same.hashCode());
        assertNotEquals(out, new SubprocessPipeline.Output("out".getBytes(UTF_8), Arrays.asList("b".getBytes(UTF_8),
                null)));
        assertNotEquals(out, new SubprocessPipeline.Output("out".getBytes(UTF_8), List.of("a".getBytes(UTF_8))));
        assertNotEquals(out, new SubprocessPipeline.Output(null, stderr));
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
