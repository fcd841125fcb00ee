package dev.asyncloop.tck;

import dev.asyncloop.Coroutine;
import dev.asyncloop.spi.EventLoopProvider;
import dev.asyncloop.spi.EventLoops;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The console runner's logic, apart from {@code System.exit}: parses the command line, lists or selects the
 * provider, runs {@link ProviderConformanceSuite} and prints the outcome. One run at a time per JVM (the suite
 * reads the provider from a static field, and {@code --loop} sets {@value EventLoops#PROPERTY} for the run).
 */
final class TckCommand {
    /** Exit status: every test passed or was skipped. */
    static final int OK = 0;
    /** Exit status: at least one test failed. */
    static final int FAILED = 1;
    /** Exit status: bad arguments, loop selection failed, or the report could not be written. */
    static final int USAGE = 2;

    private final PrintStream out;
    private final PrintStream err;

    TckCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /**
     * Runs the command line.
     *
     * @param args the arguments
     * @return the exit status: {@link #OK}, {@link #FAILED} or {@link #USAGE}
     */
    int run(String... args) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("asyncloop-tck: " + e.getMessage());
            err.println();
            err.println(Options.USAGE);
            return USAGE;
        }
        if (options.help()) {
            out.println(Options.USAGE);
            return OK;
        }
        if (options.list()) {
            return list();
        }
        // --loop NAME is -Dasyncloop.loop=NAME for the whole run (selection and the suite), then restored.
        String previous = System.getProperty(EventLoops.PROPERTY);
        options.loop().ifPresent(name -> System.setProperty(EventLoops.PROPERTY, name));
        try {
            EventLoops.Selection selection;
            try {
                selection = EventLoops.select();
            } catch (IllegalStateException e) {
                err.println(e.getMessage());
                return USAGE;
            }
            return runSuite(selection, options.report(), options.groups());
        } finally {
            if (previous == null) {
                System.clearProperty(EventLoops.PROPERTY);
            } else {
                System.setProperty(EventLoops.PROPERTY, previous);
            }
        }
    }

    private int list() {
        List<EventLoopProvider> providers;
        try {
            providers = EventLoops.providers();
        } catch (IllegalStateException e) {
            err.println(e.getMessage());
            return USAGE;
        }
        out.println("Event loop providers found (highest priority first): " + providers.size());
        for (EventLoopProvider p : providers) {
            out.println("  " + EventLoops.describe(p));
            out.println("      " + p.unavailabilityCause().map(c -> "unavailable: " + c).orElse("available"));
            out.println("      capabilities: " + capabilities(p.capabilities()));
        }
        try {
            EventLoops.Selection s = EventLoops.select();
            out.println("Default selection: " + s.provider().name() + " (" + s.reason() + ")");
        } catch (IllegalStateException e) {
            out.println("Default selection fails: " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
        }
        out.println("Coroutine engine: " + engineOrReason());
        out.println("JDK: " + RunHeader.currentJdk());
        return OK;
    }

    /** The coroutine engine's name, or why none starts (the suite then fails once, with rule K1.0). */
    private static String engineOrReason() {
        try {
            return Coroutine.engineName();
        } catch (RuntimeException e) {
            return "none can start: " + e.getMessage();
        }
    }

    private int runSuite(EventLoops.Selection selection, Optional<Path> report, List<String> groups) {
        EventLoopProvider provider = selection.provider();
        RunHeader header = new RunHeader(EventLoops.describe(provider), selection.reason(), engineOrReason(),
                RunHeader.currentJdk());
        out.println("asyncloop conformance suite");
        out.println("loop:    " + header.loop());
        out.println("chosen:  " + header.reason());
        out.println("engine:  " + header.engine());
        out.println("JDK:     " + header.jdk());
        out.println();
        out.flush();
        RunResult result;
        ProviderConformanceSuite.use(provider);
        try {
            result = SuiteRun.execute(ProviderConformanceSuite.class, groups, line -> {
                synchronized (err) {
                    err.println(line);
                    err.flush();
                }
            });
        } finally {
            ProviderConformanceSuite.use(null);
        }
        String text = TextReport.render(null, result);
        int status = result.total().failed() > 0 ? FAILED : OK;
        if (report.isPresent()) {
            try {
                writeReports(report.get(), header, result);
            } catch (IOException e) {
                out.print(text);
                err.println("asyncloop-tck: cannot write the report " + report.get() + ": " + e
                        + "; check that the folder exists and is writable");
                return USAGE;
            }
        }
        report.ifPresent(path -> out.println("report: " + path.toAbsolutePath()));
        out.print(text);
        out.flush();
        return status;
    }

    private static void writeReports(Path html, RunHeader header, RunResult result) throws IOException {
        Path dir = html.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        Files.writeString(html, HtmlReport.render(header, result), StandardCharsets.UTF_8);
        String name = html.getFileName().toString();
        String base = name.toLowerCase(java.util.Locale.ROOT).endsWith(".html")
                ? name.substring(0, name.length() - 5) : name;
        Files.writeString(html.resolveSibling(base + ".txt"), TextReport.render(header, result),
                StandardCharsets.UTF_8);
    }

    private static String capabilities(Set<?> caps) {
        return caps.isEmpty() ? "none" : caps.stream().map(Object::toString).sorted()
                .collect(Collectors.joining(", "));
    }
}
