package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WriteQueueTest {

    /** A socket that takes at most {@code budget} bytes per write, only from direct buffers, or fails. */
    private static final class ShortWriteChannel implements WritableByteChannel {
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        int budget = Integer.MAX_VALUE;
        int writes;
        long offered;
        IOException failure;

        @Override
        public int write(ByteBuffer src) throws IOException {
            writes++;
            if (failure != null) {
                throw failure;
            }
            assertTrue(src.isDirect(), "heap bytes reach the socket through the direct scratch buffer");
            offered += src.remaining();
            int m = Math.min(src.remaining(), budget);
            byte[] part = new byte[m];
            src.get(part);
            received.writeBytes(part);
            return m;
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

    /** What SocketTransport does: send at once while nothing waits, queue the rest, flush on writability. */
    @Test
    void everyByteArrivesInOrderWhateverTheSocketTakes() throws IOException {
        SplittableRandom random = new SplittableRandom(7);
        ByteBuffer scratch = ByteBuffer.allocateDirect(1024);
        WriteQueue queue = new WriteQueue();
        ShortWriteChannel channel = new ShortWriteChannel();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (int round = 0; round < 3_000; round++) {
            channel.budget = random.nextInt(random.nextBoolean() ? 200 : 5_000);
            if (random.nextBoolean()) {
                byte[] data = randomBytes(random, random.nextInt(random.nextBoolean() ? 40 : 5_000));
                expected.writeBytes(data);
                ByteBuffer src = random.nextBoolean() ? ByteBuffer.wrap(data)
                        : ByteBuffer.allocateDirect(data.length).put(data).flip();
                if (!queue.isEmpty() || !WriteQueue.send(channel, src, scratch)) {
                    long before = queue.size();
                    int rest = src.remaining();
                    queue.add(src);
                    assertFalse(src.hasRemaining(), "add consumes the source");
                    assertEquals(before + rest, queue.size());
                }
            } else if (!queue.isEmpty()) {
                long before = queue.size();
                long sent = queue.writeTo(channel, scratch);
                assertEquals(before - sent, queue.size());
            }
        }
        channel.budget = Integer.MAX_VALUE;
        queue.writeTo(channel, scratch);
        assertTrue(queue.isEmpty());
        assertArrayEquals(expected.toByteArray(), channel.received.toByteArray());
    }

    @Test
    void aLargeHeapWriteIsStagedAtMostAScratchAtATime() throws IOException {
        ByteBuffer scratch = ByteBuffer.allocateDirect(1024);
        ShortWriteChannel channel = new ShortWriteChannel();
        channel.budget = 100;
        ByteBuffer data = ByteBuffer.wrap(new byte[1_000_000]);
        assertFalse(WriteQueue.send(channel, data, scratch));
        assertEquals(100, data.position(), "the position moves by what the socket took");
        assertEquals(1024, channel.offered, "one scratch load was offered, not the whole megabyte");

        WriteQueue queue = new WriteQueue();
        queue.add(data);
        channel.offered = 0;
        channel.writes = 0;
        assertEquals(100, queue.writeTo(channel, scratch));
        assertEquals(1, channel.writes, "a short write ends the flush");
        assertEquals(1024, channel.offered);
    }

    @Test
    void aFlushGoesOnWhileTheSocketTakesEverything() throws IOException {
        ByteBuffer scratch = ByteBuffer.allocateDirect(1024);
        WriteQueue queue = new WriteQueue();
        for (int i = 0; i < 30; i++) {
            queue.add(ByteBuffer.wrap(new byte[100]));
        }
        ShortWriteChannel channel = new ShortWriteChannel();
        assertEquals(3_000, queue.writeTo(channel, scratch));
        assertEquals(3, channel.writes, "3,000 bytes in 1 KiB loads, small buffers staged together");
        assertTrue(queue.isEmpty());
    }

    @Test
    void theCallerMayReuseItsBufferAtOnce() throws IOException {
        WriteQueue queue = new WriteQueue();
        byte[] data = "abcdefghijklmnopqrstuvwxyz".getBytes();
        queue.add(ByteBuffer.wrap(data));
        Arrays.fill(data, (byte) '!');
        ShortWriteChannel channel = new ShortWriteChannel();
        queue.writeTo(channel, ByteBuffer.allocateDirect(16));
        assertEquals("abcdefghijklmnopqrstuvwxyz", channel.received.toString());
    }

    @Test
    void onlyTheRemainingBytesOfASliceOrAReadOnlyBufferAreQueued() throws IOException {
        WriteQueue queue = new WriteQueue();
        byte[] backing = "0123456789abcdefghij".getBytes();
        ByteBuffer slice = ByteBuffer.wrap(backing).position(5).slice().position(2).limit(8); // "789abc"
        ByteBuffer readOnly = ByteBuffer.wrap(backing, 10, 4).asReadOnlyBuffer(); // "abcd", no array access
        queue.add(slice);
        queue.add(readOnly);
        assertEquals(8, slice.position(), "the slice's position moves to its limit");
        assertFalse(readOnly.hasRemaining(), "the read-only buffer is consumed too");
        assertEquals(10, queue.size());
        Arrays.fill(backing, (byte) '!');
        ShortWriteChannel channel = new ShortWriteChannel();
        channel.budget = 3;
        while (!queue.isEmpty()) {
            queue.writeTo(channel, ByteBuffer.allocateDirect(4));
        }
        assertEquals("789abcabcd", channel.received.toString());
    }

    @Test
    void aFailedWriteLeavesTheQueueAsItWasAndClearEmptiesIt() {
        WriteQueue queue = new WriteQueue();
        queue.add(ByteBuffer.wrap(new byte[200]));
        ShortWriteChannel channel = new ShortWriteChannel();
        channel.failure = new IOException("reset");
        assertThrows(IOException.class, () -> queue.writeTo(channel, ByteBuffer.allocateDirect(64)));
        assertEquals(200, queue.size());
        queue.clear();
        assertTrue(queue.isEmpty());
        assertEquals(0, queue.size());
    }
}
