package dev.asyncloop.tck;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Tag;

/**
 * The command line of the console runner.
 *
 * @param loop the loop named with {@code --loop}, or empty for the default selection
 * @param list true for {@code --list}
 * @param help true for {@code --help}
 * @param report where {@code --report} writes the HTML report, or empty
 * @param groups the groups named with {@code --group}, or empty for all
 */
record Options(Optional<String> loop, boolean list, boolean help, Optional<Path> report, List<String> groups) {
    static final String USAGE = """
            Usage: java -jar asyncloop-tck-all.jar [--loop NAME] [--group NAME[,NAME...]] [--list]
                   [--report FILE.html] [--help]

            Runs the asyncloop conformance suite against an event loop provider found on the class path. To test
            a loop of your own, put its jar on the class path (java -jar ignores -cp):
              java --add-exports java.base/jdk.internal.vm=ALL-UNNAMED \\
                   -cp asyncloop-tck-all.jar:your-loop.jar dev.asyncloop.tck.Main --loop NAME
            Each failure and each group's counts go to stderr as the run goes; the table and every failure's
            message go to stdout at the end.

              --loop NAME          test the provider named NAME (as -Dasyncloop.loop=NAME); without it, the
                                   provider the default selection picks (highest priority available)
              --group NAME,...     run only these groups (their JUnit tags: timers, tasks, tcp, tls, pipes,
                                   networking, ...; an unknown name is refused with the list)
              --list               list the providers found, their availability and capabilities, and the
                                   coroutine engine; run nothing
              --report FILE.html   also write an HTML report to FILE.html (and a text report beside it)
              --help               print this text

            Exit status: 0 all passed (skips allowed), 1 a test failed, 2 bad arguments or loop selection error.
            The fast coroutine engine needs JDK 25 and --add-exports java.base/jdk.internal.vm=ALL-UNNAMED
            (the runnable jar's manifest grants it).""";

    /**
     * Parses the arguments.
     *
     * @param args the command line
     * @return the options
     * @throws IllegalArgumentException naming the bad argument, for the usage text
     */
    static Options parse(String... args) {
        String loop = null;
        Path report = null;
        boolean list = false;
        boolean help = false;
        List<String> groups = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                value = arg.substring(eq + 1);
                arg = arg.substring(0, eq);
            }
            switch (arg) {
                case "--loop", "--report", "--group" -> {
                    if (value == null) {
                        if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                            throw new IllegalArgumentException(arg + " needs a value");
                        }
                        value = args[++i];
                    }
                    if (value.isBlank()) {
                        throw new IllegalArgumentException(arg + " needs a non-empty value");
                    }
                    if (arg.equals("--group")) {
                        for (String g : value.split(",")) {
                            String name = g.strip();
                            if (!GROUPS.contains(name)) {
                                throw new IllegalArgumentException("--group: no group '" + name + "'; the groups are "
                                        + String.join(", ", GROUPS));
                            }
                            groups.add(name);
                        }
                    } else if (arg.equals("--loop")) {
                        if (loop != null) {
                            throw new IllegalArgumentException("--loop given twice");
                        }
                        loop = value.strip();
                    } else {
                        if (report != null) {
                            throw new IllegalArgumentException("--report given twice");
                        }
                        report = Path.of(value);
                    }
                }
                case "--list" -> list = flag(arg, value, true);
                case "--help", "-h" -> help = flag(arg, value, true);
                default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
            }
        }
        return new Options(Optional.ofNullable(loop), list, help, Optional.ofNullable(report), List.copyOf(groups));
    }

    /** The tags of the suite's groups, sorted: what {@code --group} accepts. */
    static final Set<String> GROUPS = groupTags();

    private static Set<String> groupTags() {
        Set<String> tags = new TreeSet<>();
        for (Class<?> group : EventLoopConformanceSuite.class.getDeclaredClasses()) {
            Arrays.stream(group.getAnnotationsByType(Tag.class)).map(Tag::value).forEach(tags::add);
        }
        return tags;
    }

    private static boolean flag(String arg, @Nullable String value, boolean set) {
        if (value != null) {
            throw new IllegalArgumentException(arg + " takes no value");
        }
        return set;
    }
}
