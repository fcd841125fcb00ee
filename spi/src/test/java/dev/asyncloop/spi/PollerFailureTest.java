package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.Pipe;
import java.nio.channels.SelectableChannel;
import org.junit.jupiter.api.Test;

/** What the application sees when a {@link Poller} fails to watch a channel. */
class PollerFailureTest {
    /** A SelectorPoller whose register throws what it is told to, once. */
    static final class FailingPoller implements Poller {
        final SelectorPoller delegate = new SelectorPoller();
        RuntimeException next;

        FailingPoller() throws IOException {
        }

        @Override
        public void register(SelectableChannel channel, int interest, Object attachment) throws IOException {
            RuntimeException e = next;
            next = null;
            if (e != null) {
                throw e;
            }
            delegate.register(channel, interest, attachment);
        }

        @Override
        public void modify(SelectableChannel channel, int interest) throws IOException {
            delegate.modify(channel, interest);
        }

        @Override
        public void deregister(SelectableChannel channel) {
            delegate.deregister(channel);
        }

        @Override
        public void poll(long timeoutNanos, EventSink sink) throws IOException {
            delegate.poll(timeoutNanos, sink);
        }

        @Override
        public void wakeup() {
            delegate.wakeup();
        }

        @Override
        public void close() throws IOException {
            delegate.close();
        }
    }

    @Test
    void aPollerThatThrowsARuntimeExceptionIsNamedAndNothingStaysRegistered() throws IOException {
        FailingPoller poller = new FailingPoller();
        ReadinessEventLoop loop = new ReadinessEventLoop(poller) { };
        Pipe pipe = Pipe.open();
        try (loop; Pipe.SourceChannel source = pipe.source(); Pipe.SinkChannel sink = pipe.sink()) {
            source.configureBlocking(false);
            IllegalArgumentException bug = new IllegalArgumentException("unsupported interest");
            poller.next = bug;
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> loop.addReader(source, () -> { }));
            assertSame(bug, e.getCause());
            assertTrue(e.getMessage().startsWith("the poller " + FailingPoller.class.getName() + " of "),
                    e.getMessage());
            assertTrue(e.getMessage().contains("failed to watch " + source + " for interest READ: "), e.getMessage());
            assertEquals(false, loop.removeReader(source), "the failed registration was kept");
            int[] calls = {0};
            loop.addReader(source, () -> {
                calls[0]++;
                loop.removeReader(source);
                loop.stop();
            });
            sink.write(java.nio.ByteBuffer.wrap(new byte[] {1}));
            loop.runForever();
            assertEquals(1, calls[0], "a second addReader after the failure works");
        }
    }
}
