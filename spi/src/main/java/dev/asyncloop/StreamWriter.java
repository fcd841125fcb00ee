package dev.asyncloop;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * asyncio's {@code StreamWriter}: the writing side of a stream connection, a write pipe or a child process's stdin,
 * a thin layer over its {@link WriteTransport} that adds {@link #drain()} (wait for flow control) and
 * {@link #waitClosed()}.
 *
 * <p><b>Threads.</b> Loop thread only, like the transport.
 *
 * <p><b>Ownership.</b> {@code write} consumes the given bytes during the call (the transport copies what it
 * cannot send at once), so the caller may reuse its buffer as soon as {@code write} returns.
 *
 * <p>The usual pattern, inside a task: {@code writer.write(data); Async.await(writer.drain());}.
 */
public final class StreamWriter {
    private WriteTransport transport;
    private final StreamProtocol protocol;
    private final @Nullable StreamReader reader;
    private final EventLoop loop;

    StreamWriter(WriteTransport transport, StreamProtocol protocol, @Nullable StreamReader reader, EventLoop loop) {
        this.transport = transport;
        this.protocol = protocol;
        this.reader = reader;
        this.loop = loop;
    }

    /**
     * Returns the underlying transport: a {@link StreamTransport} for a connection made by {@link Streams}, the
     * pipe's {@link WriteTransport} for {@link Streams#openWritePipe} and for a {@link Subprocess}'s stdin.
     *
     * @return the transport
     */
    public WriteTransport transport() {
        return transport;
    }

    /**
     * Sends {@code data}'s remaining bytes; see {@link WriteTransport#write(ByteBuffer)}. Does not wait: follow
     * with {@link #drain()} to respect flow control.
     *
     * @param data the bytes; consumed during the call
     * @throws IllegalStateException after {@link #writeEof()}
     */
    public void write(ByteBuffer data) {
        transport.write(data);
    }

    /**
     * Sends {@code data}; see {@link WriteTransport#write(byte[])}.
     *
     * @param data the bytes; the caller may reuse the array when this returns
     * @throws IllegalStateException after {@link #writeEof()}
     */
    public void write(byte[] data) {
        transport.write(data);
    }

    /**
     * Sends each buffer in turn.
     *
     * @param data the buffers; consumed during the call
     * @throws IllegalStateException after {@link #writeEof()}
     */
    public void writeLines(List<ByteBuffer> data) {
        transport.writeLines(data);
    }

    /**
     * Half-closes the connection once the buffered data is sent; see {@link WriteTransport#writeEof()}.
     *
     * @throws UnsupportedOperationException if {@link #canWriteEof()} is false
     */
    public void writeEof() {
        transport.writeEof();
    }

    /**
     * Tells whether {@link #writeEof()} is supported.
     *
     * @return true for TCP and for a child's stdin
     */
    public boolean canWriteEof() {
        return transport.canWriteEof();
    }

    /** Closes the transport (buffered data is still sent); see {@link Transport#close()}. Idempotent. */
    public void close() {
        transport.close();
    }

    /**
     * Tells whether the transport is closing or closed.
     *
     * @return true once closed or lost
     */
    public boolean isClosing() {
        return transport.isClosing();
    }

    /**
     * Returns a future done once the connection is lost: with no result after a regular close or end of
     * stream, failed with the error the connection was lost with otherwise. Every call returns the same future.
     *
     * @return the future
     */
    public Future<@Nullable Void> waitClosed() {
        return protocol.closed();
    }

    /**
     * Returns transport information; see {@link Transport#getExtraInfo(String)}.
     *
     * @param key {@link Transport#PEERNAME}, {@link Transport#SOCKNAME} or {@link Transport#SOCKET}
     * @return the value, or empty
     */
    public Optional<Object> getExtraInfo(String key) {
        return transport.getExtraInfo(key);
    }

    /**
     * {@link #getExtraInfo(String)} with the value cast to {@code type}, e.g.
     * {@code getExtraInfo(Transport.PEERNAME, InetSocketAddress.class)}.
     *
     * @param key {@link Transport#PEERNAME}, {@link Transport#SOCKNAME} or {@link Transport#SOCKET}
     * @param type the class the value is expected to be an instance of
     * @param <T> the value's type
     * @return the value, or empty
     * @throws NullPointerException if an argument is null
     * @throws ClassCastException if the value is not a {@code type}; the message names the key and both types
     */
    public <T> Optional<T> getExtraInfo(String key, Class<T> type) {
        return ExtraInfo.as(key, type, this::getExtraInfo);
    }

    /**
     * Waits until it is appropriate to write again: done at once while the transport has not paused writing;
     * while it has ({@link Protocol#pauseWriting()}), done when it resumes. Fails with the reader's exception
     * when the connection broke, with the error the connection was lost with if it is lost while waiting, and
     * with {@link java.net.SocketException} "Connection lost" once it is lost. When the transport is closing it
     * first lets one loop iteration pass, so that a {@code write; drain} loop sees the loss.
     *
     * @return the future; cancelling it stops the wait only
     */
    public Future<@Nullable Void> drain() {
        if (reader != null && reader.exception().isPresent()) {
            Future<@Nullable Void> failed = loop.createFuture();
            failed.setException(reader.exception().get());
            return failed;
        }
        return protocol.drain(transport.isClosing());
    }

    /**
     * Upgrades the connection to TLS (asyncio 3.11's {@code StreamWriter.start_tls}): waits for
     * {@link #drain()}, then runs {@link EventLoop#startTls} over the transport; when it is done, this writer and
     * the stream's reader use the TLS transport ({@link #transport()} returns it). Call on the loop thread, then
     * await the returned future before writing again.
     *
     * <p>Bytes the reader already holds, not yet read, go to the TLS layer as the first bytes it receives (asyncio
     * 3.15, gh-142352), then the end of the stream if the reader had seen it; the reader is emptied of them and
     * later reads return what the TLS layer decrypts. So a peer that sends its ClientHello right behind its
     * "STARTTLS" line gets its handshake, although the reader took the hello in with the line. On the client side
     * too (asyncio moves them on the server side only): bytes a server sent after its plain answer cannot be TLS
     * it sent in turn, and they fail the handshake rather than be read after it as if they had come over TLS.
     *
     * @param context the TLS context
     * @param options the options of the handshake; {@link TlsOptions#serverSide()} must match this stream's side
     *     (true for the streams a {@link Streams#startServer} handler gets), and the client side needs a server
     *     host name
     * @return a task done after the handshake; failed with the handshake's error (the connection then closed)
     * @throws IllegalArgumentException if {@code options} are for the other side, or the client side has no
     *     server host name
     * @throws IllegalStateException if this writer's transport is not a stream connection (a write pipe, a
     *     subprocess's stdin)
     * @throws NullPointerException if an argument is null
     */
    public Future<@Nullable Void> startTls(javax.net.ssl.SSLContext context, TlsOptions options) {
        java.util.Objects.requireNonNull(context, "context");
        java.util.Objects.requireNonNull(options, "options");
        if (!(transport instanceof StreamTransport stream)) {
            throw new IllegalStateException("startTls upgrades a stream connection; this writer writes to "
                    + transport + " (a pipe or a subprocess's stdin), which cannot carry TLS");
        }
        boolean serverSide = protocol.isServerSide();
        if (options.serverSide() != serverSide) {
            throw new IllegalArgumentException("options are for the " + (options.serverSide() ? "server" : "client")
                    + " side, but this stream is the " + (serverSide ? "server side (a startServer handler's); use"
                    + " TlsOptions.server()" : "client side; use TlsOptions.client(serverHostname)"));
        }
        if (!serverSide && options.serverHostname().isEmpty()) {
            throw new IllegalArgumentException("serverHostname is required on the client side of TLS; use"
                    + " TlsOptions.client(name), or client(\"\") to verify no name");
        }
        return loop.createTask(() -> {
            Async.await(drain());
            Future<StreamTransport> handshake = loop.startTls(stream, protocol, context, options);
            // Taken in the step in which startTls paused reading (no byte comes in between), and only once it has
            // accepted the transport, so that a refused upgrade leaves the reader as it was.
            StreamReader.Held held = reader == null ? new StreamReader.Held(new byte[0], false) : reader.takeForTls();
            if (held.data().length > 0 || held.eof()) {
                Protocol tls = stream.getProtocol();
                // After the TLS layer's connectionMade, which startTls has scheduled first.
                loop.callSoon(() -> handTo(tls, stream, held.data(), held.eof()));
            }
            StreamTransport upgraded = Async.await(handshake);
            transport = upgraded;
            protocol.replaceTransport(upgraded);
            if (reader != null) {
                reader.replaceTransport(upgraded);
            }
            return null;
        }, "StreamWriter.startTls");
    }

    /**
     * Hands the bytes the reader held to the TLS layer as the first bytes received, then the end of the stream if
     * the reader had seen it, as the transport would have.
     */
    private static void handTo(Protocol tls, StreamTransport stream, byte[] held, boolean eofHeld) {
        if (stream.getProtocol() != tls || stream.isClosing()) {
            return;
        }
        if (tls instanceof BufferedProtocol buffered) {
            int offset = 0;
            while (offset < held.length) {
                ByteBuffer into = buffered.getBuffer(held.length - offset);
                int n = Math.min(into.remaining(), held.length - offset);
                if (n == 0) {
                    throw new IllegalStateException("the TLS layer " + tls + " lent an empty buffer");
                }
                into.put(held, offset, n);
                offset += n;
                buffered.bufferUpdated(n);
            }
        } else if (held.length > 0) {
            tls.dataReceived(ByteBuffer.wrap(held));
        }
        if (eofHeld && !stream.isClosing() && !tls.eofReceived()) {
            stream.close();
        }
    }

    @Override
    public String toString() {
        return "StreamWriter[transport=" + transport + (reader == null ? "" : ", reader=" + reader) + "]";
    }
}
