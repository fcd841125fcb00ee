package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.Future;
import dev.asyncloop.Handle;
import dev.asyncloop.debugcaller.DeepCaller;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Debug mode's creation stacks: where the caller is, and how much of its stack is kept. */
class DebugCreationStackTest {
    private static final String CALLER = DeepCaller.class.getName();
    private final ReadinessEventLoop loop = SelectorLoops.newLoop();

    @AfterEach
    void close() {
        loop.close();
    }

    @Test
    void aDeepCallKeepsTheCallersTenInnermostFrames() {
        loop.setDebug(true);
        Future<String> future = DeepCaller.callFrom(200, loop::createFuture);
        Handle handle = DeepCaller.callFrom(200, () -> loop.callSoon(() -> { }));
        Handle timer = DeepCaller.callFrom(200, () -> loop.callLater(Duration.ofHours(1), () -> { }));
        for (List<StackTraceElement> frames : List.of(future.sourceTraceback(), ((ReadyHandle) handle).sourceTraceback,
                ((ReadyHandle) timer).sourceTraceback)) {
            assertEquals(Debug.STACK_DEPTH, frames.size(), "asyncio's DEBUG_STACK_DEPTH frames: " + frames);
            assertTrue(frames.stream().allMatch(f -> f.getClassName().startsWith(CALLER)),
                    "the caller's frames, asyncloop's own dropped: " + frames);
        }
        timer.cancel();
    }

    @Test
    void theKitTheExamplesAndApplicationsAreCallers() {
        assertTrue(Debug.isOwn("dev.asyncloop.Tasks"));
        assertTrue(Debug.isOwn("dev.asyncloop.spi.BaseTask$Step"));
        assertTrue(Debug.isOwn("dev.asyncloop.nio.NioEventLoop"));
        assertTrue(Debug.isOwn("dev.asyncloop.epoll.EpollEventLoop"));
        for (String caller : List.of("dev.asyncloop.examples.EchoServer", "dev.asyncloop.tck.FutureRules",
                "dev.asyncloopx.Tool", "com.example.App", "TopLevel", CALLER)) {
            assertFalse(Debug.isOwn(caller), caller);
        }
    }
}
