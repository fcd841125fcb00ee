package dev.asyncloop;

import java.util.List;

/**
 * asyncio's {@code ExceptionGroup('unhandled errors in a TaskGroup', ...)}: what a {@link TaskGroup} throws
 * when one or more of its tasks (or its body) failed.
 *
 * <p>Each failure is both in {@link #exceptions()}, in the order they happened, and among
 * {@link #getSuppressed()}, so a printed stack trace shows all of them. Cancelled tasks are not failures and
 * never appear here.
 */
public final class TaskGroupException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient List<Throwable> exceptions;

    /**
     * Creates the exception.
     *
     * @param exceptions the failures, at least one
     * @throws IllegalArgumentException if {@code exceptions} is empty
     */
    public TaskGroupException(List<? extends Throwable> exceptions) {
        super("unhandled errors in a TaskGroup (" + exceptions.size() + " sub-exception"
                + (exceptions.size() == 1 ? "" : "s") + ")", null, true, true);
        if (exceptions.isEmpty()) {
            throw new IllegalArgumentException("a TaskGroupException needs at least one exception");
        }
        this.exceptions = List.copyOf(exceptions);
        for (Throwable e : this.exceptions) {
            addSuppressed(e);
        }
    }

    /**
     * Returns the failures, in the order they happened.
     *
     * @return an unmodifiable list, never empty
     */
    public List<Throwable> exceptions() {
        return exceptions;
    }
}
