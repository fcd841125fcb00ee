package dev.asyncloop.bench;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * The timed loop behind the epoll loop's level- vs edge-triggered decision (docs/architecture.md). Measures, on raw
 * {@code sun.nio.ch.EPoll} (run with {@code --add-opens java.base/sun.nio.ch=ALL-UNNAMED}):
 * <ol>
 *   <li>a non-blocking {@code epoll_wait} over N readable sockets, level- vs edge-triggered (LT returns all N each
 *       time; ET only the first time): the price LT pays for readiness that is left unconsumed;</li>
 *   <li>one {@code epoll_ctl(MOD)} round trip IN -> IN|OUT -> IN: what LT pays each time a writer must wait for
 *       a full socket buffer (ET could keep IN|OUT registered for good);</li>
 *   <li>one non-blocking {@code read} that finds nothing (EAGAIN): what ET pays on every readable event, because
 *       it must read until EAGAIN or lose the rest of the data.</li>
 * </ol>
 * Prints one line per figure in nanoseconds. Usage: {@code java --add-opens java.base/sun.nio.ch=ALL-UNNAMED -cp
 * benchmarks.jar dev.asyncloop.bench.EpollTriggerModes}.
 */
public final class EpollTriggerModes {
    private static final int EPOLLET = 1 << 31;
    private static final MethodHandle CREATE;
    private static final MethodHandle CTL;
    private static final MethodHandle WAIT;
    private static final MethodHandle ALLOCATE;
    private static final MethodHandle FD_VAL;

    static {
        try {
            Class<?> epoll = Class.forName("sun.nio.ch.EPoll");
            MethodHandles.Lookup l = MethodHandles.privateLookupIn(epoll, MethodHandles.lookup());
            CREATE = l.findStatic(epoll, "create", MethodType.methodType(int.class));
            CTL = l.findStatic(epoll, "ctl", MethodType.methodType(int.class, int.class, int.class, int.class, int.class));
            WAIT = l.findStatic(epoll, "wait", MethodType.methodType(int.class, int.class, long.class, int.class, int.class));
            ALLOCATE = l.findStatic(epoll, "allocatePollArray", MethodType.methodType(long.class, int.class));
            FD_VAL = l.findVirtual(Class.forName("sun.nio.ch.SelChImpl"), "getFDVal", MethodType.methodType(int.class))
                    .asType(MethodType.methodType(int.class, SocketChannel.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private EpollTriggerModes() {
    }

    /**
     * Runs the measurements.
     *
     * @param args ignored
     * @throws Throwable if epoll cannot be reached
     */
    public static void main(String[] args) throws Throwable {
        System.out.println("load average: " + new String(java.nio.file.Files.readAllBytes(
                java.nio.file.Path.of("/proc/loadavg"))).trim());
        List<SocketChannel> all = pairs(500);
        for (int n : new int[] {1, 100, 1000}) {
            for (boolean edge : new boolean[] {false, true}) {
                int epfd = (int) CREATE.invokeExact();
                for (int i = 0; i < n; i++) {
                    int rc = (int) CTL.invokeExact(epfd, 1, fd(all.get(i)), 1 | (edge ? EPOLLET : 0));
                    check(rc);
                }
                long events = (long) ALLOCATE.invokeExact(1024);
                long reported = 0;
                int rounds = 200_000 / Math.max(1, n / 10);
                for (int i = 0; i < rounds / 4; i++) {
                    reported += (int) WAIT.invokeExact(epfd, events, 1024, 0);
                }
                reported = 0;
                long t0 = System.nanoTime();
                for (int i = 0; i < rounds; i++) {
                    reported += (int) WAIT.invokeExact(epfd, events, 1024, 0);
                }
                long ns = System.nanoTime() - t0;
                System.out.printf("epoll_wait(0) over %5d readable fds, %s: %8.0f ns/wait, %6.1f events/wait%n",
                        n, edge ? "ET" : "LT", (double) ns / rounds, (double) reported / rounds);
                closeFd(epfd);
            }
        }
        int epfd = (int) CREATE.invokeExact();
        int fd = fd(all.get(0));
        check((int) CTL.invokeExact(epfd, 1, fd, 1));
        int rounds = 500_000;
        for (int w = 0; w < 2; w++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < rounds; i++) {
                int a = (int) CTL.invokeExact(epfd, 3, fd, 1 | 4);
                int b = (int) CTL.invokeExact(epfd, 3, fd, 1);
                if ((a | b) != 0) {
                    check(a | b);
                }
            }
            long ns = System.nanoTime() - t0;
            if (w == 1) {
                System.out.printf("epoll_ctl(MOD) IN->IN|OUT->IN: %8.0f ns per writer wait (2 calls)%n",
                        (double) ns / rounds);
            }
        }
        closeFd(epfd);
        SocketChannel empty = all.get(all.size() - 1);
        empty.read(ByteBuffer.allocate(16)); // consume its byte
        ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
        for (int w = 0; w < 2; w++) {
            long t0 = System.nanoTime();
            int got = 0;
            for (int i = 0; i < rounds; i++) {
                got += empty.read(buffer.clear());
            }
            long ns = System.nanoTime() - t0;
            if (w == 1) {
                System.out.printf("read() finding nothing (EAGAIN): %8.0f ns per readable event under ET (%d bytes)%n",
                        (double) ns / rounds, got);
            }
        }
        for (SocketChannel c : all) {
            c.close();
        }
    }

    private static List<SocketChannel> pairs(int pairs) throws IOException {
        List<SocketChannel> out = new ArrayList<>();
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
            for (int i = 0; i < pairs; i++) {
                SocketChannel a = SocketChannel.open(server.getLocalAddress());
                SocketChannel b = server.accept();
                a.write(ByteBuffer.wrap(new byte[] {1}));
                b.write(ByteBuffer.wrap(new byte[] {1}));
                a.configureBlocking(false);
                b.configureBlocking(false);
                out.add(a);
                out.add(b);
            }
        }
        return out;
    }

    private static int fd(SocketChannel c) throws Throwable {
        return (int) FD_VAL.invokeExact(c);
    }

    private static void check(int errno) {
        if (errno != 0) {
            throw new IllegalStateException("epoll_ctl failed: errno " + errno);
        }
    }

    private static void closeFd(int fd) throws IOException {
        // The epoll descriptor is closed through a FileDescriptor the JDK builds for us.
        try {
            Class<?> ioUtil = Class.forName("sun.nio.ch.IOUtil");
            MethodHandles.Lookup l = MethodHandles.privateLookupIn(ioUtil, MethodHandles.lookup());
            java.io.FileDescriptor d = (java.io.FileDescriptor) l.findStatic(ioUtil, "newFD",
                    MethodType.methodType(java.io.FileDescriptor.class, int.class)).invokeExact(fd);
            new java.io.FileInputStream(d).close();
        } catch (Throwable t) {
            throw new IOException("cannot close fd " + fd, t);
        }
    }
}
