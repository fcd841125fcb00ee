package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.Async;
import dev.asyncloop.DatagramConnection;
import dev.asyncloop.DatagramOptions;
import dev.asyncloop.DatagramProtocol;
import dev.asyncloop.DatagramTransport;
import dev.asyncloop.Protocol;
import dev.asyncloop.Server;
import dev.asyncloop.StreamPair;
import dev.asyncloop.Streams;
import dev.asyncloop.Transport;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The typed {@code getExtraInfo(key, type)}: the value as that type, empty when unknown, a clear cast error. */
class TypedExtraInfoTest {
    private final ReadinessEventLoop loop = SelectorLoops.newLoop();

    @AfterEach
    void close() {
        loop.close();
    }

    @Test
    void streamWriterAndTransportGiveTheValueAsTheType() {
        Server server = loop.runUntilComplete(loop.createServer(() -> new Protocol() { }, "127.0.0.1", 0));
        int port = ((InetSocketAddress) server.sockets().getFirst().socket().getLocalSocketAddress()).getPort();
        StreamPair pair = loop.runUntilComplete(() -> Async.await(Streams.openConnection("127.0.0.1", port)));
        try {
            InetSocketAddress peer = pair.writer().getExtraInfo(Transport.PEERNAME, InetSocketAddress.class)
                    .orElseThrow();
            assertEquals(port, peer.getPort());
            assertTrue(pair.writer().getExtraInfo(Transport.SOCKET, SocketChannel.class).orElseThrow().isOpen());
            assertEquals(Optional.empty(), pair.writer().getExtraInfo(Transport.SSL_OBJECT, Object.class));
            ClassCastException e = assertThrows(ClassCastException.class,
                    () -> pair.writer().getExtraInfo(Transport.PEERNAME, String.class));
            assertEquals("extra info 'peername' is a java.net.InetSocketAddress, not a java.lang.String",
                    e.getMessage());
            assertThrows(NullPointerException.class, () -> pair.writer().getExtraInfo(Transport.PEERNAME, null));
        } finally {
            pair.writer().close();
            server.close();
        }
    }

    @Test
    void datagramTransportGivesTheValueAsTheType() {
        DatagramConnection<DatagramProtocol> endpoint = loop.runUntilComplete(loop.createDatagramEndpoint(
                () -> new DatagramProtocol() { },
                DatagramOptions.builder().localAddress(new InetSocketAddress("127.0.0.1", 0)).build()));
        try {
            DatagramTransport transport = endpoint.transport();
            SocketAddress local = transport.getExtraInfo(Transport.SOCKNAME, SocketAddress.class).orElseThrow();
            assertTrue(local instanceof InetSocketAddress);
            assertTrue(transport.getExtraInfo(Transport.SOCKET, DatagramChannel.class).isPresent());
            assertThrows(ClassCastException.class,
                    () -> transport.getExtraInfo(Transport.SOCKET, SocketChannel.class));
        } finally {
            endpoint.transport().close();
        }
    }
}
