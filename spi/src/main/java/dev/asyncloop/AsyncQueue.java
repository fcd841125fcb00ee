package dev.asyncloop;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * asyncio's {@code Queue}: a FIFO queue for producer and consumer tasks of one loop, optionally bounded.
 * {@link AsyncPriorityQueue} and {@link AsyncLifoQueue} change only the order in which items come out.
 *
 * <pre>{@code
 * AsyncQueue<Job> jobs = new AsyncQueue<>(100);
 * // producer                       // consumer
 * jobs.put(job);                    while (true) {
 * ...                                   Job job = jobs.get();
 * jobs.join();                          try { run(job); } finally { jobs.taskDone(); }
 *                                   }
 * }</pre>
 *
 * <p><b>Name.</b> {@code AsyncQueue} rather than asyncio's {@code Queue}, so that it never collides with
 * {@link java.util.Queue} and {@link java.util.PriorityQueue}, which most files that use a queue import too.
 *
 * <p><b>Waiting and cancellation.</b> Waiting getters and putters are woken one at a time in FIFO order. A
 * waiter that is cancelled after being woken passes the wake-up on when it can no longer use it (the item or
 * the free slot goes to the next waiter). Items are put with {@link #put} and counted as unfinished until a
 * consumer calls {@link #taskDone()}; {@link #join()} waits until none is unfinished.
 *
 * <p><b>Shutdown</b> (3.13). After {@link #shutdown(boolean)}, puts throw {@link QueueShutDown}; gets return the
 * items left and then throw it; every waiting putter and getter is woken to throw it (a getter only when no
 * item is left). {@code shutdown(true)} also drops the items left, counting each as done, so {@link #join()}
 * returns unless items taken earlier are still unfinished.
 *
 * <p><b>Threads.</b> For the loop thread: {@link #put}, {@link #get} and {@link #join} inside a task; the others
 * also from callbacks. Other threads reach the queue through {@link EventLoop#callSoonThreadsafe}. The queue
 * binds to the loop of its first waiter.
 *
 * <p>Sealed: {@link AsyncLifoQueue} and {@link AsyncPriorityQueue} are the other orders; asyncio's
 * {@code _init/_put/_get} subclass hooks are not offered.
 *
 * @param <T> the item type; null items are refused
 */
public sealed class AsyncQueue<T> permits AsyncLifoQueue, AsyncPriorityQueue {
    /** Where the items are; the subclasses choose the order. */
    interface Storage<T> {
        /** Refuses an item that {@link #add} could not hold; called before a put waits. */
        default void check(T item) {
        }

        void add(T item);

        T take();

        int size();
    }

    private final int maxsize;
    private final Storage<T> items;
    private final LoopBinding binding = new LoopBinding();
    private final Deque<Future<@Nullable Void>> getters = new ArrayDeque<>();
    private final Deque<Future<@Nullable Void>> putters = new ArrayDeque<>();
    private final Event finished = new Event(true);
    private int unfinished;
    private boolean shutdown;

    /** Creates an unbounded FIFO queue. */
    public AsyncQueue() {
        this(0);
    }

    /**
     * Creates a FIFO queue holding at most {@code maxsize} items.
     *
     * @param maxsize the bound; 0 or less for none
     */
    public AsyncQueue(int maxsize) {
        this(maxsize, fifo());
    }

    AsyncQueue(int maxsize, Storage<T> storage) {
        this.maxsize = maxsize;
        this.items = storage;
    }

    /**
     * Returns the bound given at creation.
     *
     * @return the maximum number of items, 0 or less for unbounded
     */
    public int maxsize() {
        return maxsize;
    }

    /**
     * Returns the number of items in the queue.
     *
     * @return the size
     */
    public int qsize() {
        return items.size();
    }

    /**
     * Tells whether the queue holds no item.
     *
     * @return true if empty
     */
    public boolean empty() {
        return items.size() == 0;
    }

    /**
     * Tells whether the queue holds {@link #maxsize()} items; an unbounded queue is never full.
     *
     * @return true if full
     */
    public boolean full() {
        return maxsize > 0 && items.size() >= maxsize;
    }

    /**
     * Puts {@code item}, waiting while the queue is full.
     *
     * @param item the item, not null
     * @throws QueueShutDown if the queue is shut down, before or while waiting
     * @throws CancelledError if the task is cancelled while waiting; the item is not put, and a free slot this
     *     putter had been woken for goes to the next putter
     * @throws IllegalStateException if it has to wait and is not inside a task, or the queue belongs to another
     *     loop
     */
    public void put(T item) {
        Objects.requireNonNull(item, "item");
        binding.checkThread(this);
        items.check(item);
        while (full()) {
            if (shutdown) {
                throw shutDown("put");
            }
            Async.checkCanWait("AsyncQueue.put()");
            Future<@Nullable Void> putter = binding.loop(this).createFuture();
            putters.addLast(putter);
            try {
                Async.await(putter);
            } catch (Throwable e) {
                putter.cancel();
                putters.remove(putter);
                if (!full() && !putter.isCancelled()) {
                    // Woken for a free slot we will not use: pass it on.
                    wakeUpNext(putters);
                }
                throw e;
            }
        }
        putNowait(item);
    }

    /**
     * Puts {@code item} without waiting.
     *
     * @param item the item, not null
     * @throws QueueFull if the queue is full
     * @throws QueueShutDown if the queue is shut down
     */
    public void putNowait(T item) {
        Objects.requireNonNull(item, "item");
        binding.checkThread(this);
        items.check(item);
        if (shutdown) {
            throw shutDown("putNowait");
        }
        if (full()) {
            throw new QueueFull(this + " is full (maxsize " + maxsize + "); use put() to wait for room");
        }
        items.add(item);
        unfinished++;
        finished.clear();
        wakeUpNext(getters);
    }

    /**
     * Removes and returns an item, waiting while the queue is empty.
     *
     * @return the item
     * @throws QueueShutDown if the queue is shut down and empty, before or while waiting
     * @throws CancelledError if the task is cancelled while waiting; an item this getter had been woken for is
     *     left for the next getter
     * @throws IllegalStateException if it has to wait and is not inside a task, or the queue belongs to another
     *     loop
     */
    public T get() {
        binding.checkThread(this);
        while (empty()) {
            if (shutdown) {
                throw shutDown("get");
            }
            Async.checkCanWait("AsyncQueue.get()");
            Future<@Nullable Void> getter = binding.loop(this).createFuture();
            getters.addLast(getter);
            try {
                Async.await(getter);
            } catch (Throwable e) {
                getter.cancel();
                getters.remove(getter);
                if (!empty() && !getter.isCancelled()) {
                    // Woken for an item we will not take: pass it on.
                    wakeUpNext(getters);
                }
                throw e;
            }
        }
        return getNowait();
    }

    /**
     * Removes and returns an item without waiting.
     *
     * @return the item
     * @throws QueueEmpty if the queue is empty and not shut down
     * @throws QueueShutDown if the queue is empty and shut down
     */
    public T getNowait() {
        binding.checkThread(this);
        if (empty()) {
            if (shutdown) {
                throw shutDown("getNowait");
            }
            throw new QueueEmpty(this + " is empty; use get() to wait for an item");
        }
        T item = items.take();
        wakeUpNext(putters);
        return item;
    }

    /**
     * Marks one item taken from the queue as processed: consumers call it once per item they got.
     *
     * @throws IllegalStateException if called more times than items were put ("task_done() called too many
     *     times")
     */
    public void taskDone() {
        binding.checkThread(this);
        if (unfinished <= 0) {
            throw new IllegalStateException("taskDone() called too many times: call it once per item taken");
        }
        unfinished--;
        if (unfinished == 0) {
            finished.set();
        }
    }

    /**
     * Waits until every item put has been processed ({@link #taskDone()} called for each).
     *
     * @throws CancelledError if the task is cancelled while waiting
     * @throws IllegalStateException if it has to wait and is not inside a task
     */
    public void join() {
        binding.checkThread(this);
        if (unfinished > 0) {
            finished.await();
        }
    }

    /**
     * Shuts the queue down (3.13): see the class comment. Calling it again is allowed (an immediate shutdown
     * after a plain one drops the items then).
     *
     * @param immediate also drop the items left, counting each as done
     */
    public void shutdown(boolean immediate) {
        binding.checkThread(this);
        shutdown = true;
        if (immediate) {
            while (!empty()) {
                items.take();
                if (unfinished > 0) {
                    unfinished--;
                }
            }
            if (unfinished == 0) {
                finished.set();
            }
        }
        // Every waiter re-checks the queue and throws QueueShutDown where it must.
        releaseAll(getters);
        releaseAll(putters);
    }

    /**
     * Tells whether {@link #shutdown(boolean)} was called.
     *
     * @return true once shut down
     */
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(getClass().getSimpleName()).append("[maxsize=").append(maxsize)
                .append(", qsize=").append(items.size());
        if (!getters.isEmpty()) {
            s.append(", getters:").append(getters.size());
        }
        if (!putters.isEmpty()) {
            s.append(", putters:").append(putters.size());
        }
        if (unfinished > 0) {
            s.append(", unfinished:").append(unfinished);
        }
        if (shutdown) {
            s.append(", shut down");
        }
        return s.append(']').toString();
    }

    private QueueShutDown shutDown(String operation) {
        return new QueueShutDown(operation + "() on " + this + ", which is shut down");
    }

    private static void wakeUpNext(Deque<Future<@Nullable Void>> waiters) {
        while (!waiters.isEmpty()) {
            Future<@Nullable Void> w = waiters.pollFirst();
            if (!w.isDone()) {
                w.setResult(null);
                return;
            }
        }
    }

    private static void releaseAll(Deque<Future<@Nullable Void>> waiters) {
        while (!waiters.isEmpty()) {
            Future<@Nullable Void> w = waiters.pollFirst();
            if (!w.isDone()) {
                w.setResult(null);
            }
        }
    }

    private static <T> Storage<T> fifo() {
        Deque<T> deque = new ArrayDeque<>();
        return new Storage<>() {
            @Override
            public void add(T item) {
                deque.addLast(item);
            }

            @Override
            public T take() {
                return deque.pollFirst();
            }

            @Override
            public int size() {
                return deque.size();
            }
        };
    }
}
