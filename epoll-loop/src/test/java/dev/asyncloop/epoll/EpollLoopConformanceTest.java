package dev.asyncloop.epoll;

import dev.asyncloop.EventLoop;
import dev.asyncloop.spi.EventLoopProvider;
import dev.asyncloop.tck.EventLoopConformanceSuite;
import java.util.Optional;

/** Runs the whole conformance suite against the epoll loop (surefire opens sun.nio.ch for it). */
class EpollLoopConformanceTest extends EventLoopConformanceSuite {
    @Override
    protected EventLoop newLoop() {
        return new EpollEventLoop();
    }

    @Override
    protected Optional<EventLoopProvider> provider() {
        return Optional.of(new EpollEventLoopProvider());
    }
}
