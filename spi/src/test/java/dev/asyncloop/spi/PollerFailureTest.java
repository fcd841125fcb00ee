package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectableChannel;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * What the application sees when a {@link Poller} fails. An {@link IOException}, the one failure the contract
 * allows, reaches it as an {@link UncheckedIOException} naming the loop and what failed, with the poller's exception
 * as the cause; a runtime exception, a poller's bug, as an {@link IllegalStateException} naming the poller. Either
 * way the loop keeps nothing of the failed step.
 */
class PollerFailureTest {
    /** A SelectorPoller whose next register, poll or close throws the exception set for it, once. */
    static final class FailingPoller implements Poller {
        final SelectorPoller delegate = new SelectorPoller();
        /** An {@link IOException} or a {@link RuntimeException}. */
        @Nullable Exception nextRegister;
        @Nullable IOException nextPoll;
        @Nullable IOException nextClose;

        FailingPoller() throws IOException {
        }

        private static void throwIfSet(@Nullable Exception e) throws IOException {
            if (e instanceof IOException io) {
                throw io;
            }
            if (e instanceof RuntimeException r) {
                throw r;
            }
        }

        @Override
        public void register(SelectableChannel channel, int interest, Object attachment) throws IOException {
            Exception e = nextRegister;
            nextRegister = null;
            throwIfSet(e);
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
            IOException e = nextPoll;
            nextPoll = null;
            throwIfSet(e);
            delegate.poll(timeoutNanos, sink);
        }

        @Override
        public void wakeup() {
            delegate.wakeup();
        }

        @Override
        public void close() throws IOException {
            IOException e = nextClose;
            nextClose = null;
            delegate.close();
            throwIfSet(e);
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
            poller.nextRegister = bug;
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> loop.addReader(source, () -> { }));
            assertSame(bug, e.getCause());
            assertTrue(e.getMessage().startsWith("the poller " + FailingPoller.class.getName() + " of "),
                    e.getMessage());
            assertTrue(e.getMessage().contains("failed to watch " + source + " for interest READ: "), e.getMessage());
            assertNothingKeptAndReaderWorks(loop, source, sink);
        }
    }

    @Test
    void aRegisterThatFailsIsNamedAndNothingStaysRegistered() throws IOException {
        FailingPoller poller = new FailingPoller();
        ReadinessEventLoop loop = new ReadinessEventLoop(poller) { };
        Pipe pipe = Pipe.open();
        try (loop; Pipe.SourceChannel source = pipe.source(); Pipe.SinkChannel sink = pipe.sink()) {
            source.configureBlocking(false);
            IOException failure = new IOException("ENOMEM");
            poller.nextRegister = failure;
            UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> loop.addReader(source, () -> { }));
            assertSame(failure, e.getCause());
            assertEquals("the poller of " + loop + " cannot watch " + source, e.getMessage());
            assertNothingKeptAndReaderWorks(loop, source, sink);
        }
    }

    /** After a failed addReader: the registration was not kept, and a second addReader works. */
    private static void assertNothingKeptAndReaderWorks(ReadinessEventLoop loop, Pipe.SourceChannel source,
            Pipe.SinkChannel sink) throws IOException {
        assertFalse(loop.removeReader(source), "the failed registration was kept");
        int[] calls = {0};
        loop.addReader(source, () -> {
            calls[0]++;
            loop.removeReader(source);
            loop.stop();
        });
        sink.write(ByteBuffer.wrap(new byte[] {1}));
        loop.runForever();
        assertEquals(1, calls[0], "a second addReader after the failure works");
    }

    @Test
    void aPollThatFailsEndsTheRunWithTheLoopNamedAndTheLoopRunsAgain() throws IOException {
        FailingPoller poller = new FailingPoller();
        try (ReadinessEventLoop loop = new ReadinessEventLoop(poller) { }) {
            IOException failure = new IOException("EBADF");
            poller.nextPoll = failure;
            UncheckedIOException e = assertThrows(UncheckedIOException.class, loop::runForever);
            assertSame(failure, e.getCause());
            // the loop as it was when its poller failed: running
            assertTrue(e.getMessage().startsWith("the poller of ") && e.getMessage().endsWith(" failed")
                    && e.getMessage().contains("running"), e.getMessage());
            assertFalse(loop.isRunning(), "the failed run ended");
            assertEquals(42, loop.runUntilComplete(loop.createTask(() -> 42)), "the next run works");
        }
    }

    @Test
    void aCloseThatFailsIsNamedAndTheLoopIsClosedAnyway() throws IOException {
        FailingPoller poller = new FailingPoller();
        ReadinessEventLoop loop = new ReadinessEventLoop(poller) { };
        IOException failure = new IOException("EIO");
        poller.nextClose = failure;
        UncheckedIOException e = assertThrows(UncheckedIOException.class, loop::close);
        assertSame(failure, e.getCause());
        assertEquals("cannot close the poller of " + loop, e.getMessage());
        assertTrue(loop.isClosed(), "the loop is closed even though its poller failed to close");
        loop.close(); // idempotent: nothing is closed twice
    }
}
