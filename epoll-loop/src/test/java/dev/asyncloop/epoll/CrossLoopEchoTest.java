package dev.asyncloop.epoll;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.asyncloop.EventLoop;
import dev.asyncloop.Future;
import dev.asyncloop.Protocol;
import dev.asyncloop.Server;
import dev.asyncloop.Transport;
import dev.asyncloop.nio.NioEventLoop;
import dev.asyncloop.testsupport.EchoProtocol;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Each loop as server with the other as client: 1 MiB echoed intact over loopback, each loop on its own thread. */
@Timeout(60)
class CrossLoopEchoTest {
    private static final int SIZE = 1 << 20;

    /** Sends the payload and completes {@code done} once as many bytes came back. */
    static final class Client implements Protocol {
        private final byte[] payload;
        private final ByteArrayOutputStream received = new ByteArrayOutputStream();
        final Future<byte[]> done;

        Client(byte[] payload, Future<byte[]> done) {
            this.payload = payload;
            this.done = done;
        }

        @Override
        public void connectionMade(Transport transport) {
            ((dev.asyncloop.WriteTransport) transport).write(ByteBuffer.wrap(payload));
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            byte[] chunk = new byte[data.remaining()];
            data.get(chunk);
            received.writeBytes(chunk);
            if (received.size() >= payload.length && !done.isDone()) {
                done.setResult(received.toByteArray());
            }
        }
    }

    static void echo(Supplier<EventLoop> serverLoop, Supplier<EventLoop> clientLoop) throws Exception {
        byte[] payload = new byte[SIZE];
        new Random(7).nextBytes(payload);
        CompletableFuture<Integer> port = new CompletableFuture<>();
        CompletableFuture<EventLoop> serverSide = new CompletableFuture<>();
        Thread serverThread = Thread.ofPlatform().name("cross-server").start(() -> {
            EventLoop loop = serverLoop.get();
            try {
                Server server = loop.runUntilComplete(loop.createServer(EchoProtocol::new, "127.0.0.1", 0));
                port.complete(((InetSocketAddress) server.sockets().getFirst().socket().getLocalSocketAddress())
                        .getPort());
                serverSide.complete(loop);
                loop.runForever();
                server.close();
            } catch (Throwable t) {
                port.completeExceptionally(t);
            } finally {
                loop.close();
            }
        });
        try {
            int p = port.get(30, TimeUnit.SECONDS);
            EventLoop client = clientLoop.get();
            try {
                Future<byte[]> done = client.createFuture();
                client.runUntilComplete(client.createConnection(() -> new Client(payload, done), "127.0.0.1", p));
                assertArrayEquals(payload, client.runUntilComplete(done), "the echoed bytes differ");
            } finally {
                client.close();
            }
        } finally {
            serverSide.thenAccept(loop -> loop.callSoonThreadsafe(loop::stop));
            serverThread.join(30_000);
        }
    }

    @Test
    @DisplayName("epoll server, nio client: 1 MiB echoed intact")
    void epollServerNioClient() throws Exception {
        echo(EpollEventLoop::new, NioEventLoop::new);
    }

    @Test
    @DisplayName("nio server, epoll client: 1 MiB echoed intact")
    void nioServerEpollClient() throws Exception {
        echo(NioEventLoop::new, EpollEventLoop::new);
    }
}
