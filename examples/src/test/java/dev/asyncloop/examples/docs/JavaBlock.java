package dev.asyncloop.examples.docs;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One {@code ```java} block of a Markdown file: where it is, how to compile it, its hidden context and its code.
 *
 * @param file the Markdown file, as the failure message names it (e.g. {@code docs/library.md})
 * @param fenceLine the 1-based line of the opening fence
 * @param kind how the block is compiled
 * @param given the lines of the {@code <!-- given: ... -->} comment right above the fence (empty when none)
 * @param givenLine the 1-based line of the given's first Java line (0 when none)
 * @param code the block's lines, without the fences and the fence's indentation
 */
record JavaBlock(String file, int fenceLine, Kind kind, List<String> given, int givenLine, List<String> code) {
    /** How a block is compiled. */
    enum Kind {
        /** A whole source file: compiled as written (with the preamble's imports when it has no imports). */
        COMPILATION_UNIT,
        /** Statements: the body of a method that {@code throws Exception}. */
        STATEMENTS,
        /** Fields, methods, constructors or nested types: the body of a class. */
        MEMBERS,
        /** Pseudo-code, marked {@code ```java not-compiled}: never compiled. */
        NOT_COMPILED
    }

    private static final Pattern TYPE_DECLARATION = Pattern.compile(
            "^(@[\\w.]+(\\(.*\\))?\\s+)*"
                    + "((public|protected|private|abstract|final|sealed|non-sealed|static|strictfp)\\s+)*"
                    + "(class|interface|enum|record|@interface)\\s+\\w+.*");
    private static final Pattern ANNOTATION_LINE = Pattern.compile("^@[\\w.]+(\\(.*\\))?\\s*$");

    JavaBlock {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(kind, "kind");
        given = List.copyOf(given);
        code = List.copyOf(code);
    }

    /** Returns the 1-based line of the block's first code line (the line after the opening fence). */
    int firstCodeLine() {
        return fenceLine + 1;
    }

    /** Returns {@code file:line} of the opening fence, the name a failure and a test display carry. */
    String where() {
        return file + ":" + fenceLine;
    }

    /**
     * The rule for a block whose fence says only {@code java}: a compilation unit when its first line of code
     * (after {@code package}/{@code import} lines, blank lines, comments and annotation-only lines) starts, at the
     * block's left margin, a class, interface, enum, record or annotation declaration; statements otherwise.
     */
    static Kind classify(List<String> code) {
        boolean inComment = false;
        for (String line : code) {
            String trimmed = line.strip();
            if (inComment) {
                inComment = !trimmed.contains("*/");
                continue;
            }
            if (trimmed.startsWith("/*")) {
                inComment = !trimmed.contains("*/");
                continue;
            }
            if (trimmed.isEmpty() || trimmed.startsWith("//") || trimmed.startsWith("import ")
                    || trimmed.startsWith("package ") || ANNOTATION_LINE.matcher(line).matches()) {
                continue;
            }
            return TYPE_DECLARATION.matcher(line).matches() ? Kind.COMPILATION_UNIT : Kind.STATEMENTS;
        }
        return Kind.STATEMENTS;
    }
}
