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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WriteQueueTest {

    /** A socket that takes at most {@code budget} bytes per write, only from direct buffers, or fails. */
    private static final class ShortWriteChannel implements WritableByteChannel {
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        int budget = Integer.MAX_VALUE;
        int writes;
        long offered;
        int heapWrites;
        long heapOffered;
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

        /** The same socket seen through a heap writer: takes the array itself, within the same budget. */
        int heapWrite(WritableByteChannel self, byte[] bytes, int offset, int length) throws IOException {
            assertTrue(self == this);
            heapWrites++;
            if (failure != null) {
                throw failure;
            }
            assertTrue(length > 0 && length <= SocketIo.MAX_HEAP_IO, "length " + length);
            heapOffered += length;
            int m = Math.min(length, budget);
            received.write(bytes, offset, m);
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

    private static SocketIo staged(int scratchSize) {
        return new SocketIo(null, scratchSize);
    }

    private static SocketIo direct(ShortWriteChannel channel, int scratchSize) {
        return new SocketIo(channel::heapWrite, scratchSize);
    }

    private static byte[] randomBytes(SplittableRandom random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    /** What SocketTransport does: send at once while nothing waits, queue the rest, flush on writability. */
    @ParameterizedTest(name = "heap writer: {0}")
    @ValueSource(booleans = {false, true})
    void everyByteArrivesInOrderWhateverTheSocketTakes(boolean heapIo) throws IOException {
        SplittableRandom random = new SplittableRandom(7);
        WriteQueue queue = new WriteQueue();
        ShortWriteChannel channel = new ShortWriteChannel();
        SocketIo output = heapIo ? direct(channel, 1024) : staged(1024);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (int round = 0; round < 3_000; round++) {
            channel.budget = random.nextInt(random.nextBoolean() ? 200 : 5_000);
            if (random.nextBoolean()) {
                byte[] data = randomBytes(random, random.nextInt(random.nextBoolean() ? 40 : 5_000));
                expected.writeBytes(data);
                ByteBuffer src = random.nextBoolean() ? ByteBuffer.wrap(data)
                        : ByteBuffer.allocateDirect(data.length).put(data).flip();
                if (!queue.isEmpty() || !output.send(channel, src)) {
                    long before = queue.size();
                    int rest = src.remaining();
                    queue.add(src);
                    assertFalse(src.hasRemaining(), "add consumes the source");
                    assertEquals(before + rest, queue.size());
                }
            } else if (!queue.isEmpty()) {
                long before = queue.size();
                long sent = queue.writeTo(channel, output);
                assertEquals(before - sent, queue.size());
            }
        }
        channel.budget = Integer.MAX_VALUE;
        queue.writeTo(channel, output);
        assertTrue(queue.isEmpty());
        assertArrayEquals(expected.toByteArray(), channel.received.toByteArray());
        assertEquals(heapIo, channel.heapWrites > 0, "heap writes happen exactly when there is a heap writer");
    }

    @Test
    void aLargeHeapWriteIsStagedAtMostAScratchAtATime() throws IOException {
        SocketIo output = staged(1024);
        ShortWriteChannel channel = new ShortWriteChannel();
        channel.budget = 100;
        ByteBuffer data = ByteBuffer.wrap(new byte[1_000_000]);
        assertFalse(output.send(channel, data));
        assertEquals(100, data.position(), "the position moves by what the socket took");
        assertEquals(1024, channel.offered, "one scratch load was offered, not the whole megabyte");

        WriteQueue queue = new WriteQueue();
        queue.add(data);
        channel.offered = 0;
        channel.writes = 0;
        assertEquals(100, queue.writeTo(channel, output));
        assertEquals(1, channel.writes, "a short write ends the flush");
        assertEquals(1024, channel.offered);
    }

    @Test
    void aFlushGoesOnWhileTheSocketTakesEverything() throws IOException {
        WriteQueue queue = new WriteQueue();
        for (int i = 0; i < 30; i++) {
            queue.add(ByteBuffer.wrap(new byte[100]));
        }
        ShortWriteChannel channel = new ShortWriteChannel();
        assertEquals(3_000, queue.writeTo(channel, staged(1024)));
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
        queue.writeTo(channel, staged(16));
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
            queue.writeTo(channel, staged(4));
        }
        assertEquals("789abcabcd", channel.received.toString());
    }

    @Test
    void aFailedWriteLeavesTheQueueAsItWasAndClearEmptiesIt() {
        WriteQueue queue = new WriteQueue();
        queue.add(ByteBuffer.wrap(new byte[200]));
        ShortWriteChannel channel = new ShortWriteChannel();
        channel.failure = new IOException("reset");
        assertThrows(IOException.class, () -> queue.writeTo(channel, staged(64)));
        assertEquals(200, queue.size());
        WriteQueue large = new WriteQueue();
        large.add(ByteBuffer.wrap(new byte[SocketIo.GATHER_LIMIT]));
        assertThrows(IOException.class, () -> large.writeTo(channel, direct(channel, 64)));
        assertEquals(1, channel.heapWrites, "the heap writer failed");
        assertEquals(SocketIo.GATHER_LIMIT, large.size());
        queue.clear();
        assertTrue(queue.isEmpty());
        assertEquals(0, queue.size());
    }

    @Test
    void withAHeapIoALargeHeapBufferGoesFromItsArrayInBoundedPieces() throws IOException {
        ShortWriteChannel channel = new ShortWriteChannel();
        SocketIo output = direct(channel, 1024);
        byte[] bytes = new byte[SocketIo.MAX_HEAP_IO * 2 + 10];
        new SplittableRandom(3).nextBytes(bytes);
        assertTrue(output.send(channel, ByteBuffer.wrap(bytes)));
        assertEquals(3, channel.heapWrites, "two full pieces and the rest");
        assertEquals(bytes.length, channel.heapOffered, "each byte offered to the socket once");
        assertEquals(0, channel.writes, "nothing was staged");
        assertArrayEquals(bytes, channel.received.toByteArray());

        channel.budget = 100;
        ByteBuffer data = ByteBuffer.wrap(bytes, 7, 5_000);
        assertFalse(output.send(channel, data));
        assertEquals(107, data.position(), "the position moves by what the socket took");
    }

    @Test
    void withAHeapIoDirectAndReadOnlyBuffersStillGoThroughTheChannel() throws IOException {
        ShortWriteChannel channel = new ShortWriteChannel();
        SocketIo output = direct(channel, 1024);
        assertTrue(output.send(channel, ByteBuffer.allocateDirect(500)));
        assertTrue(output.send(channel, ByteBuffer.wrap(new byte[700]).asReadOnlyBuffer()));
        assertEquals(0, channel.heapWrites);
        assertEquals(2, channel.writes, "the direct buffer as it is, the read-only one through the scratch buffer");
        assertEquals(1_200, channel.received.size());
    }

    @Test
    void withAHeapIoSmallQueuedBuffersAreGatheredAndLargeOnesSentFromTheirArrays() throws IOException {
        ShortWriteChannel channel = new ShortWriteChannel();
        WriteQueue queue = new WriteQueue();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        SplittableRandom random = new SplittableRandom(11);
        for (int n : new int[] {100, 200, 300, SocketIo.GATHER_LIMIT, 50, 60, SocketIo.GATHER_LIMIT * 3}) {
            byte[] b = randomBytes(random, n);
            expected.writeBytes(b);
            queue.add(ByteBuffer.wrap(b));
        }
        assertEquals(expected.size(), queue.writeTo(channel, direct(channel, 64 * 1024)));
        assertEquals(2, channel.writes, "100+200+300 in one system call, 50+60 in another");
        assertEquals(2, channel.heapWrites, "each large buffer in one call of its own");
        assertEquals(SocketIo.GATHER_LIMIT * 4L, channel.heapOffered, "each large buffer offered once, whole");
        assertEquals(600 + 110, channel.offered);
        assertArrayEquals(expected.toByteArray(), channel.received.toByteArray());
        assertTrue(queue.isEmpty());
    }

    @Test
    void aWriteThatFailsAfterAnEarlierOneInTheSameFlushKeepsOnlyWhatWasNotSent() {
        WritableByteChannel failsSecondTime = new WritableByteChannel() {
            private int calls;

            @Override
            public int write(ByteBuffer src) throws IOException {
                if (++calls == 2) {
                    throw new IOException("Broken pipe");
                }
                int n = src.remaining();
                src.position(src.limit());
                return n;
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {
            }
        };
        WriteQueue queue = new WriteQueue();
        queue.add(ByteBuffer.wrap(new byte[8_000]));
        queue.add(ByteBuffer.wrap(new byte[8_000]));
        assertThrows(IOException.class, () -> queue.writeTo(failsSecondTime, staged(8_000)));
        assertEquals(8_000, queue.size(), "the first buffer went out in the first call, the second is still queued");
    }
}
