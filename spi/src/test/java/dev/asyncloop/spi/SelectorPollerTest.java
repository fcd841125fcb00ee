package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link SelectorPoller}: interest mapping, re-registration after deregistration, wake-ups. */
class SelectorPollerTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void writeInterestOnAPendingConnectReportsTheFinishedConnect() throws Exception {
        try (SelectorPoller poller = new SelectorPoller();
                ServerSocketChannel server = ServerSocketChannel.open();
                SocketChannel client = SocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            client.configureBlocking(false);
            if (!client.connect(server.getLocalAddress())) {
                poller.register(client, Poller.WRITE, "client");
                List<Integer> events = new ArrayList<>();
                for (int i = 0; i < 50 && events.isEmpty(); i++) {
                    poller.poll(SECOND / 10, (att, ops) -> events.add(ops));
                }
                assertEquals(List.of(Poller.WRITE), events);
                assertTrue(client.finishConnect());
                poller.deregister(client);
            }
        }
    }

    @Test
    void aChannelCanBeRegisteredAgainRightAfterDeregistration() throws Exception {
        try (SelectorPoller poller = new SelectorPoller();
                ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (SocketChannel a = SocketChannel.open(server.getLocalAddress());
                    SocketChannel b = server.accept()) {
                a.configureBlocking(false);
                b.write(ByteBuffer.wrap(new byte[] {1}));
                poller.register(a, Poller.READ, "first");
                poller.deregister(a);
                poller.register(a, Poller.READ | Poller.WRITE, "second");
                List<String> events = new ArrayList<>();
                for (int i = 0; i < 50 && events.isEmpty(); i++) {
                    poller.poll(SECOND / 10, (att, ops) -> events.add(att + ":" + ops));
                }
                assertEquals(List.of("second:" + (Poller.READ | Poller.WRITE)), events);
                poller.modify(a, Poller.WRITE);
                events.clear();
                poller.poll(0, (att, ops) -> events.add(att + ":" + ops));
                assertEquals(List.of("second:" + Poller.WRITE), events);
            }
        }
    }

    @Test
    void wakeupEndsABlockedPollAndIsHarmlessAfterClose() throws Exception {
        SelectorPoller poller = new SelectorPoller();
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            poller.wakeup();
        });
        t.start();
        poller.poll(-1, (att, ops) -> { });
        t.join();
        poller.close();
        assertDoesNotThrow(poller::wakeup);
    }

    @Test
    void aWriterKeptAfterItsConnectWaitsForWritabilityWithoutSpinning() throws Exception {
        try (SelectorPoller poller = new SelectorPoller();
                ServerSocketChannel server = ServerSocketChannel.open();
                SocketChannel client = SocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            client.configureBlocking(false);
            if (!client.connect(server.getLocalAddress())) {
                poller.register(client, Poller.WRITE, "w");
                List<Integer> events = new ArrayList<>();
                for (int i = 0; i < 50 && events.isEmpty(); i++) {
                    poller.poll(SECOND / 10, (att, ops) -> events.add(ops));
                }
                assertTrue(client.finishConnect());
                events.clear();
                poller.poll(SECOND, (att, ops) -> events.add(ops));
                assertEquals(List.of(Poller.WRITE), events, "a connected socket with a writer is writable");
            }
        }
    }

    @Test
    void deregisteringInsideTheSinkSuppressesTheOtherChannelsEvent() throws Exception {
        try (SelectorPoller poller = new SelectorPoller();
                ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (SocketChannel a = SocketChannel.open(server.getLocalAddress());
                    SocketChannel b = SocketChannel.open(server.getLocalAddress())) {
                a.configureBlocking(false);
                b.configureBlocking(false);
                poller.register(a, Poller.WRITE, a);
                poller.register(b, Poller.WRITE, b);
                List<Object> seen = new ArrayList<>();
                poller.poll(SECOND, (att, ops) -> {
                    seen.add(att);
                    poller.deregister(att == a ? b : a);
                });
                assertEquals(1, seen.size(), "the deregistered channel was still reported: " + seen);
            }
        }
    }

    @Test
    void theLongestTimeoutWaitsInsteadOfOverflowingToOneMillisecond() throws Exception {
        try (SelectorPoller poller = new SelectorPoller()) {
            java.util.concurrent.atomic.AtomicBoolean woken = new java.util.concurrent.atomic.AtomicBoolean();
            Thread waker = Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                woken.set(true);
                poller.wakeup();
            });
            try {
                poller.poll(Long.MAX_VALUE, (att, ops) -> { });
                assertTrue(woken.get(), "the poll returned before the wake-up: its timeout overflowed when rounded"
                        + " up to milliseconds");
            } finally {
                waker.join();
            }
        }
    }

    @Test
    void afterCloseRegisterAndPollThrowWhileModifyDeregisterAndWakeupDoNothing() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                SocketChannel a = SocketChannel.open(server.getLocalAddress());
                SocketChannel b = server.accept()) {
            a.configureBlocking(false);
            b.configureBlocking(false);
            SelectorPoller poller = new SelectorPoller();
            poller.register(b, Poller.READ, "b");
            poller.close();
            poller.close();
            org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> poller.register(a, Poller.READ, "a"));
            org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> poller.poll(0, (att, ops) -> { }));
            assertDoesNotThrow(() -> poller.modify(b, Poller.WRITE));
            assertDoesNotThrow(() -> poller.deregister(b));
            assertDoesNotThrow(poller::wakeup);
            assertTrue(a.isOpen() && b.isOpen(), "close() must not close registered channels");
        }
    }

    @Test
    void interestNarrowedInsideTheSinkAppliesToTheOtherChannelsEvent() throws Exception {
        try (SelectorPoller poller = new SelectorPoller();
                ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (SocketChannel a = SocketChannel.open(server.getLocalAddress());
                    SocketChannel b = SocketChannel.open(server.getLocalAddress())) {
                a.configureBlocking(false);
                b.configureBlocking(false);
                poller.register(a, Poller.WRITE, a);
                poller.register(b, Poller.WRITE, b);
                List<Object> seen = new ArrayList<>();
                poller.poll(SECOND, (att, ops) -> {
                    seen.add(att + ":" + ops);
                    poller.modify(att == a ? b : a, Poller.READ); // writable only, nothing to read
                });
                assertEquals(1, seen.size(), "a channel no longer watched for WRITE was reported: " + seen);
            }
        }
    }
}
