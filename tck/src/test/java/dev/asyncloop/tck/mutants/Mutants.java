package dev.asyncloop.tck.mutants;

import dev.asyncloop.AsyncCallable;
import dev.asyncloop.Context;
import dev.asyncloop.Coroutine;
import dev.asyncloop.EventLoop;
import dev.asyncloop.ExceptionContext;
import dev.asyncloop.Future;
import dev.asyncloop.Handle;
import dev.asyncloop.Task;
import dev.asyncloop.TimerHandle;
import dev.asyncloop.nio.NioEventLoop;
import dev.asyncloop.spi.RunningLoops;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The deliberately broken loops the conformance suite must catch, each with the rule that must catch it.
 * A loop mutant is a {@link ForwardingEventLoop} over a real NIO loop that gets one behaviour wrong, compared
 * with the unmutated forwarding loop; a task mutant is a plain NIO loop whose task factory makes
 * {@link MutantTask}s with one flaw, compared with the same loop making flawless {@link MutantTask}s.
 */
public final class Mutants {
    private Mutants() {
    }

    /**
     * One broken loop.
     *
     * @param name a short name
     * @param rule the ID of the rule whose tests must catch it (a failing test's display name starts with it)
     * @param broken what the mutant gets wrong
     * @param factory makes a new mutant loop
     * @param control makes the unmutated loop the mutant differs from: tests failing on it too cannot catch
     *     the mutant
     */
    public record Mutant(String name, String rule, String broken, Supplier<EventLoop> factory,
                         Supplier<EventLoop> control) {
        Mutant(String name, String rule, String broken, Supplier<EventLoop> factory) {
            this(name, rule, broken, factory, ForwardingEventLoop::new);
        }

        Mutant(String name, String rule, String broken, MutantTask.Flaw flaw) {
            this(name, rule, broken, () -> withTasks(flaw), () -> withTasks(MutantTask.Flaw.NONE));
        }

        @Override
        public String toString() {
            return name + " (" + rule + ")";
        }
    }

