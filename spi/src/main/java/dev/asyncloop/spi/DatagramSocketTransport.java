package dev.asyncloop.spi;

import dev.asyncloop.DatagramProtocol;
import dev.asyncloop.DatagramTransport;
import dev.asyncloop.Future;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.UnsupportedAddressTypeException;
import java.util.ArrayDeque;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * asyncio's {@code _SelectorDatagramTransport}: a UDP endpoint of a {@link ReadinessEventLoop}. Loop thread only.
 *
 * <p>Implementation overview.
 * <ul>
 *   <li><b>Start.</b> The constructor schedules {@code connectionMade}; that callback starts receiving and
 *       completes the waiter.</li>
 *   <li><b>Receive.</b> One {@code receive} per readiness event into the loop's shared buffer, lent to
 *       {@code datagramReceived}; an {@link IOException} (an ICMP error on a connected channel) goes to
 *       {@code errorReceived} and the endpoint stays open.</li>
 *   <li><b>Send.</b> Tried at once when nothing is queued; a datagram the socket refuses for now (the JDK
 *       returns 0) is copied with its address into the queue, which the writer callback drains in order; each
 *       queued datagram counts its payload plus {@link #HEADER_SIZE} towards the write-buffer size. Send
 *       errors, and an address of a family the socket cannot reach, go to {@code errorReceived} (asyncio's
 *       {@code OSError}s); the failed datagram is dropped.</li>
 *   <li><b>End.</b> As {@link SocketTransport}: {@code connLost} makes {@code connectionLost} happen once,
 *       scheduled, then the channel is closed.</li>
 * </ul>
 */
final class DatagramSocketTransport extends ReadinessTransport<DatagramChannel> implements DatagramTransport {
    private static final int LOG_THRESHOLD_FOR_CONNLOST_WRITES = 5;
    /**
     * What a queued datagram adds to the write-buffer size besides its payload (the UDP header, as asyncio
     * counts it), so that empty datagrams also count towards the high-water mark.
     */
    static final int HEADER_SIZE = 8;

    private record Queued(ByteBuffer data, SocketAddress address) {
    }

    /** Where {@code send} goes and the only address {@code sendTo} accepts; null if the endpoint has none. */
    private final @Nullable SocketAddress remote;
    /** Whether the channel itself is connected (to {@link #remote}); a broadcast endpoint is not. */
    private final boolean connected;
    private final ArrayDeque<Queued> buffer = new ArrayDeque<>();
    private DatagramProtocol protocol;

    /**
     * @param remote the default destination of an endpoint that is not connected (a broadcast one), or null to
     *     take the channel's remote address (none when it is not connected)
     */
    DatagramSocketTransport(ReadinessEventLoop loop, DatagramChannel channel, @Nullable SocketAddress remote,
            DatagramProtocol protocol, Future<@Nullable Void> waiter) throws IOException {
        super(loop, channel);
        this.protocol = Objects.requireNonNull(protocol, "protocol");
        SocketAddress peer = channel.getRemoteAddress();
        this.connected = peer != null;
        this.remote = peer != null ? peer : remote;
        putIfPresent(PEERNAME, peer);
        putIfPresent(SOCKNAME, channel.getLocalAddress());
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
            loop.setReader(channel, this::readReady, context);
        }
        if (waiter != null && !waiter.isDone()) {
            waiter.setResult(null);
        }
    }

    // ------------------------------------------------------------------ receiving

    private void readReady() {
        if (connLost > 0) {
            return;
        }
        ByteBuffer data = loop.socketIo().directReadBuffer();
        SocketAddress from;
        try {
            from = channel.receive(data);
        } catch (ClosedChannelException e) {
            fatalError(e, "Fatal read error on datagram transport");
            return;
        } catch (IOException e) {
            errorReceived(e);
            return;
        } catch (RuntimeException e) {
            fatalError(e, "Fatal read error on datagram transport");
            return;
        }
        if (from == null) {
            return;
        }
        if (extra.get(SOCKNAME) == null) {
            refreshLocal();
        }
        data.flip();
        try {
            protocol.datagramReceived(data, from);
        } catch (Exception e) {
            fatalError(e, "Fatal error: protocol.datagramReceived() call failed.");
        }
    }

    private void errorReceived(Exception e) {
        try {
            protocol.errorReceived(describe(e));
        } catch (Exception failed) {
            fatalError(failed, "Fatal error: protocol.errorReceived() call failed.");
        }
    }

    /**
     * The JDK reports an ICMP port unreachable as a {@link PortUnreachableException} without a message, where
     * asyncio's is "Connection refused": this one names the peer that refused, is of the same type, and has the
     * JDK's as its cause.
     */
    private Exception describe(Exception e) {
        if (!(e instanceof PortUnreachableException) || remote == null) {
            return e;
        }
        PortUnreachableException named = new PortUnreachableException("Connection refused by " + remote
                + " (ICMP port unreachable)" + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        named.initCause(e);
        return named;
    }

    private void refreshLocal() {
        try {
            SocketAddress local = channel.getLocalAddress();
            if (local != null) {
                extra.put(SOCKNAME, local);
            }
        } catch (IOException ignored) {
            // The channel is closing; the address no longer matters.
        }
    }

    // ------------------------------------------------------------------ sending

    @Override
    public void send(ByteBuffer data) {
        Objects.requireNonNull(data, "data");
        if (remote == null) {
            throw new IllegalStateException("send() needs an endpoint with a remote address"
                    + " (DatagramOptions.remoteAddress); use sendTo(data, address)");
        }
        sendTo(data, null);
    }

    @Override
    public void sendTo(ByteBuffer data, @Nullable SocketAddress address) {
        Objects.requireNonNull(data, "data");
        if (remote != null) {
            if (address != null && !address.equals(remote)) {
                throw new IllegalArgumentException("Invalid address: must be null or " + remote + ", got "
                        + address + " (the endpoint has a remote address)");
            }
            address = remote;
            if (connected && !data.hasRemaining()) {
                throw new UnsupportedOperationException("cannot send an empty datagram on a connected endpoint: the"
                        + " JDK's DatagramChannel skips zero-length writes once connected; use an endpoint without"
                        + " remoteAddress and sendTo(data, " + remote + ")");
            }
        } else {
            if (address == null) {
                throw new IllegalArgumentException("address is null but the endpoint is not connected;"
                        + " pass where to send the datagram");
            }
            if (address instanceof InetSocketAddress isa && isa.isUnresolved()) {
                throw new IllegalArgumentException("address " + address + " is unresolved; resolve it first"
                        + " (getAddrInfo)");
            }
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
                if (sendOne(data, address)) {
                    refreshLocalIfUnbound();
                    return;
                }
            } catch (ClosedChannelException e) {
                fatalError(e, "Fatal write error on datagram transport");
                return;
            } catch (IOException | UnsupportedAddressTypeException e) {
                data.position(data.limit());
                errorReceived(e);
                return;
            } catch (RuntimeException e) {
                fatalError(e, "Fatal write error on datagram transport");
                return;
            }
            loop.setWriter(channel, this::sendReady, context);
        }
        ByteBuffer copy = ByteBuffer.allocate(data.remaining());
        copy.put(data).flip();
        buffer.add(new Queued(copy, address));
        bufferSize += copy.remaining() + HEADER_SIZE;
        maybePauseProtocol();
    }

    /**
     * One datagram; false if the socket has no room now (nothing was sent). The JDK returns 0 both for an empty
     * datagram sent and for one refused, so an empty one counts as sent.
     */
    private boolean sendOne(ByteBuffer data, SocketAddress address) throws IOException {
        int before = data.remaining();
        if (connected) {
            return channel.write(data) > 0;
        }
        int n = channel.send(data, address);
        return n > 0 || before == 0;
    }

    private void refreshLocalIfUnbound() {
        if (extra.get(SOCKNAME) == null) {
            refreshLocal();
        }
    }

    private void sendReady() {
        if (connLost > 0) {
            return;
        }
        while (!buffer.isEmpty()) {
            Queued q = buffer.peekFirst();
            int size = q.data().remaining() + HEADER_SIZE;
            try {
                if (!sendOne(q.data(), q.address())) {
                    break;
                }
            } catch (ClosedChannelException e) {
                fatalError(e, "Fatal write error on datagram transport");
                return;
            } catch (IOException | UnsupportedAddressTypeException e) {
                buffer.pollFirst();
                bufferSize -= size;
                errorReceived(e);
                return;
            } catch (RuntimeException e) {
                fatalError(e, "Fatal write error on datagram transport");
                return;
            }
            buffer.pollFirst();
            bufferSize -= size;
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
    public int getWriteBufferHighWater() {
        return flow.highWater();
    }

    @Override
    public int getWriteBufferLowWater() {
        return flow.lowWater();
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

    // ------------------------------------------------------------------ misc

    @Override
    public void setProtocol(DatagramProtocol protocol) {
        this.protocol = Objects.requireNonNull(protocol, "protocol");
    }

    @Override
    public DatagramProtocol getProtocol() {
        return protocol;
    }

    @Override
    public String toString() {
        return "DatagramTransport[" + (connLost > 0 ? "closed" : closing ? "closing" : "open")
                + ", local=" + extra.get(SOCKNAME) + ", peer=" + remote + ", buffered=" + bufferSize + "]";
    }
}
