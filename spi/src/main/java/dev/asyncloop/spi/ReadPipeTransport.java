package dev.asyncloop.spi;

import dev.asyncloop.BufferedProtocol;
import dev.asyncloop.ExceptionContext;
import dev.asyncloop.Future;
import dev.asyncloop.Protocol;
import dev.asyncloop.ReadTransport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SelectableChannel;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * asyncio's {@code _UnixReadPipeTransport}: the readable end of a pipe (or any selectable readable channel) of a
 * {@link ReadinessEventLoop}. Loop thread only.
 *
 * <p>Implementation overview.
 * <ul>
 *   <li><b>Start.</b> The constructor schedules {@code connectionMade}; the same callback starts reading (unless
 *       paused meanwhile) and completes the waiter.</li>
 *   <li><b>Read.</b> One read per readiness event into the loop's direct read buffer (a pipe reads a direct
 *       buffer without a copy), or into a {@link BufferedProtocol}'s buffer.</li>
 *   <li><b>End of stream</b> closes the transport whatever {@code eofReceived} answers: the transport stops
 *       reading and schedules {@code eofReceived} followed by {@code connectionLost(null)}.</li>
 *   <li><b>Errors.</b> A read error is reported with the transport and protocol (asyncio reports every error
 *       of a read pipe but EIO, which a pseudo-terminal gives and a Java channel never does) and ends the
 *       transport with it; a protocol callback that throws does the same, as for every transport of the loop.</li>
 * </ul>
 *
 * @param <C> the channel type
 */
final class ReadPipeTransport<C extends SelectableChannel & ReadableByteChannel> extends ReadinessTransport<C>
        implements ReadTransport {
    private Protocol protocol;
    private boolean started;
    private boolean paused;

    ReadPipeTransport(ReadinessEventLoop loop, C channel, Protocol protocol, Future<@Nullable Void> waiter) {
        super(loop, channel);
        this.protocol = Objects.requireNonNull(protocol, "protocol");
        extra.remove(SOCKET);
        extra.put(PIPE, channel);
        loop.transportOpened(channel, this);
        loop.callSoon(() -> start(waiter));
    }

    private void start(Future<@Nullable Void> waiter) {
        started = true;
        try {
            protocol.connectionMade(this);
        } catch (Exception e) {
            fatalError(e, "Fatal error: protocol.connectionMade() call failed.");
            if (waiter != null && !waiter.isDone()) {
                waiter.setException(e);
            }
            return;
        }
        if (isReading()) {
            loop.setReader(channel, this::readReady, context);
        }
        if (waiter != null && !waiter.isDone()) {
            waiter.setResult(null);
        }
    }

    private void readReady() {
        if (connLost > 0) {
            return;
        }
        BufferedProtocol buffered = protocol instanceof BufferedProtocol b ? b : null;
        ByteBuffer into;
        if (buffered != null) {
            try {
                into = buffered.getBuffer(-1);
                if (into == null || !into.hasRemaining()) {
                    throw new IllegalStateException("getBuffer() returned " + (into == null ? "null"
                            : "a full buffer") + "; return a buffer with room left");
                }
            } catch (Exception e) {
                fatalError(e, "Fatal error: protocol.getBuffer() call failed.");
                return;
            }
        } else {
            into = loop.socketIo().directReadBuffer();
        }
        int n;
        try {
            n = channel.read(into);
        } catch (IOException | RuntimeException e) {
            loop.callExceptionHandler(ExceptionContext.builder("Fatal read error on pipe transport").exception(e)
                    .transport(this).protocol(protocol).build());
            forceClose(e);
            return;
        }
        if (n < 0) {
            onEof();
        } else if (n > 0) {
            try {
                if (buffered != null) {
                    buffered.bufferUpdated(n);
                } else {
                    protocol.dataReceived(into.flip());
                }
            } catch (Exception e) {
                fatalError(e, buffered != null ? "Fatal error: protocol.bufferUpdated() call failed."
                        : "Fatal error: protocol.dataReceived() call failed.");
            }
        }
    }

    /** asyncio's end of a read pipe: stop reading, then eofReceived and connectionLost(null), in that order. */
    private void onEof() {
        closing = true;
        connLost++;
        loop.removeReaderHandle(channel);
        loop.callSoon(() -> {
            Throwable failed = null;
            try {
                protocol.eofReceived();
            } catch (Exception e) {
                failed = e;
                loop.callExceptionHandler(ExceptionContext.builder("Fatal error: protocol.eofReceived() call failed.")
                        .exception(e).transport(this).protocol(protocol).build());
            }
            callConnectionLost(failed);
        }, context);
    }

    @Override
    public void pauseReading() {
        if (closing || paused) {
            return;
        }
        paused = true;
        loop.removeReaderHandle(channel);
    }

    @Override
    public void resumeReading() {
        if (closing || !paused) {
            return;
        }
        paused = false;
        if (started) {
            loop.setReader(channel, this::readReady, context);
        }
    }

    @Override
    public boolean isReading() {
        return !paused && !closing;
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
        return true;
    }

    @Override
    void clearBuffer() {
    }

    @Override
    Object protocolForReports() {
        return protocol;
    }

    @Override
    void pauseProtocolWriting() {
    }

    @Override
    void resumeProtocolWriting() {
    }

    @Override
    void protocolConnectionLost(@Nullable Throwable e) {
        protocol.connectionLost(e);
    }

    @Override
    public String toString() {
        return "ReadPipeTransport[" + (connLost > 0 ? "closed" : closing ? "closing" : paused ? "paused" : "open")
                + ", pipe=" + channel + "]";
    }
}
