package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.DatagramProtocol;
import dev.asyncloop.DatagramTransport;
import dev.asyncloop.ExceptionContext;
import dev.asyncloop.Future;
import dev.asyncloop.testsupport.CapturedLog;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.MembershipKey;
import java.nio.channels.UnsupportedAddressTypeException;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The datagram transport's send queue, flow control and receive errors, over a scripted channel. */
class DatagramSocketTransportTest {
    private final FakePoller fake = new FakePoller();
    private final ReadinessEventLoop loop = new ReadinessEventLoop(fake) { };
    private final ScriptedChannel channel = new ScriptedChannel();
    private final List<String> events = new ArrayList<>();
    private final SocketAddress peer = new InetSocketAddress(InetAddress.getLoopbackAddress(), 9);

    @AfterEach
    void tearDown() {
        if (!loop.isClosed()) {
            loop.close();
        }
    }

    private void iterate() {
        loop.stop();
        loop.runForever();
    }

    private final List<ExceptionContext> reports = new ArrayList<>();
    /** The protocol callback (by event name) that throws {@link #boom} after recording its event. */
    private String failIn = "";
    private final RuntimeException boom = new IllegalStateException("boom");
    private DatagramProtocol protocol;
    private Exception lastError;

    /** Runs in the protocol's resumeWriting, after its event is recorded. */
    private Runnable onResume = () -> { };

    private void event(String name, String detail) {
        events.add(detail.isEmpty() ? name : name + " " + detail);
        if (failIn.equals(name)) {
            throw boom;
        }
        if (name.equals("resume")) {
            onResume.run();
        }
    }

    private DatagramTransport open() throws IOException {
        return open(null);
    }

    private DatagramTransport open(SocketAddress remote) throws IOException {
        channel.configureBlocking(false);
        loop.setExceptionHandler((l, context) -> reports.add(context));
        DatagramProtocol p = new DatagramProtocol() {
            @Override
            public void connectionMade(DatagramTransport t) {
                event("made", "");
            }

            @Override
            public void datagramReceived(ByteBuffer data, SocketAddress address) {
                event("datagram", StandardCharsets.US_ASCII.decode(data).toString());
            }

            @Override
            public void errorReceived(Exception e) {
                lastError = e;
                event("error", e.getClass().getSimpleName());
            }

            @Override
            public void connectionLost(Throwable e) {
                event("lost", String.valueOf(e));
            }

            @Override
            public void pauseWriting() {
                event("pause", "");
            }

            @Override
            public void resumeWriting() {
                event("resume", "");
            }
        };
        protocol = p;
        Future<Void> waiter = loop.createFuture();
        DatagramSocketTransport t = new DatagramSocketTransport(loop, channel, remote, p, waiter);
        assertEquals(List.of(), events, "connectionMade must be scheduled, not called inline");
        iterate();
        assertTrue(waiter.isDone());
        return t;
    }

