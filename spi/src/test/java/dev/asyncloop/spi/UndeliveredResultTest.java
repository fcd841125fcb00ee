package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.Async;
import dev.asyncloop.CancelledError;
import dev.asyncloop.ExceptionContext;
import dev.asyncloop.Future;
import dev.asyncloop.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link BaseFuture#setUndeliveredHandler}: the result of a future whose only awaiting task is cancelled after the
 * future succeeded and before the task resumed goes to the handler; in every other case it stays the task's or
 * the future's.
 */
class UndeliveredResultTest {
    private final TestLoop loop = new TestLoop();
    private final List<Object> closed = new ArrayList<>();
    private final List<ExceptionContext> reports = new ArrayList<>();

    UndeliveredResultTest() {
        loop.setExceptionHandler((l, c) -> reports.add(c));
    }

    @AfterEach
    void close() {
        loop.close();
    }

    private BaseFuture<String> resource() {
        BaseFuture<String> f = (BaseFuture<String>) loop.<String>createFuture();
        f.setUndeliveredHandler(closed::add);
        return f;
    }

    private Task<String> awaiting(Future<String> f) {
        return loop.createTask(() -> Async.await(f));
    }

    /** Runs the loop until {@code task} is done; answers whether it ended cancelled. */
    private boolean runCancelled(Task<String> task) {
        try {
            loop.runUntilComplete(task);
            return false;
        } catch (CancelledError e) {
            return true;
        }
    }

    /** Completes {@code f} and cancels {@code task} in the same callback: the task's wake-up is then pending. */
    private void succeedThenCancel(BaseFuture<String> f, Task<String> task) {
        loop.callSoon(() -> loop.callSoon(() -> {
            f.setResult("conn");
            task.cancel();
        }));
    }

    @Test
    void theHandlerGetsTheResultOfTheOnlyAwaiterCancelledBeforeResuming() {
        BaseFuture<String> f = resource();
        Task<String> task = awaiting(f);
        succeedThenCancel(f, task);
        assertTrue(runCancelled(task), "the task gets CancelledError at its await, as asyncio's step throws it");
        assertEquals(List.of("conn"), closed);
        assertTrue(reports.isEmpty(), reports::toString);
        assertEquals("conn", f.result(), "the future keeps its result");
    }

    @Test
    void aTaskThatResumesTakesTheResult() {
        BaseFuture<String> f = resource();
        Task<String> task = awaiting(f);
        loop.callSoon(() -> loop.callSoon(() -> f.setResult("conn")));
        assertEquals("conn", loop.runUntilComplete(task));
        assertEquals(List.of(), closed);
        assertFalse(f.resultUndelivered(), "a result taken is never handed to the handler afterwards");
        assertEquals(List.of(), closed);
    }

    @Test
    void anotherDoneCallbackKeepsTheResult() {
        BaseFuture<String> f = resource();
        List<String> seen = new ArrayList<>();
        f.addDoneCallback(x -> seen.add(x.result()));
        Task<String> task = awaiting(f);
        succeedThenCancel(f, task);
        assertTrue(runCancelled(task));
        assertEquals(List.of(), closed, "someone else may still use the result");
        assertEquals(List.of("conn"), seen);
    }

    @Test
    void aResultReadBeforeTheWakeUpIsKept() {
        BaseFuture<String> f = resource();
        Task<String> task = awaiting(f);
        loop.callSoon(() -> loop.callSoon(() -> {
            f.setResult("conn");
            assertEquals("conn", f.result());
            task.cancel();
        }));
        assertTrue(runCancelled(task));
        assertEquals(List.of(), closed);
    }

    @Test
    void theProducersOwnCallbacksDoNotCount() {
        BaseFuture<String> f = (BaseFuture<String>) loop.<String>createFuture();
        List<String> producer = new ArrayList<>();
        f.addDoneCallback(x -> producer.add("done"));
        f.setUndeliveredHandler(closed::add);
        Task<String> task = awaiting(f);
        succeedThenCancel(f, task);
        assertTrue(runCancelled(task));
        assertEquals(List.of("conn"), closed);
        assertEquals(List.of("done"), producer);
    }

    @Test
    void aFailureOrACancellationHasNothingToClose() {
        BaseFuture<String> failed = resource();
        Task<String> t1 = awaiting(failed);
        loop.callSoon(() -> loop.callSoon(() -> {
            failed.setException(new IllegalStateException("refused"));
            t1.cancel();
        }));
        assertTrue(runCancelled(t1));
        BaseFuture<String> cancelled = resource();
        Task<String> t2 = awaiting(cancelled);
        loop.callSoon(() -> loop.callSoon(t2::cancel));
        assertTrue(runCancelled(t2));
        assertTrue(cancelled.isCancelled(), "cancelling a task cancels the future it awaits");
        assertEquals(List.of(), closed);
    }

    @Test
    void aThrowingHandlerIsReportedAndTheLoopGoesOn() {
        BaseFuture<String> f = (BaseFuture<String>) loop.<String>createFuture();
        IllegalStateException boom = new IllegalStateException("close failed");
        f.setUndeliveredHandler(r -> {
            throw boom;
        });
        Task<String> task = awaiting(f);
        succeedThenCancel(f, task);
        assertTrue(runCancelled(task));
        assertEquals(1, reports.size(), reports::toString);
        assertEquals("Closing an undelivered result failed", reports.getFirst().message());
        assertSame(boom, reports.getFirst().exception().orElseThrow());
        assertSame(f, reports.getFirst().future().orElseThrow());
        assertEquals("next", loop.runUntilComplete(loop.createTask(() -> "next")));
    }

    @Test
    void misuse() {
        BaseFuture<String> f = resource();
        IllegalStateException twice = assertThrows(IllegalStateException.class,
                () -> f.setUndeliveredHandler(r -> { }));
        assertTrue(twice.getMessage().contains("already set"), twice.getMessage());
        assertThrows(NullPointerException.class,
                () -> ((BaseFuture<String>) loop.<String>createFuture()).setUndeliveredHandler(null));
        Consumer<String> h = r -> { };
        assertThrows(NullPointerException.class, () -> BaseFuture.closeIfUndelivered(null, h));
        Future<String> plain = loop.createFuture();
        assertSame(plain, BaseFuture.closeIfUndelivered(plain, h));
        assertInstanceOf(BaseFuture.class, plain);
        assertThrows(IllegalStateException.class, () -> BaseFuture.closeIfUndelivered(plain, h));
    }
}
