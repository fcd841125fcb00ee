package dev.asyncloop.spi;

import java.io.IOException;
import java.io.UncheckedIOException;

/** The readiness loop the spi tests run on: the base class over a {@link SelectorPoller}, nothing added. */
final class SelectorLoops {
    private SelectorLoops() {
    }

    /** A new loop; the caller closes it. */
    static ReadinessEventLoop newLoop() {
        try {
            return new ReadinessEventLoop(new SelectorPoller()) { };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
