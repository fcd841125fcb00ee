package dev.asyncloop.spi;

import dev.asyncloop.BufferedProtocol;
import dev.asyncloop.Future;
import dev.asyncloop.Protocol;
import dev.asyncloop.StreamTransport;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * asyncio's {@code _SelectorSocketTransport}: a TCP connection of a {@link ReadinessEventLoop}. Loop thread
 * only.
 *
 * <p>Implementation overview.
 * <ul>
 *   <li><b>Start.</b> The constructor schedules (never calls) {@code connectionMade}; the same callback then
 *       starts reading and completes the waiter, so no data reaches the protocol before it.</li>
 *   <li><b>Read.</b> One read per readiness event, through the loop's {@link SocketIo}, into the loop's shared
 *       buffer (or the buffer of a {@link BufferedProtocol}); -1 is end of stream: {@code eofReceived} decides
 *       between half-close (stop reading) and close.</li>
 *   <li><b>Write.</b> {@code write} sends at once when nothing is queued and queues a copy of the rest; bytes
 *       go to the socket through the loop's {@link SocketIo} (heap arrays through its heap I/O or its
 *       direct scratch buffer). The writer callback sends the queue until the socket takes less than it was
 *       given. Flow control compares the queued bytes with the high/low marks.</li>
 *   <li><b>End.</b> {@code connLost} counts the ways the connection ended (and later writes, for the warning);
 *       {@code connectionLost} is scheduled exactly once, then the channel is closed and the server told.
 *       A callback that throws closes the transport through {@link #fatalError}.</li>
 * </ul>
 */
final class SocketTransport extends ReadinessTransport<SocketChannel> implements StreamTransport {
    private static final int LOG_THRESHOLD_FOR_CONNLOST_WRITES = 5;

    private final @Nullable ReadinessServer server;
    private final WriteQueue buffer = new WriteQueue();
    private Protocol protocol;
    private boolean started;
    private boolean paused;
    private boolean eof;
    private boolean readEof;
    private @Nullable Future<@Nullable Void> emptyWaiter;
    private @Nullable Future<Long> transfer;

    SocketTransport(ReadinessEventLoop loop, SocketChannel channel, Protocol protocol,
            @Nullable Future<@Nullable Void> waiter,
            @Nullable ReadinessServer server) throws IOException {
        super(loop, channel);
        this.protocol = Objects.requireNonNull(protocol, "protocol");
        this.server = server;
        putIfPresent(PEERNAME, channel.getRemoteAddress());
        putIfPresent(SOCKNAME, channel.getLocalAddress());
        try {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // Not every stream socket has Nagle's algorithm; the transport works without.
        }
        loop.transportOpened(channel, this);
        if (server != null) {
            server.attach(this);
        }
        loop.callSoon(() -> start(waiter));
    }

    private void start(@Nullable Future<@Nullable Void> waiter) {
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

    // ------------------------------------------------------------------ reading

    private void readReady() {
        if (connLost > 0) {
            return;
        }
        if (protocol instanceof BufferedProtocol buffered) {
            readBuffered(buffered);
            return;
        }
        SocketIo io = loop.socketIo();
        ByteBuffer data = io.streamReadBuffer();
        int n;
        try {
            n = io.read(channel, data);
        } catch (IOException | RuntimeException e) {
            fatalError(e, "Fatal read error on socket transport");
            return;
        }
        if (n < 0) {
            onEof();
        } else if (n > 0) {
            data.flip();
            try {
                protocol.dataReceived(data);
            } catch (Exception e) {
                fatalError(e, "Fatal error: protocol.dataReceived() call failed.");
            }
        }
    }

    private void readBuffered(BufferedProtocol buffered) {
        ByteBuffer into;
        try {
            into = buffered.getBuffer(-1);
            if (into == null || !into.hasRemaining()) {
                throw new IllegalStateException("getBuffer() returned " + (into == null ? "null" : "a full buffer")
                        + "; return a buffer with room left");
            }
        } catch (Exception e) {
            fatalError(e, "Fatal error: protocol.getBuffer() call failed.");
            return;
        }
        int n;
        try {
            n = loop.socketIo().read(channel, into);
        } catch (IOException | RuntimeException e) {
            fatalError(e, "Fatal read error on socket transport");
            return;
        }
        if (n < 0) {
            onEof();
        } else if (n > 0) {
            try {
                buffered.bufferUpdated(n);
            } catch (Exception e) {
                fatalError(e, "Fatal error: protocol.bufferUpdated() call failed.");
            }
        } else if (buffered instanceof BorrowedReadBuffer borrowed) {
            borrowed.nothingRead();
        }
    }

    private void onEof() {
        readEof = true;
        boolean keepOpen;
        try {
            keepOpen = protocol.eofReceived();
        } catch (Exception e) {
            fatalError(e, "Fatal error: protocol.eofReceived() call failed.");
            return;
        }
        if (keepOpen) {
            loop.removeReaderHandle(channel);
        } else {
            close();
        }
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
        if (started && !readEof) {
            loop.setReader(channel, this::readReady, context);
        }
    }

    @Override
    public boolean isReading() {
        return !paused && !closing;
    }

    // ------------------------------------------------------------------ writing

    @Override
    public void write(ByteBuffer data) {
        Objects.requireNonNull(data, "data");
        if (eof) {
            throw new IllegalStateException("Cannot call write() after writeEof()");
        }
        if (emptyWaiter != null) {
            throw new IllegalStateException("unable to write; sendfile is in progress on " + this
                    + "; wait for the sendfile future first");
        }
        if (!data.hasRemaining()) {
            return;
        }
        if (connLost > 0) {
            if (connLost >= LOG_THRESHOLD_FOR_CONNLOST_WRITES) {
                ReadinessEventLoop.LOG.log(Level.WARNING, "socket.send() raised exception.");
            }
            connLost++;
            data.position(data.limit());
            return;
        }
        if (buffer.isEmpty()) {
            try {
                if (loop.socketIo().send(channel, data)) {
                    return;
                }
            } catch (IOException | RuntimeException e) {
                fatalError(e, "Fatal write error on socket transport");
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
            fatalError(e, "Fatal write error on socket transport");
            return;
        }
        maybeResumeProtocol(); // may write more, close or abort
        if (connLost > 0) {
            // resumeWriting closed or aborted the transport with the queue empty, which scheduled connectionLost
            loop.removeWriterHandle(channel);
            if (emptyWaiter != null && !emptyWaiter.isDone()) {
                emptyWaiter.setResult(null);
            }
            return;
        }
        if (buffer.isEmpty()) {
            loop.removeWriterHandle(channel);
            if (emptyWaiter != null && !emptyWaiter.isDone()) {
                emptyWaiter.setResult(null);
            }
            if (closing) {
                connLost++;
                callConnectionLost(null);
            } else if (eof) {
                shutdownOutput();
            }
        }
    }

    @Override
    public void writeEof() {
        if (closing || eof) {
            return;
        }
        eof = true;
        if (buffer.isEmpty()) {
            shutdownOutput();
        }
    }

    private void shutdownOutput() {
        try {
            channel.shutdownOutput();
        } catch (IOException e) {
            fatalError(e, "Fatal error on socket transport: shutdownOutput() failed");
        }
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
    void beforeForceClose(@Nullable Throwable e) {
        if (emptyWaiter != null && !emptyWaiter.isDone()) {
            emptyWaiter.setException(e != null ? e : new java.net.SocketException("Connection is closed by peer"));
        }
    }

    @Override
    void afterConnectionLost() {
        if (transfer != null && !transfer.isDone()) {
            transfer.setException(new java.net.SocketException("the transport was closed during sendfile: " + this));
        }
        if (server != null) {
            server.detach(this);
        }
    }

    // ------------------------------------------------------------------ sendfile support

    /**
     * asyncio's {@code _make_empty_waiter}: a future done when the write buffer is empty (at once if it is);
     * until {@link #resetEmptyWaiter()}, {@link #write} refuses data.
     */
    Future<@Nullable Void> makeEmptyWaiter() {
        if (emptyWaiter != null) {
            throw new IllegalStateException("sendfile is already in progress on " + this);
        }
        emptyWaiter = loop.createFuture();
        if (buffer.isEmpty()) {
            emptyWaiter.setResult(null);
        }
        return emptyWaiter;
    }

    void resetEmptyWaiter() {
        emptyWaiter = null;
        transfer = null;
    }

    /**
     * Remembers the zero-copy transfer of the sendfile in progress, which the end of the connection fails: the
     * transfer waits for writability with the channel's writer, which closing the transport removes.
     */
    void transferStarted(Future<Long> sending) {
        transfer = sending;
    }

    SocketChannel channel() {
        return channel;
    }

    ReadinessEventLoop loop() {
        return loop;
    }

    boolean isProtocolPaused() {
        return flow.isPaused();
    }

    // ------------------------------------------------------------------ misc

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
        return "SocketTransport[" + (connLost > 0 ? "closed" : closing ? "closing" : "open")
                + ", peer=" + extra.get(PEERNAME) + ", local=" + extra.get(SOCKNAME)
                + ", buffered=" + bufferSize + "]";
    }
}
