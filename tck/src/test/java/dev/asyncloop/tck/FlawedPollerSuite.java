package dev.asyncloop.tck;

import dev.asyncloop.spi.Poller;
import dev.asyncloop.tck.mutants.FlawedPoller;
import java.io.IOException;

/**
 * {@link PollerContractSuite} over a {@link FlawedPoller} with the flaw {@link PollerContractMutantTest} sets;
 * run by that test through the JUnit Platform launcher only (its name keeps surefire from running it alone).
 */
class FlawedPollerSuite extends PollerContractSuite {
    /** The flaw of the pollers the next run opens. */
    static volatile FlawedPoller.Flaw flaw = FlawedPoller.Flaw.NONE;

    @Override
    protected Poller newPoller() throws IOException {
        return new FlawedPoller(flaw);
    }
}
