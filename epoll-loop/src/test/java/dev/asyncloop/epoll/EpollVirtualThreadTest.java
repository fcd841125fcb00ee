package dev.asyncloop.epoll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.EventLoop;
import dev.asyncloop.spi.Poller;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The epoll loop run on virtual threads: a waiting poll must not hold its carrier thread. */
class EpollVirtualThreadTest {

    @Test
    @DisplayName("more waiting epoll loops on virtual threads than carriers leave other virtual threads running")
    void waitingLoopsDoNotHoldCarriers() throws Exception {
        int n = Runtime.getRuntime().availableProcessors() + 1; // one more than the default scheduler's carriers
        List<EventLoop> loops = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        CountDownLatch started = new CountDownLatch(n);
        try {
            for (int i = 0; i < n; i++) {
                EventLoop loop = new EpollEventLoop();
                loops.add(loop);
                threads.add(Thread.ofVirtual().start(() -> {
                    loop.callSoon(started::countDown);
                    loop.runForever();
                }));
            }
            assertTrue(started.await(10, TimeUnit.SECONDS), "not every loop got a carrier to start on: "
                    + started.getCount() + " of " + n + " are still waiting");
            CountDownLatch other = new CountDownLatch(1);
            Thread.ofVirtual().start(other::countDown);
            assertTrue(other.await(10, TimeUnit.SECONDS), "another virtual thread found no carrier while " + n
                    + " loops waited for I/O on virtual threads");
        } finally {
            for (EventLoop loop : loops) {
                loop.callSoonThreadsafe(loop::stop);
            }
            for (Thread t : threads) {
                t.join(10_000);
            }
            for (EventLoop loop : loops) {
                if (!loop.isRunning()) {
                    loop.close();
                }
            }
        }
    }

    @Test
    @DisplayName("on a virtual thread the poller waits its whole timeout, reports readiness and ends by a wake-up")
    void pollerOnAVirtualThread() throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (EpollPoller poller = new EpollPoller();
                    ServerSocketChannel server = ServerSocketChannel.open()
                            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                    SocketChannel a = SocketChannel.open(server.getLocalAddress());
                    SocketChannel b = server.accept()) {
                b.configureBlocking(false);
                poller.register(b, Poller.READ, "b");
                Map<Object, Integer> got = new HashMap<>();
                long t0 = System.nanoTime();
                poller.poll(30_000_000L, got::put);
                assertEquals(Map.of(), got);
                assertTrue(System.nanoTime() - t0 >= 30_000_000L, "the poll returned before its timeout");
                a.write(ByteBuffer.wrap(new byte[] {1}));
                poller.poll(-1, got::put);
                assertEquals(Map.of("b", Poller.READ), got);
                b.read(ByteBuffer.allocate(1));
                got.clear();
                Thread.ofPlatform().start(() -> {
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    poller.wakeup();
                });
                poller.poll(-1, got::put);
                assertEquals(Map.of(), got);
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        });
        done.get(10, TimeUnit.SECONDS);
    }
}
