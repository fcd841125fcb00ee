package dev.asyncloop.spi;

import dev.asyncloop.Future;
import dev.asyncloop.Protocol;
import dev.asyncloop.WriteTransport;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.SelectableChannel;
import java.nio.channels.WritableByteChannel;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * asyncio's {@code _UnixWritePipeTransport}: the writable end of a pipe (or any selectable writable channel) of a
 * {@link ReadinessEventLoop}. Loop thread only.
 *
 * <p>Implementation overview.
 * <ul>
 *   <li><b>Start.</b> The constructor schedules {@code connectionMade}; the same callback starts watching for the
 *       reader's departure and completes the waiter.</li>
 *   <li><b>Write.</b> As the socket transport: {@code write} tries the pipe at once, queues a copy of the rest in
 *       a {@link WriteQueue} and lets the writer callback send it; {@link WriteFlowControl} pauses and resumes the
 *       protocol.</li>
 *   <li><b>The reader going away.</b> As asyncio, the transport watches its write end for "readable": a write
 *       end is never readable, but epoll reports the error condition of a pipe whose read end is closed as every
 *       interest, so the reader callback ends the transport ({@code connectionLost(null)}, or a broken-pipe
 *       {@link IOException} if bytes were waiting). A {@link java.nio.channels.Selector} cannot watch a sink for
 *       reading ({@code validOps} is {@code OP_WRITE}); there the reader is seen gone when a write fails.</li>
 *   <li><b>End.</b> {@code close} and {@code writeEof} are one operation: stop accepting writes, send what is
 *       queued, then {@code connectionLost(null)} and close the channel. Writes after that are dropped and, from
 *       the fifth on, logged.</li>
 * </ul>
 *
 * @param <C> the channel type
 */
final class WritePipeTransport<C extends SelectableChannel & WritableByteChannel> extends ReadinessTransport<C>
        implements WriteTransport {
    private static final int LOG_THRESHOLD_FOR_DROPPED_WRITES = 5;

    private final WriteQueue buffer = new WriteQueue();
    private Protocol protocol;
    private int droppedWrites;

    WritePipeTransport(ReadinessEventLoop loop, C channel, Protocol protocol, Future<@Nullable Void> waiter) {
        super(loop, channel);
        this.protocol = Objects.requireNonNull(protocol, "protocol");
        extra.remove(SOCKET);
        extra.put(PIPE, channel);
        loop.transportOpened(channel, this);
        loop.callSoon(() -> start(waiter));
    }

    private void start(Future<@Nullable Void> waiter) {
        try {
            protocol.connectionMade(this);
        } catch (Exception e) {
            fatalError(e, "Fatal error: protocol.connectionMade() call failed.");
            if (waiter != null && !waiter.isDone()) {
                waiter.setException(e);
            }
            return;
        }
        if (!closing) {
            watchReader();
        }
        if (waiter != null && !waiter.isDone()) {
            waiter.setResult(null);
        }
    }

    /** Watches for the reader's departure where the poller can; without, a write will meet the broken pipe. */
    private void watchReader() {
        try {
            loop.setReader(channel, this::readerGone, context);
        } catch (IllegalStateException | IllegalArgumentException e) {
            // A third-party poller that refuses a write end for READ: the departure is seen at the next write.
            if (loop.getDebug()) {
                ReadinessEventLoop.LOG.log(Level.DEBUG, "cannot watch " + channel + " for its reader going away", e);
            }
        }
    }

    private void readerGone() {
        if (connLost > 0) {
            return;
        }
        if (loop.getDebug()) {
            ReadinessEventLoop.LOG.log(Level.INFO, this + " was closed by peer");
        }
        forceClose(buffer.isEmpty() ? null : new IOException("Broken pipe: the read end of " + channel
                + " was closed with " + bufferSize + " bytes still to send"));
    }

    @Override
    public void write(ByteBuffer data) {
        Objects.requireNonNull(data, "data");
        if (!data.hasRemaining()) {
            return;
        }
        if (connLost > 0 || closing) {
            if (++droppedWrites >= LOG_THRESHOLD_FOR_DROPPED_WRITES) {
                ReadinessEventLoop.LOG.log(Level.WARNING,
                        "pipe closed by peer or write(pipe, data) raised exception.");
            }
            data.position(data.limit());
            return;
        }
        if (buffer.isEmpty()) {
            try {
                if (loop.socketIo().send(channel, data)) {
                    return;
                }
            } catch (IOException | RuntimeException e) {
                fatalError(e, "Fatal write error on pipe transport");
                return;
            }
            loop.setWriter(channel, this::writeReady, context);
        }
        bufferSize += data.remaining();
        buffer.add(data);
        maybePauseProtocol();
    }

    private void writeReady() {
        if (connLost > 0) {
            return;
        }
        try {
            bufferSize -= buffer.writeTo(channel, loop.socketIo());
        } catch (IOException | RuntimeException e) {
            loop.removeWriterHandle(channel);
            buffer.clear();
            bufferSize = 0;
            fatalError(e, "Fatal write error on pipe transport");
            return;
        }
        maybeResumeProtocol(); // may write more, close or abort
        if (connLost > 0) {
            // resumeWriting closed or aborted the transport with the queue empty, which scheduled connectionLost
            loop.removeWriterHandle(channel);
            return;
        }
        if (buffer.isEmpty()) {
            loop.removeWriterHandle(channel);
            if (closing) {
                connLost++;
                callConnectionLost(null);
            }
        }
    }

    /** Closes the pipe once the buffer is sent: for a pipe, end of stream is closing it, as {@link #close()}. */
    @Override
    public void writeEof() {
        close();
    }

    @Override
    public boolean canWriteEof() {
        return true;
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
    public void setProtocol(Protocol protocol) {
        this.protocol = Objects.requireNonNull(protocol, "protocol");
    }

    @Override
    public Protocol getProtocol() {
        return protocol;
    }

    // ------------------------------------------------------------------ hooks of ReadinessTransport (closing)

    @Override
    boolean bufferIsEmpty() {
        return buffer.isEmpty();
    }

    @Override
    void clearBuffer() {
        buffer.clear();
    }

    @Override
    Object protocolForReports() {
        return protocol;
    }

    @Override
    void pauseProtocolWriting() {
        protocol.pauseWriting();
    }

    @Override
    void resumeProtocolWriting() {
        protocol.resumeWriting();
    }

    @Override
    void protocolConnectionLost(@Nullable Throwable e) {
        protocol.connectionLost(e);
    }

    @Override
    public String toString() {
        return "WritePipeTransport[" + (connLost > 0 ? "closed" : closing ? "closing" : "open") + ", pipe="
                + channel + ", buffered=" + bufferSize + "]";
    }
}
