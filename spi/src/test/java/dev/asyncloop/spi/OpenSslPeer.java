package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.fail;

import dev.asyncloop.EventLoop;
import dev.asyncloop.Future;
import dev.asyncloop.TimeoutError;
import dev.asyncloop.testsupport.LoopWaits;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * An {@code openssl} command ({@code s_server}, {@code s_client}) as a child process: a TLS peer that is not the
 * JDK's engine. Its stdout and stderr are read together by a thread of its own into {@link #output()}; a test waits
 * for a text in it by running its loop ({@link #await}), never by sleeping. {@link #close()} kills the process.
 */
final class OpenSslPeer implements AutoCloseable {
    /** The longest wait for anything openssl or the loop is asked to do. */
    static final Duration BOUND = Duration.ofSeconds(10);
    private static final Pattern ACCEPT = Pattern.compile("ACCEPT 127\\.0\\.0\\.1:(\\d+)");

    private record Waiter(String text, EventLoop loop, Future<@Nullable Void> seen) {
    }

    private final String command;
    private final Process process;
    private final OutputStream stdin;
    private final Thread reader;
    private @Nullable Thread feeder;
    private final StringBuilder output = new StringBuilder();
    private final List<Waiter> waiters = new ArrayList<>();

    private OpenSslPeer(List<String> args) throws IOException {
        List<String> line = new ArrayList<>();
        line.add("openssl");
        line.addAll(args);
        command = String.join(" ", line);
        process = new ProcessBuilder(line).redirectErrorStream(true).start();
        stdin = process.getOutputStream();
        reader = Thread.ofPlatform().daemon().name("openssl output").start(this::readOutput);
    }

    /**
     * Whether an {@code openssl} command runs here (asked once).
     *
     * @return true if {@code openssl version} ran and exited with 0
     */
    static boolean available() {
        return Probe.AVAILABLE;
    }

    /** Holds the answer of the first {@link #available()}. */
    private static final class Probe {
        static final boolean AVAILABLE = probe();
    }

    private static boolean probe() {
        try {
            Process p = new ProcessBuilder("openssl", "version").redirectErrorStream(true).start();
            p.getInputStream().transferTo(OutputStream.nullOutputStream());
            if (!p.waitFor(BOUND.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Starts {@code openssl} with {@code args}.
     *
     * @param args its arguments, the command ({@code s_server}) first
     * @return the running peer; the caller closes it
     * @throws IOException if it cannot be started
     */
    static OpenSslPeer start(String... args) throws IOException {
        return new OpenSslPeer(List.of(args));
    }

    private void readOutput() {
        byte[] chunk = new byte[8192];
        try (InputStream in = process.getInputStream()) {
            for (int n; (n = in.read(chunk)) >= 0; ) {
                List<Waiter> due = new ArrayList<>();
                synchronized (this) {
                    output.append(new String(chunk, 0, n, StandardCharsets.ISO_8859_1));
                    for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
                        Waiter w = it.next();
                        if (output.indexOf(w.text()) >= 0) {
                            it.remove();
                            due.add(w);
                        }
                    }
                }
                due.forEach(OpenSslPeer::wake);
            }
        } catch (IOException e) {
            // The process was killed while its output was read: nothing more will come.
        }
    }

    private static void wake(Waiter w) {
        try {
            w.loop().callSoonThreadsafe(() -> {
                if (!w.seen().isDone()) {
                    w.seen().setResult(null);
                }
            });
        } catch (RuntimeException closed) {
            // The loop is closed: nobody waits any more.
        }
    }

    /**
     * Everything the process wrote so far, stdout and stderr together.
     *
     * @return the text (bytes as ISO-8859-1)
     */
    synchronized String output() {
        return output.toString();
    }

    /**
     * How often {@code text} occurs in the output so far.
     *
     * @param text what to count
     * @return the count
     */
    synchronized int count(String text) {
        int n = 0;
        for (int at = output.indexOf(text); at >= 0; at = output.indexOf(text, at + text.length())) {
            n++;
        }
        return n;
    }

    /**
     * Runs {@code loop} until {@code text} is in the output; fails the test, with the output, if it is not there
     * within {@link #BOUND}.
     *
     * @param loop a stopped loop on the calling thread (it serves our end of the connection meanwhile)
     * @param text what to wait for
     */
    void await(EventLoop loop, String text) {
        Future<@Nullable Void> seen = loop.createFuture();
        synchronized (this) {
            if (output.indexOf(text) >= 0) {
                return;
            }
            waiters.add(new Waiter(text, loop, seen));
        }
        try {
            LoopWaits.await(loop, seen, BOUND);
        } catch (TimeoutError e) {
            fail("\"" + text + "\" did not come from " + command + " within " + BOUND + "; its output:\n" + output());
        }
    }

    /**
     * Waits for s_server's {@code ACCEPT 127.0.0.1:port} line.
     *
     * @param loop a stopped loop on the calling thread
     * @return the port it listens on
     */
    int acceptPort(EventLoop loop) {
        await(loop, "ACCEPT ");
        await(loop, "\n");
        Matcher m = ACCEPT.matcher(output());
        if (!m.find()) {
            fail(command + " did not listen on 127.0.0.1; its output:\n" + output());
        }
        return Integer.parseInt(m.group(1));
    }

    /**
     * Writes {@code line} and a newline to the process's stdin.
     *
     * @param line the text (openssl's command letters count at the start of a line)
     * @throws IOException if the process is gone
     */
    void send(String line) throws IOException {
        stdin.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
        stdin.flush();
    }

    /**
     * Writes {@code text} to the process's stdin from a thread of its own, then closes stdin: for more than a pipe
     * holds, which the process takes only as fast as the loop (not running while this thread would block) reads.
     *
     * @param text what to write
     */
    void sendAndCloseInBackground(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        feeder = Thread.ofPlatform().daemon().name("openssl input").start(() -> {
            try (OutputStream out = stdin) {
                out.write(bytes);
            } catch (IOException e) {
                // The process is gone: the test's wait for its output fails and shows it.
            }
        });
    }

    /**
     * Closes the process's stdin (its end of input).
     *
     * @throws IOException if closing fails
     */
    void closeInput() throws IOException {
        stdin.close();
    }

    /**
     * Runs {@code loop} until the process exits and {@link #output()} holds all it wrote.
     *
     * @param loop a stopped loop on the calling thread
     * @return its exit status
     */
    int awaitExit(EventLoop loop) {
        Future<Integer> exit = loop.createFuture();
        process.onExit().thenAccept(p -> {
            try {
                reader.join(BOUND);   // the output's end comes after the exit
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                loop.callSoonThreadsafe(() -> {
                    if (!exit.isDone()) {
                        exit.setResult(p.exitValue());
                    }
                });
            } catch (RuntimeException closed) {
                // The loop is closed: nobody waits any more.
            }
        });
        try {
            return LoopWaits.await(loop, exit, BOUND);
        } catch (TimeoutError e) {
            return fail(command + " did not exit within " + BOUND + "; its output:\n" + output());
        }
    }

    /**
     * Stops the process (SIGSTOP): it reads nothing more, so what we send piles up in its socket's receive buffer,
     * and a {@link #kill()} then resets the connection instead of closing it.
     *
     * @throws IOException if {@code kill -STOP} cannot run or fails
     * @throws InterruptedException if interrupted while it runs
     */
    void stop() throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-STOP", Long.toString(process.pid())).redirectErrorStream(true)
                .start();
        if (!kill.waitFor(BOUND.toMillis(), TimeUnit.MILLISECONDS) || kill.exitValue() != 0) {
            kill.destroyForcibly();
            throw new IOException("kill -STOP " + process.pid() + " failed");
        }
    }

    /** Kills the process at once (SIGKILL): its sockets close without a TLS {@code close_notify}. */
    void kill() {
        process.destroyForcibly();
    }

    /** Kills the process if it still runs and waits for it and its output's reader. */
    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(BOUND.toMillis(), TimeUnit.MILLISECONDS);
        reader.join(BOUND);
        if (feeder != null) {
            feeder.join(BOUND);
        }
    }

    @Override
    public String toString() {
        return command;
    }
}
