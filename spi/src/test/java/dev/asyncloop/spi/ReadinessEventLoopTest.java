package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.ConnectOptions;
import dev.asyncloop.Connection;
import dev.asyncloop.Future;
import dev.asyncloop.Handle;
import dev.asyncloop.Protocol;
import dev.asyncloop.Transport;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The readiness base where the TCK does not reach: dispatch, interest bookkeeping, address fallback. */
class ReadinessEventLoopTest {
    private final FakePoller fake = new FakePoller();
    private final ReadinessEventLoop loop = new ReadinessEventLoop(fake) { };
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        if (!loop.isClosed()) {
            loop.close();
        }
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private SocketChannel channel() throws Exception {
        SocketChannel c = SocketChannel.open();
        c.configureBlocking(false);
        toClose.add(c);
        return c;
    }

    /** Runs exactly one iteration that does not block. */
    private void iterate() {
        loop.stop();
        loop.runForever();
    }

    @Test
    void interestFollowsReaderAndWriter() throws Exception {
        SocketChannel c = channel();
        loop.addReader(c, () -> { });
        loop.addWriter(c, () -> { });
        assertTrue(loop.removeReader(c));
        assertTrue(loop.removeWriter(c));
        assertEquals(List.of("register 1", "modify 5", "modify 4", "deregister"), fake.calls);
    }

    @Test
    void eventQueuesReaderAndWriterInTheSameIteration() throws Exception {
        SocketChannel c = channel();
        List<String> ran = new ArrayList<>();
        loop.addReader(c, () -> ran.add("reader"));
        loop.addWriter(c, () -> ran.add("writer"));
        fake.emit(c, Poller.READ | Poller.WRITE);
        iterate();
        assertEquals(List.of("reader", "writer"), ran);
        fake.emit(c, Poller.WRITE);
        iterate();
        assertEquals(List.of("reader", "writer", "writer"), ran);
    }

    @Test
    void cancelledReaderIsRemovedOnItsNextEvent() throws Exception {
        SocketChannel c = channel();
        List<String> ran = new ArrayList<>();
        Handle h = loop.setReader(c, () -> ran.add("reader"));
        h.cancel();
        fake.emit(c, Poller.READ);
        iterate();
        assertEquals(List.of(), ran);
        assertEquals(List.of("register 1", "deregister"), fake.calls);
        assertFalse(loop.removeReader(c));
    }

    @Test
    void secondReaderCancelsTheFirstHandle() throws Exception {
        SocketChannel c = channel();
        Handle first = loop.setReader(c, () -> { });
        loop.addReader(c, () -> { });
        assertTrue(first.isCancelled());
        assertEquals(List.of("register 1", "modify 1"), fake.calls);
    }

    @Test
    void closeClosesThePollerAndRemoveReturnsFalse() throws Exception {
        SocketChannel c = channel();
        loop.addReader(c, () -> { });
        loop.close();
        assertTrue(fake.closed);
        assertFalse(loop.removeReader(c));
        assertFalse(loop.removeWriter(c));
        assertThrows(IllegalStateException.class, () -> loop.addWriter(c, () -> { }));
    }

    @Test
    void closedChannelIsRefusedWithIllegalArgument() throws Exception {
        ReadinessEventLoop real = new ReadinessEventLoop(new SelectorPoller()) { };
        try {
            SocketChannel c = channel();
            c.close();
            assertThrows(IllegalArgumentException.class, () -> real.addReader(c, () -> { }));
        } finally {
            real.close();
        }
    }

    @Test
    void everyAddressIsTriedInOrderAndAllFailuresAreReported() throws Exception {
        ReadinessEventLoop real = new ReadinessEventLoop(new SelectorPoller()) { };
        try {
            InetAddress lo = InetAddress.getLoopbackAddress();
            InetSocketAddress closedA = new InetSocketAddress(lo, closedPort());
            InetSocketAddress closedB = new InetSocketAddress(lo, closedPort());
            Future<List<InetSocketAddress>> both = real.createFuture();
            both.setResult(List.of(closedA, closedB));
            Future<Connection<Protocol>> f = real.connectTo(() -> new Protocol() { }, both,
                    ConnectOptions.defaults(), "test");
            Throwable error = assertThrows(CompletionException.class, () -> real.runUntilComplete(f)).getCause();
            assertInstanceOf(ConnectException.class, error);
            assertTrue(error.getMessage().startsWith("Multiple exceptions: "), error.getMessage());
            assertEquals(2, error.getSuppressed().length);
            for (InetSocketAddress closed : List.of(closedA, closedB)) {
                String named = closed.toString();
                int first = error.getMessage().indexOf(named);
                assertTrue(first > 0 && error.getMessage().indexOf(named, first + 1) < 0,
                        "each address named once: " + error.getMessage());
            }
            for (Throwable each : error.getSuppressed()) {
                assertInstanceOf(ConnectException.class, each);
                assertTrue(each.getMessage().startsWith("Connect call failed "), each.getMessage());
                assertInstanceOf(ConnectException.class, each.getCause(), "the system's error is the cause");
            }

            try (ServerSocketChannel server = ServerSocketChannel.open()) {
                server.bind(new InetSocketAddress(lo, 0));
                Future<List<InetSocketAddress>> second = real.createFuture();
                second.setResult(List.of(closedA, (InetSocketAddress) server.getLocalAddress()));
                Connection<Protocol> c = real.runUntilComplete(real.connectTo(() -> new Protocol() { }, second,
                        ConnectOptions.defaults(), "test"));
                assertEquals(server.getLocalAddress(), c.transport().getExtraInfo(Transport.PEERNAME).orElseThrow());
                c.transport().abort();
                Future<Void> tick = real.createFuture();
                real.callSoon(() -> real.callSoon(() -> tick.setResult(null)));
                real.runUntilComplete(tick);
            }
        } finally {
            real.close();
        }
    }

    private static int closedPort() throws Exception {
        try (ServerSocketChannel s = ServerSocketChannel.open()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return ((InetSocketAddress) s.getLocalAddress()).getPort();
        }
    }
}
