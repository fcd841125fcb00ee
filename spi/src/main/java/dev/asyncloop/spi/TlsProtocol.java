package dev.asyncloop.spi;

import dev.asyncloop.BufferedProtocol;
import dev.asyncloop.EventLoop;
import dev.asyncloop.ExceptionContext;
import dev.asyncloop.Future;
import dev.asyncloop.Protocol;
import dev.asyncloop.StreamTransport;
import dev.asyncloop.TimerHandle;
import dev.asyncloop.TimeoutError;
import dev.asyncloop.TlsOptions;
import dev.asyncloop.Transport;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.security.cert.Certificate;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.jspecify.annotations.Nullable;

/**
 * asyncio's {@code SSLProtocol}: TLS over any stream transport, as a {@link BufferedProtocol} of that ("raw")
 * transport, driving an {@link SSLEngine}. The application talks to its {@link TlsTransport}. Loop thread only.
 *
 * <p>Implementation overview.
 * <ul>
 *   <li><b>Buffers</b> are borrowed from the loop's {@link TlsBuffers} for the call that needs them and given
 *       back at its end, so an idle connection holds none: {@code netIn} (ciphertext; taken by {@code getBuffer}
 *       for the raw transport to read into, in write mode; a read that gets no byte gives it back through
 *       {@link BorrowedReadBuffer}), {@code appIn} (decrypted bytes, taken by the first
 *       unwrap of a read) and {@code netOut} (records being wrapped, handed to the raw transport, which consumes
 *       them during its {@code write} and keeps no reference; given back by every flush). Only what must
 *       outlive a call stays, moved to a buffer of about its size: an incomplete record (or, while the
 *       application is paused, records not yet unwrapped) in {@code netIn}, plaintext a paused
 *       {@link BufferedProtocol} has not taken in {@code appIn}. Each is null when empty.</li>
 *   <li><b>States.</b> {@code NEW} until the raw transport is made, {@code HANDSHAKE}, {@code WRAPPED},
 *       {@code SHUTDOWN} (our {@code close_notify} is sent or about to be, waiting for the peer's) and
 *       {@code CLOSED}.</li>
 *   <li><b>Writes</b> are wrapped at once from the caller's buffer (no copy) while wrapped; before the handshake
 *       is done, or while the engine waits for the peer (a renegotiation), they are copied to a backlog that
 *       is wrapped, gathered, as soon as it can be.</li>
 *   <li><b>Flow control.</b> The application's write buffer is the backlog plus the raw transport's buffer,
 *       under the raw transport's marks: the application is paused while the raw transport has paused this
 *       protocol or the total is above the high mark.</li>
 * </ul>
 */
final class TlsProtocol implements BufferedProtocol, BorrowedReadBuffer {
    private static final System.Logger LOG = System.getLogger("dev.asyncloop");
    private static final int LOG_THRESHOLD_FOR_CONNLOST_WRITES = 5;
    private static final ByteBuffer[] NOTHING = {ByteBuffer.allocate(0)};
    /** Room a socket read gets (at least a packet more than what waits): fewer reads per megabyte. */
    private static final int READ_BYTES = 64 * 1024;

    private enum State { NEW, HANDSHAKE, WRAPPED, SHUTDOWN, CLOSED }

    private final EventLoop loop;
    private final TlsOptions options;
    private final boolean callConnectionMade;
    private final SSLEngine engine;
    private final TlsTransport appTransport;
    private final TlsBuffers buffers;
    private final Map<String, Object> extra = new HashMap<>();
    private final ArrayDeque<ByteBuffer> backlog = new ArrayDeque<>();
    private final ByteBuffer[] single = new ByteBuffer[1];
    private @Nullable Future<StreamTransport> waiter;
    private Protocol app;
    private @Nullable StreamTransport raw;
    /** Ciphertext not yet unwrapped, in write mode; null when there is none and no read is under way. */
    private @Nullable ByteBuffer netIn;
    /** Records wrapped but not yet handed to the raw transport; null outside a wrap. */
    private @Nullable ByteBuffer netOut;
    /** Plaintext not yet handed to the application, in write mode; null when there is none. */
    private @Nullable ByteBuffer appIn;
    /** Depth of {@link #advance}: while it runs, {@code netIn} and {@code appIn} are in use. */
    private int advancing;
    private long backlogBytes;
    private State state = State.NEW;
    private @Nullable TimerHandle handshakeTimer;
    private @Nullable TimerHandle shutdownTimer;
    private boolean appReadingPaused;
    private boolean rawWritingPaused;
    private boolean appWritingPaused;
    /** Inside a wrap of the application's data: the raw transport's pauseWriting reaches the application after. */
    private boolean wrappingAppData;
    private boolean appMade;
    private boolean appLost;
    private boolean eofDelivered;
    private boolean closing;
    private boolean rawEof;
    private boolean pendingEof;
    private @Nullable Throwable lostWith;
    private int connLostWrites;

