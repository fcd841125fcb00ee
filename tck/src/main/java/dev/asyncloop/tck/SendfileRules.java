package dev.asyncloop.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.Async;
import dev.asyncloop.Connection;
import dev.asyncloop.Future;
import dev.asyncloop.Server;
import dev.asyncloop.spi.Capability;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Rules N11.x: sendfile and sockSendfile (asyncio's loop.sendfile, sock_sendfile, _sendfile_fallback). */
abstract class SendfileRules extends NetworkGroup {
    static final int SIZE = 300 * 1024;
    static final byte[] CONTENT = pattern(SIZE);
    private Path file;

    SendfileRules(EventLoopConformanceSuite suite) {
        super(suite);
    }

    @BeforeEach
    final void requireSendfile() throws IOException {
        requireCapability(Capability.SENDFILE);
        file = Files.createTempFile("asyncloop-sendfile", ".bin");
        Files.write(file, CONTENT);
    }

    @AfterEach
    final void deleteFile() throws IOException {
        if (file != null) {
            Files.deleteIfExists(file);
        }
    }

    final FileChannel open() throws IOException {
        return track(FileChannel.open(file, StandardOpenOption.READ));
    }

    /** Inside a task: sends with sendfile over a fresh connection; returns [sent, received bytes, position]. */
    final Object[] sendOver(FileChannel f, long offset, long count, byte @Nullable [] before) throws Exception {
        Server server = startServer(false);
        RecordingProtocol client = connect(port(server));
        RecordingProtocol srv = awaitAccepted("N11", 0);
        if (before != null) {
            client.transport.write(before);
        }
        long sent = Async.await(loop.sendfile(client.transport, f, offset, count));
        int expected = (before == null ? 0 : before.length) + (int) sent;
        Async.await(srv.received(expected));
        client.transport.close();
        Async.await(client.lost);
        Async.await(srv.lost);
        server.close();
        return new Object[] {sent, srv.data.toByteArray(), f.position()};
    }

    @Test
    @DisplayName("N11.1 sendfile sends the whole rest of the file, returns the count and leaves the position after it")
    void required_N11_1_wholeFile() throws IOException {
        FileChannel f = open();
        Object[] out = run("N11.1", () -> sendOver(f, 0, Long.MAX_VALUE, null));
        assertEquals((long) SIZE, out[0], msg("N11.1", "sendfile returned " + out[0] + " for a " + SIZE
                + "-byte file; check transferTo is repeated until the end"));
        assertArrayEquals(CONTENT, (byte[]) out[1], msg("N11.1", "the peer got different bytes"));
        assertEquals((long) SIZE, out[2], msg("N11.1", "the file position is " + out[2]
                + "; check it is set to offset + sent"));
    }

    @Test
    @DisplayName("N11.2 offset and count select the bytes sent; count past the end stops at the end")
    void required_N11_2_offsetAndCount() throws IOException {
        FileChannel f = open();
        Object[] part = run("N11.2", () -> sendOver(f, 1000, 5000, null));
        assertEquals(5000L, part[0], msg("N11.2", "sendfile(1000, 5000) returned " + part[0]));
        assertArrayEquals(Arrays.copyOfRange(CONTENT, 1000, 6000), (byte[]) part[1],
                msg("N11.2", "the peer got other bytes; check the offset"));
        assertEquals(6000L, part[2], msg("N11.2", "the position is " + part[2]));
        FileChannel g = open();
        Object[] tail = run("N11.2", () -> sendOver(g, SIZE - 10, 1000, null));
        assertEquals(10L, tail[0], msg("N11.2", "sendfile past the end returned " + tail[0]
                + "; check the end of file stops it"));
    }

    @Test
    @DisplayName("N11.3 data written before sendfile (still buffered in the transport) arrives before the file's bytes")
    void required_N11_3_writesBeforeGoFirst() throws IOException {
        FileChannel f = open();
        byte[] before = new byte[8 * 1024 * 1024];
        Arrays.fill(before, (byte) 7);
        Object[] out = run("N11.3", () -> {
            Server server = startServer(false);
            RecordingProtocol client = connect(port(server));
            RecordingProtocol srv = awaitAccepted("N11.3", 0);
            srv.transport.pauseReading();
            client.transport.write(before);
            int buffered = client.transport.getWriteBufferSize();
            var sending = loop.sendfile(client.transport, f, 0, Long.MAX_VALUE);
            Async.sleep(java.time.Duration.ofMillis(20));
            srv.transport.resumeReading();
            long sent = Async.await(sending);
            Async.await(srv.received(before.length + (int) sent));
            client.transport.close();
            Async.await(client.lost);
            Async.await(srv.lost);
            server.close();
            return new Object[] {buffered, srv.data.toByteArray()};
        });
        assertTrue((int) out[0] > 0, msg("N11.3", "test setup: the 8 MiB write was not buffered (the peer was not"
                + " reading), so the rule was not exercised"));
        byte[] got = (byte[]) out[1];
        assertEquals(before.length + SIZE, got.length, msg("N11.3", "the peer got " + got.length + " bytes"));
        assertArrayEquals(before, Arrays.copyOfRange(got, 0, before.length), msg("N11.3", "the written bytes"
                + " were mixed with the file's; check that sendfile waits until the write buffer is empty"));
        assertArrayEquals(CONTENT, Arrays.copyOfRange(got, before.length, got.length),
                msg("N11.3", "the file's bytes are wrong after the written ones"));
    }

    @Test
    @DisplayName("N11.4 the connection reads again after sendfile: data from the peer still reaches the protocol")
    void required_N11_4_readingResumes() throws IOException {
        FileChannel f = open();
        String got = run("N11.4", () -> {
            Server server = startServer(false);
            RecordingProtocol client = connect(port(server));
            RecordingProtocol srv = awaitAccepted("N11.4", 0);
            Async.await(loop.sendfile(client.transport, f, 0, 100));
            srv.transport.write(bytes("after"));
            Async.await(client.received(5));
            client.transport.close();
            Async.await(client.lost);
            server.close();
            return client.text();
        });
        assertEquals("after", got, msg("N11.4", "the client got '" + got + "'; check that reading is resumed"));
    }

    @Test
    @DisplayName("N11.5 bad arguments and a closing transport are refused at the call")
    void required_N11_5_refusals() throws IOException {
        FileChannel f = open();
        run("N11.5", () -> {
            Server server = startServer(false);
            RecordingProtocol client = connect(port(server));
            assertThrows(IllegalArgumentException.class, () -> loop.sendfile(client.transport, f, -1, 10),
                    msg("N11.5", "offset -1 was accepted"));
            assertThrows(IllegalArgumentException.class, () -> loop.sendfile(client.transport, f, 0, 0),
                    msg("N11.5", "count 0 was accepted"));
            client.transport.close();
            assertThrows(IllegalStateException.class, () -> loop.sendfile(client.transport, f, 0, 10),
                    msg("N11.5", "sendfile on a closing transport was accepted"));
            Async.await(client.lost);
            server.close();
            return null;
        });
    }

    @Test
    @DisplayName("N11.6 sockSendfile sends the bytes over a connected channel and returns the count")
    void required_N11_6_sockSendfile() throws IOException {
        FileChannel f = open();
        SocketChannel[] p = socketPair();
        List<Object> out = run("N11.6", () -> {
            // received meanwhile: 300 KiB need not fit in the two sockets' kernel buffers
            Future<byte[]> receiving = loop.createTask(() -> recvExactly(p[1], SIZE));
            long sent = Async.await(loop.sockSendfile(p[0], f, 0, Long.MAX_VALUE));
            byte[] got = Async.await(receiving);
            return List.of(sent, got);
        });
        assertEquals((long) SIZE, out.get(0), msg("N11.6", "sockSendfile returned " + out.get(0)));
        assertArrayEquals(CONTENT, (byte[]) out.get(1), msg("N11.6", "the peer got other bytes"));
    }

    @Test
    @DisplayName("N11.7 write() during a zero-copy sendfile throws IllegalStateException (optional: a loop that"
            + " only has the fallback path accepts it)")
    void optional_N11_7_writeDuringSendfile() throws IOException {
        FileChannel f = open();
        run("N11.7", () -> {
            Server server = startServer(false);
            RecordingProtocol client = connect(port(server));
            RecordingProtocol srv = awaitAccepted("N11.7", 0);
            var sending = loop.sendfile(client.transport, f, 0, Long.MAX_VALUE);
            Async.yieldNow();
            if (!sending.isDone()) {
                assertThrows(IllegalStateException.class, () -> client.transport.write(bytes("x")),
                        msg("N11.7", "write during sendfile was accepted; check the empty-waiter guard"));
            }
            Async.await(sending);
            client.transport.write(bytes("!"));
            Async.await(srv.received(SIZE + 1));
            client.transport.close();
            Async.await(client.lost);
            server.close();
            return null;
        });
    }

    @Test
    @DisplayName("N11.8 sockSendfile: offset and count select the bytes and the position ends after them; bad"
            + " arguments, a blocking channel and a transport's channel are refused at the call")
    void required_N11_8_sockSendfileRangeAndRefusals() throws IOException {
        FileChannel f = open();
        SocketChannel[] p = socketPair();
        List<Object> out = run("N11.8", () -> {
            long sent = Async.await(loop.sockSendfile(p[0], f, 1000, 5000));
            byte[] got = recvExactly(p[1], 5000);
            long position = f.position();
            long past = Async.await(loop.sockSendfile(p[0], f, SIZE, Long.MAX_VALUE));
            return List.of(sent, got, position, past, f.position());
        });
        assertEquals(5000L, out.get(0), msg("N11.8", "sockSendfile of 5000 bytes returned " + out.get(0)));
        assertArrayEquals(Arrays.copyOfRange(CONTENT, 1000, 6000), (byte[]) out.get(1),
                msg("N11.8", "the peer got other bytes than the file's from the offset"));
        assertEquals(6000L, out.get(2), msg("N11.8", "the file position is " + out.get(2) + " after sending"
                + " 5000 bytes from 1000; check that it is set after the last byte sent"));
        assertEquals(0L, out.get(3), msg("N11.8", "sockSendfile from the end of the file returned " + out.get(3)));
        assertEquals(6000L, out.get(4), msg("N11.8", "sending nothing moved the file position to " + out.get(4)));

        assertThrows(IllegalArgumentException.class, () -> loop.sockSendfile(p[0], f, -1, 10),
                msg("N11.8", "offset -1 was accepted"));
        assertThrows(IllegalArgumentException.class, () -> loop.sockSendfile(p[0], f, 0, 0),
                msg("N11.8", "count 0 was accepted"));
        p[0].configureBlocking(true);
        assertThrows(IllegalArgumentException.class, () -> loop.sockSendfile(p[0], f, 0, 10),
                msg("N11.8", "a blocking channel was accepted"));
        p[0].configureBlocking(false);
        run("N11.8", () -> {
            var conn = Async.await(loop.connectAcceptedSocket(() -> new RecordingProtocol(loop), p[0]));
            assertThrows(IllegalStateException.class, () -> loop.sockSendfile(p[0], f, 0, 10),
                    msg("N11.8", "sockSendfile on a transport's channel was accepted"));
            conn.transport().close();
            Async.await(conn.protocol().lost);
            return null;
        });
    }

    @Test
    @DisplayName("N11.9 abort() during sendfile ends it: the sendfile fails with an IOException, connectionLost(null)"
            + " comes once")
    void required_N11_9_abortEndsSendfile() throws IOException {
        Path big = Files.createTempFile("asyncloop-sendfile-big", ".bin");
        try {
            try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(big.toFile(), "rw")) {
                raf.setLength(256L << 20); // sparse: far more than the socket buffers hold
            }
            FileChannel f = track(FileChannel.open(big, StandardOpenOption.READ));
            Object[] out = run("N11.9", () -> {
                Server server = startServer(false);
                RecordingProtocol client = connect(port(server));
                RecordingProtocol srv = awaitAccepted("N11.9", 0);
                srv.transport.pauseReading();
                var sending = loop.sendfile(client.transport, f, 0, Long.MAX_VALUE);
                Async.sleep(java.time.Duration.ofMillis(50)); // lets the transfer fill the buffers and wait
                client.transport.abort();
                Throwable lost = Async.await(client.lost);
                boolean ended = awaitDone(sending, java.time.Duration.ofSeconds(5));
                Throwable failure = ended && !sending.isCancelled() ? sending.exception().orElse(null) : null;
                server.close();
                return new Object[] {ended, failure, lost, List.copyOf(client.events)};
            });
            assertTrue((Boolean) out[0], msg("N11.9", "sendfile was still pending 5 s after abort(); check that the"
                    + " end of the connection fails the transfer (closing removes the writer it waits with)"));
            assertTrue(out[1] instanceof IOException, msg("N11.9", "sendfile ended with " + out[1]
                    + " after abort(); expected an IOException"));
            assertEquals(null, out[2], msg("N11.9", "connectionLost got " + out[2] + " after abort()"));
            assertTrue(((List<?>) out[3]).contains("lost") && !((List<?>) out[3]).contains("lost-again"),
                    msg("N11.9", "connectionLost must come exactly once; events: " + out[3]));
        } finally {
            Files.deleteIfExists(big);
        }
    }
}
