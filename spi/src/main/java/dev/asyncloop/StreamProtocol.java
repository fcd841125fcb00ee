package dev.asyncloop;

import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * asyncio's {@code StreamReaderProtocol} with its {@code FlowControlMixin}: feeds a {@link StreamReader} from a
 * transport, tracks write pausing for {@link StreamWriter#drain()}, and, on a server, starts the
 * {@link ClientConnectedHandler} as a task per connection. Without a reader (the protocol of a write pipe or of
 * a child's stdin, asyncio's plain {@code FlowControlMixin}) it only tracks write pausing. Loop thread only.
 */
final class StreamProtocol implements Protocol {
    private final EventLoop loop;
    private final StreamReader reader;
    private final ClientConnectedHandler handler;
    private final Future<Void> closed;
    private final List<Future<Void>> drainWaiters = new ArrayList<>();
    private boolean writingPaused;
    private boolean connectionLost;
    private boolean overTls;

    StreamProtocol(EventLoop loop, StreamReader reader, ClientConnectedHandler handler) {
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
        StreamWriter writer = new StreamWriter(stream, this, reader, loop);
        Task<Void> task = loop.createTask(() -> {
            handler.handle(reader, writer);
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
        reader.feedData(data);
    }

    @Override
    public boolean eofReceived() {
        reader.feedEof();
        // asyncio: over TLS the transport closes on EOF whatever the answer, so do not ask to keep it open.
        return !overTls;
    }

    /** After {@link StreamWriter#startTls}: the connection now runs over {@code transport}. */
    void replaceTransport(StreamTransport transport) {
        overTls = transport.getExtraInfo(Transport.SSL_CONTEXT).isPresent();
    }

    @Override
    public void connectionLost(Throwable exception) {
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
        for (Future<Void> w : takeDrainWaiters()) {
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
        for (Future<Void> w : takeDrainWaiters()) {
            w.setResult(null);
        }
    }

    private List<Future<Void>> takeDrainWaiters() {
        List<Future<Void>> live = new ArrayList<>(drainWaiters.size());
        for (Future<Void> w : drainWaiters) {
            if (!w.isDone()) {
                live.add(w);
            }
        }
        drainWaiters.clear();
        return live;
    }

    /** asyncio's {@code _drain_helper}: done at once unless paused; failed once the connection is lost. */
    Future<Void> drainHelper() {
        Future<Void> f = loop.createFuture();
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
    Future<Void> drain(boolean closing) {
        if (!closing) {
            return drainHelper();
        }
        Future<Void> result = loop.createFuture();
        loop.callSoon(() -> {
            if (result.isDone()) {
                return;
            }
            Future<Void> helper = drainHelper();
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

    private static void copy(Future<Void> from, Future<Void> to) {
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

    Future<Void> closed() {
        return closed;
    }

    /** @return true for the protocol of a server's connection (it runs a client-connected handler) */
    boolean isServerSide() {
        return handler != null;
    }
}
