package dev.asyncloop.tck;

import dev.asyncloop.EventLoop;
import dev.asyncloop.nio.NioEventLoop;
import dev.asyncloop.nio.NioEventLoopProvider;
import dev.asyncloop.spi.Capability;
import java.util.Set;

/** Runs the whole conformance suite against the NIO reference loop. */
class NioLoopConformanceTest extends EventLoopConformanceSuite {
    @Override
    protected EventLoop newLoop() {
        return new NioEventLoop();
    }

    @Override
    protected Set<Capability> capabilities() {
        return new NioEventLoopProvider().capabilities();
    }
}
