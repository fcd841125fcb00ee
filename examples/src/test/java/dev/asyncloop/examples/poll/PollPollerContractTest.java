package dev.asyncloop.examples.poll;

import dev.asyncloop.spi.Poller;
import dev.asyncloop.tck.PollerContractSuite;
import java.io.IOException;

/**
 * The poller contract (rules PC1.x) on {@link PollPoller}: surefire runs the examples' tests with
 * {@code --enable-native-access=ALL-UNNAMED} and {@code --add-exports java.base/sun.nio.ch=ALL-UNNAMED}.
 */
class PollPollerContractTest extends PollerContractSuite {
    @Override
    protected Poller newPoller() throws IOException {
        return new PollPoller();
    }
}
