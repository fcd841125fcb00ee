package dev.asyncloop;

import java.util.ArrayDeque;
import java.util.Deque;
import org.jspecify.annotations.Nullable;

/**
 * asyncio's {@code LifoQueue}: an {@link AsyncQueue} whose items come out last in, first out. Everything else
 * (waiting, {@code taskDone}/{@code join}, shutdown) is as for {@link AsyncQueue}.
 *
 * @param <T> the item type
 */
public final class AsyncLifoQueue<T> extends AsyncQueue<T> {
    /** Creates an unbounded LIFO queue. */
    public AsyncLifoQueue() {
        this(0);
    }

    /**
     * Creates a LIFO queue holding at most {@code maxsize} items.
     *
     * @param maxsize the bound; 0 or less for none
     */
    public AsyncLifoQueue(int maxsize) {
        super(maxsize, stack());
    }

    private static <T extends @Nullable Object> Storage<T> stack() {
        Deque<T> deque = new ArrayDeque<>();
        return new Storage<>() {
            @Override
            public void add(T item) {
                deque.addFirst(item);
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
