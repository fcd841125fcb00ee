package dev.asyncloop.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.asyncloop.Context;
import dev.asyncloop.ContextVar;
import dev.asyncloop.EventLoop;
import dev.asyncloop.ExceptionContext;
import dev.asyncloop.Future;
import dev.asyncloop.spi.Capability;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Rules G1.x: signal handlers (asyncio's {@code add_signal_handler} and {@code remove_signal_handler} in
 * {@code unix_events.py}; {@code test_unix_events.SelectorEventLoopSignalTests}, {@code test_events}'
 * {@code test_add_signal_handler}, {@code test_signal_handling_while_selecting}, {@code test_signal_handling_args}).
 *
 * <p>The tests raise SIGWINCH and SIGURG in this JVM with {@code sun.misc.Signal.raise}: both are ignored by
 * default, so a loop that loses a handler cannot end the test JVM. Before each test a sentinel handler of the TCK
 * is installed on both (it is what the loop must put back), and after each test the loop is closed and the
 * handlers found before the test are restored.
 */
abstract class SignalRules extends ConformanceGroup {
    static final String WINCH = "WINCH";
    static final String URG = "URG";
    private static final List<String> USED = List.of(WINCH, URG);

    private final List<SignalHandler> originals = new ArrayList<>();
    private final List<Sentinel> sentinels = new ArrayList<>();
    private final List<EventLoop> others = new ArrayList<>();

    SignalRules(EventLoopConformanceSuite suite) {
        super(suite);
    }

    /** The TCK's own handler, installed before each test: counts the signals that reach it. */
    static final class Sentinel implements SignalHandler {
        private final Semaphore received = new Semaphore(0);

        @Override
        public void handle(Signal signal) {
            received.release();
        }

