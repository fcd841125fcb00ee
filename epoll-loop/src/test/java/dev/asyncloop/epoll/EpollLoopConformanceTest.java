package dev.asyncloop.epoll;

import dev.asyncloop.EventLoop;
import dev.asyncloop.spi.Capability;
import dev.asyncloop.spi.EventLoopProvider;
import dev.asyncloop.tck.EventLoopConformanceSuite;
import java.util.Optional;
import java.util.Set;

/** Runs the whole conformance suite against the epoll loop (surefire opens sun.nio.ch for it). */
class EpollLoopConformanceTest extends EventLoopConformanceSuite {
    @Override
    protected EventLoop newLoop() {
        return new EpollEventLoop();
    }

    @Override
    protected Set<Capability> capabilities() {
        return new EpollEventLoopProvider().capabilities();
    }

    @Override
    protected Optional<EventLoopProvider> provider() {
        return Optional.of(new EpollEventLoopProvider());
    }
}
