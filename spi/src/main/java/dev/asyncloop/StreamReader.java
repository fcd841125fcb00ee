package dev.asyncloop;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * asyncio's {@code StreamReader}: a buffer of received bytes with reads that complete when enough data (or the
 * end of the stream) has arrived. A protocol (see {@link Streams}) feeds it with {@link #feedData},
 * {@link #feedEof} and {@link #setException}; the application reads with {@link #read}, {@link #readLine},
 * {@link #readExactly} and {@link #readUntil}, each returning a {@link Future} to {@link Async#await}.
 *
 * <p><b>Threads.</b> Loop thread only, every method: the feeding protocol and the reading tasks run there. It
 * is not thread-safe; another thread goes through {@link EventLoop#callSoonThreadsafe}.
 *
 * <p><b>One read at a time.</b> A read that cannot complete at once stays pending until data, the end of the
 * stream or an exception arrives; starting a second read while one is pending throws
 * {@link IllegalStateException} (asyncio's {@code RuntimeError}: nobody could tell which read gets the next
 * bytes). Cancelling the returned future abandons the read and leaves the buffer as it was, except for
 * {@code read(-1)}, which takes the bytes out of the buffer as they arrive (so that the limit does not pause the
 * transport): cancelling it loses what it had taken, as asyncio's {@code read()} does. A read consumes its bytes
 * when its future completes; if the task awaiting it is cancelled after that, the bytes are in the future's
 * result, not back in the buffer.
 *
 * <p><b>Limit.</b> {@link #limit()} (default {@value #DEFAULT_LIMIT} bytes) caps what {@link #readLine} and
 * {@link #readUntil} return (not counting the separator) and is half of the buffer size above which the reader
 * pauses its transport ({@link ReadTransport#pauseReading()}); reads resume it once the buffer is back at the
 * limit or below, and a read that has to wait resumes it at once so that it cannot deadlock.
 *
 * <p><b>Ownership.</b> Fed buffers are copied during the call; returned arrays belong to the caller.
 */
public final class StreamReader {
    /** asyncio's default limit, 64 KiB. */
    public static final int DEFAULT_LIMIT = 64 * 1024;

    private static final byte[] NEWLINE = {'\n'};
    private static final Object MORE = new Object();

    private final EventLoop loop;
    private final int limit;
    private final StreamBuffer buffer = new StreamBuffer();
    private boolean eof;
    private @Nullable Throwable exception;
    private @Nullable ReadTransport transport;
    private boolean paused;
    private @Nullable Pending<?> pending;

    /**
     * Creates a reader with the {@linkplain #DEFAULT_LIMIT default limit}.
     *
     * @param loop the loop whose futures the reads return
     */
    public StreamReader(EventLoop loop) {
        this(loop, DEFAULT_LIMIT);
    }

    /**
     * Creates a reader.
     *
     * @param loop the loop whose futures the reads return
     * @param limit the line/chunk limit in bytes, also half the pause threshold
     * @throws IllegalArgumentException if {@code limit <= 0}
     */
    public StreamReader(EventLoop loop, int limit) {
        this.loop = Objects.requireNonNull(loop, "loop");
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be > 0, got " + limit);
        }
        this.limit = limit;
    }

    /**
     * Returns the limit.
     *
     * @return bytes
     */
    public int limit() {
        return limit;
    }

    /**
     * Returns the exception set by {@link #setException}.
     *
     * @return the exception, or empty
     */
    public Optional<Throwable> exception() {
        return Optional.ofNullable(exception);
    }

    /**
     * Makes every later read fail with {@code exception} and fails the pending read, if any, with it. Data still
     * buffered is not readable any more.
     *
     * @param exception why the stream broke (for a connection: the error it was lost with)
     */
    public void setException(Throwable exception) {
        this.exception = Objects.requireNonNull(exception, "exception");
        Pending<?> p = pending;
        pending = null;
        if (p != null && !p.future.isDone()) {
            p.future.setException(exception);
        }
    }

    /**
     * Takes out every buffered byte for {@link StreamWriter#startTls}, which hands them to the TLS layer (asyncio
     * 3.15, gh-142352), and the end of the stream with them: the TLS layer sees it next and passes it on. The
     * reader forgets its own pause of the transport, which the TLS layer resumes.
     *
     * @return the bytes, and whether the end of the stream had been seen
     */
    Held takeForTls() {
        paused = false;
        Held held = new Held(buffer.take(buffer.size()), eof);
        eof = false;
        return held;
    }

    /** What {@link #takeForTls} took. */
    @SuppressWarnings("ArrayRecordComponent") // handed over once, never compared
    record Held(byte[] data, boolean eof) {
    }

    /** Replaces the transport after {@link StreamWriter#startTls}: pausing and resuming now go to the TLS one. */
    void replaceTransport(ReadTransport transport) {
        this.transport = Objects.requireNonNull(transport, "transport");
    }

    /**
     * Tells the reader which transport feeds it, so that it can pause and resume reading.
     *
     * @param transport the transport
     * @throws IllegalStateException if a transport was already set
     */
    public void setTransport(ReadTransport transport) {
        Objects.requireNonNull(transport, "transport");
        if (this.transport != null) {
            throw new IllegalStateException("transport already set: " + this.transport);
        }
        this.transport = transport;
    }

    /**
     * Appends {@code data}'s remaining bytes (copied; the position moves to the limit), lets a pending read
     * complete if it now can, and pauses the transport when the buffer holds more than twice the limit and no
     * read is left waiting (a waiting read keeps the transport reading, so that it cannot deadlock). A
     * transport that cannot pause ({@link UnsupportedOperationException}) is forgotten and everything is
     * buffered.
     *
     * @param data the bytes received; an empty buffer does nothing
     * @throws IllegalStateException after {@link #feedEof()}
     */
    public void feedData(ByteBuffer data) {
        if (eof) {
            throw new IllegalStateException("feedData after feedEof");
        }
        if (!data.hasRemaining()) {
            return;
        }
        buffer.append(data);
        wakeUp();
        if (pending != null) {
            return; // a read still waits: asyncio would resume the transport as that read goes on waiting
        }
        if (transport != null && !paused && buffer.size() > 2L * limit) {
            try {
                transport.pauseReading();
                paused = true;
            } catch (UnsupportedOperationException e) {
                transport = null;
            }
        }
    }

    /**
     * Appends {@code data}, as {@link #feedData(ByteBuffer)}.
     *
     * @param data the bytes received (copied)
     * @throws IllegalStateException after {@link #feedEof()}
     */
    public void feedData(byte[] data) {
        feedData(ByteBuffer.wrap(data));
    }

    /** Marks the end of the stream and lets a pending read complete with what is buffered. Idempotent. */
    public void feedEof() {
        eof = true;
        wakeUp();
    }

    /**
     * Tells whether everything was read: {@link #feedEof()} was called and the buffer is empty.
     *
     * @return true at the end of the stream
     */
    public boolean atEof() {
        return eof && buffer.isEmpty();
    }

    /**
     * Reads up to {@code n} bytes. With {@code n > 0} the future completes as soon as at least one byte is
     * buffered (with at most {@code n}), or with an empty array at the end of the stream. With {@code n == 0} it
     * is an empty array at once. With {@code n < 0} it reads to the end of the stream and returns everything
     * (not bounded by the limit; the transport keeps being resumed as the bytes are taken). Cancelling a
     * pending {@code read(-1)} loses the bytes it had taken, as asyncio's {@code read()} does.
     *
     * @param n the maximum count, or -1 for everything until the end
     * @return the bytes; the future fails with the {@linkplain #setException set exception}
     * @throws IllegalStateException if another read is pending
     */
    public Future<byte[]> read(int n) {
        if (n == 0) {
            return start("read", () -> new byte[0]);
        }
        if (n < 0) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            return start("read", () -> {
                if (!buffer.isEmpty()) {
                    all.writeBytes(buffer.take(buffer.size()));
                    maybeResumeTransport();
                }
                return eof ? all.toByteArray() : MORE;
            });
        }
        return start("read", () -> {
            if (buffer.isEmpty() && !eof) {
                return MORE;
            }
            byte[] data = buffer.take(n);
            maybeResumeTransport();
            return data;
        });
    }

    /**
     * Reads everything until the end of the stream; {@code read(-1)}.
     *
     * @return the bytes
     * @throws IllegalStateException if another read is pending
     */
    public Future<byte[]> read() {
        return read(-1);
    }

    /**
     * Reads exactly {@code n} bytes. At the end of the stream with fewer buffered, fails with
     * {@link IncompleteReadError} carrying those bytes (they leave the buffer). Not bounded by the limit.
     *
     * @param n the count, 0 for an empty array at once
     * @return the bytes
     * @throws IllegalArgumentException if {@code n < 0}
     * @throws IllegalStateException if another read is pending
     */
    public Future<byte[]> readExactly(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("readExactly size must be >= 0, got " + n);
        }
        return start("readExactly", () -> {
            if (buffer.size() >= n) {
                byte[] data = buffer.take(n);
                maybeResumeTransport();
                return data;
            }
            if (eof) {
                throw new IncompleteReadError(buffer.take(buffer.size()), n);
            }
            return MORE;
        });
    }

    /**
     * Reads up to and including the next {@code separator}. The returned array ends with the separator.
     *
     * <p>Fails with {@link LimitOverrunError} when the separator is not within the first {@link #limit()} bytes
     * (data before the separator longer than the limit, or no separator in more than the limit); the data stays
     * buffered so that it can be read otherwise. Fails with {@link IncompleteReadError} at the end of the
     * stream without the separator; its partial data (which may end with part of the separator) leaves the
     * buffer.
     *
     * @param separator one or more bytes (copied)
     * @return the bytes through the separator
     * @throws IllegalArgumentException if {@code separator} is empty
     * @throws IllegalStateException if another read is pending
     */
    public Future<byte[]> readUntil(byte[] separator) {
        if (separator.length == 0) {
            throw new IllegalArgumentException("separator must be at least one byte");
        }
        byte[] sep = separator.clone();
        return start("readUntil", new UntilStep(List.of(sep))::step);
    }

    /**
     * Reads up to and including the first of several separators to end in the stream (asyncio 3.13's
     * {@code readuntil} with a tuple): the shortest data that ends with any of them, so with {@code "\r\n"} and
     * {@code "\n"} a line ends at its first newline whichever form it has. Otherwise as {@link #readUntil(byte[])};
     * the limit applies to the data before the separator that matched, and while no separator is found the data
     * searched so far counts against the limit as for the longest separator.
     *
     * @param separators one or more separators, each one or more bytes (copied)
     * @return the bytes through the separator that ends first
     * @throws IllegalArgumentException if {@code separators} is empty or holds an empty separator
     * @throws NullPointerException if {@code separators} or one of them is null
     * @throws IllegalStateException if another read is pending
     */
    public Future<byte[]> readUntil(List<byte[]> separators) {
        if (Objects.requireNonNull(separators, "separators").isEmpty()) {
            throw new IllegalArgumentException("separators must hold at least one separator");
        }
        List<byte[]> seps = new ArrayList<>(separators.size());
        for (int i = 0; i < separators.size(); i++) {
            byte[] sep = separators.get(i);
            if (sep == null) {
                throw new NullPointerException("separators[" + i + "] is null");
            }
            if (sep.length == 0) {
                throw new IllegalArgumentException("separators[" + i + "] is empty; each separator must be at least"
                        + " one byte");
            }
            seps.add(sep.clone());
        }
        seps.sort(java.util.Comparator.comparingInt(sep -> sep.length)); // of two ending together, the shorter
        return start("readUntil", new UntilStep(seps)::step);
    }

    /**
     * Reads a line: up to and including {@code '\n'}. At the end of the stream returns the incomplete last
     * line, or an empty array when nothing is left.
     *
     * <p>Over the limit it fails with {@link LimitOverrunError} (asyncio raises {@code ValueError} here) after
     * dropping the data: the line through its newline when the newline is buffered, else the whole buffer. The
     * limit counts the line without its newline.
     *
     * @return the line
     * @throws IllegalStateException if another read is pending
     */
    public Future<byte[]> readLine() {
        UntilStep until = new UntilStep(List.of(NEWLINE));
        return start("readLine", () -> {
            try {
                return until.step();
            } catch (IncompleteReadError e) {
                return e.partial();
            } catch (LimitOverrunError e) {
                if (buffer.startsWith(NEWLINE, e.consumed())) {
                    buffer.drop(e.consumed() + NEWLINE.length);
                } else {
                    buffer.clear();
                }
                maybeResumeTransport();
                throw e;
            }
        });
    }

    /** Bytes buffered and not yet read. */
    int buffered() {
        return buffer.size();
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("StreamReader[");
        b.append(buffer.size()).append(" bytes");
        if (eof) {
            b.append(", eof");
        }
        if (limit != DEFAULT_LIMIT) {
            b.append(", limit=").append(limit);
        }
        if (pending != null) {
            b.append(", waiting");
        }
        if (exception != null) {
            b.append(", exception=").append(exception);
        }
        if (paused) {
            b.append(", paused");
        }
        return b.append(']').toString();
    }

    // ------------------------------------------------------------------ machinery

    /** One attempt of a read: returns the result, or {@link #MORE} to wait for data; throws to fail the read. */
    @FunctionalInterface
    private interface Step {
        Object step();
    }

    /** asyncio's text, then the limit and the ways around it. */
    private String overLimit(String asyncioText) {
        return asyncioText + " (the reader's limit of " + limit + " bytes: pass a larger limit to"
                + " Streams.openConnection, Streams.startServer, Subprocesses.exec or new StreamReader, or read with"
                + " read(n) or readExactly(n), which it does not bound)";
    }

    /** Finds the separator that ends first; asyncio's {@code readuntil} loop, from where the last search ended. */
    private final class UntilStep {
        private final List<byte[]> seps;
        private final int shortest;
        private final int longest;
        private int offset;

        /** {@code seps} sorted by length, shortest first. */
        UntilStep(List<byte[]> seps) {
            this.seps = seps;
            this.shortest = seps.stream().mapToInt(s -> s.length).min().orElseThrow();
            this.longest = seps.stream().mapToInt(s -> s.length).max().orElseThrow();
        }

        Object step() {
            int size = buffer.size();
            if (size - offset >= shortest) {
                int start = -1;
                int end = -1;
                for (byte[] sep : seps) {
                    int at = buffer.indexOf(sep, offset);
                    if (at >= 0 && (end < 0 || at + sep.length < end)) {
                        start = at;
                        end = at + sep.length;
                    }
                }
                if (end >= 0) {
                    if (start > limit) {
                        throw new LimitOverrunError(
                                overLimit("separator is found, but chunk is longer than limit"), start);
                    }
                    byte[] chunk = buffer.take(end);
                    maybeResumeTransport();
                    return chunk;
                }
                offset = Math.max(0, size + 1 - longest);
                if (offset > limit) {
                    throw new LimitOverrunError(
                            overLimit("separator is not found, and chunk exceeds the limit"), offset);
                }
            }
            if (eof) {
                throw new IncompleteReadError(buffer.take(size), -1);
            }
            return MORE;
        }
    }

    private static final class Pending<T> {
        final Future<T> future;
        final Step step;

        Pending(Future<T> future, Step step) {
            this.future = future;
            this.step = step;
        }

        /** Runs the step; completes the future unless it wants more. Returns whether the read is over. */
        @SuppressWarnings("unchecked")
        boolean attempt() {
            Object r;
            try {
                r = step.step();
            } catch (RuntimeException e) {
                future.setException(e);
                return true;
            }
            if (r == MORE) {
                return false;
            }
            future.setResult((T) r);
            return true;
        }
    }

    private <T extends @Nullable Object> Future<T> start(String name, Step step) {
        if (pending != null && pending.future.isDone()) {
            pending = null;
        }
        if (pending != null) {
            throw new IllegalStateException(name + "() called while another read is already waiting for data on "
                    + this + "; wait for that read (one reader task per stream)");
        }
        Future<T> future = loop.createFuture();
        if (exception != null) {
            future.setException(exception);
            return future;
        }
        Pending<T> p = new Pending<>(future, step);
        if (!p.attempt()) {
            if (paused) {
                paused = false;
                Objects.requireNonNull(transport, "paused only with a transport").resumeReading();
            }
            pending = p;
        }
        return future;
    }

    private void wakeUp() {
        Pending<?> p = pending;
        if (p == null) {
            return;
        }
        if (p.future.isDone() || p.attempt()) {
            if (pending == p) {
                pending = null;
            }
        }
    }

    private void maybeResumeTransport() {
        if (paused && buffer.size() <= limit) {
            paused = false;
            Objects.requireNonNull(transport, "paused only with a transport").resumeReading();
        }
    }
}
