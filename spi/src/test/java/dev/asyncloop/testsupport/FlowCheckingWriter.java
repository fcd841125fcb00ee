package dev.asyncloop.testsupport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.asyncloop.EventLoop;
import dev.asyncloop.ExceptionContext;
import dev.asyncloop.Transport;
import dev.asyncloop.WriteTransport;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

/**
 * The protocol of a write-path stress test: writes at random until a byte budget or a random end ({@code close},
 * or {@code writeEof} then {@code close}, sometimes from {@code resumeWriting}), sometimes ignoring a pause, and
 * checks asyncio's flow control at every step and in the callbacks: {@code pauseWriting}/{@code resumeWriting}
 * alternate from pause, each exactly when the buffer goes above the high mark / back to the low mark
 * ({@code _maybe_pause_protocol}/{@code _maybe_resume_protocol}); the buffer size is never negative nor (where
 * the transport learns at once what the kernel took) more than written minus what the {@link SlowReader} got; one
 * {@code connectionLost}, with an empty buffer. A subclass picks the water marks and the writes, each from
 * {@link #rnd}, so that a seed replays its cases. The first failed check is kept and ends the connection;
 * {@link #finish} reports it. Runs on the loop's thread.
 */
public abstract class FlowCheckingWriter extends RecordingStreamProtocol<WriteTransport> {
    /** The generator of every choice, the subclass's too. */
    protected final SplittableRandom rnd;
    private final EventLoop loop;
    private final SlowReader peer;
    private final long budget;
    private final ByteArrayOutputStream sent = new ByteArrayOutputStream();
    private final List<String> flow = new ArrayList<>();
    private final boolean knowsWhatTheKernelTook;
    private boolean paused;
    private boolean ended;
    private @Nullable AssertionError failure;

    /**
     * A writer on {@code loop} writing to {@code peer}.
     *
     * @param loop the loop
     * @param rnd the generator of every choice
     * @param peer the reader at the other end
     * @param budget how many bytes it writes at most
     * @param knowsWhatTheKernelTook whether the buffer shrinks as the system call returns (a readiness
     *     transport), so that it is never more than written minus received; a pumped transport learns what its
     *     thread wrote a little later
     */
    protected FlowCheckingWriter(EventLoop loop, SplittableRandom rnd, SlowReader peer, long budget,
            boolean knowsWhatTheKernelTook) {
        super(loop, WriteTransport.class);
        this.loop = loop;
        this.rnd = rnd;
        this.peer = peer;
        this.budget = budget;
        this.knowsWhatTheKernelTook = knowsWhatTheKernelTook;
    }

    /** Sets random water marks (or none) on the transport, drawing from {@link #rnd}. */
    protected abstract void chooseMarks();

    /** Writes once, at random (drawing from {@link #rnd}), and notes the bytes with {@link #sent}. */
    protected abstract void writeOne();

    /**
     * Notes bytes as written: the peer must get them, in this order.
     *
     * @param data the array
     * @param offset where the bytes start
     * @param length how many
     */
    protected final void sent(byte[] data, int offset, int length) {
        sent.write(data, offset, length);
    }

    /**
     * Keeps the first failed check.
     *
     * @param condition what must hold
     * @param what what it means when it does not
     */
    protected final void check(boolean condition, String what) {
        if (!condition && failure == null) {
            WriteTransport t = transport();
            failure = new AssertionError(what + "; flow " + tail(flow) + ", size " + t.getWriteBufferSize()
                    + ", marks " + t.getWriteBufferHighWater() + "/" + t.getWriteBufferLowWater() + ", sent "
                    + sent.size());
        }
    }

    private static String tail(List<String> flow) {
        return flow.size() <= 6 ? flow.toString() : "[..." + flow.subList(flow.size() - 6, flow.size()) + "]";
    }

    @Override
    public final void connectionMade(Transport t) {
        super.connectionMade(t);
        chooseMarks();
        loop.callSoon(this::step);
    }

