package dev.asyncloop.examples.poll;

import dev.asyncloop.EventLoop;
import dev.asyncloop.spi.EventLoopProvider;
import dev.asyncloop.tck.EventLoopConformanceSuite;
import java.util.Optional;

/**
 * The whole conformance kit on {@link PollLoop}, every group its provider's capabilities claim (surefire passes
 * the loop's JVM flags, see {@link PollPollerContractTest}).
 */
class PollLoopConformanceTest extends EventLoopConformanceSuite {
    @Override
    protected EventLoop newLoop() {
        return new PollLoop();
    }

    @Override
    protected Optional<EventLoopProvider> provider() {
        return Optional.of(new PollLoopProvider());
    }
}
