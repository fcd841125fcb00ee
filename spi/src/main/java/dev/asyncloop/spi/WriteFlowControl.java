package dev.asyncloop.spi;

import dev.asyncloop.EventLoop;
import dev.asyncloop.ExceptionContext;
import dev.asyncloop.WriteTransport;
import org.jspecify.annotations.Nullable;

/**
 * asyncio's write flow control ({@code _FlowControlMixin}) for the readiness transports: the high and low water
 * marks and whether the protocol was told to pause. The transport owns its buffer and protocol; it asks
 * {@link #pauseNeeded} after its buffer grew and {@link #resumeNeeded} after it shrank, and calls the protocol
 * through {@link #notifyProtocol}, which reports a callback that throws instead of letting it escape. Loop
 * thread only.
 */
final class WriteFlowControl {
    private final EventLoop loop;
    private int highWater = WriteTransport.DEFAULT_HIGH_WATER;
    private int lowWater = WriteTransport.DEFAULT_LOW_WATER;
    private boolean paused;

    WriteFlowControl(EventLoop loop) {
        this.loop = loop;
    }

    /**
     * Sets the marks with asyncio's defaults: high null → 4 × low (at most {@code Integer.MAX_VALUE}) or the
     * default, low null → high / 4.
     *
     * @throws IllegalArgumentException unless high ≥ low ≥ 0
     */
    void setLimits(@Nullable Integer high, @Nullable Integer low) {
        int h = high != null ? high
                : low == null ? WriteTransport.DEFAULT_HIGH_WATER
                : (int) Math.min(4L * low, Integer.MAX_VALUE);
        int l = low == null ? h / 4 : low;
        if (!(h >= l && l >= 0)) {
            throw new IllegalArgumentException("high (" + h + ") must be >= low (" + l + ") must be >= 0");
        }
        highWater = h;
        lowWater = l;
    }

    int highWater() {
        return highWater;
    }

    int lowWater() {
        return lowWater;
    }

    boolean isPaused() {
        return paused;
    }

    /** @return true, once, when a buffer of {@code size} bytes goes above the high mark */
    boolean pauseNeeded(long size) {
        if (size <= highWater || paused) {
            return false;
        }
        paused = true;
        return true;
    }

    /** @return true, once, when a buffer of {@code size} bytes is back at or below the low mark */
    boolean resumeNeeded(long size) {
        if (!paused || size > lowWater) {
            return false;
        }
        paused = false;
        return true;
    }

    /** Runs a protocol callback, reporting an exception it throws with the transport and protocol. */
    void notifyProtocol(Object transport, Object protocol, Runnable callback, String what) {
        try {
            callback.run();
        } catch (Exception e) {
            loop.callExceptionHandler(ExceptionContext.builder("protocol." + what + "() failed").exception(e)
                    .transport(transport).protocol(protocol).build());
        }
    }
}
