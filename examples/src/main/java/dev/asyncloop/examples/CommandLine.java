package dev.asyncloop.examples;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The examples' command line: {@code --host HOST}, {@code --port PORT} (also {@code --host=HOST}), then free
 * arguments.
 *
 * @param host the host to listen on or connect to
 * @param port the port; 0 asks a server for an ephemeral one
 * @param rest the other arguments, in order
 */
record CommandLine(String host, int port, List<String> rest) {
    static final String DEFAULT_HOST = "127.0.0.1";

    /**
     * Parses {@code args}.
     *
     * @throws IllegalArgumentException with a usage message on a bad option or port
     */
    static CommandLine parse(String[] args, int defaultPort) {
        Taken options = take(args, Set.of("--host", "--port"));
        for (String a : options.rest()) {
            if (a.startsWith("--")) {
                throw new IllegalArgumentException("unknown option " + a + "; use --host HOST --port PORT");
            }
        }
        String port = options.values().get("--port");
        return new CommandLine(options.values().getOrDefault("--host", DEFAULT_HOST),
                port == null ? defaultPort : parsePort(port), options.rest());
    }

    /**
     * Options taken out of a command line, and what is left of it.
     *
     * @param values each option's value, by its name ("--port"); the last one given wins
     * @param rest the other arguments, in order
     */
    record Taken(Map<String, String> values, List<String> rest) {
    }

    /**
     * Takes the options {@code names} ({@code --name value} or {@code --name=value}) out of {@code args}.
     *
     * @throws IllegalArgumentException if one of them has no value
     */
    static Taken take(String[] args, Set<String> names) {
        Map<String, String> values = new HashMap<>();
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            int eq = a.indexOf('=');
            String name = eq >= 0 ? a.substring(0, eq) : a;
            if (!names.contains(name)) {
                rest.add(a);
            } else if (eq >= 0) {
                values.put(name, a.substring(eq + 1));
            } else if (i + 1 < args.length) {
                values.put(name, args[++i]);
            } else {
                throw new IllegalArgumentException(name + " needs a value");
            }
        }
        return new Taken(Map.copyOf(values), List.copyOf(rest));
    }

    private static int parsePort(String value) {
        try {
            int p = Integer.parseInt(value);
            if (p < 0 || p > 65535) {
                throw new IllegalArgumentException("--port must be 0 to 65535, got " + value);
            }
            return p;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--port must be a number, got " + value, e);
        }
    }
}
