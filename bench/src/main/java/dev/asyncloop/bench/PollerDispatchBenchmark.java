package dev.asyncloop.bench;

import dev.asyncloop.epoll.EpollPoller;
import dev.asyncloop.spi.Poller;
import dev.asyncloop.spi.SelectorPoller;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Poll and dispatch: one non-blocking {@link Poller#poll} over {@code connections} registered channels that are all
 * readable (both ends of loopback socket pairs, one unread byte each, never consumed, so a level-triggered poller
 * reports every one on every poll), each event handed to the sink as the readiness base's dispatch receives it.
 * One invocation is a batch of {@code max(1, 10000 / connections)} polls (about 10,000 events). The primary score
 * is batches per second; the {@code events} counter is events dispatched per second of wall time; the
 * {@code cpuEvents} and {@code cpuNanos} counters are the events and the benchmark thread's CPU time (user +
 * system, from {@link ThreadMXBean#getCurrentThreadCpuTime()}) per iteration, whose ratio, events per CPU
 * second, does not count time other processes took from the thread (the figure to compare on a busy machine).
 * Compares the NIO {@link SelectorPoller} with the {@link EpollPoller}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "-Xms1g", "-Xmx1g"})
@State(Scope.Thread)
public class PollerDispatchBenchmark {
    /** Which poller. */
    @Param({"nio", "epoll"})
    public String poller;

    /** How many registered, ready channels (10,000 = 5,000 socket pairs: fds stay under a 20,000 ulimit). */
    @Param({"1", "100", "10000"})
    public int connections;

    private Poller subject;
    private final List<SocketChannel> channels = new ArrayList<>();
    private long dispatched;
    private final Poller.EventSink sink = (attachment, ops) -> dispatched += ops;

    /** Events dispatched, as a rate. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Events {
        /** Events handed to the sink. */
        public long events;
    }

    /** Events and the thread's CPU time, as totals per iteration. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Cpu {
        /** Events handed to the sink. */
        public long cpuEvents;
        /** CPU nanoseconds of the benchmark thread spent in the batches. */
        public long cpuNanos;

        /** Starts every iteration from zero. */
        @Setup(Level.Iteration)
        public void reset() {
            cpuEvents = 0;
            cpuNanos = 0;
        }
    }

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private int batch;

    /**
     * Opens the socket pairs, makes each end readable and registers the first {@code connections} ends.
     *
     * @throws IOException if a socket cannot be opened
     */
    @Setup(Level.Trial)
    public void open() throws IOException {
        batch = Math.max(1, 10_000 / connections);
        subject = poller.equals("epoll") ? new EpollPoller() : new SelectorPoller();
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
            int pairs = (connections + 1) / 2;
            for (int i = 0; i < pairs; i++) {
                SocketChannel a = SocketChannel.open(server.getLocalAddress());
                SocketChannel b = server.accept();
                a.write(ByteBuffer.wrap(new byte[] {1}));
                b.write(ByteBuffer.wrap(new byte[] {1}));
                channels.add(a);
                channels.add(b);
            }
        }
        for (int i = 0; i < connections; i++) {
            SocketChannel c = channels.get(i);
            c.configureBlocking(false);
            subject.register(c, Poller.READ, c);
        }
    }

    /**
     * Closes the poller and the sockets.
     *
     * @throws IOException if closing fails
     */
    @TearDown(Level.Trial)
    public void close() throws IOException {
        subject.close();
        for (SocketChannel c : channels) {
            c.close();
        }
    }

    /**
     * A batch of polls with dispatch.
     *
     * @param events the rate counter
     * @param cpu the CPU-time counters
     * @return the events of this batch
     * @throws IOException if the poller fails
     */
    @Benchmark
    public long pollAndDispatch(Events events, Cpu cpu) throws IOException {
        long before = dispatched;
        long c0 = THREADS.getCurrentThreadCpuTime();
        for (int i = 0; i < batch; i++) {
            subject.poll(0, sink);
        }
        cpu.cpuNanos += THREADS.getCurrentThreadCpuTime() - c0;
        long n = dispatched - before;
        events.events += n;
        cpu.cpuEvents += n;
        return n;
    }
}
