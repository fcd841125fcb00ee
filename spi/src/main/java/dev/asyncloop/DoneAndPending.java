package dev.asyncloop;

import java.util.Objects;
import java.util.Set;

/**
 * What {@link Tasks#wait(java.util.Collection, java.time.Duration, ReturnWhen)} returns: asyncio's
 * {@code (done, pending)} pair. Deconstruct it with {@code if (Tasks.wait(fs) instanceof DoneAndPending(var done,
 * var pending))} or read the components.
 *
 * @param done the futures that were done when {@code wait} returned, in argument order
 * @param pending the others, in argument order
 * @param <F> the future type
 */
public record DoneAndPending<F extends Future<?>>(Set<F> done, Set<F> pending) {
    /**
     * Checks the components.
     *
     * @throws NullPointerException if either set is null
     */
    public DoneAndPending {
        Objects.requireNonNull(done, "done");
        Objects.requireNonNull(pending, "pending");
    }
}