    /**
     * @param callConnectionMade whether the handshake's end calls {@code app.connectionMade} (false for
     *     {@code startTls}, whose protocol was made on the plain connection)
     * @param waiter completed with the TLS transport after the handshake (and {@code connectionMade}), failed
     *     with the handshake's error; may be null
     */
    TlsProtocol(EventLoop loop, Protocol app, SSLContext context, TlsOptions options, boolean callConnectionMade,
            @Nullable Future<StreamTransport> waiter) {
        this.loop = Objects.requireNonNull(loop, "loop");
        this.app = Objects.requireNonNull(app, "protocol");
        Objects.requireNonNull(context, "context");
        this.options = Objects.requireNonNull(options, "options");
        this.callConnectionMade = callConnectionMade;
        this.waiter = waiter;
        this.appMade = !callConnectionMade;
        this.engine = newEngine(context, options);
        this.buffers = TlsBuffers.of(loop);
        this.appTransport = new TlsTransport(this);
        extra.put(Transport.SSL_CONTEXT, context);
    }

    /** Checks the options as asyncio's {@code SSLProtocol} and {@code start_tls} do, before anything is changed. */
    static void checkOptions(SSLContext context, TlsOptions options) {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(options, "options");
        if (!options.serverSide() && options.serverHostname().isEmpty()) {
            throw new IllegalArgumentException("serverHostname is required on the client side of TLS (the server's"
                    + " certificate is checked against it); use TlsOptions.client(name), or client(\"\") to verify"
                    + " no name");
        }
    }

    private static SSLEngine newEngine(SSLContext context, TlsOptions options) {
        checkOptions(context, options);
        String host = options.serverHostname().orElse("");
        SSLEngine engine = host.isEmpty() ? context.createSSLEngine() : context.createSSLEngine(host, -1);
        engine.setUseClientMode(!options.serverSide());
        boolean checkHost = !options.serverSide() && !host.isEmpty();
        if (checkHost || options.sslParameters().isPresent()) {
            SSLParameters parameters = engine.getSSLParameters();
            if (checkHost) {
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                if (!isLiteralAddress(host)) {
                    try {
                        parameters.setServerNames(List.of(new SNIHostName(host)));
                    } catch (IllegalArgumentException notForSni) {
                        // A host connected to by a name SNI cannot carry (the options refuse such names when
                        // given explicitly): no SNI, the certificate is still checked against the name.
                    }
                }
            }
            options.sslParameters().ifPresent(configurer -> configurer.accept(parameters));
            engine.setSSLParameters(parameters);
        }
        return engine;
    }

    private static boolean isLiteralAddress(String host) {
        return host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
    }

    TlsTransport appTransport() {
        return appTransport;
    }

    // ------------------------------------------------------------------ Protocol of the raw transport

    @Override
    public void connectionMade(Transport transport) {
        if (state != State.NEW) {
            throw new IllegalStateException("TLS protocol " + this + " is already connected");
        }
        raw = (StreamTransport) transport;
        state = State.HANDSHAKE;
        handshakeTimer = loop.callLater(options.handshakeTimeout(), this::handshakeTimedOut);
        try {
            engine.beginHandshake();
        } catch (SSLException | RuntimeException e) {
            handshakeFailed(e);
            return;
        }
        advance();
    }

    /**
     * Lends the raw transport a buffer of the loop's to read into, holding what waits of earlier reads first and
     * a packet of room at least; {@link #advance} gives it back (keeping what must wait) at the end of the read.
     */
    @Override
    public ByteBuffer getBuffer(int sizeHint) {
        int packet = engine.getSession().getPacketBufferSize();
        if (netIn == null) {
            netIn = buffers.take(Math.max(READ_BYTES, packet));
        } else if (netIn.capacity() < READ_BYTES || netIn.remaining() < packet) {
            netIn = buffers.move(netIn, Math.max(READ_BYTES, netIn.position() + packet));
        }
        return netIn;
    }

