package dev.asyncloop.tck;

import dev.asyncloop.spi.Poller;
import dev.asyncloop.spi.SelectorPoller;
import java.io.IOException;

/**
 * The poller contract on {@link SelectorPoller}, the NIO loop's poller. It lives here rather than in the NIO
 * module's tests because the TCK depends on that module (its runnable jar carries the NIO loop).
 */
class SelectorPollerContractTest extends PollerContractSuite {
    @Override
    protected Poller newPoller() throws IOException {
        return new SelectorPoller();
    }
}
