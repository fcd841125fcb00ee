package dev.asyncloop.examples;

import dev.asyncloop.Async;
import dev.asyncloop.CancelledError;
import dev.asyncloop.EventLoop;
import dev.asyncloop.Future;
import dev.asyncloop.Server;
import dev.asyncloop.Tasks;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Runs one example server on a loop of its own: starts it, prints {@code READY <port>} (the line the benchmarks
 * and tests wait for), serves until {@link #stop()}, then closes the server and its connections and lets the
 * loop finish.
 *
 * <p><b>Threads.</b> {@link #run} blocks the calling thread, which becomes the loop thread. {@link #stop()},
 * {@link #ready()} and {@link #awaitFinished} may be called from any thread.
 */
public final class ServerApp {
    /**
     * Starts an example's server; called inside the loop's main task.
     */
    @FunctionalInterface
    public interface Starter {
        /**
         * Starts listening.
         *
         * @param host the host to listen on
         * @param port the port, 0 for an ephemeral one
         * @return the future of the server (from {@code createServer} or {@code Streams.startServer})
         */
        Future<Server> start(String host, int port);
    }

    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(5);

    private final String name;
    private final Starter starter;
    private final CompletableFuture<Integer> ready = new CompletableFuture<>();
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile @Nullable EventLoop loop;
    private volatile @Nullable Server server;
    private volatile boolean stopRequested;
    private volatile boolean stopOnSigterm;

    /**
     * Creates the app.
     *
     * @param name the example's name, for messages
     * @param starter starts its server
     */
    public ServerApp(String name, Starter starter) {
        this.name = name;
        this.starter = starter;
    }

    /**
     * The {@code main} of a server example: parses {@code --host}/{@code --port} and runs. SIGTERM stops the server
     * through the loop's signal handler ({@link EventLoop#addSignalHandler}), so {@code main} returns and the JVM
     * exits with status 0; Ctrl-C cancels the main task ({@link dev.asyncloop.Runner}), which closes the server and its
     * connections in the same way. A shutdown hook stops the
     * server and waits for the loop to finish on any other way out (SIGHUP, {@code System.exit}, a JVM run with
     * {@code -Xrs} or a loop without signal handlers, where SIGTERM ends the JVM).
     *
     * @param args the command line
     * @param defaultPort the port without {@code --port}
     */
    void runMain(String[] args, int defaultPort) {
        CommandLine cl;
        try {
            cl = CommandLine.parse(args, defaultPort);
        } catch (IllegalArgumentException e) {
            System.err.println(name + ": " + e.getMessage());
            System.exit(2);
            return;
        }
        runMain(cl.host(), cl.port());
    }

    /**
     * The rest of {@link #runMain(String[], int)}, for an example with a command line of its own: runs on
     * {@code host} and {@code port} until SIGTERM or Ctrl-C, as that method says.
     *
     * @param host the host to listen on
     * @param port the port, 0 for an ephemeral one
     */
    void runMain(String host, int port) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop();
            awaitFinished(SHUTDOWN_WAIT);
        }, name + "-shutdown"));
        stopOnSigterm = true;
        run(host, port, System.out);
    }

    /**
     * Runs the server on a new loop (the default selection, {@code -Dasyncloop.loop}) until {@link #stop()}.
     * Prints {@code READY <port>} to {@code out} once listening, and "{@code <name> stopped}" at the end.
     *
     * @param host the host to listen on
     * @param port the port, 0 for an ephemeral one
     * @param out where to print
     * @throws RuntimeException if the server cannot start (the bind error); {@link #ready()} fails with it too
     */
    public void run(String host, int port, PrintStream out) {
        try {
            Async.run(() -> {
                Server s = Async.await(starter.start(host, port));
                loop = Async.getRunningLoop();
                server = s;
                int bound = s.port();
                out.println("READY " + bound);
                out.flush();
                ready.complete(bound);
                if (stopOnSigterm) {
                    stopOnSigterm(loop);
                }
                if (stopRequested) {
                    shutDown(s); // a closed server cannot serveForever (it throws, as asyncio's does)
                } else {
                    try {
                        // Shielded: a cancelled serveForever closes the server and waits for the clients to leave
                        // (as asyncio's), so Ctrl-C, which cancels this task, must not wait on it.
                        Async.await(Tasks.shield(s.serveForever()));
                    } catch (CancelledError stopped) {
                        // stop() closed the server, or Ctrl-C cancelled this task: end the connections either way.
                        shutDown(s);
                    }
                }
                Async.await(s.waitClosed());
                return null;
            });
            out.println(name + " stopped");
            out.flush();
        } catch (RuntimeException | Error e) {
            ready.completeExceptionally(e);
            throw e;
        } finally {
            ready.completeExceptionally(new IllegalStateException(name + " ended before it was ready"));
            finished.countDown();
        }
    }

    /**
     * Asks the server to stop: from any thread; the loop thread closes the listening sockets and every
     * connection, then {@link #run} returns. Idempotent; before the server is listening it stops it as soon as
     * it is.
     */
    public void stop() {
        stopRequested = true;
        EventLoop l = loop;
        Server s = server;
        if (l != null && s != null && !l.isClosed()) {
            try {
                l.callSoonThreadsafe(() -> shutDown(s));
            } catch (IllegalStateException closedMeanwhile) {
                // The loop already finished: nothing left to stop.
            }
        }
    }

    /** Makes SIGTERM stop the server; where the loop or the JVM cannot handle it, the shutdown hook does. */
    private void stopOnSigterm(EventLoop l) {
        try {
            l.addSignalHandler("TERM", this::stop);
        } catch (UnsupportedOperationException noSignals) {
            // -Xrs, or a loop without Capability.SIGNALS: SIGTERM ends the JVM and the shutdown hook stops us
        }
    }

    private static void shutDown(Server s) {
        s.close();
        s.closeClients();
    }

    /**
     * Completes with the listening port once the server prints READY; fails if it cannot start.
     *
     * @return the future
     */
    public CompletableFuture<Integer> ready() {
        return ready;
    }

    /**
     * Waits until {@link #run} has returned.
     *
     * @param timeout at most this long
     * @return whether it returned in time
     */
    public boolean awaitFinished(Duration timeout) {
        try {
            return finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
