package dev.asyncloop;

import static dev.asyncloop.Async.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * asyncio's {@code create_task(coro, name=, context=)} spelled three ways ({@code Async.createTask},
 * {@code loop.createTask(body, name, context)}, {@code TaskGroup.createTask(body, name, context)}), and the
 * semaphores' default of one permit.
 */
class TaskCreationShortcutsTest extends LoopFixture {
    private static final ContextVar<String> WHO = ContextVar.of("who");

    @Test
    void asyncCreateTaskSchedulesOnTheRunningLoop() {
        run(() -> {
            Task<String> plain = Async.createTask(() -> "plain");
            Task<String> named = Async.createTask(() -> "named", "worker");
            assertSame(Async.getRunningLoop(), plain.getLoop());
            assertFalse(plain.isDone(), "a task runs on a later iteration, not inside createTask");
            assertEquals("plain", await(plain));
            assertEquals("named", await(named));
            assertEquals("worker", named.getName());
            assertThrows(NullPointerException.class, () -> Async.createTask(null));
            return null;
        });
        IllegalStateException outside = assertThrows(IllegalStateException.class, () -> Async.createTask(() -> 1));
        assertTrue(outside.getMessage().contains("no running event loop"), outside.getMessage());
    }

    @Test
    void aTaskRunsInTheContextItIsGiven() {
        run(() -> {
            Context given = new Context();
            given.run(() -> WHO.set("given"));
            WHO.set("caller");
            Task<String> viaAsync = Async.createTask(WHO::get, "a", given);
            Task<String> viaLoop = Async.getRunningLoop().createTask(WHO::get, "b", given);
            Task<String> copied = Async.createTask(WHO::get, "c", null);
            assertEquals("given", await(viaAsync));
            assertEquals("given", await(viaLoop));
            assertEquals("caller", await(copied), "null means a copy of the current context");
            return null;
        });
    }

    @Test
    void aTaskGroupTaskRunsInTheContextItIsGiven() {
        run(() -> {
            Context given = new Context();
            given.run(() -> WHO.set("given"));
            List<Task<String>> ts = TaskGroup.run(g -> List.of(g.createTask(WHO::get, "in-given", given),
                    g.createTask(() -> WHO.get("none"), "in-copy", null)));
            assertEquals("given", ts.get(0).result());
            assertEquals("in-given", ts.get(0).getName());
            assertEquals("none", ts.get(1).result());
            return null;
        });
    }

    @Test
    void semaphoresDefaultToOnePermit() {
        run(() -> {
            Semaphore s = new Semaphore();
            s.acquire();
            assertTrue(s.locked(), "one permit, taken");
            s.release();
            BoundedSemaphore b = new BoundedSemaphore();
            b.acquire();
            b.release();
            assertThrows(IllegalStateException.class, b::release, "the bound is the default permit count, 1");
            return null;
        });
    }
}
