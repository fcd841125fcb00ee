package dev.asyncloop.examples;

import dev.asyncloop.Async;
import dev.asyncloop.Future;
import dev.asyncloop.Server;
import dev.asyncloop.ServerOptions;
import dev.asyncloop.StreamPair;
import dev.asyncloop.StreamReader;
import dev.asyncloop.StreamWriter;
import dev.asyncloop.Streams;
import dev.asyncloop.TaskGroup;
import dev.asyncloop.TaskGroupException;
import dev.asyncloop.Timeout;
import dev.asyncloop.TimeoutError;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP forwarding proxy written with streams: each accepted client gets a connection to the target, and two
 * tasks copy bytes, one per direction.
 *
 * <p><b>Why streams.</b> A copy loop ({@code read; write; drain}) says what a proxy does in four lines, and
 * {@code drain()} is the back-pressure: a task that cannot hand its bytes on stops reading, the reader's buffer
 * fills to its limit and pauses the socket, and TCP's window tells the sender to wait. With protocols the same
 * takes {@code pauseWriting}/{@code resumeWriting} on one side wired to {@code pauseReading}/{@code resumeReading}
 * on the other, for each direction; the saving (one copy of each chunk into a byte array) does not matter here.
 *
 * <ul>
 *   <li><b>Back-pressure:</b> per direction the proxy holds at most the reader's buffer (twice its limit, here
 *       {@value #CHUNK} bytes) plus the writer's buffer (its high-water mark plus one chunk).</li>
 *   <li><b>Half-close:</b> the end of one direction is passed on with {@code writeEof()}; the other direction
 *       goes on until it ends too, then both connections are closed.</li>
 *   <li><b>Errors:</b> a reset or any other failure on either side ends both directions (the {@link TaskGroup}
 *       cancels the surviving task) and closes both connections.</li>
 *   <li><b>Connect timeout:</b> the connection to the target gets {@code --connect-timeout} seconds (default
 *       {@value #DEFAULT_CONNECT_SECONDS}); a client whose target cannot be reached is closed.</li>
 * </ul>
 *
 * <p>{@code TcpProxy --target HOST:PORT [--listen-host HOST] [--listen-port PORT] [--connect-timeout SECONDS]}
 * (default 127.0.0.1:8890; port 0 = ephemeral) prints {@code READY <port>} once listening and stops on SIGTERM or
 * Ctrl-C; each failed relay is reported on stderr in one line.
 */
public final class TcpProxy {
    /** The port without {@code --listen-port}. */
    public static final int DEFAULT_PORT = 8890;
    /** The connect timeout without {@code --connect-timeout}. */
    public static final int DEFAULT_CONNECT_SECONDS = 5;
    /** Bytes asked for per read, and each reader's limit. */
    static final int CHUNK = 64 * 1024;

    private final String targetHost;
    private final int targetPort;
    private final Duration connectTimeout;
    private final PrintStream log;
    private final AtomicLong peakBuffered = new AtomicLong();
    private final AtomicLong relays = new AtomicLong();

    /**
     * Creates the proxy.
     *
     * @param targetHost where to connect for each client
     * @param targetPort the target's port
     * @param connectTimeout how long a connection to the target may take
     * @param log where failed relays are reported
     */
    public TcpProxy(String targetHost, int targetPort, Duration connectTimeout, PrintStream log) {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.connectTimeout = connectTimeout;
        this.log = log;
    }

    /**
     * Runs the proxy until SIGTERM or Ctrl-C; see the class comment for the options.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        CommandLine.Taken options;
        String[] target;
        int listenPort;
        int connectSeconds;
        try {
            options = CommandLine.take(args, Set.of("--target", "--listen-host", "--listen-port",
                    "--connect-timeout"));
            if (!options.rest().isEmpty()) {
                throw new IllegalArgumentException("unexpected argument " + options.rest().getFirst());
            }
            String t = options.values().get("--target");
            target = t == null ? new String[0] : t.split(":(?=[0-9]+$)");
            if (target.length != 2) {
                throw new IllegalArgumentException("--target HOST:PORT is required");
            }
            listenPort = number(options.values().getOrDefault("--listen-port", "" + DEFAULT_PORT), "--listen-port");
            connectSeconds = number(options.values().getOrDefault("--connect-timeout", "" + DEFAULT_CONNECT_SECONDS),
                    "--connect-timeout");
        } catch (IllegalArgumentException e) {
            System.err.println("TcpProxy: " + e.getMessage() + "; usage: TcpProxy --target HOST:PORT [--listen-host"
                    + " HOST] [--listen-port PORT] [--connect-timeout SECONDS]");
            System.exit(2);
            return;
        }
        TcpProxy proxy = new TcpProxy(target[0], number(target[1], "--target's port"),
                Duration.ofSeconds(connectSeconds), System.err);
        proxy.app().runMain(options.values().getOrDefault("--listen-host", CommandLine.DEFAULT_HOST), listenPort);
    }

    private static int number(String value, String what) {
        try {
            int n = Integer.parseInt(value);
            if (n < 0 || n > 65535) {
                throw new IllegalArgumentException(what + " must be 0 to 65535, got " + value);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " must be a number, got " + value, e);
        }
    }

    /**
     * Returns a runnable instance, for tests and embedding.
     *
     * @return the app
     */
    public ServerApp app() {
        return new ServerApp("TcpProxy", this::start);
    }

    /**
     * The most bytes one direction of one relay held at once (reader's buffer not counted), for tests.
     *
     * @return the peak so far
     */
    public long peakBuffered() {
        return peakBuffered.get();
    }

    /**
     * The number of relays in progress, for tests.
     *
     * @return clients connected through the proxy now
     */
    public long relays() {
        return relays.get();
    }

    private Future<Server> start(String host, int port) {
        return Streams.startServer(this::relay, host, port, ServerOptions.defaults(), CHUNK);
    }

    /** The handler: one task per client. */
    private void relay(StreamReader clientIn, StreamWriter clientOut) {
        relays.incrementAndGet();
        StreamPair target = null;
        try {
            target = Timeout.run(connectTimeout, () -> Async.await(
                    Streams.openConnection(targetHost, targetPort, CHUNK)));
            StreamPair t = target;
            TaskGroup.run(group -> {
                group.createTask(() -> copy(clientIn, t.writer()), "client->target");
                group.createTask(() -> copy(t.reader(), clientOut), "target->client");
                return null;
            });
        } catch (TimeoutError e) {
            log.println("TcpProxy: no connection to " + targetHost + ":" + targetPort + " within " + connectTimeout);
        } catch (CompletionException | TaskGroupException e) {
            log.println("TcpProxy: relay ended: " + rootCause(e));
        } finally {
            clientOut.close();
            if (target != null) {
                target.writer().close();
            }
            relays.decrementAndGet();
        }
    }

    /** Copies {@code from} to {@code to} until the end of the stream, then half-closes {@code to}. */
    private Void copy(StreamReader from, StreamWriter to) {
        while (true) {
            byte[] data = Async.await(from.read(CHUNK));
            if (data.length == 0) {
                to.writeEof();
                return null;
            }
            to.write(data);
            peakBuffered.accumulateAndGet(to.transport().getWriteBufferSize(), Math::max);
            Async.await(to.drain());
        }
    }

    private static String rootCause(Throwable e) {
        if (e instanceof TaskGroupException group && !group.exceptions().isEmpty()) {
            return rootCause(group.exceptions().getFirst());
        }
        if (e instanceof CompletionException && e.getCause() != null) {
            return rootCause(e.getCause());
        }
        return e instanceof IOException ? String.valueOf(e.getMessage()) : e.toString();
    }
}
