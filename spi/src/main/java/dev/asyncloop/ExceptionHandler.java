package dev.asyncloop;

/**
 * A custom exception handler, installed with {@link EventLoop#setExceptionHandler}. Called on the loop thread
 * (or the thread that calls {@link EventLoop#callExceptionHandler}), inside the context of the task, future
 * or handle the report names (rule E1.3). If it throws, the loop reports that through its default handler
 * with the message "Unhandled error in exception handler" and goes on (E1.2).
 */
@FunctionalInterface
public interface ExceptionHandler {
    /**
     * Handles one report.
     *
     * @param loop the loop reporting
     * @param context what happened
     */
    void handle(EventLoop loop, ExceptionContext context);
}
