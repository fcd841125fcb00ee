package dev.asyncloop.spi;

import dev.asyncloop.Async;
import dev.asyncloop.AsyncCallable;
import dev.asyncloop.CancelledError;
import dev.asyncloop.Future;
import dev.asyncloop.Task;
import dev.asyncloop.TimerHandle;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * asyncio's {@code staggered_race} and {@code _interleave_addrinfos}, for Happy Eyeballs. Runs inside a task of
 * the loop.
 *
 * <p>Attempt {@code i + 1} starts when attempt {@code i} fails or {@code delay} after attempt {@code i} started,
 * whichever is first. The first attempt to succeed wins; every other attempt is cancelled, and a result that
 * arrives for a loser anyway is handed to {@code discard}.
 */
final class StaggeredRace {
    private StaggeredRace() {
    }

    /**
     * Runs the race.
     *
     * @param errors filled with each failed attempt's error, by attempt index (null where none)
     * @return the winner's result, or null when every attempt failed
     */
    static <T> T run(BaseEventLoop loop, List<AsyncCallable<T>> attempts, Duration delay, Exception[] errors,
            Consumer<T> discard) {
        int n = attempts.size();
        List<Task<T>> started = new ArrayList<>();
        boolean[] seen = new boolean[n];
        boolean[] startNext = {true};
        int winner = -1;
        try {
            while (true) {
                if (startNext[0] && started.size() < n) {
                    startNext[0] = false;
                    started.add(loop.createTask(attempts.get(started.size())));
                }
                for (int i = 0; i < started.size() && winner < 0; i++) {
                    Task<T> t = started.get(i);
                    if (!t.isDone() || seen[i]) {
                        continue;
                    }
                    seen[i] = true;
                    if (!t.isCancelled() && t.exception().isEmpty()) {
                        winner = i;
                    } else {
                        Throwable e = t.isCancelled() ? new CancelledError("attempt cancelled")
                                : t.exception().get();
                        errors[i] = e instanceof Exception x ? x : new RuntimeException(e);
                        if (i == started.size() - 1) {
                            startNext[0] = true;
                        }
                    }
                }
                if (winner >= 0) {
                    return started.get(winner).result();
                }
                if (startNext[0] && started.size() < n) {
                    continue;
                }
                boolean pending = false;
                for (int i = 0; i < started.size(); i++) {
                    pending |= !seen[i];
                }
                if (!pending) {
                    return null;
                }
                Future<Void> wake = loop.createFuture();
                Runnable wakeUp = () -> {
                    if (!wake.isDone()) {
                        wake.setResult(null);
                    }
                };
                for (int i = 0; i < started.size(); i++) {
                    if (!seen[i]) {
                        started.get(i).addDoneCallback(f -> wakeUp.run());
                    }
                }
                TimerHandle timer = started.size() < n ? loop.callLater(delay, () -> {
                    startNext[0] = true;
                    wakeUp.run();
                }) : null;
                try {
                    Async.await(wake);
                } finally {
                    if (timer != null) {
                        timer.cancel();
                    }
                }
            }
        } finally {
            for (int i = 0; i < started.size(); i++) {
                Task<T> t = started.get(i);
                if (i == winner) {
                    continue;
                }
                if (!t.isDone()) {
                    t.cancel();
                } else if (!t.isCancelled() && t.exception().isEmpty()) {
                    discard.accept(t.result());
                }
            }
        }
    }

    /**
     * Reorders addresses by family: the first {@code firstFamilyCount - 1} of the first family, then one of
     * each family in turn.
     */
    static List<InetSocketAddress> interleave(List<InetSocketAddress> addresses, int firstFamilyCount) {
        if (firstFamilyCount <= 0) {
            return addresses;
        }
        Map<Boolean, List<InetSocketAddress>> byFamily = new LinkedHashMap<>();
        for (InetSocketAddress a : addresses) {
            byFamily.computeIfAbsent(a.getAddress() instanceof Inet4Address, k -> new ArrayList<>()).add(a);
        }
        List<List<InetSocketAddress>> families = new ArrayList<>(byFamily.values());
        List<InetSocketAddress> out = new ArrayList<>();
        List<InetSocketAddress> first = families.getFirst();
        int head = Math.min(firstFamilyCount - 1, first.size());
        out.addAll(first.subList(0, head));
        families.set(0, first.subList(head, first.size()));
        for (int i = 0; out.size() < addresses.size(); i++) {
            for (List<InetSocketAddress> f : families) {
                if (i < f.size()) {
                    out.add(f.get(i));
                }
            }
        }
        return out;
    }
}
