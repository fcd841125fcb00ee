package dev.asyncloop.bench;

import dev.asyncloop.Async;
import dev.asyncloop.EventLoop;
import dev.asyncloop.Future;
import dev.asyncloop.Task;
import dev.asyncloop.nio.NioEventLoop;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.Locale;

/**
 * One million concurrently suspended tasks on one {@link NioEventLoop}: how long creating them takes and how much
 * heap they hold. Not a JMH benchmark: the figure is one state, measured once.
 *
 * <p>A main task creates {@code n} tasks, each of which suspends at once, either in {@code Async.sleep(60 s)}
 * (mode {@code sleep}: a future and a timer per task) or awaiting one shared never-done future (mode
 * {@code future}). The main task then yields once; since tasks start in creation order and the main task's
 * wake-up is queued after their first steps, all of them are suspended when it resumes. Creation time is from
 * before the first {@code createTask} to that point. Heap is {@link MemoryMXBean#getHeapMemoryUsage()} used,
 * after {@code System.gc()} three times, minus the same figure taken before the tasks existed. With
 * {@code -Dsleepingtasks.cancel=true} every task is then cancelled and awaited and that time is reported too
 * ({@code cancel_all_s}, -1 when skipped); otherwise the loop is closed with the tasks still pending.
 *
 * <p>With {@code -Dsleepingtasks.histogram=true} it also prints the top of the class histogram of the
 * suspended state to stderr.
 *
 * <p>Prints one JSON line. Usage: {@code SleepingTasks [n] [sleep|future]} (defaults 1000000 sleep). Needs
 * {@code --add-exports java.base/jdk.internal.vm=ALL-UNNAMED} for the continuation engine and a heap large
 * enough for the tasks ({@code -Xmx4g}).
 */
public final class SleepingTasks {
    private static final long GIB = 1L << 30;

    private SleepingTasks() {
    }

    /**
     * Runs the measurement.
     *
     * @param args optional task count and mode ({@code sleep} or {@code future})
     */
    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        String mode = args.length > 1 ? args[1] : "sleep";
        if (!mode.equals("sleep") && !mode.equals("future")) {
            throw new IllegalArgumentException("mode must be sleep or future, got " + mode);
        }
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long baseline = heapAfterGc(memory);
        try (EventLoop loop = new NioEventLoop()) {
            String json = loop.runUntilComplete(() -> {
                Future<Void> never = loop.createFuture();
                Duration sixty = Duration.ofSeconds(60);
                @SuppressWarnings({"unchecked", "rawtypes"})
                Task<Void>[] tasks = new Task[n];
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    tasks[i] = mode.equals("sleep")
                            ? loop.createTask(() -> {
                                Async.sleep(sixty);
                                return null;
                            })
                            : loop.createTask(() -> Async.await(never));
                }
                long created = System.nanoTime();
                Async.yieldNow();
                long suspended = System.nanoTime();
                long used = heapAfterGc(memory) - baseline;
                if (Boolean.getBoolean("sleepingtasks.histogram")) {
                    printHistogram();
                }
                int pending = 0;
                for (Task<Void> t : tasks) {
                    if (!t.isDone()) {
                        pending++;
                    }
                }
                if (!Boolean.getBoolean("sleepingtasks.cancel")) {
                    return report(mode, n, pending, created - t0, suspended - t0, used, memory, -1, 0);
                }
                long c0 = System.nanoTime();
                for (Task<Void> t : tasks) {
                    t.cancel();
                }
                int cancelled = 0;
                for (Task<Void> t : tasks) {
                    try {
                        Async.await(t);
                    } catch (dev.asyncloop.CancelledError expected) {
                        cancelled++;
                    }
                }
                return report(mode, n, pending, created - t0, suspended - t0, used, memory,
                        System.nanoTime() - c0, cancelled);
            });
            System.out.println(json);
        }
    }

    private static String report(String mode, int n, int pending, long createNanos, long suspendNanos, long used,
                                 MemoryMXBean memory, long cancelNanos, int cancelled) {
        return String.format(Locale.ROOT, "{\"suite\":\"asyncloop-sleeping-tasks\",\"mode\":\"%s\",\"n\":%d,"
                + "\"suspended\":%d,\"create_s\":%.3f,\"create_and_suspend_s\":%.3f,"
                + "\"tasks_per_s\":%.1f,\"heap_used_bytes\":%d,\"heap_used_mib\":%.1f,"
                + "\"bytes_per_task\":%.1f,\"under_1gib\":%b,\"cancel_all_s\":%.3f,\"cancelled\":%d,"
                + "\"max_heap_mib\":%d,\"java\":\"%s\"}",
                mode, n, pending, createNanos / 1e9, suspendNanos / 1e9, n / (suspendNanos / 1e9),
                used, used / 1048576.0, (double) used / n, used < GIB, cancelNanos < 0 ? -1.0 : cancelNanos / 1e9, cancelled,
                memory.getHeapMemoryUsage().getMax() >> 20, System.getProperty("java.version"));
    }

    /** Prints the top of the live-object class histogram to stderr (where the bytes per task go). */
    private static void printHistogram() {
        try {
            Object text = ManagementFactory.getPlatformMBeanServer().invoke(
                    new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"),
                    "gcClassHistogram", new Object[] {null}, new String[] {String[].class.getName()});
            text.toString().lines().limit(25).forEach(System.err::println);
        } catch (javax.management.JMException e) {
            System.err.println("no class histogram: " + e);
        }
    }

    private static long heapAfterGc(MemoryMXBean memory) {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
