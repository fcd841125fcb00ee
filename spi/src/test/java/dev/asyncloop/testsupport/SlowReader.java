package dev.asyncloop.testsupport;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The blocking peer of a write-path test: reads a channel until EOF, in random amounts (now and then only a few
 * bytes) with random short pauses (0.3 s in all at most), keeps what it read, and closes the channel. Run it on a
 * thread of its own; {@link #received()} may be read from any thread while it runs, {@link #bytes()} and
 * {@link #failure()} once the thread is joined.
 */
public final class SlowReader implements Runnable {
    private static final int BUFFER = 128 * 1024;

    private final ReadableByteChannel channel;
    private final SplittableRandom rnd;
    private final RandomPauses pauses;
    private final ByteArrayOutputStream got = new ByteArrayOutputStream();
    private final AtomicLong received = new AtomicLong();
    private volatile @Nullable Throwable failure;

    /**
     * A reader of {@code channel} whose amounts and pauses {@code seed} picks.
     *
     * @param channel a blocking channel; the reader closes it
     * @param seed the test's seed (the reader draws from a generator of its own derived from it)
     */
    public SlowReader(ReadableByteChannel channel, long seed) {
        this.channel = channel;
        this.rnd = new SplittableRandom(seed * 31 + 7);
        this.pauses = new RandomPauses(rnd, 16, Duration.ofMillis(2), Duration.ofMillis(300));
    }

    @Override
    public void run() {
        try (channel) {
            ByteBuffer buf = ByteBuffer.allocate(BUFFER);
            while (true) {
                int want = rnd.nextInt(10) == 0 ? rnd.nextInt(1, 17) : rnd.nextInt(1024, BUFFER + 1);
                buf.clear().limit(want);
                int n = channel.read(buf);
                if (n < 0) {
                    return;
                }
                got.write(buf.array(), 0, n);
                received.addAndGet(n);
                pauses.maybePause();
            }
        } catch (Throwable t) {
            failure = t;
        }
    }

    /**
     * How many bytes it read so far.
     *
     * @return the count, safe to read from any thread
     */
    public long received() {
        return received.get();
    }

    /**
     * What it read; call once its thread is joined.
     *
     * @return a copy of the bytes
     */
    public byte[] bytes() {
        return got.toByteArray();
    }

    /**
     * What ended it other than EOF.
     *
     * @return the exception, or null if it read until EOF (or still runs)
     */
    public @Nullable Throwable failure() {
        return failure;
    }
}
