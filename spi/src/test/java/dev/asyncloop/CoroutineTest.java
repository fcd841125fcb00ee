package dev.asyncloop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.spi.TestLoop;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The send / throwInto / close protocol of coroutines made by {@link Coroutine#of} (rule K1), driven by hand
 * without a loop, on the engine this JVM runs ({@code -Dasyncloop.test.engine}).
 */
class CoroutineTest {
    private final TestLoop loop = new TestLoop();

    @AfterEach
    void closeLoop() {
        loop.close();
    }

    @Test
    @DisplayName("K1 the engine is the one -Dasyncloop.coroutines asks for")
    void engineMatchesProperty() {
        String wanted = System.getProperty("asyncloop.coroutines", "").strip();
        String engine = Coroutine.engineName();
        assertTrue(engine.equals("continuation") || engine.equals("virtual"), engine);
        if (!wanted.isEmpty()) {
            assertEquals(wanted, engine);
        }
    }

    @Test
    @DisplayName("K1 the body starts at the first send, not at creation, and runs to its first suspension")
    void bodyStartsAtFirstSend() {
        List<String> trace = new ArrayList<>();
        Coroutine<String> c = Coroutine.of(() -> {
            trace.add("start");
            Async.yieldNow();
            trace.add("resumed");
            return "done";
        });
        assertEquals(List.of(), trace, "Coroutine.of must not run the body");
        assertInstanceOf(Coroutine.Yielded.class, c.send(null));
        assertEquals(List.of("start"), trace);
        assertEquals(new Coroutine.Returned<>("done"), c.send(null));
        assertEquals(List.of("start", "resumed"), trace);
    }

    @Test
    @DisplayName("K1 a body's interrupt status is the driving thread's, as if the body ran on it; a suspended body"
            + " parks instead of spinning")
    void interruptStatusTravelsWithControl() {
        AtomicReference<Thread> bodyThread = new AtomicReference<>();
        AtomicBoolean interruptedAfterResume = new AtomicBoolean();
        Coroutine<String> c = Coroutine.of(() -> {
            bodyThread.set(Thread.currentThread());
            Thread.currentThread().interrupt(); // as a body does that caught an InterruptedException
            Async.yieldNow();
            interruptedAfterResume.set(Thread.currentThread().isInterrupted());
            return "done";
        });
        try {
            assertInstanceOf(Coroutine.Yielded.class, c.send(null));
            assertTrue(Thread.currentThread().isInterrupted(),
                    "the body's interrupt must reach the thread that drives it, as on the continuation engine");
            Thread body = bodyThread.get();
            if (body != Thread.currentThread()) {
                // The virtual-thread engine: an interrupted body's park returned at once, so it spun while suspended.
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (body.getState() != Thread.State.WAITING && System.nanoTime() - deadline < 0) {
                    Thread.yield();
                }
                assertEquals(Thread.State.WAITING, body.getState(), "the suspended body's thread must park");
            }
            assertEquals(new Coroutine.Returned<>("done"), c.send(null));
            assertTrue(interruptedAfterResume.get(), "the status must go back to the body with control");
            assertTrue(Thread.currentThread().isInterrupted(), "and come back to the driver when the body ends");
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    @DisplayName("K1 await of a pending future suspends with Awaiting(future); resuming returns its result")
    void awaitPendingFuture() {
        Future<Integer> f = loop.createFuture();
        Coroutine<Integer> c = Coroutine.of(() -> Async.await(f) + 1);
        Coroutine.Step<Integer> step = c.send(null);
        assertInstanceOf(Coroutine.Awaiting.class, step);
        assertSame(f, ((Coroutine.Awaiting<Integer>) step).future());
        f.setResult(41);
        assertEquals(new Coroutine.Returned<>(42), c.send(null));
    }

    @Test
    @DisplayName("T1.1 await of a done future returns at once without suspending")
    void awaitDoneFutureDoesNotSuspend() {
        Future<String> f = loop.createFuture();
        f.setResult("ready");
        Coroutine<String> c = Coroutine.of(() -> Async.await(f));
        assertEquals(new Coroutine.Returned<>("ready"), c.send(null));
    }

    @Test
    @DisplayName("K1 resuming an await before the future is done fails inside the body")
    void resumeBeforeFutureDone() {
        Future<Integer> f = loop.createFuture();
        Coroutine<Integer> c = Coroutine.of(() -> Async.await(f));
        c.send(null);
        Coroutine.Step<Integer> step = c.send(null);
        Coroutine.Threw<Integer> threw = assertInstanceOf(Coroutine.Threw.class, step);
        assertInstanceOf(IllegalStateException.class, threw.error());
        assertTrue(threw.error().getMessage().startsWith("await resumed before"), threw.error().getMessage());
    }

    @Test
    @DisplayName("K1 a body's exception, checked or not, ends it with Threw carrying that exception")
    void bodyExceptionBecomesThrew() {
        IOException io = new IOException("checked");
        Coroutine<Void> c = Coroutine.of(() -> {
            Async.yieldNow();
            throw io;
        });
        c.send(null);
        assertEquals(new Coroutine.Threw<>(io), c.send(null));
    }

    @Test
    @DisplayName("K1 throwInto on a NEW coroutine ends it with that error without running the body")
    void throwIntoNewEndsWithoutRunning() {
        AtomicBoolean ran = new AtomicBoolean();
        Coroutine<String> c = Coroutine.of(() -> {
            ran.set(true);
            return "ran";
        });
        IllegalArgumentException error = new IllegalArgumentException("thrown in");
        Coroutine.Step<String> step = c.throwInto(error);
        Coroutine.Threw<String> threw = assertInstanceOf(Coroutine.Threw.class, step);
        assertSame(error, threw.error());
        assertFalse(ran.get(), "the body must never run");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> c.send(null));
        assertTrue(e.getMessage().startsWith("cannot resume a coroutine that already ended"), e.getMessage());
        assertFalse(ran.get());
    }

    @Test
    @DisplayName("K1 throwInto a suspended body raises the error where it is suspended")
    void throwIntoSuspendedRaisesThere() {
        Coroutine<String> c = Coroutine.of(() -> {
            try {
                Async.yieldNow();
                return "not thrown";
            } catch (IllegalArgumentException e) {
                Async.yieldNow();
                return "caught " + e.getMessage();
            }
        });
        c.send(null);
        assertInstanceOf(Coroutine.Yielded.class, c.throwInto(new IllegalArgumentException("x")),
                "a body that catches the error may suspend again");
        assertEquals(new Coroutine.Returned<>("caught x"), c.send(null));
    }

    @Test
    @DisplayName("K1 an error thrown into a body that does not catch it ends the coroutine with that same error")
    void throwIntoUncaught() {
        Coroutine<String> c = Coroutine.of(() -> {
            Async.yieldNow();
            return "no";
        });
        c.send(null);
        IllegalArgumentException error = new IllegalArgumentException("stop");
        assertEquals(new Coroutine.Threw<>(error), c.throwInto(error));
        assertThrows(IllegalStateException.class, () -> c.throwInto(new RuntimeException()));
    }

    @Test
    @DisplayName("T2.7 a CancelledError thrown in is raised anew at the await: same message, the thrown one as cause,"
            + " the body's frames in its stack")
    void throwIntoCancelledRaisesAtTheAwait() {
        Coroutine<String> c = Coroutine.of(CoroutineTest::suspendOnce);
        c.send(null);
        CancelledError cancel = new CancelledError("stop");
        Coroutine.Step<String> end = c.throwInto(cancel);
        CancelledError raised = assertInstanceOf(CancelledError.class, ((Coroutine.Threw<String>) end).error());
        assertEquals("stop", raised.getMessage());
        assertSame(cancel, raised.getCause());
        assertTrue(java.util.Arrays.stream(raised.getStackTrace())
                .anyMatch(f -> f.getMethodName().equals("suspendOnce")), "the body's frame is in the stack");
    }

    private static String suspendOnce() {
        Async.yieldNow();
        return "no";
    }

    @Test
    @DisplayName("K1 throwInto(null) is rejected")
    void throwIntoNull() {
        Coroutine<String> c = Coroutine.of(() -> "x");
        assertThrows(NullPointerException.class, () -> c.throwInto(null));
        assertEquals(new Coroutine.Returned<>("x"), c.send(null), "a rejected throwInto must not end the coroutine");
    }

    @Test
    @DisplayName("K1 send and throwInto after the end throw IllegalStateException")
    void resumeAfterEnd() {
        Coroutine<Integer> c = Coroutine.of(() -> 1);
        assertEquals(new Coroutine.Returned<>(1), c.send(null));
        assertThrows(IllegalStateException.class, () -> c.send(null));
        assertThrows(IllegalStateException.class, () -> c.throwInto(new RuntimeException()));
        c.close(); // a no-op once ended
    }

    @Test
    @DisplayName("K1 send from inside the running body is rejected")
    void reentrantSendRejected() {
        AtomicReference<Coroutine<String>> self = new AtomicReference<>();
        Coroutine<String> c = Coroutine.of(() -> {
            try {
                self.get().send(null);
                return "re-entered";
            } catch (IllegalStateException e) {
                return e.getMessage();
            }
        });
        self.set(c);
        Coroutine.Step<String> step = c.send(null);
        Coroutine.Returned<String> r = assertInstanceOf(Coroutine.Returned.class, step);
        assertTrue(r.value().startsWith("coroutine is already running"), r.value());
    }

    @Test
    @DisplayName("K1 close of a NEW coroutine never runs the body and ends it")
    void closeNew() {
        AtomicBoolean ran = new AtomicBoolean();
        Coroutine<String> c = Coroutine.of(() -> {
            ran.set(true);
            return "ran";
        });
        c.close();
        assertThrows(IllegalStateException.class, () -> c.send(null));
        assertFalse(ran.get());
    }

    @Test
    @DisplayName("K1 close of a suspended coroutine runs its finally blocks and ends it")
    void closeRunsFinally() {
        AtomicInteger finallies = new AtomicInteger();
        AtomicBoolean after = new AtomicBoolean();
        Coroutine<String> c = Coroutine.of(() -> {
            try {
                try {
                    Async.yieldNow();
                    after.set(true);
                } finally {
                    finallies.incrementAndGet();
                }
            } finally {
                finallies.incrementAndGet();
            }
            return "end";
        });
        c.send(null);
        c.close();
        assertEquals(2, finallies.get(), "both finally blocks must run");
        assertFalse(after.get(), "code after the suspension point must not run");
        assertThrows(IllegalStateException.class, () -> c.send(null));
        c.close(); // idempotent
        assertEquals(2, finallies.get());
    }

    @Test
    @DisplayName("K1 close of a body that swallows the exit and suspends again throws IllegalStateException")
    void closeIgnoredBySuspendingAgain() {
        Coroutine<String> c = Coroutine.of(() -> {
            try {
                Async.yieldNow();
            } catch (Throwable swallowed) {
                Async.yieldNow();
            }
            return "end";
        });
        c.send(null);
        IllegalStateException e = assertThrows(IllegalStateException.class, c::close);
        assertTrue(e.getMessage().startsWith("coroutine suspended again while being closed"), e.getMessage());
    }

    @Test
    @DisplayName("K1 close of a body that swallows the exit and returns is fine")
    void closeSwallowedAndReturned() {
        Coroutine<String> c = Coroutine.of(() -> {
            try {
                Async.yieldNow();
            } catch (Throwable swallowed) {
                return "swallowed";
            }
            return "end";
        });
        c.send(null);
        c.close();
        assertThrows(IllegalStateException.class, () -> c.send(null));
    }

    @Test
    @DisplayName("K1 close propagates an exception the body throws while closing")
    void closePropagatesFinallyException() {
        IllegalArgumentException cleanup = new IllegalArgumentException("cleanup failed");
        Coroutine<String> c = Coroutine.of(() -> {
            try {
                Async.yieldNow();
            } finally {
                throwIt(cleanup);
            }
            return "end";
        });
        c.send(null);
        assertSame(cleanup, assertThrows(IllegalArgumentException.class, c::close));
    }

    private static void throwIt(RuntimeException e) {
        throw e;
    }

    @Test
    @DisplayName("K1 Async.await, sleep and yieldNow outside a coroutine throw IllegalStateException saying so")
    void suspendOutsideCoroutine() {
        Future<Integer> f = loop.createFuture();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Async.await(f));
        assertTrue(e.getMessage().startsWith("Async.await() was called outside a task"), e.getMessage());
        e = assertThrows(IllegalStateException.class, Async::yieldNow);
        assertTrue(e.getMessage().startsWith("Async.yieldNow() was called outside a task"), e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> Async.sleep(java.time.Duration.ZERO));
        assertTrue(e.getMessage().startsWith("Async.sleep() was called outside a task"), e.getMessage());
    }

    @Test
    @DisplayName("C1 the body runs in the driver's current context, on every resume")
    void bodySeesDriversContext() {
        ContextVar<String> v = ContextVar.of("v");
        Context first = new Context();
        Context second = new Context();
        first.run(() -> v.set("first"));
        second.run(() -> v.set("second"));
        Coroutine<String> c = Coroutine.of(() -> {
            String a = v.get();
            v.set("set by body");
            Async.yieldNow();
            return a + "," + v.get();
        });
        first.run(() -> assertInstanceOf(Coroutine.Yielded.class, c.send(null)));
        assertEquals(Optional.of("set by body"), first.get(v), "a set in the body must land in the driver's context");
        Coroutine.Step<String> end = second.call(() -> c.send(null));
        assertEquals(new Coroutine.Returned<>("first,second"), end);
    }
}
