package dev.asyncloop.spi;

import dev.asyncloop.EventLoop;
import dev.asyncloop.Protocol;
import dev.asyncloop.WriteTransport;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import org.jspecify.annotations.Nullable;

/**
 * A {@link WriteTransport} over a blocking {@link OutputStream} (a child process's stdin): {@code write} queues a
 * copy and counts it in the write buffer; one virtual thread, the pump, writes the queue in order and reports each
 * slice written back to the loop, which shrinks the buffer and resumes the protocol at the low-water mark.
 * {@link #writeEof()} and {@link #close()} close the stream after the queue is written; writes after them, or after
 * the loss, are dropped (from the fifth on each logs a WARNING), as asyncio's pipe transports drop them; a write error
 * loses the connection with an {@link IOException} "Broken pipe: ..." whose cause is that error. {@link #abort()}
 * also drops the unwritten rest of a write in progress. Loop thread only, except the pump's hand-overs.
 */
final class OutputStreamTransport implements WriteTransport {
    private static final System.Logger LOG = System.getLogger("dev.asyncloop");
    private static final int LOG_THRESHOLD_FOR_CONNLOST_WRITES = 5;
    private static final Object END = new Object();
    private static final Object ABORT = new Object();

    private final EventLoop loop;
    private final OutputStream out;
    private final String name;
    private final Runnable onLoopClosed;
    private final WriteFlowControl flow;
    private final LinkedBlockingQueue<Object> jobs = new LinkedBlockingQueue<>();
    /** Set by {@link #abandon()}: the pump writes no further slice, not even of the job in hand. */
    private volatile boolean abandoned;
    private Protocol protocol;
    private long bufferSize;
    private boolean closing;
    private boolean lost;
    private int writesAfterLoss;

    OutputStreamTransport(EventLoop loop, OutputStream out, Protocol protocol, String name, Runnable onLoopClosed) {
        this.loop = loop;
        this.out = out;
        this.protocol = protocol;
        this.name = name;
        this.onLoopClosed = onLoopClosed;
        this.flow = new WriteFlowControl(loop);
    }

    /** The pump thread, once started. */
    private @Nullable Thread pumpThread;

    /** Starts the pump; once, on the loop thread. */
    void start() {
        pumpThread = Thread.ofVirtual().name("asyncloop-" + name).start(this::pump);
    }

    /** The pump thread, or null before {@link #start()}. */
    @Nullable Thread pumpThread() {
        return pumpThread;
    }

    private void pump() {
        try {
            while (true) {
                Object job = jobs.take();
                if (job == ABORT) {
                    closeQuietly();
                    return;
                }
                if (job == END) {
                    out.close();
                    post(() -> lose(null));
                    return;
                }
                byte[] data = (byte[]) job;
                for (int off = 0; off < data.length; off += InputStreamTransport.CHUNK) {
                    if (abandoned) {
                        closeQuietly();
                        return;
                    }
                    int n = Math.min(InputStreamTransport.CHUNK, data.length - off);
                    out.write(data, off, n);
                    out.flush();
                    post(() -> written(n));
                }
            }
        } catch (IOException e) {
            closeQuietly();
            IOException broken = brokenPipe(e);
            post(() -> lose(broken));
        } catch (InterruptedException e) {
            closeQuietly();
        }
    }

    /**
     * What a failed write or close of the pipe is reported as: a write to a child's stdin fails only when the
     * child closed its end (EPIPE) or exited (the JDK then closes the stream), asyncio's {@code BrokenPipeError}.
     * The text is the library's own, "Broken pipe: ...", because the JDK's is the C library's {@code strerror},
     * in the language of the process locale (or the Windows system language): {@code Subprocess.communicate}
     * tells a child that stopped reading by it. The JDK's exception is the cause.
     */
    private IOException brokenPipe(IOException e) {
        return new IOException("Broken pipe: " + name + " cannot be written, the child closed it or exited ("
                + e.getMessage() + ")", e);
    }