    /** @return every mutant */
    public static List<Mutant> all() {
        return List.of(
                new Mutant("lifo-callbacks", "L1.1", "callSoon callbacks run last-in first-out", Lifo::new),
                new Mutant("same-iteration", "L1.2", "callbacks scheduled during an iteration run in it",
                        SameIteration::new),
                new Mutant("ignores-explicit-context", "L1.3", "callSoon(cb, ctx) runs cb in a copy of the"
                        + " caller's context instead of ctx", IgnoresExplicitContext::new),
                new Mutant("cancelled-handles-run", "L1.4", "a callSoon handle's cancel() only flips isCancelled()",
                        CancelledHandlesRun::new),
                new Mutant("cancel-keeps-callback", "L1.6", "cancel() only flips a flag; the callback stays"
                        + " referenced until its turn", CancelKeepsCallback::new),
                new Mutant("equal-deadlines-lifo", "L2.1", "timers with equal deadlines run last-in first-out",
                        EqualDeadlinesLifo::new),
                new Mutant("cancelled-timers-run", "L2.3", "a timer handle's cancel() does nothing",
                        CancelledTimersRun::new),
                new Mutant("early-timers", "L2.4", "timers fire 50 ms before their deadline", EarlyTimers::new),
                new Mutant("lost-wakeup", "L3.1", "callSoonThreadsafe queues without waking the loop",
                        LostWakeup::new),
                new Mutant("threadsafe-cancel-no-wait", "L3.6", "a callSoonThreadsafe handle's cancel() returns while"
                        + " its callback runs", ThreadsafeCancelDoesNotWait::new),
                new Mutant("stop-mid-iteration", "L4.1", "stop() ends the iteration at once; the rest waits",
                        StopMidIteration::new),
                new Mutant("reentrant-run", "L4.3", "runForever while running returns silently",
                        ReentrantRun::new),
                new Mutant("close-while-running", "L4.4", "close() while running does nothing",
                        CloseWhileRunning::new),
                new Mutant("eager-start-ignored", "T3.12", "createTask(..., eagerStart) ignores the caller's"
                        + " choice and lets the factory decide, as before asyncio 3.14", EagerStartIgnored::new),
                new Mutant("task-before-running-check", "L4.8", "runUntilComplete(AsyncCallable) creates its"
                        + " task before checking that no loop runs", TaskBeforeRunningCheck::new),
                new Mutant("run-until-complete-returns-null", "L5.4", "runUntilComplete returns null when the"
                        + " loop stopped before the future was done", RunUntilCompleteReturnsNull::new),
                new Mutant("stale-stop-after-error", "L5.7", "runUntilComplete's stop callback, queued when an"
                        + " Error escaped, stops the next run", StaleStopAfterError::new),
                new Mutant("swallowed-exceptions", "E1.1", "callback exceptions are swallowed, never reported",
                        SwallowedExceptions::new),
                new Mutant("handler-context-ignores-future", "E1.5", "a task reported under future() does not"
                        + " give the handler its context", HandlerContextIgnoresFuture::new),
                new Mutant("no-thread-check", "D1.2", "debug mode lets other threads callSoon while running",
                        NoThreadCheck::new),
                new Mutant("close-keeps-default-executor", "X1.9", "close() leaves a default executor set with"
                        + " setDefaultExecutor running", CloseKeepsDefaultExecutor::new),
                new Mutant("refused-job-as-failed-future", "X1.10", "an executor's refusal becomes a failed future"
                        + " instead of an exception at the call", RefusedJobAsFailedFuture::new),
                new Mutant("inline-done-callbacks", "F3.1", "futures call done-callbacks inline",
                        InlineDoneCallbacks::new),
                new Mutant("reversed-done-callbacks", "F3.2", "futures schedule done-callbacks newest first",
                        ReversedDoneCallbacks::new),
                new Mutant("shared-context", "C1.1", "every callback runs in one shared Context",
                        SharedContext::new),
                new Mutant("print-stack-without-exception", "T3.11", "a failed task's printStack ends with its"
                        + " frames, without the exception's line", PrintStackWithoutException::new),
                new Mutant("task-without-enter-leave", "R1.1", "tasks never call TaskRegistry.enterTask/leaveTask",
                        MutantTask.Flaw.NO_ENTER_LEAVE),
                new Mutant("task-not-registered", "R1.3", "tasks never call TaskRegistry.registerTask",
                        MutantTask.Flaw.NO_REGISTER),
                new Mutant("cancel-not-propagated", "T2.1", "task.cancel() leaves the awaited future pending",
                        MutantTask.Flaw.NO_CANCEL_PROPAGATION),
                new Mutant("cancelling-as-flag", "T2.4", "cancelling() is 0 or 1 instead of a count",
                        MutantTask.Flaw.CANCELLING_AS_FLAG),
                new Mutant("fresh-context-per-step", "C1.3", "each task step runs in a fresh copy of its context",
                        MutantTask.Flaw.FRESH_CONTEXT_PER_STEP),
                network("removed-reader-still-called", "N1.1", "removeReader answers true but the reader keeps"
                        + " running", NetworkMutants.RemovedReaderStillCalled::new),
                network("connection-lost-twice", "N3.3", "connectionLost is called twice",
                        NetworkMutants.ConnectionLostTwice::new),
                network("eof-received-skipped", "N3.4", "eofReceived never reaches the protocol",
                        NetworkMutants.EofReceivedSkipped::new),
                network("protocol-errors-swallowed", "N6.2", "an exception of a protocol callback is swallowed: no"
                        + " report, the transport stays open", NetworkMutants.SwallowedProtocolErrors::new),
                network("data-before-connection-made", "N3.13", "connectionMade arrives after data that was"
                        + " already waiting", NetworkMutants.DataBeforeConnectionMade::new),
                network("accepted-connections-leak-on-abort", "N4.5", "Server.abortClients leaves the accepted"
                        + " connections open", NetworkMutants.AbortClientsLeaks::new),
                network("unavailable-address-fails-server", "N4.15", "a server with an address no interface of"
                        + " this host holds fails instead of serving on the others",
                        NetworkMutants.UnavailableAddressFailsServer::new),
                network("serve-forever-closes-clients", "N4.14", "a cancelled serveForever closes the accepted"
                        + " connections before it waits for them", NetworkMutants.ServeForeverClosesClients::new),
                network("pause-writing-never-called", "N5.1", "pauseWriting/resumeWriting never reach the"
                        + " protocol", NetworkMutants.PauseWritingNever::new),
                network("lost-twice-when-ended-in-resume", "N5.5", "a protocol that closes or aborts its transport"
                        + " inside resumeWriting gets connectionLost twice",
                        NetworkMutants.LostTwiceWhenEndedInResume::new),
                network("datagram-connection-lost-never", "N9.3", "a datagram endpoint's connectionLost never"
                        + " reaches the protocol", NetworkMutants.DatagramConnectionLostNever::new),
                network("pipe-eof-skipped", "N13.2", "a read pipe's end of stream never reaches eofReceived",
                        NetworkMutants.PipeEofSkipped::new),
                network("pipe-connection-lost-twice", "N13.5", "a pipe transport calls connectionLost twice",
                        NetworkMutants.PipeConnectionLostTwice::new),
                network("pipe-writer-never-pauses", "N13.9", "a write pipe never calls pauseWriting/resumeWriting",
                        NetworkMutants.PipeWriterNeverPauses::new),
                network("process-exited-twice", "N14.8", "a subprocess protocol gets processExited twice",
                        NetworkMutants.ProcessExitedTwice::new),
                network("connect-refusal-unnamed", "M1.1", "a refused sockConnect fails with a bare"
                        + " \"Connection refused\" that does not name the address",
                        NetworkMutants.UnnamedSockConnectRefusal::new),
                network("create-connection-refusal-unnamed", "M1.2", "a refused createConnection fails with a"
                        + " bare \"Connection refused\" that does not name the address",
                        NetworkMutants.UnnamedCreateConnectionRefusal::new),
                network("port-unreachable-unnamed", "M1.3", "a connected datagram endpoint's ICMP port-unreachable"
                        + " error has no message", NetworkMutants.UnnamedPortUnreachable::new),
                network("subprocess-connection-lost-before-pipes-closed", "N14.9", "a subprocess protocol gets"
                        + " connectionLost right after processExited, before its pipes are closed",
                        NetworkMutants.ConnectionLostBeforePipesClosed::new),
                network("subprocess-pause-writing-never", "N14.18", "the stdin pipe's pauseWriting/resumeWriting"
                        + " never reach the subprocess protocol", NetworkMutants.SubprocessPauseWritingNever::new),
                network("signal-callback-off-loop", "G1.1", "signal callbacks run on the JVM's signal thread",
                        () -> new SignalMutant(SignalMutant.Flaw.CALLBACK_OFF_LOOP)),
                network("signal-remove-installs-default", "G1.5", "removeSignalHandler installs the default"
                        + " handling instead of the handler from before", () -> new SignalMutant(
                                SignalMutant.Flaw.REMOVE_INSTALLS_DEFAULT)),
                network("signal-handlers-survive-close", "G1.6", "close() leaves the loop's signal handlers"
                        + " installed", () -> new SignalMutant(SignalMutant.Flaw.KEPT_AT_CLOSE)),
                network("tls-connection-made-before-handshake", "N12.2", "a TLS connection's protocol gets"
                        + " connectionMade with the plain transport, before the handshake",
                        TlsMutants.ConnectionMadeBeforeHandshake::new),
                network("tls-close-aborts", "N12.7", "closing a TLS transport aborts it: buffered data is lost and"
                        + " no close_notify is sent", TlsMutants.CloseAborts::new),
                network("undelivered-connection-leaks", "N15.1", "a connection whose only awaiting task is"
                        + " cancelled before it resumes stays open", NetworkMutants.UndeliveredConnectionLeaks::new),
                network("tls-accepted-ignores-ssl", "N12.25", "connectAcceptedSocket with a TLS context serves the"
                        + " connection in plain text", TlsMutants.AcceptedIgnoresSsl::new),
                network("tls-accepted-done-before-handshake", "N12.26", "connectAcceptedSocket with TLS is done"
                        + " with the plain transport before the handshake and connectionMade",
                        TlsMutants.AcceptedDoneBeforeHandshake::new),
                network("send-signal-always-terminates", "N14.25", "a subprocess transport's sendSignal sends"
                        + " SIGTERM whatever signal it is asked for", NetworkMutants.SendSignalAlwaysTerminates::new),
                network("pipeline-stages-unconnected", "N14.28", "subprocessPipeline starts each stage on its own"
                        + " with every pipe instead of joining each stdout to the next stdin",
                        NetworkMutants.PipelineStagesUnconnected::new),
                network("pipeline-start-error-unnamed", "N14.30", "a pipeline stage that cannot start fails the"
                        + " future with the JDK's bare error, which names no stage",
                        NetworkMutants.PipelineStartErrorUnnamed::new),
                network("undelivered-pipeline-leaks", "N15.12", "the stages of a pipeline whose only awaiting task"
                        + " is cancelled before it resumes stay open", NetworkMutants.UndeliveredPipelineLeaks::new),
                network("datagram-recv-skips-empty", "N2.13", "sockRecv on a connected datagram channel takes an"
                        + " empty datagram for nothing received and waits for the next",
                        NetworkMutants.DatagramRecvSkipsEmpty::new),
                network("full-buffer-hides-closed-channel", "N2.16", "sockRecvInto of a full buffer answers 0 on a"
                        + " closed channel instead of failing as sockRecv does",
                        NetworkMutants.FullBufferHidesClosedChannel::new),
                network("undelivered-start-tls-closes-gracefully", "N15.9", "startTls's TLS transport, when its"
                        + " only awaiting task is cancelled before taking it, is closed with a TLS shutdown that"
                        + " waits for the peer instead of the plain transport closing at once",
                        TlsMutants.UndeliveredStartTlsClosesGracefully::new),
                poller("poller-never-flushes-cancelled-keys", "P1.1", "a Selector poller never flushes a cancelled"
                        + " key, so a channel cannot be registered again until the next select",
                        PollerMutant.Flaw.NEVER_FLUSHES),
                poller("poller-keeps-closed-channels", "P1.3", "a Selector poller flushes cancelled keys only before"
                        + " registering again, so a channel closed right after deregister keeps its descriptor",
                        PollerMutant.Flaw.NO_FLUSH_ON_DEREGISTER),
                poller("poller-reports-closed-channel-for-its-successor", "N1.11", "a poller keyed by descriptor"
                        + " keeps the slot of a channel closed while watched, so the events of the new channel on"
                        + " that descriptor also run the closed channel's reader",
                        PollerMutant.Flaw.REPORTS_CLOSED_FOR_ITS_SUCCESSOR),
                poller("poller-pins-carrier", "L3.5", "a poller on a virtual thread waits by native sleeps between"
                        + " non-blocking selects, holding its carrier, so loops waiting on every carrier starve the"
                        + " other virtual threads", PollerMutant.Flaw.PINS_CARRIER));
    }

