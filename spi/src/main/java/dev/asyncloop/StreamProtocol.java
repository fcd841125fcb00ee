package dev.asyncloop;

import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * asyncio's {@code StreamReaderProtocol} with its {@code FlowControlMixin}: feeds a {@link StreamReader} from a
 * transport, tracks write pausing for {@link StreamWriter#drain()}, and, on a server, starts the
 * {@link ClientConnectedHandler} as a task per connection. Without a reader (the protocol of a write pipe or of
 * a child's stdin, asyncio's plain {@code FlowControlMixin}) it only tracks write pausing. Loop thread only.
 */
final class StreamProtocol implements Protocol {
    private final EventLoop loop;
    private final @Nullable StreamReader reader;
    private final @Nullable ClientConnectedHandler handler;
    private final Future<@Nullable Void> closed;
    private final List<Future<@Nullable Void>> drainWaiters = new ArrayList<>();
    private boolean writingPaused;
    private boolean connectionLost;
    private boolean overTls;

    StreamProtocol(EventLoop loop, @Nullable StreamReader reader, @Nullable ClientConnectedHandler handler) {
        this.loop = loop;
        this.reader = reader;
        this.handler = handler;
        this.closed = loop.createFuture();
    }

    @Override
    public void connectionMade(Transport transport) {
        overTls = transport.getExtraInfo(Transport.SSL_CONTEXT).isPresent();
        if (reader != null && transport instanceof ReadTransport readable) {
            reader.setTransport(readable);
        }
        if (handler == null) {
            return;
        }
        StreamTransport stream = (StreamTransport) transport;
        StreamReader serverReader = Objects.requireNonNull(reader, "a server's connection has a reader");
        StreamWriter writer = new StreamWriter(stream, this, serverReader, loop);
        Task<@Nullable Void> task = loop.createTask(() -> {
            handler.handle(serverReader, writer);
            return null;
        });
        task.addDoneCallback(t -> {
            if (t.isCancelled()) {
                stream.close();
                return;
            }
            t.exception().ifPresent(e -> {
                loop.callExceptionHandler(ExceptionContext.builder("Unhandled exception in client connected handler")
                        .exception(e).task(task).transport(stream).protocol(this).build());
                stream.close();
            });
        });
    }

    @Override
    public void dataReceived(ByteBuffer data) {
        if (reader != null) {
            reader.feedData(data);
        }
    }

    @Override
    public boolean eofReceived() {
        if (reader != null) {
            reader.feedEof();
        }
        // asyncio: over TLS the transport closes on EOF whatever the answer, so do not ask to keep it open.
        return !overTls;
    }

    /** After {@link StreamWriter#startTls}: the connection now runs over {@code transport}. */
    void replaceTransport(StreamTransport transport) {
        overTls = transport.getExtraInfo(Transport.SSL_CONTEXT).isPresent();
    }

    @Override
    public void connectionLost(@Nullable Throwable exception) {
        if (reader == null) {
            // a write-only stream (a write pipe, a child's stdin): no reading side
        } else if (exception == null) {
            reader.feedEof();
        } else {
            reader.setException(exception);
        }
        if (!closed.isDone()) {
            if (exception == null) {
                closed.setResult(null);
            } else {
                closed.setException(exception);
                closed.exception(); // retrieved: nobody has to call waitClosed() to avoid a report
            }
        }
        connectionLost = true;
        if (!writingPaused) {
            return;
        }
        for (Future<@Nullable Void> w : takeDrainWaiters()) {
            if (exception == null) {
                w.setResult(null);
            } else {
                w.setException(exception);
            }
        }
    }

    @Override
    public void pauseWriting() {
        writingPaused = true;
    }

    @Override
    public void resumeWriting() {
        writingPaused = false;
        for (Future<@Nullable Void> w : takeDrainWaiters()) {
            w.setResult(null);
        }
    }

    private List<Future<@Nullable Void>> takeDrainWaiters() {
        List<Future<@Nullable Void>> live = new ArrayList<>(drainWaiters.size());
        for (Future<@Nullable Void> w : drainWaiters) {
            if (!w.isDone()) {
                live.add(w);
            }
        }
        drainWaiters.clear();
        return live;
    }

    /** asyncio's {@code _drain_helper}: done at once unless paused; failed once the connection is lost. */
    Future<@Nullable Void> drainHelper() {
        Future<@Nullable Void> f = loop.createFuture();
        if (connectionLost) {
            f.setException(new SocketException("Connection lost"));
        } else if (!writingPaused) {
            f.setResult(null);
        } else {
            drainWaiters.removeIf(Future::isDone);
            drainWaiters.add(f);
        }
        return f;
    }

    /**
     * {@link StreamWriter#drain()} without the reader check: the helper at once while {@code closing} is false;
     * otherwise after one loop iteration, so that a {@code write; drain} loop sees the loss.
     */
    Future<@Nullable Void> drain(boolean closing) {
        if (!closing) {
            return drainHelper();
        }
        Future<@Nullable Void> result = loop.createFuture();
        loop.callSoon(() -> {
            if (result.isDone()) {
                return;
            }
            Future<@Nullable Void> helper = drainHelper();
            if (helper.isDone()) {
                copy(helper, result);
                return;
            }
            helper.addDoneCallback(h -> copy(h, result));
            result.addDoneCallback(r -> {
                if (r.isCancelled()) {
                    helper.cancel();
                }
            });
        });
        return result;
    }

    private static void copy(Future<@Nullable Void> from, Future<@Nullable Void> to) {
        if (to.isDone()) {
            return;
        }
        if (from.isCancelled()) {
            to.cancel();
        } else if (from.exception().isPresent()) {
            to.setException(from.exception().get());
        } else {
            to.setResult(null);
        }
    }

    Future<@Nullable Void> closed() {
        return closed;
    }

    /** @return true for the protocol of a server's connection (it runs a client-connected handler) */
    boolean isServerSide() {
        return handler != null;
    }
}
