package dev.asyncloop.testsupport;

import dev.asyncloop.Async;
import dev.asyncloop.EventLoop;
import dev.asyncloop.Future;
import dev.asyncloop.Tasks;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Bounded waits that run a stopped loop: a test on the main thread waits for a future, never longer than it says,
 * and gives the loop a moment to make a call it must not make (a second {@code connectionLost}).
 */
public final class LoopWaits {
    private LoopWaits() {
    }

    /**
     * Runs {@code loop} until {@code future} is done or {@code wait} passed.
     *
     * @param loop a loop that is not running, on the calling thread
     * @param future a future of that loop
     * @param wait the longest wait
     * @param <T> the result's type
     * @return the future's result
     * @throws dev.asyncloop.TimeoutError if it is not done in time
     * @throws RuntimeException whatever the future failed with
     */
    public static <T extends @Nullable Object> T await(EventLoop loop, Future<T> future, Duration wait) {
        return loop.runUntilComplete(() -> Tasks.waitFor(future, wait));
    }

    /**
     * Runs {@code loop} for {@code time}: room for callbacks already due, or for one that should not come.
     *
     * @param loop a loop that is not running, on the calling thread
     * @param time how long
     */
    public static void settle(EventLoop loop, Duration time) {
        loop.runUntilComplete(() -> Async.sleep(time, null));
    }
}
