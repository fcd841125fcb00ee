package dev.asyncloop.tck;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;

/** Renders a {@link RunResult} as one self-contained HTML page (inline style, no scripts, no links). */
final class HtmlReport {
    private HtmlReport() {
    }

    /**
     * Renders the page.
     *
     * @param header the loop and environment
     * @param result the run
     * @return the HTML document
     */
    static String render(RunHeader header, RunResult result) {
        StringBuilder sb = new StringBuilder();
        sb.append("""
                <!DOCTYPE html>
                <html lang="en"><head><meta charset="utf-8">
                <title>asyncloop conformance report</title>
                <style>
                body{font-family:system-ui,sans-serif;margin:2em;max-width:70em}
                table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:.25em .6em}
                td.n{text-align:right}tr.fail td{background:#fdd}tr.total td{font-weight:bold}
                pre{background:#f6f6f6;padding:.5em;white-space:pre-wrap}
                .ok{color:#070}.bad{color:#b00}
                </style></head><body>
                <h1>asyncloop conformance report</h1>
                """);
        sb.append("<table>\n");
        headerRow(sb, "loop", header.loop());
        headerRow(sb, "chosen", header.reason());
        headerRow(sb, "coroutine engine", header.engine());
        headerRow(sb, "JDK", header.jdk());
        headerRow(sb, "date", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        headerRow(sb, "duration", String.format(Locale.ROOT, "%.1f s", result.duration().toMillis() / 1000.0));
        sb.append("</table>\n");

        RunResult.Counts total = result.total();
        sb.append("<h2 class=\"").append(total.failed() == 0 ? "ok" : "bad").append("\">")
                .append(esc(result.summaryLine())).append("</h2>\n");
        sb.append("<table>\n<tr><th>group</th><th>passed</th><th>failed</th><th>skipped</th></tr>\n");
        for (Map.Entry<String, RunResult.Counts> e : result.countsByGroup().entrySet()) {
            RunResult.Counts c = e.getValue();
            countRow(sb, c.failed() > 0 ? "fail" : "", e.getKey(), c);
        }
        countRow(sb, "total", "total", total);
        sb.append("</table>\n");

        var failed = result.with(RunResult.Status.FAILED);
        sb.append("<h2>Failures (").append(failed.size()).append(")</h2>\n");
        for (RunResult.Outcome o : failed) {
            sb.append("<h3>").append(esc(o.name())).append(" <small>(").append(esc(o.group()))
                    .append(")</small></h3>\n<pre>").append(esc(o.message())).append("</pre>\n");
        }
        var skipped = result.with(RunResult.Status.SKIPPED);
        sb.append("<h2>Skipped (").append(skipped.size()).append(")</h2>\n");
        if (!skipped.isEmpty()) {
            sb.append("<table>\n<tr><th>group</th><th>test</th><th>reason</th></tr>\n");
            for (RunResult.Outcome o : skipped) {
                sb.append("<tr><td>").append(esc(o.group())).append("</td><td>").append(esc(o.name()))
                        .append("</td><td>").append(esc(o.message())).append("</td></tr>\n");
            }
            sb.append("</table>\n");
        }
        var passed = result.with(RunResult.Status.PASSED);
        sb.append("<h2>Passed (").append(passed.size()).append(")</h2>\n<ul>\n");
        for (RunResult.Outcome o : passed) {
            sb.append("<li>").append(esc(o.name())).append(" <small>(").append(esc(o.group()))
                    .append(")</small></li>\n");
        }
        sb.append("</ul>\n</body></html>\n");
        return sb.toString();
    }

    private static void headerRow(StringBuilder sb, String key, String value) {
        sb.append("<tr><th>").append(esc(key)).append("</th><td>").append(esc(value)).append("</td></tr>\n");
    }

    private static void countRow(StringBuilder sb, String cssClass, String group, RunResult.Counts c) {
        sb.append("<tr class=\"").append(cssClass).append("\"><td>").append(esc(group))
                .append("</td><td class=\"n\">").append(c.passed())
                .append("</td><td class=\"n\">").append(c.failed())
                .append("</td><td class=\"n\">").append(c.skipped()).append("</td></tr>\n");
    }

    /** Escapes text for HTML element content and attribute values. */
    static String esc(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(ch);
            }
        }
        return sb.toString();
    }
}