        /** Waits (bounded) for one signal to reach this handler. */
        boolean awaitOne() {
            try {
                return received.tryAcquire(defaultWait().toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        @Override
        public String toString() {
            return "the TCK's sentinel handler";
        }
    }

    /** A signal callback: records each call's thread and wakes a future of the loop the test armed. */
    final class Calls implements Runnable {
        private final EventLoop owner;
        private final Runnable body;
        final List<Thread> threads = Collections.synchronizedList(new ArrayList<>());
        private volatile @Nullable Future<@Nullable Void> armed;

        Calls(EventLoop owner, Runnable body) {
            this.owner = owner;
            this.body = body;
        }

        Calls() {
            this(loop, () -> { });
        }

        /** Returns a future of the owner loop done after the next call; call before raising the signal. */
        Future<@Nullable Void> next() {
            Future<@Nullable Void> f = owner.createFuture();
            armed = f;
            return f;
        }

        int count() {
            return threads.size();
        }

        @Override
        public void run() {
            threads.add(Thread.currentThread());
            Future<@Nullable Void> f = armed;
            if (f != null) {
                owner.callSoonThreadsafe(() -> {
                    if (!f.isDone()) {
                        f.setResult(null);
                    }
                });
            }
            body.run();
        }
    }

    @BeforeEach
    final void installSentinels() {
        requireCapability(Capability.SIGNALS);
        for (String name : USED) {
            Sentinel s = new Sentinel();
            originals.add(Signal.handle(new Signal(name), s));
            sentinels.add(s);
        }
    }

    @AfterEach
    final void restoreHandlers() {
        try {
            for (EventLoop l : others) {
                if (!l.isRunning()) {
                    l.close();
                }
            }
            if (loop != null && !loop.isRunning()) {
                loop.close();
            }
        } finally {
            for (int i = 0; i < originals.size(); i++) {
                Signal.handle(new Signal(USED.get(i)), originals.get(i));
            }
        }
    }

    static void raise(String name) {
        Signal.raise(new Signal(name));
    }

    final Sentinel sentinel(String name) {
        return sentinels.get(USED.indexOf(name));
    }

    /** Asserts that the handler installed for {@code name} is the sentinel, leaving it installed. */
    final void assertSentinelInstalled(String rule, String name, String after) {
        Signal signal = new Signal(name);
        SignalHandler current = Signal.handle(signal, sentinel(name));
        assertSame(sentinel(name), current, msg(rule, "after " + after + " the handler of SIG" + name + " must be"
                + " the one installed before the loop took the signal (" + sentinel(name) + "), found " + current
                + "; check the loop keeps the handler sun.misc.Signal.handle returned when it took the signal and"
                + " installs it again"));
    }

    /** Raises {@code name} and waits until the sentinel gets it, which shows no loop handler is installed. */
    final void assertSentinelGets(String rule, String name, String after) {
        try {
            raise(name);
        } catch (IllegalArgumentException noJavaHandler) {
            fail(msg(rule, "after " + after + " no Java handler is installed for SIG" + name + " (sun.misc.Signal"
                    + ".raise: " + noJavaHandler.getMessage() + "); the handler installed before the loop took the"
                    + " signal must be put back"), noJavaHandler);
        }
        assertTrue(sentinel(name).awaitOne(), msg(rule, "after " + after + " a raised SIG" + name + " must reach"
                + " the handler installed before the loop took the signal; it did not within " + defaultWait()));
    }

    /** Runs the loop until the next call of {@code calls} after raising {@code name}. */
    final void raiseAndRun(String rule, String name, Calls calls) {
        Future<@Nullable Void> next = calls.next();
        raise(name);
        runUntil(rule, "the callback of a raised SIG" + name, defaultWait(), next);
    }

    /** Runs one more loop iteration, so that anything already queued has run. */
    final void runOneIteration(String rule) {
        Future<@Nullable Void> f = loop.createFuture();
        loop.callSoon(() -> f.setResult(null));
        runUntil(rule, "a callSoon callback", defaultWait(), f);
    }

    EventLoop otherLoop() {
        EventLoop other = Objects.requireNonNull(suite.newLoop(), "[TCK] newLoop() returned null");
        others.add(other);
        return other;
    }

    @Test
    @DisplayName("G1.1 a raised signal runs the handler's callback on the loop thread, not on the JVM's signal thread")
    void required_G1_1_callbackRunsOnLoopThread() {
        Calls calls = new Calls();
        loop.addSignalHandler(WINCH, calls);
        raiseAndRun("G1.1", WINCH, calls);
        assertEquals(1, calls.count(), msg("G1.1", "one raised signal must run the callback once"));
        assertSame(Thread.currentThread(), calls.threads.getFirst(), msg("G1.1", "the callback ran on "
                + calls.threads.getFirst() + ", not on the loop thread " + Thread.currentThread() + "; a"
                + " sun.misc.Signal handler runs on a JVM thread: hand the callback to the loop with"
                + " callSoonThreadsafe instead of calling it there"));
    }

    @Test
    @DisplayName("G1.2 the callback runs in the context given, else in a copy of the caller's context taken at registration")
    void required_G1_2_callbackRunsInItsContext() {
        ContextVar<String> var = ContextVar.of("G1.2");
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        Context explicit = new Context();
        explicit.run(() -> var.set("explicit"));
        Calls implicit = new Calls(loop, () -> seen.add("implicit " + var.get("none")));
        Calls given = new Calls(loop, () -> seen.add("given " + var.get("none")));
        new Context().run(() -> {
            var.set("at registration");
            loop.addSignalHandler(WINCH, implicit);
            loop.addSignalHandler(URG, given, explicit);
            var.set("after registration");
        });
        raiseAndRun("G1.2", WINCH, implicit);
        raiseAndRun("G1.2", URG, given);
        assertEquals(List.of("implicit at registration", "given explicit"), seen, msg("G1.2", "a signal callback"
                + " must see the context given to addSignalHandler, else a copy of the caller's context taken when"
                + " it was added; check the handler passes that context to callSoonThreadsafe"));
    }

    @Test
    @DisplayName("G1.3 a signal arriving while the loop waits for I/O with nothing to do wakes it (test_signal_handling_while_selecting)")
    void required_G1_3_signalWakesBlockedLoop() {
        Calls calls = new Calls(loop, () -> loop.stop());
        loop.addSignalHandler(WINCH, calls);
        loop.callSoon(() -> {
            Thread raiser = new Thread(() -> {
                Waits.pause(50);
                raise(WINCH);
            }, "asyncloop-tck-G1.3-raiser");
            raiser.setDaemon(true);
            raiser.start();
        });
        runForever("G1.3", defaultWait());
        assertEquals(1, calls.count(), msg("G1.3", "the signal raised while the loop was blocked must run its"
                + " callback, which stops the loop; check the handler hands the callback over with"
                + " callSoonThreadsafe, which wakes a blocked loop (L3.1)"));
    }

    @Test
    @DisplayName("G1.4 adding a handler again for the same signal replaces the callback")
    void required_G1_4_addAgainReplaces() {
        Calls first = new Calls();
        Calls second = new Calls();
        loop.addSignalHandler(WINCH, first);
        loop.addSignalHandler(WINCH, second);
        raiseAndRun("G1.4", WINCH, second);
        runOneIteration("G1.4");
        assertEquals(0, first.count(), msg("G1.4", "the replaced callback ran; a later addSignalHandler for the"
                + " same signal must replace the earlier callback"));
        assertEquals(1, second.count(), msg("G1.4", "the new callback must run once per signal"));
    }

    @Test
    @DisplayName("G1.5 removeSignalHandler answers whether a handler was removed and puts back the handler from before")
    void required_G1_5_removeRestoresPrevious() {
        Calls calls = new Calls();
        loop.addSignalHandler(WINCH, calls);
        assertFalse(loop.removeSignalHandler(URG), msg("G1.5", "removeSignalHandler of a signal the loop does not"
                + " handle must answer false"));
        assertTrue(loop.removeSignalHandler(WINCH), msg("G1.5", "removeSignalHandler of a handled signal must"
                + " answer true"));
        assertFalse(loop.removeSignalHandler(WINCH), msg("G1.5", "a second removeSignalHandler must answer false"));
        assertSentinelGets("G1.5", WINCH, "removeSignalHandler");
        assertSentinelInstalled("G1.5", WINCH, "removeSignalHandler");
        runOneIteration("G1.5");
        assertEquals(0, calls.count(), msg("G1.5", "a signal raised after removeSignalHandler ran the callback"));
    }

    @Test
    @DisplayName("G1.6 close() removes every handler the loop installed, putting back the ones from before")
    void required_G1_6_closeRemovesHandlers() {
        loop.addSignalHandler(WINCH, new Calls());
        loop.addSignalHandler(URG, new Calls());
        loop.close();
        for (String name : USED) {
            assertSentinelInstalled("G1.6", name, "close()");
        }
        assertSentinelGets("G1.6", WINCH, "close()");
        assertFalse(loop.removeSignalHandler(WINCH), msg("G1.6", "after close() the loop handles no signal:"
                + " removeSignalHandler must answer false"));
    }

    @Test
    @DisplayName("G1.7 a callback that throws is reported through the exception handler; the handler stays")
    void required_G1_7_throwingCallbackReported() {
        expectReports();
        RuntimeException boom = new RuntimeException("G1.7 boom");
        Calls calls = new Calls(loop, () -> {
            throw boom;
        });
        loop.addSignalHandler(WINCH, calls);
        raiseAndRun("G1.7", WINCH, calls);
        runOneIteration("G1.7");
        List<ExceptionContext> reports = reports();
        assertEquals(1, reports.size(), msg("G1.7", "the exception of a signal callback must be reported once"
                + " through the exception handler, got " + reports));
        assertSame(boom, reports.getFirst().exception().orElse(null), msg("G1.7", "the report must carry the"
                + " callback's exception: " + reports.getFirst()));
        raiseAndRun("G1.7", WINCH, calls);
        assertEquals(2, calls.count(), msg("G1.7", "after a callback threw, the next signal must run it again"));
    }

    @Test
    @DisplayName("G1.8 a signal is named with or without the SIG prefix: \"SIGWINCH\" and \"WINCH\" are one signal")
    void required_G1_8_namesWithAndWithoutPrefix() {
        Calls first = new Calls();
        Calls second = new Calls();
        loop.addSignalHandler("SIG" + WINCH, first);
        loop.addSignalHandler(WINCH, second);
        raiseAndRun("G1.8", WINCH, second);
        assertEquals(0, first.count(), msg("G1.8", "adding \"WINCH\" after \"SIGWINCH\" must replace the callback"));
        assertTrue(loop.removeSignalHandler("SIG" + WINCH), msg("G1.8", "removeSignalHandler(\"SIGWINCH\") must"
                + " remove the handler added as \"WINCH\""));
        assertFalse(loop.removeSignalHandler(WINCH), msg("G1.8", "the handler is gone; \"WINCH\" must answer false"));
        assertSentinelInstalled("G1.8", WINCH, "removeSignalHandler");
    }

    @Test
    @DisplayName("G1.9 null arguments throw NullPointerException naming them; unknown names IllegalArgumentException")
    @SuppressWarnings("NullAway") // passes null on purpose: the rule is that it is rejected
    void required_G1_9_badArguments() {
        Runnable cb = () -> { };
        assertNpe(() -> loop.addSignalHandler(null, cb), "signal");
        assertNpe(() -> loop.addSignalHandler(WINCH, null), "callback");
        assertNpe(() -> loop.addSignalHandler(WINCH, cb, null), "context");
        assertNpe(() -> loop.removeSignalHandler(null), "signal");
        for (String bad : List.of("NOPE", "SIG", "")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> loop.addSignalHandler(bad, cb), msg("G1.9", "addSignalHandler(\"" + bad + "\") must throw"
                            + " IllegalArgumentException: no signal has that name"));
            assertTrue(String.valueOf(e.getMessage()).contains("\"" + bad + "\""), msg("G1.9", "the message must"
                    + " quote the name given, \"" + bad + "\": " + e.getMessage()));
            assertThrows(IllegalArgumentException.class, () -> loop.removeSignalHandler(bad),
                    msg("G1.9", "removeSignalHandler(\"" + bad + "\") must throw IllegalArgumentException"));
        }
        assertSentinelInstalled("G1.9", WINCH, "calls that threw");
    }

    private static void assertNpe(Runnable call, String argument) {
        NullPointerException e = assertThrows(NullPointerException.class, call::run,
                msg("G1.9", "a null " + argument + " must throw NullPointerException at the call"));
        assertTrue(String.valueOf(e.getMessage()).contains(argument), msg("G1.9", "the NullPointerException"
                + " must name the argument " + argument + ": " + e.getMessage()));
    }

    @Test
    @DisplayName("G1.10 SIGKILL and SIGSTOP cannot be caught: IllegalArgumentException saying so")
    void required_G1_10_uncatchableSignals() {
        for (String name : List.of("KILL", "STOP", "SIGKILL")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> loop.addSignalHandler(name, () -> { }), msg("G1.10", "addSignalHandler(\"" + name
                            + "\") must throw IllegalArgumentException"));
            assertTrue(String.valueOf(e.getMessage()).contains("cannot be caught"), msg("G1.10", "the message must"
                    + " say the signal cannot be caught: " + e.getMessage()));
            assertFalse(loop.removeSignalHandler(name), msg("G1.10", "nothing was installed for " + name
                    + ": removeSignalHandler must answer false"));
        }
    }

