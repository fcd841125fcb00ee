package dev.asyncloop;

import java.time.Duration;

/**
 * The forked JVM of {@link RunnerSigintTest}: runs a {@link Runner} whose main task sleeps. Argument
 * {@code swallow} makes the task withdraw the first cancellation and sleep again. Prints markers the test waits
 * for: READY when the task sleeps, SWALLOWED after the first cancel was withdrawn, CLEANUP from its finally.
 */
final class SigintChild {
    private SigintChild() {
    }

    public static void main(String[] args) {
        boolean swallow = args.length > 0 && args[0].equals("swallow");
        try (Runner runner = Runner.builder().loopFactory(LibraryTestLoop::new).build()) {
            runner.run(() -> {
                try {
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
}