    /** At any moment outside the transport: paused exactly while above low since last above high. */
    private void checkState() {
        WriteTransport t = transport();
        int size = t.getWriteBufferSize();
        check(size >= 0, "negative buffer size");
        if (knowsWhatTheKernelTook) {
            check(size <= sent.size() - peer.received(), "buffer larger than written minus received");
        }
        if (paused) {
            check(size > t.getWriteBufferLowWater(), "still paused at or below the low mark");
        } else {
            check(size <= t.getWriteBufferHighWater(), "above the high mark but not paused");
        }
    }

    private void step() {
        if (ended) {
            return;
        }
        if (failure != null) {
            end(); // fail fast: finish() reports the failure once the connection is lost
            return;
        }
        checkState();
        if (sent.size() >= budget || rnd.nextInt(200) == 0) {
            end();
            return;
        }
        for (int k = rnd.nextInt(1, 4); k > 0 && sent.size() < budget; k--) {
            writeOne();
            checkState();
            if (paused && rnd.nextInt(10) != 0) {
                return; // resumeWriting schedules the next step
            }
        }
        loop.callSoon(this::step);
    }

    private void end() {
        ended = true;
        if (rnd.nextBoolean()) {
            transport().writeEof();
        }
        transport().close();
    }

    @Override
    public final void dataReceived(ByteBuffer data) {
        check(false, "the peer sends nothing");
    }

    @Override
    public final void pauseWriting() {
        flow.add("pause");
        check(!paused, "pauseWriting while paused");
        check(transport().getWriteBufferSize() > transport().getWriteBufferHighWater(),
                "pauseWriting at or below the high mark");
        paused = true;
    }

    @Override
    public final void resumeWriting() {
        flow.add("resume");
        check(paused, "resumeWriting while not paused");
        check(transport().getWriteBufferSize() <= transport().getWriteBufferLowWater(),
                "resumeWriting above the low mark");
        paused = false;
        if (!ended && rnd.nextInt(8) == 0) {
            end(); // from inside the writer callback, possibly with the queue just emptied
        } else if (!ended) {
            loop.callSoon(this::step);
        }
    }

    @Override
    public final void connectionLost(@Nullable Throwable exception) {
        super.connectionLost(exception);
        check(lostCalls() == 1, "connectionLost called " + lostCalls() + " times");
        check(transport().getWriteBufferSize() == 0, "buffer not empty at connectionLost");
    }

    /**
     * Waits for the end of a run and checks it: one {@code connectionLost(null)}, no failed check, the peer read
     * until EOF without failing and got every byte once, in order, the buffer empty, nothing reported to the
     * exception handler, pause/resume alternating from pause.
     *
     * @param loop the loop, not running
     * @param writer the writer
     * @param peer its reader
     * @param reader the reader's thread
     * @param reports what the loop's exception handler got
     * @param wait the longest wait for the end, and for the reader's thread
     * @throws InterruptedException if interrupted while joining the reader
     */
    public static void finish(EventLoop loop, FlowCheckingWriter writer, SlowReader peer, Thread reader,
            List<ExceptionContext> reports, Duration wait) throws InterruptedException {
        Throwable exc = writer.awaitLost(loop, wait);
        reader.join(wait.toMillis());
        assertTrue(!reader.isAlive(), "the peer did not see EOF");
        if (writer.failure != null) {
            throw writer.failure;
        }
        assertNull(peer.failure(), () -> "peer failed: " + peer.failure());
        assertNull(exc, "connectionLost(null) after a clean close");
        assertEquals(1, writer.lostCalls(), "connectionLost calls");
        byte[] got = peer.bytes();
        assertEquals(writer.sent.size(), got.length, "bytes received");
        assertArrayEquals(writer.sent.toByteArray(), got, "the bytes differ");
        assertEquals(0, writer.transport().getWriteBufferSize(), "write buffer at the end");
        assertEquals(List.of(), reports, "exception handler reports");
        List<String> flow = writer.flow;
        for (int i = 0; i < flow.size(); i++) {
            if (!flow.get(i).equals(i % 2 == 0 ? "pause" : "resume")) {
                fail("pause/resume do not alternate from pause: " + flow);
            }
        }
    }
}
