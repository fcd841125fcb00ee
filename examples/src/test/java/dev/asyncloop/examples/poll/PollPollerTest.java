package dev.asyncloop.examples.poll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.spi.Poller;
import dev.asyncloop.testsupport.Poll;
import java.nio.channels.Pipe;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What is {@link PollPoller}'s own, beyond the contract suite ({@link PollPollerContractTest}): an interrupt of a
 * virtual thread blocked in {@code poll} (whose {@code poll(2)} runs on the poller's platform thread, which the
 * interrupt does not reach) ends the poll as a wake-up would, and the interrupt status stays set; misuse gets an
 * error that says what to do.
 */
class PollPollerTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void anInterruptEndsAVirtualThreadsBlockedPollAndStaysSet() throws Exception {
        try (PollPoller poller = new PollPoller()) {
            CompletableFuture<Boolean> interruptedAfterPoll = new CompletableFuture<>();
            Thread polling = Thread.ofVirtual().start(() -> {
                try {
                    poller.poll(-1, (attachment, readyOps) -> { });
                    interruptedAfterPoll.complete(Thread.currentThread().isInterrupted());
                } catch (Throwable t) {
                    interruptedAfterPoll.completeExceptionally(t);
                }
            });
            Poll.until(() -> polling.getState() == Thread.State.WAITING, WAIT, "the virtual thread must park in poll");
            polling.interrupt();
            assertTrue(interruptedAfterPoll.get(WAIT.toSeconds(), TimeUnit.SECONDS),
                    "poll must return with the interrupt status set again");
        }
    }

    @Test
    void misuseIsRefusedWithWhatToDo() throws Exception {
        Pipe pipe = Pipe.open();
        try (PollPoller poller = new PollPoller(); Pipe.SourceChannel source = pipe.source();
                Pipe.SinkChannel sink = pipe.sink()) {
            source.configureBlocking(false);
            IllegalArgumentException noInterest = assertThrows(IllegalArgumentException.class,
                    () -> poller.register(source, 0, "a"));
            assertEquals("interest must be Poller.READ, Poller.WRITE or both, not 0", noInterest.getMessage());
            poller.register(source, Poller.READ, "a");
            IllegalStateException twice = assertThrows(IllegalStateException.class,
                    () -> poller.register(source, Poller.READ, "b"));
            assertTrue(twice.getMessage().endsWith("; deregister it first, or modify its interest"), twice.getMessage());
        }
    }
}
