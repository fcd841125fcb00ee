package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.BufferedProtocol;
import dev.asyncloop.Connection;
import dev.asyncloop.ConnectOptions;
import dev.asyncloop.DatagramConnection;
import dev.asyncloop.DatagramOptions;
import dev.asyncloop.DatagramProtocol;
import dev.asyncloop.DatagramTransport;
import dev.asyncloop.ExceptionContext;
import dev.asyncloop.Future;
import dev.asyncloop.PipeConnection;
import dev.asyncloop.Protocol;
import dev.asyncloop.Server;
import dev.asyncloop.Tasks;
import dev.asyncloop.Transport;
import dev.asyncloop.WriteTransport;
import dev.asyncloop.testsupport.TlsTestContexts;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A protocol factory that returns null, and protocol callbacks that throw, on the transports the NIO loop builds
 * (socket, server, datagram, pipes): the caller's future fails with what the user's code did, the exception
 * handler hears of it with the transport's words, the channel is released, and the loop goes on.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ProtocolCallbackFailureTest {
    private static final Duration BOUND = Duration.ofSeconds(10);

    private final ReadinessEventLoop loop = SelectorLoops.newLoop();
    private final List<ExceptionContext> reports = new ArrayList<>();
    private final IllegalStateException boom = new IllegalStateException("boom");

    @BeforeEach
    void recordReports() {
        loop.setExceptionHandler((l, context) -> reports.add(context));
    }

    @AfterEach
    void tearDown() {
        loop.close();
    }

    /** Runs the loop until {@code f} is done and returns its exception (the test fails if it has none). */
    private Throwable failureOf(Future<?> f) {
        try {
            loop.runUntilComplete(f);
        } catch (RuntimeException expected) {
            // the future's failure, rethrown; it is read from the future below
        }
        return f.exception().orElseThrow(() -> new AssertionError("succeeded: " + f));
    }

    /** One more iteration, for the callbacks the last one scheduled (connectionLost, the channel's closing). */
    private void iterate() {
        loop.stop();
        loop.runForever();
    }

    private Server echoServer() {
        return loop.runUntilComplete(loop.createServer(() -> new Protocol() { }, "127.0.0.1", 0));
    }

    private static int port(Server server) throws Exception {
        return ((InetSocketAddress) server.sockets().getFirst().getLocalAddress()).getPort();
    }

    /** A protocol that completes {@link #lost} with connectionLost's argument (a marker for null). */
    private static final class LostRecorder implements Protocol {
        static final Throwable CLEAN = new Throwable("clean");
        final Future<Throwable> lost;

        LostRecorder(ReadinessEventLoop loop) {
            lost = loop.createFuture();
        }

        @Override
        public void connectionLost(@Nullable Throwable exception) {
            lost.setResult(exception == null ? CLEAN : exception);
        }
    }

    @Test
    void aConnectionWhoseFactoryReturnsNullFailsNamingTheFactory() throws Exception {
        try (Server server = echoServer()) {
            Supplier<Protocol> factory = () -> null;
            Throwable e = failureOf(loop.createConnection(factory, "127.0.0.1", port(server)));
            assertInstanceOf(NullPointerException.class, e);
            assertEquals("protocolFactory " + factory + " returned null", e.getMessage());
        }
    }

    @Test
    void aTlsConnectionWhoseFactoryReturnsNullFailsNamingTheFactory() throws Exception {
        try (Server server = echoServer()) {
            Supplier<Protocol> factory = () -> null;
            ConnectOptions tls = ConnectOptions.builder().ssl(TlsTestContexts.contexts("TLSv1.3")[1])
                    .serverHostname("localhost").build();
            Throwable e = failureOf(loop.createConnection(factory, "127.0.0.1", port(server), tls));
            assertInstanceOf(NullPointerException.class, e);
            assertEquals("protocolFactory " + factory + " returned null", e.getMessage());
        }
    }

    @Test
    void aServerWhoseFactoryReturnsNullReportsTheConnectionClosesItAndServesTheNext() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Supplier<Protocol> factory = () -> calls.incrementAndGet() == 1 ? null : new Protocol() { };
        try (Server server = loop.runUntilComplete(loop.createServer(factory, "127.0.0.1", 0))) {
            LostRecorder first = new LostRecorder(loop);
            loop.runUntilComplete(loop.createConnection(() -> first, "127.0.0.1", port(server)));
            assertSame(LostRecorder.CLEAN, loop.runUntilComplete(() -> Tasks.waitFor(first.lost, BOUND)),
                    "the refused connection ends with the peer's EOF");
            assertEquals(1, reports.size(), reports.toString());
            assertEquals("Error on transport creation for incoming connection", reports.getFirst().message());
            assertInstanceOf(NullPointerException.class, reports.getFirst().exception().orElseThrow());
            assertTrue(reports.getFirst().socket().isPresent(), "the report names the accepted socket");

            LostRecorder second = new LostRecorder(loop);
            Connection<LostRecorder> next = loop.runUntilComplete(
                    loop.createConnection(() -> second, "127.0.0.1", port(server)));
            next.transport().write(ByteBuffer.wrap(new byte[] {1}));
            assertFalse(second.lost.isDone(), "the server took the next connection");
            assertEquals(2, calls.get());
            next.transport().close();
            loop.runUntilComplete(() -> Tasks.waitFor(second.lost, BOUND));
        }
    }

    @Test
    void aDatagramEndpointWhoseFactoryReturnsNullFailsAndClosesTheChannel() throws Exception {
        DatagramChannel channel = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Supplier<DatagramProtocol> factory = () -> null;
        Throwable e = failureOf(loop.createDatagramEndpoint(factory,
                DatagramOptions.builder().channel(channel).build()));
        assertInstanceOf(NullPointerException.class, e);
        assertEquals("protocolFactory " + factory + " returned null", e.getMessage());
        assertFalse(channel.isOpen(), "the endpoint's channel is closed");
    }

    @Test
    void aDatagramProtocolWhoseConnectionMadeThrowsFailsTheEndpointWithItsException() throws Exception {
        DatagramChannel channel = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        List<String> events = new ArrayList<>();
        DatagramProtocol protocol = new DatagramProtocol() {
            @Override
            public void connectionMade(DatagramTransport transport) {
                events.add("made");
                throw boom;
            }

            @Override
            public void connectionLost(@Nullable Throwable exception) {
                events.add("lost " + exception);
            }
        };
        Throwable e = failureOf(loop.createDatagramEndpoint(() -> protocol,
                DatagramOptions.builder().channel(channel).build()));
        assertSame(boom, e, "the endpoint fails with the protocol's exception");
        iterate();
        assertEquals(List.of("made", "lost " + boom), events);
        assertEquals(1, reports.size(), reports.toString());
        assertEquals("Fatal error: protocol.connectionMade() call failed.", reports.getFirst().message());
        assertSame(boom, reports.getFirst().exception().orElseThrow());
        assertSame(protocol, reports.getFirst().protocol().orElseThrow());
        assertFalse(channel.isOpen(), "the endpoint's channel is closed");
    }

    @Test
    void aDatagramTransportDeliversToTheProtocolSetLater() throws Exception {
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        Future<String> toFirst = loop.createFuture();
        Future<String> toSecond = loop.createFuture();
        DatagramProtocol second = new DatagramProtocol() {
            @Override
            public void datagramReceived(ByteBuffer data, SocketAddress address) {
                toSecond.setResult(StandardCharsets.UTF_8.decode(data).toString());
            }
        };
        DatagramConnection<DatagramProtocol> receiver = loop.runUntilComplete(loop.createDatagramEndpoint(
                () -> new DatagramProtocol() {
                    @Override
                    public void datagramReceived(ByteBuffer data, SocketAddress address) {
                        toFirst.setResult("first got a datagram");
                    }
                }, DatagramOptions.builder().localAddress(loopback).build()));
        DatagramTransport transport = receiver.transport();
        transport.setProtocol(second);
        assertSame(second, transport.getProtocol());
        SocketAddress to = (SocketAddress) transport.getExtraInfo(Transport.SOCKNAME).orElseThrow();
        DatagramConnection<DatagramProtocol> sender = loop.runUntilComplete(loop.createDatagramEndpoint(
                () -> new DatagramProtocol() { }, DatagramOptions.builder().localAddress(loopback).build()));
        sender.transport().sendTo(ByteBuffer.wrap("hello".getBytes(StandardCharsets.UTF_8)), to);
        assertEquals("hello", loop.runUntilComplete(() -> Tasks.waitFor(toSecond, BOUND)));
        assertFalse(toFirst.isDone(), "the replaced protocol got nothing");
        sender.transport().close();
        transport.close();
        iterate();
    }

    @Test
    void aReadPipeProtocolWhoseConnectionMadeThrowsFailsTheConnectAndClosesThePipe() throws Exception {
        Pipe pipe = Pipe.open();
        try (Pipe.SinkChannel sink = pipe.sink()) {
            Protocol protocol = new Protocol() {
                @Override
                public void connectionMade(Transport transport) {
                    throw boom;
                }
            };
            assertSame(boom, failureOf(loop.connectReadPipe(() -> protocol, pipe.source())));
            iterate();
            assertEquals(1, reports.size(), reports.toString());
            assertEquals("Fatal error: protocol.connectionMade() call failed.", reports.getFirst().message());
            assertSame(protocol, reports.getFirst().protocol().orElseThrow());
            assertFalse(pipe.source().isOpen(), "the pipe's read end is closed");
        }
    }

    @Test
    void aBufferedReadPipeProtocolThatGivesNoBufferIsReportedAndLosesTheConnection() throws Exception {
        Pipe pipe = Pipe.open();
        try (Pipe.SinkChannel sink = pipe.sink()) {
            Future<Throwable> lost = loop.createFuture();
            BufferedProtocol protocol = new BufferedProtocol() {
                @Override
                public ByteBuffer getBuffer(int sizeHint) {
                    return null;
                }

                @Override
                public void bufferUpdated(int nbytes) {
                    throw new AssertionError("no buffer was given");
                }

                @Override
                public void connectionLost(@Nullable Throwable exception) {
                    lost.setResult(exception);
                }
            };
            loop.runUntilComplete(loop.connectReadPipe(() -> protocol, pipe.source()));
            sink.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            Throwable e = loop.runUntilComplete(() -> Tasks.waitFor(lost, BOUND));
            assertInstanceOf(IllegalStateException.class, e);
            assertEquals("getBuffer() returned null; return a buffer with room left", e.getMessage());
            assertEquals(1, reports.size(), reports.toString());
            assertEquals("Fatal error: protocol.getBuffer() call failed.", reports.getFirst().message());
            assertSame(e, reports.getFirst().exception().orElseThrow());
            assertFalse(pipe.source().isOpen(), "the pipe's read end is closed");
        }
    }

    @Test
    void aReadPipeProtocolWhoseEofReceivedThrowsIsReportedAndConnectionLostGetsTheException() throws Exception {
        Pipe pipe = Pipe.open();
        List<String> events = new ArrayList<>();
        Future<@Nullable Void> done = loop.createFuture();
        Protocol protocol = new Protocol() {
            @Override
            public boolean eofReceived() {
                events.add("eof");
                throw boom;
            }

            @Override
            public void connectionLost(@Nullable Throwable exception) {
                events.add("lost " + exception);
                done.setResult(null);
            }
        };
        loop.runUntilComplete(loop.connectReadPipe(() -> protocol, pipe.source()));
        pipe.sink().close();
        loop.runUntilComplete(() -> Tasks.waitFor(done, BOUND));
        assertEquals(List.of("eof", "lost " + boom), events);
        assertEquals(1, reports.size(), reports.toString());
        assertEquals("Fatal error: protocol.eofReceived() call failed.", reports.getFirst().message());
        assertSame(boom, reports.getFirst().exception().orElseThrow());
        assertFalse(pipe.source().isOpen(), "the pipe's read end is closed");
    }

    @Test
    void aWritePipeTransportTellsTheProtocolSetLaterOfItsEnd() throws Exception {
        Pipe pipe = Pipe.open();
        try (Pipe.SourceChannel source = pipe.source()) {
            LostRecorder first = new LostRecorder(loop);
            LostRecorder second = new LostRecorder(loop);
            PipeConnection<WriteTransport, LostRecorder> c =
                    loop.runUntilComplete(loop.connectWritePipe(() -> first, pipe.sink()));
            WriteTransport transport = c.transport();
            transport.setProtocol(second);
            assertSame(second, transport.getProtocol());
            transport.close();
            assertSame(LostRecorder.CLEAN, loop.runUntilComplete(() -> Tasks.waitFor(second.lost, BOUND)));
            assertFalse(first.lost.isDone(), "the replaced protocol is not called");
            assertFalse(pipe.sink().isOpen(), "the pipe's write end is closed");
        }
    }
}
