package dev.asyncloop.tck;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.junit.platform.engine.FilterResult;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.PostDiscoveryFilter;
import org.junit.platform.launcher.TagFilter;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs a conformance suite class through the JUnit Platform launcher and collects a {@link RunResult}.
 * Blocks until the run is over; one run at a time per instance.
 */
final class SuiteRun {
    private SuiteRun() {
    }

    /**
     * Runs every test of {@code suiteClass}.
     *
     * @param suiteClass a concrete subclass of {@link EventLoopConformanceSuite}
     * @return the outcomes
     */
    static RunResult execute(Class<? extends EventLoopConformanceSuite> suiteClass) {
        return execute(suiteClass, name -> true);
    }

    /**
     * Runs the groups of {@code suiteClass} tagged with one of {@code groups} (all of them when it is empty).
     *
     * @param suiteClass a concrete subclass of {@link EventLoopConformanceSuite}
     * @param groups group tags, as {@code --group} takes them
     * @return the outcomes
     */
    static RunResult execute(Class<? extends EventLoopConformanceSuite> suiteClass, List<String> groups) {
        return run(suiteClass, name -> true, groups, line -> { });
    }

    /**
     * Runs the groups of {@code suiteClass} tagged with one of {@code groups} (all of them when it is empty),
     * telling {@code progress} of each failure when it happens and of each group when it ends, so that a loop
     * that hangs test after test is seen long before the run ends.
     *
     * @param suiteClass a concrete subclass of {@link EventLoopConformanceSuite}
     * @param groups group tags, as {@code --group} takes them
     * @param progress receives one line per failed test and per finished group, from the test threads
     * @return the outcomes
     */
    static RunResult execute(Class<? extends EventLoopConformanceSuite> suiteClass, List<String> groups,
            Consumer<String> progress) {
        return run(suiteClass, name -> true, groups, progress);
    }

    /**
     * Runs the tests of {@code suiteClass} whose display name {@code keep} accepts.
     *
     * @param suiteClass a concrete subclass of {@link EventLoopConformanceSuite}
     * @param keep accepts test display names (containers are kept for the tests they hold)
     * @return the outcomes
     */
    static RunResult execute(Class<? extends EventLoopConformanceSuite> suiteClass, Predicate<String> keep) {
        return run(suiteClass, keep, List.of(), line -> { });
    }