    private void post(Runnable action) {
        try {
            loop.callSoonThreadsafe(action);
        } catch (IllegalStateException closed) {
            abandon();
            onLoopClosed.run();
        }
    }

    private void closeQuietly() {
        try {
            out.close();
        } catch (IOException ignored) {
            // the stream is being abandoned
        }
    }

    /** Tells the pump, from any thread, to drop what is queued and close the stream when it can. */
    void abandon() {
        abandoned = true;
        jobs.clear();
        jobs.add(ABORT);
    }

    private void written(int n) {
        if (lost || abandoned) {
            return;
        }
        bufferSize -= n;
        if (flow.resumeNeeded(bufferSize)) {
            flow.notifyProtocol(this, protocol, protocol::resumeWriting, "resumeWriting");
        }
    }

    private void lose(@Nullable Throwable exception) {
        if (lost) {
            return;
        }
        lost = true;
        closing = true;
        bufferSize = 0;
        flow.notifyProtocol(this, protocol, () -> protocol.connectionLost(exception), "connectionLost");
    }

    /** Whether every byte written so far reached the stream. */
    boolean isDrained() {
        return bufferSize == 0;
    }

    @Override
    public void write(ByteBuffer data) {
        Objects.requireNonNull(data, "data");
        if (closing || lost) {
            // asyncio's pipe transports drop writes once closing or lost; our own writeEof() at the child's exit
            // must not turn a write racing it into an exception
            data.position(data.limit());
            if (++writesAfterLoss >= LOG_THRESHOLD_FOR_CONNLOST_WRITES) {
                LOG.log(Level.WARNING, "pipe closed by peer or write to the pipe raised exception.");
            }
            return;
        }
        int n = data.remaining();
        if (n == 0) {
            return;
        }
        byte[] copy = new byte[n];
        data.get(copy);
        bufferSize += n;
        jobs.add(copy);
        if (flow.pauseNeeded(bufferSize)) {
            flow.notifyProtocol(this, protocol, protocol::pauseWriting, "pauseWriting");
        }
    }

    @Override
    public void writeEof() {
        if (closing) {
            return;
        }
        closing = true;
        jobs.add(END);
    }

    @Override
    public boolean canWriteEof() {
        return true;
    }

    /** Closes the pipe once the queued bytes are written, as {@link #writeEof()}. */
    @Override
    public void close() {
        writeEof();
    }

    @Override
    public void abort() {
        if (lost) {
            return;
        }
        closing = true;
        abandon();
        bufferSize = 0;
        loop.callSoon(() -> lose(null));
    }

    @Override
    public boolean isClosing() {
        return closing;
    }

    @Override
    public void setWriteBufferLimits(@Nullable Integer high, @Nullable Integer low) {
        flow.setLimits(high, low);
        if (!lost && flow.pauseNeeded(bufferSize)) {
            flow.notifyProtocol(this, protocol, protocol::pauseWriting, "pauseWriting");
        }
    }

    @Override
    public int getWriteBufferHighWater() {
        return flow.highWater();
    }

    @Override
    public int getWriteBufferLowWater() {
        return flow.lowWater();
    }

    @Override
    public int getWriteBufferSize() {
        return (int) Math.min(bufferSize, Integer.MAX_VALUE);
    }

    @Override
    public Optional<Object> getExtraInfo(String key) {
        Objects.requireNonNull(key, "key");
        return Optional.empty();
    }

    @Override
    public void setProtocol(Protocol protocol) {
        this.protocol = Objects.requireNonNull(protocol, "protocol");
    }

    @Override
    public Protocol getProtocol() {
        return protocol;
    }

    @Override
    public String toString() {
        return "OutputStreamTransport[" + name + (lost ? ", closed" : closing ? ", closing" : "")
                + ", buffered=" + bufferSize + "]";
    }
}
