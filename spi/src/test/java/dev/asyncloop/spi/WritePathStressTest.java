package dev.asyncloop.spi;

import dev.asyncloop.ExceptionContext;
import dev.asyncloop.testsupport.FlowCheckingWriter;
import dev.asyncloop.testsupport.RandomBytes;
import dev.asyncloop.testsupport.SlowReader;
import dev.asyncloop.testsupport.SocketPair;
import dev.asyncloop.testsupport.StressSeeds;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The socket transport's write path under random load: a protocol writes random sizes (0 .. 1 MiB, as arrays,
 * heap slices, direct buffers and {@code writeLines}), scribbles over its buffer once {@code write} returns,
 * sometimes ignores a pause, and ends with {@code writeEof} or {@code close}; a blocking peer reads slowly at
 * random. Checked ({@link FlowCheckingWriter}): the peer gets every byte once, in order;
 * {@code pauseWriting}/{@code resumeWriting} alternate, starting with pause, called exactly when the buffer goes
 * above the high mark / back to the low mark (asyncio's {@code _maybe_pause_protocol}/{@code _maybe_resume_protocol});
 * {@code getWriteBufferSize()} is never negative nor more than written minus received, and 0 at the end; one
 * {@code connectionLost(null)}. Run with the default I/O (heap writes staged through the scratch buffer) and with
 * a {@link StingyHeapIo} that takes a random part of each write and read (partial writes at every offset of the
 * queue), and into a pipe.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class WritePathStressTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final long BUDGET = 6L << 20;

    @Test
    @DisplayName("random writes, marks and a slow peer: bytes in order once, flow control as asyncio's")
    void scratchPath() {
        StressSeeds.forEach(seed -> scenario(seed, null), 11, 12, 13, 14);
    }

    @Test
    @DisplayName("the same through a HeapIo that takes a random part of each write: partial writes everywhere")
    void stingyHeapIo() {
        StressSeeds.forEach(seed -> scenario(seed, new StingyHeapIo(seed)), 21, 22, 23);
    }

    @Test
    @DisplayName("the same into a pipe (writeEof closes it), read slowly at the other end")
    void pipe() {
        StressSeeds.forEach(this::overPipe, 41, 42, 43);
    }

    /**
     * Writes arrays, heap slices (scribbled over once written), direct buffers and {@code writeLines}, of random
     * sizes; the marks: the default, none (0/0), random ones, or only a random low mark.
     */
    static final class Writer extends FlowCheckingWriter {
        Writer(ReadinessEventLoop loop, SplittableRandom rnd, SlowReader peer, boolean knowsWhatTheKernelTook) {
            super(loop, rnd, peer, BUDGET, knowsWhatTheKernelTook);
        }

        @Override
        protected void chooseMarks() {
            int r = rnd.nextInt(4);
            if (r == 1) {
                transport().setWriteBufferLimits(0, 0);
            } else if (r == 2) {
                int high = rnd.nextInt(0, 512 * 1024);
                transport().setWriteBufferLimits(high, rnd.nextInt(0, high + 1));
            } else if (r == 3) {
                transport().setWriteBufferLimits(null, rnd.nextInt(0, 64 * 1024));
            }
        }

        private int randomSize() {
            int r = rnd.nextInt(10);
            return r < 4 ? rnd.nextInt(0, 101) : r < 7 ? rnd.nextInt(0, 16 * 1024) : r < 9
                    ? rnd.nextInt(0, 256 * 1024) : rnd.nextInt(0, (1 << 20) + 1);
        }

        @Override
        protected void writeOne() {
            int kind = rnd.nextInt(4);
            if (kind == 0) {
                byte[] data = RandomBytes.perLong(rnd, randomSize());
                sent(data, 0, data.length);
                transport().write(data);
                Arrays.fill(data, (byte) 0x55);
            } else if (kind == 1) {
                byte[] data = RandomBytes.perLong(rnd, randomSize() + 10);
                int from = rnd.nextInt(0, 6);
                ByteBuffer slice = ByteBuffer.wrap(data, from, data.length - from - rnd.nextInt(0, 5)).slice();
                sent(data, slice.arrayOffset(), slice.remaining());
                transport().write(slice);
                check(!slice.hasRemaining(), "write left the heap buffer's bytes unconsumed");
                Arrays.fill(data, (byte) 0x55);
            } else if (kind == 2) {
                byte[] data = RandomBytes.perLong(rnd, randomSize());
                ByteBuffer direct = ByteBuffer.allocateDirect(data.length).put(data).flip();
                sent(data, 0, data.length);
                transport().write(direct);
                check(!direct.hasRemaining(), "write left the direct buffer's bytes unconsumed");
                direct.clear();
                while (direct.hasRemaining()) {
                    direct.put((byte) 0x55);
                }
            } else {
                List<ByteBuffer> lines = new ArrayList<>();
                List<byte[]> arrays = new ArrayList<>();
                for (int i = rnd.nextInt(0, 5); i > 0; i--) {
                    byte[] data = RandomBytes.perLong(rnd, rnd.nextInt(0, 5000));
                    arrays.add(data);
                    sent(data, 0, data.length);
                    lines.add(ByteBuffer.wrap(data));
                }
                transport().writeLines(lines);
                arrays.forEach(a -> Arrays.fill(a, (byte) 0x55));
            }
        }
    }

    void scenario(long seed, @Nullable HeapIo heapIo) throws Exception {
        List<ExceptionContext> reports = new ArrayList<>();
        SplittableRandom sockets = new SplittableRandom(seed ^ 0x5DEECE66DL);
        // small kernel buffers, so that the transport's own buffer and flow control take the load
        try (ReadinessEventLoop loop = SelectorLoops.newLoop(heapIo);
                SocketPair ends = SocketPair.withBuffers(sockets.nextInt(4096, 65537), sockets.nextInt(4096, 65537))) {
            loop.setExceptionHandler((l, context) -> reports.add(context));
            SlowReader peer = new SlowReader(ends.peer(), seed);
            Thread reader = Thread.ofPlatform().name("slow-peer-" + seed).start(peer);
            ends.ours().configureBlocking(false);
            Writer writer = new Writer(loop, new SplittableRandom(seed), peer, true);
            loop.runUntilComplete(loop.connectAcceptedSocket(() -> writer, ends.ours()));
            FlowCheckingWriter.finish(loop, writer, peer, reader, reports, WAIT);
        }
    }

    void overPipe(long seed) throws Exception {
        List<ExceptionContext> reports = new ArrayList<>();
        try (ReadinessEventLoop loop = SelectorLoops.newLoop(null)) {
            loop.setExceptionHandler((l, context) -> reports.add(context));
            Pipe pipe = Pipe.open();
            pipe.sink().configureBlocking(false);
            SlowReader peer = new SlowReader(pipe.source(), seed);
            Thread reader = Thread.ofPlatform().name("slow-pipe-reader-" + seed).start(peer);
            Writer writer = new Writer(loop, new SplittableRandom(seed), peer, true);
            loop.runUntilComplete(loop.connectWritePipe(() -> writer, pipe.sink()));
            FlowCheckingWriter.finish(loop, writer, peer, reader, reports, WAIT);
        }
    }
}
