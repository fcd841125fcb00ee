package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.asyncloop.ContextVar;
import dev.asyncloop.Future;
import dev.asyncloop.Protocol;
import dev.asyncloop.StreamTransport;
import dev.asyncloop.Task;
import dev.asyncloop.Transport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A transport's protocol callbacks run in the context the transport was made in, not in the context of the task
 * that last called {@code resumeReading}, {@code write} or {@code close} on it (the leak of asyncio's
 * gh-140947: a task's context variables showed up in later {@code data_received} calls).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TransportContextTest extends LoopbackPeerFixture {
    private static final ContextVar<String> WHO = ContextVar.of("who");
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
        protocol = connectToPeer(new Seeing(loop)).protocol();
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
        await(protocol.lost);
        assertEquals(List.of("made=unset", "lost=unset"), protocol.seen);
    }
}
