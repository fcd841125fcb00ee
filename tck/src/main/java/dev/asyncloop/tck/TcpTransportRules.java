package dev.asyncloop.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.Async;
import dev.asyncloop.BufferedProtocol;
import dev.asyncloop.ConnectOptions;
import dev.asyncloop.Connection;
import dev.asyncloop.ExceptionContext;
import dev.asyncloop.Future;
import dev.asyncloop.Server;
import dev.asyncloop.Transport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.logging.Level;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Rules N3.x: TCP transports and the protocol contract (asyncio's _SelectorSocketTransport). */
abstract class TcpTransportRules extends NetworkGroup {
    TcpTransportRules(EventLoopConformanceSuite suite) {
        super(suite);
    }

    @Test
    @DisplayName("N3.1 connectionMade is scheduled, not called inside the transport's creation")
    void required_N3_1_connectionMadeScheduled() throws Exception {
        SocketChannel[] p = socketPair();
        List<String> order = run("N3.1", () -> {
            List<String> seen = new ArrayList<>();
            Connection<RecordingProtocol> c = Async.await(loop.connectAcceptedSocket(() -> {
                seen.add("factory");
                loop.callSoon(() -> seen.add("scheduled-by-factory"));
                return new RecordingProtocol(loop) {
                    @Override
                    public void connectionMade(Transport transport) {
                        seen.add("made");
                        super.connectionMade(transport);
                    }
                };
            }, p[0]));
            assertTrue(c.protocol().made.isDone(), msg("N3.1", "connectAcceptedSocket finished before"
                    + " connectionMade; check that the waiter completes after it"));
            c.transport().close();
            Async.await(c.protocol().lost);
            return seen;
        });
        assertEquals(List.of("factory", "scheduled-by-factory", "made"), order, msg("N3.1",
                "connectionMade ran inline; check that the transport schedules it with callSoon"));
    }

    @Test
    @DisplayName("N3.2 data written on one side arrives in order on the other; extra info names both ends")
    void required_N3_2_dataRoundTripAndExtraInfo() throws Exception {
        run("N3.2", () -> {
            Server server = startServer(true);
            Connection<RecordingProtocol> c = Async.await(loop.createConnection(() -> new RecordingProtocol(loop),
                    HOST, port(server)));
            byte[] payload = pattern(300_000);
            c.transport().write(payload);
            Async.await(c.protocol().received(payload.length));
            assertArrayEquals(payload, c.protocol().data.toByteArray(), msg("N3.2", "the echo differs from what"
                    + " was written; check write queuing order and the read path"));
            RecordingProtocol srv = awaitAccepted("N3.2", 0);
            Object peer = c.transport().getExtraInfo(Transport.PEERNAME).orElse(null);
            Object sock = c.transport().getExtraInfo(Transport.SOCKNAME).orElse(null);
            assertEquals(new InetSocketAddress(LOOPBACK, port(server)), peer, msg("N3.2", "peername is " + peer));
            assertEquals(sock, srv.transport.getExtraInfo(Transport.PEERNAME).orElse(null),
                    msg("N3.2", "the server's peername is not the client's sockname"));
            assertInstanceOf(SocketChannel.class, c.transport().getExtraInfo(Transport.SOCKET).orElse(null),
                    msg("N3.2", "extra info 'socket' is not the channel"));
            assertTrue(c.transport().getExtraInfo("no-such-key").isEmpty(), msg("N3.2", "unknown key not empty"));
            c.transport().close();
            Async.await(c.protocol().lost);
            server.close();
            return null;
        });
    }

    @Test
    @DisplayName("N3.3 close(): connectionLost(null) exactly once, after the buffered data was sent; no data before connectionMade")
    void required_N3_3_closeFlushesThenOneConnectionLost() throws Exception {
        run("N3.3", () -> {
            Server server = startServer(false);
            RecordingProtocol client = connect(port(server));
            byte[] payload = pattern(2 * 1024 * 1024);
            // no high-water mark: how much of the 2 MiB the kernel takes at once depends on the machine's
            // socket buffers, and above the default mark the protocol would also get pauseWriting/resumeWriting
            client.transport.setWriteBufferLimits(Integer.MAX_VALUE, 0);
            client.transport.write(payload);
            client.transport.close();
            assertTrue(client.transport.isClosing(), msg("N3.3", "isClosing() is false after close()"));
            client.transport.close();
            Throwable why = Async.await(client.lost);
            assertNull(why, msg("N3.3", "connectionLost got " + why + " after a regular close"));
            RecordingProtocol srv = awaitAccepted("N3.3", 0);
            Async.await(srv.lost);
            assertArrayEquals(payload, srv.data.toByteArray(), msg("N3.3", "close() dropped buffered data; check"
                    + " that close waits for the write buffer to drain"));
            Async.sleep(Duration.ofMillis(20));
            assertEquals(List.of("made", "lost"), client.events, msg("N3.3", "client events"));
            assertEquals("made", srv.events.getFirst(), msg("N3.3", "the server protocol's first event is not"
                    + " connectionMade: " + srv.events));
            assertEquals("lost", srv.events.getLast(), msg("N3.3", "server events: " + srv.events));
            assertFalse(srv.events.contains("lost-again"), msg("N3.3", "connectionLost ran twice"));
            server.close();
            return null;
        });
    }

    @Test
    @DisplayName("N3.4 end of stream: eofReceived, and when it returns false the transport closes (connectionLost(null))")
    void required_N3_4_eofClosesByDefault() throws Exception {
        run("N3.4", () -> {
            Server server = startServer(false);
            RecordingProtocol client = connect(port(server));
            RecordingProtocol srv = awaitAccepted("N3.4", 0);
            client.transport.write(bytes("bye"));
            client.transport.writeEof();
            Async.await(srv.eof);
            Throwable why = Async.await(srv.lost);
            assertNull(why, msg("N3.4", "connectionLost after EOF got " + why));
            assertEquals(List.of("made", "data", "eof", "lost"), srv.events, msg("N3.4", "server events"));
            Async.await(client.eof);
            Async.await(client.lost);
            server.close();
            return null;
        });
    }

    @Test
    @DisplayName("N3.5 half-close: eofReceived returning true keeps the write side open")
    void required_N3_5_halfCloseKeepsWriting() throws Exception {
        run("N3.5", () -> {
            Server server = Async.await(loop.createServer(() -> {
                RecordingProtocol p = new RecordingProtocol(loop) {
                    @Override
                    public boolean eofReceived() {
                        super.eofReceived();
                        transport.write(bytes("reply:" + text()));
                        transport.close();
                        return true;
                    }
                };
                accepted.add(p);
                return p;
            }, HOST, 0));
            RecordingProtocol client = connect(port(server));
            client.transport.write(bytes("question"));
            client.transport.writeEof();
            assertTrue(client.transport.canWriteEof(), msg("N3.5", "canWriteEof() is false for TCP"));
            Async.await(client.eof);
            assertEquals("reply:question", client.text(), msg("N3.5", "the server could not answer after"
                    + " receiving EOF; check that eofReceived() == true keeps the transport open"));
            assertNull(Async.await(client.lost), msg("N3.5", "client connectionLost got an error"));
            server.close();
            return null;
        });
    }

    @Test
    @DisplayName("N3.6 a peer reset ends the connection with connectionLost(IOException), not reported as a bug")
    void required_N3_6_peerResetGivesConnectionLostWithException() throws Exception {
        ServerSocketChannelHolder h = new ServerSocketChannelHolder();
        run("N3.6", () -> {
            var server = listener();
            Future<SocketChannel> accepted = loop.sockAccept(server);
            RecordingProtocol client = connect(port(server));
            SocketChannel peer = track(Async.await(accepted));
            resetOnClose(peer);
            peer.close();
            Throwable why = Async.await(client.lost);
            h.error = why;
            return null;
        });
        assertInstanceOf(IOException.class, h.error, msg("N3.6", "connectionLost after a reset got " + h.error
                + "; check that a read error closes the transport with that error"));
    }

    private static final class ServerSocketChannelHolder {
        @Nullable Throwable error;
    }

    @Test
    @DisplayName("N3.7 pauseReading stops dataReceived until resumeReading; isReading follows")
    void required_N3_7_pauseAndResumeReading() throws Exception {
        run("N3.7", () -> {
            Server server = startServer(false);
            RecordingProtocol client = connect(port(server));
            RecordingProtocol srv = awaitAccepted("N3.7", 0);
            srv.transport.pauseReading();
            assertFalse(srv.transport.isReading(), msg("N3.7", "isReading() is true after pauseReading()"));
            client.transport.write(bytes("held"));
            for (int i = 0; i < 20; i++) {
                Async.sleep(Duration.ofMillis(2));
            }
            assertEquals(0, srv.data.size(), msg("N3.7", "data arrived while reading was paused"));
            srv.transport.resumeReading();
            assertTrue(srv.transport.isReading(), msg("N3.7", "isReading() is false after resumeReading()"));
            Async.await(srv.received(4));
            assertEquals("held", srv.text(), msg("N3.7", "wrong data after resume"));
            client.transport.close();
            Async.await(srv.lost);
            server.close();
            return null;
        });
    }

    @Test
    @DisplayName("N3.8 a BufferedProtocol receives through getBuffer/bufferUpdated")
    void required_N3_8_bufferedProtocol() throws Exception {
        run("N3.8", () -> {
            Server server = startServer(true);
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            ByteBuffer mine = ByteBuffer.allocate(100);
            Future<@Nullable Void> lost = loop.createFuture();
            int[] calls = new int[1];
            BufferedProtocol proto = new BufferedProtocol() {
                @Override
                public ByteBuffer getBuffer(int sizeHint) {
                    return mine.clear();
                }

                @Override
                public void bufferUpdated(int nbytes) {
                    calls[0]++;
                    got.write(mine.array(), 0, nbytes);
                }

                @Override
                public void dataReceived(ByteBuffer data) {
                    throw new AssertionError("dataReceived called on a BufferedProtocol");
                }

                @Override
                public void connectionLost(@Nullable Throwable exception) {
                    lost.setResult(null);
                }
            };
            Connection<BufferedProtocol> c = Async.await(loop.createConnection(() -> proto, HOST, port(server)));
            byte[] payload = pattern(1000);
            c.transport().write(payload);
            long end = System.nanoTime() + defaultWait().toNanos();
            while (got.size() < payload.length && System.nanoTime() < end) {
                Async.sleep(Duration.ofMillis(2));
            }
            assertArrayEquals(payload, got.toByteArray(), msg("N3.8", "the buffered protocol received other bytes;"
                    + " check getBuffer/bufferUpdated are used instead of dataReceived"));
            assertTrue(calls[0] >= 10, msg("N3.8", "1000 bytes fit a 100-byte buffer in " + calls[0] + " reads"));
            c.transport().close();
            Async.await(lost);
            server.close();
            return null;
        });
    }

    @Test
    @DisplayName("N3.9 a protocol callback that throws is reported with transport and protocol; the transport closes with that exception")
    void required_N3_9_throwingCallbackIsFatal() throws Exception {
        expectReports();
        RuntimeException boom = new IllegalStateException("boom in dataReceived");
        Throwable why = run("N3.9", () -> {
            Server server = startServer(false);
            RecordingProtocol client = connect(port(server));
            RecordingProtocol srv = awaitAccepted("N3.9", 0);
            srv.transport.setProtocol(new RecordingProtocol(loop) {
                @Override
                public void dataReceived(ByteBuffer data) {
                    throw boom;
                }

                @Override
                public void connectionLost(@Nullable Throwable exception) {
                    srv.connectionLost(exception);
                }
            });
            client.transport.write(bytes("x"));
            Throwable e = Async.await(srv.lost);
            Async.await(client.lost);
            server.close();
            return e;
        });
        assertSame(boom, why, msg("N3.9", "connectionLost got " + why + "; check the transport closes with the"
                + " callback's exception"));
        List<ExceptionContext> r = reports();
        assertEquals(1, r.size(), msg("N3.9", "expected one report, got " + r));
        assertSame(boom, r.getFirst().exception().orElse(null), msg("N3.9", "the report lacks the exception"));
        assertTrue(r.getFirst().transport().isPresent() && r.getFirst().protocol().isPresent(), msg("N3.9",
                "the report must carry the transport and the protocol: " + r.getFirst()));
    }

    @Test
    @DisplayName("N3.10 writes after close are dropped; from the fifth on each logs 'socket.send() raised exception.'")
    void required_N3_10_writesAfterCloseDroppedWithWarning() throws Exception {
        LogCapture.assumeJulBackend();
        try (LogCapture log = new LogCapture()) {
            run("N3.10", () -> {
                Server server = startServer(false);
                RecordingProtocol client = connect(port(server));
                client.transport.close();
                Async.await(client.lost);
                for (int i = 0; i < 4; i++) {
                    client.transport.write(bytes("late"));
                }
                assertTrue(log.entries().stream().noneMatch(e -> e.message().contains("socket.send()")),
                        msg("N3.10", "warned before the fifth dropped write: " + log.entries()));
                client.transport.write(bytes("late"));
                client.transport.write(bytes("late"));
                server.close();
                return null;
            });
            long warnings = log.entries().stream().filter(e -> e.level() == Level.WARNING
                    && e.message().contains("socket.send() raised exception.")).count();
            assertEquals(2, warnings, msg("N3.10", "expected a warning for writes 5 and 6 after close, got "
                    + log.entries() + "; check the connLost counter"));
        }
    }

    @Test
    @DisplayName("N3.11 createConnection to a port nobody listens on fails with a ConnectException")
    void required_N3_11_createConnectionRefused() throws Exception {
        int port = closedPort();
        Throwable error = run("N3.11", () -> {
            try {
                Async.await(loop.createConnection(() -> new RecordingProtocol(loop), HOST, port));
                return null;
            } catch (CompletionException e) {
                return e.getCause();
            }
        });
        assertInstanceOf(java.net.ConnectException.class, error, msg("N3.11", "createConnection to a closed port"
                + " gave " + error));
    }

    @Test
    @DisplayName("N3.12 createConnection with a local address binds the socket to it")
    void required_N3_12_localAddress() throws Exception {
        run("N3.12", () -> {
            Server server = startServer(false);
            Connection<RecordingProtocol> c = Async.await(loop.createConnection(() -> new RecordingProtocol(loop),
                    HOST, port(server), ConnectOptions.builder()
                            .localAddress(new InetSocketAddress(LOOPBACK, 0)).build()));
            Object local = c.transport().getExtraInfo(Transport.SOCKNAME).orElseThrow();
            assertEquals(LOOPBACK, ((InetSocketAddress) local).getAddress(), msg("N3.12", "sockname " + local));
            c.transport().close();
            Async.await(c.protocol().lost);
            server.close();
            return null;
        });
    }

    @Test
    @DisplayName("N3.15 createConnection with a local address of another family than the target's fails that attempt with an IOException 'no matching local address'")
    void required_N3_15_localAddressOfAnotherFamily() throws Exception {
        InetAddress otherFamily = InetAddress.ofLiteral(LOOPBACK instanceof Inet4Address ? "::1" : "127.0.0.1");
        Throwable error = run("N3.15", () -> {
            Server server = startServer(false);
            try {
                Async.await(loop.createConnection(() -> new RecordingProtocol(loop), HOST, port(server),
                        ConnectOptions.builder().localAddress(new InetSocketAddress(otherFamily, 0)).build()));
                return null;
            } catch (CompletionException e) {
                return e.getCause();
            } finally {
                server.close();
            }
        });
        assertInstanceOf(IOException.class, error, msg("N3.15", "binding " + otherFamily + " before connecting to "
                + HOST + " gave " + error + "; check that each attempt binds only a local address of its own family"));
        String text = String.valueOf(assertInstanceOf(IOException.class, error).getMessage());
        assertTrue(text.contains("no matching local address"), msg("N3.15",
                "the error does not say that no local address fits: " + text));
    }

    @Test
    @DisplayName("N3.13 data already waiting when the transport is made reaches the protocol only after connectionMade")
    void required_N3_13_noDataBeforeConnectionMade() throws Exception {
        SocketChannel[] p = socketPair();
        p[1].write(ByteBuffer.wrap(bytes("early")));
        List<String> events = run("N3.13", () -> {
            Connection<RecordingProtocol> c = Async.await(loop.connectAcceptedSocket(
                    () -> new RecordingProtocol(loop), p[0]));
            Async.await(c.protocol().received(5));
            c.transport().close();
            Async.await(c.protocol().lost);
            return c.protocol().events;
        });
        assertEquals(List.of("made", "data", "lost"), events, msg("N3.13", "events " + events
                + "; check that reading starts only after connectionMade ran"));
    }

    @Test
    @DisplayName("N3.14 createConnection resolves a host name (localhost) and connects to an address that accepts (needs localhost in the hosts file)")
    void optional_N3_14_hostNameResolvedAndEveryAddressTried() throws Exception {
        run("N3.14", () -> {
            Server server = startServer(true);
            Connection<RecordingProtocol> c = Async.await(loop.createConnection(() -> new RecordingProtocol(loop),
                    "localhost", port(server)));
            Object peer = c.transport().getExtraInfo(Transport.PEERNAME).orElseThrow();
            assertEquals(port(server), ((InetSocketAddress) peer).getPort(), msg("N3.14", "connected to " + peer));
            c.transport().write(bytes("via name"));
            Async.await(c.protocol().received(8));
            c.transport().close();
            Async.await(c.protocol().lost);
            server.close();
            return null;
        });
    }

    /** A buffered protocol handing out {@code buffer}, recording size hints and the bytes of each update. */
    static class RecordingBuffered extends RecordingProtocol implements BufferedProtocol {
        final List<Integer> hints = new ArrayList<>();
        ByteBuffer buffer = ByteBuffer.allocate(64);
        private int start;

        RecordingBuffered(dev.asyncloop.EventLoop loop) {
            super(loop);
        }

        @Override
        public ByteBuffer getBuffer(int sizeHint) {
            hints.add(sizeHint);
            start = buffer.position();
            return buffer;
        }

        @Override
        public void bufferUpdated(int nbytes) {
            events.add("updated");
            byte[] b = new byte[nbytes];
            buffer.get(start, b);
            data.writeBytes(b);
            if (!buffer.hasRemaining()) {
                buffer.clear();
            }
        }

        @Override
        public void dataReceived(ByteBuffer bytes) {
            throw new AssertionError("dataReceived called on a BufferedProtocol");
        }
    }

    @Test
    @DisplayName("N3.16 setProtocol switches between a Protocol and a BufferedProtocol at runtime; getProtocol and later events follow")
    void required_N3_16_setProtocolSwitchesTheReadPath() throws Exception {
        SocketChannel[] p = socketPair();
        run("N3.16", () -> {
            RecordingProtocol plain = new RecordingProtocol(loop);
            Connection<RecordingProtocol> c = Async.await(loop.connectAcceptedSocket(() -> plain, p[0]));
            p[1].write(ByteBuffer.wrap(bytes("a")));
            Async.await(plain.received(1));
            RecordingBuffered buffered = new RecordingBuffered(loop);
            c.transport().setProtocol(buffered);
            assertSame(buffered, c.transport().getProtocol(), msg("N3.16", "getProtocol() is not the protocol set"));
            p[1].write(ByteBuffer.wrap(bytes("b")));
            waitUntil("N3.16", "the buffered protocol's bufferUpdated", () -> buffered.data.size() == 1);
            RecordingProtocol again = new RecordingProtocol(loop);
            c.transport().setProtocol(again);
            p[1].write(ByteBuffer.wrap(bytes("c")));
            Async.await(again.received(1));
            p[1].shutdownOutput();
            Async.await(again.lost);
            assertEquals(List.of("made", "data"), plain.events, msg("N3.16", "first protocol"));
            assertEquals(List.of("updated"), buffered.events, msg("N3.16", "the BufferedProtocol set at runtime"
                    + " must read through getBuffer/bufferUpdated; check the read path looks at the current protocol"));
            assertEquals(List.of("data", "eof", "lost"), again.events, msg("N3.16", "a plain protocol set after a"
                    + " BufferedProtocol must get dataReceived, eofReceived and connectionLost"));
            assertEquals("c", again.text(), msg("N3.16", "data"));
            return null;
        });
    }

    @Test
    @DisplayName("N3.17 getBuffer is called with -1; the read fills the buffer from its position (heap slice or direct) and advances it by bufferUpdated's count")
    void required_N3_17_getBufferHintAndPosition() throws Exception {
        for (boolean direct : new boolean[] {false, true}) {
            SocketChannel[] p = socketPair();
            byte[] backing = new byte[32];
            ByteBuffer room = direct ? ByteBuffer.allocateDirect(16).position(4)
                    : ByteBuffer.wrap(backing, 8, 16).slice().position(4);
            RecordingBuffered got = run("N3.17", () -> {
                RecordingBuffered proto = new RecordingBuffered(loop);
                proto.buffer = room;
                Connection<RecordingBuffered> c = Async.await(loop.connectAcceptedSocket(() -> proto, p[0]));
                p[1].write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
                waitUntil("N3.17", "3 bytes", () -> proto.data.size() == 3);
                c.transport().abort();
                Async.await(proto.lost);
                return proto;
            });
            String kind = direct ? "a direct buffer" : "a heap slice";
            assertEquals(List.of(-1), got.hints, msg("N3.17", "getBuffer's size hints with " + kind + ": "
                    + got.hints + "; asyncio calls get_buffer(-1)"));
            assertArrayEquals(new byte[] {1, 2, 3}, got.data.toByteArray(), msg("N3.17", "the bytes at the"
                    + " buffer's position differ with " + kind + "; check the read starts at position() (and at"
                    + " arrayOffset() + position() in the backing array)"));
            assertEquals(7, room.position(), msg("N3.17", "the position after bufferUpdated(3) with " + kind));
            if (!direct) {
                assertArrayEquals(new byte[] {1, 2, 3}, java.util.Arrays.copyOfRange(backing, 12, 15),
                        msg("N3.17", "the bytes are not in the slice's own region of its backing array"));
            }
        }
    }

    @Test
    @DisplayName("N3.18 getBuffer returning an empty buffer, or a read-only one, is a fatal error reported with its message")
    void required_N3_18_unusableBufferIsFatal() throws Exception {
        expectReports();
        List<Throwable> lost = new ArrayList<>();
        for (ByteBuffer bad : List.of(ByteBuffer.allocate(0), ByteBuffer.allocate(8).asReadOnlyBuffer())) {
            SocketChannel[] p = socketPair();
            lost.add(run("N3.18", () -> {
                RecordingBuffered proto = new RecordingBuffered(loop);
                proto.buffer = bad;
                Async.await(loop.connectAcceptedSocket(() -> proto, p[0]));
                p[1].write(ByteBuffer.wrap(bytes("x")));
                return Async.await(proto.lost);
            }));
        }
        List<ExceptionContext> r = reports();
        assertEquals(2, r.size(), msg("N3.18", "expected one report per connection, got " + r));
        assertEquals("Fatal error: protocol.getBuffer() call failed.", r.get(0).message(), msg("N3.18",
                "an empty buffer from getBuffer is the protocol's error (asyncio: 'get_buffer() returned an empty"
                        + " buffer')"));
        assertEquals("Fatal read error on socket transport", r.get(1).message(), msg("N3.18",
                "reading into a read-only buffer fails the read (asyncio: recv_into raises TypeError)"));
        for (int i = 0; i < 2; i++) {
            assertTrue(lost.get(i) instanceof RuntimeException, msg("N3.18", "connectionLost got " + lost.get(i)));
            assertSame(lost.get(i), r.get(i).exception().orElse(null), msg("N3.18",
                    "the report and connectionLost must carry the same exception"));
        }
    }

    @Test
    @DisplayName("N3.19 an eofReceived that throws is reported ('Fatal error: protocol.eofReceived() call failed.') and the transport closes with it")
    void required_N3_19_throwingEofReceivedIsFatal() throws Exception {
        expectReports();
        RuntimeException boom = new IllegalStateException("N3.19 boom in eofReceived");
        SocketChannel[] p = socketPair();
        Throwable why = run("N3.19", () -> {
            RecordingProtocol proto = new RecordingProtocol(loop) {
                @Override
                public boolean eofReceived() {
                    super.eofReceived();
                    throw boom;
                }
            };
            Async.await(loop.connectAcceptedSocket(() -> proto, p[0]));
            p[1].shutdownOutput();
            return Async.await(proto.lost);
        });
        assertSame(boom, why, msg("N3.19", "connectionLost got " + why));
        List<ExceptionContext> r = reports();
        assertEquals(1, r.size(), msg("N3.19", "expected one report, got " + r));
        assertEquals("Fatal error: protocol.eofReceived() call failed.", r.getFirst().message(), msg("N3.19",
                "report message"));
        assertSame(boom, r.getFirst().exception().orElse(null), msg("N3.19", "the report lacks the exception"));
    }

    @Test
    @DisplayName("N3.20 pauseReading inside dataReceived (or connectionMade) holds later data until resumeReading")
    void required_N3_20_pauseFromInsideACallback() throws Exception {
        SocketChannel[] p = socketPair();
        p[1].write(ByteBuffer.wrap(bytes("1")));
        run("N3.20", () -> {
            RecordingProtocol proto = new RecordingProtocol(loop) {
                @Override
                public void connectionMade(Transport transport) {
                    super.connectionMade(transport);
                    this.transport.pauseReading();
                }

                @Override
                public void dataReceived(ByteBuffer bytes) {
                    super.dataReceived(bytes);
                    transport.pauseReading();
                }
            };
            Connection<RecordingProtocol> c = Async.await(loop.connectAcceptedSocket(() -> proto, p[0]));
            for (int i = 0; i < 20; i++) {
                Async.sleep(Duration.ofMillis(2));
            }
            assertEquals(0, proto.data.size(), msg("N3.20", "data arrived though connectionMade paused reading;"
                    + " check that reading starts only if the transport is still reading after connectionMade"));
            c.transport().resumeReading();
            Async.await(proto.received(1));
            assertFalse(c.transport().isReading(), msg("N3.20", "isReading() after a pause in dataReceived"));
            p[1].write(ByteBuffer.wrap(bytes("2")));
            for (int i = 0; i < 20; i++) {
                Async.sleep(Duration.ofMillis(2));
            }
            assertEquals("1", proto.text(), msg("N3.20", "data arrived though dataReceived paused reading"));
            c.transport().resumeReading();
            Async.await(proto.received(2));
            c.transport().abort();
            Async.await(proto.lost);
            return null;
        });
    }

    @Test
    @DisplayName("N3.21 ConnectOptions.family resolves the host to that family only; a host without one fails to resolve")
    void required_N3_21_connectFamily() throws Exception {
        run("N3.21", () -> {
            Server server = startServer(true);
            try (server) {
                Connection<RecordingProtocol> c = Async.await(loop.createConnection(() -> new RecordingProtocol(loop),
                        HOST, port(server), ConnectOptions.builder().family(java.net.StandardProtocolFamily.INET)
                                .build()));
                Object peer = c.transport().getExtraInfo(Transport.PEERNAME).orElse(null);
                InetSocketAddress peerAddress = assertInstanceOf(InetSocketAddress.class, peer, msg("N3.21",
                        "peername " + peer));
                assertInstanceOf(Inet4Address.class, peerAddress.getAddress(),
                        msg("N3.21", "family INET connected to " + peer));
                c.transport().close();
                Throwable wrong = DnsRules.failure(loop.createConnection(() -> new RecordingProtocol(loop), HOST,
                        port(server), ConnectOptions.builder().family(java.net.StandardProtocolFamily.INET6).build()));
                assertInstanceOf(java.net.UnknownHostException.class, wrong, msg("N3.21", "family INET6 to the IPv4"
                        + " literal " + HOST + " must fail to resolve, as getaddrinfo does; got " + wrong));
                server.closeClients();
            }
            return null;
        });
    }
}
