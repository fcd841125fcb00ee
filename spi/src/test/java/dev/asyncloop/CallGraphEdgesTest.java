package dev.asyncloop;

import static dev.asyncloop.Async.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.spi.BaseFuture;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The await-graph records that {@link Tasks} keeps for {@link CallGraph} begin and end with the wait, as asyncio
 * 3.15 fixed them: a task that no longer waits (it was cancelled, or the wait returned while a future goes on) is
 * not shown as a waiter, nor held by the future it waited for.
 */
class CallGraphEdgesTest extends LoopFixture {

    @Test
    @DisplayName("shield: a caller cancelled while the shielded task runs on leaves no record; the live caller"
            + " stays (asyncio gh-155143, gh-155854)")
    void shieldForgetsCancelledCallers() {
        run(() -> {
            Future<String> blocker = Async.getRunningLoop().createFuture();
            Task<String> inner = Async.createTask(() -> await(blocker), "inner");
            Task<String> alive = Async.createTask(() -> await(Tasks.shield(inner)), "alive");
            for (int i = 0; i < 2; i++) {
                Task<String> gone = Async.createTask(() -> await(Tasks.shield(inner)), "cancelled-" + i);
                spin(1);
                gone.cancel();
            }
            spin(2);
            assertEquals(List.of(alive), BaseFuture.awaitedBy(inner));
            assertEquals(Set.of(alive), waiters(CallGraph.capture(inner)));
            blocker.setResult("x");
            assertEquals("x", await(alive));
            return null;
        });
    }

    @Test
    @DisplayName("shield: cancelling the shield's future while the inner future runs on discards the record")
    void shieldCancelledOuterForgetsCaller() {
        run(() -> {
            Future<String> longLived = Async.getRunningLoop().createFuture();
            Future<String> shielded = Tasks.shield(longLived);
            assertEquals(List.of(current()), BaseFuture.awaitedBy(longLived));
            shielded.cancel();
            spin(1);
            assertEquals(List.of(), BaseFuture.awaitedBy(longLived));
            longLived.cancel();
            return null;
        });
    }

    @Test
    @DisplayName("gather: a child that outlives the gather (a sibling failed) is no longer awaited by the caller"
            + " (asyncio gh-157213)")
    void gatherForgetsChildrenThatOutliveIt() {
        run(() -> {
            Future<String> never = Async.getRunningLoop().createFuture();
            Task<String> survivor = Async.createTask(() -> await(never), "survivor");
            Task<String> boom = Async.createTask(() -> {
                throw new IllegalStateException("boom");
            }, "boom");
            assertThrows(IllegalStateException.class, () -> await(Tasks.gather(survivor, boom)));
            assertEquals(List.of(), BaseFuture.awaitedBy(survivor));
            assertEquals(Set.of(), waiters(CallGraph.capture(survivor)));
            survivor.cancel();
            return null;
        });
    }

    @Test
    @DisplayName("wait: the waiting task is a waiter of every future while it waits, and of none once wait returns,"
            + " also of a future that never completes (asyncio 3.14, gh-152569)")
    void waitRecordsTheWaitingTaskWhileItWaits() {
        run(() -> {
            EventLoop loop = Async.getRunningLoop();
            Future<String> never = loop.createFuture();
            Future<String> soon = loop.createFuture();
            Task<DoneAndPending<Future<String>>> waiter = Async.createTask(
                    () -> Tasks.wait(List.of(never, soon), null, ReturnWhen.FIRST_COMPLETED), "waiter");
            spin(1);
            assertEquals(Set.of(waiter), waiters(CallGraph.capture(never)));
            assertEquals(Set.of(waiter), waiters(CallGraph.capture(soon)));
            soon.setResult("x");
            DoneAndPending<Future<String>> result = await(waiter);
            assertTrue(result.pending().contains(never));
            assertEquals(List.of(), BaseFuture.awaitedBy(never));
            assertEquals(List.of(), BaseFuture.awaitedBy(soon));
            never.cancel();
            return null;
        });
    }

