package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.Future;
import dev.asyncloop.SubprocessConnection;
import dev.asyncloop.SubprocessProtocol;
import dev.asyncloop.SubprocessTransport;
import dev.asyncloop.Tasks;
import dev.asyncloop.WriteTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * Subprocess calls off the common path: a protocol factory that returns null, a start cancelled before the child
 * is connected (the child is killed, as asyncio's), and a protocol replaced on a running child's transport.
 */
@EnabledOnOs({OS.LINUX, OS.MAC})
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SubprocessEdgesTest {
    private static final Duration BOUND = Duration.ofSeconds(10);

    private final ReadinessEventLoop loop = SelectorLoops.newLoop();

    @AfterEach
    void tearDown() {
        loop.close();
    }

    /** Records what the child's transport tells it, and completes {@link #lost} at the end. */
    private static final class Events implements SubprocessProtocol {
        final List<String> events = new ArrayList<>();
        final Future<@Nullable Void> lost;

        Events(ReadinessEventLoop loop) {
            lost = loop.createFuture();
        }

        @Override
        public void processExited() {
            events.add("exited");
        }

        @Override
        public void connectionLost(@Nullable Throwable exception) {
            events.add("lost " + exception);
            lost.setResult(null);
        }
    }

    @Test
    void aProtocolFactoryThatReturnsNullFailsTheStartAndNoChildRuns() {
        Supplier<SubprocessProtocol> factory = () -> null;
        Future<SubprocessConnection<SubprocessProtocol>> start = loop.subprocessExec(factory, List.of("true"));
        assertTrue(start.isDone(), "refused before any process is started");
        Throwable e = start.exception().orElseThrow();
        assertInstanceOf(NullPointerException.class, e);
        assertEquals("protocolFactory " + factory + " returned null", e.getMessage(),
                "named as the connection factories name theirs");
    }

    @Test
    void aStartCancelledBeforeTheChildIsConnectedKillsTheChild() throws Exception {
        Future<SubprocessConnection<Events>> start = loop.subprocessExec(() -> new Events(loop),
                List.of("sleep", "60"));
        List<ProcessHandle> started = ProcessHandle.current().children().filter(p -> p.info().arguments()
                .map(a -> List.of(a).equals(List.of("60"))).orElse(false)).toList();
        assertEquals(1, started.size(), "the child runs before the start is connected: " + started);
        start.cancel();
        loop.stop();
        loop.runForever(); // one iteration: the spawner's callback finds the start cancelled
        assertTrue(start.isCancelled());
        ProcessHandle child = started.getFirst();
        assertSame(child, child.onExit().get(BOUND.toSeconds(), TimeUnit.SECONDS),
                "the cancelled start's child was killed, long before its 60 s");
    }

    @Test
    void aProtocolSetOnARunningChildsTransportGetsItsExitAndEnd() {
        Events first = new Events(loop);
        Events second = new Events(loop);
        SubprocessConnection<Events> c = loop.runUntilComplete(loop.subprocessExec(() -> first, List.of("cat")));
        SubprocessTransport transport = c.transport();
        transport.setProtocol(second);
        assertSame(second, transport.getProtocol());
        Optional<?> stdin = transport.getPipeTransport(0);
        ((WriteTransport) stdin.orElseThrow()).close(); // cat reads EOF and exits 0
        loop.runUntilComplete(() -> Tasks.waitFor(second.lost, BOUND));
        assertEquals(List.of("exited", "lost null"), second.events);
        assertEquals(List.of(), first.events, "the replaced protocol hears nothing");
        assertEquals(0, transport.returnCode().orElseThrow());
    }
}
