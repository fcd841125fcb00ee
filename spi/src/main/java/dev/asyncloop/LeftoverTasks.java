package dev.asyncloop;

import dev.asyncloop.spi.TaskRegistry;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * asyncio's {@code _cancel_all_tasks}: what {@link Runner#close()} and an {@link EventLoopGroup} loop thread do with
 * the tasks still pending when their loop has stopped for good.
 */
final class LeftoverTasks {
    private LeftoverTasks() {
    }

    /**
     * Cancels every pending task of {@code loop}, runs the loop until each is done, and reports through the
     * loop's exception handler every task that ended with an exception instead of the cancellation. Call on the
     * loop's thread while the loop is stopped and not closed.
     *
     * @param loop the loop
     * @param message the report's message
     */
    static void cancelAndAwait(EventLoop loop, String message) {
        List<Task<?>> tasks = List.copyOf(TaskRegistry.allTasks(loop));
        if (tasks.isEmpty()) {
            return;
        }
        for (Task<?> t : tasks) {
            t.cancel();
        }
        Future<@Nullable Void> all = loop.createFuture();
        int[] remaining = {tasks.size()};
        for (Task<?> t : tasks) {
            t.addDoneCallback(f -> {
                if (--remaining[0] == 0 && !all.isDone()) {
                    all.setResult(null);
                }
            });
        }
        loop.runUntilComplete(all);
        for (Task<?> t : tasks) {
            if (t.isCancelled()) {
                continue;
            }
            t.exception().ifPresent(e -> loop.callExceptionHandler(ExceptionContext.builder(message).exception(e)
                    .task(t).build()));
        }
    }
}
