package dev.asyncloop.tck;

import static org.junit.jupiter.api.Assertions.fail;

import dev.asyncloop.spi.Poller;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectableChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The test bench of {@link PollerContractSuite}: one poller, driven from one thread of its own (the "loop
 * thread"), with the bookkeeping that checks every report of every poll against what the test registered.
 *
 * <p>Every report is checked, whatever the test: the attachment is one the poller was given, its channel is
 * neither deregistered nor closed, the ready operations are {@code READ}, {@code WRITE} or both and within the
 * interest in force, and no channel is reported twice by one poll. A violation fails the test with the running
 * test's rule ID. Attachments are the test's labels (strings).
 */
final class PollerHarness {
    /** The label of the sentinel: a pipe's read end with unread data, registered for READ. */
    static final String SENTINEL = "sentinel";
    /** The timeout of each poll of {@link #pollUntil}: short, so a missed event costs little. */
    private static final long STEP_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "asyncloop-tck-poller-watchdog");
        t.setDaemon(true);
        return t;
    });

    /** Makes the poller; may throw. */
    @FunctionalInterface
    interface PollerFactory {
        Poller open() throws IOException;
    }

    /** A test body, run on the loop thread. */
    @FunctionalInterface
    interface Body {
        void run() throws Exception;
    }

    /** What the sink does on each report, after the harness checked it. */
    @FunctionalInterface
    interface SinkAction {
        void ready(String label, int readyOps) throws IOException;
    }

    private enum State { LIVE, DEREGISTERED, DEREGISTERED_IN_SINK, CLOSED }

    private static final class Watch {
        int interest;
        State state = State.LIVE;

        Watch(int interest) {
            this.interest = interest;
        }
    }

    private final PollerFactory factory;
    private final ExecutorService loopThread;
    private volatile @Nullable Thread thread;
    private volatile String rule = "TCK";
    private volatile @Nullable Poller poller;
    private boolean hung;
    private boolean inSink;
    private final Map<String, Watch> byLabel = new HashMap<>();
    private final IdentityHashMap<SelectableChannel, Watch> byChannel = new IdentityHashMap<>();
    private final List<Closeable> resources = Collections.synchronizedList(new ArrayList<>());
    private final Deque<String> recentPolls = new ArrayDeque<>();
    private @Nullable Pipe sentinel;

    PollerHarness(PollerFactory factory) {
        this.factory = factory;
        this.loopThread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "asyncloop-tck-poller-loop");
            t.setDaemon(true);
            thread = t;
            return t;
        });
    }

    /** The bounded wait of one wait of a test (the suite's, shortened for the project's mutant runs). */
    static Duration boundedWait() {
        return ConformanceGroup.defaultWait();
    }

    /** How long a whole test may take before it is reported as hung. */
    private static Duration testLimit() {
        return boundedWait().multipliedBy(4).plusSeconds(10);
    }

    /** Prefixes {@code text} with the running test's rule ID. */
    String msg(String text) {
        return "[" + rule + "] " + text;
    }

    /** The poller under test; any thread (the suite's wakers read it). Only while {@link #run} runs a test. */
    Poller poller() {
        return Objects.requireNonNull(poller, "[TCK] no poller: the harness opens it when it runs a test");
    }

    /**
     * Runs {@code body} on the loop thread, opening the poller first, and waits for it; a body that does not end
     * in {@link #testLimit()} fails as hung, with the loop thread's stack.
     */
    void run(String ruleId, Body body) throws Exception {
        this.rule = ruleId;
        var future = loopThread.submit(() -> {
            if (poller == null) {
                poller = Objects.requireNonNull(factory.open(), "[TCK] newPoller() returned null");
            }
            body.run();
            return null;
        });
        try {
            future.get(testLimit().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception x) {
                throw x;
            }
            if (cause instanceof Error x) {
                throw x;
            }
            throw e;
        } catch (TimeoutException e) {
            hung = true;
            Thread t = thread;
            String stack = t == null ? "" : Arrays.stream(t.getStackTrace()).limit(12).map(f -> "\n    at " + f)
                    .collect(Collectors.joining());
            Poller p = poller;
            if (p != null) {
                p.wakeup();
            }
            fail(msg("hung: the test did not finish within " + testLimit() + "; the poller's thread is at:" + stack));
        }
    }

    /** Closes the poller (on the loop thread, unless a test hung there) and every channel the test opened. */
    void close() throws Exception {
        try {
            Poller opened = poller;
            if (!hung && opened != null) {
                loopThread.submit(() -> {
                    opened.close();
                    return null;
                }).get(boundedWait().toMillis(), TimeUnit.MILLISECONDS);
            }
        } finally {
            loopThread.shutdown();
            synchronized (resources) {
                for (Closeable c : resources) {
                    try {
                        c.close();
                    } catch (IOException ignored) {
                        // a channel the test closed or broke already
                    }
                }
            }
        }
    }

    /** Opens another poller from the factory, closed after the test unless the caller closed it; any thread. */
    Poller openAnother() throws IOException {
        Poller other = Objects.requireNonNull(factory.open(), "[TCK] newPoller() returned null");
        track(other::close);
        return other;
    }

    // ------------------------------------------------------------------ the poller, with bookkeeping

    void register(SelectableChannel channel, int interest, String label) throws IOException {
        if (byLabel.containsKey(label)) {
            throw new IllegalArgumentException("[TCK] label " + label + " used twice");
        }
        poller().register(channel, interest, label);
        Watch w = new Watch(interest);
        byLabel.put(label, w);
        byChannel.put(channel, w);
    }

    void modify(SelectableChannel channel, int interest) throws IOException {
        poller().modify(channel, interest);
        Watch w = byChannel.get(channel);
        if (w != null && w.state == State.LIVE) {
            w.interest = interest;
        }
    }

    void deregister(SelectableChannel channel) {
        poller().deregister(channel);
        Watch w = byChannel.get(channel);
        if (w != null && w.state == State.LIVE) {
            w.state = inSink ? State.DEREGISTERED_IN_SINK : State.DEREGISTERED;
        }
    }

    /** Closes a registered channel without deregistering it. */
    void closeWhileRegistered(SelectableChannel channel) throws IOException {
        channel.close();
        Watch w = byChannel.get(channel);
        if (w != null && w.state == State.LIVE) {
            w.state = State.CLOSED;
        }
    }

    /** One poll; returns label to ready operations, in report order, every report checked. */
    Map<String, Integer> poll(long timeoutNanos) throws IOException {
        return poll(timeoutNanos, (label, ops) -> { });
    }

    /** One poll whose sink runs {@code action} after checking each report. */
    Map<String, Integer> poll(long timeoutNanos, SinkAction action) throws IOException {
        Map<String, Integer> got = new LinkedHashMap<>();
        IOException[] thrown = new IOException[1];
        inSink = true;
        try {
            poller().poll(timeoutNanos, (attachment, readyOps) -> {
                String label = checkReport(attachment, readyOps, got);
                got.put(label, readyOps);
                try {
                    action.ready(label, readyOps);
                } catch (IOException e) {
                    thrown[0] = e;
                }
            });
        } finally {
            inSink = false;
            for (Watch w : byLabel.values()) {
                if (w.state == State.DEREGISTERED_IN_SINK) {
                    w.state = State.DEREGISTERED;
                }
            }
        }
        if (thrown[0] != null) {
            throw thrown[0];
        }
        recentPolls.addLast(describe(got));
        if (recentPolls.size() > 5) {
            recentPolls.removeFirst();
        }
        return got;
    }

    private String checkReport(Object attachment, int readyOps, Map<String, Integer> got) {
        if (!(attachment instanceof String label) || !byLabel.containsKey(label)) {
            fail(msg("poll reported an attachment it was never given: " + attachment));
            throw new AssertionError();
        }
        Watch w = byLabel.get(label);
        switch (w.state) {
            case DEREGISTERED_IN_SINK -> fail(msg("poll reported " + ops(readyOps) + " for " + label + ", which the"
                    + " sink deregistered earlier in the same poll: no event may be reported after deregister"
                    + " returns, even one this poll had already collected"));
            case DEREGISTERED -> fail(msg("poll reported " + ops(readyOps) + " for " + label + " after its channel"
                    + " was deregistered"));
            case CLOSED -> fail(msg("poll reported " + ops(readyOps) + " for " + label + ", whose channel was closed"
                    + " while registered: a closed channel is no longer reported"));
            case LIVE -> { }
        }
        if (readyOps != Poller.READ && readyOps != Poller.WRITE && readyOps != (Poller.READ | Poller.WRITE)) {
            fail(msg("poll reported readyOps " + readyOps + " for " + label + "; it must be READ (" + Poller.READ
                    + "), WRITE (" + Poller.WRITE + ") or both"));
        }
        if ((readyOps & ~w.interest) != 0) {
            fail(msg("poll reported " + ops(readyOps) + " for " + label + ", outside its interest "
                    + ops(w.interest) + ": readyOps is the ready part of the interest in force"));
        }
        if (got.containsKey(label)) {
            fail(msg("one poll reported " + label + " twice (" + ops(got.get(label)) + ", then " + ops(readyOps)
                    + "): each ready channel is reported once per poll"));
        }
        return label;
    }

    /**
     * Polls (50 ms at a time) until a poll's reports satisfy {@code done}, at most {@link #boundedWait()}.
     *
     * @param what what the test waits for, for the failure message
     * @return the reports of the poll that satisfied it
     */
    Map<String, Integer> pollUntil(String what, Predicate<Map<String, Integer>> done) throws IOException {
        return pollUntil(what, done, (label, ops) -> { });
    }

    /** As {@link #pollUntil(String, Predicate)}, each poll's sink running {@code action}. */
    Map<String, Integer> pollUntil(String what, Predicate<Map<String, Integer>> done, SinkAction action)
            throws IOException {
        long deadline = System.nanoTime() + boundedWait().toNanos();
        do {
            Map<String, Integer> got = poll(STEP_NANOS, action);
            if (done.test(got)) {
                return got;
            }
        } while (System.nanoTime() - deadline < 0);
        fail(msg("waited " + boundedWait() + " for " + what + "; the last polls reported: " + recentPolls));
        throw new AssertionError();
    }

    /** Polls until {@code label} is reported with exactly {@code ops}; returns that poll's reports. */
    Map<String, Integer> pollUntilReported(String label, int ops, String why) throws IOException {
        return pollUntil(label + " to be reported " + ops(ops) + " (" + why + ")",
                got -> Objects.equals(got.get(label), ops));
    }

    /**
     * Polls until the sentinel (a pipe with unread data) is reported: a poll that reports it has seen everything
     * ready at that moment, so what it does not report was not ready, or was wrongly left out.
     */
    Map<String, Integer> pollWithSentinel() throws IOException {
        if (sentinel == null) {
            Pipe p = pipe();
            sentinel = p;
            p.sink().write(ByteBuffer.wrap(new byte[] {1}));
            register(p.source(), Poller.READ, SENTINEL);
        }
        return pollUntil("the sentinel (a pipe's read end with unread data, registered for READ) to be reported",
                got -> got.containsKey(SENTINEL));
    }

    /**
     * Runs {@code action} (a poll, usually) on this thread; if it has not returned after {@link #boundedWait()},
     * wakes the poller every 100 ms until it does, then fails saying {@code what} did not return.
     */
    void returnsWithin(String what, Body action) throws Exception {
        AtomicBoolean late = new AtomicBoolean();
        ScheduledFuture<?> dog = WATCHDOG.scheduleAtFixedRate(() -> {
            late.set(true);
            poller().wakeup();
        }, boundedWait().toMillis(), 100, TimeUnit.MILLISECONDS);
        try {
            action.run();
        } finally {
            dog.cancel(false);
        }
        if (late.get()) {
            fail(msg(what + " did not return within " + boundedWait()));
        }
    }

    /** Starts a platform thread that runs {@code action}; the caller joins it with {@link Waits#join}. */
    static Thread helper(String name, Runnable action) {
        Thread t = new Thread(action, "asyncloop-tck-poller-" + name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    // ------------------------------------------------------------------ channels, closed after the test

    <T extends Closeable> T track(T resource) {
        resources.add(resource);
        return resource;
    }

    static InetSocketAddress loopback() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    /** A listening, non-blocking server socket on loopback. */
    ServerSocketChannel listener() throws IOException {
        ServerSocketChannel s = track(ServerSocketChannel.open());
        s.bind(loopback(), 64);
        s.configureBlocking(false);
        return s;
    }

    /** A connected TCP pair, both non-blocking: [0] the client, [1] the accepted end. */
    SocketChannel[] pair() throws IOException {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(loopback());
            return pair(server, server.getLocalAddress());
        }
    }

    /** A connected pair through a blocking {@code server} listening on {@code address}. */
    SocketChannel[] pair(ServerSocketChannel server, SocketAddress address) throws IOException {
        SocketChannel client = track(SocketChannel.open(address));
        SocketChannel accepted = track(server.accept());
        client.configureBlocking(false);
        accepted.configureBlocking(false);
        return new SocketChannel[] {client, accepted};
    }

    /** A pipe, both ends non-blocking. */
    Pipe pipe() throws IOException {
        Pipe p = Pipe.open();
        track(p.source());
        track(p.sink());
        p.source().configureBlocking(false);
        p.sink().configureBlocking(false);
        return p;
    }

    static void send(java.nio.channels.WritableByteChannel to, int bytes) throws IOException {
        ByteBuffer data = ByteBuffer.allocate(bytes);
        while (data.hasRemaining()) {
            to.write(data);
        }
    }

    /** Reads everything {@code from} has now; returns how many bytes, or -1 at end of stream. */
    static int drain(java.nio.channels.ReadableByteChannel from) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        int total = 0;
        while (true) {
            buffer.clear();
            int n = from.read(buffer);
            if (n < 0) {
                return total == 0 ? -1 : total;
            }
            if (n == 0) {
                return total;
            }
            total += n;
        }
    }

    /** Writes to {@code channel} until it takes nothing more; returns the bytes written. */
    static long fill(SocketChannel channel) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocateDirect(64 * 1024);
        long total = 0;
        while (true) {
            chunk.clear();
            int n = channel.write(chunk);
            if (n == 0) {
                return total;
            }
            total += n;
        }
    }

    static String ops(int ops) {
        return switch (ops) {
            case Poller.READ -> "READ";
            case Poller.WRITE -> "WRITE";
            case Poller.READ | Poller.WRITE -> "READ|WRITE";
            default -> "ops " + ops;
        };
    }

    private static String describe(Map<String, Integer> got) {
        return got.entrySet().stream().map(e -> e.getKey() + "=" + ops(e.getValue()))
                .collect(Collectors.joining(", ", "{", "}"));
    }
}