    /** A third-party poller's mutant, compared with the same poller without the flaw. */
    private static Mutant poller(String name, String rule, String broken, PollerMutant.Flaw flaw) {
        return new Mutant(name, rule, broken, () -> new PollerMutant(flaw), () -> new PollerMutant(
                PollerMutant.Flaw.NONE));
    }

    /** A networking mutant, compared with the unmutated {@link ForwardingNetworkLoop}. */
    private static Mutant network(String name, String rule, String broken, Supplier<EventLoop> factory) {
        return new Mutant(name, rule, broken, factory, ForwardingNetworkLoop::new);
    }

    /** Broken F3.2: futures keep their done-callbacks on a stack and schedule them newest first. */
    static final class ReversedDoneCallbacks extends ForwardingEventLoop {
        @Override
        public <T> Future<T> createFuture() {
            return new ReversedCallbacksFuture<>(delegate);
        }
    }

    /** A plain NIO loop whose tasks are {@link MutantTask}s with {@code flaw}. */
    static EventLoop withTasks(MutantTask.Flaw flaw) {
        NioEventLoop loop = new NioEventLoop();
        loop.setTaskFactory(MutantTask.factory(flaw));
        return loop;
    }

    // ------------------------------------------------------------------ callbacks

    /** Broken L1.1: buffers callSoon callbacks and runs them newest first from one scheduled callback. */
    static final class Lifo extends ForwardingEventLoop {
        private final Deque<MutantHandle> pending = new ArrayDeque<>();
        private boolean flushScheduled;

