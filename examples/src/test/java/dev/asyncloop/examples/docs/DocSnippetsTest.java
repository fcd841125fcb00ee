package dev.asyncloop.examples.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code ```java} block of {@code README.md} and {@code docs/*.md} compiles against the API as it is, and
 * README's Hello program prints what it says it prints.
 *
 * <p>How a block is compiled (doc authors: a summary heads each docs file that has Java blocks):
 * <ul>
 *   <li>{@code ```java}: a compilation unit when its first line of code (after package/import lines, comments
 *       and annotation lines) declares a class, interface, enum or record at the block's left margin; it is
 *       compiled as written, with {@link SnippetSource#PREAMBLE}'s imports in front only if it has no import of
 *       its own. Otherwise the block is statements, compiled as the body of a method that
 *       {@code throws Exception} with the preamble's imports (its own import lines are moved to the top).
 *   <li>{@code ```java members}: fields, methods or nested types, compiled as the body of a class.
 *   <li>{@code ```java not-compiled}: pseudo-code, never compiled (reported as skipped); keep these rare.
 *   <li>Names a block uses without declaring them come from an HTML comment right above the fence,
 *       {@code <!-- given: ... -->}, invisible on the rendered page: for fragments its lines are members of the
 *       generated class, which is abstract ({@code EventLoop loop; abstract Future<String> fetch(String url);}),
 *       for compilation units further top-level types; its import lines are imports. Other HTML comments are
 *       skipped, fences of other languages too.
 * </ul>
 * The blocks of one Markdown file are compiled in one compiler invocation and share the unnamed package, so a
 * block may use a class an earlier block of the same file declares. A failure names the file, the line of the
 * block's opening fence, each error's own line and the compiler's message.
 */
class DocSnippetsTest {
    /** The repository root, from this module's directory (the tests' working directory). */
    private static final Path ROOT = Path.of("..");
    private static final List<String> MODULE_JARS =
            List.of("asyncloop-spi-", "asyncloop-nio-", "jctools-core-", "guava-", "failureaccess-");
    private static final Map<String, Compiled> COMPILED = new ConcurrentHashMap<>();

    @TempDir
    static Path work;

    private record Compiled(List<JavaBlock> blocks, SnippetCompiler.Result result) {
    }

    @AfterAll
    static void forgetCompiledFiles() {
        COMPILED.clear();   // their class directories go with the temporary directory
    }

    @TestFactory
    @DisplayName("every ```java block of README.md and docs/*.md compiles")
    Stream<DynamicContainer> everyJavaBlockCompiles() {
        List<String> files = markdownFiles();
        int blocks = 0;
        List<DynamicContainer> containers = new ArrayList<>();
        for (String file : files) {
            Compiled compiled = compiled(file);
            blocks += compiled.blocks().size();
            containers.add(DynamicContainer.dynamicContainer(file, compiled.blocks().stream().map(block ->
                    DynamicTest.dynamicTest(block.where() + " (" + block.kind().name().toLowerCase(Locale.ROOT) + ")", () -> {
                        Assumptions.assumeFalse(block.kind() == JavaBlock.Kind.NOT_COMPILED,
                                block.where() + " is marked ```java not-compiled");
                        compiled.result().failure(block).ifPresent(message -> fail(message));
                    }))));
        }
        assertTrue(blocks >= 19, "expected README.md and docs/*.md to hold at least 19 ```java blocks, found "
                + blocks + " in " + files + ": has the fence syntax or the docs' location changed?");
        return containers.stream();
    }

    @Test
    @DisplayName("README's Hello program prints \"hello, world!\"")
    void helloProgramRuns() throws Exception {
        Compiled readme = compiled("README.md");
        JavaBlock hello = readme.blocks().stream()
                .filter(b -> b.code().stream().anyMatch(l -> l.startsWith("public class Hello ")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("README.md has no ```java block with 'public class Hello'"));
        readme.result().failure(hello).ifPresent(message -> fail(message));

        List<String> modulePath = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String name = Path.of(entry).getFileName().toString();
            if (MODULE_JARS.stream().anyMatch(name::startsWith) && name.endsWith(".jar")) {
                modulePath.add(entry);
            }
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java));
        if (modulePath.size() == MODULE_JARS.size()) {
            // The packaged jars (mvn verify): as a user runs it, the library as named modules.
            command.addAll(List.of("-p", String.join(File.pathSeparator, modulePath), "--add-modules",
                    "ALL-MODULE-PATH", "--add-exports", "java.base/jdk.internal.vm=dev.asyncloop",
                    "-cp", readme.result().classes().toString()));
        } else {
            // Class directories from the reactor (mvn test): the class path, with the flag README names.
            command.addAll(List.of("--add-exports", "java.base/jdk.internal.vm=ALL-UNNAMED", "-cp",
                    readme.result().classes() + File.pathSeparator + System.getProperty("java.class.path")));
        }
        command.add("Hello");
        Path out = work.resolve("hello-out.txt");
        Path err = work.resolve("hello-err.txt");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("README's Hello program did not finish within 60 s; command: " + command);
        }
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), "Hello's exit status; stderr: " + stderr + "; command: " + command);
        assertEquals("hello, world!", Files.readString(out, StandardCharsets.UTF_8).strip(),
                "what README's Hello program printed; stderr: " + stderr);
        assertTrue(stderr.isBlank(), "Hello run with the flag README names should warn about nothing: " + stderr);
    }

    @Test
    @DisplayName("a block that does not compile is reported with its file, its line and the compiler's message")
    void brokenBlockIsReported() {
        String markdown = """
                Text.

                <!-- given:
                EventLoop loop;
                -->
                ```java
                Future<String> f = loop.createFuture();
                int n = f.noSuchMethod();
                ```
                """;
        List<JavaBlock> blocks = MarkdownJavaBlocks.parse("docs/broken.md", markdown);
        assertEquals(1, blocks.size(), "blocks found");
        SnippetCompiler.Result result = SnippetCompiler.compile(blocks, work.resolve("broken"));
        String message = result.failure(blocks.getFirst()).orElseThrow(
                () -> new AssertionError("a call of a missing method compiled"));
        assertTrue(message.startsWith("docs/broken.md:6: "), message);
        assertTrue(message.contains("docs/broken.md:8: error: cannot find symbol"), message);
        assertTrue(message.contains("noSuchMethod()"), message);
    }

    @Test
    @DisplayName("fences: the kind comes from the first line of code or the info string; malformed input is named")
    void fencesAreClassified() {
        String markdown = """
                ```java
                import java.util.List;

                @SuppressWarnings("unused")
                public final class A {}
                ```
                ```java
                List<String> names = List.of();
                ```
                ```java members
                int size() { return 0; }
                ```
                ```xml
                <java/>
                ```
                <!-- a comment that shows a fence:
                ```java
                -->
                ```java not-compiled
                loop.magic(...);
                ```
                """;
        List<JavaBlock> blocks = MarkdownJavaBlocks.parse("x.md", markdown);
        assertEquals(List.of(JavaBlock.Kind.COMPILATION_UNIT, JavaBlock.Kind.STATEMENTS, JavaBlock.Kind.MEMBERS,
                JavaBlock.Kind.NOT_COMPILED), blocks.stream().map(JavaBlock::kind).toList(), "kinds");
        assertEquals(List.of(1, 7, 10, 19), blocks.stream().map(JavaBlock::fenceLine).toList(), "fence lines");
        SnippetCompiler.Result result = SnippetCompiler.compile(blocks, work.resolve("kinds"));
        blocks.stream().filter(b -> b.kind() != JavaBlock.Kind.NOT_COMPILED)
                .forEach(b -> assertFalse(result.failure(b).isPresent(), () -> result.failure(b).orElseThrow()));

        assertMessage("x.md:1: the ``` fence opened here is never closed",
                () -> MarkdownJavaBlocks.parse("x.md", "```java\nint a;\n"));
        assertMessage("x.md:1: unknown info string 'fragment'",
                () -> MarkdownJavaBlocks.parse("x.md", "```java fragment\nint a;\n```\n"));
        assertMessage("x.md:1: a given comment must be followed directly by a ```java fence",
                () -> MarkdownJavaBlocks.parse("x.md", "<!-- given: int a; -->\n\n```java\na++;\n```\n"));
    }

    private static void assertMessage(String expectedStart, org.junit.jupiter.api.function.Executable parse) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, parse, expectedStart);
        assertTrue(e.getMessage().startsWith(expectedStart), "message: " + e.getMessage());
    }

    private static List<String> markdownFiles() {
        Path readme = ROOT.resolve("README.md");
        Path docs = ROOT.resolve("docs");
        if (!Files.isRegularFile(readme) || !Files.isDirectory(docs)) {
            fail("expected the repository's README.md and docs/ at " + ROOT.toAbsolutePath().normalize()
                    + " (the tests run in the examples module's directory)");
        }
        List<String> files = new ArrayList<>(List.of("README.md"));
        try (Stream<Path> list = Files.list(docs)) {
            list.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".md")).sorted()
                    .forEach(n -> files.add("docs/" + n));
        } catch (IOException e) {
            throw new UncheckedIOException("listing " + docs, e);
        }
        return files;
    }

    private static Compiled compiled(String file) {
        return COMPILED.computeIfAbsent(file, f -> {
            String markdown;
            try {
                markdown = Files.readString(ROOT.resolve(f), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("reading " + ROOT.resolve(f).toAbsolutePath().normalize(), e);
            }
            List<JavaBlock> blocks = MarkdownJavaBlocks.parse(f, markdown);
            return new Compiled(blocks, SnippetCompiler.compile(blocks,
                    work.resolve("classes").resolve(f.replaceAll("[^A-Za-z0-9]", "_"))));
        });
    }
}
