package dev.asyncloop.examples;

import dev.asyncloop.Async;
import dev.asyncloop.EventLoop;
import dev.asyncloop.Task;
import java.time.Duration;

/**
 * Run by {@link ModulePathTest} in a JVM that has asyncloop's jars on the module path: prints the modules the
 * API and the selected loop come from, and whether task bodies ran on virtual threads (the virtual engine) or on
 * the loop's own thread (the continuation engine).
 */
public final class ModulePathProbe {
    private ModulePathProbe() {
    }

    /**
     * Prints one line: {@code api=<module> loop=<module>/<class> virtual=<bool> result=<text>}.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        String line = Async.run(() -> {
            EventLoop loop = Async.getRunningLoop();
            Task<String> task = loop.createTask(() -> {
                Async.sleep(Duration.ofMillis(10));
                Async.sleep(Duration.ZERO);
                return "world";
            });
            String result = Async.await(task);
            return "api=" + Async.class.getModule().getName() + " loop=" + loop.getClass().getModule().getName()
                    + "/" + loop.getClass().getSimpleName() + " virtual=" + Thread.currentThread().isVirtual()
                    + " result=" + result;
        });
        System.out.println(line);
    }
}