        @Override
        public Handle callSoon(Runnable callback, Context context) {
            MutantHandle h = new MutantHandle(callback, context, 0);
            pending.push(h);
            if (!flushScheduled) {
                flushScheduled = true;
                delegate.callSoon(this::flush);
            }
            return h;
        }

        private void flush() {
            flushScheduled = false;
            while (!pending.isEmpty()) {
                pending.pop().run();
            }
        }
    }

    /** Broken L1.2: runs callbacks from one drain that also runs those scheduled while it drains. */
    static final class SameIteration extends ForwardingEventLoop {
        private final Deque<MutantHandle> pending = new ArrayDeque<>();
        private boolean drainScheduled;

        @Override
        public Handle callSoon(Runnable callback, Context context) {
            MutantHandle h = new MutantHandle(callback, context, 0);
            pending.add(h);
            if (!drainScheduled) {
                drainScheduled = true;
                delegate.callSoon(this::drain);
            }
            return h;
        }

        private void drain() {
            while (!pending.isEmpty()) {
                pending.poll().run();
            }
            drainScheduled = false;
        }
    }

    /** Broken L1.4: cancelling a callSoon or callSoonThreadsafe handle does not stop the callback. */
    static final class CancelledHandlesRun extends ForwardingEventLoop {
        @Override
        public Handle callSoon(Runnable callback, Context context) {
            delegate.callSoon(callback, context);
            return new MutantHandle(callback, context, 0);
        }

