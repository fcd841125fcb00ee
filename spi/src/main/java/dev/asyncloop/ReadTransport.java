package dev.asyncloop;

/**
 * asyncio's {@code ReadTransport}: a transport that delivers data to its protocol. Loop thread only.
 */
public interface ReadTransport extends Transport {
    /**
     * Stops delivering data to the protocol until {@link #resumeReading()}. Does nothing when already paused or
     * closing.
     */
    void pauseReading();

    /**
     * Delivers data to the protocol again after {@link #pauseReading()}. Does nothing when reading or closing.
     */
    void resumeReading();

    /**
     * Tells whether the transport delivers data.
     *
     * @return true unless paused or closing
     */
    boolean isReading();
}
