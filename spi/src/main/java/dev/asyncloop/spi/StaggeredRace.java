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
import org.jspecify.annotations.Nullable;

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
    static <T extends @Nullable Object> @Nullable T run(BaseEventLoop loop, List<AsyncCallable<T>> attempts,
            Duration delay,
            Exception[] errors,
            Consumer<T> discard) {
        int n = attempts.size();
        List<Task<T>> started = new ArrayList<>();
        boolean[] seen = new boolean[n];
        Wakeup wakeup = new Wakeup(loop);
        boolean startNext = true;
        TimerHandle delayTimer = null;
        int winner = -1;
        try {
            while (true) {
                if (wakeup.delayPassed) {
                    wakeup.delayPassed = false;
                    startNext = true;
                }
                if (startNext && started.size() < n) {
                    startNext = false;
                    if (delayTimer != null) {
                        delayTimer.cancel();
                    }
                    Task<T> attempt = loop.createTask(attempts.get(started.size()));
                    Task<?> racer = TaskRegistry.currentTask(loop).orElse(null);
                    if (racer != null && !attempt.isDone()) {
                        BaseFuture.addAwaitedBy(attempt, racer); // as asyncio 3.14's staggered_race
                    }
                    attempt.addDoneCallback(f -> {
                        if (racer != null) {
                            BaseFuture.discardFromAwaitedBy(f, racer);
                        }
                        wakeup.wake();
                    });
                    started.add(attempt);
                    // The delay counts from this start, whatever earlier attempts do meanwhile.
                    delayTimer = started.size() < n ? loop.callLater(delay, wakeup::delayPassed) : null;
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
                            startNext = true;
                        }
                    }
                }
                if (winner >= 0) {
                    return started.get(winner).result();
                }
                if (startNext && started.size() < n) {
                    continue;
                }
                boolean pending = false;
                for (int i = 0; i < started.size(); i++) {
                    pending |= !seen[i];
                }
                if (!pending) {
                    return null;
                }
                wakeup.await();
            }
        } finally {
            if (delayTimer != null) {
                delayTimer.cancel();
            }
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

    /** What wakes the racing task: an attempt that is done, or the delay after the latest start. */
    private static final class Wakeup {
        private final BaseEventLoop loop;
        private @Nullable Future<@Nullable Void> waiter;
        boolean delayPassed;

        Wakeup(BaseEventLoop loop) {
            this.loop = loop;
        }

        void delayPassed() {
            delayPassed = true;
            wake();
        }

        void wake() {
            if (waiter != null && !waiter.isDone()) {
                waiter.setResult(null);
            }
        }

        /** Inside the racing task: suspends until the next {@link #wake()}. */
        void await() {
            waiter = loop.createFuture();
            try {
                Async.await(waiter);
            } finally {
                waiter = null;
            }
        }
    }

    /**
     * Reorders addresses by family: the first {@code firstFamilyCount - 1} of the first family, then one of
     * each family in turn.
     */
    static List<InetSocketAddress> interleave(List<InetSocketAddress> addresses, int firstFamilyCount) {
        if (firstFamilyCount <= 0 || addresses.isEmpty()) {
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
