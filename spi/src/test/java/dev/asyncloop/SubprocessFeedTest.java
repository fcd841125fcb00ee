package dev.asyncloop;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * How {@code communicate} feeds a child's stdin ({@link Subprocess#feed}), over a stdin writer whose transport the
 * test controls: asyncio's {@code _feed_stdin} ignores {@code BrokenPipeError} and {@code ConnectionResetError}
 * (the child closed its stdin or exited) and lets every other error out of {@code communicate}.
 */
class SubprocessFeedTest extends LoopFixture {
    /** A stdin writer as {@code SubprocessStreamProtocol} wires one, paused so that a drain waits. */
    private record Stdin(FakeStreamTransport transport, StreamProtocol protocol, StreamWriter writer) {
    }

    private Stdin pausedStdin() {
        FakeStreamTransport transport = new FakeStreamTransport();
        StreamProtocol protocol = new StreamProtocol(loop, null, null);
        protocol.connectionMade(transport);
        protocol.pauseWriting();
        return new Stdin(transport, protocol, new StreamWriter(transport, protocol, null, loop));
    }

    /** Feeds {@code "input"} while the stdin pipe is lost with {@code loss}; returns the feed's outcome. */
    private Task<@Nullable Void> feedWhileLost(Stdin stdin, @Nullable Throwable loss) {
        return run(() -> {
            Task<@Nullable Void> feed = loop.createTask(() -> Subprocess.feed(stdin.writer(),
                    "input".getBytes(US_ASCII)));
            Async.sleep(java.time.Duration.ZERO);
            stdin.protocol().connectionLost(loss);
            Async.await(Tasks.gather(List.of(feed), true));
            return feed;
        });
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"Broken pipe", "Stream closed", "The pipe is being closed", "The pipe has been ended",
            "Connection reset by peer"})
    @DisplayName("asyncio test_communicate_ignore_broken_pipe: the child closing its stdin or exiting is no error")
    void theChildStoppingToReadIsNoError(String message) {
        Stdin stdin = pausedStdin();
        Task<@Nullable Void> feed = feedWhileLost(stdin, new IOException(message));
        assertEquals(null, feed.result(), "the broken pipe is ignored");
        assertEquals(List.of("input"), stdin.transport().writes);
        assertTrue(stdin.transport().isClosing(), "stdin is closed after the feed, as asyncio closes it");
    }

    @Test
    @DisplayName("a drain after the pipe was lost fails 'Connection lost' (asyncio's ConnectionResetError): ignored")
    void aConnectionLostIsNoError() {
        Stdin stdin = pausedStdin();
        Task<@Nullable Void> feed = feedWhileLost(stdin, null);
        assertEquals(null, feed.result(), "ConnectionResetError is ignored as BrokenPipeError is");
    }

    @Test
    @DisplayName("any other I/O error of feeding stdin fails the feed, and so communicate (asyncio lets it out)")
    void anotherIoErrorFailsTheFeed() {
        Stdin stdin = pausedStdin();
        IOException failure = new IOException("Input/output error");
        Task<@Nullable Void> feed = feedWhileLost(stdin, failure);
        CompletionException e = assertThrows(CompletionException.class, feed::result);
        assertSame(failure, e.getCause(), "the error itself, not swallowed");
    }

    @Test
    @DisplayName("an error that is not an I/O error fails the feed too")
    void aNonIoErrorFailsTheFeed() {
        Stdin stdin = pausedStdin();
        IllegalStateException failure = new IllegalStateException("protocol broke");
        Task<@Nullable Void> feed = feedWhileLost(stdin, failure);
        assertSame(failure, assertThrows(IllegalStateException.class, feed::result));
    }
}
