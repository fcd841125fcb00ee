package dev.asyncloop.examples.docs;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the {@code ```java} blocks of a Markdown text, with their info string and the hidden context declared
 * right above them. Fences of other languages and other HTML comments are skipped whole (a {@code ```} inside
 * them opens or closes nothing); an unterminated fence, an unknown info string or a given comment not followed
 * by a {@code ```java} fence is an {@link IllegalArgumentException} naming the file and line.
 */
final class MarkdownJavaBlocks {
    private static final Pattern OPENING_FENCE = Pattern.compile("^( *)(`{3,})\\s*([^`\\s]*)\\s*([^`]*?)\\s*$");
    private static final String GIVEN_START = "<!-- given:";
    private static final String COMMENT_END = "-->";

    private MarkdownJavaBlocks() {
    }

    /**
     * Returns the Java blocks of {@code markdown} in document order.
     *
     * @param file the name failures and blocks carry, such as {@code docs/library.md}
     * @param markdown the file's text
     * @return the blocks
     * @throws IllegalArgumentException if a fence is unterminated, a {@code java} fence has an unknown info
     *     string, or a given comment is unterminated or not directly followed by a {@code ```java} fence
     */
    static List<JavaBlock> parse(String file, String markdown) {
        List<String> lines = markdown.lines().toList();
        List<JavaBlock> blocks = new ArrayList<>();
        List<String> given = null;
        int givenLine = 0;
        int givenEnd = -1;
        for (int index = 0; index < lines.size(); index++) {
            String line = lines.get(index);
            int lineNumber = index + 1;
            String trimmed = line.strip();
            if (trimmed.startsWith(GIVEN_START)) {
                given = new ArrayList<>();
                givenLine = 0;
                String rest = trimmed.substring(GIVEN_START.length());
                int at = lineNumber;
                while (true) {
                    int end = rest.indexOf(COMMENT_END);
                    String text = end >= 0 ? rest.substring(0, end) : rest;
                    if (!text.isBlank() || !given.isEmpty()) {
                        if (given.isEmpty()) {
                            givenLine = at;
                        }
                        given.add(text);
                    }
                    if (end >= 0) {
                        break;
                    }
                    index++;
                    if (index == lines.size()) {
                        throw new IllegalArgumentException(file + ":" + lineNumber
                                + ": the given comment is not closed with -->");
                    }
                    rest = lines.get(index);
                    at = index + 1;
                }
                while (!given.isEmpty() && given.getLast().isBlank()) {
                    given.removeLast();
                }
                givenEnd = index + 1;
                continue;
            }
            if (trimmed.startsWith("<!--") && given == null) {
                // Any other HTML comment is skipped whole: a ``` inside it opens nothing.
                while (!lines.get(index).contains(COMMENT_END) && index + 1 < lines.size()) {
                    index++;
                }
                continue;
            }
            Matcher fence = OPENING_FENCE.matcher(line);
            if (given != null && (!fence.matches() || !fence.group(3).equals("java") || lineNumber != givenEnd + 1)) {
                throw new IllegalArgumentException(file + ":" + givenEnd
                        + ": a given comment must be followed directly by a ```java fence, found: " + line);
            }
            if (!fence.matches()) {
                continue;
            }
            int indent = fence.group(1).length();
            String ticks = fence.group(2);
            List<String> code = new ArrayList<>();
            int close = index + 1;
            while (close < lines.size() && !isClosingFence(lines.get(close), ticks)) {
                code.add(stripIndent(lines.get(close), indent));
                close++;
            }
            if (close == lines.size()) {
                throw new IllegalArgumentException(file + ":" + lineNumber
                        + ": the ``` fence opened here is never closed");
            }
            if (fence.group(3).equals("java")) {
                JavaBlock.Kind kind = switch (fence.group(4)) {
                    case "" -> JavaBlock.classify(code);
                    case "members" -> JavaBlock.Kind.MEMBERS;
                    case "not-compiled" -> JavaBlock.Kind.NOT_COMPILED;
                    default -> throw new IllegalArgumentException(file + ":" + lineNumber
                            + ": unknown info string '" + fence.group(4)
                            + "' after ```java; use nothing, 'members' or 'not-compiled'");
                };
                blocks.add(new JavaBlock(file, lineNumber, kind, given == null ? List.of() : given, givenLine, code));
            }
            given = null;
            index = close;
        }
        return blocks;
    }

    private static boolean isClosingFence(String line, String ticks) {
        String trimmed = line.strip();
        return trimmed.startsWith(ticks) && trimmed.chars().allMatch(c -> c == '`');
    }

    private static String stripIndent(String line, int indent) {
        int strip = 0;
        while (strip < indent && strip < line.length() && line.charAt(strip) == ' ') {
            strip++;
        }
        return line.substring(strip);
    }
}
