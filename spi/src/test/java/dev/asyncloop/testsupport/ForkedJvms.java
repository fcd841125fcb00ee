package dev.asyncloop.testsupport;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts forked JVMs for a test class ({@code @RegisterExtension}) and, after each test, destroys those that still
 * run, whether the test passed or failed.
 */
public final class ForkedJvms implements AfterEachCallback {
    private final List<RunningJvm> started = new ArrayList<>();

    /** A launcher with no JVM started yet. */
    public ForkedJvms() {
    }

    /**
     * Starts {@code jvm}, to be destroyed after the test if it still runs.
     *
     * @param jvm the JVM to start
     * @return the running JVM
     * @throws IOException if it cannot be started
     */
    public RunningJvm start(ForkedJvm jvm) throws IOException {
        RunningJvm running = jvm.start();
        started.add(running);
        return running;
    }

    /** Destroys the JVMs this test started that still run. */
    @Override
    public void afterEach(ExtensionContext context) {
        started.forEach(RunningJvm::close);
        started.clear();
    }
}
