package dev.asyncloop.testsupport;

import dev.asyncloop.EventLoop;
import dev.asyncloop.Future;
import dev.asyncloop.Protocol;
import dev.asyncloop.Transport;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A protocol that records its life: the events {@code "made"}, {@code "pause"}, {@code "resume"}, {@code "eof"} and
 * {@code "lost"} in order (a subclass adds its own), the bytes it {@linkplain #keep kept}, where EOF came and how
 * often {@code connectionLost} was called, whose first exception completes {@link #lost()}. Subclasses add what the
 * test does with the data ({@link DataRecorder} keeps it). Its methods run on the loop's thread; read the record
 * once the loop has stopped.
 *
 * @param <T> the transport type it expects
 */
public abstract class RecordingStreamProtocol<T extends Transport> implements Protocol {
    private final Class<T> transportType;
    private final List<String> events = new ArrayList<>();
    private final ByteArrayOutputStream got = new ByteArrayOutputStream();
    private final Future<@Nullable Throwable> lost;
    private @Nullable T transport;
    private int eofAt = -1;
    private int lostCalls;

    /**
     * A recorder on {@code loop}, expecting a {@code transportType}.
     *
     * @param loop the loop whose future {@link #lost()} is
     * @param transportType what {@code connectionMade} must be given
     */
    protected RecordingStreamProtocol(EventLoop loop, Class<T> transportType) {
        this.transportType = transportType;
        this.lost = loop.createFuture();
    }

    /**
     * The transport from {@code connectionMade}.
     *
     * @return the transport
     * @throws IllegalStateException before {@code connectionMade}
     */
    public final T transport() {
        T t = transport;
        if (t == null) {
            throw new IllegalStateException("no connectionMade yet");
        }
        return t;
    }

    /**
     * Records an event of the subclass's own.
     *
     * @param event its name
     */
    protected final void record(String event) {
        events.add(event);
    }

    /**
     * The last event recorded.
     *
     * @return its name, or null before any
     */
    protected final @Nullable String lastEvent() {
        return events.isEmpty() ? null : events.getLast();
    }

    /**
     * Keeps received bytes.
     *
     * @param bytes what arrived
     */
    protected final void keep(byte[] bytes) {
        got.writeBytes(bytes);
    }

    /** Stores the transport (a {@link ClassCastException} if it is not a {@code T}) and records "made". */
    @Override
    public void connectionMade(Transport t) {
        transport = transportType.cast(t);
        events.add("made");
    }

    /** Records "eof" and how many bytes came before it; returns false (the transport closes itself). */
    @Override
    public boolean eofReceived() {
        events.add("eof");
        eofAt = got.size();
        return false;
    }

    /** Records "pause". */
    @Override
    public void pauseWriting() {
        events.add("pause");
    }

    /** Records "resume". */
    @Override
    public void resumeWriting() {
        events.add("resume");
    }

    /** Counts the call, records "lost" and completes {@link #lost()} with the first call's exception. */
    @Override
    public void connectionLost(@Nullable Throwable exception) {
        lostCalls++;
        events.add("lost");
        if (!lost.isDone()) {
            lost.setResult(exception);
        }
    }

    /**
     * Runs the stopped loop until the first {@code connectionLost}, then a moment more for a second one that must
     * not come.
     *
     * @param loop the loop, not running
     * @param wait the longest wait for the first
     * @return the first call's exception (null for a clean end)
     * @throws dev.asyncloop.TimeoutError if {@code connectionLost} did not come in time
     */
    public final @Nullable Throwable awaitLost(EventLoop loop, Duration wait) {
        Throwable exception = LoopWaits.await(loop, lost, wait);
        LoopWaits.settle(loop, Duration.ofMillis(2));
        return exception;
    }

    /**
     * Completed with the first {@code connectionLost}'s exception.
     *
     * @return the loop's future
     */
    public final Future<@Nullable Throwable> lost() {
        return lost;
    }

    /**
     * The events so far.
     *
     * @return a copy
     */
    public final List<String> events() {
        return List.copyOf(events);
    }

    /**
     * The bytes kept so far.
     *
     * @return a copy
     */
    public final byte[] bytes() {
        return got.toByteArray();
    }

    /**
     * How many bytes were kept so far.
     *
     * @return the count
     */
    public final int size() {
        return got.size();
    }

    /**
     * How many bytes had come when {@code eofReceived} was called.
     *
     * @return the count, or -1 before it
     */
    public final int eofAt() {
        return eofAt;
    }

    /**
     * How often {@code connectionLost} was called.
     *
     * @return the count
     */
    public final int lostCalls() {
        return lostCalls;
    }
}
