package dev.asyncloop.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.Async;
import dev.asyncloop.Server;
import dev.asyncloop.WriteTransport;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Rules N5.x: write-side flow control (asyncio's _FlowControlMixin). */
abstract class FlowControlRules extends NetworkGroup {
    FlowControlRules(EventLoopConformanceSuite suite) {
        super(suite);
    }

    @Test
    @DisplayName("N5.1 pauseWriting above the high-water mark, resumeWriting at the low-water mark, once each")
    void required_N5_1_pauseAndResumeWriting() throws Exception {
        run("N5.1", () -> {
            Server server = startServer(false);
            RecordingProtocol client = connect(port(server));
            RecordingProtocol srv = awaitAccepted("N5.1", 0);
            srv.transport.pauseReading();
            byte[] chunk = pattern(256 * 1024);
            int written = fillUntilPaused("N5.1", client, chunk);
            assertTrue(client.transport.getWriteBufferSize() > client.transport.getWriteBufferHighWater(),
                    msg("N5.1", "paused with " + client.transport.getWriteBufferSize() + " bytes buffered, not above"
                            + " the high-water mark"));
            client.transport.write(chunk);
            written += chunk.length;
            assertEquals(List.of("made", "pause"), client.events, msg("N5.1", "pauseWriting called more than once"));
            srv.transport.resumeReading();
            Async.await(srv.received(written));
            long end = System.nanoTime() + defaultWait().toNanos();
            while (!client.events.contains("resume") && System.nanoTime() < end) {
                Async.sleep(Duration.ofMillis(2));
            }
            assertEquals(List.of("made", "pause", "resume"), client.events, msg("N5.1", "no single resumeWriting"
                    + " once the buffer drained; check maybeResumeProtocol after each send"));
            assertEquals(0, client.transport.getWriteBufferSize(), msg("N5.1", "buffer not empty after drain"));
            client.transport.close();
            Async.await(srv.lost);
            server.close();
            return null;
        });
    }

    @Test
    @DisplayName("N5.2 write buffer limits: asyncio defaults 64 KiB/16 KiB; a missing mark is derived; bad marks refused")
    void required_N5_2_bufferLimits() throws Exception {
        run("N5.2", () -> {
            Server server = startServer(false);
            RecordingProtocol client = connect(port(server));
            WriteTransport t = client.transport;
            assertEquals(64 * 1024, t.getWriteBufferHighWater(), msg("N5.2", "default high-water mark"));
            assertEquals(16 * 1024, t.getWriteBufferLowWater(), msg("N5.2", "default low-water mark"));
            t.setWriteBufferLimits(null, 100);
            assertEquals(400, t.getWriteBufferHighWater(), msg("N5.2", "high defaults to 4 x low"));
            t.setWriteBufferLimits(1000, null);
            assertEquals(250, t.getWriteBufferLowWater(), msg("N5.2", "low defaults to high / 4"));
            assertThrows(IllegalArgumentException.class, () -> t.setWriteBufferLimits(1, 2),
                    msg("N5.2", "high < low was accepted"));
            assertThrows(IllegalArgumentException.class, () -> t.setWriteBufferLimits(1, -1),
                    msg("N5.2", "a negative low was accepted"));
            client.transport.close();
            Async.await(client.lost);
            server.close();
            return null;
        });
    }

    @Test
    @DisplayName("N5.3 write tries the socket first: a small write to an idle connection buffers nothing")
    void required_N5_3_writeTriesSocketFirst() throws Exception {
        run("N5.3", () -> {
            Server server = startServer(true);
            RecordingProtocol client = connect(port(server));
            client.transport.write(bytes("small"));
            assertEquals(0, client.transport.getWriteBufferSize(), msg("N5.3", "a 5-byte write was buffered;"
                    + " check that write() sends at once when nothing is queued"));
            Async.await(client.received(5));
            client.transport.close();
            Async.await(client.lost);
            server.close();
            return null;
        });
    }

    @Test
    @DisplayName("N5.4 lowering the high-water mark below the buffered size pauses at once; the caller may reuse its buffer")
    void required_N5_4_limitsApplyAtOnceAndDataIsCopied() throws Exception {
        run("N5.4", () -> {
            Server server = startServer(false);
            RecordingProtocol client = connect(port(server));
            RecordingProtocol srv = awaitAccepted("N5.4", 0);
            srv.transport.pauseReading();
            byte[] chunk = pattern(1024 * 1024);
            client.transport.setWriteBufferLimits(Integer.MAX_VALUE, 0);
            java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
            for (int i = 0; i < 8 && client.transport.getWriteBufferSize() == 0; i++) {
                byte[] mutable = chunk.clone();
                client.transport.write(mutable);
                all.writeBytes(chunk);
                java.util.Arrays.fill(mutable, (byte) 0);
            }
            assertTrue(client.transport.getWriteBufferSize() > 0, msg("N5.4", "8 MiB to a paused peer all sent"));
            assertEquals(List.of("made"), client.events, msg("N5.4", "paused below a high-water mark of"
                    + " Integer.MAX_VALUE"));
            client.transport.setWriteBufferLimits(1, 0);
            assertTrue(client.events.contains("pause"), msg("N5.4", "setWriteBufferLimits below the buffered size"
                    + " did not pause the protocol"));
            byte[] expected = all.toByteArray();
            srv.transport.resumeReading();
            Async.await(srv.received(expected.length));
            assertArrayEquals(expected, srv.data.toByteArray(), msg("N5.4", "the peer received changed bytes;"
                    + " check that write() copies what it queues"));
            client.transport.close();
            Async.await(srv.lost);
            server.close();
            return null;
        });
    }

    @Test
    @DisplayName("N5.5 close() or abort() inside resumeWriting, called as the buffer empties: connectionLost once")
    void required_N5_5_endInsideResumeWritingLosesOnce() throws Exception {
        run("N5.5", () -> {
            Server server = startServer(false);
            int accepted = 0;
            for (boolean abort : new boolean[] {false, true}) {
                String how = abort ? "abort()" : "close()";
                RecordingProtocol client = connect(port(server));
                RecordingProtocol srv = awaitAccepted("N5.5", accepted++);
                srv.transport.pauseReading();
                // a low-water mark of 0: resumeWriting comes when the last queued byte has gone to the socket
                client.transport.setWriteBufferLimits(64 * 1024, 0);
                client.onResume = abort ? client.transport::abort : client.transport::close;
                fillUntilPaused("N5.5", client, pattern(256 * 1024));
                srv.transport.resumeReading();
                Async.await(client.lost);
                // a second connectionLost would come in the same callback or the next iterations
                for (int i = 0; i < 3; i++) {
                    Async.sleep(Duration.ZERO);
                }
                Async.sleep(Duration.ofMillis(20));
                assertEquals(List.of("made", "pause", "resume", "lost"), client.events, msg("N5.5", how
                        + " inside resumeWriting, with the write buffer empty, must end in one connectionLost;"
                        + " check that the writer callback, after resumeWriting returns, does not call"
                        + " connectionLost itself when the transport was ended there (close/abort scheduled it)"));
                Async.await(srv.lost);
            }
            server.close();
            return null;
        });
    }

    /**
     * Writes {@code chunk} to a peer that does not read until the client's protocol gets pauseWriting, at most
     * 64 MiB (room for loopback's autotuned socket buffers); fails under {@code rule} if it never comes.
     *
     * @return the bytes written
     */
    private static int fillUntilPaused(String rule, RecordingProtocol client, byte[] chunk) {
        int written = 0;
        while (!client.events.contains("pause") && written < 64 * 1024 * 1024) {
            client.transport.write(chunk);
            written += chunk.length;
        }
        assertTrue(client.events.contains("pause"), msg(rule, "no pauseWriting after " + written
                + " bytes to a peer that does not read"));
        return written;
    }
}