    private static ByteBuffer text(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void refusedSendsAreQueuedInOrderWithFlowControlAndDrainedOnWritability() throws IOException {
        DatagramTransport t = open();
        t.setWriteBufferLimits(30, 5);
        channel.full = true;
        t.sendTo(text("aaaaaaaaaa"), peer);
        assertEquals(10 + 8, t.getWriteBufferSize(), "payload plus the header allowance");
        ByteBuffer reused = text("bbbbbbbbbb");
        t.sendTo(reused, peer);
        assertFalse(reused.hasRemaining(), "the caller's buffer is consumed (copied)");
        t.sendTo(text("c"), peer);
        assertEquals(21 + 3 * 8, t.getWriteBufferSize());
        assertEquals(List.of("made", "pause"), events);
        assertTrue(channel.sent.isEmpty());
        channel.full = false;
        fake.emit(channel, Poller.WRITE);
        iterate();
        assertEquals(List.of("aaaaaaaaaa", "bbbbbbbbbb", "c"), channel.sent);
        assertEquals(0, t.getWriteBufferSize());
        assertEquals(List.of("made", "pause", "resume"), events);
        assertEquals("modify " + Poller.READ, fake.calls.getLast(),
                "the writer is removed once the queue is empty; only the reader stays");
    }

    @Test
    void queuedEmptyDatagramsCountTheirHeaderSoTheyReachTheHighWaterMark() throws IOException {
        DatagramTransport t = open();
        t.setWriteBufferLimits(20, 0);
        channel.full = true;
        t.sendTo(text("x"), peer);
        t.sendTo(ByteBuffer.allocate(0), peer);
        assertEquals(9 + 8, t.getWriteBufferSize());
        assertEquals(List.of("made"), events);
        t.sendTo(ByteBuffer.allocate(0), peer);
        assertEquals(9 + 8 + 8, t.getWriteBufferSize());
        assertEquals(List.of("made", "pause"), events);
        channel.full = false;
        fake.emit(channel, Poller.WRITE);
        iterate();
        assertEquals(List.of("x", "", ""), channel.sent);
        assertEquals(0, t.getWriteBufferSize());
        assertEquals(List.of("made", "pause", "resume"), events);
    }

    @Test
    void closeWaitsForTheQueueThenLosesTheConnectionOnce() throws IOException {
        DatagramTransport t = open();
        channel.full = true;
        t.sendTo(text("x"), peer);
        t.close();
        t.close();
        iterate();
        assertEquals(List.of("made"), events, "connectionLost waits for the queue");
        channel.full = false;
        fake.emit(channel, Poller.WRITE);
        iterate();
        iterate();
        assertEquals(List.of("x"), channel.sent);
        assertEquals(List.of("made", "lost null"), events);
        assertFalse(channel.isOpen());
    }

    @Test
    void portUnreachableNamesThePeerThatRefused() throws IOException {
        open(peer);
        PortUnreachableException jdk = new PortUnreachableException();
        channel.incoming.add(jdk);
        fake.emit(channel, Poller.READ);
        iterate();
        assertInstanceOf(PortUnreachableException.class, lastError);
        assertEquals("Connection refused by " + peer + " (ICMP port unreachable)", lastError.getMessage());
        assertSame(jdk, lastError.getCause());
    }

    @Test
    void receiveErrorsGoToErrorReceivedAndTheEndpointStaysOpen() throws IOException {
        DatagramTransport t = open();
        channel.incoming.add(new PortUnreachableException("icmp"));
        channel.incoming.add("hello");
        fake.emit(channel, Poller.READ);
        iterate();
        fake.emit(channel, Poller.READ);
        iterate();
        assertEquals(List.of("made", "error PortUnreachableException", "datagram hello"), events);
        assertFalse(t.isClosing());
    }

    @Test
    void aSendErrorGoesToErrorReceivedAndDropsOnlyThatDatagram() throws IOException {
        DatagramTransport t = open();
        channel.failNext = new PortUnreachableException("icmp");
        t.sendTo(text("lost"), peer);
        t.sendTo(text("kept"), peer);
        assertEquals(List.of("made", "error PortUnreachableException"), events);
        assertEquals(List.of("kept"), channel.sent);
        assertSame(false, t.isClosing());
    }

    @Test
    void aQueuedDatagramToAnUnreachableFamilyGoesToErrorReceivedAndTheRestIsSent() throws IOException {
        DatagramTransport t = open();
        SocketAddress v6 = new InetSocketAddress(InetAddress.ofLiteral("::1"), 9);
        channel.full = true;
        t.sendTo(text("first"), peer);
        t.sendTo(text("v6"), v6);
        t.sendTo(text("last"), peer);
        channel.full = false;
        fake.emit(channel, Poller.WRITE);
        iterate();
        assertEquals(List.of("made", "error UnsupportedAddressTypeException"), events);
        assertEquals(List.of("first"), channel.sent);
        assertEquals(4 + 8, t.getWriteBufferSize(), "only the last datagram is still queued");
        fake.emit(channel, Poller.WRITE);
        iterate();
        assertEquals(List.of("first", "last"), channel.sent);
        assertFalse(t.isClosing());
    }

    @Test
    void aDatagramSentWhileCloseWaitsForTheQueueIsStillSentBeforeConnectionLost() throws IOException {
        DatagramTransport t = open();
        channel.full = true;
        t.sendTo(text("queued"), peer);
        t.close();
        t.sendTo(text("late"), peer);
        assertEquals(2 * 8 + 10, t.getWriteBufferSize(), "asyncio queues it: only a lost connection drops sends");
        channel.full = false;
        fake.emit(channel, Poller.WRITE);
        iterate();
        assertEquals(List.of("queued", "late"), channel.sent);
        assertEquals(List.of("made", "lost null"), events);
    }

    @Test
    void closeFromResumeWritingAsTheQueueEmptiesLosesTheConnectionOnce() throws IOException {
        endFromResumeWriting(false);
    }

    @Test
    void abortFromResumeWritingAsTheQueueEmptiesLosesTheConnectionOnce() throws IOException {
        endFromResumeWriting(true);
    }

    private void endFromResumeWriting(boolean abort) throws IOException {
        DatagramTransport t = open();
        t.setWriteBufferLimits(0, 0);
        channel.full = true;
        t.sendTo(text("queued"), peer);
        onResume = abort ? t::abort : t::close;
        channel.full = false;
        fake.emit(channel, Poller.WRITE);
        iterate();
        iterate();
        assertEquals(List.of("queued"), channel.sent);
        assertEquals(List.of("made", "pause", "resume", "lost null"), events);
        assertEquals(List.of(), reports);
    }

    @Test
    void abortDropsTheQueueAndLosesTheConnectionOnceWithNull() throws IOException {
        DatagramTransport t = open();
        t.setWriteBufferLimits(8, 0);
        channel.full = true;
        t.sendTo(text("dropped"), peer);
        t.abort();
        assertTrue(t.isClosing());
        assertEquals(0, t.getWriteBufferSize());
        t.abort();
        t.close();
        assertEquals(List.of("made", "pause"), events, "connectionLost is scheduled, not called inline");
        iterate();
        channel.full = false;
        fake.emit(channel, Poller.WRITE);
        iterate();
        assertEquals(List.of(), channel.sent, "what was queued is never sent");
        assertEquals(List.of("made", "pause", "lost null"), events,
                "no resumeWriting after abort (asyncio clears the buffer without resuming)");
        assertFalse(channel.isOpen());
    }

    @Test
    void sendsAfterTheConnectionIsLostAreCountedAndWarnedAboutFromTheFifth() throws IOException {
        DatagramTransport t = open();
        t.close();
        iterate();
        List<String> warnings;
        try (CapturedLog log = CapturedLog.start()) {
            for (int i = 0; i < 6; i++) {
                ByteBuffer data = text("x");
                t.sendTo(data, peer);
                assertFalse(data.hasRemaining(), "the datagram is consumed and dropped");
            }
            warnings = log.records().stream().map(r -> r.getLevel() + " " + r.getMessage()).toList();
        }
        assertEquals(List.of(), channel.sent);
        assertEquals(List.of("WARNING socket.send() raised exception.", "WARNING socket.send() raised exception."),
                warnings, "asyncio's LOG_THRESHOLD_FOR_CONNLOST_WRITES: close counts 1, so the 5th and later"
                        + " sends warn");
        assertThrows(IllegalArgumentException.class, () -> t.sendTo(text("x"), null),
                "argument checks still come first");
    }

    @Test
    void aClosedChannelOnSendIsFatalWithoutAReport() throws IOException {
        DatagramTransport t = open();
        channel.failNext = new ClosedChannelException();
        t.sendTo(text("x"), peer);
        assertTrue(t.isClosing());
        iterate();
        assertEquals(List.of("made", "lost java.nio.channels.ClosedChannelException"), events);
        assertEquals(List.of(), reports, "an I/O error of the socket is not a bug to report (asyncio _fatal_error)");
    }

    @Test
    void anErrorReceivedThatThrowsIsReportedWithTransportAndProtocolAndClosesTheEndpoint() throws IOException {
        DatagramTransport t = open();
        failIn = "error";
        channel.incoming.add(new java.net.PortUnreachableException("icmp"));
        fake.emit(channel, Poller.READ);
        iterate();
        iterate();
        assertEquals(List.of("made", "error PortUnreachableException", "lost " + boom), events);
        assertEquals(1, reports.size());
        ExceptionContext r = reports.getFirst();
        assertEquals(boom, r.exception().orElseThrow());
        assertEquals(t, r.transport().orElseThrow());
        assertEquals(protocol, r.protocol().orElseThrow());
        assertTrue(r.message().contains("errorReceived"), r.message());
    }

    @Test
    void aPauseWritingThatThrowsIsReportedAndTheEndpointStaysOpen() throws IOException {
        DatagramTransport t = open();
        failIn = "pause";
        t.setWriteBufferLimits(0, 0);
        channel.full = true;
        t.sendTo(text("x"), peer);
        assertEquals(List.of("made", "pause"), events);
        assertEquals(1, reports.size());
        assertEquals(t, reports.getFirst().transport().orElseThrow());
        assertFalse(t.isClosing(), "asyncio reports a failing pause_writing and carries on");
        channel.full = false;
        fake.emit(channel, Poller.WRITE);
        iterate();
        assertEquals(List.of("x"), channel.sent);
        assertEquals(List.of("made", "pause", "resume"), events);
    }

    @Test
    void anUnboundEndpointLearnsItsSocknameOnTheFirstSend() throws IOException {
        channel.local = null;
        DatagramTransport t = open();
        assertTrue(t.getExtraInfo(DatagramTransport.SOCKNAME).isEmpty());
        assertTrue(t.getExtraInfo(DatagramTransport.PEERNAME).isEmpty());
        assertEquals(channel, t.getExtraInfo(DatagramTransport.SOCKET).orElseThrow());
        channel.local = new InetSocketAddress(InetAddress.getLoopbackAddress(), 6);
        t.sendTo(text("x"), peer);
        assertEquals(channel.local, t.getExtraInfo(DatagramTransport.SOCKNAME).orElseThrow());
        assertThrows(IllegalArgumentException.class,
                () -> t.sendTo(text("x"), InetSocketAddress.createUnresolved("localhost", 9)),
                "an unresolved address is refused at the call (asyncio would resolve it, blocking)");
        assertInstanceOf(IllegalStateException.class, assertThrows(RuntimeException.class,
                () -> t.send(text("x"))), "send() needs a remote address");
    }

    @Test
    void aReceiveOnAChannelClosedUnderneathEndsTheEndpointWithoutAReport() throws IOException {
        DatagramTransport t = open();
        ClosedChannelException closed = new ClosedChannelException();
        channel.incoming.add(closed);
        fake.emit(channel, Poller.READ);
        iterate();
        iterate();
        assertEquals(List.of("made", "lost " + closed), events, "connectionLost gets the channel's exception");
        assertEquals(List.of(), reports, "an I/O error of the socket is not a bug to report");
        assertTrue(t.isClosing());
    }

    @Test
    void anUnboundEndpointLearnsItsSocknameOnTheFirstReceive() throws IOException {
        channel.local = null;
        DatagramTransport t = open();
        assertTrue(t.getExtraInfo(DatagramTransport.SOCKNAME).isEmpty());
        channel.local = new InetSocketAddress(InetAddress.getLoopbackAddress(), 6);
        channel.incoming.add("hello");
        fake.emit(channel, Poller.READ);
        iterate();
        assertEquals(List.of("made", "datagram hello"), events);
        assertEquals(channel.local, t.getExtraInfo(DatagramTransport.SOCKNAME).orElseThrow());
    }

    /** A DatagramChannel whose sends can be refused or fail, and whose receives are scripted. */
    static final class ScriptedChannel extends DatagramChannel {
        final List<String> sent = new ArrayList<>();
        final ArrayDeque<Object> incoming = new ArrayDeque<>();
        boolean full;
        IOException failNext;
        SocketAddress local = new InetSocketAddress(InetAddress.getLoopbackAddress(), 6);

        ScriptedChannel() {
            super(SelectorProvider.provider());
        }

        @Override
        public int send(ByteBuffer src, SocketAddress target) throws IOException {
            if (failNext != null) {
                IOException e = failNext;
                failNext = null;
                throw e;
            }
            if (target instanceof InetSocketAddress isa && isa.getAddress() instanceof Inet6Address) {
                throw new UnsupportedAddressTypeException();
            }
            if (full) {
                return 0;
            }
            int n = src.remaining();
            sent.add(StandardCharsets.US_ASCII.decode(src).toString());
            return n;
        }

        @Override
        public SocketAddress receive(ByteBuffer dst) throws IOException {
            Object next = incoming.poll();
            if (next == null) {
                return null;
            }
            if (next instanceof IOException e) {
                throw e;
            }
            dst.put(((String) next).getBytes(StandardCharsets.US_ASCII));
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), 7);
        }

