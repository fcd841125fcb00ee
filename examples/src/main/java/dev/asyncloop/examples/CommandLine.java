package dev.asyncloop.examples;

import java.util.ArrayList;
import java.util.List;

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
        String host = DEFAULT_HOST;
        int port = defaultPort;
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
            switch (name) {
                case "--host", "--port" -> {
                    String value;
                    if (a.contains("=")) {
                        value = a.substring(a.indexOf('=') + 1);
                    } else if (i + 1 < args.length) {
                        value = args[++i];
                    } else {
                        throw new IllegalArgumentException(name + " needs a value");
                    }
                    if (name.equals("--host")) {
                        host = value;
                    } else {
                        port = parsePort(value);
                    }
                }
                default -> {
                    if (a.startsWith("--")) {
                        throw new IllegalArgumentException("unknown option " + a + "; use --host HOST --port PORT");
                    }
                    rest.add(a);
                }
            }
        }
        return new CommandLine(host, port, List.copyOf(rest));
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
