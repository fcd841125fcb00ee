package dev.asyncloop.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.asyncloop.Async;
import dev.asyncloop.CancelledError;
import dev.asyncloop.Datagram;
import dev.asyncloop.Future;
import dev.asyncloop.spi.Capability;
import java.io.IOException;
import java.net.ConnectException;
import java.net.PortUnreachableException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Rules N2.x: the sock* operations (asyncio's sock_recv, sock_sendall, sock_connect, sock_accept); N2.13-N2.15
 * the stream-named ones on a connected datagram channel (they also need {@link Capability#UDP}).
 */
abstract class SockRules extends NetworkGroup {
    SockRules(EventLoopConformanceSuite suite) {
        super(suite);
    }

    @Test
    @DisplayName("N2.1 sockSendAll sends every byte of a payload larger than the socket buffers; sockRecv gets them")
    void required_N2_1_sendAllAndRecvRoundTrip() throws Exception {
        SocketChannel[] p = socketPair();
        byte[] payload = pattern(4 * 1024 * 1024);
        byte[] got = run("N2.1", () -> {
            ByteBuffer data = buf(payload);
            Future<@Nullable Void> sent = loop.sockSendAll(p[0], data);
            byte[] r = recvExactly(p[1], payload.length);
            Async.await(sent);
            assertFalse(data.hasRemaining(), msg("N2.1", "sockSendAll finished with bytes left in the buffer"));
            return r;
        });
        assertArrayEquals(payload, got, msg("N2.1", "the bytes received differ from the bytes sent; check that"
                + " sockSendAll retries on writability from the buffer's position"));
    }

    @Test
    @DisplayName("N2.2 sockRecv waits for data, and returns an empty array at end of stream")
    void required_N2_2_recvWaitsThenEmptyAtEof() throws Exception {
        SocketChannel[] p = socketPair();
        run("N2.2", () -> {
            Future<byte[]> pending = loop.sockRecv(p[0], 100);
            Async.yieldNow();
            assertFalse(pending.isDone(), msg("N2.2", "sockRecv finished with no data sent"));
            Async.await(loop.sockSendAll(p[1], buf(bytes("hello"))));
            assertArrayEquals(bytes("hello"), Async.await(pending), msg("N2.2", "wrong bytes"));
            p[1].shutdownOutput();
            byte[] end = Async.await(loop.sockRecv(p[0], 100));
            assertEquals(0, end.length, msg("N2.2", "sockRecv at end of stream returned " + end.length
                    + " bytes; check that -1 from read() becomes an empty array"));
            return null;
        });
    }

    @Test
    @DisplayName("N2.3 sockRecvInto fills the buffer from its position and returns the count, -1 at end of stream")
    void required_N2_3_recvIntoCountsAndEof() throws Exception {
        SocketChannel[] p = socketPair();
        run("N2.3", () -> {
            ByteBuffer into = ByteBuffer.allocate(16);
            into.put((byte) '>');
            Future<Integer> n = loop.sockRecvInto(p[0], into);
            Async.await(loop.sockSendAll(p[1], buf(bytes("abc"))));
            int count = Async.await(n);
            assertEquals(3, count, msg("N2.3", "sockRecvInto returned " + count + " for 3 bytes"));
            assertEquals(4, into.position(), msg("N2.3", "the buffer position is " + into.position()
                    + "; check that bytes go after the existing position"));
            p[1].shutdownOutput();
            int end = Async.await(loop.sockRecvInto(p[0], into));
            assertEquals(-1, end, msg("N2.3", "sockRecvInto at end of stream returned " + end));
            return null;
        });
    }

    @Test
    @DisplayName("N2.4 sockConnect and sockAccept connect two loop sockets; the accepted one is non-blocking")
    void required_N2_4_connectAndAccept() throws Exception {
        ServerSocketChannel server = listener();
        SocketChannel client = track(SocketChannel.open());
        client.configureBlocking(false);
        run("N2.4", () -> {
            Future<SocketChannel> accepted = loop.sockAccept(server);
            Async.await(loop.sockConnect(client, server.getLocalAddress()));
            SocketChannel a = track(Async.await(accepted));
            assertFalse(a.isBlocking(), msg("N2.4", "the accepted channel is in blocking mode; check sockAccept"
                    + " configures it non-blocking"));
            assertTrue(client.isConnected(), msg("N2.4", "the client is not connected after sockConnect"));
            assertEquals(client.getLocalAddress(), a.getRemoteAddress(), msg("N2.4", "the accepted channel's peer"
                    + " is not the client"));
            Async.await(loop.sockSendAll(a, buf(bytes("hi"))));
            assertArrayEquals(bytes("hi"), recvExactly(client, 2), msg("N2.4", "data did not flow"));
            return null;
        });
    }

    @Test
    @DisplayName("N2.5 sockConnect to a port nobody listens on fails with the connect error")
    void required_N2_5_connectRefused() throws Exception {
        int port = closedPort();
        SocketChannel client = track(SocketChannel.open());
        client.configureBlocking(false);
        Throwable error = run("N2.5", () -> {
            try {
                Async.await(loop.sockConnect(client, new InetSocketAddress(LOOPBACK, port)));
                return null;
            } catch (CompletionException e) {
                return e.getCause();
            } catch (RuntimeException e) {
                return e;
            }
        });
        assertInstanceOf(ConnectException.class, error, msg("N2.5", "sockConnect to a closed port gave " + error
                + "; check that finishConnect's error fails the future (asyncio: ConnectionRefusedError)"));
    }

    @Test
    @DisplayName("N2.6 cancelling a pending sockRecv stops watching the channel; a later sockRecv gets the data")
    void required_N2_6_cancelRemovesReader() throws Exception {
        SocketChannel[] p = socketPair();
        run("N2.6", () -> {
            Future<byte[]> first = loop.sockRecv(p[0], 100);
            Async.yieldNow();
            first.cancel();
            Async.yieldNow();
            Async.yieldNow();
            assertFalse(loop.removeReader(p[0]), msg("N2.6", "a reader was still registered after the sockRecv"
                    + " was cancelled; check the done-callback that removes it"));
            Async.await(loop.sockSendAll(p[1], buf(bytes("data"))));
            byte[] got = Async.await(loop.sockRecv(p[0], 100));
            assertArrayEquals(bytes("data"), got, msg("N2.6", "the data went elsewhere after a cancelled recv"));
            try {
                first.result();
                fail(msg("N2.6", "the cancelled future has a result"));
            } catch (CancelledError expected) {
                // The cancellation stuck.
            }
            return null;
        });
    }

    @Test
    @DisplayName("N2.7 sock operations refuse a channel in blocking mode with IllegalArgumentException")
    void required_N2_7_blockingChannelsRefused() throws Exception {
        SocketChannel[] p = socketPair();
        p[0].configureBlocking(true);
        ServerSocketChannel s = track(ServerSocketChannel.open());
        assertThrows(IllegalArgumentException.class, () -> loop.sockRecv(p[0], 10),
                msg("N2.7", "sockRecv accepted a blocking channel"));
        assertThrows(IllegalArgumentException.class, () -> loop.sockSendAll(p[0], buf(bytes("x"))),
                msg("N2.7", "sockSendAll accepted a blocking channel"));
        assertThrows(IllegalArgumentException.class, () -> loop.sockRecvInto(p[0], ByteBuffer.allocate(1)),
                msg("N2.7", "sockRecvInto accepted a blocking channel"));
        assertThrows(IllegalArgumentException.class, () -> loop.sockAccept(s),
                msg("N2.7", "sockAccept accepted a blocking channel"));
        SocketChannel unconnected = track(SocketChannel.open());
        assertThrows(IllegalArgumentException.class,
                () -> loop.sockConnect(unconnected, new InetSocketAddress(LOOPBACK, closedPort())),
                msg("N2.7", "sockConnect accepted a blocking channel"));
    }

    @Test
    @DisplayName("N2.8 sock operations on a closed loop throw IllegalStateException")
    void required_N2_8_closedLoopRefusesSockOps() throws Exception {
        SocketChannel[] p = socketPair();
        loop.close();
        assertThrows(IllegalStateException.class, () -> loop.sockRecv(p[0], 10),
                msg("N2.8", "sockRecv on a closed loop did not throw"));
        assertThrows(IllegalStateException.class, () -> loop.sockSendAll(p[0], buf(bytes("x"))),
                msg("N2.8", "sockSendAll on a closed loop did not throw"));
    }

    @Test
    @DisplayName("N2.9 sockSendAll of an empty buffer is done at once")
    void required_N2_9_sendAllOfNothingIsDoneAtOnce() throws Exception {
        SocketChannel[] p = socketPair();
        run("N2.9", () -> {
            Future<@Nullable Void> sent = loop.sockSendAll(p[0], ByteBuffer.allocate(0));
            assertTrue(sent.isDone(), msg("N2.9", "sockSendAll of nothing is still pending; check that the first"
                    + " attempt completes the future when no byte remains"));
            assertFalse(loop.removeWriter(p[0]), msg("N2.9", "sockSendAll of nothing left a writer registered"));
            Async.await(sent);
            return null;
        });
    }

    @Test
    @DisplayName("N2.10 cancelling a pending sockSendAll stops watching; the buffer position counts what the peer gets")
    void required_N2_10_cancelledSendAllLosesNothing() throws Exception {
        SocketChannel[] p = socketPair();
        p[0].setOption(java.net.StandardSocketOptions.SO_SNDBUF, 64 * 1024);
        p[1].setOption(java.net.StandardSocketOptions.SO_RCVBUF, 64 * 1024);
        byte[] payload = pattern(8 * 1024 * 1024);
        ByteBuffer data = buf(payload);
        byte[] got = run("N2.10", () -> {
            Future<@Nullable Void> sent = loop.sockSendAll(p[0], data);
            Async.yieldNow();
            assertFalse(sent.isDone(), msg("N2.10", "8 MiB fitted into the socket buffers; the rule needs a"
                    + " sockSendAll that waits"));
            sent.cancel();
            Async.yieldNow();
            Async.yieldNow();
            assertFalse(loop.removeWriter(p[0]), msg("N2.10", "a writer was still registered after the"
                    + " sockSendAll was cancelled; check the done-callback that removes it"));
            p[0].shutdownOutput();
            return recvExactly(p[1], payload.length);
        });
        assertEquals(data.position(), got.length, msg("N2.10", "the peer got " + got.length + " bytes but the"
                + " buffer's position says " + data.position() + " were sent; check that no send runs after the"
                + " future is done and that the position follows every send"));
        assertArrayEquals(java.util.Arrays.copyOf(payload, got.length), got,
                msg("N2.10", "the peer got other bytes than the payload's prefix"));
    }

    @Test
    @DisplayName("N2.11 cancelling a pending sockAccept or sockConnect stops watching; the connection waits for the"
            + " next sockAccept")
    void required_N2_11_cancelledAcceptAndConnectStopWatching() throws Exception {
        ServerSocketChannel server = listener();
        SocketChannel client = track(SocketChannel.open());
        client.configureBlocking(false);
        run("N2.11", () -> {
            Future<SocketChannel> first = loop.sockAccept(server);
            Async.yieldNow();
            assertFalse(first.isDone(), msg("N2.11", "sockAccept finished with nobody connecting"));
            first.cancel();
            Async.yieldNow();
            Async.yieldNow();
            assertFalse(loop.removeReader(server), msg("N2.11", "a reader was still registered after the"
                    + " sockAccept was cancelled"));
            Async.await(loop.sockConnect(client, server.getLocalAddress()));
            SocketChannel a = track(Async.await(loop.sockAccept(server)));
            assertEquals(client.getLocalAddress(), a.getRemoteAddress(), msg("N2.11", "the next sockAccept did"
                    + " not get the client's connection"));

            SocketChannel other = track(SocketChannel.open());
            other.configureBlocking(false);
            Future<@Nullable Void> connecting = loop.sockConnect(other, server.getLocalAddress());
            if (!connecting.isDone()) { // a loopback connect may finish at once
                connecting.cancel();
                Async.yieldNow();
                Async.yieldNow();
                assertFalse(loop.removeWriter(other), msg("N2.11", "a writer was still registered after the"
                        + " sockConnect was cancelled"));
            }
            return null;
        });
    }

    @Test
    @DisplayName("N2.12 a second sockRecv on a channel replaces the first's reader; cancelling the first leaves it")
    void required_N2_12_secondRecvReplacesFirst() throws Exception {
        SocketChannel[] p = socketPair();
        run("N2.12", () -> {
            Future<byte[]> first = loop.sockRecv(p[0], 100);
            Future<byte[]> second = loop.sockRecv(p[0], 100);
            Async.yieldNow();
            assertFalse(first.isDone(), msg("N2.12", "the replaced sockRecv finished; asyncio leaves it pending"));
            first.cancel();
            Async.yieldNow();
            Async.yieldNow();
            Async.await(loop.sockSendAll(p[1], buf(bytes("data"))));
            assertArrayEquals(bytes("data"), Async.await(second), msg("N2.12", "the second sockRecv did not get"
                    + " the data; check that a cancelled sockRecv removes only its own reader, not the one"
                    + " that replaced it"));
            return null;
        });
    }

    /** A bound non-blocking loopback datagram channel, closed after the test; needs {@link Capability#UDP}. */
    private DatagramChannel datagramChannel() throws IOException {
        requireCapability(Capability.UDP);
        DatagramChannel c = track(DatagramChannel.open());
        c.bind(new InetSocketAddress(LOOPBACK, 0));
        c.configureBlocking(false);
        return c;
    }

    @Test
    @DisplayName("N2.13 on a connected datagram channel sockRecv and sockRecvInto get one datagram each (an empty one"
            + " is empty, not end of stream; a longer one is cut), sockSendAll sends one to the peer")
    void required_N2_13_datagramRecvAndSendAll() throws Exception {
        DatagramChannel a = datagramChannel();
        DatagramChannel b = datagramChannel();
        a.connect(b.getLocalAddress());
        List<Object> out = run("N2.13", () -> {
            Future<byte[]> pending = loop.sockRecv(a, 100);
            Async.yieldNow();
            assertFalse(pending.isDone(), msg("N2.13", "sockRecv finished with nothing sent"));
            Async.await(loop.sockSendTo(b, buf(bytes("hello")), a.getLocalAddress()));
            byte[] hello = Async.await(pending);
            Async.await(loop.sockSendTo(b, ByteBuffer.allocate(0), a.getLocalAddress()));
            byte[] empty = Async.await(loop.sockRecv(a, 100));
            Async.await(loop.sockSendTo(b, buf(bytes("truncated")), a.getLocalAddress()));
            byte[] cut = Async.await(loop.sockRecv(a, 5));
            ByteBuffer into = ByteBuffer.allocate(16);
            into.put((byte) '>');
            Future<Integer> counted = loop.sockRecvInto(a, into);
            Async.await(loop.sockSendTo(b, buf(bytes("abc")), a.getLocalAddress()));
            int count = Async.await(counted);
            ByteBuffer ping = buf(bytes("ping"));
            Async.await(loop.sockSendAll(a, ping));
            Datagram got = Async.await(loop.sockRecvFrom(b, 100));
            return List.of(hello, empty, cut, count, into.position(), ping.remaining(), got, a.getLocalAddress());
        });
        assertArrayEquals(bytes("hello"), (byte[]) out.get(0), msg("N2.13", "sockRecv got other bytes"));
        assertEquals(0, ((byte[]) out.get(1)).length, msg("N2.13", "an empty datagram must give an empty array;"
                + " check that the datagram is received with receive(), whose null tells nothing-yet apart from an"
                + " empty datagram (read() answers 0 for both)"));
        assertArrayEquals(bytes("trunc"), (byte[]) out.get(2), msg("N2.13", "a datagram longer than maxBytes must be"
                + " cut to it, the rest discarded"));
        assertEquals(3, out.get(3), msg("N2.13", "sockRecvInto's count for a 3-byte datagram"));
        assertEquals(4, out.get(4), msg("N2.13", "sockRecvInto must put the bytes after the buffer's position"));
        assertEquals(0, out.get(5), msg("N2.13", "the buffer still has bytes after sockSendAll"));
        Datagram got = (Datagram) out.get(6);
        assertArrayEquals(bytes("ping"), got.data(), msg("N2.13", "the peer got other bytes from sockSendAll"));
        assertEquals(out.get(7), got.address(), msg("N2.13", "sockSendAll's datagram came from " + got.address()));
    }

    @Test
    @DisplayName("N2.14 sockRecv, sockRecvInto and sockSendAll refuse an unconnected datagram channel at the call,"
            + " pointing to sockRecvFrom/sockSendTo")
    void required_N2_14_unconnectedDatagramRefused() throws Exception {
        DatagramChannel a = datagramChannel();
        List<IllegalArgumentException> refused = run("N2.14", () -> List.of(
                assertThrows(IllegalArgumentException.class, () -> loop.sockRecv(a, 10), msg("N2.14",
                        "sockRecv of an unconnected datagram channel")),
                assertThrows(IllegalArgumentException.class, () -> loop.sockRecvInto(a, ByteBuffer.allocate(10)),
                        msg("N2.14", "sockRecvInto of an unconnected datagram channel")),
                assertThrows(IllegalArgumentException.class, () -> loop.sockSendAll(a, buf(bytes("x"))),
                        msg("N2.14", "sockSendAll of an unconnected datagram channel"))));
        for (IllegalArgumentException e : refused) {
            String text = String.valueOf(e.getMessage());
            assertTrue(text.contains("not connected") && text.contains("sockRecvFrom") && text.contains("sockSendTo"),
                    msg("N2.14", "the message must say the channel is not connected and name sockRecvFrom/"
                            + "sockSendTo: " + text));
        }
    }

    @Test
    @DisplayName("N2.15 an ICMP port-unreachable for a connected datagram channel fails the next sockRecv with"
            + " PortUnreachableException")
    void required_N2_15_datagramPortUnreachable() throws Exception {
        DatagramChannel a = datagramChannel();
        java.net.SocketAddress gone;
        try (DatagramChannel closed = DatagramChannel.open()) {
            closed.bind(new InetSocketAddress(LOOPBACK, 0));
            gone = closed.getLocalAddress();
        }
        a.connect(gone);
        Throwable failure = run("N2.15", () -> {
            Async.await(loop.sockSendAll(a, buf(bytes("anyone?"))));
            try {
                Async.await(loop.sockRecv(a, 100));
                return null;
            } catch (CompletionException e) {
                return e.getCause();
            }
        });
        assertInstanceOf(PortUnreachableException.class, failure, msg("N2.15", "sockRecv after a datagram to a port"
                + " nobody listens on ended with " + failure + "; an IOException of receive must fail the future"));
    }

    @Test
    @DisplayName("N2.16 sockRecvInto with a full buffer: 0 at once on an open channel; on a closed one the error"
            + " sockRecv gives there (stream and connected datagram channels)")
    void required_N2_16_fullBufferOnClosedChannelFails() throws Exception {
        SocketChannel[] p = socketPair();
        List<DatagramChannel> datagrams = new java.util.ArrayList<>();
        if (suite.capabilities().contains(Capability.UDP)) {
            DatagramChannel a = datagramChannel();
            DatagramChannel b = datagramChannel();
            a.connect(b.getLocalAddress());
            datagrams.add(a);
        }
        run("N2.16", () -> {
            assertEquals(0, Async.await(loop.sockRecvInto(p[0], ByteBuffer.allocate(0))), msg("N2.16",
                    "sockRecvInto of an open stream channel into a full buffer must answer 0 without waiting"));
            for (DatagramChannel a : datagrams) {
                assertEquals(0, Async.await(loop.sockRecvInto(a, ByteBuffer.allocate(4).position(4))), msg("N2.16",
                        "sockRecvInto of an open datagram channel into a full buffer must answer 0 without waiting"));
            }
            return null;
        });
        p[0].close();
        for (DatagramChannel a : datagrams) {
            a.close();
        }
        run("N2.16", () -> {
            expectSameFailure("stream", outcome(() -> loop.sockRecv(p[0], 10)),
                    outcome(() -> loop.sockRecvInto(p[0], ByteBuffer.allocate(0))));
            for (DatagramChannel a : datagrams) {
                expectSameFailure("datagram", outcome(() -> loop.sockRecv(a, 10)),
                        outcome(() -> loop.sockRecvInto(a, ByteBuffer.allocate(4).position(4))));
            }
            return null;
        });
    }

    @Test
    @DisplayName("N2.17 sockRecvInto of a stream channel refuses a read-only buffer at the call, full or not, as the"
            + " datagram forms do")
    void required_N2_17_readOnlyBufferRefused() throws Exception {
        SocketChannel[] p = socketPair();
        run("N2.17", () -> {
            for (ByteBuffer readOnly : List.of(ByteBuffer.allocate(8).asReadOnlyBuffer(),
                    ByteBuffer.allocate(0).asReadOnlyBuffer())) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> loop.sockRecvInto(p[0], readOnly), msg("N2.17", "sockRecvInto of a stream channel"
                                + " into a read-only buffer with " + readOnly.remaining() + " bytes of room must throw"
                                + " IllegalArgumentException at the call (asyncio: recv_into raises TypeError for"
                                + " any read-only buffer), not answer 0 or fail the future"));
                assertTrue(String.valueOf(e.getMessage()).contains("read-only"), msg("N2.17", "the message must"
                        + " say the buffer is read-only: " + e.getMessage()));
            }
            return null;
        });
    }

    /** What a sock operation ends with: its result, or the exception it threw at the call or failed with. */
    private static @Nullable Object outcome(java.util.function.Supplier<Future<?>> op) {
        Future<?> f;
        try {
            f = op.get();
        } catch (RuntimeException thrown) {
            return thrown;
        }
        try {
            return Async.await(f);
        } catch (CompletionException e) {
            return e.getCause();
        } catch (RuntimeException e) {
            return e;
        }
    }

    private static void expectSameFailure(String kind, @Nullable Object recv, @Nullable Object recvInto) {
        Throwable failed = assertInstanceOf(Throwable.class, recv, msg("N2.16", "sockRecv of a closed " + kind
                + " channel must fail, got " + recv));
        assertInstanceOf(failed.getClass(), recvInto, msg("N2.16", "sockRecvInto of a closed " + kind + " channel"
                + " into a full buffer must fail as sockRecv does there (" + recv + "), got " + recvInto + "; asyncio"
                + " calls recv_into on the socket, which raises on a closed one, so check the channel before"
                + " answering 0 for a full buffer"));
    }
}
