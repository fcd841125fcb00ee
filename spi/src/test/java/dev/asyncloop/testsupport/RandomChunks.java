package dev.asyncloop.testsupport;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.SplittableRandom;

/**
 * Writes a byte array in pieces of random sizes: usually up to one bound, one time in {@code oneIn} up to another
 * (small pieces among large ones, or the other way round), to whatever {@link Sink} takes them.
 */
public final class RandomChunks {
    /** Where the pieces go: a channel, a stream, a transport. */
    @FunctionalInterface
    public interface Sink {
        /**
         * Takes all of {@code data[offset, offset + length)}.
         *
         * @param data the array
         * @param offset where the piece starts
         * @param length the piece's size, at least 1
         * @throws IOException if the write fails
         */
        void write(byte[] data, int offset, int length) throws IOException;
    }

    private final SplittableRandom rnd;
    private final int oneIn;
    private final int rareBound;
    private final int usualBound;

    /**
     * Piece sizes drawn from {@code rnd}: one in {@code oneIn} (about) in {@code [1, rareBound)}, the others in
     * {@code [1, usualBound)}, never more than what is left.
     *
     * @param rnd the generator, shared with whatever else the writer draws (the order of draws is the seed's case)
     * @param oneIn how rare a rare piece is, at least 1
     * @param rareBound the exclusive bound of a rare piece, at least 2
     * @param usualBound the exclusive bound of a usual piece, at least 2
     */
    public RandomChunks(SplittableRandom rnd, int oneIn, int rareBound, int usualBound) {
        this.rnd = rnd;
        this.oneIn = oneIn;
        this.rareBound = rareBound;
        this.usualBound = usualBound;
    }

    /**
     * The next piece's size.
     *
     * @param left the bytes still to write, at least 1
     * @return a size in {@code [1, left]}
     */
    public int next(int left) {
        return Math.min(left, rnd.nextInt(oneIn) == 0 ? rnd.nextInt(1, rareBound) : rnd.nextInt(1, usualBound));
    }

    /**
     * Writes all of {@code data} to {@code sink} in random pieces.
     *
     * @param data the bytes
     * @param sink where they go
     * @throws IOException if the sink fails
     */
    public void writeAll(byte[] data, Sink sink) throws IOException {
        for (int at = 0; at < data.length; ) {
            int n = next(data.length - at);
            sink.write(data, at, n);
            at += n;
        }
    }

    /**
     * Writes all of {@code data} to {@code sink} in random pieces, maybe pausing after each.
     *
     * @param data the bytes
     * @param sink where they go
     * @param pauses drawn after each piece
     * @throws IOException if the sink fails
     * @throws InterruptedException if the thread is interrupted in a pause
     */
    public void writeAll(byte[] data, Sink sink, RandomPauses pauses) throws IOException, InterruptedException {
        for (int at = 0; at < data.length; ) {
            int n = next(data.length - at);
            sink.write(data, at, n);
            at += n;
            pauses.maybePause();
        }
    }

    /**
     * A sink that writes each piece completely to a blocking channel.
     *
     * @param channel a blocking channel
     * @return the sink
     */
    public static Sink to(WritableByteChannel channel) {
        return (data, offset, length) -> {
            ByteBuffer piece = ByteBuffer.wrap(data, offset, length);
            while (piece.hasRemaining()) {
                channel.write(piece);
            }
        };
    }

    /**
     * A sink that writes each piece to a stream and flushes it.
     *
     * @param out the stream
     * @return the sink
     */
    public static Sink to(OutputStream out) {
        return (data, offset, length) -> {
            out.write(data, offset, length);
            out.flush();
        };
    }
}
