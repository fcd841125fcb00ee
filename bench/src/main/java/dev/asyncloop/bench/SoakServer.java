package dev.asyncloop.bench;

import dev.asyncloop.Async;
import dev.asyncloop.EventLoop;
import dev.asyncloop.Future;
import dev.asyncloop.Protocol;
import dev.asyncloop.Server;
import dev.asyncloop.ServerOptions;
import dev.asyncloop.StreamTransport;
import dev.asyncloop.Transport;
import dev.asyncloop.epoll.EpollHeapIo;
import dev.asyncloop.epoll.EpollPoller;
import dev.asyncloop.spi.HeapIo;
import dev.asyncloop.spi.Poller;
import dev.asyncloop.spi.ReadinessEventLoop;
import dev.asyncloop.spi.SelectorPoller;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An echo server on a loop thread of its own, counting what a leak check needs: connections made and lost (and
 * any protocol that saw them out of order), the channels registered with the loop's poller, the loop's error
 * reports, and which protocols of past connections are still reachable.
 *
 * <p>The loop is {@code NioEventLoop}'s or {@code EpollEventLoop}'s composition — {@link ReadinessEventLoop} over
 * a {@link SelectorPoller}, or over an {@link EpollPoller} with an {@link EpollHeapIo} when the JVM allows native
 * access — with the poller wrapped in a {@link CountingPoller}, so that the registrations can be counted through
 * the public SPI alone.
 *
 * <p>The protocol echoes as the examples' {@code EchoServer} does: it writes back what arrives and stops reading
 * while the transport's write buffer is above its high-water mark.
 */
final class SoakServer implements AutoCloseable {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final CountingPoller poller;
    private final EventLoop loop;
    private final Thread thread;
    private final CompletableFuture<Server> started = new CompletableFuture<>();
    private final CompletableFuture<Void> finished = new CompletableFuture<>();
    private final AtomicLong made = new AtomicLong();
    private final AtomicLong lost = new AtomicLong();
    private final AtomicLong lostWithError = new AtomicLong();
    private final AtomicLong violations = new AtomicLong();
    private final AtomicLong loopErrors = new AtomicLong();
    private final ReferenceQueue<Object> collected = new ReferenceQueue<>();
    private final Set<Reference<?>> tracked = ConcurrentHashMap.newKeySet();
    private volatile Future<Void> stop;
    private volatile String firstLoopError;

    /**
     * Starts the loop and the server on 127.0.0.1, an ephemeral port.
     *
     * @param loopName {@code nio} or {@code epoll}
     * @throws IllegalArgumentException for another name
     * @throws IllegalStateException if epoll is unavailable, or the server does not start in time
     */
    SoakServer(String loopName) {
        this.poller = new CountingPoller(openPoller(loopName));
        this.loop = new SoakLoop(poller, "epoll".equals(loopName) ? EpollHeapIo.create().orElse(null) : null);
        loop.setExceptionHandler((l, context) -> {
            if (loopErrors.incrementAndGet() == 1) {
                firstLoopError = context.message() + context.exception().map(e -> ": " + e).orElse("");
            }
        });
        this.thread = new Thread(this::run, "soak-loop-" + loopName);
        thread.setDaemon(true);
        thread.start();
        try {
            started.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the soak server did not start: " + e.getCause(), e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException("the soak server did not start within " + WAIT, e);
        }
    }

    private static Poller openPoller(String loopName) {
        try {
            return switch (loopName) {
                case "nio" -> new SelectorPoller();
                case "epoll" -> {
                    EpollPoller.unavailabilityCause().ifPresent(cause -> {
                        throw new IllegalStateException("the epoll loop is unavailable: " + cause);
                    });
                    yield new EpollPoller();
                }
                default -> throw new IllegalArgumentException("-Dasyncloop.loop must be nio or epoll, got " + loopName);
            };
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the " + loopName + " poller", e);
        }
    }

