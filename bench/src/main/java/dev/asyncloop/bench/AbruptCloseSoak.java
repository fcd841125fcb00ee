package dev.asyncloop.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;

/**
 * Soak: opens and abruptly closes many connections to an echo server under load, then checks that nothing
 * leaked. Issue 4's "a soak run opens and abruptly closes 10,000 connections under load and shows no leaked
 * channel or buffer".
 *
 * <p>In one process: a {@link SoakServer} (the loop named by {@code -Dasyncloop.loop}, {@code nio} by default, or
 * {@code epoll}), {@link EchoLoad} connections echoing continuously, and {@link AbruptClients} threads that open
 * the connections and end each one with a reset (SO_LINGER 0) or a half-close — right after connecting, while the
 * echo is on its way, while the server holds a full write buffer for it, or halfway through reading the echo.
 * A warm-up of the same kind comes first; then the baseline is taken, the connections are run in rounds, and after
 * each round the server is given time to settle (bounded) before the gauges are read.
 *
 * <p>A leak is any of: a connection made without exactly one {@code connectionLost}, or a protocol callback out of
 * order; the server's open connections or the poller's registered channels not back to the baseline, or a
 * registered channel already closed; more open file descriptors than at the baseline; protocols of closed
 * connections still reachable after a full collection; direct buffers, or heap after a full collection, above the
 * baseline by more than a small allowance, or heap growing from the first round to the last. After the load stops,
 * the server must have no connection left and only its listening socket registered.
 *
 * <p>Prints one JSON line to stdout (progress to stderr) and exits 1 on a leak, 2 on a failed run (load errors,
 * most connects failing, bad arguments). Usage:
 * {@code AbruptCloseSoak [--connections N] [--load L] [--threads T] [--batch B] [--rounds R] [--settle-seconds S]}
 * (defaults 10000, 4, 8, 8, 5, 30). Needs {@code --add-opens java.base/sun.nio.ch=ALL-UNNAMED} for epoll.
 */
public final class AbruptCloseSoak {
    /** Extra descriptors allowed after the run: none (the warm-up made the JDK open what it opens lazily). */
    static final long FD_ALLOWANCE = 0;
    /** Extra direct buffers allowed after the run (JDK 25 counts none of its temporary I/O buffers here). */
    static final long DIRECT_COUNT_ALLOWANCE = 4;
    static final long DIRECT_BYTES_ALLOWANCE = 1L << 20;
    /**
     * Extra heap after a full collection allowed after the run: tables sized to the most connections open at once
     * and the load's in-flight buffers; measured runs stay within 0.2 MiB.
     */
    static final long HEAP_ALLOWANCE = 4L << 20;
    /**
     * Growth of the heap after a full collection from the first round to the last: a per-connection leak. At least
     * one step of the collector's count of used heap (ZGC's 2 MiB pages: one more page in use is not a leak).
     */
    static final long ROUND_GROWTH_ALLOWANCE = Math.max(1L << 20, ProcessGauges.heapGranularity());

    private AbruptCloseSoak() {
    }

    /**
     * What to run.
     *
     * @param loop {@code nio} or {@code epoll}
     * @param connections connections to open and end abruptly, after the warm-up
     * @param load background echo connections
     * @param threads client threads
     * @param batch connections each client thread holds open at once
     * @param rounds the connections are split over this many rounds, with gauges read after each
     * @param settle the longest wait for the server to settle after a round
     */
    public record Config(String loop, int connections, int load, int threads, int batch, int rounds,
            Duration settle) {
        /**
         * @throws IllegalArgumentException on a value out of range
         */
        public Config {
            require(connections > 0, "--connections must be positive");
            require(load >= 0, "--load must be 0 or more");
            require(threads > 0, "--threads must be positive");
            require(batch > 0, "--batch must be positive");
            require(rounds > 0 && rounds <= connections, "--rounds must be 1 to --connections");
            require(!settle.isNegative() && !settle.isZero(), "--settle-seconds must be positive");
        }

        private static void require(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }

        /** The warm-up's connection count: a twentieth of the run, 100 to 500. */
        int warmUp() {
            return Math.min(connections, Math.max(100, Math.min(500, connections / 20)));
        }
    }

