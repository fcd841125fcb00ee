package dev.asyncloop.tck;

import dev.asyncloop.Async;
import dev.asyncloop.Future;
import dev.asyncloop.Server;
import dev.asyncloop.spi.Capability;
import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;

/**
 * The base of the networking groups (rules N1-N7): skips unless the loop claims {@link Capability#TCP} (or, for a
 * test marked {@link NeedsInsteadOfTcp}, the capability it names), makes
 * loopback socket pairs on ephemeral ports, and closes every channel it made after the test.
 */
abstract class NetworkGroup extends ConformanceGroup {
    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    static final String HOST = LOOPBACK.getHostAddress();
    private final List<Channel> opened = new ArrayList<>();
    /** The protocols a server of {@link #startServer} made, in order of acceptance. */
    final List<RecordingProtocol> accepted = new ArrayList<>();

    NetworkGroup(EventLoopConformanceSuite suite) {
        super(suite);
    }

    @BeforeEach
    final void requireTcp(TestInfo test) {
        NeedsInsteadOfTcp needs = test.getTestMethod().map(m -> m.getAnnotation(NeedsInsteadOfTcp.class))
                .orElse(null);
        requireCapability(needs == null ? Capability.TCP : needs.value());
    }

    /**
     * Marks a test of a networking group that exercises another capability and no socket (a subprocess or pipe
     * rule among the N15 rules), so a loop that claims that capability without {@link Capability#TCP} (a loop on
     * {@code BaseEventLoop} claiming {@code SUBPROCESS}) is still checked, and one that does not claim it is
     * skipped with its name.
     */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.METHOD)
    @interface NeedsInsteadOfTcp {
        /** @return the capability the test needs */
        Capability value();
    }

    @AfterEach
    final void closeChannels() {
        for (Channel c : opened) {
            try {
                c.close();
            } catch (IOException ignored) {
                // Best effort: the test is over.
            }
        }
    }

    /** A test waiting on I/O hangs most often because the poller never reported the event it waits for. */
    @Override
    String hangHint() {
        return super.hangHint() + "; for a loop on ReadinessEventLoop, check that the Poller reports the event the"
                + " test waits for (READ: readable, end of stream, or a connection to accept; WRITE: writable, or a"
                + " pending connect finished, which a Selector reports only as OP_CONNECT), again on every poll"
                + " while it lasts (level-triggered), and errors or hang-ups as every interest of the channel"
                + " (docs/writing-a-loop.md, \"The Poller contract\")";
    }

    /** Inside a task: starts a server on an ephemeral loopback port whose protocols go to {@link #accepted}. */
    final Server startServer(boolean echo) {
        return Async.await(loop.createServer(acceptedProtocols(echo), HOST, 0));
    }

    /** A server's protocol factory: recording protocols, echoing if asked, each added to {@link #accepted}. */
    final Supplier<RecordingProtocol> acceptedProtocols(boolean echo) {
        return () -> {
            RecordingProtocol p = new RecordingProtocol(loop);
            p.echo = echo;
            accepted.add(p);
            return p;
        };
    }

    /** Inside a task: the port of the server's first socket. */
    static int port(Server server) throws IOException {
        return port(server.sockets().getFirst());
    }

    /** Inside a task: waits (bounded) for the server to have accepted connection {@code index}, made. */
    final RecordingProtocol awaitAccepted(String rule, int index) {
        long end = System.nanoTime() + defaultWait().toNanos();
        while (accepted.size() <= index) {
            if (System.nanoTime() > end) {
                throw new AssertionError(msg(rule, "the server did not accept connection #" + index + " within "
                        + defaultWait() + "; check that the server's reader accepts"));
            }
            Async.sleep(Duration.ofMillis(2));
        }
        RecordingProtocol p = accepted.get(index);
        Async.await(p.made);
        return p;
    }

    /** Inside a task: waits (bounded) until {@code condition} holds, letting loop iterations pass. */
    static void waitUntil(String rule, String what, java.util.function.BooleanSupplier condition) {
        long end = System.nanoTime() + defaultWait().toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError(msg(rule, "timed out waiting for " + what));
            }
            Async.sleep(Duration.ofMillis(1));
        }
    }

    /** Inside a task: connects a recording client to {@code port} on loopback. */
    final RecordingProtocol connect(int port) {
        return Async.await(loop.createConnection(() -> new RecordingProtocol(loop), HOST, port)).protocol();
    }

    /** Remembers {@code channel} to close it after the test. */
    final <C extends Channel> C track(C channel) {
        opened.add(channel);
        return channel;
    }

    /** Two connected non-blocking loopback sockets, made without the loop (blocking connect and accept). */
    final SocketChannel[] socketPair() throws IOException {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(LOOPBACK, 0));
            SocketChannel a = track(SocketChannel.open(server.getLocalAddress()));
            SocketChannel b = track(server.accept());
            a.configureBlocking(false);
            b.configureBlocking(false);
            return new SocketChannel[] {a, b};
        }
    }

    /** A bound, listening, non-blocking server socket on an ephemeral loopback port. */
    final ServerSocketChannel listener() throws IOException {
        ServerSocketChannel server = track(ServerSocketChannel.open());
        server.bind(new InetSocketAddress(LOOPBACK, 0));
        server.configureBlocking(false);
        return server;
    }

    /** A loopback port nothing listens on (bound, then closed). */
    static int closedPort() throws IOException {
        try (ServerSocketChannel s = ServerSocketChannel.open()) {
            s.bind(new InetSocketAddress(LOOPBACK, 0));
            return ((InetSocketAddress) s.getLocalAddress()).getPort();
        }
    }

    static int port(NetworkChannel s) throws IOException {
        return ((InetSocketAddress) s.getLocalAddress()).getPort();
    }

    /** Makes {@code channel}'s close send a reset instead of a FIN. */
    static void resetOnClose(SocketChannel channel) throws IOException {
        channel.setOption(StandardSocketOptions.SO_LINGER, 0);
    }

    static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + (i >> 8));
        }
        return b;
    }

    /** Inside a task: receives with sockRecv until {@code n} bytes or end of stream. */
    final byte[] recvExactly(SocketChannel channel, int n) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        while (out.size() < n) {
            byte[] got = Async.await(loop.sockRecv(channel, Math.min(64 * 1024, n - out.size())));
            if (got.length == 0) {
                break;
            }
            out.writeBytes(got);
        }
        return out.toByteArray();
    }

    /** Inside a task: waits until {@code f} is done, at most {@code timeout}; returns whether it is. */
    static boolean awaitDone(Future<?> f, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (!f.isDone() && System.nanoTime() < end) {
            Async.sleep(Duration.ofMillis(5));
        }
        return f.isDone();
    }

    static ByteBuffer buf(byte[] b) {
        return ByteBuffer.wrap(b);
    }
}