    @Test
    @DisplayName("waitFor with a zero timeout: while it waits for the cancelled future to end, the task is its"
            + " waiter (asyncio gh-157058)")
    void waitForZeroTimeoutRecordsTheWaiter() {
        run(() -> {
            EventLoop loop = Async.getRunningLoop();
            Future<String> cleanup = loop.createFuture();
            Task<String> worker = Async.createTask(() -> {
                try {
                    return await(loop.<String>createFuture());
                } finally {
                    await(cleanup); // takes its time to end after the cancellation
                }
            }, "worker");
            Task<String> probe = Async.createTask(() -> Tasks.waitFor(worker, Duration.ZERO), "probe");
            spin(3);
            assertEquals(Set.of(probe), waiters(CallGraph.capture(worker)));
            cleanup.setResult("done");
            assertThrows(TimeoutError.class, () -> await(probe));
            assertEquals(List.of(), BaseFuture.awaitedBy(worker));
            return null;
        });
    }

    @Test
    @DisplayName("asCompleted: a task waiting in awaitNext is a waiter of every future still pending, and of none"
            + " while it does something else (asyncio 3.15, gh-156523)")
    void asCompletedAwaitNextShowsTheConsumerWhileItWaits() {
        run(() -> {
            EventLoop loop = Async.getRunningLoop();
            Future<String> first = loop.createFuture();
            Future<String> second = loop.createFuture();
            Future<String> elsewhere = loop.createFuture();
            Task<String> consumer = Async.createTask(() -> {
                AsCompleted<String> ac = Tasks.asCompleted(List.of(first, second));
                String a = await(ac.awaitNext());
                String between = await(elsewhere);
                return a + between + await(ac.awaitNext());
            }, "consumer");
            spin(1);
            assertEquals(Set.of(consumer), waiters(CallGraph.capture(first)));
            assertEquals(Set.of(consumer), waiters(CallGraph.capture(second)));
            first.setResult("1");
            spin(2);
            assertEquals(Set.of(), waiters(CallGraph.capture(second)), "between two takes the task waits elsewhere");
            assertEquals(Set.of(consumer), waiters(CallGraph.capture(elsewhere)));
            elsewhere.setResult("-");
            spin(1);
            assertEquals(Set.of(consumer), waiters(CallGraph.capture(second)));
            assertEquals(Set.of(), waiters(CallGraph.capture(first)), "a future already taken has no waiter");
            second.setResult("2");
            assertEquals("1-2", await(consumer));
            return null;
        });
    }

    @Test
    @DisplayName("asCompleted: a task awaiting a future that next() returned waits for every future still pending;"
            + " after the timeout, for none")
    void asCompletedNextShowsTheConsumerUntilTheTimeout() {
        run(() -> {
            EventLoop loop = Async.getRunningLoop();
            Future<String> never = loop.createFuture();
            Task<String> worker = Async.createTask(() -> await(never), "worker");
            AsCompleted<String> ac = Tasks.asCompleted(List.of(worker), Duration.ofMillis(50));
            Future<String> slot = ac.next();
            Task<String> consumer = Async.createTask(() -> await(slot), "consumer");
            spin(1);
            CallGraph graph = CallGraph.capture(never);
            assertEquals(Set.of(worker), waiters(graph));
            assertEquals(Set.of(consumer), waiters(graph.awaitedBy().get(0)));
            assertTrue(graph.format().contains("* Task(name='consumer'"), graph.format());
            assertThrows(TimeoutError.class, () -> await(consumer));
            assertEquals(Set.of(), waiters(CallGraph.capture(worker)));
            worker.cancel();
            return null;
        });
    }

    private static Set<Future<?>> waiters(CallGraph graph) {
        return graph.awaitedBy().stream().map(CallGraph::future).collect(Collectors.toSet());
    }
}