        @Override
        public Handle callSoonThreadsafe(Runnable callback, Context context) {
            delegate.callSoonThreadsafe(callback, context);
            return new MutantHandle(callback, context, 0);
        }
    }

    /** Broken L3.6: a callSoonThreadsafe handle runs and cancels without a lock, as before asyncio 3.14. */
    static final class ThreadsafeCancelDoesNotWait extends ForwardingEventLoop {
        @Override
        public Handle callSoonThreadsafe(Runnable callback, Context context) {
            MutantHandle h = new MutantHandle(callback, context, 0);
            delegate.callSoonThreadsafe(h::run, new Context()); // h enters the callback's own context
            return h;
        }
    }

    /** Broken L1.3: ignores the explicit context of callSoon. */
    static final class IgnoresExplicitContext extends ForwardingEventLoop {
        @Override
        public Handle callSoon(Runnable callback, Context context) {
            return delegate.callSoon(callback, Context.copyCurrent());
        }
    }

    /** Broken C1.1: every callback of every kind runs in one shared context. */
    static final class SharedContext extends ForwardingEventLoop {
        private final Context shared = new Context();

        @Override
        public Handle callSoon(Runnable callback, Context context) {
            return delegate.callSoon(callback, shared);
        }

        @Override
        public TimerHandle callLater(Duration delay, Runnable callback, Context context) {
            return delegate.callLater(delay, callback, shared);
        }

        @Override
        public TimerHandle callAt(double when, Runnable callback, Context context) {
            return delegate.callAt(when, callback, shared);
        }

        @Override
        public Handle callSoonThreadsafe(Runnable callback, Context context) {
            return delegate.callSoonThreadsafe(callback, shared);
        }
    }

    // ------------------------------------------------------------------ timers

    /** Broken L2.1: later timers get an earlier slot among equal deadlines (each up to 10 ms late, never early). */
    static final class EqualDeadlinesLifo extends ForwardingEventLoop {
        private int sequence;

        private double lateness() {
            return (100 - sequence++ % 100) * 100e-6;
        }

