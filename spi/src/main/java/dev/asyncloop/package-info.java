/**
 * The application API: Python asyncio's event-loop model in Java.
 *
 * <h2 id="threading">Threading</h2>
 * An {@link dev.asyncloop.EventLoop} runs on one thread at a time, the thread that called
 * {@code runForever} or {@code runUntilComplete} (the <em>loop thread</em>). Every method of
 * {@link dev.asyncloop.EventLoop}, {@link dev.asyncloop.Future}, {@link dev.asyncloop.Task},
 * {@link dev.asyncloop.Handle} and {@link dev.asyncloop.ContextVar} is meant to be called on the loop
 * thread (or before the loop runs), unless its Javadoc says otherwise. The ways in from other threads are
 * {@link dev.asyncloop.EventLoop#callSoonThreadsafe(Runnable)}, {@link dev.asyncloop.EventLoop#stop()}
 * (asyncio's {@code loop.call_soon_threadsafe(loop.stop)} idiom works too) and
 * {@link dev.asyncloop.EventLoop#wrapFuture(java.util.concurrent.CompletableFuture)}. In debug mode a
 * non-thread-safe call from the wrong thread throws {@link java.lang.IllegalStateException}.
 *
 * <h2 id="visibility">Memory visibility</h2>
 * Actions of a thread before it calls {@code callSoonThreadsafe(cb)} <em>happen-before</em> {@code cb}
 * runs on the loop thread. Everything on the loop thread is sequential: a callback sees every effect of
 * callbacks that ran before it.
 *
 * <h2 id="ordering">Ordering</h2>
 * Callbacks run in the order they were scheduled (rule L1.1); callbacks scheduled while the loop runs an
 * iteration wait for the next iteration (L1.2); timers run in order of their deadline (L2.1); done-callbacks
 * of a future are scheduled with {@code callSoon}, never called inline (F3.1). The numbered rules are
 * listed in {@code docs/tck-rules.md} and checked by the conformance kit.
 *
 * <h2 id="nulls">Nulls</h2>
 * This package is {@link org.jspecify.annotations.NullMarked @NullMarked}: no parameter accepts {@code null} and
 * no method returns it unless its type is marked {@link org.jspecify.annotations.Nullable @Nullable} (and its
 * Javadoc says what null means). A {@code null} argument elsewhere throws {@link java.lang.NullPointerException}
 * naming the parameter, at the call, before anything else happens.
 */
@NullMarked
package dev.asyncloop;

import org.jspecify.annotations.NullMarked;
