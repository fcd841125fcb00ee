package dev.asyncloop.examples;

import dev.asyncloop.Async;
import dev.asyncloop.CancelledError;
import dev.asyncloop.Future;
import dev.asyncloop.KeyboardInterrupt;
import dev.asyncloop.Semaphore;
import dev.asyncloop.StreamPair;
import dev.asyncloop.StreamReader;
import dev.asyncloop.Streams;
import dev.asyncloop.Task;
import dev.asyncloop.TaskGroup;
import dev.asyncloop.Tasks;
import dev.asyncloop.Timeout;
import dev.asyncloop.TimeoutError;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletionException;

/**
 * Fetches URLs over plain HTTP/1.1 with at most {@code --concurrency} requests in flight (a {@link Semaphore}),
 * each attempt bounded by a {@link Timeout}, a refused connection retried with exponential backoff, and results
 * printed as they complete ({@link Tasks#asCompleted}), then a summary. All fetches run in one {@link TaskGroup}:
 * Ctrl-C cancels the main task ({@link dev.asyncloop.Runner}), the group cancels every fetch, and the program
 * prints what it had and exits with 130.
 *
 * <p>{@code FetchAll [--concurrency K] [--timeout SECONDS] [--retries N] URL...} (defaults 4, 10 s and 3: a
 * refused connection is tried up to 1 + N times, waiting 100 ms, 200 ms, 400 ms... between attempts). Each URL is
 * {@code http://host[:port][/path]}. One line per URL, in completion order: {@code 200 URL (13 bytes)} or
 * {@code FAIL URL: reason (after N attempts)}; then {@code FetchAll: N ok, N failed, N cancelled of N}. Exit
 * status: 0 when every fetch got a response (any status), 1 when one failed, 130 on Ctrl-C, 2 for a bad command
 * line.
 */