        @Override
        public TimerHandle callLater(Duration delay, Runnable callback, Context context) {
            return delegate.callAt(delegate.time() + delay.toNanos() / 1e9 + lateness(), callback, context);
        }

        @Override
        public TimerHandle callAt(double when, Runnable callback, Context context) {
            return delegate.callAt(when + lateness(), callback, context);
        }
    }

    /** Broken L2.3: cancelling a timer handle does not cancel the timer. */
    static final class CancelledTimersRun extends ForwardingEventLoop {
        @Override
        public TimerHandle callLater(Duration delay, Runnable callback, Context context) {
            return deaf(delegate.callLater(delay, callback, context));
        }

        @Override
        public TimerHandle callAt(double when, Runnable callback, Context context) {
            return deaf(delegate.callAt(when, callback, context));
        }

        private static TimerHandle deaf(TimerHandle real) {
            return new MutantHandle(() -> { }, real.getContext(), real.when());
        }
    }

    /** Broken L2.4: timers fire 50 ms early; their handles report the deadline asked for. */
    static final class EarlyTimers extends ForwardingEventLoop {
        @Override
        public TimerHandle callLater(Duration delay, Runnable callback, Context context) {
            return callAt(delegate.time() + delay.toNanos() / 1e9, callback, context);
        }

        @Override
        public TimerHandle callAt(double when, Runnable callback, Context context) {
            TimerHandle early = delegate.callAt(when - 0.05, callback, context);
            return new TimerHandle() {
                @Override
                public double when() {
                    return when;
                }

                @Override
                public void cancel() {
                    early.cancel();
                }

                @Override
                public boolean isCancelled() {
                    return early.isCancelled();
                }

                @Override
                public Context getContext() {
                    return early.getContext();
                }
            };
        }
    }

    // ------------------------------------------------------------------ threads

    /** Broken L3.1: callSoonThreadsafe queues the callback but never wakes a blocked loop. */
    static final class LostWakeup extends ForwardingEventLoop {
        @Override
        public Handle callSoonThreadsafe(Runnable callback, Context context) {
            return delegate.callSoon(callback, context);
        }
    }

    /** Broken D1.2: in debug mode, callSoon from a foreign thread is accepted instead of refused. */
    static final class NoThreadCheck extends ForwardingEventLoop {
        @Override
        public Handle callSoon(Runnable callback, Context context) {
            if (delegate.isRunning() && !RunningLoops.isCurrent(delegate)) {
                return delegate.callSoonThreadsafe(callback, context);
            }
            return delegate.callSoon(callback, context);
        }

        @Override
        public TimerHandle callLater(Duration delay, Runnable callback, Context context) {
            if (delegate.isRunning() && !RunningLoops.isCurrent(delegate)) {
                delegate.callSoonThreadsafe(() -> delegate.callLater(delay, callback, context));
                return new MutantHandle(callback, context, delegate.time() + delay.toNanos() / 1e9);
            }
            return delegate.callLater(delay, callback, context);
        }

        @Override
        public TimerHandle callAt(double when, Runnable callback, Context context) {
            if (delegate.isRunning() && !RunningLoops.isCurrent(delegate)) {
                delegate.callSoonThreadsafe(() -> delegate.callAt(when, callback, context));
                return new MutantHandle(callback, context, when);
            }
            return delegate.callAt(when, callback, context);
        }
    }

    /** Broken L1.6: the returned handle keeps the callback; cancel() only stops it from running. */
    static final class CancelKeepsCallback extends ForwardingEventLoop {
        private static Runnable unlessCancelled(MutantHandle h, Runnable callback) {
            return () -> {
                if (!h.isCancelled()) {
                    callback.run();
                }
            };
        }

        @Override
        public Handle callSoon(Runnable callback, Context context) {
            MutantHandle h = new MutantHandle(callback, context, 0);
            delegate.callSoon(unlessCancelled(h, callback), context);
            return h;
        }