    /**
     * The outcome.
     *
     * @param config what ran
     * @param resets connections ended with a reset
     * @param halfCloses connections ended with a half-close
     * @param made connections the server saw made, after the baseline
     * @param lost connectionLost calls after the baseline
     * @param lostWithError of those, with an exception (the resets the server noticed)
     * @param violations protocol callbacks out of order
     * @param openBefore server connections open at the baseline (the load)
     * @param openAfter and after the last round
     * @param registeredBefore poller registrations at the baseline (listening socket + load)
     * @param registeredAfter and after the last round
     * @param registeredClosed registrations of closed channels after the last round
     * @param before gauges at the baseline
     * @param after gauges after the last round
     * @param heapPerRound heap after a full collection after each round
     * @param retainedClosed protocols of closed connections still reachable after a full collection
     * @param openAfterLoad server connections left after the load closed its own
     * @param registeredAfterLoad registrations left then (the listening socket)
     * @param floodBytes bytes the flooding connections pushed before they stalled
     * @param floodStalls flooding connections that stalled (server write buffer full)
     * @param clientErrors client-side failures
     * @param loadRoundTrips echo round trips of the load
     * @param loadErrors load failures
     * @param loopErrors reports to the loop's exception handler
     * @param seconds wall time of the rounds
     * @param problems the checks that failed, empty if none
     * @param failedRun whether the run itself failed (not a leak)
     */
    public record Result(Config config, long resets, long halfCloses, long made, long lost, long lostWithError,
            long violations, long openBefore, long openAfter, int registeredBefore, int registeredAfter,
            int registeredClosed, ProcessGauges before, ProcessGauges after, List<Long> heapPerRound,
            long retainedClosed, long openAfterLoad, int registeredAfterLoad, long floodBytes, long floodStalls,
            long clientErrors, long loadRoundTrips, long loadErrors, long loopErrors, double seconds,
            List<String> problems, boolean failedRun) {

        /** Whether no check failed. */
        public boolean ok() {
            return problems.isEmpty();
        }

        /** One JSON line. */
        public String toJson() {
            StringBuilder heap = new StringBuilder("[");
            for (int i = 0; i < heapPerRound.size(); i++) {
                heap.append(i == 0 ? "" : ",").append(heapPerRound.get(i));
            }
            heap.append(']');
            StringBuilder p = new StringBuilder("[");
            for (int i = 0; i < problems.size(); i++) {
                p.append(i == 0 ? "" : ",").append('"').append(problems.get(i).replace("\\", "\\\\")
                        .replace("\"", "\\\"")).append('"');
            }
            p.append(']');
            return String.format(Locale.ROOT, "{\"suite\":\"asyncloop-abrupt-close-soak\",\"loop\":\"%s\","
                    + "\"connections\":%d,\"load\":%d,\"threads\":%d,\"batch\":%d,\"rounds\":%d,"
                    + "\"resets\":%d,\"half_closes\":%d,\"connection_made\":%d,\"connection_lost\":%d,"
                    + "\"lost_with_error\":%d,\"violations\":%d,\"open_before\":%d,\"open_after\":%d,"
                    + "\"registered_before\":%d,\"registered_after\":%d,\"registered_closed\":%d,"
                    + "\"fd_before\":%d,\"fd_after\":%d,\"direct_count_before\":%d,\"direct_count_after\":%d,"
                    + "\"direct_bytes_before\":%d,\"direct_bytes_after\":%d,\"heap_before\":%d,\"heap_after\":%d,"
                    + "\"heap_per_round\":%s,\"retained_closed\":%d,\"open_after_load\":%d,"
                    + "\"registered_after_load\":%d,\"flood_bytes\":%d,\"flood_stalls\":%d,\"client_errors\":%d,"
                    + "\"load_round_trips\":%d,\"load_errors\":%d,\"loop_errors\":%d,\"seconds\":%.1f,"
                    + "\"verdict\":\"%s\",\"problems\":%s,\"java\":\"%s\"}",
                    config.loop(), config.connections(), config.load(), config.threads(), config.batch(),
                    config.rounds(), resets, halfCloses, made, lost, lostWithError, violations, openBefore, openAfter,
                    registeredBefore, registeredAfter, registeredClosed, before.fds(), after.fds(),
                    before.directCount(), after.directCount(), before.directBytes(), after.directBytes(),
                    before.heapAfterGc(), after.heapAfterGc(), heap, retainedClosed, openAfterLoad,
                    registeredAfterLoad, floodBytes, floodStalls, clientErrors, loadRoundTrips, loadErrors, loopErrors,
                    seconds, ok() ? "no leak" : failedRun ? "failed run" : "LEAK", p,
                    System.getProperty("java.version"));
        }
    }

