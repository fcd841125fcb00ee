package dev.asyncloop.spi;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.SplittableRandom;

/**
 * A {@link HeapIo} that takes a random part (sometimes nothing) of each write and fills a random part of each
 * read, so that a transport meets partial writes and short reads at every offset of its buffers.
 */
final class StingyHeapIo implements HeapIo {
    private final SplittableRandom rnd;

    /** @param seed the test's seed (the I/O draws from a generator of its own derived from it) */
    StingyHeapIo(long seed) {
        rnd = new SplittableRandom(~seed);
    }

    @Override
    public int read(SocketChannel channel, byte[] bytes, int offset, int length) throws IOException {
        return channel.read(ByteBuffer.wrap(bytes, offset, rnd.nextInt(1, length + 1)));
    }

    @Override
    public int write(SocketChannel channel, byte[] bytes, int offset, int length) throws IOException {
        int k = rnd.nextInt(8) == 0 ? 0 : rnd.nextInt(1, length + 1);
        return k == 0 ? 0 : channel.write(ByteBuffer.wrap(bytes, offset, k));
    }
}
