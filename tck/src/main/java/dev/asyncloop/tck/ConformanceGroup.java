package dev.asyncloop.tck;

import static org.junit.jupiter.api.Assertions.fail;

import dev.asyncloop.AsyncCallable;
import dev.asyncloop.EventLoop;
import dev.asyncloop.ExceptionContext;
import dev.asyncloop.Future;
import dev.asyncloop.spi.Capability;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;

/**
 * The base of every group of the suite: opens a loop before each test and closes it after, records what the
 * loop reports to its exception handler, and runs the loop with bounded waits.
 *
 * <p>A test that expects reports calls {@link #expectReports()}; otherwise any report fails the test after it
 * ran (uvloop's habit: an unexpected exception-handler call is a bug).
 */
abstract class ConformanceGroup {
    /** The suite's bounded wait: how long any one wait of a test lasts before it fails with what hung. */
    static final Duration DEFAULT_WAIT = Duration.ofSeconds(10);
    private static volatile Duration boundedWait = DEFAULT_WAIT;
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "asyncloop-tck-watchdog");
        t.setDaemon(true);
        return t;
    });

    /**
     * The bounded wait in force: {@link #DEFAULT_WAIT}, unless the project's own mutant test shortened it for the
     * runs of a deliberately broken loop (whose rule's test then fails sooner when what it waits for never comes).
     */
    static Duration defaultWait() {
        return boundedWait;
    }

    /**
     * Sets the bounded wait of every test run from now on, for the mutant test of this project; a loop's own run
     * never calls this.
     */
    static void setBoundedWait(Duration wait) {
        boundedWait = wait;
    }

    final EventLoopConformanceSuite suite;
    /** The loop under test, new for each test. */
    EventLoop loop;
    private final List<ExceptionContext> reports = Collections.synchronizedList(new ArrayList<>());
    private boolean reportsExpected;

    ConformanceGroup(EventLoopConformanceSuite suite) {
        this.suite = suite;
    }

    @BeforeEach
    final void openLoop() {
        loop = Objects.requireNonNull(suite.newLoop(), "[TCK] newLoop() returned null");
        if (loop.isRunning() || loop.isClosed()) {
            fail("[TCK] newLoop() must return a loop that is neither running nor closed, got " + loop);
        }
        loop.setExceptionHandler((l, context) -> reports.add(context));
    }

    @AfterEach
    final void closeLoop() {
        if (loop == null) {
            return;
        }
        if (!loop.isRunning() && !loop.isClosed()) {
            loop.close();
        }
        if (!reportsExpected && !reports.isEmpty()) {
            fail("[E1.1] the loop reported to its exception handler although nothing should have failed: "
                    + reports);
        }
    }

    /** Allows the test to make the loop report through its exception handler. */
    final void expectReports() {
        reportsExpected = true;
    }

    /** @return what the loop reported so far, in order */
    final List<ExceptionContext> reports() {
        synchronized (reports) {
            return List.copyOf(reports);
        }
    }

    /** Skips the test unless the loop claims {@code capability}. */
    final void requireCapability(Capability capability) {
        Assumptions.assumeTrue(suite.capabilities().contains(capability),
                "the loop does not claim " + capability);
    }

    /** Prefixes a message with its rule ID, as every assertion message of the suite must. */
    static String msg(String rule, String text) {
        return "[" + rule + "] " + text;
    }

    /**
     * Runs {@code main} as a task until it is done, at most {@link #defaultWait()}.
     *
     * @param rule the rule the test checks, for the timeout message
     * @param main the coroutine body
     * @return its result
     */
    final <T extends @Nullable Object> T run(String rule, AsyncCallable<T> main) {
        return run(rule, defaultWait(), main);
    }

    final <T extends @Nullable Object> T run(String rule, Duration timeout, AsyncCallable<T> main) {
        return runUntil(rule, "the test's main task", timeout, loop.createTask(main));
    }

    /**
     * Runs the loop until {@code future} is done, failing with {@code [rule] ... hung} when it takes longer than
     * {@code timeout}. A watchdog thread stops the loop (with {@code callSoonThreadsafe} and {@code stop}) at
     * the deadline.
     */
    final <T extends @Nullable Object> T runUntil(String rule, String what, Duration timeout, Future<T> future) {
        AtomicBoolean timedOut = new AtomicBoolean();
        ScheduledFuture<?> dog = startWatchdog(timeout, timedOut);
        try {
            return loop.runUntilComplete(future);
        } catch (IllegalStateException e) {
            if (timedOut.get() && !future.isDone()) {
                throw new AssertionError(msg(rule, "hung: " + what + " was not done after " + timeout
                        + " (" + future + "); " + hangHint()), e);
            }
            throw e;
        } finally {
            dog.cancel(false);
        }
    }

    /** What a "hung" message tells the author to check; a group whose tests wait on I/O adds its own causes. */
    String hangHint() {
        return "check that the loop runs ready callbacks and due timers and wakes up from callSoonThreadsafe, and"
                + " that poll(n) returns after at most n ns (a millisecond primitive rounds up, and never to its own"
                + " 'forever': Selector.select(0) blocks until an event, so 0.5 ms must become 1 ms, not 0)";
    }

    /** Runs the loop until {@code stop()}, with the same watchdog as {@link #runUntil}. */
    final void runForever(String rule, Duration timeout) {
        AtomicBoolean timedOut = new AtomicBoolean();
        ScheduledFuture<?> dog = startWatchdog(timeout, timedOut);
        try {
            loop.runForever();
        } finally {
            dog.cancel(false);
        }
        if (timedOut.get()) {
            fail(msg(rule, "hung: runForever() did not return within " + timeout + ": the callback or timer that"
                    + " calls stop() never ran, or stop() did not end the loop after the current iteration; "
                    + hangHint()));
        }
    }

    /** The idle window of {@link #cpuMillisWhileIdle} and the most CPU a loop may use in it. */
    static final Duration IDLE_WINDOW = Duration.ofMillis(300);
    static final long MAX_IDLE_CPU_MILLIS = IDLE_WINDOW.toMillis() / 2;

    /**
     * Runs the loop (after what is already queued) through {@link #IDLE_WINDOW} with nothing to do but wait for a
     * timer, then stops it; fails unless both of the timers that bound the window ran.
     *
     * @return the loop thread's CPU time in the window in milliseconds, or -1 if this JVM cannot measure it
     */
    final long cpuMillisWhileIdle(String rule, String afterWhat) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        boolean clock = threads.isCurrentThreadCpuTimeSupported() && threads.isThreadCpuTimeEnabled();
        long[] cpu = {Long.MIN_VALUE, Long.MIN_VALUE};
        loop.callLater(Duration.ofMillis(20), () -> cpu[0] = clock ? threads.getCurrentThreadCpuTime() : -1);
        loop.callLater(IDLE_WINDOW.plusMillis(20), () -> {
            cpu[1] = clock ? threads.getCurrentThreadCpuTime() : -1;
            loop.stop();
        });
        runForever(rule, defaultWait());
        if (cpu[0] == Long.MIN_VALUE || cpu[1] == Long.MIN_VALUE) {
            fail(msg(rule, "a timer due " + (cpu[0] == Long.MIN_VALUE ? "20 ms" : IDLE_WINDOW.plusMillis(20))
                    + " after " + afterWhat + " did not run before runForever returned; the loop must go on"
                    + " running its callbacks and timers until stop()"));
        }
        return clock ? (cpu[1] - cpu[0]) / 1_000_000 : -1;
    }

    /**
     * At {@code timeout}, sets {@code timedOut} and stops the loop, both through {@code callSoonThreadsafe} and
     * directly: a loop that loses callSoonThreadsafe wake-ups (L3.1) must still end the test.
     */
    private ScheduledFuture<?> startWatchdog(Duration timeout, AtomicBoolean timedOut) {
        return WATCHDOG.schedule(() -> {
            timedOut.set(true);
            try {
                loop.callSoonThreadsafe(loop::stop);
            } catch (RuntimeException closed) {
                // closed meanwhile: stop() below is all that is left to do
            }
            loop.stop();
        }, timeout.toNanos(), TimeUnit.NANOSECONDS);
    }
}
