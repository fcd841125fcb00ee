package dev.asyncloop;

/** The {@link Held} of {@link Lock} and {@link Semaphore}: the first {@link #close()} releases, later ones do nothing. */
final class ReleaseOnce implements Held {
    private final Runnable release;
    private boolean closed;

    ReleaseOnce(Runnable release) {
        this.release = release;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            release.run();
        }
    }
}
