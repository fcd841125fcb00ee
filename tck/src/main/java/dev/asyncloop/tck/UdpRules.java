package dev.asyncloop.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.Async;
import dev.asyncloop.Datagram;
import dev.asyncloop.DatagramConnection;
import dev.asyncloop.DatagramOptions;
import dev.asyncloop.DatagramTransport;
import dev.asyncloop.ExceptionContext;
import dev.asyncloop.Future;
import dev.asyncloop.spi.Capability;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Rules N9.x: UDP endpoints (asyncio's create_datagram_endpoint and _SelectorDatagramTransport). */
abstract class UdpRules extends NetworkGroup {
    UdpRules(EventLoopConformanceSuite suite) {
        super(suite);
    }

    @BeforeEach
    final void requireUdp() {
        requireCapability(Capability.UDP);
    }

    static InetSocketAddress ephemeral() {
        return new InetSocketAddress(LOOPBACK, 0);
    }

    /** Inside a task: an endpoint bound to an ephemeral loopback port. */
    final DatagramConnection<RecordingDatagramProtocol> bound(boolean echo) {
        return Async.await(loop.createDatagramEndpoint(() -> {
            RecordingDatagramProtocol p = new RecordingDatagramProtocol(loop);
            p.echo = echo;
            return p;
        }, DatagramOptions.builder().localAddress(ephemeral()).build()));
    }

    static SocketAddress sockname(DatagramTransport t) {
        return (SocketAddress) t.getExtraInfo(DatagramTransport.SOCKNAME).orElseThrow();
    }

    @Test
    @DisplayName("N9.1 datagrams go both ways: datagramReceived gets the bytes and the sender's address")
    void required_N9_1_roundTrip() {
        List<Object> out = run("N9.1", () -> {
            var server = bound(true);
            var client = Async.await(loop.createDatagramEndpoint(() -> new RecordingDatagramProtocol(loop),
                    DatagramOptions.builder().remoteAddress(sockname(server.transport())).build()));
            client.transport().send(buf(bytes("ping")));
            Async.await(client.protocol().received(1));
            List<Object> r = List.of(server.protocol().datagrams.getFirst(), client.protocol().datagrams.getFirst(),
                    sockname(client.transport()), sockname(server.transport()));
            client.transport().close();
            server.transport().close();
            Async.await(client.protocol().lost);
            Async.await(server.protocol().lost);
            return r;
        });
        var atServer = (RecordingDatagramProtocol.Received) out.get(0);
        var atClient = (RecordingDatagramProtocol.Received) out.get(1);
        assertEquals("ping", atServer.text(), msg("N9.1", "the server got " + atServer + "; check sendTo/receive"));
        assertEquals(out.get(2), atServer.from(), msg("N9.1", "the sender address was " + atServer.from()
                + ", the client is bound to " + out.get(2) + "; check datagramReceived gets receive()'s address"));
        assertEquals("ping", atClient.text(), msg("N9.1", "the echo was " + atClient));
        assertEquals(out.get(3), atClient.from(), msg("N9.1", "the echo came from " + atClient.from()));
    }

    @Test
    @DisplayName("N9.2 connectionMade is scheduled, not called inside the endpoint's creation; the future is done after it")
    void required_N9_2_connectionMadeScheduled() {
        List<String> seen = run("N9.2", () -> {
            List<String> order = new ArrayList<>();
            var c = Async.await(loop.createDatagramEndpoint(() -> {
                order.add("factory");
                loop.callSoon(() -> order.add("scheduled-by-factory"));
                return new RecordingDatagramProtocol(loop) {
                    @Override
                    public void connectionMade(DatagramTransport transport) {
                        order.add("made");
                        super.connectionMade(transport);
                    }
                };
            }, DatagramOptions.builder().localAddress(ephemeral()).build()));
            order.add("returned");
            c.transport().close();
            Async.await(c.protocol().lost);
            return order;
        });
        assertEquals(List.of("factory", "scheduled-by-factory", "made", "returned"), seen, msg("N9.2",
                "the order was " + seen + "; check that the transport schedules connectionMade with callSoon and"
                        + " the waiter completes after it"));
    }

    @Test
    @DisplayName("N9.3 exactly one connectionLost(null) after close, a second close and abort; isClosing is true")
    void required_N9_3_oneConnectionLost() {
        List<Object> out = run("N9.3", () -> {
            var c = bound(false);
            c.transport().close();
            c.transport().close();
            c.transport().abort();
            boolean closing = c.transport().isClosing();
            Throwable why = Async.await(c.protocol().lost);
            Async.sleep(Duration.ofMillis(20));
            List<Object> r = new ArrayList<>();
            r.add(closing);
            r.add(why);
            r.add(List.copyOf(c.protocol().events));
            return r;
        });
        assertEquals(true, out.get(0), msg("N9.3", "isClosing() was false after close(); check the closing flag"));
        assertNull(out.get(1), msg("N9.3", "connectionLost got " + out.get(1) + " after close()"));
        assertEquals(List.of("made", "lost"), out.get(2), msg("N9.3", "the events were " + out.get(2)
                + "; check the connLost counter makes connectionLost happen once"));
    }

    @Test
    @DisplayName("N9.4 sendTo on a connected endpoint to another address throws IllegalArgumentException;"
            + " sendTo(null) unconnected and send() unconnected are refused")
    void required_N9_4_addressChecks() {
        run("N9.4", () -> {
            var server = bound(false);
            var other = bound(false);
            var client = Async.await(loop.createDatagramEndpoint(() -> new RecordingDatagramProtocol(loop),
                    DatagramOptions.builder().remoteAddress(sockname(server.transport())).build()));
            assertThrows(IllegalArgumentException.class,
                    () -> client.transport().sendTo(buf(bytes("x")), sockname(other.transport())),
                    msg("N9.4", "sendTo another address on a connected endpoint was accepted; check the address"
                            + " check (asyncio: 'Invalid address')"));
            client.transport().sendTo(buf(bytes("ok")), sockname(server.transport()));
            assertThrows(IllegalArgumentException.class, () -> server.transport().sendTo(buf(bytes("x")), null),
                    msg("N9.4", "sendTo(data, null) on an unconnected endpoint was accepted"));
            assertThrows(IllegalStateException.class, () -> server.transport().send(buf(bytes("x"))),
                    msg("N9.4", "send() on an unconnected endpoint was accepted"));
            Async.await(server.protocol().received(1));
            for (var c : List.of(server, other, client)) {
                c.transport().close();
                Async.await(c.protocol().lost);
            }
            return null;
        });
    }

    @Test
    @DisplayName("N9.5 extra info: sockname is the bound address, peername the remote one, socket the channel")
    void required_N9_5_extraInfo() {
        List<Object> out = run("N9.5", () -> {
            var server = bound(false);
            SocketAddress target = sockname(server.transport());
            var client = Async.await(loop.createDatagramEndpoint(() -> new RecordingDatagramProtocol(loop),
                    DatagramOptions.builder().remoteAddress(target).build()));
            List<Object> r = List.of(target, client.transport().getExtraInfo(DatagramTransport.PEERNAME).orElse("none"),
                    client.transport().getExtraInfo(DatagramTransport.SOCKET).orElse("none"),
                    server.transport().getExtraInfo(DatagramTransport.PEERNAME).orElse("none"));
            client.transport().close();
            server.transport().close();
            Async.await(client.protocol().lost);
            Async.await(server.protocol().lost);
            return r;
        });
        assertEquals(out.get(0), out.get(1), msg("N9.5", "peername was " + out.get(1) + "; check extra info"));
        assertInstanceOf(DatagramChannel.class, out.get(2), msg("N9.5", "socket was " + out.get(2)));
        assertEquals("none", out.get(3), msg("N9.5", "an unconnected endpoint has peername " + out.get(3)));
        assertTrue(((InetSocketAddress) out.get(0)).getPort() > 0, msg("N9.5", "sockname " + out.get(0)
                + " has no port; check it is read after binding"));
    }

    @Test
    @DisplayName("N9.6 an existing channel is taken over: switched to non-blocking, used as the endpoint's socket")
    void required_N9_6_existingChannel() throws IOException {
        DatagramChannel mine = track(DatagramChannel.open());
        mine.bind(ephemeral());
        String got = run("N9.6", () -> {
            var c = Async.await(loop.createDatagramEndpoint(() -> new RecordingDatagramProtocol(loop),
                    DatagramOptions.builder().channel(mine).build()));
            assertSame(mine, c.transport().getExtraInfo(DatagramTransport.SOCKET).orElse(null),
                    msg("N9.6", "the transport's socket is not the channel given"));
            assertFalse(mine.isBlocking(), msg("N9.6", "the channel is still blocking"));
            var sender = bound(false);
            sender.transport().sendTo(buf(bytes("to-mine")), mine.getLocalAddress());
            Async.await(c.protocol().received(1));
            c.transport().close();
            sender.transport().close();
            Async.await(c.protocol().lost);
            Async.await(sender.protocol().lost);
            return c.protocol().datagrams.getFirst().text();
        });
        assertEquals("to-mine", got, msg("N9.6", "the endpoint received " + got));
    }

    @Test
    @DisplayName("N9.7 allowBroadcast sets SO_BROADCAST; reusePort sets SO_REUSEPORT or fails with UnsupportedOperationException")
    void required_N9_7_socketOptions() {
        run("N9.7", () -> {
            var c = Async.await(loop.createDatagramEndpoint(() -> new RecordingDatagramProtocol(loop),
                    DatagramOptions.builder().localAddress(ephemeral()).allowBroadcast(true).build()));
            DatagramChannel ch = (DatagramChannel) c.transport().getExtraInfo(DatagramTransport.SOCKET).orElseThrow();
            assertTrue(ch.getOption(StandardSocketOptions.SO_BROADCAST), msg("N9.7", "SO_BROADCAST is off"));
            c.transport().close();
            Async.await(c.protocol().lost);
            Throwable failed = null;
            DatagramConnection<RecordingDatagramProtocol> r = null;
            try {
                r = Async.await(loop.createDatagramEndpoint(() -> new RecordingDatagramProtocol(loop),
                        DatagramOptions.builder().localAddress(ephemeral()).reusePort(true).build()));
            } catch (RuntimeException e) {
                failed = e instanceof java.util.concurrent.CompletionException ? e.getCause() : e;
            }
            if (r != null) {
                DatagramChannel rc = (DatagramChannel) r.transport().getExtraInfo(DatagramTransport.SOCKET)
                        .orElseThrow();
                assertTrue(rc.getOption(StandardSocketOptions.SO_REUSEPORT), msg("N9.7", "SO_REUSEPORT is off"));
                r.transport().close();
                Async.await(r.protocol().lost);
            } else {
                Throwable unsupported = assertInstanceOf(UnsupportedOperationException.class, failed, msg("N9.7",
                        "reusePort failed with " + failed + "; check that a missing SO_REUSEPORT is a clear"
                        + " UnsupportedOperationException"));
                assertTrue(String.valueOf(unsupported.getMessage()).contains("SO_REUSEPORT"), msg("N9.7",
                        "the message does not name SO_REUSEPORT: " + unsupported.getMessage()));
            }
            return null;
        });
    }

    @Test
    @DisplayName("N9.8 sends that the socket takes at once buffer nothing; an empty datagram is delivered")
    void required_N9_8_immediateSendsAndEmptyDatagram() {
        List<Object> out = run("N9.8", () -> {
            var server = bound(false);
            var client = bound(false);
            client.transport().sendTo(buf(bytes("a")), sockname(server.transport()));
            client.transport().sendTo(ByteBuffer.allocate(0), sockname(server.transport()));
            client.transport().sendTo(buf(bytes("b")), sockname(server.transport()));
            int buffered = client.transport().getWriteBufferSize();
            Async.await(server.protocol().received(3));
            List<Object> r = List.of(buffered, server.protocol().datagrams.stream().map(d -> d.text()).toList());
            client.transport().close();
            server.transport().close();
            Async.await(client.protocol().lost);
            Async.await(server.protocol().lost);
            return r;
        });
        assertEquals(0, out.get(0), msg("N9.8", "getWriteBufferSize() was " + out.get(0) + " after three small sends"
                + "; check that sendTo tries the socket first"));
        assertEquals(List.of("a", "", "b"), out.get(1), msg("N9.8", "received " + out.get(1)
                + "; check that an empty datagram is sent and delivered, in order"));
    }

    @Test
    @DisplayName("N9.9 datagramReceived that throws: reported with transport and protocol; connectionLost gets it")
    void required_N9_9_datagramReceivedThrows() {
        expectReports();
        RuntimeException boom = new IllegalStateException("boom in datagramReceived");
        Throwable why = run("N9.9", () -> {
            RecordingDatagramProtocol p = new RecordingDatagramProtocol(loop) {
                @Override
                public void datagramReceived(ByteBuffer data, SocketAddress address) {
                    throw boom;
                }
            };
            var c = Async.await(loop.createDatagramEndpoint(() -> p,
                    DatagramOptions.builder().localAddress(ephemeral()).build()));
            var sender = bound(false);
            sender.transport().sendTo(buf(bytes("x")), sockname(c.transport()));
            Throwable e = Async.await(p.lost);
            sender.transport().close();
            Async.await(sender.protocol().lost);
            return e;
        });
        assertSame(boom, why, msg("N9.9", "connectionLost got " + why + "; check _fatal_error on the receive path"));
        List<ExceptionContext> r = reports();
        assertEquals(1, r.size(), msg("N9.9", "expected one report, got " + r));
        assertSame(boom, r.getFirst().exception().orElse(null), msg("N9.9", "the report carries "
                + r.getFirst()));
    }

    @Test
    @DisplayName("N9.10 a connected endpoint gets ICMP port-unreachable as errorReceived and stays open"
            + " (optional: the OS must report ICMP errors)")
    void optional_N9_10_icmpErrorReceived() throws IOException {
        DatagramChannel probe = DatagramChannel.open();
        probe.bind(ephemeral());
        SocketAddress dead = probe.getLocalAddress();
        probe.close();
        List<Object> out = run("N9.10", () -> {
            var c = Async.await(loop.createDatagramEndpoint(() -> new RecordingDatagramProtocol(loop),
                    DatagramOptions.builder().remoteAddress(dead).build()));
            var error = c.protocol().firstError();
            for (int i = 0; i < 20 && !error.isDone(); i++) {
                c.transport().send(buf(bytes("anyone?")));
                awaitDone(error, Duration.ofMillis(100));
            }
            List<Object> r = new ArrayList<>();
            r.add(error.isDone() ? error.result() : null);
            r.add(c.transport().isClosing());
            c.transport().close();
            Async.await(c.protocol().lost);
            return r;
        });
        assertInstanceOf(PortUnreachableException.class, out.get(0), msg("N9.10", "errorReceived got " + out.get(0)
                + "; check that an IOException of receive on a connected channel goes to errorReceived"));
        assertEquals(false, out.get(1), msg("N9.10", "the endpoint closed after an ICMP error; check errorReceived"
                + " does not close the transport"));
    }

    /** A bound non-blocking loopback datagram channel, closed after the test. */
    final DatagramChannel datagramChannel() throws IOException {
        DatagramChannel c = track(DatagramChannel.open());
        c.bind(ephemeral());
        c.configureBlocking(false);
        return c;
    }

    @Test
    @DisplayName("N9.11 sockSendTo sends one datagram and returns its size; sockRecvFrom waits for it and gives the"
            + " bytes and the sender; a longer datagram is cut to the size asked for")
    void required_N9_11_sockSendToAndRecvFrom() throws IOException {
        DatagramChannel a = datagramChannel();
        DatagramChannel b = datagramChannel();
        List<Object> out = run("N9.11", () -> {
            Future<Datagram> pending = loop.sockRecvFrom(b, 100);
            Async.yieldNow();
            assertFalse(pending.isDone(), msg("N9.11", "sockRecvFrom finished with nothing sent"));
            ByteBuffer ping = buf(bytes("ping"));
            int sent = Async.await(loop.sockSendTo(a, ping, b.getLocalAddress()));
            Datagram got = Async.await(pending);
            int empty = Async.await(loop.sockSendTo(a, ByteBuffer.allocate(0), b.getLocalAddress()));
            Datagram none = Async.await(loop.sockRecvFrom(b, 100));
            Async.await(loop.sockSendTo(a, buf(bytes("truncated")), b.getLocalAddress()));
            Datagram cut = Async.await(loop.sockRecvFrom(b, 5));
            return List.of(sent, ping.remaining(), got, empty, none, cut, a.getLocalAddress());
        });
        assertEquals(4, out.get(0), msg("N9.11", "sockSendTo returned " + out.get(0) + " for 4 bytes"));
        assertEquals(0, out.get(1), msg("N9.11", "the buffer still has bytes after sockSendTo"));
        Datagram got = (Datagram) out.get(2);
        assertArrayEquals(bytes("ping"), got.data(), msg("N9.11", "sockRecvFrom got other bytes"));
        assertEquals(out.get(6), got.address(), msg("N9.11", "sockRecvFrom gave the sender as " + got.address()));
        assertEquals(0, out.get(3), msg("N9.11", "sockSendTo of an empty datagram returned " + out.get(3)));
        assertEquals(0, ((Datagram) out.get(4)).data().length, msg("N9.11", "the empty datagram arrived with"
                + " bytes"));
        assertArrayEquals(bytes("trunc"), ((Datagram) out.get(5)).data(), msg("N9.11", "a datagram longer than"
                + " maxBytes was not cut to it"));
    }

    @Test
    @DisplayName("N9.12 a cancelled sockRecvFrom stops watching and loses no datagram; blocking, transport-owned and"
            + " unresolved refusals")
    void required_N9_12_sockRecvFromCancelAndRefusals() throws IOException {
        DatagramChannel a = datagramChannel();
        DatagramChannel b = datagramChannel();
        byte[] got = run("N9.12", () -> {
            Future<Datagram> first = loop.sockRecvFrom(b, 100);
            Async.yieldNow();
            first.cancel();
            Async.yieldNow();
            Async.yieldNow();
            assertFalse(loop.removeReader(b), msg("N9.12", "a reader was still registered after the sockRecvFrom"
                    + " was cancelled"));
            Async.await(loop.sockSendTo(a, buf(bytes("kept")), b.getLocalAddress()));
            return Async.await(loop.sockRecvFrom(b, 100)).data();
        });
        assertArrayEquals(bytes("kept"), got, msg("N9.12", "the datagram went elsewhere after a cancelled"
                + " sockRecvFrom"));
        assertThrows(IllegalArgumentException.class, () -> loop.sockRecvFrom(b, 0),
                msg("N9.12", "maxBytes 0 was accepted"));
        assertThrows(IllegalArgumentException.class,
                () -> loop.sockSendTo(a, buf(bytes("x")), InetSocketAddress.createUnresolved("localhost", 9)),
                msg("N9.12", "an unresolved address was accepted"));
        b.configureBlocking(true);
        assertThrows(IllegalArgumentException.class, () -> loop.sockRecvFrom(b, 10),
                msg("N9.12", "sockRecvFrom accepted a blocking channel"));
        assertThrows(IllegalArgumentException.class, () -> loop.sockSendTo(b, buf(bytes("x")), a.getLocalAddress()),
                msg("N9.12", "sockSendTo accepted a blocking channel"));
        run("N9.12", () -> {
            DatagramChannel owned = datagramChannel();
            var conn = Async.await(loop.createDatagramEndpoint(() -> new RecordingDatagramProtocol(loop),
                    DatagramOptions.builder().channel(owned).build()));
            assertThrows(IllegalStateException.class, () -> loop.sockRecvFrom(owned, 10),
                    msg("N9.12", "sockRecvFrom on a transport's channel was accepted"));
            assertThrows(IllegalStateException.class,
                    () -> loop.sockSendTo(owned, buf(bytes("x")), a.getLocalAddress()),
                    msg("N9.12", "sockSendTo on a transport's channel was accepted"));
            conn.transport().close();
            Async.await(conn.protocol().lost);
            return null;
        });
    }

    @Test
    @DisplayName("N9.13 allowBroadcast with a remote address does not connect: send goes there, anyone's datagrams"
            + " arrive, no peername")
    void required_N9_13_broadcastEndpointIsNotConnected() {
        List<Object> out = run("N9.13", () -> {
            var target = bound(false);
            var stranger = bound(false);
            var caster = Async.await(loop.createDatagramEndpoint(() -> new RecordingDatagramProtocol(loop),
                    DatagramOptions.builder().localAddress(ephemeral()).remoteAddress(sockname(target.transport()))
                            .allowBroadcast(true).build()));
            caster.transport().send(buf(bytes("cast")));
            Async.await(target.protocol().received(1));
            stranger.transport().sendTo(buf(bytes("reply")), sockname(caster.transport()));
            Async.await(caster.protocol().received(1));
            List<Object> r = List.of(target.protocol().datagrams.getFirst().text(),
                    caster.protocol().datagrams.getFirst().from().equals(sockname(stranger.transport())),
                    caster.transport().getExtraInfo(DatagramTransport.PEERNAME).isPresent());
            for (var c : List.of(target, stranger, caster)) {
                c.transport().close();
                Async.await(c.protocol().lost);
            }
            return r;
        });
        assertEquals("cast", out.get(0), msg("N9.13", "the remote address got " + out.get(0)
                + "; check send() goes to the remote address of a broadcast endpoint"));
        assertEquals(true, out.get(1), msg("N9.13", "a datagram from another address did not arrive; check that"
                + " the channel is not connected when allowBroadcast is set (asyncio)"));
        assertEquals(false, out.get(2), msg("N9.13", "a broadcast endpoint has a peername; it is not connected"));
    }

    @Test
    @DisplayName("N9.14 sendTo an IPv6 address from an INET endpoint goes to errorReceived; the endpoint stays open")
    void required_N9_14_unreachableFamilyIsErrorReceived() {
        List<Object> out = run("N9.14", () -> {
            var c = Async.await(loop.createDatagramEndpoint(() -> new RecordingDatagramProtocol(loop),
                    DatagramOptions.builder().family(java.net.StandardProtocolFamily.INET).build()));
            var error = c.protocol().firstError();
            c.transport().sendTo(buf(bytes("x")), new InetSocketAddress(java.net.InetAddress.ofLiteral("::1"), 9));
            awaitDone(error, Duration.ofSeconds(2));
            List<Object> r = new ArrayList<>();
            r.add(error.isDone() ? error.result() : null);
            r.add(c.transport().isClosing());
            c.transport().close();
            Async.await(c.protocol().lost);
            return r;
        });
        assertInstanceOf(java.nio.channels.UnsupportedAddressTypeException.class, out.get(0), msg("N9.14",
                "errorReceived got " + out.get(0) + "; check that the send's UnsupportedAddressTypeException goes to"
                        + " errorReceived (asyncio's OSError)"));
        assertEquals(false, out.get(1), msg("N9.14", "the endpoint closed; check it is not a fatal error"));
    }

    @Test
    @DisplayName("N9.15 an empty datagram on a connected endpoint throws UnsupportedOperationException; the endpoint"
            + " stays usable")
    void required_N9_15_emptyDatagramOnConnectedEndpoint() {
        String got = run("N9.15", () -> {
            var server = bound(false);
            var client = Async.await(loop.createDatagramEndpoint(() -> new RecordingDatagramProtocol(loop),
                    DatagramOptions.builder().remoteAddress(sockname(server.transport())).build()));
            assertThrows(UnsupportedOperationException.class, () -> client.transport().send(ByteBuffer.allocate(0)),
                    msg("N9.15", "an empty send on a connected endpoint was accepted; the JDK would not send it"));
            client.transport().send(buf(bytes("next")));
            Async.await(server.protocol().received(1));
            for (var c : List.of(server, client)) {
                c.transport().close();
                Async.await(c.protocol().lost);
            }
            return server.protocol().datagrams.getFirst().text();
        });
        assertEquals("next", got, msg("N9.15", "after the refused empty send the server got " + got));
    }

    @Test
    @DisplayName("N9.16 sockRecvFromInto receives into the caller's buffer, advances it by the datagram's size, gives"
            + " the sender, cuts a longer datagram; a read-only buffer is refused")
    void required_N9_16_sockRecvFromInto() throws IOException {
        DatagramChannel a = datagramChannel();
        DatagramChannel b = datagramChannel();
        ByteBuffer heap = ByteBuffer.allocate(100);
        ByteBuffer direct = ByteBuffer.allocateDirect(4);
        List<Object> out = run("N9.16", () -> {
            heap.put((byte) '>');
            Future<SocketAddress> pending = loop.sockRecvFromInto(b, heap);
            Async.yieldNow();
            assertFalse(pending.isDone(), msg("N9.16", "sockRecvFromInto finished with nothing sent"));
            Async.await(loop.sockSendTo(a, buf(bytes("ping")), b.getLocalAddress()));
            SocketAddress from = Async.await(pending);
            Async.await(loop.sockSendTo(a, buf(bytes("truncated")), b.getLocalAddress()));
            Async.await(loop.sockRecvFromInto(b, direct));
            return List.of(from, a.getLocalAddress());
        });
        assertEquals(out.get(1), out.get(0), msg("N9.16", "the sender was given as " + out.get(0)));
        assertEquals(5, heap.position(), msg("N9.16", "the buffer's position must advance by the 4 bytes received"
                + " after the 1 already there; it is " + heap.position()));
        assertArrayEquals(bytes(">ping"), java.util.Arrays.copyOf(heap.array(), 5), msg("N9.16", "the bytes"
                + " received, after what the buffer held"));
        direct.flip();
        byte[] cut = new byte[direct.remaining()];
        direct.get(cut);
        assertArrayEquals(bytes("trun"), cut, msg("N9.16", "a datagram longer than the buffer's space must be cut"
                + " to it"));
        assertThrows(IllegalArgumentException.class, () -> loop.sockRecvFromInto(b,
                ByteBuffer.allocate(8).asReadOnlyBuffer()), msg("N9.16", "a read-only buffer was accepted"));
    }

    @Test
    @DisplayName("N9.17 the send queue's marks: getWriteBufferHighWater/LowWater give asyncio's defaults (64 KiB, 16"
            + " KiB) and what setWriteBufferLimits set, with its rules for null; high < low is refused")
    void required_N9_17_writeBufferLimits() {
        List<Object> out = run("N9.17", () -> {
            DatagramTransport t = bound(false).transport();
            List<Object> r = new java.util.ArrayList<>();
            r.add(List.of(t.getWriteBufferHighWater(), t.getWriteBufferLowWater()));
            t.setWriteBufferLimits(1000, null);
            r.add(List.of(t.getWriteBufferHighWater(), t.getWriteBufferLowWater()));
            t.setWriteBufferLimits(null, 100);
            r.add(List.of(t.getWriteBufferHighWater(), t.getWriteBufferLowWater()));
            t.setWriteBufferLimits(0, 0);
            r.add(List.of(t.getWriteBufferHighWater(), t.getWriteBufferLowWater()));
            r.add(assertThrows(IllegalArgumentException.class, () -> t.setWriteBufferLimits(10, 20),
                    msg("N9.17", "setWriteBufferLimits(10, 20)")));
            r.add(assertThrows(IllegalArgumentException.class, () -> t.setWriteBufferLimits(null, -1),
                    msg("N9.17", "setWriteBufferLimits(null, -1)")));
            r.add(List.of(t.getWriteBufferHighWater(), t.getWriteBufferLowWater()));
            t.close();
            return r;
        });
        assertEquals(List.of(64 * 1024, 16 * 1024), out.get(0), msg("N9.17", "default marks (high, low)"));
        assertEquals(List.of(1000, 250), out.get(1), msg("N9.17", "setWriteBufferLimits(1000, null): low is high / 4"));
        assertEquals(List.of(400, 100), out.get(2), msg("N9.17", "setWriteBufferLimits(null, 100): high is 4 × low"));
        assertEquals(List.of(0, 0), out.get(3), msg("N9.17", "setWriteBufferLimits(0, 0)"));
        assertEquals(List.of(0, 0), out.get(6), msg("N9.17", "a refused setWriteBufferLimits must keep the marks"));
    }
}
