package dev.asyncloop.tck;

import dev.asyncloop.EventLoop;
import dev.asyncloop.nio.NioEventLoop;
import dev.asyncloop.nio.NioEventLoopProvider;
import dev.asyncloop.spi.EventLoopProvider;
import java.util.Optional;

/** Runs the whole conformance suite against the NIO reference loop. */
class NioLoopConformanceTest extends EventLoopConformanceSuite {
    @Override
    protected EventLoop newLoop() {
        return new NioEventLoop();
    }

    @Override
    protected Optional<EventLoopProvider> provider() {
        return Optional.of(new NioEventLoopProvider());
    }
}