    @Override
    public void bufferUpdated(int nbytes) {
        advance();
    }

    /** A read into {@code netIn} got nothing: the buffer goes back as at the end of any read. */
    @Override
    public void nothingRead() {
        if (advancing == 0) {
            endOfCall();
        }
    }

    @Override
    public boolean eofReceived() {
        rawEof = true;
        boolean keepOpen = false;
        switch (state) {
            case HANDSHAKE -> handshakeFailed(new SSLHandshakeException(
                    "the peer closed the connection during the TLS handshake"));
            case WRAPPED -> {
                if (appReadingPaused && hasInput()) {
                    pendingEof = true;
                    keepOpen = true;
                } else {
                    raggedEof();
                }
            }
            case SHUTDOWN -> finishShutdown();
            default -> {
            }
        }
        if (advancing == 0) {
            // The read that found EOF may have taken a buffer (getBuffer) without bufferUpdated.
            endOfCall();
        }
        return keepOpen;
    }

    @Override
    public void connectionLost(@Nullable Throwable exception) {
        Throwable why = exception != null ? exception : lostWith;
        state = State.CLOSED;
        closing = true;
        cancelTimers();
        backlog.clear();
        backlogBytes = 0;
        if (advancing == 0) {
            releaseBuffers();
        }
        failWaiter(why != null ? why : new SSLHandshakeException("the connection was closed during the TLS"
                + " handshake"));
        if (appMade && !appLost) {
            appLost = true;
            try {
                app.connectionLost(why);
            } catch (Exception e) {
                loop.callExceptionHandler(ExceptionContext.builder("Exception in callback protocol.connectionLost()")
                        .exception(e).transport(appTransport).protocol(app).build());
            }
        }
    }

    @Override
    public void pauseWriting() {
        rawWritingPaused = true;
        if (!wrappingAppData) {
            // Else the write that filled the raw transport tells the application once it is all handed on (as
            // asyncio does), so that a write from the application's pauseWriting cannot cut into it.
            controlAppWriting();
        }
    }

    @Override
    public void resumeWriting() {
        rawWritingPaused = false;
        controlAppWriting();
    }

    // ------------------------------------------------------------------ the engine

    /** Runs the engine as far as the bytes at hand allow: handshake, then reads, then the backlog. */
    private void advance() {
        advancing++;
        try {
            if (state == State.HANDSHAKE) {
                if (!handshakeStep()) {
                    return;
                }
                if (!handshakeDone()) {
                    return;
                }
            }
            if (state == State.WRAPPED || state == State.SHUTDOWN) {
                readRecords();
                writeBacklog();
                if (pendingEof && state == State.WRAPPED && !appReadingPaused && !hasInput()) {
                    pendingEof = false;
                    raggedEof();
                }
            }
        } catch (SSLException | RuntimeException e) {
            if (state == State.HANDSHAKE) {
                handshakeFailed(e);
            } else {
                fatalError(e, "Fatal error on SSL protocol");
            }
        } finally {
            if (--advancing == 0) {
                endOfCall();
            }
        }
    }

    /** The end of a read: the loop's buffers go back; what must wait, unless the connection is over, stays. */
    private void endOfCall() {
        if (state == State.CLOSED) {
            releaseBuffers();
        } else {
            parkInput();
        }
    }

    private boolean hasInput() {
        return (netIn != null && netIn.position() > 0) || (appIn != null && appIn.position() > 0);
    }

    /** The loop's buffers go back; what must wait moves to a buffer of about its size. */
    private void parkInput() {
        netIn = park(netIn);
        appIn = park(appIn);
    }

    private @Nullable ByteBuffer park(@Nullable ByteBuffer writeMode) {
        if (writeMode == null) {
            return null;
        }
        int n = writeMode.position();
        if (n == 0) {
            buffers.give(writeMode);
            return null;
        }
        if (TlsBuffers.capacityFor(n) >= writeMode.capacity()) {
            return writeMode;
        }
        return buffers.move(writeMode, n);
    }

