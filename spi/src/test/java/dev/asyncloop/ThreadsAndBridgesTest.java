package dev.asyncloop;

import static dev.asyncloop.Async.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.SettableFuture;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link Tasks#toThread}, {@link Tasks#runCoroutineThreadsafe} and {@link Futures} (test_threads, test_tasks). */
class ThreadsAndBridgesTest extends LoopFixture {
    static final ContextVar<String> VAR = ContextVar.of("var");

    @Test
    @DisplayName("toThread runs off the loop thread in a copy of the caller's context")
    void toThreadContext() {
        run(() -> {
            Thread loopThread = Thread.currentThread();
            VAR.set("parent");
            String seen = await(Tasks.toThread(() -> {
                assertNotSame(loopThread, Thread.currentThread());
                String v = VAR.get();
                VAR.set("worker");
                return v;
            }));
            assertEquals("parent", seen);
            assertEquals("parent", VAR.get(), "what the worker set stays in its copy");
            return null;
        });
    }

    @Test
    @DisplayName("toThread delivers the function's exception, checked ones unwrapped in exception()")
    void toThreadException() {
        run(() -> {
            IOException io = new IOException("io");
            Future<String> f = Tasks.toThread(() -> {
                throw io;
            });
            CompletionException e = assertThrows(CompletionException.class, () -> await(f));
            assertSame(io, e.getCause());
            assertSame(io, f.exception().orElseThrow());
            IllegalStateException ise = new IllegalStateException("x");
            assertSame(ise, assertThrows(IllegalStateException.class, () -> await(Tasks.toThread(() -> {
                throw ise;
            }))));
            return null;
        });
        assertThrows(IllegalStateException.class, () -> Tasks.toThread(() -> 1), "no running loop");
    }

    @Test
    @DisplayName("runCoroutineThreadsafe: result and exception reach the CompletableFuture")
    void runCoroutineThreadsafeOutcome() {
        run(() -> {
            String r = await(loop.runInExecutor(null, () -> Tasks.runCoroutineThreadsafe(
                    () -> Async.sleep(SHORT, "done"), loop).get(5, TimeUnit.SECONDS)));
            assertEquals("done", r);
            IllegalStateException boom = new IllegalStateException("boom");
            Throwable t = await(loop.runInExecutor(null, () -> {
                try {
                    Tasks.runCoroutineThreadsafe(() -> {
                        throw boom;
                    }, loop).get(5, TimeUnit.SECONDS);
                    return null;
                } catch (ExecutionException e) {
                    return e.getCause();
                }
            }));
            assertSame(boom, t);
            return null;
        });
    }

    @Test
    @DisplayName("runCoroutineThreadsafe: cancelling the CompletableFuture cancels the task; a cancelled task cancels it")
    void runCoroutineThreadsafeCancel() {
        run(() -> {
            CountDownLatch started = new CountDownLatch(1);
            Future<String> bodySaw = loop.createFuture();
            CompletableFuture<String> cf = await(loop.runInExecutor(null, () -> {
                CompletableFuture<String> f = Tasks.runCoroutineThreadsafe(() -> {
                    started.countDown();
                    try {
                        return Async.sleep(LONG, "never");
                    } catch (CancelledError e) {
                        bodySaw.setResult("cancelled");
                        throw e;
                    }
                }, loop);
                assertTrue(started.await(5, TimeUnit.SECONDS));
                f.cancel(true);
                return f;
            }));
            assertEquals("cancelled", await(bodySaw));
            assertTrue(cf.isCancelled());

            Task<?>[] task = new Task<?>[1];
            CompletableFuture<String> cf2 = Tasks.runCoroutineThreadsafe(() -> {
                task[0] = current();
                return Async.sleep(LONG, "never");
            }, loop);
            spin(2);
            task[0].cancel();
            spin(2);
            assertTrue(cf2.isCancelled(), "the task's cancellation reaches the CompletableFuture");

            boolean[] ran = {false};
            CompletableFuture<String> cf3 = Tasks.runCoroutineThreadsafe(() -> {
                ran[0] = true;
                return "ran";
            }, loop);
            cf3.cancel(false);
            spin(2);
            assertFalse(ran[0], "a body whose future was cancelled before its task existed never runs");
            return null;
        });
        loop.close();
        assertThrows(IllegalStateException.class, () -> Tasks.runCoroutineThreadsafe(() -> 1, loop));
    }

