package dev.asyncloop.examples.docs;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles blocks in-process with {@code javax.tools}, in one compiler invocation (more only when some fail),
 * against this JVM's class path (the test class path: every asyncloop module the docs talk about), and
 * attributes each error to the block, and the Markdown line, it came from.
 */
final class SnippetCompiler {
    private SnippetCompiler() {
    }

    /**
     * The outcome of one invocation.
     *
     * @param classes the directory the class files went to
     * @param errors per compiled block (in order), its error reports; empty when it compiled
     * @param unattributed compiler errors that belong to no block (a bad option, a missing class path entry)
     */
    record Result(Path classes, Map<JavaBlock, List<String>> errors, List<String> unattributed) {
        /**
         * Returns the failure message of {@code block}, or empty if it compiled: names the file and the block's
         * opening line, then each error with its own Markdown line, the compiler's message and the line's text.
         */
        Optional<String> failure(JavaBlock block) {
            List<String> reports = new ArrayList<>(unattributed);
            reports.addAll(errors.getOrDefault(block, List.of()));
            if (reports.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(block.where() + ": the ```java block that starts on this line does not compile"
                    + " against today's API (fix the doc, or mark pseudo-code ```java not-compiled):\n"
                    + String.join("\n", reports));
        }
    }

    /**
     * Compiles every block of {@code blocks} that is not marked not-compiled, in one invocation.
     *
     * @param blocks the blocks, usually those of one Markdown file (compilation units of one call share the
     *     unnamed package, so one block may use a class another declares)
     * @param classes where the class files go (created if absent)
     * @return what failed, per block
     * @throws IllegalStateException if this JVM has no system Java compiler (a JRE instead of a JDK)
     */
    static Result compile(List<JavaBlock> blocks, Path classes) {
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        if (compiler == null) {
            throw new IllegalStateException("no system Java compiler in " + System.getProperty("java.home")
                    + ": the tests must run on a JDK (javax.tools.ToolProvider found none)");
        }
        Map<JavaBlock, List<String>> errors = new LinkedHashMap<>();
        List<SnippetSource> sources = new ArrayList<>();
        for (JavaBlock block : blocks) {
            if (block.kind() != JavaBlock.Kind.NOT_COMPILED) {
                SnippetSource source = SnippetSource.of(block);
                sources.add(source);
                errors.put(block, new ArrayList<>());
            }
        }
        List<String> unattributed = new ArrayList<>();
        if (sources.isEmpty()) {
            return new Result(classes, errors, unattributed);
        }
        try {
            Files.createDirectories(classes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + classes, e);
        }
        // javac attributes nothing once any file has a syntax error, and may stop early on others: a block counts
        // as compiled only when an invocation that succeeded included it, so the failing blocks are dropped and
        // the rest compiled again (a block that used a failing block's class then fails on its own account).
        List<SnippetSource> remaining = new ArrayList<>(sources);
        while (!remaining.isEmpty()) {
            List<SnippetSource> failed = invoke(compiler, remaining, classes, errors, unattributed);
            if (failed.isEmpty()) {
                break;
            }
            remaining.removeAll(failed);
        }
        return new Result(classes, errors, unattributed);
    }

    /** One compiler invocation; returns the sources that failed (all of them when no error names a source). */
    private static List<SnippetSource> invoke(JavaCompiler compiler, List<SnippetSource> sources, Path classes,
            Map<JavaBlock, List<String>> errors, List<String> unattributed) {
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        StringWriter compilerOutput = new StringWriter();
        List<String> options = List.of("-d", classes.toString(), "-classpath", System.getProperty("java.class.path"),
                "-proc:none", "-implicit:none", "-nowarn", "-Xlint:none", "-Xmaxerrs", "10000");
        boolean ok;
        try (StandardJavaFileManager files = compiler.getStandardFileManager(diagnostics, Locale.ROOT,
                StandardCharsets.UTF_8)) {
            ok = compiler.getTask(compilerOutput, files, diagnostics, options, null, sources).call();
        } catch (IOException e) {
            throw new UncheckedIOException("closing the compiler's file manager", e);
        }
        if (ok) {
            return List.of();
        }
        List<SnippetSource> failed = new ArrayList<>();
        for (Diagnostic<? extends JavaFileObject> diagnostic : diagnostics.getDiagnostics()) {
            if (diagnostic.getKind() != Diagnostic.Kind.ERROR) {
                continue;
            }
            String message = diagnostic.getMessage(Locale.ROOT);
            if (!(diagnostic.getSource() instanceof SnippetSource source) || !sources.contains(source)) {
                unattributed.add("  error: " + message);
                continue;
            }
            long line = diagnostic.getLineNumber();
            errors.get(source.block()).add("  " + source.origin(line) + ": error: " + message.replace("\n", "\n    ")
                    + "\n    | " + source.lineText(line).strip());
            if (!failed.contains(source)) {
                failed.add(source);
            }
        }
        if (failed.isEmpty()) {
            if (unattributed.isEmpty()) {
                unattributed.add("  the compiler failed without an error report: " + compilerOutput);
            }
            return sources;
        }
        return failed;
    }
}
