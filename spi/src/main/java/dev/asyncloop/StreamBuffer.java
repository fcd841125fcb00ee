package dev.asyncloop;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The bytes a {@link StreamReader} holds: appended at the end, taken from the front. One growable array with a
 * read index; the live bytes are moved to the front when the array has to grow. Not thread-safe.
 */
final class StreamBuffer {
    private byte[] bytes = new byte[0];
    private int start;
    private int end;

    int size() {
        return end - start;
    }

    boolean isEmpty() {
        return start == end;
    }

    /** Copies {@code data}'s remaining bytes in; moves its position to its limit. */
    void append(ByteBuffer data) {
        int n = data.remaining();
        ensureRoom(n);
        data.get(bytes, end, n);
        end += n;
    }

    void append(byte[] data) {
        append(ByteBuffer.wrap(data));
    }

    private void ensureRoom(int n) {
        if (bytes.length - end >= n) {
            return;
        }
        int live = size();
        if (live + n <= bytes.length / 2 + bytes.length / 4) {
            System.arraycopy(bytes, start, bytes, 0, live);
        } else {
            long wanted = Math.max((long) live + n, Math.max(256, (long) bytes.length * 2));
            if (wanted > Integer.MAX_VALUE - 16) {
                throw new OutOfMemoryError("stream buffer would exceed 2 GiB");
            }
            byte[] grown = new byte[(int) wanted];
            System.arraycopy(bytes, start, grown, 0, live);
            bytes = grown;
        }
        start = 0;
        end = live;
    }

    /** Index (from the front) of the first occurrence of {@code sep} at or after {@code from}, or -1. */
    int indexOf(byte[] sep, int from) {
        int last = end - sep.length;
        outer:
        for (int i = start + Math.max(0, from); i <= last; i++) {
            for (int j = 0; j < sep.length; j++) {
                if (bytes[i + j] != sep[j]) {
                    continue outer;
                }
            }
            return i - start;
        }
        return -1;
    }

    /** Whether the bytes at {@code at} (from the front) start with {@code prefix}. */
    boolean startsWith(byte[] prefix, int at) {
        if (at < 0 || at + prefix.length > size()) {
            return false;
        }
        return Arrays.equals(bytes, start + at, start + at + prefix.length, prefix, 0, prefix.length);
    }

    /** Removes and returns the first {@code n} bytes (all of them if fewer). */
    byte[] take(int n) {
        int k = Math.min(n, size());
        byte[] out = Arrays.copyOfRange(bytes, start, start + k);
        drop(k);
        return out;
    }

    /** Removes the first {@code n} bytes (all of them if fewer). */
    void drop(int n) {
        start += Math.min(n, size());
        if (start == end) {
            start = 0;
            end = 0;
        }
    }

    void clear() {
        start = 0;
        end = 0;
    }
}