        @Override
        public TimerHandle callLater(Duration delay, Runnable callback, Context context) {
            MutantHandle h = new MutantHandle(callback, context, delegate.time() + delay.toNanos() / 1e9);
            delegate.callLater(delay, unlessCancelled(h, callback), context);
            return h;
        }
    }

    /** Broken E1.5: drops a report's future() before handing it on, so a task there gives no context. */
    static final class HandlerContextIgnoresFuture extends ForwardingEventLoop {
        @Override
        public void callExceptionHandler(ExceptionContext context) {
            delegate.callExceptionHandler(context.task().isEmpty() ? context.toBuilder().future(null).build()
                    : context);
        }
    }

    /** Broken X1.9: the executor given to setDefaultExecutor is hidden behind a wrapper that ignores shutdown. */
    static final class CloseKeepsDefaultExecutor extends ForwardingEventLoop {
        @Override
        public void setDefaultExecutor(ExecutorService executor) {
            delegate.setDefaultExecutor(new AbstractExecutorService() {
                @Override
                public void execute(Runnable command) {
                    executor.execute(command);
                }

                @Override
                public void shutdown() {
                }

                @Override
                public List<Runnable> shutdownNow() {
                    return List.of();
                }

                @Override
                public boolean isShutdown() {
                    return false;
                }

                @Override
                public boolean isTerminated() {
                    return false;
                }

                @Override
                public boolean awaitTermination(long timeout, TimeUnit unit) {
                    return false;
                }
            });
        }
    }

    /** Broken X1.10: a refused job yields a failed future instead of the executor's exception. */
    static final class RefusedJobAsFailedFuture extends ForwardingEventLoop {
        @Override
        public <T> Future<T> runInExecutor(Executor executor, Callable<T> function) {
            try {
                return delegate.runInExecutor(executor, function);
            } catch (RejectedExecutionException refused) {
                Future<T> failed = delegate.createFuture();
                failed.setException(refused);
                return failed;
            }
        }
    }

    // ------------------------------------------------------------------ lifecycle

    /** Broken L4.1: stop() abandons the rest of the current iteration; its callbacks run after the next start. */
    static final class StopMidIteration extends ForwardingEventLoop {
        private volatile boolean halted;

        @Override
        public void stop() {
            halted = true;
            super.stop();
        }

        @Override
        public void runForever() {
            halted = false;
            super.runForever();
        }

        @Override
        public <T> T runUntilComplete(Future<T> future) {
            halted = false;
            return super.runUntilComplete(future);
        }

        @Override
        public <T> T runUntilComplete(AsyncCallable<T> main) {
            halted = false;
            return super.runUntilComplete(main);
        }

        @Override
        public Handle callSoon(Runnable callback, Context context) {
            return delegate.callSoon(haltable(callback, context), context);
        }

        @Override
        public TimerHandle callLater(Duration delay, Runnable callback, Context context) {
            return delegate.callLater(delay, haltable(callback, context), context);
        }

        @Override
        public TimerHandle callAt(double when, Runnable callback, Context context) {
            return delegate.callAt(when, haltable(callback, context), context);
        }

        private Runnable haltable(Runnable callback, Context context) {
            return new Runnable() {
                @Override
                public void run() {
                    if (halted) {
                        delegate.callSoon(this, context);
                    } else {
                        callback.run();
                    }
                }
            };
        }
    }

    /** Broken L4.3: a nested runForever returns silently instead of throwing. */
    static final class ReentrantRun extends ForwardingEventLoop {
        @Override
        public void runForever() {
            if (!delegate.isRunning()) {
                super.runForever();
            }
        }
    }

    /** Broken L4.4: close() while running is ignored instead of refused. */
    static final class CloseWhileRunning extends ForwardingEventLoop {
        @Override
        public void close() {
            if (!delegate.isRunning()) {
                super.close();
            }
        }
    }

    /** Broken T3.12: the eager-start choice of createTask is dropped (the factory's default decides). */
    static final class EagerStartIgnored extends ForwardingEventLoop {
        @Override
        public <T> Task<T> createTask(Coroutine<T> coroutine, String name, Context context, boolean eagerStart) {
            return createTask(coroutine, name, context);
        }
    }

