package dev.asyncloop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link Context} and {@link ContextVar} on their own (rule C1), without a loop. Every test runs inside a fresh
 * context so nothing leaks into the test thread's own context.
 */
class ContextTest {
    private static void isolated(Runnable body) {
        new Context().run(body);
    }

    // ---------------------------------------------------------------- copy semantics

    @Test
    @DisplayName("C1 copyCurrent() is a snapshot: later sets in either copy do not show in the other")
    void copyCurrentIsSnapshot() {
        ContextVar<String> v = ContextVar.of("v");
        isolated(() -> {
            v.set("before");
            Context snapshot = Context.copyCurrent();
            v.set("after");
            assertEquals(Optional.of("before"), snapshot.get(v), "the snapshot must keep the value at copy time");
            snapshot.run(() -> v.set("inside"));
            assertEquals("after", v.get(), "a set inside the copy must not change the original");
            assertEquals(Optional.of("inside"), snapshot.get(v), "a set inside run() must stay in that context");
        });
    }

    @Test
    @DisplayName("C1 copy() of any context is independent of it")
    void copyIsIndependent() {
        ContextVar<Integer> v = ContextVar.of("n");
        Context a = new Context();
        a.run(() -> v.set(1));
        Context b = a.copy();
        b.run(() -> v.set(2));
        a.run(() -> v.set(3));
        assertEquals(Optional.of(3), a.get(v));
        assertEquals(Optional.of(2), b.get(v));
        assertFalse(b.isEntered(), "a copy of an entered or exited context starts not entered");
    }

    @Test
    @DisplayName("C1 a new Context is empty")
    void newContextIsEmpty() {
        Context c = new Context();
        assertEquals(0, c.size());
        assertEquals(Set.of(), c.vars());
        assertFalse(c.isEntered());
    }

    // ---------------------------------------------------------------- run / call / callChecked

    @Test
    @DisplayName("C1 run() makes the context current and restores the previous one afterwards")
    void runEntersAndRestores() {
        ContextVar<String> v = ContextVar.of("v");
        isolated(() -> {
            v.set("outer");
            Context inner = new Context();
            inner.run(() -> {
                assertTrue(inner.isEntered());
                assertSame(inner, Context.current());
                assertEquals(Optional.empty(), v.find(), "the inner context has no value of its own");
                v.set("inner");
            });
            assertFalse(inner.isEntered());
            assertEquals("outer", v.get(), "run() must restore the caller's context");
            assertEquals(Optional.of("inner"), inner.get(v));
        });
    }