    private static RunResult run(Class<? extends EventLoopConformanceSuite> suiteClass, Predicate<String> keep,
            List<String> groups, Consumer<String> progress) {
        PostDiscoveryFilter filter = descriptor -> !descriptor.isTest() || keep.test(descriptor.getDisplayName())
                ? FilterResult.included("kept") : FilterResult.excluded("not selected");
        LauncherDiscoveryRequestBuilder builder = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(suiteClass))
                .filters(filter);
        if (!groups.isEmpty()) {
            builder.filters(TagFilter.includeTags(groups));
        }
        LauncherDiscoveryRequest request = builder.build();
        Launcher launcher = LauncherFactory.create();
        Collector collector = new Collector(progress);
        long start = System.nanoTime();
        launcher.execute(request, collector);
        return collector.result(Duration.ofNanos(System.nanoTime() - start));
    }

    /** Listens to one run; the launcher may call it from the test threads. */
    private static final class Collector implements TestExecutionListener {
        private volatile @Nullable TestPlan plan;
        private final Set<String> groups = new LinkedHashSet<>();
        private final List<RunResult.Outcome> outcomes = new ArrayList<>();
        private final Map<String, Boolean> recorded = new ConcurrentHashMap<>();
        private final Map<String, Long> groupStarts = new ConcurrentHashMap<>();
        private final Consumer<String> progress;

        Collector(Consumer<String> progress) {
            this.progress = progress;
        }

        /** The plan, which the launcher hands over before any test runs. */
        private TestPlan plan() {
            return java.util.Objects.requireNonNull(plan, "testPlanExecutionStarted comes first");
        }

        @Override
        public void executionStarted(TestIdentifier id) {
            if (isGroup(id)) {
                groupStarts.put(id.getUniqueId(), System.nanoTime());
            }
        }

        @Override
        public void testPlanExecutionStarted(TestPlan testPlan) {
            plan = testPlan;
            for (TestIdentifier root : testPlan.getRoots()) {
                for (TestIdentifier suite : testPlan.getChildren(root)) {
                    for (TestIdentifier child : testPlan.getChildren(suite)) {
                        groups.add(child.isContainer() ? child.getDisplayName() : suite.getDisplayName());
                    }
                }
            }
        }

        @Override
        public void executionSkipped(TestIdentifier id, String reason) {
            if (id.isTest()) {
                record(id, RunResult.Status.SKIPPED, reason);
                return;
            }
            for (TestIdentifier d : plan().getDescendants(id)) {
                if (d.isTest()) {
                    record(d, RunResult.Status.SKIPPED, reason);
                }
            }
        }

        @Override
        public void executionFinished(TestIdentifier id, TestExecutionResult result) {
            String message = result.getThrowable().map(SuiteRun::describe).orElse("");
            RunResult.Status status = switch (result.getStatus()) {
                case SUCCESSFUL -> RunResult.Status.PASSED;
                case ABORTED -> RunResult.Status.SKIPPED;
                case FAILED -> RunResult.Status.FAILED;
            };
            if (id.isTest() || status == RunResult.Status.FAILED) {
                // A failed container (a group that cannot be set up) is reported as one failure of its own.
                record(id, status, message);
                if (status == RunResult.Status.FAILED) {
                    progress.accept("  FAILED [" + groupOf(id) + "] " + id.getDisplayName() + ": "
                            + message.lines().findFirst().orElse(""));
                }
            } else if (status == RunResult.Status.SKIPPED) {
                for (TestIdentifier d : plan().getDescendants(id)) {
                    if (d.isTest()) {
                        record(d, status, message);
                    }
                }
            }
            if (isGroup(id)) {
                groupFinished(id);
            }
        }

        /** A nested group of the suite: engine, suite class, group. */
        private boolean isGroup(TestIdentifier id) {
            if (!id.isContainer()) {
                return false;
            }
            int depth = 0;
            for (Optional<TestIdentifier> at = plan().getParent(id); at.isPresent(); at = plan().getParent(at.get())) {
                depth++;
            }
            return depth == 2;
        }

        private void groupFinished(TestIdentifier id) {
            String group = id.getDisplayName();
            int passed = 0;
            int failed = 0;
            int skipped = 0;
            synchronized (this) {
                for (RunResult.Outcome o : outcomes) {
                    if (o.group().equals(group)) {
                        switch (o.status()) {
                            case PASSED -> passed++;
                            case FAILED -> failed++;
                            case SKIPPED -> skipped++;
                        }
                    }
                }
            }
            Long start = groupStarts.remove(id.getUniqueId());
            String took = start == null ? "" : String.format(java.util.Locale.ROOT, " in %.1f s",
                    (System.nanoTime() - start) / 1e9);
            progress.accept(group + ": " + passed + " passed, " + failed + " failed, " + skipped + " skipped" + took);
        }

        private synchronized void record(TestIdentifier id, RunResult.Status status, String message) {
            if (recorded.putIfAbsent(id.getUniqueId(), Boolean.TRUE) != null) {
                return;
            }
            outcomes.add(new RunResult.Outcome(groupOf(id), id.getDisplayName(), status, message));
        }

        /** The display name of the ancestor just below the suite class, or the suite's own name. */
        private String groupOf(TestIdentifier id) {
            List<TestIdentifier> path = new ArrayList<>();
            for (Optional<TestIdentifier> at = Optional.of(id); at.isPresent(); at = plan().getParent(at.get())) {
                path.addFirst(at.get());
            }
            // path: engine, suite class, group, ..., test
            if (path.size() >= 4) {
                return path.get(2).getDisplayName();
            }
            String name = path.size() >= 2 ? path.get(1).getDisplayName() : id.getDisplayName();
            groups.add(name);
            return name;
        }

        synchronized RunResult result(Duration duration) {
            return new RunResult(new ArrayList<>(groups), outcomes, duration);
        }
    }

    /**
     * The message of a failure or abort: an assertion's or assumption's own message, any other throwable's
     * {@code toString()}; then up to three causes.
     */
    static String describe(Throwable t) {
        StringBuilder sb = new StringBuilder();
        String m = t.getMessage();
        boolean plain = t instanceof AssertionError || t.getClass().getName().startsWith("org.opentest4j.");
        sb.append(m != null && !m.isBlank() && plain ? m : t.toString());
        Throwable cause = t.getCause();
        for (int depth = 0; cause != null && depth < 3; depth++, cause = cause.getCause()) {
            sb.append("\ncaused by: ").append(cause);
        }
        return sb.toString();
    }
}
