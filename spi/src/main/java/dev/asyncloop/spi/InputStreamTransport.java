package dev.asyncloop.spi;

import dev.asyncloop.EventLoop;
import dev.asyncloop.ExceptionContext;
import dev.asyncloop.Protocol;
import dev.asyncloop.ReadTransport;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * A {@link ReadTransport} over a blocking {@link InputStream} (a child process's stdout or stderr): one virtual
 * thread, the pump, reads and hands each chunk to the loop with {@code callSoonThreadsafe}. The pump reads the
 * next chunk only after the loop delivered the previous one and while reading is not paused, so no more than one
 * chunk is ever queued; a chunk the pump read just before {@link #pauseReading()} is held until
 * {@link #resumeReading()}, so no data reaches the protocol while paused.
 * The end of the stream, or a read error, closes the transport: {@code eofReceived}, then
 * {@code connectionLost}. Loop thread only, except the pump's hand-overs.
 */
final class InputStreamTransport implements ReadTransport {
    static final int CHUNK = 64 * 1024;

    private final EventLoop loop;
    private final InputStream in;
    private final String name;
    private final Runnable onLoopClosed;
    private Protocol protocol;
    private byte @Nullable [] held;
    private boolean closing;
    private boolean lost;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition turn = lock.newCondition();
    private boolean paused;
    private boolean inFlight;
    private boolean stopped;

    InputStreamTransport(EventLoop loop, InputStream in, Protocol protocol, String name, Runnable onLoopClosed) {
        this.loop = loop;
        this.in = in;
        this.protocol = protocol;
        this.name = name;
        this.onLoopClosed = onLoopClosed;
    }

    /** The pump thread, once started. */
    private @Nullable Thread pumpThread;

    /** Starts the pump; once, on the loop thread, after the protocol may receive data. */
    void start() {
        pumpThread = Thread.ofVirtual().name("asyncloop-" + name).start(this::pump);
    }

    /** The pump thread, or null before {@link #start()}. */
    @Nullable Thread pumpThread() {
        return pumpThread;
    }

    private void pump() {
        byte[] buffer = new byte[CHUNK];
        while (awaitTurn()) {
            int n;
            try {
                n = in.read(buffer);
            } catch (IOException e) {
                if (!isStopped()) {
                    post(() -> lose(e));
                }
                return;
            }
            if (n < 0) {
                post(this::endOfStream);
                return;
            }
            byte[] chunk = Arrays.copyOf(buffer, n);
            lock.lock();
            try {
                inFlight = true;
            } finally {
                lock.unlock();
            }
            post(() -> deliver(chunk));
        }
    }

    /** Blocks while paused or a chunk is still on its way; false once stopped. */
    private boolean awaitTurn() {
        lock.lock();
        try {
            while (!stopped && (paused || inFlight)) {
                turn.awaitUninterruptibly();
            }
            return !stopped;
        } finally {
            lock.unlock();
        }
    }

    private boolean isStopped() {
        lock.lock();
        try {
            return stopped;
        } finally {
            lock.unlock();
        }
    }

    private void post(Runnable action) {
        try {
            loop.callSoonThreadsafe(action);
        } catch (IllegalStateException closed) {
            stop();
            onLoopClosed.run();
        }
    }

    private void deliver(byte[] chunk) {
        if (!closing && isPaused()) {
            // read before pauseReading() stopped the pump: kept, still in flight, until resumeReading()
            held = chunk;
            return;
        }
        try {
            if (!closing) {
                protocol.dataReceived(ByteBuffer.wrap(chunk));
            }
        } catch (Exception e) {
            report("protocol.dataReceived() failed", e);
        } finally {
            lock.lock();
            try {
                inFlight = false;
                turn.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private void endOfStream() {
        if (closing) {
            return;
        }
        closing = true;
        try {
            protocol.eofReceived();
        } catch (Exception e) {
            report("protocol.eofReceived() failed", e);
        }
        lose(null);
    }

    /** Calls connectionLost once and releases the stream. */
    private void lose(@Nullable Throwable exception) {
        if (lost) {
            return;
        }
        lost = true;
        closing = true;
        stop();
        closeQuietly();
        try {
            protocol.connectionLost(exception);
        } catch (Exception e) {
            report("protocol.connectionLost() failed", e);
        }
    }

    /** Ends the pump and closes the stream, from any thread; delivers nothing more. Idempotent. */
    void stop() {
        lock.lock();
        try {
            stopped = true;
            turn.signalAll();
        } finally {
            lock.unlock();
        }
        closeQuietly();
    }

    private void closeQuietly() {
        try {
            in.close();
        } catch (IOException ignored) {
            // the stream is being abandoned
        }
    }

    private void report(String message, Exception e) {
        loop.callExceptionHandler(ExceptionContext.builder(message).exception(e).transport(this)
                .protocol(protocol).build());
    }

    @Override
    public void pauseReading() {
        if (closing) {
            return;
        }
        setPaused(true);
    }

    @Override
    public void resumeReading() {
        if (closing) {
            return;
        }
        byte[] chunk = held;
        held = null;
        if (chunk != null) {
            setPaused(false);
            loop.callSoon(() -> deliver(chunk));
            return;
        }
        lock.lock();
        try {
            paused = false;
            turn.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private boolean isPaused() {
        lock.lock();
        try {
            return paused;
        } finally {
            lock.unlock();
        }
    }

    private void setPaused(boolean value) {
        lock.lock();
        try {
            paused = value;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isReading() {
        if (closing) {
            return false;
        }
        lock.lock();
        try {
            return !paused;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops reading and closes the pipe; {@code connectionLost(null)} follows in a later iteration (a child that
     * writes on gets a broken pipe). Idempotent.
     */
    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        stop();
        loop.callSoon(() -> lose(null));
    }

    @Override
    public boolean isClosing() {
        return closing;
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
        return "InputStreamTransport[" + name + (lost ? ", closed" : closing ? ", closing" : "") + "]";
    }
}
