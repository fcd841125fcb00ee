package dev.asyncloop.tck.mutants;

import dev.asyncloop.AsyncCallable;
import dev.asyncloop.Context;
import dev.asyncloop.Coroutine;
import dev.asyncloop.EventLoop;
import dev.asyncloop.ExceptionContext;
import dev.asyncloop.ExceptionHandler;
import dev.asyncloop.Future;
import dev.asyncloop.Handle;
import dev.asyncloop.Task;
import dev.asyncloop.TaskFactory;
import dev.asyncloop.TimerHandle;
import dev.asyncloop.nio.NioEventLoop;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;

/**
 * An {@link EventLoop} that forwards every method to a real {@link NioEventLoop}: the base of the mutants, each of
 * which overrides one behaviour. The one-argument scheduling methods go through their context-taking overloads,
 * so a mutant overrides one method per kind of scheduling.
 *
 * <p>Futures and tasks belong to the delegate (their {@code getLoop()} is the delegate, and the delegate is the
 * running loop in {@code Async.getRunningLoop()}); the unmutated forwarding loop is the control run that tells
 * the tests this difference alone fails.
 */
public class ForwardingEventLoop implements EventLoop {
    /** The real loop. */
    protected final NioEventLoop delegate = new NioEventLoop();

    /** Creates a loop over a new NIO loop. */
    public ForwardingEventLoop() {
    }

    @Override
    public void runForever() {
        delegate.runForever();
    }

    @Override
    public <T> T runUntilComplete(Future<T> future) {
        return delegate.runUntilComplete(future);
    }

    @Override
    public <T> T runUntilComplete(AsyncCallable<T> main) {
        return delegate.runUntilComplete(main);
    }

    @Override
    public void stop() {
        delegate.stop();
    }

    @Override
    public boolean isRunning() {
        return delegate.isRunning();
    }

    @Override
    public boolean isClosed() {
        return delegate.isClosed();
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public Future<Void> shutdownDefaultExecutor(Duration timeout) {
        return delegate.shutdownDefaultExecutor(timeout);
    }

    @Override
    public final Handle callSoon(Runnable callback) {
        return callSoon(callback, Context.copyCurrent());
    }

    @Override
    public Handle callSoon(Runnable callback, Context context) {
        return delegate.callSoon(callback, context);
    }

    @Override
    public final TimerHandle callLater(Duration delay, Runnable callback) {
        return callLater(delay, callback, Context.copyCurrent());
    }

    @Override
    public TimerHandle callLater(Duration delay, Runnable callback, Context context) {
        return delegate.callLater(delay, callback, context);
    }

    @Override
    public final TimerHandle callAt(double when, Runnable callback) {
        return callAt(when, callback, Context.copyCurrent());
    }

    @Override
    public TimerHandle callAt(double when, Runnable callback, Context context) {
        return delegate.callAt(when, callback, context);
    }

    @Override
    public double time() {
        return delegate.time();
    }

    @Override
    public final Handle callSoonThreadsafe(Runnable callback) {
        return callSoonThreadsafe(callback, Context.copyCurrent());
    }

    @Override
    public Handle callSoonThreadsafe(Runnable callback, Context context) {
        return delegate.callSoonThreadsafe(callback, context);
    }

    @Override
    public <T> Future<T> createFuture() {
        return delegate.createFuture();
    }

    @Override
    public <T> Task<T> createTask(Coroutine<T> coroutine, String name, Context context) {
        return delegate.createTask(coroutine, name, context);
    }

    @Override
    public <T> Task<T> createTask(Coroutine<T> coroutine, String name, Context context, boolean eagerStart) {
        return delegate.createTask(coroutine, name, context, eagerStart);
    }

    @Override
    public void setTaskFactory(TaskFactory factory) {
        delegate.setTaskFactory(factory);
    }

    @Override
    public Optional<TaskFactory> getTaskFactory() {
        return delegate.getTaskFactory();
    }

    @Override
    public <T> Future<T> runInExecutor(Executor executor, Callable<T> function) {
        return delegate.runInExecutor(executor, function);
    }

    @Override
    public void setDefaultExecutor(ExecutorService executor) {
        delegate.setDefaultExecutor(executor);
    }

    @Override
    public <T> Future<T> wrapFuture(CompletableFuture<T> future) {
        return delegate.wrapFuture(future);
    }

    @Override
    public void setExceptionHandler(ExceptionHandler handler) {
        delegate.setExceptionHandler(handler);
    }

    @Override
    public Optional<ExceptionHandler> getExceptionHandler() {
        return delegate.getExceptionHandler();
    }

    @Override
    public void callExceptionHandler(ExceptionContext context) {
        delegate.callExceptionHandler(context);
    }

    @Override
    public void defaultExceptionHandler(ExceptionContext context) {
        delegate.defaultExceptionHandler(context);
    }

    @Override
    public boolean getDebug() {
        return delegate.getDebug();
    }

    @Override
    public void setDebug(boolean enabled) {
        delegate.setDebug(enabled);
    }

    @Override
    public Duration getSlowCallbackDuration() {
        return delegate.getSlowCallbackDuration();
    }

    @Override
    public void setSlowCallbackDuration(Duration threshold) {
        delegate.setSlowCallbackDuration(threshold);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + delegate + "]";
    }
}
