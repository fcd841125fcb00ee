package dev.asyncloop;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * The bytes a {@link StreamReader} holds: appended at the end, taken from the front. A queue of chunks, each an
 * array with a live range. Received data is copied once into a chunk of its own size (or into the free room of
 * the last chunk when it is small), so that a read taking exactly one whole chunk returns that array without
 * copying it again, nothing is ever moved to make room, and consumed chunks are let go instead of holding the
 * largest burst's capacity for the life of the connection. Searches for a separator coalesce the chunks into
 * one with room to spare, so that a line arriving in small pieces is scanned and copied in amortised linear
 * time. Not thread-safe.
 */
final class StreamBuffer {
    /** Smallest chunk made for small appends: they share it instead of each getting an array. */
    static final int MIN_CHUNK = 1024;

    private static final class Chunk {
        final byte[] bytes;
        int start;
        int end;

        Chunk(byte[] bytes, int end) {
            this.bytes = bytes;
            this.end = end;
        }

        int size() {
            return end - start;
        }
    }

    private final ArrayDeque<Chunk> chunks = new ArrayDeque<>();
    private int size;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Copies {@code data}'s remaining bytes in; moves its position to its limit. */
    void append(ByteBuffer data) {
        int n = data.remaining();
        if (n == 0) {
            return;
        }
        if (n > Integer.MAX_VALUE - 16 - size) {
            throw new OutOfMemoryError("stream buffer would exceed 2 GiB");
        }
        Chunk last = chunks.peekLast();
        if (last != null && last.bytes.length - last.end >= n) {
            data.get(last.bytes, last.end, n);
            last.end += n;
        } else if (n >= MIN_CHUNK && data.hasArray()) {
            int from = data.arrayOffset() + data.position();
            chunks.addLast(new Chunk(Arrays.copyOfRange(data.array(), from, from + n), n)); // not zeroed first
            data.position(data.limit());
        } else {
            byte[] bytes = new byte[Math.max(n, MIN_CHUNK)];
            data.get(bytes, 0, n);
            chunks.addLast(new Chunk(bytes, n));
        }
        size += n;
    }

    void append(byte[] data) {
        append(ByteBuffer.wrap(data));
    }

    /** Index (from the front) of the first occurrence of {@code sep} at or after {@code from}, or -1. */
    int indexOf(byte[] sep, int from) {
        if (size - Math.max(0, from) < sep.length) {
            return -1;
        }
        Chunk c = coalesce();
        byte[] bytes = c.bytes;
        int last = c.end - sep.length;
        byte first = sep[0];
        outer:
        for (int i = c.start + Math.max(0, from); i <= last; i++) {
            if (bytes[i] != first) {
                continue;
            }
            for (int j = 1; j < sep.length; j++) {
                if (bytes[i + j] != sep[j]) {
                    continue outer;
                }
            }
            return i - c.start;
        }
        return -1;
    }

    /** Whether the bytes at {@code at} (from the front) start with {@code prefix}. */
    boolean startsWith(byte[] prefix, int at) {
        if (at < 0 || at + prefix.length > size) {
            return false;
        }
        if (prefix.length == 0) {
            return true;
        }
        Chunk c = coalesce();
        return Arrays.equals(c.bytes, c.start + at, c.start + at + prefix.length, prefix, 0, prefix.length);
    }

    /** Removes and returns the first {@code n} bytes (all of them if fewer). */
    byte[] take(int n) {
        int k = Math.min(Math.max(n, 0), size);
        Chunk head = chunks.peekFirst();
        if (head == null) {
            return new byte[0];
        }
        if (k == head.bytes.length && head.start == 0 && head.end == k) {
            chunks.pollFirst();
            size -= k;
            return head.bytes;
        }
        if (k <= head.size()) {
            // copyOfRange lets the JIT skip zeroing the new array: one pass over the bytes instead of two
            byte[] out = Arrays.copyOfRange(head.bytes, head.start, head.start + k);
            consume(head, k);
            size -= k;
            return out;
        }
        byte[] out = new byte[k];
        int copied = 0;
        while (copied < k) {
            Chunk c = chunks.peekFirst();
            int m = Math.min(k - copied, c.size());
            System.arraycopy(c.bytes, c.start, out, copied, m);
            copied += m;
            consume(c, m);
        }
        size -= k;
        return out;
    }

    /** Removes the first {@code n} bytes (all of them if fewer). */
    void drop(int n) {
        int k = Math.min(Math.max(n, 0), size);
        int left = k;
        while (left > 0) {
            Chunk c = chunks.peekFirst();
            int m = Math.min(left, c.size());
            consume(c, m);
            left -= m;
        }
        size -= k;
    }

    void clear() {
        chunks.clear();
        size = 0;
    }

    private void consume(Chunk c, int m) {
        c.start += m;
        if (c.start == c.end) {
            chunks.pollFirst();
        }
    }

    /** Makes the buffer one chunk (with room for as much again, so later small appends land in it). */
    private Chunk coalesce() {
        if (chunks.size() == 1) {
            return chunks.peekFirst();
        }
        long capacity = Math.max(MIN_CHUNK, (long) size * 2);
        byte[] all = new byte[(int) Math.min(capacity, Integer.MAX_VALUE - 16)];
        int at = 0;
        for (Chunk c : chunks) {
            System.arraycopy(c.bytes, c.start, all, at, c.size());
            at += c.size();
        }
        chunks.clear();
        Chunk one = new Chunk(all, at);
        chunks.addLast(one);
        return one;
    }
}
