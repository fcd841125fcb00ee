package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.Connection;
import dev.asyncloop.WriteTransport;
import dev.asyncloop.testsupport.DataRecorder;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A write buffer past 2 GiB (a protocol that ignores {@code pauseWriting}) is counted without wrapping: the
 * transport stays paused, {@code getWriteBufferSize()} reads {@link Integer#MAX_VALUE}, and flow control resumes
 * only when the buffer really drains. Queuing 2 GiB in a test would need a heap that size, so the test queues a
 * few MiB behind a peer that does not read and adds the rest to the transport's count, which is what the
 * transport's own writes would have added.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class WriteBufferBeyondIntTest extends LoopbackPeerFixture {
    private static final long UNSEEN = Integer.MAX_VALUE - 1024L; // what the earlier writes queued, by assumption

    @Test
    void theCountGoesPastIntAndComesBack() throws Exception {
        DataRecorder protocol = new DataRecorder(loop);
        Connection<DataRecorder> c = connectToPeer(protocol);
        SocketTransport t = (SocketTransport) c.transport();
        WriteTransport w = t;

        byte[] first = pattern(16 << 20, 1); // more than loopback's socket buffers take when nobody reads
        w.write(first);
        assertEquals(List.of("made", "pause"), protocol.events(), "16 MiB to a peer that does not read pauses");
        assertTrue(w.getWriteBufferSize() > 0, "part of it is queued");
        t.bufferSize += UNSEEN;
        byte[] second = pattern(4 << 20, 7);
        w.write(second);
        assertEquals(Integer.MAX_VALUE, w.getWriteBufferSize(), "a count past 2 GiB reads as Integer.MAX_VALUE");
        assertEquals(List.of("made", "pause"), protocol.events(), "still paused, no resume from a wrapped count");

        t.bufferSize -= UNSEEN;
        // The peer checks each byte as it comes rather than keeping them: the test runs in a 96 MiB heap too.
        int total = first.length + second.length;
        long[] received = {0};
        long[] firstWrong = {-1};
        Thread reader = Thread.ofPlatform().name("peer").start(() -> {
            ByteBuffer buf = ByteBuffer.allocate(256 * 1024);
            try {
                while (received[0] < total && peer.read(buf.clear()) >= 0) {
                    for (int i = 0; i < buf.position(); i++, received[0]++) {
                        int at = (int) received[0];
                        byte expected = at < first.length ? first[at] : second[at - first.length];
                        if (buf.get(i) != expected && firstWrong[0] < 0) {
                            firstWrong[0] = at;
                        }
                    }
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        long end = System.nanoTime() + WAIT.toNanos();
        while (!protocol.events().contains("resume") && System.nanoTime() < end) {
            loop.runUntilComplete(() -> dev.asyncloop.Async.sleep(Duration.ofMillis(5), null));
        }
        reader.join(WAIT.toMillis());
        assertEquals(List.of("made", "pause", "resume"), protocol.events(), "resumed once the real buffer drained");
        assertEquals(0, w.getWriteBufferSize());
        assertEquals(total, received[0], "every byte arrived");
        assertEquals(-1, firstWrong[0], "every byte in order: the first wrong one, if any");
    }

    private static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }
}