public final class FetchAll {
    /** Exit status after Ctrl-C, as a shell reports a program ended by SIGINT. */
    public static final int INTERRUPTED = 130;
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);

    /**
     * The outcome of one URL.
     *
     * @param url the URL
     * @param status the HTTP status, or 0 when it failed
     * @param bytes the body's length
     * @param attempts how many connections were tried
     * @param error why it failed, or empty
     */
    record Result(URI url, int status, int bytes, int attempts, String error) {
        boolean ok() {
            return error.isEmpty();
        }

        @Override
        public String toString() {
            return ok() ? status + " " + url + " (" + bytes + " bytes)"
                    : "FAIL " + url + ": " + error + " (after " + attempts + (attempts == 1 ? " attempt)" : " attempts)");
        }
    }

    private final int concurrency;
    private final Duration timeout;
    private final int retries;
    private final PrintStream out;

    /**
     * Creates the fetcher.
     *
     * @param concurrency the most requests in flight, at least 1
     * @param timeout the limit of each attempt
     * @param retries how many times a refused connection is tried again
     * @param out where the lines and the summary go
     */
    public FetchAll(int concurrency, Duration timeout, int retries, PrintStream out) {
        if (concurrency < 1) {
            throw new IllegalArgumentException("--concurrency must be at least 1, got " + concurrency);
        }
        this.concurrency = concurrency;
        this.timeout = timeout;
        this.retries = retries;
        this.out = out;
    }

    /**
     * Fetches the URLs on the command line; see the class comment.
     *
     * @param args {@code [--concurrency K] [--timeout SECONDS] [--retries N] URL...}
     */
    public static void main(String[] args) {
        FetchAll fetcher;
        List<URI> urls;
        try {
            CommandLine.Taken options = CommandLine.take(args, Set.of("--concurrency", "--timeout", "--retries"));
            fetcher = new FetchAll(Integer.parseInt(options.values().getOrDefault("--concurrency", "4")),
                    Duration.ofMillis(Math.round(1000 * Double.parseDouble(options.values().getOrDefault("--timeout",
                            "10")))), Integer.parseInt(options.values().getOrDefault("--retries", "3")), System.out);
            urls = options.rest().stream().map(FetchAll::parseUrl).toList();
            if (urls.isEmpty()) {
                throw new IllegalArgumentException("no URL given");
            }
        } catch (IllegalArgumentException e) { // NumberFormatException too
            System.err.println("FetchAll: " + e.getMessage() + "; usage: FetchAll [--concurrency K] [--timeout"
                    + " SECONDS] [--retries N] URL...");
            System.exit(2);
            return;
        }
        System.exit(fetcher.run(urls));
    }

    static URI parseUrl(String text) {
        URI url = URI.create(text);
        if (!"http".equalsIgnoreCase(url.getScheme()) || url.getHost() == null) {
            throw new IllegalArgumentException("only http://host[:port][/path] URLs are supported, got " + text);
        }
        return url;
    }

    /**
     * Fetches {@code urls} on a new loop; blocks the calling thread, which becomes the loop thread.
     *
     * @param urls the URLs
     * @return the exit status: 0, 1, or {@link #INTERRUPTED}
     */
    public int run(List<URI> urls) {
        try {
            return Async.run(() -> fetchAll(urls));
        } catch (KeyboardInterrupt e) {
            return INTERRUPTED;
        }
    }

    private int fetchAll(List<URI> urls) {
        Semaphore inFlight = new Semaphore(concurrency);
        List<Result> results = new ArrayList<>();
        try {
            TaskGroup.run(group -> {
                List<Task<Result>> fetches = new ArrayList<>();
                for (URI url : urls) {
                    fetches.add(group.createTask(() -> fetch(url, inFlight), "fetch " + url));
                }
                for (Future<Result> done : Tasks.asCompleted(fetches).originals()) {
                    results.add(done.result());
                    out.println(done.result());
                }
                return null;
            });
        } catch (CancelledError e) {
            summary(results, urls.size());
            throw e;
        }
        return summary(results, urls.size()) ? 0 : 1;
    }

    private boolean summary(List<Result> results, int total) {
        long ok = results.stream().filter(Result::ok).count();
        out.println("FetchAll: " + ok + " ok, " + (results.size() - ok) + " failed, " + (total - results.size())
                + " cancelled of " + total);
        out.flush();
        return ok == total;
    }

    /** One URL: attempts while the connection is refused, each holding a permit and bounded by the timeout. */
    private Result fetch(URI url, Semaphore inFlight) {
        Duration backoff = FIRST_BACKOFF;
        for (int attempt = 1; ; attempt++) {
            try (var _ = inFlight.hold()) {
                Response r = Timeout.run(timeout, () -> get(url));
                return new Result(url, r.status(), r.body().length, attempt, "");
            } catch (TimeoutError e) {
                return new Result(url, 0, 0, attempt, "timed out after " + timeout.toMillis() + " ms");
            } catch (CompletionException e) { // a checked exception of the connection, an IOException
                if (!(e.getCause() instanceof ConnectException) || attempt > retries) {
                    Throwable cause = e.getCause() != null ? e.getCause() : e;
                    return new Result(url, 0, 0, attempt, String.valueOf(cause.getMessage()));
                }
            } catch (CancelledError e) {
                throw e; // a RuntimeException too (an IllegalStateException): the catch below must not swallow it
            } catch (RuntimeException e) { // a malformed response
                return new Result(url, 0, 0, attempt, e.toString());
            }
            Async.sleep(backoff);
            backoff = backoff.multipliedBy(2);
        }
    }

    /** A response: status and body. */
    @SuppressWarnings("ArrayRecordComponent") // returned to the caller, never compared
    record Response(int status, byte[] body) {
    }

    /** One GET on a new connection ({@code Connection: close}), inside a task. */
    private static Response get(URI url) {
        int port = url.getPort() < 0 ? 80 : url.getPort();
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        if (url.getRawQuery() != null) {
            path += "?" + url.getRawQuery();
        }
        StreamPair connection = Async.await(Streams.openConnection(url.getHost(), port));
        try {
            connection.writer().write(("GET " + path + " HTTP/1.1\r\nHost: " + url.getHost() + ":" + port
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            Async.await(connection.writer().drain());
            StreamReader in = connection.reader();
            String head = new String(Async.await(in.readUntil("\r\n\r\n".getBytes(StandardCharsets.US_ASCII))),
                    StandardCharsets.ISO_8859_1);
            String[] lines = head.split("\r\n");
            String[] statusLine = lines[0].split(" ", 3);
            if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/")) {
                throw new IllegalStateException("not an HTTP response: " + lines[0]);
            }
            int length = -1;
            for (String line : lines) {
                if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring("content-length:".length()).trim());
                }
            }
            byte[] body = length >= 0 ? Async.await(in.readExactly(length)) : Async.await(in.read());
            return new Response(Integer.parseInt(statusLine[1]), body);
        } finally {
            connection.writer().close();
        }
    }
}
