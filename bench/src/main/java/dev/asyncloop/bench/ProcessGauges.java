package dev.asyncloop.bench;

import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * What the process holds, for a leak check: open file descriptors, direct buffers, and the heap after a full
 * collection.
 *
 * @param fds open file descriptors, or -1 where the platform does not say
 * @param directCount direct buffers allocated and not freed
 * @param directBytes their memory
 * @param heapAfterGc heap used right after {@link System#gc()}
 */
record ProcessGauges(long fds, long directCount, long directBytes, long heapAfterGc) {

    /**
     * Collects garbage (so that unreachable direct buffers are freed by their cleaners) and reads the gauges.
     *
     * @param afterEachGc runs after each of the collections, e.g. to drop what a reference queue reported
     */
    static ProcessGauges afterGc(Runnable afterEachGc) {
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(50); // the cleaner frees direct memory, and references are enqueued, after the collection
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            afterEachGc.run();
        }
        BufferPoolMXBean direct = directPool();
        return new ProcessGauges(openFds(), direct.getCount(), direct.getMemoryUsed(),
                ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }

    /**
     * The step in which this JVM's collector counts used heap: 2 MiB under ZGC, which counts whole small pages, else
     * 1 (the serial, parallel and G1 collectors count bytes after a full collection).
     */
    static long heapGranularity() {
        boolean zgc = ManagementFactory.getGarbageCollectorMXBeans().stream()
                .anyMatch(gc -> gc.getName().startsWith("ZGC"));
        return zgc ? 2L << 20 : 1;
    }

    /** Open file descriptors now, or -1. */
    static long openFds() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof UnixOperatingSystemMXBean unix ? unix.getOpenFileDescriptorCount() : -1;
    }

    private static BufferPoolMXBean directPool() {
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                return pool;
            }
        }
        throw new IllegalStateException("this JVM has no \"direct\" buffer pool bean");
    }
}
