package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.asyncloop.Connection;
import dev.asyncloop.ContextVar;
import dev.asyncloop.Future;
import dev.asyncloop.Protocol;
import dev.asyncloop.StreamTransport;
import dev.asyncloop.Task;
import dev.asyncloop.Tasks;
import dev.asyncloop.Transport;
import dev.asyncloop.testsupport.SocketPair;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A transport's protocol callbacks run in the context the transport was made in, not in the context of the task
 * that last called {@code resumeReading}, {@code write} or {@code close} on it (the leak of asyncio's
 * gh-140947: a task's context variables showed up in later {@code data_received} calls).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TransportContextTest {
    private static final ContextVar<String> WHO = ContextVar.of("who");
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ReadinessEventLoop loop = SelectorLoops.newLoop();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private SocketChannel peer;
    private Seeing protocol;

    /** Records the value of {@code WHO} each callback sees. */
    static final class Seeing implements Protocol {
        final List<String> seen = new ArrayList<>();
        @Nullable StreamTransport transport;
        final Future<@Nullable Throwable> lost;

        Seeing(ReadinessEventLoop loop) {
            lost = loop.createFuture();
        }

        private void see(String what) {
            seen.add(what + "=" + WHO.get("unset"));
        }

        @Override
        public void connectionMade(Transport t) {
            transport = (StreamTransport) t;
            see("made");
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            data.position(data.limit());
            see("data");
        }

        @Override
        public void resumeWriting() {
            see("resume");
        }

        @Override
        public void connectionLost(@Nullable Throwable exception) {
            see("lost");
            lost.setResult(exception);
        }
    }

    @BeforeEach
    void connect() throws IOException {
        SocketPair ends = SocketPair.open();
        toClose.add(ends);
        SocketChannel ours = ends.ours();
        peer = ends.peer();
        ours.configureBlocking(false);
        Seeing made = new Seeing(loop);
        Connection<Seeing> c = loop.runUntilComplete(loop.connectAcceptedSocket(() -> made, ours));
        protocol = c.protocol();
    }

    @AfterEach
    void tearDown() throws Exception {
        loop.close();
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
    }

    /** Runs {@code body} as a task with {@code WHO} set to "task", to its end. */
    private void inTask(Runnable body) {
        Task<@Nullable Void> task = loop.createTask(() -> {
            WHO.set("task");
            body.run();
            return null;
        });
        loop.runUntilComplete(task);
    }

    private void until(java.util.function.BooleanSupplier done) {
        long end = System.nanoTime() + WAIT.toNanos();
        while (!done.getAsBoolean() && System.nanoTime() < end) {
            loop.runUntilComplete(() -> dev.asyncloop.Async.sleep(Duration.ofMillis(2), null));
        }
    }

    @Test
    void readingResumedByATaskKeepsTheTransportsContext() throws IOException {
        StreamTransport t = protocol.transport;
        t.pauseReading();
        inTask(t::resumeReading);
        peer.write(ByteBuffer.wrap(new byte[] {1}));
        until(() -> protocol.seen.size() >= 2);
        assertEquals(List.of("made=unset", "data=unset"), protocol.seen);
    }

    @Test
    void writingQueuedByATaskKeepsTheTransportsContext() throws Exception {
        StreamTransport t = protocol.transport;
        inTask(() -> t.write(new byte[16 << 20])); // more than the socket takes: the writer is registered here
        Thread reader = Thread.ofPlatform().start(() -> {
            ByteBuffer buf = ByteBuffer.allocate(1 << 20);
            try {
                int total = 0;
                while (total < 16 << 20) {
                    total += peer.read(buf.clear());
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        until(() -> protocol.seen.contains("resume=unset") || protocol.seen.contains("resume=task"));
        reader.join(WAIT.toMillis());
        assertEquals(List.of("made=unset", "resume=unset"), protocol.seen);
    }

    @Test
    void closedByATaskLosesTheConnectionInTheTransportsContext() {
        StreamTransport t = protocol.transport;
        inTask(t::close);
        loop.runUntilComplete(() -> Tasks.waitFor(protocol.lost, WAIT));
        assertEquals(List.of("made=unset", "lost=unset"), protocol.seen);
    }
}
