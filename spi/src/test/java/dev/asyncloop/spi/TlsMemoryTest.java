package dev.asyncloop.spi;

import static dev.asyncloop.testsupport.TlsTestContexts.contexts;
import static dev.asyncloop.spi.TlsLayerTest.runUntil;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.BufferedProtocol;
import dev.asyncloop.Connection;
import dev.asyncloop.ConnectOptions;
import dev.asyncloop.Future;
import dev.asyncloop.Protocol;
import dev.asyncloop.Server;
import dev.asyncloop.ServerOptions;
import dev.asyncloop.StreamTransport;
import dev.asyncloop.TlsOptions;
import dev.asyncloop.Transport;
import dev.asyncloop.testsupport.DataRecorder;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a TLS connection holds between calls: no buffer once idle, an incomplete record or plaintext a paused
 * protocol has not taken in a buffer of about its size, nothing while the raw transport holds what it could not
 * send; and the loop's buffers go round without allocation in the steady state.
 */
class TlsMemoryTest {

    /** Echoes what it gets, or only collects it; pauses reading from the start if told. */
    static class Peer extends DataRecorder {
        final boolean echo;
        final boolean pauseAtStart;

        Peer(ReadinessEventLoop loop, boolean echo, boolean pauseAtStart) {
            super(loop);
            this.echo = echo;
            this.pauseAtStart = pauseAtStart;
        }

        @Override
        public void connectionMade(Transport transport) {
            super.connectionMade(transport);
            if (pauseAtStart) {
                transport().pauseReading();
            }
        }

        @Override
        public void dataReceived(ByteBuffer bytes) {
            if (echo) {
                transport().write(bytes.duplicate());
            }
            super.dataReceived(bytes);
        }
    }

    /** Stands between a raw transport and its TLS layer and notes, after every read, what the layer keeps. */
    static final class Probe implements BufferedProtocol {
        final TlsProtocol tls;
        final List<long[]> afterReads = new ArrayList<>();
        /** Run once, after the first read that leaves bytes waiting. */
        Runnable onWaiting;

        Probe(TlsProtocol tls) {
            this.tls = tls;
        }

        @Override
        public void connectionMade(Transport transport) {
            tls.connectionMade(transport);
        }

        @Override
        public ByteBuffer getBuffer(int sizeHint) {
            return tls.getBuffer(sizeHint);
        }

        @Override
        public void bufferUpdated(int nbytes) {
            tls.bufferUpdated(nbytes);
            afterReads.add(new long[] {tls.pendingInputBytes(), tls.retainedBufferBytes()});
            if (onWaiting != null && tls.pendingInputBytes() > 0) {
                Runnable r = onWaiting;
                onWaiting = null;
                r.run();
            }
        }

        @Override
        public boolean eofReceived() {
            return tls.eofReceived();
        }

        @Override
        public void connectionLost(Throwable exception) {
            tls.connectionLost(exception);
        }

        @Override
        public void pauseWriting() {
            tls.pauseWriting();
        }

        @Override
        public void resumeWriting() {
            tls.resumeWriting();
        }
    }

    /** Pauses reading at once; checks that what it reads, once resumed, is {@code chunk} over and over. */
    static final class Checker extends Peer {
        final byte[] chunk;
        long received;
        long wrong = -1;

        Checker(ReadinessEventLoop loop, byte[] chunk) {
            super(loop, false, true);
            this.chunk = chunk;
        }

        // counts and checks instead of keeping: hundreds of MiB may pass through it
        @Override
        public void dataReceived(ByteBuffer bytes) {
            while (bytes.hasRemaining()) {
                if (bytes.get() != chunk[(int) (received % chunk.length)] && wrong < 0) {
                    wrong = received;
                }
                received++;
            }
        }
    }

    /** Its events but "data", which come as the pieces happen to arrive. */
    private static List<String> withoutData(Peer peer) {
        return peer.events().stream().filter(e -> !e.equals("data")).toList();
    }

