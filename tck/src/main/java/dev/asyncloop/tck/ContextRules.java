package dev.asyncloop.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.Async;
import dev.asyncloop.Context;
import dev.asyncloop.ContextVar;
import dev.asyncloop.Coroutine;
import dev.asyncloop.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Group "context": rules C1.x (contextvars as asyncio uses them, {@code test_tasks.test_context_*}). */
abstract class ContextRules extends ConformanceGroup {
    ContextRules(EventLoopConformanceSuite suite) {
        super(suite);
    }

    @Test
    @DisplayName("C1.1 callbacks run in the context given, else in a copy taken when they were scheduled")
    void required_C1_1_callbacksRunInTheirContext() {
        ContextVar<String> var = ContextVar.of("C1.1");
        List<String> seen = new ArrayList<>();
        Context explicit = new Context();
        explicit.run(() -> var.set("explicit"));
        new Context().run(() -> {
            var.set("scheduling");
            loop.callSoon(() -> seen.add("soon " + var.get("none")));
            loop.callSoon(() -> seen.add("soon explicit " + var.get("none")), explicit);
            loop.callLater(Duration.ZERO, () -> seen.add("later " + var.get("none")));
            loop.callLater(Duration.ZERO, () -> {
                seen.add("later explicit " + var.get("none"));
                var.set("changed by callback");
            }, explicit);
            var.set("changed after scheduling");
        });
        loop.callLater(Duration.ofMillis(1), loop::stop);
        runForever("C1.1", defaultWait());
        assertEquals(List.of("soon scheduling", "soon explicit explicit", "later scheduling",
                "later explicit explicit"), seen, msg("C1.1", "each callback must see its explicit context, or a"
                + " copy of the scheduler's context taken at scheduling time; check callSoon/callLater capture"
                + " Context.copyCurrent() and run the callback inside context.run"));
        assertEquals("changed by callback", explicit.get(var).orElse(null), msg("C1.1", "a set made by a callback"
                + " must stay in the explicit context it ran in"));
    }

    @Test
    @DisplayName("C1.2 a task captures a copy of its creator's context: later changes by the creator are invisible")
    void required_C1_2_taskCapturesCopy() {
        ContextVar<String> var = ContextVar.of("C1.2");
        AtomicReference<Task<@Nullable String>> task = new AtomicReference<>();
        new Context().run(() -> {
            var.set("at creation");
            task.set(loop.createTask(() -> {
                Async.yieldNow();
                return var.get("none");
            }));
            var.set("after creation");
        });
        assertEquals("at creation", runUntil("C1.2", "the task", defaultWait(), task.get()), msg("C1.2", "a task"
                + " must see the values of its creator's context at creation, not later changes; check the task"
                + " takes Context.copyCurrent() in its constructor"));
    }

    @Test
    @DisplayName("C1.3 what a task sets persists across its awaits and does not leak to its creator")
    void required_C1_3_taskSetsDoNotLeak() {
        ContextVar<String> var = ContextVar.of("C1.3");
        String result = run("C1.3", () -> {
            var.set("parent");
            Task<String> child = loop.createTask(() -> {
                String inherited = var.get("none");
                var.set("child");
                Async.sleep(Duration.ofMillis(1));
                Async.yieldNow();
                return inherited + "->" + var.get("none");
            });
            String fromChild = Async.await(child);
            return fromChild + " / parent sees " + var.get("none");
        });
        assertEquals("parent->child / parent sees parent", result, msg("C1.3", "the child must inherit the parent's"
                + " value, keep its own set across awaits, and the parent must not see it; check every step and"
                + " wakeup of a task runs in the task's one context"));
    }

    @Test
    @DisplayName("C1.4 two tasks created with the same Context share its variables")
    void required_C1_4_sharedContext() {
        ContextVar<String> var = ContextVar.of("C1.4");
        Context shared = new Context();
        Task<String> writer = loop.createTask(Coroutine.of(() -> {
            var.set("written by the first task");
            return "done";
        }), "writer", shared);
        Task<@Nullable String> reader = loop.createTask(Coroutine.of(() -> {
            Async.yieldNow();
            return var.get("none");
        }), "reader", shared);
        runUntil("C1.4", "the writer", defaultWait(), writer);
        assertEquals("written by the first task", runUntil("C1.4", "the reader", defaultWait(), reader),
                msg("C1.4", "tasks given the same Context must share it (asyncio's test_context_4); check the task"
                        + " uses the context it was given, not a copy"));
    }

    @Test
    @DisplayName("C1.5 ContextVar tokens reset once, in their own variable and context; get() without value throws;"
            + " an entered Context cannot be entered again")
    void required_C1_5_tokenRules() {
        ContextVar<String> var = ContextVar.of("C1.5");
        ContextVar<String> other = ContextVar.of("C1.5-other");
        new Context().run(() -> {
            assertThrows(NoSuchElementException.class, var::get, msg("C1.5", "get() with no value and no default"
                    + " must throw NoSuchElementException"));
            assertEquals("dflt", ContextVar.withDefault("C1.5-default", "dflt").get(),
                    msg("C1.5", "get() with no value must return the default"));
            ContextVar.Token<String> token = var.set("one");
            ContextVar.Token<String> otherToken = other.set("x");
            assertThrows(IllegalArgumentException.class, () -> var.reset(otherToken),
                    msg("C1.5", "reset with another variable's token must throw IllegalArgumentException"));
            ContextVar.Token<String>[] foreign = tokenArray();
            new Context().run(() -> foreign[0] = var.set("elsewhere"));
            assertThrows(IllegalArgumentException.class, () -> var.reset(foreign[0]),
                    msg("C1.5", "reset with a token made in another context must throw IllegalArgumentException"));
            var.reset(token);
            assertEquals("none", var.get("none"), msg("C1.5", "reset must restore 'no value'"));
            assertThrows(IllegalStateException.class, () -> var.reset(token),
                    msg("C1.5", "a token used twice must throw IllegalStateException"));
        });
        Context entered = new Context();
        entered.run(() -> assertThrows(IllegalStateException.class, () -> entered.run(() -> { }),
                msg("C1.5", "Context.run of a context already entered must throw IllegalStateException")));
    }

    @SuppressWarnings("unchecked")
    private static ContextVar.Token<String>[] tokenArray() {
        return new ContextVar.Token[1];
    }

    @Test
    @DisplayName("C1.6 100 interleaved tasks each see only their own value")
    void required_C1_6_manyTasksIsolated() {
        ContextVar<Integer> var = ContextVar.of("C1.6");
        List<Integer> mismatches = new ArrayList<>();
        List<Task<@Nullable Void>> tasks = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            int n = i;
            tasks.add(loop.createTask(() -> {
                var.set(n);
                for (int k = 0; k < 1 + n % 3; k++) {
                    Async.yieldNow();
                    if (var.get() != n) {
                        mismatches.add(n);
                    }
                }
                Async.sleep(Duration.ofMillis(n % 2));
                if (var.get() != n) {
                    mismatches.add(n);
                }
                return null;
            }));
        }
        for (Task<@Nullable Void> t : tasks) {
            runUntil("C1.6", "task " + t.getName(), defaultWait(), t);
        }
        assertTrue(mismatches.isEmpty(), msg("C1.6", "tasks saw another task's value: " + mismatches + " (asyncio's"
                + " test_context_3); check each task steps in its own context"));
    }
}
