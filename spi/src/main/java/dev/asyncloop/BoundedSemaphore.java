package dev.asyncloop;

/**
 * asyncio's {@code BoundedSemaphore}: a {@link Semaphore} whose {@link #release()} refuses to raise the count
 * above its initial value, which catches a release without an acquire.
 */
public final class BoundedSemaphore extends Semaphore {
    private final int bound;

    /** Creates a semaphore with one permit, which is also its bound (asyncio's default {@code value=1}). */
    public BoundedSemaphore() {
        this(1);
    }

    /**
     * Creates a semaphore with {@code permits} permits, which is also its upper bound.
     *
     * @param permits the initial count and bound, at least 0
     * @throws IllegalArgumentException if {@code permits} is negative
     */
    public BoundedSemaphore(int permits) {
        super(permits);
        this.bound = permits;
    }

    /**
     * Gives a permit back, as {@link Semaphore#release()}.
     *
     * @throws IllegalStateException if that would make more permits free than the initial value
     *     ("BoundedSemaphore released too many times"), or if called from another thread while the loop runs
     */
    @Override
    public void release() {
        checkThread();
        if (availablePermits() >= bound) {
            throw new IllegalStateException("BoundedSemaphore released too many times: " + bound
                    + " permits are already free; release only what was acquired");
        }
        super.release();
    }
}
