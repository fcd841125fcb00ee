package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.Async;
import dev.asyncloop.DatagramConnection;
import dev.asyncloop.DatagramOptions;
import dev.asyncloop.DatagramProtocol;
import dev.asyncloop.DatagramTransport;
import dev.asyncloop.EventLoop;
import dev.asyncloop.ExceptionContext;
import dev.asyncloop.Future;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.UnsupportedAddressTypeException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * createDatagramEndpoint and the datagram transport against asyncio's rules, over loopback sockets of a real
 * loop; each rule names the asyncio behaviour it pins.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class DatagramAsyncioConformanceTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final ReadinessEventLoop loop = SelectorLoops.newLoop();

    @AfterEach
    void tearDown() {
        loop.close();
    }

    /** Records datagrams as text, errors and the end; futures to wait on them. Loop thread only. */
    static final class Recorder implements DatagramProtocol {
        final EventLoop loop;
        final List<String> texts = new ArrayList<>();
        final List<SocketAddress> senders = new ArrayList<>();
        final List<Exception> errors = new ArrayList<>();
        final Future<Throwable> lost;
        private Future<Void> arrived;
        private int wanted;

        Recorder(EventLoop loop) {
            this.loop = loop;
            this.lost = loop.createFuture();
        }

        /** A future done once {@code n} datagrams in total have arrived. */
        Future<Void> received(int n) {
            arrived = loop.createFuture();
            wanted = n;
            check();
            return arrived;
        }

        private void check() {
            if (arrived != null && !arrived.isDone() && texts.size() >= wanted) {
                arrived.setResult(null);
            }
        }

        @Override
        public void datagramReceived(ByteBuffer data, SocketAddress address) {
            texts.add(StandardCharsets.US_ASCII.decode(data).toString());
            senders.add(address);
            check();
        }

        @Override
        public void errorReceived(Exception exception) {
            errors.add(exception);
        }

        @Override
        public void connectionLost(Throwable exception) {
            lost.setResult(exception);
        }
    }

    private static InetSocketAddress ephemeral() {
        return new InetSocketAddress(LOOPBACK, 0);
    }

    private static ByteBuffer text(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    private static SocketAddress sockname(DatagramTransport t) {
        return (SocketAddress) t.getExtraInfo(DatagramTransport.SOCKNAME).orElseThrow();
    }

    /** Inside a task: an endpoint made with {@code options}. */
    private DatagramConnection<Recorder> endpoint(DatagramOptions options) {
        return Async.await(loop.createDatagramEndpoint(() -> new Recorder(loop), options));
    }

    private DatagramConnection<Recorder> bound() {
        return endpoint(DatagramOptions.builder().localAddress(ephemeral()).build());
    }

    private static void closeAll(List<DatagramConnection<Recorder>> endpoints) {
        for (DatagramConnection<Recorder> c : endpoints) {
            c.transport().close();
            Async.await(c.protocol().lost);
        }
    }

    @Test
    void broadcastWithARemoteAddressDoesNotConnectButSendsThereByDefault() {
        loop.runUntilComplete(() -> {
            var target = bound();
            var stranger = bound();
            var caster = endpoint(DatagramOptions.builder().localAddress(ephemeral())
                    .remoteAddress(sockname(target.transport())).allowBroadcast(true).build());
            DatagramChannel channel = (DatagramChannel) caster.transport().getExtraInfo(DatagramTransport.SOCKET)
                    .orElseThrow();
            assertFalse(channel.isConnected(), "asyncio does not connect a broadcast endpoint");
            assertTrue(caster.transport().getExtraInfo(DatagramTransport.PEERNAME).isEmpty(),
                    "no peername on an endpoint that is not connected");
            caster.transport().send(text("to-target"));
            Async.await(target.protocol().received(1));
            assertEquals(List.of("to-target"), target.protocol().texts);
            assertThrows(IllegalArgumentException.class,
                    () -> caster.transport().sendTo(text("x"), sockname(stranger.transport())),
                    "the remote address is still the only destination");
            stranger.transport().sendTo(text("reply"), sockname(caster.transport()));
            Async.await(caster.protocol().received(1));
            assertEquals(List.of(sockname(stranger.transport())), caster.protocol().senders,
                    "a datagram from another address than the remote one is received");
            closeAll(List.of(target, stranger, caster));
            return null;
        });
    }

    @Test
    void anEmptyDatagramOnAConnectedEndpointIsRefusedAtTheCallInsteadOfVanishing() {
        loop.runUntilComplete(() -> {
            var server = bound();
            var client = endpoint(DatagramOptions.builder().remoteAddress(sockname(server.transport())).build());
            var e = assertThrows(UnsupportedOperationException.class,
                    () -> client.transport().send(ByteBuffer.allocate(0)));
            assertTrue(e.getMessage().contains("empty datagram"), e.getMessage());
            assertThrows(UnsupportedOperationException.class,
                    () -> client.transport().sendTo(ByteBuffer.allocate(0), sockname(server.transport())));
            client.transport().send(text("after"));
            Async.await(server.protocol().received(1));
            assertEquals(List.of("after"), server.protocol().texts, "the endpoint stays usable");
            assertFalse(client.transport().isClosing());
            server.transport().sendTo(ByteBuffer.allocate(0), sockname(client.transport()));
            Async.await(client.protocol().received(1));
            assertEquals(List.of(""), client.protocol().texts, "an unconnected endpoint sends empty datagrams");
            closeAll(List.of(server, client));
            return null;
        });
    }

    @Test
    void addressesOfAnotherFamilyAreRefusedWithTheArgumentNamed() {
        InetSocketAddress v4 = new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 0);
        InetSocketAddress v6 = new InetSocketAddress(InetAddress.ofLiteral("::1"), 9);
        loop.runUntilComplete(() -> {
            var localV6 = assertThrows(IllegalArgumentException.class, () -> endpoint(DatagramOptions.builder()
                    .family(StandardProtocolFamily.INET).localAddress(v6).build()));
            assertTrue(localV6.getMessage().contains("localAddress"), localV6.getMessage());
            var mixed = assertThrows(IllegalArgumentException.class, () -> endpoint(DatagramOptions.builder()
                    .localAddress(v4).remoteAddress(v6).build()));
            assertTrue(mixed.getMessage().contains("remoteAddress"), mixed.getMessage());
            assertThrows(IllegalArgumentException.class, () -> endpoint(DatagramOptions.builder()
                    .family(StandardProtocolFamily.INET6).localAddress(v4).build()));
            var unix = assertThrows(IllegalArgumentException.class, () -> endpoint(DatagramOptions.builder()
                    .localAddress(java.net.UnixDomainSocketAddress.of("/tmp/x")).build()));
            assertTrue(unix.getMessage().contains("InetSocketAddress"), unix.getMessage());
            return null;
        });
    }

    @Test
    void aSendToAnAddressOfAnotherFamilyIsAnErrorReceivedNotAFatalError() {
        List<ExceptionContext> reports = new ArrayList<>();
        loop.setExceptionHandler((l, context) -> reports.add(context));
        loop.runUntilComplete(() -> {
            var server = bound();
            var v4 = endpoint(DatagramOptions.builder().family(StandardProtocolFamily.INET).build());
            v4.transport().sendTo(text("nowhere"), new InetSocketAddress(InetAddress.ofLiteral("::1"), 9));
            assertEquals(1, v4.protocol().errors.size(), "asyncio: socket.gaierror, an OSError, to error_received");
            assertInstanceOf(UnsupportedAddressTypeException.class, v4.protocol().errors.getFirst());
            assertFalse(v4.transport().isClosing());
            v4.transport().sendTo(text("still-open"), sockname(server.transport()));
            Async.await(server.protocol().received(1));
            assertEquals(List.of("still-open"), server.protocol().texts);
            closeAll(List.of(server, v4));
            return null;
        });
        assertEquals(List.of(), reports);
    }

    @Test
    void anUnresolvedLocalNameIsResolvedInTheFamilyOfTheResolvedRemoteAddress() {
        loop.runUntilComplete(() -> {
            var server = endpoint(DatagramOptions.builder()
                    .localAddress(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 0)).build());
            var client = endpoint(DatagramOptions.builder()
                    .localAddress(InetSocketAddress.createUnresolved("localhost", 0))
                    .remoteAddress(sockname(server.transport())).build());
            assertInstanceOf(java.net.Inet4Address.class,
                    ((InetSocketAddress) sockname(client.transport())).getAddress(),
                    "localhost is taken in the remote address's family, wherever ::1 comes first");
            client.transport().send(text("hi"));
            Async.await(server.protocol().received(1));
            closeAll(List.of(server, client));
            return null;
        });
    }

    @Test
    void largerThanAnyDatagramIsAnErrorReceived() {
        loop.runUntilComplete(() -> {
            var server = bound();
            var client = bound();
            client.transport().sendTo(ByteBuffer.allocate(70_000), sockname(server.transport()));
            assertEquals(1, client.protocol().errors.size(), "asyncio: OSError EMSGSIZE to error_received");
            assertInstanceOf(IOException.class, client.protocol().errors.getFirst());
            assertFalse(client.transport().isClosing());
            assertEquals(0, client.transport().getWriteBufferSize());
            closeAll(List.of(server, client));
            return null;
        });
    }

    @Test
    void optionsNextToAnExistingChannelAreNamedInTheRefusal() throws IOException {
        try (DatagramChannel c = DatagramChannel.open()) {
            var e = assertThrows(IllegalArgumentException.class, () -> DatagramOptions.builder().channel(c)
                    .remoteAddress(ephemeral()).reusePort(true).build());
            assertTrue(e.getMessage().contains("remoteAddress=") && e.getMessage().contains("reusePort")
                    && !e.getMessage().contains("allowBroadcast"), e.getMessage());
        }
    }
}
