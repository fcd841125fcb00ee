package dev.asyncloop.tck;

import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Renders a {@link RunResult} as the console runner's plain text: table, failures, skips, closing line. */
final class TextReport {
    private static final int MESSAGE_LINES = 6;

    private TextReport() {
    }

    /**
     * Renders the report.
     *
     * @param header the loop and environment, or null to leave them out
     * @param result the run
     * @return the text, ending with the line {@code N passed, N failed, N skipped} and a newline
     */
    static String render(@Nullable RunHeader header, RunResult result) {
        StringBuilder sb = new StringBuilder();
        if (header != null) {
            sb.append("loop:    ").append(header.loop()).append('\n')
                    .append("chosen:  ").append(header.reason()).append('\n')
                    .append("engine:  ").append(header.engine()).append('\n')
                    .append("JDK:     ").append(header.jdk()).append("\n\n");
        }
        Map<String, RunResult.Counts> counts = result.countsByGroup();
        int width = "total".length();
        for (String g : counts.keySet()) {
            width = Math.max(width, g.length());
        }
        String row = "%-" + width + "s  %7s  %7s  %7s%n";
        sb.append(String.format(row, "group", "passed", "failed", "skipped"));
        sb.append("-".repeat(width + 27)).append('\n');
        counts.forEach((g, c) -> sb.append(String.format(row, g, c.passed(), c.failed(), c.skipped())));
        sb.append("-".repeat(width + 27)).append('\n');
        RunResult.Counts total = result.total();
        sb.append(String.format(row, "total", total.passed(), total.failed(), total.skipped()));

        var failed = result.with(RunResult.Status.FAILED);
        if (!failed.isEmpty()) {
            sb.append("\nFAILED (").append(failed.size()).append("):\n");
            for (RunResult.Outcome o : failed) {
                sb.append("  [").append(o.group()).append("] ").append(o.name()).append('\n');
                for (String line : o.firstLines(MESSAGE_LINES).split("\n")) {
                    sb.append("      ").append(line).append('\n');
                }
            }
        }
        var skipped = result.with(RunResult.Status.SKIPPED);
        if (!skipped.isEmpty()) {
            sb.append("\nSKIPPED (").append(skipped.size()).append("):\n");
            for (RunResult.Outcome o : skipped) {
                sb.append("  [").append(o.group()).append("] ").append(o.name()).append(": ")
                        .append(o.firstLines(1)).append('\n');
            }
        }
        sb.append(String.format(Locale.ROOT, "%ntook %.1f s%n", result.duration().toMillis() / 1000.0));
        sb.append(result.summaryLine()).append('\n');
        return sb.toString();
    }
}
