package dev.asyncloop;

/**
 * A held {@link Lock} or {@link Semaphore} permit (or a passed {@link Barrier}), for try-with-resources (asyncio's
 * {@code async with lock:}):
 * <pre>{@code
 * try (var _ = lock.hold()) {
 *     ...   // the lock is held here
 * }         // released here, also on an exception
 * }</pre>
 * Close it on the loop thread that acquired it.
 */
public interface Held extends AutoCloseable {
    /**
     * Releases what was acquired; closing again does nothing.
     *
     * @throws IllegalStateException if the lock was released meanwhile by other code (a {@link Lock} that is not
     *     locked cannot be released)
     */
    @Override
    void close();
}