    @Test
    @DisplayName("toCompletableFuture: outcomes pass; cancellation crosses both ways, also from another thread")
    void toCompletableFuture() {
        run(() -> {
            Future<String> f = loop.createFuture();
            CompletableFuture<String> cf = Futures.toCompletableFuture(f);
            f.setResult("v");
            spin(1);
            assertEquals("v", cf.getNow(null));

            Future<String> failing = loop.createFuture();
            IOException io = new IOException("io");
            failing.setException(io);
            CompletableFuture<String> cff = Futures.toCompletableFuture(failing);
            assertSame(io, assertThrows(CompletionException.class, cff::join).getCause(), "already done: at once");

            Future<String> cancelled = loop.createFuture();
            CompletableFuture<String> cfc = Futures.toCompletableFuture(cancelled);
            cancelled.cancel();
            spin(1);
            assertTrue(cfc.isCancelled());

            Future<String> target = loop.createFuture();
            CompletableFuture<String> cft = Futures.toCompletableFuture(target);
            await(loop.runInExecutor(null, () -> cft.cancel(true)));
            spin(2);
            assertTrue(target.isCancelled(), "cancelling the CompletableFuture from a thread cancels the loop future");

            Future<String> wrapped = Futures.wrap(CompletableFuture.completedFuture("w"));
            assertEquals("w", await(wrapped));
            return null;
        });
    }

    @Test
    @DisplayName("toListenableFuture: outcomes pass; cancellation crosses both ways")
    void toListenableFuture() {
        run(() -> {
            Future<String> f = loop.createFuture();
            ListenableFuture<String> lf = Futures.toListenableFuture(f);
            f.setResult("v");
            spin(1);
            assertEquals("v", lf.get(0, TimeUnit.SECONDS));

            Future<String> failing = loop.createFuture();
            ListenableFuture<String> lff = Futures.toListenableFuture(failing);
            IOException io = new IOException("io");
            failing.setException(io);
            spin(1);
            assertSame(io, assertThrows(ExecutionException.class, lff::get).getCause());

            Future<String> cancelled = loop.createFuture();
            ListenableFuture<String> lfc = Futures.toListenableFuture(cancelled);
            cancelled.cancel();
            spin(1);
            assertTrue(lfc.isCancelled());

            Future<String> target = loop.createFuture();
            ListenableFuture<String> lft = Futures.toListenableFuture(target);
            await(loop.runInExecutor(null, () -> lft.cancel(false)));
            spin(2);
            assertTrue(target.isCancelled());
            return null;
        });
    }

    @Test
    @DisplayName("wrap(ListenableFuture): completion from another thread reaches the loop; cancellation both ways")
    void wrapListenableFuture() {
        run(() -> {
            SettableFuture<String> lf = SettableFuture.create();
            Future<String> f = Futures.wrap(loop, lf);
            boolean[] onLoopThread = {false};
            f.addDoneCallback(x -> onLoopThread[0] = dev.asyncloop.spi.RunningLoops.isCurrent(loop));
            loop.runInExecutor(null, () -> lf.set("from thread"));
            assertEquals("from thread", await(f));
            spin(1);
            assertTrue(onLoopThread[0], "completed on the loop thread");

            SettableFuture<String> failing = SettableFuture.create();
            Future<String> ff = Futures.wrap(loop, failing);
            IOException io = new IOException("io");
            failing.setException(io);
            assertSame(io, assertThrows(CompletionException.class, () -> await(ff)).getCause());

            SettableFuture<String> outer = SettableFuture.create();
            Future<String> fc = Futures.wrap(loop, outer);
            outer.cancel(false);
            assertThrows(CancelledError.class, () -> await(fc));

            SettableFuture<String> inner = SettableFuture.create();
            Future<String> fi = Futures.wrap(loop, inner);
            fi.cancel();
            spin(1);
            assertTrue(inner.isCancelled(), "cancelling the loop future cancels the ListenableFuture");
            return null;
        });
    }

    @Test
    @DisplayName("after the loop is closed, outcomes and cancellations arriving from other threads are dropped")
    void droppedAfterClose() {
        SettableFuture<String> lf = SettableFuture.create();
        CompletableFuture<String> cf = new CompletableFuture<>();
        Future<String> a = Futures.wrap(loop, lf);
        Future<String> b = Futures.wrap(loop, cf);
        CompletableFuture<String> back = Futures.toCompletableFuture(loop.createFuture());
        loop.close();
        lf.set("late");
        cf.complete("late");
        back.cancel(false);
        assertFalse(a.isDone());
        assertFalse(b.isDone());
        assertInstanceOf(CompletableFuture.class, back);
        assertTrue(reports.isEmpty(), "nothing is reported: " + reports);
    }
}
