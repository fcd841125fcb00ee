package dev.asyncloop.spi;

import dev.asyncloop.EventLoop;
import dev.asyncloop.ExceptionContext;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Debug-mode helpers: creation stacks, short descriptions, and reports made off the loop thread. */
final class Debug {
    private static final int MAX_REPR = 80;

    private Debug() {
    }

    /** The caller's stack, without the frames of asyncloop's own classes at its top. */
    static List<StackTraceElement> creationStack() {
        StackTraceElement[] frames = new Throwable().getStackTrace();
        int first = 0;
        while (first < frames.length && frames[first].getClassName().startsWith("dev.asyncloop.")
                && !frames[first].getClassName().startsWith("dev.asyncloop.tck.")) {
            first++;
        }
        return List.copyOf(Arrays.asList(frames).subList(first == frames.length ? 0 : first, frames.length));
    }

    static String shortRepr(@Nullable Object value) {
        String s = String.valueOf(value);
        return s.length() <= MAX_REPR ? s : s.substring(0, MAX_REPR - 3) + "...";
    }

    /**
     * Reports on the loop thread when the loop can still take callbacks, else right here (the loop is closed,
     * so its handler no longer races with the loop thread).
     */
    static void reportFromAnyThread(EventLoop loop, ExceptionContext context) {
        if (!loop.isClosed()) {
            try {
                loop.callSoonThreadsafe(() -> loop.callExceptionHandler(context));
                return;
            } catch (IllegalStateException closedMeanwhile) {
                // fall through: report directly
            }
        }
        loop.callExceptionHandler(context);
    }
}
