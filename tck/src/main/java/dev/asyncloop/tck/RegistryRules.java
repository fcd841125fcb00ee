package dev.asyncloop.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.Async;
import dev.asyncloop.Coroutine;
import dev.asyncloop.EventLoop;
import dev.asyncloop.Future;
import dev.asyncloop.Task;
import dev.asyncloop.spi.TaskRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Group "registry": rules R1.x (current task, all tasks, asyncio's registration functions). */
abstract class RegistryRules extends ConformanceGroup {
    RegistryRules(EventLoopConformanceSuite suite) {
        super(suite);
    }

    @Test
    @DisplayName("R1.1 Async.currentTask() is the running task inside a task, empty inside a plain callback")
    void required_R1_1_currentTask() {
        List<Optional<Task<?>>> inCallback = new ArrayList<>();
        AtomicReference<@Nullable Task<?>> inTask = new AtomicReference<>();
        Task<String> task = loop.createTask(() -> {
            inTask.set(Async.currentTask().orElse(null));
            loop.callSoon(() -> inCallback.add(Async.currentTask()));
            Async.yieldNow();
            return "ok";
        });
        runUntil("R1.1", "the task", defaultWait(), task);
        assertSame(task, inTask.get(), msg("R1.1", "Async.currentTask() inside a task must be that task; check"
                + " the task calls TaskRegistry.enterTask before each step"));
        assertEquals(List.of(Optional.empty()), inCallback, msg("R1.1", "Async.currentTask() in a plain callback"
                + " must be empty; check the task calls TaskRegistry.leaveTask after each step"));
        assertEquals(Optional.empty(), Async.currentTask(loop), msg("R1.1", "no task may be current once the loop"
                + " stopped"));
    }

    @Test
    @DisplayName("R1.2 currentTask() stays right while two tasks interleave")
    void required_R1_2_currentTaskWithInterleavingTasks() {
        Future<Boolean> fut1 = loop.createFuture();
        Future<Boolean> fut2 = loop.createFuture();
        List<Object> seen = new ArrayList<>();
        @SuppressWarnings("unchecked")
        Task<@Nullable Void>[] tasks = new Task[2];
        tasks[0] = loop.createTask(() -> {
            seen.add(Async.currentTask().orElse(null) == tasks[0]);
            Async.await(fut1);
            seen.add(Async.currentTask().orElse(null) == tasks[0]);
            fut2.setResult(true);
            return null;
        });
        tasks[1] = loop.createTask(() -> {
            seen.add(Async.currentTask().orElse(null) == tasks[1]);
            fut1.setResult(true);
            Async.await(fut2);
            seen.add(Async.currentTask().orElse(null) == tasks[1]);
            return null;
        });
        runUntil("R1.2", "task 1", defaultWait(), tasks[0]);
        runUntil("R1.2", "task 2", defaultWait(), tasks[1]);
        assertEquals(List.of(true, true, true, true), seen, msg("R1.2", "each step must see its own task as current"
                + " (asyncio's test_current_task_with_interleaving_tasks); check enter/leave around every step"));
    }

    @Test
    @DisplayName("R1.3 Async.allTasks(loop) lists the pending tasks of that loop, not done ones nor other loops'")
    void required_R1_3_allTasks() {
        Future<String> inner = loop.createFuture();
        Task<String> pending = loop.createTask(() -> Async.await(inner));
        Task<String> done = loop.createTask(() -> "done");
        Task<String> notStarted = loop.createTask(() -> "later");
        assertTrue(Async.allTasks(loop).containsAll(Set.of(pending, done, notStarted)), msg("R1.3", "tasks not"
                + " yet started must be in allTasks; check the task registers itself when created"));
        loop.callSoon(loop::stop);
        runForever("R1.3", defaultWait());
        Set<Task<?>> all = Async.allTasks(loop);
        assertTrue(all.contains(pending), msg("R1.3", "a suspended task must be in allTasks, was: " + all));
        assertFalse(all.contains(done), msg("R1.3", "a done task must not be in allTasks, was: " + all));
        EventLoop other = suite.newLoop();
        try {
            assertFalse(Async.allTasks(other).contains(pending), msg("R1.3", "allTasks(otherLoop) must not list"
                    + " this loop's tasks"));
        } finally {
            other.close();
        }
        inner.setResult("x");
        runUntil("R1.3", "the pending task", defaultWait(), pending);
        assertFalse(Async.allTasks(loop).contains(pending), msg("R1.3", "a finished task must leave allTasks"));
    }

    @Test
    @DisplayName("R1.4 TaskRegistry.enterTask while another task is current throws IllegalStateException"
            + " (asyncio's message)")
    void required_R1_4_enterWhileAnotherIsCurrent() {
        Task<String> bystander = loop.createTask(() -> "bystander");
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicReference<@Nullable Task<?>> stillCurrent = new AtomicReference<>();
        Task<String> task = loop.createTask(() -> {
            try {
                TaskRegistry.enterTask(loop, bystander);
            } catch (RuntimeException e) {
                thrown.set(e);
            }
            stillCurrent.set(Async.currentTask().orElse(null));
            return "ok";
        });
        runUntil("R1.4", "the task", defaultWait(), task);
        runUntil("R1.4", "the bystander", defaultWait(), bystander);
        IllegalStateException e = assertInstanceOf(IllegalStateException.class, thrown.get(), msg("R1.4",
                "enterTask while another task is current must throw IllegalStateException"));
        assertTrue(String.valueOf(e.getMessage()).startsWith("Cannot enter into task ")
                        && String.valueOf(e.getMessage()).contains(" while another task ")
                        && String.valueOf(e.getMessage()).endsWith(" is being executed."),
                msg("R1.4", "the message must be asyncio's 'Cannot enter into task X while another task Y is"
                        + " being executed.', was: " + e.getMessage()));
        assertSame(task, stillCurrent.get(), msg("R1.4", "a refused enterTask must leave the current task as it"
                + " was"));
    }

    @Test
    @DisplayName("R1.5 TaskRegistry.leaveTask of a task that is not current throws IllegalStateException")
    void required_R1_5_leaveMismatch() {
        Task<String> bystander = loop.createTask(() -> "bystander");
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Task<String> task = loop.createTask(() -> {
            try {
                TaskRegistry.leaveTask(loop, bystander);
            } catch (RuntimeException e) {
                thrown.set(e);
            }
            return "ok";
        });
        runUntil("R1.5", "the task", defaultWait(), task);
        runUntil("R1.5", "the bystander", defaultWait(), bystander);
        IllegalStateException e = assertInstanceOf(IllegalStateException.class, thrown.get(), msg("R1.5",
                "leaveTask of a task that is not current must throw IllegalStateException"));
        String leaving = String.valueOf(e.getMessage());
        assertTrue(leaving.startsWith("Leaving task ") && leaving.contains(" does not match the current task "),
                msg("R1.5", "the message must be asyncio's 'Leaving task X does not match the"
                + " current task Y.', was: " + e.getMessage()));
        assertThrows(IllegalStateException.class, () -> TaskRegistry.leaveTask(loop, bystander), msg("R1.5",
                "leaveTask when no task is current must throw IllegalStateException"));
    }

    @Test
    @DisplayName("R1.6 TaskRegistry.swapCurrentTask sets the current task without checks and returns the previous")
    void required_R1_6_swapCurrentTask() {
        Task<String> a = loop.createTask(() -> "a");
        Task<String> b = loop.createTask(() -> "b");
        try {
            assertNull(TaskRegistry.swapCurrentTask(loop, a), msg("R1.6", "swap with no current task must return"
                    + " null"));
            assertSame(a, Async.currentTask(loop).orElse(null), msg("R1.6", "swap must make the task current"));
            assertSame(a, TaskRegistry.swapCurrentTask(loop, b), msg("R1.6", "swap must return the previous task"));
            assertSame(b, TaskRegistry.swapCurrentTask(loop, null), msg("R1.6", "swap to null must return the"
                    + " previous task"));
            assertEquals(Optional.empty(), Async.currentTask(loop), msg("R1.6", "swap to null must clear the current"
                    + " task"));
        } finally {
            TaskRegistry.swapCurrentTask(loop, null);
        }
        runUntil("R1.6", "task a", defaultWait(), a);
        runUntil("R1.6", "task b", defaultWait(), b);
    }

    @Test
    @DisplayName("R1.7 a third-party Task written per the docs (register, enter/leave) shows in allTasks and"
            + " currentTask when installed with setTaskFactory")
    void required_R1_7_thirdPartyTask() {
        loop.setTaskFactory(ThirdPartyTask.FACTORY);
        Future<String> inner = loop.createFuture();
        AtomicReference<@Nullable Task<?>> currentInside = new AtomicReference<>();
        AtomicReference<Boolean> listedInside = new AtomicReference<>();
        Task<String> task = loop.createTask(Coroutine.of(() -> {
            @Nullable Task<?> self = Async.currentTask().orElse(null);
            currentInside.set(self);
            listedInside.set(Async.allTasks().contains(self));
            return Async.await(inner) + " via third party";
        }), "third-party", null);
        assertInstanceOf(ThirdPartyTask.class, task, msg("R1.7", "createTask must return the factory's task"));
        assertTrue(Async.allTasks(loop).contains(task), msg("R1.7", "a registered third-party task must be in"
                + " allTasks; check TaskRegistry.allTasks accepts tasks of any class"));
        loop.setTaskFactory(null);
        Task<String> awaiting = loop.createTask(() -> Async.await(task));
        loop.callSoon(() -> inner.setResult("done"));
        assertEquals("done via third party", runUntil("R1.7", "a task awaiting the third-party task", defaultWait(),
                awaiting), msg("R1.7", "a built-in task must be able to await a third-party task"));
        assertSame(task, currentInside.get(), msg("R1.7", "Async.currentTask() inside the third-party task must be"
                + " it; check TaskRegistry.currentTask works for any Task"));
        assertEquals(true, listedInside.get(), msg("R1.7", "the running third-party task must be in"
                + " allTasks"));
        assertFalse(Async.allTasks(loop).contains(task), msg("R1.7", "the finished third-party task must leave"
                + " allTasks"));
    }
}
