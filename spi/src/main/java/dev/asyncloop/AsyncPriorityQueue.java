package dev.asyncloop;

import java.util.Comparator;
import java.util.Objects;
import java.util.PriorityQueue;
import org.jspecify.annotations.Nullable;

/**
 * asyncio's {@code PriorityQueue}: an {@link AsyncQueue} whose smallest item comes out first, by a
 * {@link Comparator} or the items' natural order. Items that compare equal come out in the order they were put
 * (asyncio's heap gives no such promise; Python code makes entries unique with a counter, which is not needed
 * here). Everything else is as for {@link AsyncQueue}; without a comparator, {@code put}/{@code putNowait} of an
 * item that is not {@link Comparable} throw {@link ClassCastException} at once, before waiting for room.
 *
 * @param <T> the item type
 */
public final class AsyncPriorityQueue<T> extends AsyncQueue<T> {

    /**
     * Creates an unbounded queue ordered by the items' natural order; items must be {@link Comparable}.
     */
    public AsyncPriorityQueue() {
        this(0);
    }

    /**
     * Creates a bounded queue ordered by the items' natural order.
     *
     * @param maxsize the bound; 0 or less for none
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public AsyncPriorityQueue(int maxsize) {
        super(maxsize, heap((Comparator<? super T>) (Comparator) Comparator.naturalOrder(), true));
    }

    /**
     * Creates a queue ordered by {@code comparator}.
     *
     * @param maxsize the bound; 0 or less for none
     * @param comparator the order, smallest first; not null
     */
    public AsyncPriorityQueue(int maxsize, Comparator<? super T> comparator) {
        super(maxsize, heap(Objects.requireNonNull(comparator, "comparator"), false));
    }

    private record Entry<T>(T item, long sequence) {
    }

    private static <T extends @Nullable Object> Storage<T> heap(Comparator<? super T> order, boolean natural) {
        Comparator<Entry<T>> byItem = (a, b) -> order.compare(a.item(), b.item());
        PriorityQueue<Entry<T>> heap = new PriorityQueue<>(byItem.thenComparingLong(Entry::sequence));
        return new Storage<>() {
            private long sequence;

            @Override
            public void check(T item) {
                if (natural && !(item instanceof Comparable)) {
                    throw new ClassCastException(item.getClass().getName() + " is not Comparable: give the"
                            + " AsyncPriorityQueue a Comparator");
                }
            }

            @Override
            public void add(T item) {
                heap.add(new Entry<>(item, sequence++));
            }

            @Override
            public T take() {
                return heap.poll().item();
            }

            @Override
            public int size() {
                return heap.size();
            }
        };
    }
}
