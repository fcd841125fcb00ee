package dev.asyncloop.examples;

import dev.asyncloop.Async;
import dev.asyncloop.StreamPair;
import dev.asyncloop.Streams;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * TCP echo client written with streams (asyncio's {@code open_connection} example): sends each message as a
 * line, reads the echoed line and prints it as {@code echo: <line>}, then closes.
 *
 * <p>{@code EchoClient [--host HOST] [--port PORT] [MESSAGE...]} (default 127.0.0.1:8888, the
 * {@link EchoServer}; without messages it sends "hello" and "world"). Exits with 1 if the connection fails or
 * the server closes early.
 */
public final class EchoClient {
    private EchoClient() {
    }

    /**
     * Sends the messages and prints the echoes.
     *
     * @param args {@code --host HOST --port PORT MESSAGE...}
     */
    public static void main(String[] args) {
        CommandLine cl;
        try {
            cl = CommandLine.parse(args, EchoServer.DEFAULT_PORT);
        } catch (IllegalArgumentException e) {
            System.err.println("EchoClient: " + e.getMessage());
            System.exit(2);
            return;
        }
        List<String> messages = cl.rest().isEmpty() ? List.of("hello", "world") : cl.rest();
        try {
            run(cl.host(), cl.port(), messages, System.out);
        } catch (RuntimeException e) {
            System.err.println("EchoClient: " + e);
            System.exit(1);
        }
    }

    /**
     * Connects, sends each message as a line and prints each echo, on a new loop; returns when done.
     *
     * @param host the server's host
     * @param port the server's port
     * @param messages the lines to send (without newline)
     * @param out where to print the echoes
     * @throws RuntimeException if connecting fails, or (IllegalStateException) the server closes before echoing
     */
    public static void run(String host, int port, List<String> messages, PrintStream out) {
        Async.run(() -> {
            StreamPair conn = Async.await(Streams.openConnection(host, port));
            try {
                for (String m : messages) {
                    conn.writer().write((m + "\n").getBytes(StandardCharsets.UTF_8));
                    Async.await(conn.writer().drain());
                    byte[] line = Async.await(conn.reader().readLine());
                    if (line.length == 0 || line[line.length - 1] != '\n') {
                        throw new IllegalStateException("the server closed the connection before echoing " + m);
                    }
                    out.println("echo: " + new String(line, 0, line.length - 1, StandardCharsets.UTF_8));
                }
            } finally {
                conn.writer().close();
            }
            Async.await(conn.writer().waitClosed());
            return null;
        });
    }
}
