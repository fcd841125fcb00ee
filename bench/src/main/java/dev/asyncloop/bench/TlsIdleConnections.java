package dev.asyncloop.bench;

import dev.asyncloop.Connection;
import dev.asyncloop.ConnectOptions;
import dev.asyncloop.EventLoop;
import dev.asyncloop.Future;
import dev.asyncloop.Protocol;
import dev.asyncloop.Server;
import dev.asyncloop.ServerOptions;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Heap held by idle TLS connections: {@code n} connections over loopback to an echo server on the same loop, each
 * after its handshake and one 1 KiB echo, then idle. Not a JMH benchmark: the figure is one state, measured once.
 *
 * <p>Heap is {@link MemoryMXBean#getHeapMemoryUsage()} used after {@code System.gc()} three times, minus the same
 * figure taken after one warm-up connection (opened, echoed, closed: classes loaded, contexts initialized) and
 * before the {@code n} connections. Each connection has two ends in this process (the client's and the server's
 * transport, protocol, {@code SSLEngine} and TLS layer), so {@code bytes_per_connection} counts both ends. Mode
 * {@code plain} runs the same without TLS, for the share of the sockets and transports.
 *
 * <p>Prints one JSON line. Usage: {@code TlsIdleConnections [n] [nio|epoll] [tls|plain]} (defaults 1000 nio tls);
 * epoll needs {@code --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --enable-native-access=ALL-UNNAMED}; the
 * process needs {@code 2n + 10} file descriptors.
 */
public final class TlsIdleConnections {
    private static final int MESSAGE = 1024;

    private TlsIdleConnections() {
    }

    /**
     * Runs the measurement.
     *
     * @param args optional connection count, loop ({@code nio} or {@code epoll}) and mode ({@code tls} or
     *     {@code plain})
     */
    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        String loopName = args.length > 1 ? args[1] : "nio";
        String mode = args.length > 2 ? args[2] : "tls";
        if (n < 1) {
            throw new IllegalArgumentException("the connection count must be at least 1, got " + n);
        }
        if (!mode.equals("tls") && !mode.equals("plain")) {
            throw new IllegalArgumentException("mode must be tls or plain, got " + mode);
        }
        boolean tls = mode.equals("tls");
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        try (EventLoop loop = TlsBench.newLoop(loopName)) {
            ServerOptions serverOptions = tls ? TlsBench.serverOptions() : ServerOptions.defaults();
            ConnectOptions clientOptions = tls ? TlsBench.clientOptions() : ConnectOptions.defaults();
            Server server = loop.runUntilComplete(loop.createServer(TlsBench.Echo::new, TlsBench.HOST, 0,
                    serverOptions));
            int port = server.port();
            List<Connection<Client>> warmUp = connectAndEcho(loop, port, clientOptions, 1);
            warmUp.getFirst().transport().close();
            settle(loop); // the warm-up connection's close_notify exchange and both ends' connectionLost
            long baseline = heapAfterGc(memory);
            long t0 = System.nanoTime();
            List<Connection<Client>> connections = connectAndEcho(loop, port, clientOptions, n);
            long opened = System.nanoTime() - t0;
            settle(loop); // the server's last echoes are written and every end is idle
            long used = heapAfterGc(memory) - baseline;
            System.out.println(String.format(Locale.ROOT, "{\"suite\":\"asyncloop-tls-idle-connections\","
                    + "\"loop\":\"%s\",\"mode\":\"%s\",\"n\":%d,\"open_and_echo_s\":%.3f,\"heap_used_bytes\":%d,"
                    + "\"heap_used_mib\":%.1f,\"bytes_per_connection\":%.1f,\"java\":\"%s\"}",
                    loopName, mode, connections.size(), opened / 1e9, used, used / 1048576.0,
                    (double) used / n, System.getProperty("java.version")));
            for (Connection<Client> c : connections) {
                c.transport().abort();
            }
            server.close();
        }
    }

    private static List<Connection<Client>> connectAndEcho(EventLoop loop, int port, ConnectOptions options, int n) {
        List<Connection<Client>> connections = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Connection<Client> c = loop.runUntilComplete(loop.createConnection(() -> new Client(loop),
                    TlsBench.HOST, port, options));
            c.transport().write(new byte[MESSAGE]);
            loop.runUntilComplete(c.protocol().echoed);
            connections.add(c);
        }
        return connections;
    }

    /** Runs the loop for 200 ms. */
    private static void settle(EventLoop loop) {
        Future<Void> later = loop.createFuture();
        loop.callLater(Duration.ofMillis(200), () -> later.setResult(null));
        loop.runUntilComplete(later);
    }

    private static long heapAfterGc(MemoryMXBean memory) {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    /** Waits for the echo of its one message. */
    static final class Client implements Protocol {
        final Future<Void> echoed;
        private int received;

        Client(EventLoop loop) {
            echoed = loop.createFuture();
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            received += data.remaining();
            data.position(data.limit());
            if (received >= MESSAGE && !echoed.isDone()) {
                echoed.setResult(null);
            }
        }
    }
}
