package dev.asyncloop;

import org.jspecify.annotations.Nullable;

/**
 * Remembers whether a {@code communicate} of a child or a pipeline was cancelled, after which new input is refused
 * (asyncio 3.15's rule, gh-139373): part of the earlier input may have reached the child. Loop thread only.
 */
final class CancelledCommunicate {
    private boolean happened;

    /**
     * Throws if {@code input} is given after a cancelled call.
     *
     * @param receiver what the earlier input was written to, for the message ("the child", "the first stage")
     */
    void refuseInput(byte @Nullable [] input, String receiver) {
        if (input != null && happened) {
            throw new IllegalArgumentException("communicate(input) after a cancelled communicate: part of the"
                    + " earlier input may have reached " + receiver + "; call communicate() without input for the"
                    + " rest of the output");
        }
    }

    /** Watches {@code communicating}, remembering it if it ends cancelled; returns it. */
    <T extends @Nullable Object> Task<T> watch(Task<T> communicating) {
        communicating.addDoneCallback(t -> happened |= t.isCancelled());
        return communicating;
    }
}
