package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WriteQueueTest {

    /** A channel that takes at most {@code budget} bytes per write, then fails or records what it got. */
    private static final class ShortWriteChannel implements GatheringByteChannel {
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        int budget;
        int writes;
        IOException failure;

        @Override
        public int write(ByteBuffer src) throws IOException {
            return (int) write(new ByteBuffer[] {src}, 0, 1);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            writes++;
            if (failure != null) {
                throw failure;
            }
            long taken = 0;
            for (int i = offset; i < offset + length && taken < budget; i++) {
                ByteBuffer b = srcs[i];
                assertTrue(b.isDirect(), "queued bytes are in direct memory");
                int m = (int) Math.min(b.remaining(), budget - taken);
                byte[] part = new byte[m];
                b.get(part);
                received.writeBytes(part);
                taken += m;
            }
            return taken;
        }

        @Override
        public long write(ByteBuffer[] srcs) throws IOException {
            return write(srcs, 0, srcs.length);
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }

    private static byte[] randomBytes(SplittableRandom random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    @Test
    void sendsEveryByteInOrderWhateverTheWriteSizes() throws IOException {
        SplittableRandom random = new SplittableRandom(7);
        DirectChunkPool pool = new DirectChunkPool(1024, 4);
        WriteQueue queue = new WriteQueue(pool);
        ShortWriteChannel channel = new ShortWriteChannel();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (int round = 0; round < 2_000; round++) {
            if (random.nextBoolean()) {
                byte[] data = randomBytes(random, random.nextInt(random.nextBoolean() ? 40 : 5_000));
                expected.writeBytes(data);
                ByteBuffer src = random.nextBoolean() ? ByteBuffer.wrap(data)
                        : ByteBuffer.allocateDirect(data.length).put(data).flip();
                long before = queue.size();
                queue.add(src);
                assertFalse(src.hasRemaining(), "add consumes the source");
                assertEquals(before + data.length, queue.size());
            } else if (!queue.isEmpty()) {
                channel.budget = random.nextInt(3_000);
                long before = queue.size();
                long sent = queue.writeTo(channel);
                assertEquals(before - sent, queue.size());
            }
        }
        channel.budget = Integer.MAX_VALUE;
        while (!queue.isEmpty()) {
            queue.writeTo(channel);
        }
        assertArrayEquals(expected.toByteArray(), channel.received.toByteArray());
        assertTrue(pool.retained() <= 4, "the pool keeps at most its bound");
    }

    @Test
    void smallWritesShareAChunkAndSentChunksGoBackToThePool() throws IOException {
        DirectChunkPool pool = new DirectChunkPool(1024, 8);
        WriteQueue queue = new WriteQueue(pool);
        for (int i = 0; i < 10; i++) {
            queue.add(ByteBuffer.wrap(new byte[100]));
        }
        ShortWriteChannel channel = new ShortWriteChannel();
        channel.budget = Integer.MAX_VALUE;
        queue.writeTo(channel);
        assertEquals(1, channel.writes, "1,000 bytes in one chunk: one write");
        assertTrue(queue.isEmpty());
        assertEquals(1, pool.retained());
    }

    @Test
    void theCallerMayReuseItsBufferAtOnce() throws IOException {
        WriteQueue queue = new WriteQueue(new DirectChunkPool(16, 2));
        byte[] data = "abcdefghijklmnopqrstuvwxyz".getBytes();
        queue.add(ByteBuffer.wrap(data));
        java.util.Arrays.fill(data, (byte) '!');
        ShortWriteChannel channel = new ShortWriteChannel();
        channel.budget = Integer.MAX_VALUE;
        queue.writeTo(channel);
        assertEquals("abcdefghijklmnopqrstuvwxyz", channel.received.toString());
    }

    @Test
    void aFailedWriteLeavesTheQueueAsItWasAndClearEmptiesIt() throws IOException {
        DirectChunkPool pool = new DirectChunkPool(64, 8);
        WriteQueue queue = new WriteQueue(pool);
        queue.add(ByteBuffer.wrap(new byte[200]));
        ShortWriteChannel channel = new ShortWriteChannel();
        channel.failure = new IOException("reset");
        assertThrows(IOException.class, () -> queue.writeTo(channel));
        assertEquals(200, queue.size());
        queue.clear();
        assertTrue(queue.isEmpty());
        assertEquals(4, pool.retained(), "200 bytes took four 64-byte chunks, all given back");
    }
}
