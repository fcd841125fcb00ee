package dev.asyncloop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.asyncloop.testsupport.StressSeeds;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.LongStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link Semaphore}, {@link Lock}, {@link Condition} and {@link AsyncQueue} under seeded random schedules: worker
 * tasks yield a random number of times between operations while a chaos task cancels random workers at random
 * steps (a worker takes the cancellation back with {@link Task#uncancel()}, as a {@link Timeout} does, and goes
 * on, or sometimes gives up, so that a wake-up it received and did not pass on would strand the others). Every
 * schedule is a pure function of the seed (no timers, one thread), so a failure replays exactly.
 * Checked after every step and at the end: never more holders than permits, FIFO among waiters that were not
 * cancelled, every permit back at the end, no lost wake-up (the workers all finish); for the queue, every item
 * whose {@code put} returned is got exactly once, in the order put, and no item whose {@code put} was cancelled is
 * ever got; for the condition, a notification is never lost to a waiter cancelled after it was notified.
 */
class SyncPrimitivesModelTest extends LoopFixture {
    private static final long[] SEEDS = LongStream.rangeClosed(1, 120).toArray();

    /** The operations a semaphore-like primitive offers the scenario. */
    private interface Permits {
        boolean locked();

        void acquire();

        void release();

        int available();
    }

    @Test
    @DisplayName("Semaphore: bounded holders, FIFO among uncancelled waiters, permits all back, under random cancels")
    void semaphore() {
        StressSeeds.forEach(seed -> {
            int permits = 1 + (int) Math.floorMod(seed, 3L);
            Semaphore s = new Semaphore(permits);
            run(() -> permitsScenario(seed, permits, new Permits() {
                @Override
                public boolean locked() {
                    return s.locked();
                }

                @Override
                public void acquire() {
                    s.acquire();
                }

                @Override
                public void release() {
                    s.release();
                }

                @Override
                public int available() {
                    return s.availablePermits();
                }
            }));
        }, SEEDS);
    }

    @Test
    @DisplayName("Lock: one holder, FIFO among uncancelled waiters, unlocked at the end, under random cancels")
    void lock() {
        StressSeeds.forEach(seed -> {
            Lock l = new Lock();
            run(() -> permitsScenario(seed, 1, new Permits() {
                @Override
                public boolean locked() {
                    return l.locked();
                }

                @Override
                public void acquire() {
                    l.acquire();
                }

                @Override
                public void release() {
                    l.release();
                }

                @Override
                public int available() {
                    return l.locked() ? 0 : 1;
                }
            }));
        }, SEEDS);
    }

    private @Nullable Void permitsScenario(long seed, int permits, Permits p) {
        SplittableRandom random = new SplittableRandom(seed);
        int workers = 2 + random.nextInt(5);
        int rounds = 5 + random.nextInt(10);
        List<Task<?>> tasks = new ArrayList<>();
        int[] holders = {0};
        int[] nextTicket = {0};
        List<Integer> cancelledTickets = new ArrayList<>();
        List<Integer> acquiredTickets = new ArrayList<>();
        List<String> trace = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            SplittableRandom mine = random.split();
            int id = w;
            tasks.add(loop.createTask(() -> {
                for (int r = 0; r < rounds; r++) {
                    yieldTimes(mine.nextInt(3));
                    boolean waits = p.locked();
                    int ticket = waits ? nextTicket[0]++ : -1;
                    try {
                        p.acquire();
                    } catch (CancelledError e) {
                        Async.currentTask().orElseThrow().uncancel();
                        trace.add(id + " cancelled in acquire (ticket " + ticket + ")");
                        if (ticket >= 0) {
                            cancelledTickets.add(ticket);
                        }
                        continue;
                    }
                    trace.add(id + " holds (ticket " + ticket + ")");
                    if (ticket >= 0) {
                        acquiredTickets.add(ticket);
                    }
                    holders[0]++;
                    if (holders[0] > permits) {
                        fail(holders[0] + " holders of " + permits + " permits; trace " + trace);
                    }
                    try {
                        yieldTimes(mine.nextInt(4));
                    } finally {
                        holders[0]--;
                        p.release();
                        trace.add(id + " released");
                    }
                }
                return null;
            }, "worker-" + w));
        }
        Task<Void> chaos = chaos(random.split(), tasks, workers * rounds / 3);
        finish(tasks, () -> "a lost wake-up: workers still wait", trace);
        chaos.cancel();
        List<Integer> fifo = new ArrayList<>(acquiredTickets);
        fifo.removeAll(cancelledTickets);
        for (int i = 1; i < fifo.size(); i++) {
            if (fifo.get(i) < fifo.get(i - 1)) {
                fail("waiters acquired out of FIFO order: tickets " + fifo + "; trace " + trace);
            }
        }
        assertEquals(0, holders[0]);
        assertEquals(permits, p.available(), "every permit is back");
        assertFalse(p.locked(), "nobody waits, nothing held");
        return null;
    }

    @Test
    @DisplayName("AsyncQueue: items got once, in put order, cancelled puts never got, size bounded, under random cancels")
    void queue() {
        StressSeeds.forEach(seed -> run(() -> queueScenario(seed)), SEEDS);
    }

    private @Nullable Void queueScenario(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int maxsize = random.nextInt(4);
        AsyncQueue<Integer> q = new AsyncQueue<>(maxsize);
        int producers = 1 + random.nextInt(3);
        int consumers = 1 + random.nextInt(3);
        int perProducer = 5 + random.nextInt(15);
        List<Integer> put = new ArrayList<>();
        List<Integer> cancelledPuts = new ArrayList<>();
        List<Integer> got = new ArrayList<>();
        List<String> trace = new ArrayList<>();
        List<Task<?>> producerTasks = new ArrayList<>();
        List<Task<?>> all = new ArrayList<>();
        for (int pi = 0; pi < producers; pi++) {
            SplittableRandom mine = random.split();
            int base = pi * 1000;
            Task<?> t = loop.createTask(() -> {
                for (int i = 0; i < perProducer; i++) {
                    yieldTimes(mine.nextInt(3));
                    int item = base + i;
                    try {
                        q.put(item);
                    } catch (CancelledError e) {
                        Async.currentTask().orElseThrow().uncancel();
                        cancelledPuts.add(item);
                        trace.add("put " + item + " cancelled");
                        if (mine.nextInt(3) == 0) {
                            trace.add("producer " + base + " gives up");
                            return null;   // as a timed-out producer would: a slot it was woken for is not lost
                        }
                        continue;
                    }
                    put.add(item);
                    trace.add("put " + item);
                    if (maxsize > 0 && q.qsize() > maxsize) {
                        fail("qsize " + q.qsize() + " > maxsize " + maxsize + "; trace " + trace);
                    }
                }
                return null;
            }, "producer-" + pi);
            producerTasks.add(t);
            all.add(t);
        }
        for (int ci = 0; ci < consumers; ci++) {
            SplittableRandom mine = random.split();
            boolean mayQuit = ci > 0;   // one consumer stays to the end
            all.add(loop.createTask(() -> {
                while (true) {
                    yieldTimes(mine.nextInt(3));
                    Integer item;
                    try {
                        item = q.get();
                    } catch (QueueShutDown e) {
                        return null;
                    } catch (CancelledError e) {
                        Async.currentTask().orElseThrow().uncancel();
                        trace.add("get cancelled");
                        if (mayQuit && mine.nextInt(3) == 0) {
                            trace.add("a consumer gives up");
                            return null;   // an item it was woken for must go to another getter
                        }
                        continue;
                    }
                    got.add(item);
                    trace.add("got " + item);
                }
            }, "consumer-" + ci));
        }
        Task<Void> chaos = chaos(random.split(), all, producers * perProducer / 3);
        finish(producerTasks, () -> "a lost wake-up: producers still wait", trace);
        // before shutdown() wakes every getter: an item left while consumers wait is a lost wake-up
        for (int i = 0; i < 1000 && !q.empty(); i++) {
            Async.yieldNow();
        }
        if (!q.empty()) {
            fail(q.qsize() + " items left while consumers wait: a lost wake-up; trace " + trace);
        }
        q.shutdown(false);   // consumers waiting for more see QueueShutDown
        finish(all, () -> "consumers still wait after shutdown()", trace);
        chaos.cancel();
        assertEquals(put, got, "every item put is got once, in put order; trace " + trace);
        for (Integer c : cancelledPuts) {
            assertFalse(got.contains(c), "item " + c + " whose put was cancelled was got; trace " + trace);
        }
        assertTrue(q.empty());
        return null;
    }

    @Test
    @DisplayName("Condition: a notification is passed on when its waiter is cancelled; every waiter is woken")
    void condition() {
        StressSeeds.forEach(seed -> run(() -> conditionScenario(seed)), SEEDS);
    }

    /**
     * Waiters wait for a token each; the notifier offers one token at a time and signals once per token. A
     * waiter cancelled while waiting goes back to waiting or gives up; a signal that reached it is passed on
     * (asyncio's gh-112202), so every waiter that stays ends with a token and none is left waiting.
     */
    private @Nullable Void conditionScenario(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Condition c = new Condition();
        int waiters = 1 + random.nextInt(6);
        int[] tokens = {0};
        int[] taken = {0};
        int[] quit = {0};
        List<String> trace = new ArrayList<>();
        List<Task<?>> all = new ArrayList<>();
        for (int w = 0; w < waiters; w++) {
            SplittableRandom mine = random.split();
            int id = w;
            all.add(loop.createTask(() -> {
                yieldTimes(mine.nextInt(3));
                while (true) {
                    try {
                        c.acquire();
                    } catch (CancelledError e) {
                        Async.currentTask().orElseThrow().uncancel();
                        continue;
                    }
                    try {
                        while (tokens[0] == 0) {
                            try {
                                c.await();
                            } catch (CancelledError e) {
                                // await() re-acquired the lock before throwing, as asyncio's wait() does
                                Async.currentTask().orElseThrow().uncancel();
                                trace.add(id + " cancelled in await");
                                if (mine.nextInt(3) == 0) {
                                    quit[0]++;
                                    trace.add(id + " gives up");
                                    return null;   // a signal it received must go to another waiter
                                }
                            }
                        }
                        tokens[0]--;
                        taken[0]++;
                        trace.add(id + " took a token");
                        return null;
                    } finally {
                        c.release();
                    }
                }
            }, "waiter-" + w));
        }
        Task<Void> chaos = chaos(random.split(), all, waiters * 2);
        // one token at a time: a signal lost with a waiter that gave up leaves the others waiting for good
        for (int round = 0; round < 20_000 && taken[0] + quit[0] < waiters; round++) {
            yieldTimes(random.nextInt(4));
            c.acquire();
            try {
                if (tokens[0] == 0) {
                    tokens[0]++;
                    c.signal();
                    trace.add("signal");
                }
            } finally {
                c.release();
            }
        }
        finish(all, () -> taken[0] + " of " + waiters + " waiters took a token, " + tokens[0] + " tokens left:"
                + " a notification was lost", trace);
        chaos.cancel();
        assertEquals(waiters, taken[0] + quit[0]);
        assertFalse(c.locked());
        return null;
    }

    /**
     * Waits for {@code tasks} without cancelling them (the workers take cancellations back, so a watchdog's
     * cancel would not end them), then fails if any is still pending or failed.
     */
    private static void finish(List<Task<?>> tasks, Supplier<String> ifPending, List<String> trace) {
        DoneAndPending<Task<?>> r = Tasks.wait(tasks, Duration.ofSeconds(5), ReturnWhen.ALL_COMPLETED);
        if (!r.pending().isEmpty()) {
            fail(ifPending.get() + ": " + r.pending() + "; trace " + trace);
        }
        for (Task<?> t : tasks) {
            Async.await(t);   // done: rethrows a worker's failure
        }
    }

    /** Cancels a random unfinished target every few loop steps, {@code times} times. */
    private Task<Void> chaos(SplittableRandom random, List<Task<?>> targets, int times) {
        return loop.createTask(() -> {
            for (int i = 0; i < times; i++) {
                yieldTimes(1 + random.nextInt(6));
                Task<?> t = targets.get(random.nextInt(targets.size()));
                if (!t.isDone()) {
                    t.cancel();
                }
            }
            return null;
        }, "chaos");
    }

    /** Lets the loop run other tasks {@code n} times; a cancellation that arrives meanwhile is taken back. */
    private static void yieldTimes(int n) {
        for (int i = 0; i < n; i++) {
            try {
                Async.yieldNow();
            } catch (CancelledError e) {
                Async.currentTask().orElseThrow().uncancel();
            }
        }
    }
}
