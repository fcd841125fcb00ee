package dev.asyncloop.tck;

/** The carrier threads of the virtual-thread scheduler, for the rules that check a wait does not hold one. */
final class Carriers {
    private Carriers() {
    }

    /**
     * How many virtual threads must hold a carrier each so that no carrier is left for another one: more than the
     * scheduler's parallelism and than the carriers alive now. The scheduler may keep more carriers alive than its
     * parallelism (it adds one while a virtual thread blocks in a compensated call, and lets it go only after 30 s
     * idle), so a test that occupies only "parallelism" of them lets a pinning wait pass on a spare carrier.
     *
     * @return the number of waits to start
     */
    static int toOccupyAll() {
        int parallelism = Integer.getInteger("jdk.virtualThreadScheduler.parallelism",
                Runtime.getRuntime().availableProcessors());
        int alive = (int) Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getClass().getName().equals("jdk.internal.misc.CarrierThread"))
                .count();
        return Math.max(parallelism, alive) + 2;
    }
}
