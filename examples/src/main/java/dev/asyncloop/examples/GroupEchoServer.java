package dev.asyncloop.examples;

import dev.asyncloop.EventLoopGroup;
import dev.asyncloop.GroupServer;
import dev.asyncloop.ServerOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * The protocol echo server ({@link EchoServer.EchoProtocol}) served by an {@link EventLoopGroup} of several loops:
 * one listening socket per loop on the same port with {@code SO_REUSEPORT} (the kernel spreads the connections),
 * or, where that option is missing or with {@code --mode hand-off}, one loop accepting and handing each
 * connection to the next loop in turn.
 *
 * <p>{@code GroupEchoServer [--loops N] [--mode reuse-port|hand-off] [--host HOST] [--port PORT]} (default: as
 * many loops as CPUs, the platform's mode, 127.0.0.1:8890; port 0 = ephemeral) prints {@code READY <port> loops=N
 * mode=MODE} once every loop listens and stops on SIGTERM or Ctrl-C. The loops come from the default provider
 * ({@code -Dasyncloop.loop} picks another).
 */
public final class GroupEchoServer implements AutoCloseable {
    /** The port without {@code --port}. */
    public static final int DEFAULT_PORT = 8890;

    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(5);

    private final EventLoopGroup group;
    private final GroupServer server;

    private GroupEchoServer(EventLoopGroup group, GroupServer server) {
        this.group = group;
        this.server = server;
    }

    /**
     * Starts the group and its server.
     *
     * @param loops the number of loops, at least 1
     * @param mode how connections are spread, or null for the platform's choice
     * @param host the host to listen on
     * @param port the port, 0 for an ephemeral one (shared by every loop)
     * @return the running server
     * @throws IllegalArgumentException if {@code loops < 1}
     * @throws IllegalStateException if the server cannot start (the cause says why); the group is shut down
     */
    public static GroupEchoServer start(int loops, GroupServer.@Nullable Mode mode, String host, int port) {
        if (loops < 1) {
            throw new IllegalArgumentException("loops must be >= 1, got " + loops);
        }
        EventLoopGroup group = EventLoopGroup.create(loops);
        try {
            var starting = mode == null
                    ? group.createServer(EchoServer.EchoProtocol::new, host, port, ServerOptions.defaults())
                    : group.createServer(EchoServer.EchoProtocol::new, host, port, ServerOptions.defaults(), mode);
            return new GroupEchoServer(group, starting.get(SHUTDOWN_WAIT.toMillis(), TimeUnit.MILLISECONDS));
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            group.shutdownGracefully(SHUTDOWN_WAIT);
            throw new IllegalStateException("GroupEchoServer: cannot listen on " + host + ":" + port + ": "
                    + (e instanceof ExecutionException ? e.getCause() : e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            group.shutdownGracefully(SHUTDOWN_WAIT);
            throw new IllegalStateException("GroupEchoServer: interrupted while starting", e);
        }
    }

    /**
     * Returns the port every loop listens on.
     *
     * @return the port
     */
    public int port() {
        return server.addresses().getFirst().getPort();
    }

    /**
     * Returns the group's server.
     *
     * @return the server
     */
    public GroupServer server() {
        return server;
    }

    /**
     * Returns the group.
     *
     * @return the group
     */
    public EventLoopGroup group() {
        return group;
    }

    /**
     * Closes the server and its connections, then shuts the group down. Any thread but the group's own.
     *
     * @throws IllegalStateException if a loop did not stop in time
     */
    @Override
    public void close() {
        server.close();
        try {
            server.waitClosed().get(SHUTDOWN_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            System.err.println("GroupEchoServer: connections still closing at shutdown: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!group.shutdownGracefully(SHUTDOWN_WAIT)) {
            throw new IllegalStateException("GroupEchoServer: a loop did not stop within " + SHUTDOWN_WAIT);
        }
    }

    /**
     * Runs the server until SIGTERM or Ctrl-C.
     *
     * @param args {@code --loops N --mode reuse-port|hand-off --host HOST --port PORT}
     */
    public static void main(String[] args) {
        int loops = Runtime.getRuntime().availableProcessors();
        GroupServer.@Nullable Mode mode = null;
        CommandLine cl;
        try {
            List<String> rest = new ArrayList<>();
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--loops" -> loops = parseLoops(value(args, ++i, "--loops"));
                    case "--mode" -> mode = parseMode(value(args, ++i, "--mode"));
                    default -> rest.add(args[i]);
                }
            }
            cl = CommandLine.parse(rest.toArray(String[]::new), DEFAULT_PORT);
            if (!cl.rest().isEmpty()) {
                throw new IllegalArgumentException("unexpected arguments " + cl.rest()
                        + "; use --loops N --mode reuse-port|hand-off --host HOST --port PORT");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("GroupEchoServer: " + e.getMessage());
            System.exit(2);
            return;
        }
        GroupEchoServer running;
        try {
            running = start(loops, mode, cl.host(), cl.port());
        } catch (IllegalStateException e) {
            System.err.println(e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                running.close();
            } finally {
                stopped.countDown();
            }
        }, "GroupEchoServer-shutdown"));
        System.out.println("READY " + running.port() + " loops=" + loops + " mode=" + running.server().mode());
        System.out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    static int parseLoops(String value) {
        try {
            int n = Integer.parseInt(value);
            if (n < 1 || n > 1024) {
                throw new IllegalArgumentException("--loops must be 1 to 1024, got " + value);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--loops must be a number, got " + value, e);
        }
    }

    static GroupServer.Mode parseMode(String value) {
        return switch (value) {
            case "reuse-port" -> GroupServer.Mode.REUSE_PORT;
            case "hand-off" -> GroupServer.Mode.HAND_OFF;
            default -> throw new IllegalArgumentException("--mode must be reuse-port or hand-off, got " + value);
        };
    }
}
