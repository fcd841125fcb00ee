package dev.asyncloop.epoll;

import dev.asyncloop.ExceptionContext;
import dev.asyncloop.testsupport.FlowCheckingWriter;
import dev.asyncloop.testsupport.SlowReader;
import dev.asyncloop.testsupport.SocketPair;
import dev.asyncloop.testsupport.StressSeeds;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The epoll loop's write path under random load (its heap writes go straight from the arrays through
 * {@link EpollHeapIo}, gathered below 4 KiB): random writes of 0 .. 1 MiB (arrays, heap slices, direct buffers,
 * {@code writeLines}) scribbled over once {@code write} returns, random water marks, small kernel buffers, a peer
 * that reads slowly at random, and an end by {@code close} or {@code writeEof}, sometimes from
 * {@code resumeWriting}. Checked ({@link FlowCheckingWriter}): every byte once, in order; pause/resume alternate
 * from pause, exactly when the buffer goes above the high mark / back to the low one; the buffer size never
 * negative nor more than written minus received, 0 at the end; one {@code connectionLost(null)}. Seeds as the spi
 * module's stress tests ({@link StressSeeds}): {@code -Dasyncloop.stress.seed=S} replays one.
 */
@Timeout(60)
class EpollWritePathStressTest {
    private static final long BUDGET = 4L << 20;
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    @DisplayName("random writes, marks and a slow peer on the epoll loop: bytes in order once, asyncio's flow control")
    void randomWrites() {
        StressSeeds.forEach(this::scenario, 31, 32, 33);
    }

    /** Random marks half the time; writes arrays, heap slices, direct buffers and two-piece {@code writeLines}. */
    static final class Writer extends FlowCheckingWriter {
        Writer(EpollEventLoop loop, SplittableRandom rnd, SlowReader peer) {
            super(loop, rnd, peer, BUDGET, true);
        }

        @Override
        protected void chooseMarks() {
            if (rnd.nextBoolean()) {
                int high = rnd.nextInt(0, 512 * 1024);
                transport().setWriteBufferLimits(high, rnd.nextInt(0, high + 1));
            }
        }

        private byte[] randomBytes() {
            int r = rnd.nextInt(10);
            int n = r < 4 ? rnd.nextInt(0, 101) : r < 7 ? rnd.nextInt(0, 16 * 1024) : r < 9
                    ? rnd.nextInt(0, 256 * 1024) : rnd.nextInt(0, (1 << 20) + 1);
            byte[] b = new byte[n];
            for (int i = 0; i < n; i++) {
                b[i] = (byte) (rnd.nextInt(256));
            }
            return b;
        }

        @Override
        protected void writeOne() {
            byte[] data = randomBytes();
            switch (rnd.nextInt(4)) {
                case 0 -> {
                    sent(data, 0, data.length);
                    transport().write(data);
                }
                case 1 -> {
                    int from = data.length == 0 ? 0 : rnd.nextInt(0, Math.min(6, data.length));
                    ByteBuffer slice = ByteBuffer.wrap(data, from, data.length - from).slice();
                    sent(data, from, data.length - from);
                    transport().write(slice);
                }
                case 2 -> {
                    ByteBuffer direct = ByteBuffer.allocateDirect(data.length).put(data).flip();
                    sent(data, 0, data.length);
                    transport().write(direct);
                    direct.clear();
                    while (direct.hasRemaining()) {
                        direct.put((byte) 0x55);
                    }
                }
                default -> {
                    int half = data.length / 2;
                    sent(data, 0, data.length);
                    transport().writeLines(List.of(ByteBuffer.wrap(data, 0, half),
                            ByteBuffer.wrap(data, half, data.length - half)));
                }
            }
            Arrays.fill(data, (byte) 0x55); // asyncio copies what it could not send: this must not show
        }
    }

    void scenario(long seed) throws Exception {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<ExceptionContext> reports = new ArrayList<>();
        try (EpollEventLoop loop = new EpollEventLoop();
                SocketPair ends = SocketPair.withBuffers(rnd.nextInt(4096, 65537), rnd.nextInt(4096, 65537))) {
            loop.setExceptionHandler((l, c) -> reports.add(c));
            SlowReader peer = new SlowReader(ends.peer(), seed);
            Thread reader = Thread.ofPlatform().name("slow-peer-" + seed).start(peer);
            ends.ours().configureBlocking(false);
            Writer writer = new Writer(loop, rnd, peer);
            loop.runUntilComplete(loop.connectAcceptedSocket(() -> writer, ends.ours()));
            FlowCheckingWriter.finish(loop, writer, peer, reader, reports, WAIT);
        }
    }
}