    private void run() {
        try {
            loop.runUntilComplete(() -> {
                ServerOptions options = ServerOptions.builder().backlog(1024).build();
                Server server = Async.await(loop.createServer(SoakProtocol::new, "127.0.0.1", 0, options));
                stop = loop.createFuture();
                started.complete(server);
                Async.await(stop);
                server.close();
                server.closeClients();
                Async.await(server.waitClosed());
                return null;
            });
            finished.complete(null);
        } catch (Throwable t) {
            started.completeExceptionally(t);
            finished.completeExceptionally(t);
        } finally {
            loop.close();
        }
    }

    /** The port the server listens on. */
    int port() {
        return started.join().port();
    }

    long made() {
        return made.get();
    }

    long lost() {
        return lost.get();
    }

    long lostWithError() {
        return lostWithError.get();
    }

    /** Connections made and not lost yet. */
    long open() {
        return made.get() - lost.get();
    }

    /**
     * Protocol callbacks out of order: a second connectionLost, or a callback before connectionMade or after
     * connectionLost.
     */
    long violations() {
        return violations.get();
    }

    long loopErrors() {
        return loopErrors.get();
    }

    String firstLoopError() {
        return firstLoopError;
    }

    /** Channels registered with the loop's poller now. */
    int registered() {
        return poller.registered();
    }

    /** Registered channels that are closed already. */
    int registeredButClosed() {
        return poller.registeredButClosed();
    }

    /**
     * Protocols of connections made so far that are still reachable; call after a garbage collection. A protocol
     * holds its transport and the transport its protocol, so a transport the loop or server kept shows here.
     */
    int reachableProtocols() {
        Reference<?> r;
        while ((r = collected.poll()) != null) {
            tracked.remove(r);
        }
        return tracked.size();
    }

    /**
     * Closes the server and every connection, and waits for the loop to finish.
     *
     * @throws IllegalStateException if the loop does not finish in time
     */
    @Override
    public void close() {
        Future<Void> s = stop;
        if (s != null && !loop.isClosed()) {
            try {
                loop.callSoonThreadsafe(() -> {
                    if (!s.isDone()) {
                        s.setResult(null);
                    }
                });
            } catch (IllegalStateException closedMeanwhile) {
                // The loop finished already.
            }
        }
        try {
            finished.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            thread.join(WAIT.toMillis());
        } catch (ExecutionException e) {
            throw new IllegalStateException("the soak server failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException("the soak server did not stop within " + WAIT, e);
        }
    }

    /** {@code NioEventLoop} / {@code EpollEventLoop} over the counting poller (the latter with its heap I/O). */
    private static final class SoakLoop extends ReadinessEventLoop {
        SoakLoop(Poller poller, HeapIo heapIo) {
            super(poller, heapIo);
        }
    }

    /** The echo of one connection; loop thread only. */
    private final class SoakProtocol implements Protocol {
        private StreamTransport transport;
        private boolean connected;
        private boolean gone;

        @Override
        public void connectionMade(Transport t) {
            if (connected || gone) {
                violations.incrementAndGet();
            }
            connected = true;
            transport = (StreamTransport) t;
            reachableProtocols(); // keeps the set to the live connections
            tracked.add(new WeakReference<>(this, collected));
            made.incrementAndGet();
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            if (!connected || gone) {
                violations.incrementAndGet();
                return;
            }
            transport.write(data);
        }

        @Override
        public boolean eofReceived() {
            if (!connected || gone) {
                violations.incrementAndGet();
            }
            return false;
        }

        @Override
        public void pauseWriting() {
            transport.pauseReading();
        }

        @Override
        public void resumeWriting() {
            transport.resumeReading();
        }

        @Override
        public void connectionLost(Throwable exception) {
            if (!connected || gone) {
                violations.incrementAndGet();
                return;
            }
            gone = true;
            transport = null;
            if (exception != null) {
                lostWithError.incrementAndGet();
            }
            lost.incrementAndGet();
        }
    }
}