    @Test
    @DisplayName("C1 run() restores the previous context and exits when the action throws")
    void runRestoresOnException() {
        Context outer = new Context();
        Context inner = new Context();
        outer.run(() -> {
            IllegalArgumentException boom = new IllegalArgumentException("boom");
            IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
                    () -> inner.run(() -> {
                        throw boom;
                    }));
            assertSame(boom, thrown, "run() must let the action's exception through unchanged");
            assertSame(outer, Context.current());
            assertFalse(inner.isEntered(), "a context must be exited after its action threw");
        });
        inner.run(() -> { }); // enterable again
    }

    @Test
    @DisplayName("C1 call() returns the supplier's result inside the context and restores")
    void callReturnsResult() {
        ContextVar<String> v = ContextVar.of("v");
        Context c = new Context();
        c.run(() -> v.set("x"));
        isolated(() -> {
            Context before = Context.current();
            assertEquals("x!", c.call(() -> v.get() + "!"));
            assertSame(before, Context.current());
            assertFalse(c.isEntered());
        });
    }

    @Test
    @DisplayName("C1 callChecked() passes checked exceptions through and restores")
    void callCheckedPassesCheckedExceptions() throws Exception {
        Context c = new Context();
        IOException io = new IOException("disk");
        Context before = Context.current();
        IOException thrown = assertThrows(IOException.class, () -> c.callChecked(() -> {
            assertTrue(c.isEntered());
            throw io;
        }));
        assertSame(io, thrown);
        assertSame(before, Context.current());
        assertFalse(c.isEntered());
        assertEquals(42, c.callChecked(() -> 42));
    }

    @Test
    @DisplayName("C1 entering a context that is already entered fails; the outer entry is unaffected")
    void enteredTwiceFails() {
        Context c = new Context();
        c.run(() -> {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> c.run(() -> { }));
            assertEquals("cannot enter context: " + c + " is already entered", e.getMessage());
            assertThrows(IllegalStateException.class, () -> c.call(() -> 1));
            assertThrows(IllegalStateException.class, () -> c.callChecked(() -> 1));
            assertTrue(c.isEntered(), "the failed nested entry must not exit the outer one");
            assertSame(c, Context.current(), "the failed nested entry must not change the current context");
        });
        assertFalse(c.isEntered());
    }

    @Test
    @DisplayName("C1 a context entered on one thread cannot be entered on another")
    void enteredOnAnotherThreadFails() throws InterruptedException {
        Context c = new Context();
        AtomicReference<Throwable> seen = new AtomicReference<>();
        c.run(() -> {
            Thread t = new Thread(() -> {
                try {
                    c.run(() -> { });
                } catch (Throwable e) {
                    seen.set(e);
                }
            });
            t.start();
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(seen.get() instanceof IllegalStateException, "expected IllegalStateException, got " + seen.get());
    }

    @Test
    @DisplayName("C1 run(), call() and callChecked() reject a null action")
    void nullActions() {
        Context c = new Context();
        assertThrows(NullPointerException.class, () -> c.run(null));
        assertThrows(NullPointerException.class, () -> c.call(null));
        assertThrows(NullPointerException.class, () -> c.callChecked(null));
        assertFalse(c.isEntered(), "a rejected call must not leave the context entered");
    }

    // ---------------------------------------------------------------- ContextVar get / find / defaults

    @Test
    @DisplayName("C1 get() without value or default throws NoSuchElementException naming the variable")
    void getWithoutValueOrDefault() {
        ContextVar<String> v = ContextVar.of("request-id");
        isolated(() -> {
            NoSuchElementException e = assertThrows(NoSuchElementException.class, v::get);
            assertEquals("ContextVar 'request-id' has no value in the current context and no default; set it first"
                    + " or create it with ContextVar.withDefault", e.getMessage());
            assertEquals(Optional.empty(), v.find());
            assertEquals("fb", v.get("fb"));
            assertNull(v.get((String) null), "get(null) returns the null fallback");
        });
    }

    @Test
    @DisplayName("C1 the default is used by get() only; find(), get(fallback) and Context.get ignore it")
    void defaults() {
        ContextVar<String> v = ContextVar.withDefault("lang", "en");
        isolated(() -> {
            assertEquals("en", v.get());
            assertEquals(Optional.empty(), v.find());
            assertEquals("fr", v.get("fr"));
            assertEquals(Optional.empty(), Context.current().get(v));
            assertFalse(Context.current().contains(v), "a default is not a value held by the context");
            v.set("de");
            assertEquals("de", v.get());
            assertEquals("de", v.get("fr"));
            assertEquals(Optional.of("de"), v.find());
        });
        assertThrows(NullPointerException.class, () -> ContextVar.withDefault("x", null));
    }

    @Test
    @DisplayName("C1 set(null) is rejected and changes nothing")
    void setNullRejected() {
        ContextVar<String> v = ContextVar.of("v");
        isolated(() -> {
            v.set("a");
            assertThrows(NullPointerException.class, () -> v.set(null));
            assertEquals("a", v.get());
        });
    }

    @Test
    @DisplayName("C1 two variables with the same name are different variables")
    void identitySemantics() {
        ContextVar<String> a = ContextVar.of("same");
        ContextVar<String> b = ContextVar.of("same");
        isolated(() -> {
            a.set("A");
            assertEquals(Optional.empty(), b.find());
            assertEquals(1, Context.current().size());
        });
    }

    @Test
    @DisplayName("C1 name() and toString() show the name and default")
    void nameAndToString() {
        assertEquals("v", ContextVar.of("v").name());
        assertEquals("ContextVar[v]", ContextVar.of("v").toString());
        assertEquals("ContextVar[v, default=1]", ContextVar.withDefault("v", 1).toString());
        assertThrows(NullPointerException.class, () -> ContextVar.of(null));
    }

    // ---------------------------------------------------------------- tokens

    @Test
    @DisplayName("C1 reset(token) restores the previous value, or no value, and marks the token used")
    void resetRestores() {
        ContextVar<String> v = ContextVar.of("v");
        isolated(() -> {
            ContextVar.Token<String> t1 = v.set("one");
            assertEquals(Optional.empty(), t1.oldValue(), "the first set has no old value");
            assertSame(v, t1.var());
            ContextVar.Token<String> t2 = v.set("two");
            assertEquals(Optional.of("one"), t2.oldValue());
            assertEquals("Token[v]", t2.toString());
            v.reset(t2);
            assertEquals("one", v.get());
            assertEquals("Token[v, used]", t2.toString());
            v.reset(t1);
            assertEquals(Optional.empty(), v.find(), "resetting the first token must remove the value");
            assertFalse(Context.current().contains(v));
            assertEquals(0, Context.current().size());
        });
    }

    @Test
    @DisplayName("C1 a token can be used once only")
    void tokenUsedTwice() {
        ContextVar<String> v = ContextVar.of("v");
        isolated(() -> {
            ContextVar.Token<String> t = v.set("x");
            v.reset(t);
            v.set("y");
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> v.reset(t));
            assertEquals("Token has already been used once: Token[v, used]", e.getMessage());
            assertEquals("y", v.get(), "a rejected reset must not change the value");
        });
    }

    @Test
    @DisplayName("C1 a token of another variable is rejected")
    void tokenOfOtherVar() {
        ContextVar<String> a = ContextVar.of("a");
        ContextVar<String> b = ContextVar.of("b");
        isolated(() -> {
            ContextVar.Token<String> t = a.set("x");
            b.set("y");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.reset(t));
            assertEquals("Token Token[a] was created by a different ContextVar than ContextVar[b]", e.getMessage());
            assertEquals("y", b.get());
            assertEquals("x", a.get());
            a.reset(t); // still usable by its own variable
            assertEquals(Optional.empty(), a.find());
        });
    }

    @Test
    @DisplayName("C1 a token created in another context is rejected, even in a copy of that context")
    void tokenOfOtherContext() {
        ContextVar<String> v = ContextVar.of("v");
        Context c = new Context();
        ContextVar.Token<String> t = c.call(() -> v.set("in c"));
        Context copy = c.copy();
        isolated(() -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> v.reset(t));
            assertEquals("Token Token[v] was created in a different Context", e.getMessage());
        });
        assertThrows(IllegalArgumentException.class, () -> copy.run(() -> v.reset(t)));
        assertEquals(Optional.of("in c"), copy.get(v));
        c.run(() -> v.reset(t));
        assertEquals(Optional.empty(), c.get(v), "the token must still work in its own context");
    }

    @Test
    @DisplayName("C1 reset(null) is rejected")
    void resetNull() {
        assertThrows(NullPointerException.class, () -> ContextVar.of("v").reset(null));
    }

    // ---------------------------------------------------------------- vars() / size()

    @Test
    @DisplayName("C1 vars() and size() list the variables holding a value; vars() is an unmodifiable snapshot")
    void varsAndSize() {
        ContextVar<String> a = ContextVar.of("a");
        ContextVar<Integer> b = ContextVar.withDefault("b", 0);
        ContextVar<Integer> unset = ContextVar.withDefault("unset", 0);
        Context c = new Context();
        c.run(() -> {
            a.set("x");
            b.set(1);
            b.set(2);
        });
        assertEquals(2, c.size());
        Set<ContextVar<?>> vars = c.vars();
        assertEquals(Set.of(a, b), vars);
        assertFalse(vars.contains(unset), "a variable with only a default holds no value");
        assertThrows(UnsupportedOperationException.class, () -> vars.add(unset));
        c.run(() -> unset.set(5));
        assertEquals(Set.of(a, b), vars, "vars() must be a snapshot");
        assertEquals(3, c.size());
        assertTrue(c.contains(unset));
        assertEquals(Optional.of(2), c.get(b));
    }
}