    @Test
    @DisplayName("G1.11 signals the JVM reserves (SEGV, ILL, FPE, QUIT) are refused with IllegalArgumentException naming them")
    void required_G1_11_jvmReservedSignals() {
        for (String name : List.of("SEGV", "ILL", "FPE", "QUIT")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> loop.addSignalHandler(name, () -> { }), msg("G1.11", "addSignalHandler(\"" + name
                            + "\") must throw IllegalArgumentException: the JVM keeps SIG" + name + " for itself"));
            assertTrue(String.valueOf(e.getMessage()).contains(name), msg("G1.11", "the message must name SIG"
                    + name + ": " + e.getMessage()));
        }
    }

    @Test
    @DisplayName("G1.12 on a closed loop addSignalHandler throws IllegalStateException and installs nothing")
    void required_G1_12_closedLoop() {
        loop.close();
        assertThrows(IllegalStateException.class, () -> loop.addSignalHandler(WINCH, () -> { }),
                msg("G1.12", "addSignalHandler on a closed loop must throw IllegalStateException"));
        assertFalse(loop.removeSignalHandler(WINCH), msg("G1.12", "removeSignalHandler on a closed loop must"
                + " answer false"));
        assertSentinelInstalled("G1.12", WINCH, "addSignalHandler on a closed loop");
    }