    /**
     * Runs the soak from the command line; see the class comment.
     *
     * @param args the options
     */
    public static void main(String[] args) {
        Config config;
        try {
            config = parse(args, System.getProperty("asyncloop.loop", "nio"));
        } catch (IllegalArgumentException e) {
            System.err.println("AbruptCloseSoak: " + e.getMessage());
            System.exit(2);
            return;
        }
        Result result;
        try {
            result = run(config);
        } catch (Exception e) {
            System.err.println("AbruptCloseSoak: the run failed: " + e);
            e.printStackTrace();
            System.exit(2);
            return;
        }
        System.out.println(result.toJson());
        if (!result.ok()) {
            result.problems().forEach(p -> System.err.println("AbruptCloseSoak: " + p));
            System.exit(result.failedRun() ? 2 : 1);
        }
    }

    static Config parse(String[] args, String loop) {
        int connections = 10_000;
        int load = 4;
        int threads = 8;
        int batch = 8;
        int rounds = 5;
        int settle = 30;
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(name + " needs a value");
            }
            int value;
            try {
                value = Integer.parseInt(args[++i]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " must be a number, got " + args[i], e);
            }
            switch (name) {
                case "--connections" -> connections = value;
                case "--load" -> load = value;
                case "--threads" -> threads = value;
                case "--batch" -> batch = value;
                case "--rounds" -> rounds = value;
                case "--settle-seconds" -> settle = value;
                default -> throw new IllegalArgumentException("unknown option " + name + "; use --connections N"
                        + " --load L --threads T --batch B --rounds R --settle-seconds S");
            }
        }
        return new Config(loop, connections, load, threads, batch, rounds, Duration.ofSeconds(settle));
    }

    /**
     * Runs the soak.
     *
     * @param config what to run
     * @return the outcome, with every failed check named
     * @throws Exception if the server or the load cannot start
     */
    public static Result run(Config config) throws Exception {
        try (SoakServer server = new SoakServer(config.loop())) {
            int port = server.port();
            log(config, "server on port " + port + "; " + config.load() + " load connections");
            EchoLoad load = new EchoLoad(port, config.load());
            AbruptClients clients = new AbruptClients(port);
            List<Long> heapPerRound = new ArrayList<>();
            ProcessGauges before;
            ProcessGauges after;
            long openBefore;
            int registeredBefore;
            long madeBefore;
            long lostBefore;
            long lostWithErrorBefore;
            long made;
            long lost;
            long openAfter;
            int registeredAfter;
            int registeredClosed;
            long retained;
            double seconds;
            try {
                new AbruptClients(port).run(config.warmUp(), config.threads(), config.batch());
                settle(config, server, config.load(), config.load() + 1, Long.MAX_VALUE);
                before = ProcessGauges.afterGc(server::reachableProtocols);
                openBefore = server.open();
                registeredBefore = server.registered();
                madeBefore = server.made();
                lostBefore = server.lost();
                lostWithErrorBefore = server.lostWithError();
                log(config, "baseline after a warm-up of " + config.warmUp() + " connections: open " + openBefore
                        + ", registered " + registeredBefore + ", " + before);

                long t0 = System.nanoTime();
                after = before;
                int done = 0;
                for (int r = 0; r < config.rounds(); r++) {
                    int n = (int) ((long) config.connections() * (r + 1) / config.rounds()) - done;
                    clients.run(n, config.threads(), config.batch());
                    done += n;
                    settle(config, server, openBefore, registeredBefore, before.fds());
                    after = ProcessGauges.afterGc(server::reachableProtocols);
                    heapPerRound.add(after.heapAfterGc());
                    log(config, "round " + (r + 1) + "/" + config.rounds() + ": " + done + " connections; made "
                            + (server.made() - madeBefore) + ", lost " + (server.lost() - lostBefore) + ", open "
                            + server.open() + ", registered " + server.registered() + "; " + after);
                }
                seconds = (System.nanoTime() - t0) / 1e9;
                made = server.made() - madeBefore;
                lost = server.lost() - lostBefore;
                openAfter = server.open();
                registeredAfter = server.registered();
                registeredClosed = server.registeredButClosed();
                retained = server.reachableProtocols() - openAfter; // right after afterGc's collections
            } finally {
                load.close();
            }
            settle(config, server, 0, 1, Long.MAX_VALUE);
            Result unchecked = new Result(config, clients.resets(), clients.count(AbruptClients.Mode.HALF_CLOSE),
                    made, lost, server.lostWithError() - lostWithErrorBefore, server.violations(), openBefore,
                    openAfter, registeredBefore, registeredAfter, registeredClosed, before, after,
                    List.copyOf(heapPerRound), retained, server.open(), server.registered(), clients.floodBytes(),
                    clients.floodStalls(), clients.errors(), load.roundTrips(), load.errors(), server.loopErrors(),
                    seconds, List.of(), false);
            List<String> leaks = leaks(unchecked);
            List<String> failures = new ArrayList<>();
            if (load.errors() > 0) {
                failures.add("the load failed " + load.errors() + " times, first: " + load.firstError());
            }
            if (clients.errors() > config.connections() / 100) {
                failures.add(clients.errors() + " client failures (over 1%), first: " + clients.firstError());
            }
            if (server.loopErrors() > 0) {
                failures.add(server.loopErrors() + " reports to the loop's exception handler, first: "
                        + server.firstLoopError());
            }
            List<String> problems = new ArrayList<>(leaks);
            problems.addAll(failures);
            return new Result(config, unchecked.resets(), unchecked.halfCloses(), made, lost,
                    unchecked.lostWithError(), unchecked.violations(), openBefore, openAfter, registeredBefore,
                    registeredAfter, registeredClosed, before, after, unchecked.heapPerRound(), retained,
                    unchecked.openAfterLoad(), unchecked.registeredAfterLoad(), unchecked.floodBytes(),
                    unchecked.floodStalls(), unchecked.clientErrors(), unchecked.loadRoundTrips(),
                    unchecked.loadErrors(), unchecked.loopErrors(), seconds, List.copyOf(problems),
                    leaks.isEmpty() && !failures.isEmpty());
        }
    }

    /** The leak checks of the class comment; each failed one named with its figures. */
    static List<String> leaks(Result r) {
        List<String> leaks = new ArrayList<>();
        if (r.made() != r.lost()) {
            leaks.add("connectionMade " + r.made() + " times but connectionLost " + r.lost() + " times");
        }
        if (r.violations() > 0) {
            leaks.add(r.violations() + " protocol callbacks out of order (a second connectionLost, or a callback"
                    + " outside connectionMade..connectionLost)");
        }
        if (r.openAfter() != r.openBefore()) {
            leaks.add("open connections " + r.openBefore() + " -> " + r.openAfter());
        }
        if (r.registeredAfter() != r.registeredBefore()) {
            leaks.add("registered channels " + r.registeredBefore() + " -> " + r.registeredAfter());
        }
        if (r.registeredClosed() > 0) {
            leaks.add(r.registeredClosed() + " closed channels still registered");
        }
        if (r.after().fds() > r.before().fds() + FD_ALLOWANCE) {
            leaks.add("open file descriptors " + r.before().fds() + " -> " + r.after().fds());
        }
        if (r.retainedClosed() > 0) {
            leaks.add(r.retainedClosed() + " protocols of closed connections still reachable after a full GC");
        }
        if (r.after().directCount() > r.before().directCount() + DIRECT_COUNT_ALLOWANCE
                || r.after().directBytes() > r.before().directBytes() + DIRECT_BYTES_ALLOWANCE) {
            leaks.add("direct buffers " + r.before().directCount() + " (" + r.before().directBytes() + " B) -> "
                    + r.after().directCount() + " (" + r.after().directBytes() + " B)");
        }
        if (r.after().heapAfterGc() > r.before().heapAfterGc() + HEAP_ALLOWANCE) {
            leaks.add("heap after GC " + r.before().heapAfterGc() + " -> " + r.after().heapAfterGc() + " B");
        }
        List<Long> rounds = r.heapPerRound();
        if (rounds.size() > 1 && rounds.getLast() > rounds.getFirst() + ROUND_GROWTH_ALLOWANCE) {
            leaks.add("heap after GC grew across rounds: " + rounds);
        }
        if (r.openAfterLoad() != 0 || r.registeredAfterLoad() != 1) {
            leaks.add("after the load closed: " + r.openAfterLoad() + " connections open, " + r.registeredAfterLoad()
                    + " channels registered (expected 0 and the listening socket)");
        }
        return leaks;
    }

    /** Waits until the server is back to {@code open} connections and {@code registered} channels, and the
     * process to at most {@code fds} descriptors, or until the config's settle time is over. */
    private static void settle(Config config, SoakServer server, long open, int registered, long fds) {
        BooleanSupplier settled = () -> server.open() == open && server.registered() == registered
                && server.registeredButClosed() == 0 && ProcessGauges.openFds() <= fds;
        long deadline = System.nanoTime() + config.settle().toNanos();
        while (!settled.getAsBoolean() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static void log(Config config, String message) {
        System.err.println("[soak " + config.loop() + "] " + message);
    }
}
