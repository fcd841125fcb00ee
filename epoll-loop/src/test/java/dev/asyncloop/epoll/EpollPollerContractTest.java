package dev.asyncloop.epoll;

import dev.asyncloop.spi.Poller;
import dev.asyncloop.tck.PollerContractSuite;
import java.io.IOException;

/** The poller contract on {@link EpollPoller} (surefire opens sun.nio.ch for it). */
class EpollPollerContractTest extends PollerContractSuite {
    @Override
    protected Poller newPoller() throws IOException {
        return new EpollPoller();
    }
}