    @Test
    @DisplayName("G1.13 a signal one loop handles is refused to another with IllegalStateException until removed")
    void required_G1_13_oneLoopPerSignal() {
        EventLoop other = otherLoop();
        Calls mine = new Calls();
        loop.addSignalHandler(WINCH, mine);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> other.addSignalHandler(WINCH, () -> { }), msg("G1.13", "a second loop adding a signal the first"
                        + " handles must throw IllegalStateException, not take the signal silently"));
        assertTrue(String.valueOf(e.getMessage()).contains("WINCH"), msg("G1.13", "the message must name the"
                + " signal: " + e.getMessage()));
        assertFalse(other.removeSignalHandler(WINCH), msg("G1.13", "the other loop does not handle SIGWINCH:"
                + " removeSignalHandler must answer false and leave the first loop's handler"));
        raiseAndRun("G1.13", WINCH, mine);
        assertTrue(loop.removeSignalHandler(WINCH), msg("G1.13", "the first loop's removeSignalHandler"));
        Calls theirs = new Calls(other, () -> { });
        other.addSignalHandler(WINCH, theirs);
        Future<@Nullable Void> next = theirs.next();
        raise(WINCH);
        other.callLater(defaultWait(), other::stop);
        try {
            other.runUntilComplete(next);
        } catch (IllegalStateException stopped) {
            fail(msg("G1.13", "the second loop's callback did not run within " + defaultWait() + " after the first"
                    + " loop removed its handler and the second added one"), stopped);
        }
    }

    @Test
    @DisplayName("G1.14 addSignalHandler and removeSignalHandler work from another thread while the loop runs (debug mode)")
    void required_G1_14_anyThread() {
        loop.setDebug(true);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicReference<Boolean> removed = new AtomicReference<>();
        Calls calls = new Calls(loop, () -> {
            Thread remover = new Thread(() -> {
                try {
                    removed.set(loop.removeSignalHandler(WINCH));
                } catch (Throwable t) {
                    failure.set(t);
                } finally {
                    loop.callSoonThreadsafe(loop::stop);
                }
            }, "asyncloop-tck-G1.14-remover");
            remover.start();
        });
        loop.callSoon(() -> {
            Thread adder = new Thread(() -> {
                try {
                    loop.addSignalHandler(WINCH, calls);
                    raise(WINCH);
                } catch (Throwable t) {
                    failure.set(t);
                    loop.callSoonThreadsafe(loop::stop);
                }
            }, "asyncloop-tck-G1.14-adder");
            adder.start();
        });
        runForever("G1.14", defaultWait());
        if (failure.get() != null) {
            fail(msg("G1.14", "addSignalHandler/removeSignalHandler from a thread other than the loop's threw;"
                    + " unlike asyncio they have no main-thread or loop-thread rule"), failure.get());
        }
        assertEquals(1, calls.count(), msg("G1.14", "the handler added from another thread must run once"));
        assertSame(Thread.currentThread(), calls.threads.getFirst(), msg("G1.14", "the callback must run on the"
                + " loop thread"));
        assertEquals(true, removed.get(), msg("G1.14", "removeSignalHandler from another thread must"
                + " answer true"));
        assertSentinelInstalled("G1.14", WINCH, "removeSignalHandler from another thread");
    }

    @Test
    @DisplayName("G1.15 after the handler was replaced, removing it still puts back the handler from before the first add")
    void required_G1_15_replaceKeepsOriginalPrevious() {
        loop.addSignalHandler(WINCH, new Calls());
        loop.addSignalHandler(WINCH, new Calls());
        loop.addSignalHandler(WINCH, new Calls());
        assertTrue(loop.removeSignalHandler(WINCH), msg("G1.15", "removeSignalHandler must answer true"));
        assertSentinelInstalled("G1.15", WINCH, "replacing the handler twice and removing it");
        assertSentinelGets("G1.15", WINCH, "replacing the handler twice and removing it");
    }
}
