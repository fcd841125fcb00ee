package dev.asyncloop.examples.docs;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;

/**
 * The Java source file generated for one block, and the way back from its lines to the Markdown file's.
 *
 * <p>Statements become the body of {@code void snippet() throws Exception} in an abstract class of their own
 * (so a given may declare abstract methods), members the body of such a class; both get {@link #PREAMBLE}'s
 * imports, the block's own import lines and the given's.
 * A compilation unit is compiled as written, with {@link #PREAMBLE} in front only when it has no import or
 * package line of its own (a block that shows imports claims to be complete, and is held to it); its given's
 * declarations follow it as further top-level types. Import lines moved to the top are left blank where they
 * were, so every line of the block and of the given keeps its offset.
 */
final class SnippetSource extends SimpleJavaFileObject {
    /** What every fragment, and every compilation unit without imports of its own, is compiled with. */
    static final List<String> PREAMBLE = List.of(
            "import dev.asyncloop.*;",
            "import dev.asyncloop.spi.*;",
            "import dev.asyncloop.Future;",
            "import java.io.*;",
            "import java.nio.*;",
            "import java.nio.channels.*;",
            "import java.nio.file.*;",
            "import java.time.*;",
            "import java.util.*;",
            "import java.util.concurrent.CompletableFuture;",
            "import java.util.concurrent.ExecutionException;",
            "import java.util.concurrent.TimeUnit;",
            "import javax.net.ssl.*;",
            "import static dev.asyncloop.Async.await;",
            "import static java.nio.charset.StandardCharsets.UTF_8;");

    private static final Pattern PUBLIC_TYPE = Pattern.compile(
            "^(@[\\w.]+(\\(.*\\))?\\s+)*((abstract|final|sealed|non-sealed|strictfp)\\s+)*public\\s+"
                    + "((abstract|final|sealed|non-sealed|strictfp)\\s+)*"
                    + "(class|interface|enum|record|@interface)\\s+(\\w+).*");

    private final JavaBlock block;
    private final String text;
    private final int codeStart;
    private final int givenStart;

    private SnippetSource(JavaBlock block, String typeName, List<String> lines, int codeStart, int givenStart) {
        super(URI.create("string:///" + sanitize(block.file()) + "/L" + block.fenceLine() + "/" + typeName
                + JavaFileObject.Kind.SOURCE.extension), JavaFileObject.Kind.SOURCE);
        this.block = block;
        this.text = String.join("\n", lines) + "\n";
        this.codeStart = codeStart;
        this.givenStart = givenStart;
    }

    /**
     * Generates the source for {@code block}.
     *
     * @throws IllegalArgumentException if the block is marked not-compiled
     */
    static SnippetSource of(JavaBlock block) {
        if (block.kind() == JavaBlock.Kind.NOT_COMPILED) {
            throw new IllegalArgumentException(block.where() + " is marked not-compiled");
        }
        List<String> givenImports = imports(block.given());
        List<String> givenBody = blankImports(block.given());
        List<String> lines = new ArrayList<>();
        if (block.kind() == JavaBlock.Kind.COMPILATION_UNIT) {
            boolean complete = block.code().stream().map(String::strip)
                    .anyMatch(l -> l.startsWith("import ") || l.startsWith("package "));
            List<String> header = new ArrayList<>(complete ? List.of() : PREAMBLE);
            header.addAll(givenImports);
            List<String> code = new ArrayList<>(block.code());
            int packageLine = indexOfPackage(code);
            if (packageLine >= 0) {
                // Imports must follow the package declaration: joined onto its line, so no line shifts.
                code.set(packageLine, code.get(packageLine) + " " + String.join(" ", header));
            } else {
                lines.addAll(header);
            }
            int codeStart = lines.size() + 1;
            lines.addAll(code);
            int givenStart = lines.size() + 1;
            lines.addAll(givenBody);
            return new SnippetSource(block, publicTypeName(block.code()).orElse(wrapperName(block)), lines,
                    codeStart, givenStart);
        }
        lines.addAll(PREAMBLE);
        lines.addAll(imports(block.code()));
        lines.addAll(givenImports);
        String name = wrapperName(block);
        lines.add("abstract class " + name + " {");
        int givenStart = lines.size() + 1;
        lines.addAll(givenBody);
        if (block.kind() == JavaBlock.Kind.STATEMENTS) {
            lines.add("void snippet() throws Exception {");
        }
        int codeStart = lines.size() + 1;
        lines.addAll(blankImports(block.code()));
        if (block.kind() == JavaBlock.Kind.STATEMENTS) {
            lines.add("}");
        }
        lines.add("}");
        return new SnippetSource(block, name, lines, codeStart, givenStart);
    }

    /** Returns the block this source was generated from. */
    JavaBlock block() {
        return block;
    }

    @Override
    public CharSequence getCharContent(boolean ignoreEncodingErrors) {
        return text;
    }

    /**
     * Returns where line {@code generatedLine} of this source comes from: {@code docs/x.md:42} for a line of the
     * block or of its given, or a note with the generated line's text for a line the wrapper added.
     */
    String origin(long generatedLine) {
        int codeIndex = (int) generatedLine - codeStart;
        if (codeIndex >= 0 && codeIndex < block.code().size()) {
            return block.file() + ":" + (block.firstCodeLine() + codeIndex);
        }
        int givenIndex = (int) generatedLine - givenStart;
        if (givenIndex >= 0 && givenIndex < block.given().size()) {
            return block.file() + ":" + (block.givenLine() + givenIndex) + " (in the given comment)";
        }
        return block.where() + " (line " + generatedLine + " the test generated around the block: "
                + lineText(generatedLine).strip() + ")";
    }

    /** Returns line {@code generatedLine} (1-based) of the generated source, or "" when there is none. */
    String lineText(long generatedLine) {
        List<String> lines = text.lines().toList();
        return generatedLine >= 1 && generatedLine <= lines.size() ? lines.get((int) generatedLine - 1) : "";
    }

    private static List<String> imports(List<String> lines) {
        return lines.stream().filter(l -> l.strip().startsWith("import ")).map(String::strip).toList();
    }

    private static List<String> blankImports(List<String> lines) {
        return lines.stream().map(l -> l.strip().startsWith("import ") ? "" : l).toList();
    }

    private static int indexOfPackage(List<String> code) {
        for (int i = 0; i < code.size(); i++) {
            if (code.get(i).strip().startsWith("package ")) {
                return i;
            }
        }
        return -1;
    }

    private static Optional<String> publicTypeName(List<String> code) {
        for (String line : code) {
            Matcher matcher = PUBLIC_TYPE.matcher(line);
            if (matcher.matches()) {
                return Optional.of(matcher.group(8));
            }
        }
        return Optional.empty();
    }

    private static String wrapperName(JavaBlock block) {
        return "Snippet_" + sanitize(block.file()) + "_L" + block.fenceLine();
    }

    private static String sanitize(String file) {
        return file.replaceAll("[^A-Za-z0-9]", "_");
    }
}
