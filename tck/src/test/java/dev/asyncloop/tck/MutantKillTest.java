package dev.asyncloop.tck;

import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.asyncloop.EventLoop;
import dev.asyncloop.spi.Capability;
import dev.asyncloop.nio.NioEventLoopProvider;
import dev.asyncloop.spi.EventLoopProvider;
import dev.asyncloop.tck.mutants.ForwardingNetworkLoop;
import dev.asyncloop.tck.mutants.Mutants;
import dev.asyncloop.tck.mutants.PollerMutant;
import dev.asyncloop.tck.mutants.Mutants.Mutant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs the conformance suite against each deliberately broken loop of {@link Mutants} and checks that a test of
 * the mutant's rule catches it: a test whose display name starts with the rule ID fails on the mutant and passes
 * on the unmutated forwarding loop (the control, which tells the failures the delegation alone causes). Prints
 * "mutants killed: K/N".
 *
 * <p>Each mutant runs the tests of its rule family (e.g. every "L2.x" test for an L2.4 mutant), with bounded
 * waits of 3 s instead of the suite's 10 s (what a mutant breaks never comes, so its test would wait them out),
 * which keeps the whole run to a few minutes. Runs on the continuation engine only: the mutants break the loop,
 * not the engine.
 */
@EnabledIfSystemProperty(named = "asyncloop.coroutines", matches = "continuation",
        disabledReason = "the mutants break the loop, not the coroutine engine; once is enough")
class MutantKillTest {
    /** The bounded wait of a mutant's run (the suite's own is {@link ConformanceGroup#DEFAULT_WAIT}). */
    private static final java.time.Duration MUTANT_WAIT = java.time.Duration.ofSeconds(3);
    private static final Map<String, String> VERDICTS = new TreeMap<>();
    /** The control runs, by control loop class: the whole suite on each unmutated loop. */
    private static final Map<Class<?>, RunResult> CONTROLS = new java.util.HashMap<>();

    static Stream<Mutant> mutants() {
        return Mutants.all().stream();
    }

    @AfterAll
    static void printKillRate() {
        long killed = VERDICTS.values().stream().filter(v -> v.startsWith("killed")).count();
        StringBuilder sb = new StringBuilder("mutants killed: " + killed + "/" + Mutants.all().size());
        VERDICTS.forEach((name, verdict) -> sb.append("\n  ").append(name).append(": ").append(verdict));
        sb.append("\n  (a control is the unmutated base of a kind of mutant. Its failures are the harness's, not a"
                + " loop's: its provider is not in ServiceLoader (S1.4, S1.5), a forwarding loop's futures and tasks"
                + " belong to the loop it forwards to (F1.0, T3.7, R1.x, N4.1) and its frames sit above the caller's in"
                + " creation stacks (D1.8), and the task mutants' base task is minimal (T3.x, T4.x, D1.7).)");
        CONTROLS.forEach((loop, run) -> sb.append("\n  control ").append(loop.getSimpleName()).append(": ")
                .append(run.summaryLine()).append("; failing there, so never counted as kills: ")
                .append(run.with(RunResult.Status.FAILED).stream().map(o -> o.name().split(" ")[0])
                        .collect(Collectors.joining(", "))));
        System.out.println(sb);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mutants")
    void suiteCatchesMutant(Mutant mutant) {
        Predicate<String> ofRule = name -> name.startsWith(mutant.rule() + " ");
        Class<?> controlClass;
        try (EventLoop probe = mutant.control().get()) {
            controlClass = probe.getClass();
        }
        // only the networking forwarder and the poller mutants have networking; the others claim none
        Set<Capability> capabilities = ForwardingNetworkLoop.class.isAssignableFrom(controlClass)
                || PollerMutant.class.isAssignableFrom(controlClass)
                ? new NioEventLoopProvider().capabilities() : Set.of();
        RunResult control = CONTROLS.computeIfAbsent(controlClass,
                c -> runSuite("control-" + c.getSimpleName(), mutant.control(), capabilities, name -> true));
        List<RunResult.Outcome> ruleTests = control.outcomes().stream().filter(o -> ofRule.test(o.name())).toList();
        if (ruleTests.isEmpty()) {
            VERDICTS.put(mutant.name(), "not checked: the suite has no test of rule " + mutant.rule());
            Assumptions.abort("the suite has no test whose display name starts with " + mutant.rule());
        }
        Set<String> passingInControl = ruleTests.stream().filter(o -> o.status() == RunResult.Status.PASSED)
                .map(RunResult.Outcome::name).collect(Collectors.toSet());
        assertFalse(passingInControl.isEmpty(), "no test of rule " + mutant.rule() + " passes on the unmutated"
                + " control loop, so none can tell this mutant apart: " + ruleTests);

        String family = mutant.rule().substring(0, mutant.rule().indexOf('.') + 1);
        // A lost wakeup hangs every L3 test until its 10 s watchdog, and a networking mutant that loses a callback
        // makes most tests of its family wait out their bounded waits: their own rule's tests are enough.
        Predicate<String> scope = mutant.name().equals("lost-wakeup") || mutant.rule().startsWith("N")
                ? ofRule
                : name -> name.startsWith(family);
        // What a mutant breaks never comes, so its rule's test waits its bounded wait out; the controls keep the
        // full wait, so a rule test that needs long on a correct loop is still told apart from a kill.
        RunResult result;
        ConformanceGroup.setBoundedWait(MUTANT_WAIT);
        try {
            result = runSuite(mutant.name(), mutant.factory(), capabilities, scope);
        } finally {
            ConformanceGroup.setBoundedWait(ConformanceGroup.DEFAULT_WAIT);
        }
        List<RunResult.Outcome> kills = result.with(RunResult.Status.FAILED).stream()
                .filter(o -> passingInControl.contains(o.name())).toList();
        VERDICTS.put(mutant.name(), (kills.isEmpty() ? "SURVIVED" : "killed by " + kills.getFirst().name())
                + String.format(Locale.ROOT, " (%.1f s)", result.duration().toMillis() / 1000.0));
        assertFalse(kills.isEmpty(), "mutant " + mutant + " survived: it " + mutant.broken() + ", yet no test of"
                + " rule " + mutant.rule() + " failed. Outcomes of its rule's tests:\n"
                + result.outcomes().stream().filter(o -> ofRule.test(o.name()))
                        .map(o -> "  " + o.status() + " " + o.name() + " " + o.firstLines(2))
                        .collect(Collectors.joining("\n")));
    }

    private static RunResult runSuite(String name, Supplier<EventLoop> loops, Set<Capability> capabilities,
            Predicate<String> scope) {
        ProviderConformanceSuite.use(provider(name, loops, capabilities));
        try {
            return SuiteRun.execute(ProviderConformanceSuite.class, scope);
        } finally {
            ProviderConformanceSuite.use(null);
        }
    }

    private static EventLoopProvider provider(String name, Supplier<EventLoop> loops,
            Set<Capability> capabilities) {
        return new EventLoopProvider() {
            @Override
            public String name() {
                return ("mutant-" + name).toLowerCase(java.util.Locale.ROOT);
            }

            @Override
            public int priority() {
                return -1;
            }

            @Override
            public Optional<String> unavailabilityCause() {
                return Optional.empty();
            }

            @Override
            public Set<Capability> capabilities() {
                return capabilities;
            }

            @Override
            public EventLoop newEventLoop() {
                return loops.get();
            }
        };
    }
}
