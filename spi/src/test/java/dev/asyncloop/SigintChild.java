package dev.asyncloop;

import java.time.Duration;

/**
 * The forked JVM of {@link RunnerSigintTest}: runs a {@link Runner} whose main task sleeps. Argument
 * {@code swallow} makes the task withdraw the first cancellation and sleep again; {@code cancelled} makes a
 * second task cancel the main task first, which catches that cancellation without withdrawing it and sleeps
 * again. Argument {@code apphandler} first runs a Runner whose main task handles SIGINT itself with
 * {@link EventLoop#addSignalHandler} (printing APP-SIGINT when one arrived, then returning), then a second Runner
 * whose main task prints READY2 and sleeps. Prints markers the test waits for: READY when the task sleeps (in {@code cancelled} mode: after the
 * program's own cancel), SWALLOWED after the first cancel was withdrawn, CLEANUP from its finally.
 */
final class SigintChild {
    private SigintChild() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("apphandler")) {
            applicationHandlerThenRunner();
            return;
        }
        boolean swallow = args.length > 0 && args[0].equals("swallow");
        boolean cancelled = args.length > 0 && args[0].equals("cancelled");
        try (Runner runner = Runner.builder().loopFactory(LibraryTestLoop::new).build()) {
            runner.run(() -> {
                try {
                    if (cancelled) {
                        Task<?> main = Async.currentTask().orElseThrow();
                        Async.getRunningLoop().createTask(() -> main.cancel());
                        try {
                            Async.sleep(Duration.ofSeconds(30));
                        } catch (CancelledError e) {
                            // caught, not withdrawn: cancelling() stays 1
                        }
                    }
                    System.out.println("READY");
                    System.out.flush();
                    try {
                        Async.sleep(Duration.ofSeconds(30));
                    } catch (CancelledError e) {
                        if (!swallow) {
                            throw e;
                        }
                        Async.currentTask().orElseThrow().uncancel();
                        System.out.println("SWALLOWED");
                        System.out.flush();
                        Async.sleep(Duration.ofSeconds(30));
                    }
                    return null;
                } finally {
                    System.out.println("CLEANUP");
                    System.out.flush();
                }
            });
        }
        System.out.println("RETURNED");
    }

    private static void applicationHandlerThenRunner() {
        try (Runner runner = Runner.builder().loopFactory(LibraryTestLoop::new).build()) {
            runner.run(() -> {
                EventLoop loop = Async.getRunningLoop();
                Future<Void> got = loop.createFuture();
                loop.addSignalHandler("INT", () -> {
                    if (!got.isDone()) {
                        got.setResult(null);
                    }
                });
                System.out.println("READY");
                System.out.flush();
                Async.await(got);
                System.out.println("APP-SIGINT");
                System.out.flush();
                return null;
            });
        }
        try (Runner runner = Runner.builder().loopFactory(LibraryTestLoop::new).build()) {
            runner.run(() -> {
                try {
                    System.out.println("READY2");
                    System.out.flush();
                    Async.sleep(Duration.ofSeconds(30));
                    return null;
                } finally {
                    System.out.println("CLEANUP");
                    System.out.flush();
                }
            });
        }
        System.out.println("RETURNED");
    }
}
