package dev.asyncloop.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.asyncloop.Async;
import dev.asyncloop.Future;
import dev.asyncloop.Server;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Rules P1.x: a registration's lifetime as the application sees it. A channel watched again right after it was
 * unwatched, and a channel closed right after it was unwatched, are the two places where a
 * {@link java.nio.channels.Selector} keeps a cancelled key until its next select: registering again throws
 * {@link java.nio.channels.CancelledKeyException}, and the closed channel keeps its descriptor (a listening socket
 * keeps accepting). asyncio's selector loops have neither delay: {@code unregister} leaves the kernel at once.
 */
abstract class PollerRules extends NetworkGroup {
    PollerRules(EventLoopConformanceSuite suite) {
        super(suite);
    }

    @Test
    @DisplayName("P1.1 removeReader then addReader of the same channel in one callback: the new reader runs")
    void required_P1_1_watchAgainRightAfterUnwatching() throws Exception {
        SocketChannel[] p = socketPair();
        p[1].write(ByteBuffer.wrap(bytes("x")));
        List<String> calls = new ArrayList<>();
        RuntimeException[] refused = new RuntimeException[1];
        run("P1.1", () -> {
            Future<@Nullable Void> second = loop.createFuture();
            loop.addReader(p[0], () -> {
                calls.add("first");
                loop.removeReader(p[0]);
                try {
                    loop.addReader(p[0], () -> {
                        calls.add("second");
                        if (!second.isDone()) {
                            second.setResult(null);
                        }
                    });
                } catch (RuntimeException e) {
                    refused[0] = e;
                    if (!second.isDone()) {
                        second.setResult(null);
                    }
                }
            });
            Async.await(second);
            for (int i = 0; i < 3; i++) {
                Async.yieldNow();
            }
            loop.removeReader(p[0]);
            return null;
        });
        assertNull(refused[0], msg("P1.1", "addReader right after removeReader of the same channel, in the same"
                + " callback, threw " + refused[0] + "; check that the poller can register a channel again right"
                + " after deregistering it (a Selector throws CancelledKeyException until a select has flushed the"
                + " cancelled key: flush it with selectNow before registering again)"));
        assertEquals(1, calls.stream().filter("first"::equals).count(), msg("P1.1", "the removed reader ran again: "
                + calls));
        assertTrue(calls.contains("second"), msg("P1.1", "the new reader never ran although the channel stayed"
                + " readable: " + calls));
    }

    @Test
    @DisplayName("P1.2 after Server.close() returns, its port refuses connections, before the loop polls again")
    void required_P1_2_closedServerRefusesAtOnce() {
        run("P1.2", () -> {
            Server server = startServer(false);
            int port = port(server);
            Async.yieldNow();
            Async.yieldNow();
            server.close();
            assertRefused("P1.2", port, "Server.close() returned");
            return null;
        });
    }

    @Test
    @DisplayName("P1.3 a listening socket closed right after removeReader refuses connections, before the loop polls again")
    void required_P1_3_channelClosedAfterUnwatchingIsReleased() throws IOException {
        ServerSocketChannel listener = listener();
        int port = port(listener);
        run("P1.3", () -> {
            loop.addReader(listener, () -> { });
            Async.yieldNow();
            Async.yieldNow();
            loop.removeReader(listener);
            listener.close();
            assertRefused("P1.3", port, "removeReader and close() returned");
            return null;
        });
    }

    /** Connects to {@code port} without the loop; fails unless the connection is refused. */
    private static void assertRefused(String rule, int port, String what) throws IOException {
        try (SocketChannel probe = SocketChannel.open()) {
            probe.connect(new InetSocketAddress(LOOPBACK, port));
            fail(msg(rule, what + ", yet a connection to its port " + port + " was accepted: the listening socket"
                    + " was still open; check that the poller releases a deregistered channel at once (a Selector"
                    + " keeps the descriptor of a channel whose cancelled key it has not flushed: flush it with"
                    + " selectNow in deregister when no poll is running)"));
        } catch (ConnectException expected) {
            // refused: the descriptor was released
        }
    }
}
