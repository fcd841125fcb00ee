package dev.asyncloop;

import static dev.asyncloop.Async.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * asyncio's {@code create_task(coro, name=, context=)} (and 3.14's {@code eager_start=}) spelled three ways ({@code Async.createTask},
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
        assertTrue(outside.getMessage().contains("Async.run("), "names the way to start one: " + outside.getMessage());
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
    void eagerStartIsTheCallersChoice() {   // asyncio 3.14's create_task(..., eager_start=)
        run(() -> {
            EventLoop running = Async.getRunningLoop();
            Task<String> eager = Async.createTask(() -> "now", "e", null, true);
            assertTrue(eager.isDone(), "an eager task that does not suspend is done when createTask returns");
            assertEquals("now", eager.result());
            assertEquals("e", eager.getName());
            Task<String> lazy = running.createTask(() -> "later", null, null, false);
            assertFalse(lazy.isDone());
            assertEquals("later", await(lazy));
            TaskGroup.run(g -> {
                Task<String> inGroup = g.createTask(() -> "group", null, null, true);
                assertTrue(inGroup.isDone(), "TaskGroup.createTask passes the choice on");
                return null;
            });

            running.setTaskFactory(Async.eagerTaskFactory());
            try {
                Task<String> lazyDespiteFactory = Async.createTask(() -> "lazy", null, null, false);
                assertFalse(lazyDespiteFactory.isDone(), "eagerStart false wins over the eager factory's default");
                assertTrue(Async.createTask(() -> "eager").isDone(), "without a choice the factory decides");
                assertEquals("lazy", await(lazyDespiteFactory));
            } finally {
                running.setTaskFactory(null);
            }

            TaskFactory noChoice = new TaskFactory() {
                @Override
                public <T> Task<T> newTask(EventLoop l, Coroutine<T> coroutine, String name, Context context) {
                    return new dev.asyncloop.spi.BaseTask<>(l, coroutine, name, context, false);
                }

                @Override
                public String toString() {
                    return "noChoiceFactory";
                }
            };
            running.setTaskFactory(noChoice);
            try {
                UnsupportedOperationException refused = assertThrows(UnsupportedOperationException.class,
                        () -> Async.createTask(() -> 1, null, null, true));
                assertTrue(refused.getMessage().contains("noChoiceFactory")
                        && refused.getMessage().contains("eagerStart"), refused.getMessage());
                assertEquals(2, await(Async.createTask(() -> 2)), "without a choice the old method is used");
            } finally {
                running.setTaskFactory(null);
            }
            return null;
        });
        Task<String> beforeRun = loop.createTask(() -> "x", null, null, true);
        assertFalse(beforeRun.isDone(), "an eager start needs a running loop; otherwise the step is scheduled");
        assertEquals("x", loop.runUntilComplete(beforeRun));
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
    @Test
    void aLazyStartWithoutFactoryGoesThroughTheLoopsOwnCreateTask() {
        // A loop that does not extend BaseEventLoop (a wrapping loop, say) makes its tasks in its three-argument
        // createTask; the default four-argument one must use it for a lazy start rather than build a task itself.
        Task<String> made = loop.createTask(() -> "made elsewhere");
        List<String> calls = new ArrayList<>();
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.isDefault()) {
                return InvocationHandler.invokeDefault(proxy, method, args);
            }
            calls.add(method.getName() + "/" + method.getParameterCount());
            return switch (method.getName()) {
                case "createTask" -> made;
                case "getTaskFactory" -> Optional.empty();
                case "isClosed" -> false;
                default -> throw new UnsupportedOperationException(method.getName());
            };
        };
        EventLoop wrapping = (EventLoop) Proxy.newProxyInstance(EventLoop.class.getClassLoader(),
                new Class<?>[] {EventLoop.class}, handler);
        Task<String> task = wrapping.createTask(Coroutine.of(() -> "x"), "lazy", null, false);
        assertSame(made, task, "the loop's own createTask(coroutine, name, context) made the task");
        assertTrue(calls.contains("createTask/3"), calls.toString());
        run(() -> await(made));
    }
}