    /** Broken L4.8: a refused runUntilComplete(AsyncCallable) leaves its task scheduled, so the body runs later. */
    static final class TaskBeforeRunningCheck extends ForwardingEventLoop {
        @Override
        public <T> T runUntilComplete(AsyncCallable<T> main) {
            return super.runUntilComplete(createTask(main));
        }
    }

    /**
     * Broken L5.7: an Error escaping runUntilComplete leaves a stop() queued that ends the next run after one
     * iteration, as asyncio's done-callback did before bpo-22429.
     */
    static final class StaleStopAfterError extends ForwardingEventLoop {
        @Override
        public <T> T runUntilComplete(AsyncCallable<T> main) {
            try {
                return super.runUntilComplete(main);
            } catch (Error e) {
                callSoon(this::stop);
                throw e;
            }
        }

        @Override
        public <T> T runUntilComplete(Future<T> future) {
            try {
                return super.runUntilComplete(future);
            } catch (Error e) {
                if (future.isDone()) {
                    callSoon(this::stop);
                }
                throw e;
            }
        }
    }

    /** Broken L5.4: runUntilComplete returns null when the loop stopped before the future was done. */
    static final class RunUntilCompleteReturnsNull extends ForwardingEventLoop {
        @Override
        public <T> T runUntilComplete(Future<T> future) {
            try {
                return super.runUntilComplete(future);
            } catch (IllegalStateException e) {
                if (!future.isDone() && String.valueOf(e.getMessage()).startsWith("Event loop stopped")) {
                    return null;
                }
                throw e;
            }
        }
    }

    // ------------------------------------------------------------------ errors

    /** Broken E1.1: exceptions thrown by callbacks are swallowed. */
    static final class SwallowedExceptions extends ForwardingEventLoop {
        private static Runnable quiet(Runnable callback) {
            return () -> {
                try {
                    callback.run();
                } catch (RuntimeException ignored) {
                    // the mutation: nobody hears of it
                }
            };
        }

        @Override
        public Handle callSoon(Runnable callback, Context context) {
            return delegate.callSoon(quiet(callback), context);
        }

        @Override
        public TimerHandle callLater(Duration delay, Runnable callback, Context context) {
            return delegate.callLater(delay, quiet(callback), context);
        }

        @Override
        public TimerHandle callAt(double when, Runnable callback, Context context) {
            return delegate.callAt(when, quiet(callback), context);
        }

        @Override
        public Handle callSoonThreadsafe(Runnable callback, Context context) {
            return delegate.callSoonThreadsafe(quiet(callback), context);
        }
    }

    // ------------------------------------------------------------------ futures and tasks

    /** Broken F3.1: createFuture returns futures that call their done-callbacks inline. */
    static final class InlineDoneCallbacks extends ForwardingEventLoop {
        @Override
        public <T> Future<T> createFuture() {
            return new InlineFuture<>(delegate);
        }
    }

    /**
     * Broken T3.11: tasks print their stack as {@code Task}'s default does, with no exception line after a failed
     * task's frames, as a task class that does not override printStack would.
     */
    static final class PrintStackWithoutException extends ForwardingEventLoop {
        PrintStackWithoutException() {
            delegate.setTaskFactory(new dev.asyncloop.TaskFactory() {
                @Override
                public <T> dev.asyncloop.Task<T> newTask(EventLoop loop, dev.asyncloop.Coroutine<T> coroutine,
                        String name, Context context) {
                    return new dev.asyncloop.spi.BaseTask<>(loop, coroutine, name, context, false) {
                        @Override
                        public void printStack(java.io.PrintStream out, int limit) {
                            List<StackTraceElement> frames = getStack(limit);
                            if (frames.isEmpty()) {
                                out.println("No stack for " + this);
                                return;
                            }
                            out.println((isDone() ? "Traceback for " : "Stack for ") + this
                                    + " (most recent call first):");
                            for (StackTraceElement f : frames) {
                                out.println("\tat " + f);
                            }
                        }
                    };
                }
            });
        }
    }
}
