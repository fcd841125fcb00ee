package dev.asyncloop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class StreamBufferTest {

    /** The obvious model: one array, everything copied. */
    private static final class Model {
        private byte[] bytes = new byte[0];

        void append(byte[] data) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(bytes);
            out.writeBytes(data);
            bytes = out.toByteArray();
        }

        byte[] take(int n) {
            int k = Math.min(n, bytes.length);
            byte[] out = Arrays.copyOf(bytes, k);
            bytes = Arrays.copyOfRange(bytes, k, bytes.length);
            return out;
        }

        int indexOf(byte[] sep, int from) {
            for (int i = Math.max(0, from); i + sep.length <= bytes.length; i++) {
                if (Arrays.equals(bytes, i, i + sep.length, sep, 0, sep.length)) {
                    return i;
                }
            }
            return -1;
        }

        boolean startsWith(byte[] prefix, int at) {
            return at >= 0 && at + prefix.length <= bytes.length
                    && Arrays.equals(bytes, at, at + prefix.length, prefix, 0, prefix.length);
        }
    }

    @Test
    void randomOperationsMatchTheModel() {
        SplittableRandom random = new SplittableRandom(20261125);
        for (int round = 0; round < 200; round++) {
            StreamBuffer buffer = new StreamBuffer();
            Model model = new Model();
            for (int op = 0; op < 200; op++) {
                int size = model.bytes.length;
                switch (random.nextInt(6)) {
                    case 0, 1 -> {
                        int n = random.nextInt(4) == 0 ? random.nextInt(3000) : random.nextInt(40);
                        byte[] data = new byte[n];
                        for (int i = 0; i < n; i++) {
                            data[i] = (byte) random.nextInt(3); // a small alphabet, so separators occur
                        }
                        // direct, or a heap slice with an array offset: both copy paths
                        ByteBuffer source = random.nextBoolean() ? ByteBuffer.allocateDirect(n + 4)
                                : ByteBuffer.wrap(new byte[n + 7]).position(3).slice();
                        source.put(new byte[2]).put(data).flip().position(2);
                        buffer.append(source);
                        assertFalse(source.hasRemaining(), "append consumes the buffer");
                        model.append(data);
                    }
                    case 2 -> {
                        int n = random.nextInt(size + 2);
                        assertArrayEquals(model.take(n), buffer.take(n), "take(" + n + ")");
                    }
                    case 3 -> {
                        int n = random.nextInt(size + 2);
                        model.take(n);
                        buffer.drop(n);
                    }
                    case 4 -> {
                        byte[] sep = random.nextBoolean() ? new byte[] {2} : new byte[] {1, 2, 0};
                        int from = random.nextInt(size + 1);
                        assertEquals(model.indexOf(sep, from), buffer.indexOf(sep, from),
                                "indexOf(" + Arrays.toString(sep) + ", " + from + ")");
                    }
                    default -> {
                        byte[] prefix = {(byte) random.nextInt(3)};
                        int at = random.nextInt(size + 2) - 1;
                        assertEquals(model.startsWith(prefix, at), buffer.startsWith(prefix, at), "startsWith at " + at);
                    }
                }
                assertEquals(model.bytes.length, buffer.size(), "size");
                assertEquals(model.bytes.length == 0, buffer.isEmpty(), "isEmpty");
            }
            assertArrayEquals(model.take(Integer.MAX_VALUE), buffer.take(Integer.MAX_VALUE), "the rest");
        }
    }

    @Test
    void aWholeChunkTakenBelongsToTheCaller() {
        StreamBuffer buffer = new StreamBuffer();
        byte[] data = new byte[StreamBuffer.MIN_CHUNK * 4];
        Arrays.fill(data, (byte) 7);
        buffer.append(ByteBuffer.wrap(data));
        buffer.append(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        byte[] first = buffer.take(Integer.MAX_VALUE - 1);
        assertArrayEquals(concat(data, new byte[] {1, 2, 3}), first, "two chunks are copied into one result");

        buffer.append(ByteBuffer.wrap(data));
        byte[] again = buffer.take(data.length);
        assertArrayEquals(data, again);
        assertTrue(buffer.isEmpty());
        buffer.append(ByteBuffer.wrap(new byte[] {9}));
        assertArrayEquals(new byte[] {9}, buffer.take(1), "the handed-over array is not written into again");
        assertArrayEquals(data, again, "the handed-over array is the caller's");
    }

    @Test
    void smallAppendsShareOneChunkAndASearchCoalescesOnce() {
        StreamBuffer buffer = new StreamBuffer();
        for (int i = 0; i < 5000; i++) {
            buffer.append(new byte[] {'a'});
        }
        buffer.append(new byte[] {'\n'});
        assertEquals(5000, buffer.indexOf(new byte[] {'\n'}, 0));
        assertTrue(buffer.startsWith(new byte[] {'a', 'a'}, 4998));
        byte[] line = buffer.take(5001);
        assertEquals('\n', line[5000]);
        assertTrue(buffer.isEmpty());
        assertEquals(0, buffer.take(10).length, "taking from an empty buffer returns an empty array");
    }

    @Test
    void takingExactlyAChunksCapacityAcrossChunksCopiesOnlyItsBytes() {
        // A small first chunk (capacity MIN_CHUNK, 5 bytes used), then a chunk of its own for a large array.
        StreamBuffer partly = new StreamBuffer();
        byte[] large = new byte[2 * StreamBuffer.MIN_CHUNK];
        Arrays.fill(large, (byte) 'x');
        partly.append(new byte[] {1, 2, 3, 4, 5});
        partly.append(ByteBuffer.wrap(large));
        byte[] expected = concat(new byte[] {1, 2, 3, 4, 5}, Arrays.copyOf(large, StreamBuffer.MIN_CHUNK - 5));
        assertArrayEquals(expected, partly.take(StreamBuffer.MIN_CHUNK));
        assertEquals(large.length - (StreamBuffer.MIN_CHUNK - 5), partly.size());

        // A full first chunk with its first byte taken, then another chunk.
        StreamBuffer consumed = new StreamBuffer();
        byte[] full = new byte[StreamBuffer.MIN_CHUNK];
        for (int i = 0; i < full.length; i++) {
            full[i] = (byte) (i + 1);
        }
        consumed.append(ByteBuffer.wrap(full));
        assertArrayEquals(new byte[] {1}, consumed.take(1));
        consumed.append(new byte[] {-1, -2});
        assertArrayEquals(concat(Arrays.copyOfRange(full, 1, full.length), new byte[] {-1}),
                consumed.take(StreamBuffer.MIN_CHUNK));
        assertArrayEquals(new byte[] {-2}, consumed.take(10));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
