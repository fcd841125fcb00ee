package dev.asyncloop;

import java.util.concurrent.CancellationException;
import org.jspecify.annotations.Nullable;

/**
 * asyncio's {@code CancelledError}: thrown by {@link Future#result()} and {@link Async#await(Future)} on a
 * cancelled future, and thrown into a task's coroutine to cancel it.
 *
 * <p>It extends {@link CancellationException} so Java code that already handles cancellation of
 * {@code java.util.concurrent} futures handles it too. Code that catches it in a task should rethrow it
 * (or call {@link Task#uncancel()}), as in asyncio: swallowing it defeats the cancellation.
 *
 * <p><b>Catch it first.</b> Java has no {@code BaseException}, and {@link CancellationException} is an
 * {@link IllegalStateException}: {@code catch (IllegalStateException e)}, {@code catch (RuntimeException e)} and
 * {@code catch (Exception e)} all catch a cancellation. In a task, let it pass before such a clause:
 * <pre>{@code
 * try {
 *     return parse(await(reader.readLine()));
 * } catch (CancelledError e) {
 *     throw e;                      // the task is being cancelled: not a parse error
 * } catch (RuntimeException e) {
 *     return fallback;
 * }
 * }</pre>
 *
 * <p>The optional message is the one given to {@link Future#cancel(String)}; {@link #getCause()} chains
 * back to the cancellation that caused this one, as asyncio's {@code __context__} chain does.
 */
public class CancelledError extends CancellationException {
    private static final long serialVersionUID = 1L;

    /** Creates a cancellation with no message. */
    public CancelledError() {
        super();
    }

    /**
     * Creates a cancellation carrying {@code message}.
     *
     * @param message the cancel message, or {@code null} for none
     */
    public CancelledError(@Nullable String message) {
        super(message);
    }
}
