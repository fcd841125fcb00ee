package dev.asyncloop.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.asyncloop.tck.mutants.FlawedPoller;
import dev.asyncloop.tck.mutants.FlawedPoller.Flaw;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.platform.engine.FilterResult;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.PostDiscoveryFilter;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs {@link PollerContractSuite} against each {@link FlawedPoller} and checks that a test of the rule its flaw
 * breaks fails on it, a test that passes on the control ({@link Flaw#NONE}, which must pass the whole suite).
 * Prints "poller mutants killed: K/N". A mutant runs only its rule's tests, with bounded waits of 3 s (what a flaw
 * breaks never comes). Runs on the continuation engine's execution only: the suite uses no coroutines, once is
 * enough.
 */
@EnabledIfSystemProperty(named = "asyncloop.coroutines", matches = "continuation",
        disabledReason = "the poller suite uses no coroutine engine; once is enough")
class PollerContractMutantTest {
    private static final Duration MUTANT_WAIT = Duration.ofSeconds(3);
    private static final Map<String, String> VERDICTS = new TreeMap<>();

    static Stream<Flaw> flaws() {
        return Stream.of(Flaw.values()).filter(f -> f != Flaw.NONE);
    }

    @AfterAll
    static void printKillRate() {
        long killed = VERDICTS.values().stream().filter(v -> v.startsWith("killed")).count();
        StringBuilder sb = new StringBuilder("poller mutants killed: " + killed + "/" + flaws().count());
        VERDICTS.forEach((name, verdict) -> sb.append("\n  ").append(name).append(": ").append(verdict));
        System.out.println(sb);
    }

    @Test
    void controlPassesTheWholeSuite() {
        Map<String, Outcome> control = run(Flaw.NONE, name -> true, ConformanceGroup.DEFAULT_WAIT);
        List<String> failed = control.entrySet().stream().filter(e -> e.getValue().failed())
                .map(e -> e.getKey() + ": " + e.getValue().message()).toList();
        assertEquals(List.of(), failed, "the control poller (no flaw) fails tests of the poller suite, so they"
                + " cannot tell its mutants apart");
        long tests = Stream.of(PollerContractSuite.class.getDeclaredMethods())
                .filter(m -> m.isAnnotationPresent(Test.class)).count();
        assertEquals(tests, control.size(), "the suite's tests that ran on the control: " + control.keySet());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("flaws")
    void suiteCatchesFlaw(Flaw flaw) {
        Predicate<String> ofRule = name -> name.startsWith(flaw.rule() + " ");
        Map<String, Outcome> control = run(Flaw.NONE, ofRule, ConformanceGroup.DEFAULT_WAIT);
        assertFalse(control.isEmpty(), "the suite has no test of rule " + flaw.rule());
        assertFalse(control.values().stream().anyMatch(Outcome::failed), "a test of rule " + flaw.rule()
                + " fails on the control poller: " + control);
        Map<String, Outcome> mutant = run(flaw, ofRule, MUTANT_WAIT);
        List<String> kills = mutant.entrySet().stream()
                .filter(e -> e.getValue().failed() && e.getValue().message().startsWith("[" + flaw.rule() + "]"))
                .map(Map.Entry::getKey).toList();
        VERDICTS.put(flaw.name(), kills.isEmpty() ? "SURVIVED" : "killed by " + kills.getFirst());
        assertFalse(kills.isEmpty(), "the poller flaw " + flaw + " survived: no test of rule " + flaw.rule()
                + " failed with a message of that rule. Outcomes: " + mutant);
    }

    private record Outcome(boolean failed, String message) {
    }

    private static Map<String, Outcome> run(Flaw flaw, Predicate<String> keep, Duration wait) {
        PostDiscoveryFilter filter = descriptor -> !descriptor.isTest() || keep.test(descriptor.getDisplayName())
                ? FilterResult.included("kept") : FilterResult.excluded("not selected");
        Map<String, Outcome> outcomes = new ConcurrentHashMap<>();
        TestExecutionListener listener = new TestExecutionListener() {
            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                if (id.isTest()) {
                    outcomes.put(id.getDisplayName(), new Outcome(
                            result.getStatus() == TestExecutionResult.Status.FAILED,
                            result.getThrowable().map(t -> String.valueOf(t.getMessage())).orElse("")));
                }
            }
        };
        FlawedPollerSuite.flaw = flaw;
        ConformanceGroup.setBoundedWait(wait);
        try {
            LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request()
                    .selectors(selectClass(FlawedPollerSuite.class)).filters(filter).build(), listener);
        } finally {
            ConformanceGroup.setBoundedWait(ConformanceGroup.DEFAULT_WAIT);
            FlawedPollerSuite.flaw = Flaw.NONE;
        }
        return new TreeMap<>(outcomes.entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
    }
}