        @Override
        public DatagramChannel bind(SocketAddress local) {
            return this;
        }

        @Override
        public <T> DatagramChannel setOption(SocketOption<T> name, T value) {
            return this;
        }

        @Override
        public <T> T getOption(SocketOption<T> name) {
            return null;
        }

        @Override
        public Set<SocketOption<?>> supportedOptions() {
            return Set.of();
        }

        @Override
        public DatagramSocket socket() {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean isConnected() {
            return false;
        }

        @Override
        public DatagramChannel connect(SocketAddress remote) {
            throw new UnsupportedOperationException();
        }

        @Override
        public DatagramChannel disconnect() {
            return this;
        }

        @Override
        public SocketAddress getRemoteAddress() {
            return null;
        }

        @Override
        public int read(ByteBuffer dst) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int write(ByteBuffer src) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) {
            throw new UnsupportedOperationException();
        }

        @Override
        public SocketAddress getLocalAddress() {
            return local;
        }

        @Override
        public MembershipKey join(InetAddress group, NetworkInterface interf) {
            throw new UnsupportedOperationException();
        }

        @Override
        public MembershipKey join(InetAddress group, NetworkInterface interf, InetAddress source) {
            throw new UnsupportedOperationException();
        }

        @Override
        protected void implCloseSelectableChannel() {
        }

        @Override
        protected void implConfigureBlocking(boolean block) {
        }
    }

}
