package dev.asyncloop;

/** When {@link Tasks#wait(java.util.Collection, java.time.Duration, ReturnWhen)} returns (asyncio's constants). */
public enum ReturnWhen {
    /** As soon as any future is done or cancelled. */
    FIRST_COMPLETED,
    /** As soon as any future finishes with an exception; if none does, when all are done. */
    FIRST_EXCEPTION,
    /** When every future is done or cancelled. */
    ALL_COMPLETED
}
