package dev.asyncloop.spi;

import dev.asyncloop.EventLoop;
import dev.asyncloop.ExceptionContext;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/** Debug-mode helpers: creation stacks, short descriptions, and reports made off the loop thread. */
final class Debug {
    private static final int MAX_REPR = 80;

    /** Frames a creation stack keeps, as asyncio's {@code DEBUG_STACK_DEPTH}. */
    static final int STACK_DEPTH = 10;
    private static final StackWalker WALKER = StackWalker.getInstance();
    /** The packages of asyncloop itself and its loops; the kit, the examples and applications are callers. */
    private static final Set<String> OWN_PACKAGES =
            Set.of("dev.asyncloop", "dev.asyncloop.spi", "dev.asyncloop.nio", "dev.asyncloop.epoll");

    private Debug() {
    }

    /**
     * The caller's stack, most recent call first: the {@value #STACK_DEPTH} frames below asyncloop's own at its
     * top (or the top ones, when every frame is asyncloop's). Bounded because debug mode records one per future and
     * per handle: a whole stack (a hundred frames under a test runner) made debug mode ten times slower, and kept
     * a hundred frames alive per pending future.
     */
    static List<StackTraceElement> creationStack() {
        return WALKER.walk(Debug::callerFrames);
    }

    private static List<StackTraceElement> callerFrames(Stream<StackWalker.StackFrame> stack) {
        List<StackWalker.StackFrame> own = new ArrayList<>(STACK_DEPTH);
        List<StackTraceElement> frames = new ArrayList<>(STACK_DEPTH);
        Iterator<StackWalker.StackFrame> it = stack.iterator();
        while (it.hasNext() && frames.size() < STACK_DEPTH) {
            StackWalker.StackFrame f = it.next();
            if (frames.isEmpty() && isOwn(f.getClassName())) {
                if (own.size() < STACK_DEPTH && !f.getClassName().equals(Debug.class.getName())) {
                    own.add(f);
                }
            } else {
                frames.add(f.toStackTraceElement());
            }
        }
        if (frames.isEmpty()) {
            own.forEach(f -> frames.add(f.toStackTraceElement()));
        }
        return List.copyOf(frames);
    }

    /** Whether a class is asyncloop's own (a nested class goes with its top-level class's package). */
    static boolean isOwn(String className) {
        int dot = className.lastIndexOf('.');
        return dot > 0 && OWN_PACKAGES.contains(className.substring(0, dot));
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
                loop.callSoonThreadsafe(new PendingReport(loop, context));
                return;
            } catch (IllegalStateException closedMeanwhile) {
                // fall through: report directly
            }
        }
        loop.callExceptionHandler(context);
    }

    /**
     * A report on its way to the loop thread; a {@link BaseEventLoop} that closes before running it delivers it
     * instead of dropping it with the other callbacks.
     */
    record PendingReport(EventLoop loop, ExceptionContext context) implements Runnable {
        @Override
        public void run() {
            loop.callExceptionHandler(context);
        }
    }
}