    /** The connection is over: what waits is dropped, every buffer goes back. */
    private void releaseBuffers() {
        if (netOut != null) {
            buffers.give(netOut);
            netOut = null;
        }
        if (netIn != null) {
            buffers.give(netIn);
            netIn = null;
        }
        if (appIn != null) {
            buffers.give(appIn);
            appIn = null;
        }
    }

    /** Bytes received and not yet handed to the application: ciphertext waiting, plaintext waiting. For tests. */
    int pendingInputBytes() {
        return (netIn == null ? 0 : netIn.position()) + (appIn == null ? 0 : appIn.position());
    }

    /**
     * Bytes of buffers this connection holds between calls: what waits of the input (in buffers of about its
     * size), the ciphertext being wrapped (none outside a call) and the backlog. For tests.
     */
    long retainedBufferBytes() {
        long n = (netIn == null ? 0L : netIn.capacity()) + (appIn == null ? 0L : appIn.capacity())
                + (netOut == null ? 0L : netOut.capacity());
        for (ByteBuffer b : backlog) {
            n += b.capacity();
        }
        return n;
    }

    /** @return true once the handshake is done; false while it waits for the peer */
    private boolean handshakeStep() throws SSLException {
        if (netIn != null) {
            netIn.flip();
        }
        try {
            while (true) {
                switch (engine.getHandshakeStatus()) {
                    case NEED_TASK -> runTasks();
                    case NEED_WRAP -> {
                        SSLEngineResult r = wrap(NOTHING);
                        if (r.getStatus() == Status.CLOSED) {
                            throw new SSLHandshakeException("the TLS engine closed during the handshake");
                        }
                        if (r.bytesProduced() == 0 && engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
                            throw new SSLHandshakeException("the TLS engine asks to wrap but produces nothing");
                        }
                    }
                    case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                        if (netIn == null) {
                            return false;
                        }
                        SSLEngineResult r = unwrap();
                        if (r.getStatus() == Status.BUFFER_UNDERFLOW) {
                            return false;
                        }
                        if (r.getStatus() == Status.CLOSED) {
                            throw new SSLHandshakeException("the peer closed TLS during the handshake");
                        }
                    }
                    default -> {
                        return true;
                    }
                }
            }
        } finally {
            if (netIn != null) {
                netIn.compact();
            }
            flushNetOut();
        }
    }

    /** @return false if the application's connectionMade failed (the connection is then being closed) */
    private boolean handshakeDone() {
        cancelHandshakeTimer();
        state = State.WRAPPED;
        SSLSession session = engine.getSession();
        List<Certificate> peer;
        try {
            peer = List.of(session.getPeerCertificates());
        } catch (SSLPeerUnverifiedException e) {
            peer = List.of();
        }
        extra.put(Transport.PEERCERT, peer);
        extra.put(Transport.CIPHER, session.getCipherSuite());
        extra.put(Transport.SSL_OBJECT, engine);
        if (LOG.isLoggable(Level.DEBUG) && loop.getDebug()) {
            LOG.log(Level.DEBUG, this + ": TLS handshake done: " + session.getProtocol() + " "
                    + session.getCipherSuite());
        }
        appMade = true;
        if (callConnectionMade) {
            try {
                app.connectionMade(appTransport);
            } catch (Exception e) {
                failWaiter(e);
                appCallbackFailed(e, "Fatal error: protocol.connectionMade() call failed.");
                return false;
            }
        }
        if (waiter != null) {
            Future<StreamTransport> w = waiter;
            waiter = null;
            if (!w.isDone()) {
                w.setResult(appTransport);
            }
        }
        return state == State.WRAPPED || state == State.SHUTDOWN;
    }

    /** Unwraps what {@code netIn} holds, handing application bytes on; answers what the engine must answer. */
    private void readRecords() throws SSLException {
        if (netIn != null) {
            netIn.flip();
        }
        try {
            while (state == State.WRAPPED || state == State.SHUTDOWN) {
                if (state == State.WRAPPED && appReadingPaused) {
                    return;
                }
                if (appIn != null && appIn.position() > 0) {
                    // What a buffered protocol left when it paused.
                    deliver();
                    continue;
                }
                HandshakeStatus hs = engine.getHandshakeStatus();
                if (hs == HandshakeStatus.NEED_TASK) {
                    runTasks();
                    continue;
                }
                if (hs == HandshakeStatus.NEED_WRAP && !engine.isOutboundDone() && wrap(NOTHING).bytesProduced() > 0) {
                    continue;
                }
                if (netIn == null || !netIn.hasRemaining() || engine.isInboundDone()) {
                    return;
                }
                SSLEngineResult r = unwrap();
                if (appIn != null && appIn.position() > 0) {
                    deliver();
                }
                if (r.getStatus() == Status.BUFFER_UNDERFLOW) {
                    return;
                }
                if (r.getStatus() == Status.CLOSED) {
                    closeNotifyReceived();
                    return;
                }
            }
        } finally {
            if (netIn != null) {
                netIn.compact();
            }
            flushNetOut();
        }
    }

    /**
     * Hands {@code appIn} to the application. A buffered protocol that pauses reading part way leaves the rest in
     * {@code appIn} (compacted, in write mode), handed on first after {@code resumeReading}, as asyncio keeps it in
     * the SSL object.
     */
    @SuppressWarnings("NullAway") // called only after unwrap() put plaintext in appIn
    private void deliver() {
        appIn.flip();
        try {
            if (state == State.WRAPPED && !closing && appMade && !appLost) {
                if (app instanceof BufferedProtocol buffered) {
                    feedBuffered(buffered, appIn);
                } else {
                    app.dataReceived(appIn);
                }
            }
        } catch (Exception e) {
            appCallbackFailed(e, app instanceof BufferedProtocol
                    ? "Fatal error: protocol.bufferUpdated() call failed."
                    : "Fatal error: protocol.dataReceived() call failed.");
        } finally {
            boolean keepRest = app instanceof BufferedProtocol && appIn.hasRemaining() && state == State.WRAPPED
                    && appReadingPaused;
            if (keepRest) {
                appIn.compact();
            } else {
                appIn.clear();
            }
        }
    }

    private void feedBuffered(BufferedProtocol buffered, ByteBuffer data) {
        while (data.hasRemaining() && !appReadingPaused && state == State.WRAPPED && !closing) {
            ByteBuffer into;
            try {
                into = buffered.getBuffer(data.remaining());
                if (into == null || !into.hasRemaining()) {
                    throw new IllegalStateException("getBuffer() returned " + (into == null ? "null"
                            : "a full buffer") + "; return a buffer with room left");
                }
            } catch (Exception e) {
                appCallbackFailed(e, "Fatal error: protocol.getBuffer() call failed.");
                return;
            }
            int n = Math.min(into.remaining(), data.remaining());
            into.put(into.position(), data, data.position(), n);
            into.position(into.position() + n);
            data.position(data.position() + n);
            buffered.bufferUpdated(n);
        }
    }

    private SSLEngineResult unwrap() throws SSLException {
        if (appIn == null) {
            appIn = buffers.take(engine.getSession().getApplicationBufferSize());
        }
        while (true) {
            SSLEngineResult r = engine.unwrap(netIn, appIn);
            if (r.getStatus() == Status.BUFFER_OVERFLOW) {
                if (appIn.position() > 0) {
                    return r;
                }
                appIn = buffers.move(appIn, Math.max(appIn.capacity() * 2,
                        engine.getSession().getApplicationBufferSize()));
                continue;
            }
            if (r.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
                runTasks();
            }
            return r;
        }
    }

    /** Wraps from {@code srcs} into {@code netOut}, flushing it to the raw transport whenever it fills. */
    private SSLEngineResult wrap(ByteBuffer[] srcs) throws SSLException {
        while (true) {
            int packet = engine.getSession().getPacketBufferSize();
            if (netOut == null) {
                netOut = buffers.take(packet);
            }
            SSLEngineResult r = engine.wrap(srcs, netOut);
            if (r.getStatus() == Status.BUFFER_OVERFLOW) {
                if (netOut.position() > 0) {
                    flushNetOut();
                } else {
                    netOut = buffers.move(netOut, Math.max(netOut.capacity() * 2, packet));
                }
                continue;
            }
            if (r.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
                runTasks();
            }
            if (netOut.remaining() < packet) {
                // The next record might not fit: hand these on (netOut holds two packets, so records are gathered).
                flushNetOut();
            }
            return r;
        }
    }

    private void wrapAppData(ByteBuffer[] srcs) throws SSLException {
        boolean outer = !wrappingAppData;
        wrappingAppData = true;
        try {
            wrapAll(srcs);
        } finally {
            if (outer) {
                wrappingAppData = false;
            }
        }
    }

    /**
     * Wraps all of {@code srcs} unless the engine needs the peer first (a renegotiation).
     *
     * @return true if everything was wrapped
     */
    private boolean wrapAll(ByteBuffer[] srcs) throws SSLException {
        try {
            while (remaining(srcs) > 0) {
                HandshakeStatus hs = engine.getHandshakeStatus();
                if (hs == HandshakeStatus.NEED_TASK) {
                    runTasks();
                    continue;
                }
                if (hs == HandshakeStatus.NEED_UNWRAP || hs == HandshakeStatus.NEED_UNWRAP_AGAIN) {
                    return false;
                }
                SSLEngineResult r = wrap(srcs);
                if (r.getStatus() == Status.CLOSED) {
                    if (engine.isInboundDone()) {
                        // The peer's close_notify came first and the engine closed its side too (TLS 1.2 answers
                        // close_notify at once; only TLS 1.3 half-closes): the connection is ending cleanly.
                        drop(srcs);
                        return true;
                    }
                    throw new SSLException("the TLS engine is closed; cannot send more data");
                }
            }
            return true;
        } finally {
            flushNetOut();
        }
    }

    private void runTasks() {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
        }
    }

    /**
     * Hands what {@code netOut} holds to the raw transport and gives the buffer back. It is detached first: a
     * callback the write makes (the raw transport's {@code pauseWriting}) may wrap more, into a buffer of its own.
     */
    private void flushNetOut() {
        ByteBuffer out = netOut;
        if (out == null) {
            return;
        }
        netOut = null;
        try {
            if (out.position() > 0) {
                out.flip();
                raw().write(out);
            }
        } finally {
            buffers.give(out);
        }
    }

    private static long remaining(ByteBuffer[] buffers) {
        long n = 0;
        for (ByteBuffer b : buffers) {
            n += b.remaining();
        }
        return n;
    }

    // ------------------------------------------------------------------ end of the connection

    /** The peer's {@code close_notify} arrived. */
    private void closeNotifyReceived() {
        if (state == State.WRAPPED) {
            deliverEof();
            startShutdown();
        } else if (state == State.SHUTDOWN && engine.isOutboundDone()) {
            finishShutdown();
        }
    }

    /** The peer closed the socket without {@code close_notify} (asyncio: the application still gets EOF). */
    private void raggedEof() {
        if (loop.getDebug()) {
            LOG.log(Level.DEBUG, this + ": the peer closed the connection without TLS close_notify");
        }
        deliverEof();
        closing = true;
        state = State.SHUTDOWN;
        finishShutdown();
    }

    private void deliverEof() {
        if (eofDelivered || !appMade || appLost) {
            return;
        }
        eofDelivered = true;
        try {
            if (app.eofReceived()) {
                LOG.log(Level.WARNING, "returning true from eofReceived() has no effect when using TLS");
            }
        } catch (Exception e) {
            appCallbackFailed(e, "Error calling eofReceived()");
        }
    }

    /** The application's {@code close()}: flush, send {@code close_notify}, wait for the peer's (bounded). */
    void close() {
        if (closing) {
            return;
        }
        closing = true;
        if (state == State.NEW || state == State.HANDSHAKE) {
            abort();
            return;
        }
        startShutdown();
    }

    private void startShutdown() {
        closing = true;
        if (state != State.WRAPPED) {
            return;
        }
        state = State.SHUTDOWN;
        shutdownTimer = loop.callLater(options.shutdownTimeout(), this::shutdownTimedOut);
        if (appReadingPaused) {
            raw().resumeReading();
        }
        try {
            writeBacklog();
        } catch (SSLException | RuntimeException e) {
            fatalError(e, "Fatal error on SSL protocol");
        }
    }

    private void sendCloseNotify() throws SSLException {
        engine.closeOutbound();
        while (!engine.isOutboundDone()) {
            if (wrap(NOTHING).bytesProduced() == 0) {
                break;
            }
        }
        flushNetOut();
        if (engine.isInboundDone() || rawEof) {
            finishShutdown();
        }
    }

    private void finishShutdown() {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        cancelTimers();
        raw().close();
    }

    /** The application's {@code abort()}: close the raw transport at once, dropping everything. */
    void abort() {
        closing = true;
        state = State.CLOSED;
        cancelTimers();
        backlog.clear();
        backlogBytes = 0;
        if (raw != null) {
            raw.abort();
        } else {
            connectionLost(null);
        }
    }

    private void handshakeTimedOut() {
        if (state != State.HANDSHAKE) {
            return;
        }
        SocketTimeoutException e = new SocketTimeoutException("SSL handshake is taking longer than "
                + options.handshakeTimeout().toMillis() / 1000.0 + " seconds: aborting the connection");
        failWaiter(e);
        lostWith = e;
        if (loop.getDebug()) {
            LOG.log(Level.DEBUG, this + ": " + e.getMessage());
        }
        state = State.CLOSED;
        cancelTimers();
        raw().abort();
    }

    private void shutdownTimedOut() {
        if (state != State.SHUTDOWN) {
            return;
        }
        lostWith = new TimeoutError("SSL shutdown timed out", null);
        state = State.CLOSED;
        raw().abort();
    }

    private void handshakeFailed(Exception e) {
        cancelTimers();
        if (!(e instanceof IOException)) {
            loop.callExceptionHandler(ExceptionContext.builder("SSL handshake failed").exception(e)
                    .transport(raw).protocol(this).build());
        } else if (loop.getDebug()) {
            LOG.log(Level.DEBUG, this + ": SSL handshake failed" + (e.getCause() instanceof
                    java.security.cert.CertificateException ? " on verifying the certificate" : ""), e);
        }
        failWaiter(e);
        lostWith = e;
        state = State.CLOSED;
        closing = true;
        if (raw == null) {
            return;
        }
        try {
            // Send the alert the engine has for the peer, so that it learns why.
            engine.closeOutbound();
            for (int i = 0; i < 4 && engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP; i++) {
                wrap(NOTHING);
            }
            flushNetOut();
        } catch (SSLException | RuntimeException ignored) {
            // The alert is a courtesy; the connection closes anyway.
        }
        raw.close();
    }

    /** An error of the TLS layer after the handshake: asyncio's {@code _fatal_error}. */
    private void fatalError(Exception e, String message) {
        if (!(e instanceof IOException)) {
            loop.callExceptionHandler(ExceptionContext.builder(message).exception(e).transport(appTransport)
                    .protocol(app).build());
        } else if (loop.getDebug()) {
            LOG.log(Level.DEBUG, this + ": " + message, e);
        }
        lostWith = e;
        closing = true;
        state = State.CLOSED;
        cancelTimers();
        raw().abort();
    }

    private void appCallbackFailed(Exception e, String message) {
        loop.callExceptionHandler(ExceptionContext.builder(message).exception(e).transport(appTransport)
                .protocol(app).build());
        lostWith = e;
        closing = true;
        state = State.CLOSED;
        cancelTimers();
        raw().abort();
    }

    private void failWaiter(Throwable e) {
        if (waiter == null) {
            return;
        }
        Future<StreamTransport> w = waiter;
        waiter = null;
        if (!w.isDone()) {
            w.setException(e);
        }
    }

    private void cancelHandshakeTimer() {
        if (handshakeTimer != null) {
            handshakeTimer.cancel();
            handshakeTimer = null;
        }
    }

    private void cancelTimers() {
        cancelHandshakeTimer();
        if (shutdownTimer != null) {
            shutdownTimer.cancel();
            shutdownTimer = null;
        }
    }

    // ------------------------------------------------------------------ for the application's transport

    @SuppressWarnings("NullAway") // the one-slot array is cleared after use, for the GC
    void write(ByteBuffer data) {
        if (!data.hasRemaining()) {
            return;
        }
        single[0] = data;
        try {
            write(single);
        } finally {
            single[0] = null;
        }
    }

    void write(ByteBuffer[] data) {
        if (closing || state == State.CLOSED) {
            drop(data);
            return;
        }
        try {
            if (state == State.WRAPPED && backlog.isEmpty()) {
                wrapAppData(data);
            }
        } catch (SSLException | RuntimeException e) {
            fatalError(e, "Fatal error on SSL protocol");
            return;
        }
        for (ByteBuffer b : data) {
            if (b.hasRemaining()) {
                int n = b.remaining();
                backlog.add(ByteBuffer.allocate(n).put(b).flip());
                backlogBytes += n;
            }
        }
        controlAppWriting();
    }

    /** A write the connection can no longer carry: dropped, as asyncio's, with a warning after a few. */
    private void drop(ByteBuffer[] data) {
        if (connLostWrites >= LOG_THRESHOLD_FOR_CONNLOST_WRITES) {
            LOG.log(Level.WARNING, "SSL connection is closed");
        }
        connLostWrites++;
        for (ByteBuffer b : data) {
            b.position(b.limit());
        }
    }

    /** Wraps the backlog, gathered, as far as the engine allows; then, when closing, sends close_notify. */
    private void writeBacklog() throws SSLException {
        if (state != State.WRAPPED && state != State.SHUTDOWN) {
            return;
        }
        if (!backlog.isEmpty()) {
            ByteBuffer[] all = backlog.toArray(ByteBuffer[]::new);
            wrapAppData(all);
            while (!backlog.isEmpty() && !backlog.peekFirst().hasRemaining()) {
                backlog.pollFirst();
            }
            backlogBytes = remaining(backlog.toArray(ByteBuffer[]::new));
            controlAppWriting();
        }
        if (state == State.SHUTDOWN && backlog.isEmpty() && !engine.isOutboundDone()) {
            sendCloseNotify();
        }
    }

    private void controlAppWriting() {
        if (raw == null || !appMade || appLost) {
            return;
        }
        if (!appWritingPaused && (rawWritingPaused
                || backlogBytes + raw.getWriteBufferSize() > raw.getWriteBufferHighWater())) {
            appWritingPaused = true;
            try {
                app.pauseWriting();
            } catch (Exception e) {
                loop.callExceptionHandler(ExceptionContext.builder("protocol.pauseWriting() failed").exception(e)
                        .transport(appTransport).protocol(app).build());
            }
        } else if (appWritingPaused && !rawWritingPaused && backlogBytes <= raw.getWriteBufferLowWater()) {
            appWritingPaused = false;
            try {
                app.resumeWriting();
            } catch (Exception e) {
                loop.callExceptionHandler(ExceptionContext.builder("protocol.resumeWriting() failed").exception(e)
                        .transport(appTransport).protocol(app).build());
            }
        }
    }

    int writeBufferSize() {
        return ReadinessTransport.saturated(backlogBytes + (raw == null ? 0 : raw.getWriteBufferSize()));
    }

    void setWriteBufferLimits(@Nullable Integer high, @Nullable Integer low) {
        if (raw == null) {
            throw new IllegalStateException("the TLS transport has no connection yet");
        }
        raw.setWriteBufferLimits(high, low);
        controlAppWriting();
    }

    StreamTransport raw() {
        return Objects.requireNonNull(raw, "the TLS protocol has no transport before connectionMade");
    }

    /**
     * asyncio's {@code is_closing()} of the TLS transport: closed or closing here, or the transport under TLS is
     * closing (asyncio 3.13's gh-118950), which it is before the loss reaches {@link #connectionLost}.
     */
    boolean isClosing() {
        return closing || (raw != null && raw.isClosing());
    }

    void pauseReading() {
        if (closing || appReadingPaused) {
            return;
        }
        appReadingPaused = true;
        raw().pauseReading();
    }

    void resumeReading() {
        if (closing || !appReadingPaused) {
            return;
        }
        appReadingPaused = false;
        raw().resumeReading();
        loop.callSoon(() -> {
            if (state == State.WRAPPED && !appReadingPaused) {
                advance();
            }
        });
    }

    boolean isReading() {
        return !closing && !appReadingPaused;
    }

    @Nullable Object extraInfo(String key) {
        Object value = extra.get(key);
        if (value == null && raw != null) {
            value = raw.getExtraInfo(key).orElse(null);
        }
        return value;
    }

    Protocol app() {
        return app;
    }

    void setApp(Protocol protocol) {
        this.app = Objects.requireNonNull(protocol, "protocol");
    }

    @Override
    public String toString() {
        Object peer = raw == null ? null : raw.getExtraInfo(Transport.PEERNAME).orElse(null);
        return "TlsProtocol[" + state + (options.serverSide() ? ", server" : ", client")
                + (peer instanceof InetSocketAddress a ? ", peer=" + a : peer != null ? ", peer=" + peer : "") + "]";
    }
}