    private static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + (i >> 9) + seed);
        }
        return b;
    }

    private static TlsProtocol[] connect(ReadinessEventLoop loop, MemoryTransport[] ends, SSLContext[] ctx,
            Protocol server, Protocol client) {
        Future<StreamTransport> serverDone = loop.createFuture();
        Future<StreamTransport> clientDone = loop.createFuture();
        TlsProtocol s = (TlsProtocol) TlsLayer.wrap(loop, server, ctx[0], TlsOptions.server(), serverDone);
        TlsProtocol c = (TlsProtocol) TlsLayer.wrap(loop, client, ctx[1], TlsOptions.client("localhost"), clientDone);
        ends[0].start(s);
        ends[1].start(c);
        loop.runUntilComplete(clientDone);
        loop.runUntilComplete(serverDone);
        return new TlsProtocol[] {s, c};
    }

    @ParameterizedTest(name = "{0}, pieces of {1} bytes")
    @CsvSource({"TLS, 7", "TLS, 1000", "TLS, 100000", "TLSv1.2, 7", "TLSv1.2, 100000"})
    void anIdleConnectionHoldsNoBufferAfterAnExchange(String protocol, int piece) throws Exception {
        SSLContext[] ctx = contexts(protocol);
        byte[] message = pattern(40_000, 1);
        try (ReadinessEventLoop loop = SelectorLoops.newLoop()) {
            Peer server = new Peer(loop, true, false);
            Peer client = new Peer(loop, false, false);
            TlsProtocol[] tls = connect(loop, MemoryTransport.pair(loop, piece), ctx, server, client);
            client.transport().write(ByteBuffer.wrap(message));
            runUntil(loop, () -> client.size() >= message.length);
            assertArrayEquals(message, client.bytes(), "the echo, every byte in order");
            assertEquals(0, tls[0].retainedBufferBytes(), "an idle server connection holds no buffer");
            assertEquals(0, tls[1].retainedBufferBytes(), "an idle client connection holds no buffer");
            assertTrue(loop.tlsBuffers.keptBytes() > 0, "the buffers went back to the loop");
            client.transport().close();
            runUntil(loop, () -> client.events().contains("lost") && server.events().contains("lost"));
            assertTrue(server.events().contains("lost") && client.events().contains("lost"), "both ends closed: "
                    + server.events() + " " + client.events());
            assertEquals(0, tls[0].retainedBufferBytes() + tls[1].retainedBufferBytes(), "closed: nothing held");
        }
    }

    @ParameterizedTest(name = "pieces of {0} bytes")
    @ValueSource(ints = {5, 100, 3000})
    void anIncompleteRecordWaitsInABufferOfItsSize(int piece) throws Exception {
        SSLContext[] ctx = contexts("TLS");
        byte[] message = pattern(16_000, 2);
        try (ReadinessEventLoop loop = SelectorLoops.newLoop()) {
            MemoryTransport[] ends = MemoryTransport.pair(loop, piece);
            Peer server = new Peer(loop, false, false);
            Peer client = new Peer(loop, false, false);
            Future<StreamTransport> clientDone = loop.createFuture();
            Probe probe = new Probe((TlsProtocol) TlsLayer.wrap(loop, server, ctx[0], TlsOptions.server(), null));
            ends[0].start(probe);
            ends[1].start(TlsLayer.wrap(loop, client, ctx[1], TlsOptions.client("localhost"), clientDone));
            loop.runUntilComplete(clientDone);
            client.transport().write(ByteBuffer.wrap(message));
            runUntil(loop, () -> server.size() >= message.length);
            assertArrayEquals(message, server.bytes(), "every byte, in order");
            long partial = 0;
            for (long[] read : probe.afterReads) {
                long pending = read[0];
                long expected = pending == 0 ? 0 : TlsBuffers.capacityFor((int) pending);
                assertEquals(expected, read[1], "after a read leaving " + pending + " bytes waiting, the connection"
                        + " holds one buffer of their size class");
                partial = Math.max(partial, pending);
            }
            assertTrue(partial > 0, "some read ended inside a record");
            assertEquals(0, probe.tls.retainedBufferBytes(), "idle again: nothing held");
            int[] waitingAtAbort = {0};
            probe.onWaiting = () -> {
                waitingAtAbort[0] = probe.tls.pendingInputBytes();
                ends[0].abort();
            };
            client.transport().write(ByteBuffer.wrap(message));
            runUntil(loop, () -> server.events().contains("lost") && client.events().contains("lost"));
            assertTrue(waitingAtAbort[0] > 0, "aborted with a record under way");
            assertTrue(server.events().contains("lost"), "the server's connection is lost: " + server.events());
            assertEquals(0, probe.tls.retainedBufferBytes(), "lost inside a record: its bytes are dropped, the"
                    + " buffer given back");
        }
    }

    @Test
    void plaintextAPausedBufferedProtocolLeavesWaitsInABufferOfItsSize() throws Exception {
        SSLContext[] ctx = contexts("TLS");
        byte[] message = pattern(10_000, 3);
        try (ReadinessEventLoop loop = SelectorLoops.newLoop()) {
            BoundedBuffer server = new BoundedBuffer(1000);
            Peer client = new Peer(loop, false, false);
            TlsProtocol[] tls = connect(loop, MemoryTransport.pair(loop, 100_000), ctx, server, client);
            client.transport().write(ByteBuffer.wrap(message));
            runUntil(loop, () -> !server.transport.isReading());
            assertEquals(1000, server.buffer.position(), "the protocol's buffer is full and it paused");
            for (int i = 0; i < 5; i++) {
                loop.runUntilComplete(loop.createTask(() -> null));
            }
            assertEquals(9000, tls[0].pendingInputBytes(), "the rest of the record waits as plaintext");
            assertEquals(TlsBuffers.capacityFor(9000), tls[0].retainedBufferBytes(),
                    "it waits in a buffer of its size class, nothing else is held");
            while (server.data.size() + server.buffer.position() < message.length) {
                server.drain();
                server.transport.resumeReading();
                runUntil(loop, () -> !server.transport.isReading()
                        || server.data.size() + server.buffer.position() >= message.length);
                assertTrue(tls[0].retainedBufferBytes() <= TlsBuffers.capacityFor(9000), "never more than that");
            }
            server.drain();
            assertArrayEquals(message, server.data.toByteArray(), "every byte, in order, after the pauses");
            assertEquals(0, tls[0].retainedBufferBytes(), "all taken: nothing held");
            // a paused server would not read the client's close_notify, and the client's shutdown would wait
            server.transport.resumeReading();
            client.transport().close();
            runUntil(loop, () -> client.events().contains("lost"));
        }
    }

    @ParameterizedTest(name = "pieces of {0} bytes")
    @ValueSource(ints = {100_000, 5000, 777})
    void theSteadyStateAllocatesNoBuffer(int piece) throws Exception {
        SSLContext[] ctx = contexts("TLS");
        try (ReadinessEventLoop loop = SelectorLoops.newLoop()) {
            Peer server = new Peer(loop, true, false);
            Peer client = new Peer(loop, false, false);
            connect(loop, MemoryTransport.pair(loop, piece), ctx, server, client);
            for (int size : new int[] {1024, 16 * 1024}) {
                byte[] message = pattern(size, size);
                for (int round = 0; round < 120; round++) {
                    long before = loop.tlsBuffers.allocations();
                    int expected = client.size() + size;
                    client.transport().write(ByteBuffer.wrap(message));
                    runUntil(loop, () -> client.size() >= expected);
                    assertEquals(expected, client.size(), "echo " + round + " of " + size + " bytes came back");
                    if (round >= 20) {
                        assertEquals(before, loop.tlsBuffers.allocations(), "echo " + round + " of " + size
                                + " bytes, after 20 to warm up, allocated a TLS buffer");
                    }
                }
            }
            client.transport().close();
            runUntil(loop, () -> client.events().contains("lost"));
        }
    }

    @Test
    void aConnectionWritingToAnotherFromItsDataReceivedGetsBuffersOfItsOwn() throws Exception {
        SSLContext[] ctx = contexts("TLS");
        byte[] message = pattern(200_000, 4);
        try (ReadinessEventLoop loop = SelectorLoops.newLoop()) {
            Peer far = new Peer(loop, false, false);
            Peer farClient = new Peer(loop, false, false);
            connect(loop, MemoryTransport.pair(loop, 3000), ctx, far, farClient);
            // A proxy: what its server side receives goes on through another TLS connection, from dataReceived.
            Protocol proxy = new Peer(loop, false, false) {
                @Override
                public void dataReceived(ByteBuffer bytes) {
                    farClient.transport().write(bytes);
                }
            };
            Peer client = new Peer(loop, false, false);
            connect(loop, MemoryTransport.pair(loop, 1000), ctx, proxy, client);
            for (int off = 0; off < message.length; off += 20_000) {
                client.transport().write(ByteBuffer.wrap(message, off, 20_000));
            }
            runUntil(loop, () -> far.size() >= message.length);
            assertArrayEquals(message, far.bytes(), "every byte through both connections, in order");
            client.transport().close();
            farClient.transport().close();
            runUntil(loop, () -> client.events().contains("lost") && farClient.events().contains("lost"));
        }
    }

    @Test
    void overSocketsIdleConnectionsHoldNothingAndABlockedWriterLeavesItsBytesToTheSocket() throws Exception {
        SSLContext[] ctx = contexts("TLS");
        int count = 20;
        byte[] chunk = pattern(1 << 20, 5);
        try (ReadinessEventLoop loop = SelectorLoops.newLoop()) {
            List<Peer> accepted = new ArrayList<>();
            Server server = loop.runUntilComplete(loop.createServer(() -> {
                Peer p = accepted.size() < count ? new Peer(loop, true, false) : new Checker(loop, chunk);
                accepted.add(p);
                return p;
            }, "127.0.0.1", 0, ServerOptions.builder().ssl(ctx[0]).build()));
            int port = ((InetSocketAddress) server.sockets().getFirst().socket().getLocalSocketAddress()).getPort();
            ConnectOptions options = ConnectOptions.builder().ssl(ctx[1]).serverHostname("localhost").build();
            List<Connection<Peer>> clients = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                clients.add(loop.runUntilComplete(loop.createConnection(() -> new Peer(loop, false, false), "127.0.0.1",
                        port, options)));
            }
            byte[] message = pattern(16 * 1024, 6);
            for (Connection<Peer> c : clients) {
                c.transport().write(ByteBuffer.wrap(message));
            }
            runUntil(loop, () -> clients.stream().allMatch(c -> c.protocol().size() >= message.length));
            for (Connection<Peer> c : clients) {
                assertArrayEquals(message, c.protocol().bytes(), "the echo over a socket");
                assertEquals(0, ((TlsTransport) c.transport()).tls().retainedBufferBytes(),
                        "an idle client connection over a socket holds no buffer");
            }
            for (Peer p : accepted) {
                assertEquals(0, ((TlsTransport) p.transport()).tls().retainedBufferBytes(),
                        "an idle server connection over a socket holds no buffer");
            }
            assertTrue(loop.tlsBuffers.keptBytes() <= 4L * TlsBuffers.KEPT_BYTES_PER_SIZE,
                    "the loop keeps a bounded set, whatever the number of connections: " + loop.tlsBuffers.keptBytes());

            // A writer whose peer does not read: the bytes wait in the socket transport, not in the TLS layer.
            Connection<Peer> writer = loop.runUntilComplete(loop.createConnection(() -> new Peer(loop, false, false),
                    "127.0.0.1", port, options));
            runUntil(loop, () -> accepted.size() > count && accepted.get(count).events().contains("made"));
            Checker reader = (Checker) accepted.get(count);
            TlsProtocol writerTls = ((TlsTransport) writer.transport()).tls();
            long sent = 0;
            // The socket's buffers take a few MiB before the transport has to keep any.
            while (!writer.protocol().events().contains("pause") && sent < (256L << 20)) {
                writer.transport().write(ByteBuffer.wrap(chunk));
                sent += chunk.length;
            }
            assertTrue(writer.protocol().events().contains("pause"),
                    "the writer is paused: " + writer.protocol().events());
            assertTrue(writerTls.raw().getWriteBufferSize() > 0, "the socket transport holds what was not sent");
            assertEquals(0, writerTls.retainedBufferBytes(), "a blocked writer's TLS layer holds no buffer");
            reader.transport().resumeReading();
            long total = sent;
            runUntil(loop, () -> reader.received >= total && writer.protocol().events().contains("resume"));
            assertEquals(total, reader.received, "every byte once the reader reads");
            assertEquals(-1, reader.wrong, "every byte in order");
            assertTrue(writer.protocol().events().contains("resume"), "resumeWriting once drained");
            assertEquals(0, writerTls.retainedBufferBytes(), "idle again: the writer holds nothing");
            assertEquals(0, ((TlsTransport) reader.transport()).tls().retainedBufferBytes(),
                    "idle again: the reader holds nothing");
            for (Connection<Peer> c : clients) {
                c.transport().close();
            }
            writer.transport().close();
            server.close();
            runUntil(loop, () -> clients.stream().allMatch(c -> c.protocol().events().contains("lost")));
        }
    }

    /**
     * The raw transport pauses the layer from inside the write of a record the engine answered on its own (a TLS
     * 1.3 KeyUpdate), and the application writes from its pauseWriting: that record must be sent once, followed
     * by the application's bytes. Handing {@code netOut} on without detaching it first sent the KeyUpdate twice,
     * and the peer failed on the copy.
     */
    @Test
    void aWriteFromPauseWritingDuringARecordTheEngineAnsweredIsSentOnceAfterIt() throws Exception {
        SSLContext[] ctx = contexts("TLSv1.3");
        try (ReadinessEventLoop loop = SelectorLoops.newLoop()) {
            List<String> reports = new ArrayList<>();
            loop.setExceptionHandler((l, c) -> reports.add(c.message() + ": " + c.exception().orElse(null)));
            MemoryTransport[] ends = MemoryTransport.pair(loop, 100_000);
            Peer server = new Peer(loop, false, false) {
                @Override
                public void pauseWriting() {
                    super.pauseWriting();
                    transport().write(ByteBuffer.wrap("from-pause".getBytes()));
                }
            };
            Peer client = new Peer(loop, false, false);
            TlsProtocol[] tls = connect(loop, ends, ctx, server, client);
            client.transport().write(ByteBuffer.wrap("one".getBytes()));
            runUntil(loop, () -> server.size() >= 3);
            javax.net.ssl.SSLEngine engine = (javax.net.ssl.SSLEngine) client.transport()
                    .getExtraInfo(Transport.SSL_OBJECT).orElseThrow();
            engine.beginHandshake(); // TLS 1.3: a KeyUpdate that asks the peer to update its keys too
            ends[0].pauseProtocolOnNextWrite = true;
            client.transport().write(ByteBuffer.wrap("two".getBytes()));
            runUntil(loop, () -> client.size() >= 10 || client.events().contains("lost"));
            assertEquals("from-pause", new String(client.bytes(), java.nio.charset.StandardCharsets.US_ASCII),
                    "the application's write from pauseWriting arrives, once");
            assertEquals("onetwo", new String(server.bytes(), java.nio.charset.StandardCharsets.US_ASCII));
            assertEquals(List.of("made", "pause"), withoutData(server),
                    "the server was paused and its connection is up");
            assertEquals(List.of("made"), withoutData(client), "the client's connection is up");
            assertEquals(List.of(), reports, "nothing reported");
            assertEquals(0, tls[0].retainedBufferBytes() + tls[1].retainedBufferBytes(), "nothing held");
            client.transport().close();
            runUntil(loop, () -> client.events().contains("lost"));
        }
    }

    /**
     * A read that finds nothing (a readiness event with no byte behind it: a spurious wake-up) must not leave the
     * connection holding the buffer the raw transport read into: an idle connection holds none, as after a read
     * that got bytes, and as the plain path, which reads into the loop's own buffer.
     */
    @Test
    void aReadThatFindsNothingHoldsNoBuffer() throws Exception {
        SSLContext[] ctx = contexts("TLS");
        SpuriousReads poller = new SpuriousReads(new SelectorPoller());
        try (ReadinessEventLoop loop = new ReadinessEventLoop(poller) { }) {
            List<Peer> accepted = new ArrayList<>();
            Server server = loop.runUntilComplete(loop.createServer(() -> {
                Peer p = new Peer(loop, true, false);
                accepted.add(p);
                return p;
            }, "127.0.0.1", 0, ServerOptions.builder().ssl(ctx[0]).build()));
            int port = ((InetSocketAddress) server.sockets().getFirst().socket().getLocalSocketAddress()).getPort();
            Connection<Peer> client = loop.runUntilComplete(loop.createConnection(() -> new Peer(loop, false, false),
                    "127.0.0.1", port, ConnectOptions.builder().ssl(ctx[1]).serverHostname("localhost").build()));
            byte[] message = pattern(1000, 7);
            client.transport().write(ByteBuffer.wrap(message));
            runUntil(loop, () -> client.protocol().size() >= message.length);
            assertArrayEquals(message, client.protocol().bytes(), "the echo");
            assertEquals(1, accepted.size(), "the server accepted the one connection");
            TlsProtocol tls = ((TlsTransport) client.transport()).tls();
            assertEquals(0, tls.retainedBufferBytes(), "idle after the echo: nothing held");
            long kept = loop.tlsBuffers.keptBytes();
            java.nio.channels.SocketChannel channel = (java.nio.channels.SocketChannel) tls.raw()
                    .getExtraInfo(Transport.SOCKET).orElseThrow();
            poller.readableOnce(channel);
            runUntil(loop, () -> poller.delivered == 1);
            assertEquals(1, poller.delivered, "the made-up readiness event was delivered");
            assertEquals(0, tls.retainedBufferBytes(), "a read that found nothing left the connection holding a"
                    + " buffer");
            assertEquals(kept, loop.tlsBuffers.keptBytes(), "the buffer the read borrowed went back to the loop");
            client.transport().write(ByteBuffer.wrap(message));
            runUntil(loop, () -> client.protocol().size() >= 2 * message.length);
            assertEquals(2 * message.length, client.protocol().size(), "the connection still works");
            client.transport().close();
            server.close();
            runUntil(loop, () -> client.protocol().events().contains("lost"));
        }
    }

    /** A {@link SelectorPoller} that can also report a channel readable once when it is not. */
    private static final class SpuriousReads implements Poller {
        private final Poller real;
        private final java.util.Map<java.nio.channels.SelectableChannel, Object> attachments = new java.util.HashMap<>();
        private final List<java.nio.channels.SelectableChannel> pending = new ArrayList<>();
        int delivered;

        SpuriousReads(Poller real) {
            this.real = real;
        }

        void readableOnce(java.nio.channels.SelectableChannel channel) {
            pending.add(channel);
        }

        @Override
        public void register(java.nio.channels.SelectableChannel channel, int interest, Object attachment)
                throws java.io.IOException {
            real.register(channel, interest, attachment);
            attachments.put(channel, attachment);
        }

        @Override
        public void modify(java.nio.channels.SelectableChannel channel, int interest) throws java.io.IOException {
            real.modify(channel, interest);
        }

        @Override
        public void deregister(java.nio.channels.SelectableChannel channel) {
            real.deregister(channel);
            attachments.remove(channel);
        }

        @Override
        public void poll(long timeoutNanos, EventSink sink) throws java.io.IOException {
            List<java.nio.channels.SelectableChannel> now = List.copyOf(pending);
            pending.clear();
            real.poll(now.isEmpty() ? timeoutNanos : 0, sink);
            for (java.nio.channels.SelectableChannel c : now) {
                Object attachment = attachments.get(c);
                if (attachment != null) {
                    delivered++;
                    sink.ready(attachment, READ);
                }
            }
        }

        @Override
        public void wakeup() {
            real.wakeup();
        }

        @Override
        public void close() throws java.io.IOException {
            real.close();
        }
    }
}
