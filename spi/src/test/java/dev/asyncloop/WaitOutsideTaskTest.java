package dev.asyncloop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * A library wait (a lock, a semaphore, an event, a queue, {@code Tasks.wait}, {@code AsCompleted.awaitNext}) called
 * from a plain callback when it has to wait: refused with a message naming that call, not {@code Async.await}, and
 * leaving the object as it was.
 */
class WaitOutsideTaskTest extends LoopFixture {

    /** Runs {@code call} in a callback (not a task) and returns what it threw. */
    private IllegalStateException fromCallback(Executable call) {
        Future<IllegalStateException> thrown = loop.createFuture();
        loop.callSoon(() -> thrown.setResult(assertThrows(IllegalStateException.class, call)));
        return run(() -> Async.await(thrown));
    }

    private void assertNamed(String call, IllegalStateException e) {
        assertTrue(e.getMessage().startsWith(call + " has to wait"), e.getMessage());
        assertTrue(e.getMessage().contains("loop.createTask"), "it says what to do: " + e.getMessage());
    }

    @Test
    void lockSemaphoreEventAndQueueNameTheCall() {
        Lock lock = new Lock();
        Semaphore semaphore = new Semaphore(0);
        Event event = new Event();
        AsyncQueue<String> empty = new AsyncQueue<>();
        AsyncQueue<String> full = new AsyncQueue<>(1);
        run(() -> {
            lock.acquire();
            full.put("x");
            return null;
        });
        assertNamed("Lock.acquire()", fromCallback(lock::acquire));
        assertNamed("Semaphore.acquire()", fromCallback(semaphore::acquire));
        assertNamed("Semaphore.acquire()", fromCallback(semaphore::hold));
        assertNamed("Event.await()", fromCallback(event::await));
        assertNamed("AsyncQueue.get()", fromCallback(empty::get));
        assertNamed("AsyncQueue.put()", fromCallback(() -> full.put("y")));
        // Nothing was left queued: a release or an item goes to the next task, as before.
        lock.release();
        semaphore.release();
        assertFalse(semaphore.locked());
        assertEquals(1, full.qsize());
        run(() -> {
            lock.acquire();
            semaphore.acquire();
            return null;
        });
    }

    @Test
    void tasksWaitNamesTheCall() {
        Future<String> never = loop.createFuture();
        assertNamed("Tasks.wait()", fromCallback(() -> Tasks.wait(List.of(never))));
        never.cancel();
    }

    @Test
    void awaitNextOutsideATaskTakesNothing() {
        List<Future<String>> futures = List.of(loop.createFuture(), loop.createFuture());
        Supplier<AsCompleted<String>> make = () -> Tasks.asCompleted(futures, null);
        AsCompleted<String>[] asCompleted = new AsCompleted[1];
        loop.callSoon(() -> asCompleted[0] = make.get());
        assertNamed("AsCompleted.awaitNext()", fromCallback(() -> asCompleted[0].awaitNext()));
        List<String> results = run(() -> {
            loop.callLater(Duration.ofMillis(1), () -> futures.get(0).setResult("a"));
            loop.callLater(Duration.ofMillis(2), () -> futures.get(1).setResult("b"));
            List<String> taken = new ArrayList<>();
            while (asCompleted[0].hasNext()) {
                taken.add(asCompleted[0].awaitNext().result());
            }
            return taken;
        });
        assertEquals(List.of("a", "b"), results, "the refused call must not use up a future");
    }
}
