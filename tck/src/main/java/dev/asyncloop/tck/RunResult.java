package dev.asyncloop.tck;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one run of the suite found: every test's outcome, grouped by the suite's nested groups in discovery
 * order.
 *
 * @param groups the group display names, in discovery order (groups whose tests were all skipped included)
 * @param outcomes every test's outcome, in execution order
 * @param duration how long the run took
 */
record RunResult(List<String> groups, List<Outcome> outcomes, Duration duration) {
    /** How a test ended; an aborted test (failed assumption) counts as skipped. */
    enum Status { PASSED, FAILED, SKIPPED }

    /**
     * One test's outcome.
     *
     * @param group the display name of its group
     * @param name its display name (starting with its rule ID)
     * @param status how it ended
     * @param message the failure message or skip reason, empty when it passed
     */
    record Outcome(String group, String name, Status status, String message) {
        /** @return the first {@code max} lines of {@link #message()} */
        String firstLines(int max) {
            String[] lines = message.strip().split("\\R");
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < Math.min(max, lines.length); i++) {
                sb.append(i == 0 ? "" : "\n").append(lines[i]);
            }
            if (lines.length > max) {
                sb.append("\n...");
            }
            return sb.toString();
        }
    }

    /** Counts of one group, or of the whole run. */
    record Counts(int passed, int failed, int skipped) {
        Counts plus(Status s) {
            return new Counts(passed + (s == Status.PASSED ? 1 : 0), failed + (s == Status.FAILED ? 1 : 0),
                    skipped + (s == Status.SKIPPED ? 1 : 0));
        }
    }

    RunResult {
        groups = List.copyOf(groups);
        outcomes = List.copyOf(outcomes);
    }

    /** @return counts per group, in {@link #groups()} order */
    Map<String, Counts> countsByGroup() {
        Map<String, Counts> counts = new LinkedHashMap<>();
        for (String g : groups) {
            counts.put(g, new Counts(0, 0, 0));
        }
        for (Outcome o : outcomes) {
            counts.merge(o.group(), new Counts(0, 0, 0).plus(o.status()), (a, b) -> new Counts(
                    a.passed() + b.passed(), a.failed() + b.failed(), a.skipped() + b.skipped()));
        }
        return counts;
    }

    /** @return the counts of the whole run */
    Counts total() {
        Counts c = new Counts(0, 0, 0);
        for (Outcome o : outcomes) {
            c = c.plus(o.status());
        }
        return c;
    }

    /** @return the outcomes with {@code status}, in execution order */
    List<Outcome> with(Status status) {
        List<Outcome> list = new ArrayList<>();
        for (Outcome o : outcomes) {
            if (o.status() == status) {
                list.add(o);
            }
        }
        return list;
    }

    /** @return the closing line, {@code N passed, N failed, N skipped} */
    String summaryLine() {
        Counts c = total();
        return c.passed() + " passed, " + c.failed() + " failed, " + c.skipped() + " skipped";
    }
}
