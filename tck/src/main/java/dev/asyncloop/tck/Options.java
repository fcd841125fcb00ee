package dev.asyncloop.tck;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The command line of the console runner.
 *
 * @param loop the loop named with {@code --loop}, or empty for the default selection
 * @param list true for {@code --list}
 * @param help true for {@code --help}
 * @param report where {@code --report} writes the HTML report, or empty
 */
record Options(Optional<String> loop, boolean list, boolean help, Optional<Path> report) {
    static final String USAGE = """
            Usage: java -jar asyncloop-tck-all.jar [--loop NAME] [--list] [--report FILE.html] [--help]

            Runs the asyncloop conformance suite against an event loop provider found on the class path.

              --loop NAME          test the provider named NAME (as -Dasyncloop.loop=NAME); without it, the
                                   provider the default selection picks (highest priority available)
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
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                value = arg.substring(eq + 1);
                arg = arg.substring(0, eq);
            }
            switch (arg) {
                case "--loop", "--report" -> {
                    if (value == null) {
                        if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                            throw new IllegalArgumentException(arg + " needs a value");
                        }
                        value = args[++i];
                    }
                    if (value.isBlank()) {
                        throw new IllegalArgumentException(arg + " needs a non-empty value");
                    }
                    if (arg.equals("--loop")) {
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
        return new Options(Optional.ofNullable(loop), list, help, Optional.ofNullable(report));
    }

    private static boolean flag(String arg, String value, boolean set) {
        if (value != null) {
            throw new IllegalArgumentException(arg + " takes no value");
        }
        return set;
    }
}
