package dev.asyncloop.spi;

import dev.asyncloop.Context;
import dev.asyncloop.ExceptionContext;
import dev.asyncloop.Transport;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.nio.channels.SelectableChannel;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What the stream and datagram transports of the readiness base share (asyncio's {@code _SelectorTransport}):
 * the channel and its extra info, the write-buffer size with its flow control, and the closing protocol —
 * {@code close} waits for the buffer to drain, {@code abort} and {@link #fatalError} drop it, and
 * {@code connectionLost} is called exactly once, on a later iteration, after which the channel is closed and
 * forgotten by the loop. Subclasses own the buffer and the protocol (their types differ) and answer the hooks.
 * Loop thread only.
 *
 * @param <C> the channel type
 */
abstract class ReadinessTransport<C extends SelectableChannel> implements ChannelOwner {
    final ReadinessEventLoop loop;
    final C channel;
    final Map<String, Object> extra = new HashMap<>();
    final WriteFlowControl flow;
    /**
     * The context current when the transport was made: its reader and writer and the protocol callbacks it
     * schedules run in it, whoever calls {@code resumeReading}, {@code write} or {@code close} later (a task's own
     * context variables must not leak into the protocol's callbacks).
     */
    final Context context = Context.copyCurrent();
    long bufferSize;
    boolean closing;
    int connLost;

    /** @throws IllegalArgumentException if the channel is in blocking mode */
    ReadinessTransport(ReadinessEventLoop loop, C channel) {
        this.loop = loop;
        this.channel = channel;
        this.flow = new WriteFlowControl(loop);
        if (channel.isBlocking()) {
            throw new IllegalArgumentException("channel " + channel + " is in blocking mode");
        }
        extra.put(Transport.SOCKET, channel);
    }

    /** @return whether nothing waits in the write buffer */
    abstract boolean bufferIsEmpty();

    /** Drops whatever waits in the write buffer (the base resets {@link #bufferSize}). */
    abstract void clearBuffer();

    /** @return the current protocol, for reports */
    abstract Object protocolForReports();

    abstract void pauseProtocolWriting();

    abstract void resumeProtocolWriting();

    abstract void protocolConnectionLost(@Nullable Throwable e);

    /** Called when the transport is closed at once, before the buffer is dropped. */
    void beforeForceClose(@Nullable Throwable e) {
    }

    /** Called after {@code connectionLost} ran and the channel is closed. */
    void afterConnectionLost() {
    }

    final void putIfPresent(String key, SocketAddress value) {
        if (value != null) {
            extra.put(key, value);
        }
    }

    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        loop.removeReaderHandle(channel);
        if (bufferIsEmpty()) {
            connLost++;
            loop.removeWriterHandle(channel);
            loop.callSoon(() -> callConnectionLost(null), context);
        }
    }

    public void abort() {
        forceClose(null);
    }

    @Override
    public boolean isClosing() {
        return closing;
    }

    public Optional<Object> getExtraInfo(String key) {
        return Optional.ofNullable(extra.get(Objects.requireNonNull(key, "key")));
    }

    public int getWriteBufferSize() {
        return saturated(bufferSize);
    }

    /** A byte count as an {@code int}: {@link Integer#MAX_VALUE} for a larger one. */
    static int saturated(long bytes) {
        return (int) Math.min(bytes, Integer.MAX_VALUE);
    }

    public void setWriteBufferLimits(@Nullable Integer high, @Nullable Integer low) {
        flow.setLimits(high, low);
        maybePauseProtocol();
    }

    final void maybePauseProtocol() {
        if (flow.pauseNeeded(bufferSize)) {
            flow.notifyProtocol(this, protocolForReports(), this::pauseProtocolWriting, "pauseWriting");
        }
    }

    final void maybeResumeProtocol() {
        if (flow.resumeNeeded(bufferSize)) {
            flow.notifyProtocol(this, protocolForReports(), this::resumeProtocolWriting, "resumeWriting");
        }
    }

    /**
     * asyncio's {@code _fatal_error}: reports {@code e} with this transport and its protocol, unless it is an
     * I/O error of the socket (a reset peer is not a bug), then closes at once with {@code e}.
     */
    final void fatalError(Throwable e, String message) {
        if (e instanceof IOException) {
            if (loop.getDebug()) {
                ReadinessEventLoop.LOG.log(Level.DEBUG, message + " " + this, e);
            }
        } else {
            loop.callExceptionHandler(ExceptionContext.builder(message).exception(e).transport(this)
                    .protocol(protocolForReports()).build());
        }
        forceClose(e);
    }

    final void forceClose(@Nullable Throwable e) {
        if (connLost > 0) {
            return;
        }
        beforeForceClose(e);
        if (!bufferIsEmpty()) {
            clearBuffer();
            bufferSize = 0;
            loop.removeWriterHandle(channel);
        }
        if (!closing) {
            closing = true;
            loop.removeReaderHandle(channel);
        }
        connLost++;
        loop.callSoon(() -> callConnectionLost(e), context);
    }

    final void callConnectionLost(@Nullable Throwable e) {
        try {
            protocolConnectionLost(e);
        } finally {
            loop.forget(channel);
            ReadinessEventLoop.closeQuietly(channel);
            loop.transportGone(channel, this);
            afterConnectionLost();
        }
    }
}
