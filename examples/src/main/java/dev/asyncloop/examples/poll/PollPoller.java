package dev.asyncloop.examples.poll;

import dev.asyncloop.spi.ChannelDescriptors;
import dev.asyncloop.spi.Poller;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.Pipe;
import java.nio.channels.SelectableChannel;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * A {@link Poller} over POSIX {@code poll(2)}, called through {@code java.lang.foreign}: the poller of
 * {@link PollLoop}. Loop thread only, except {@link #wakeup()}, as {@link Poller} says. It watches the JDK's own
 * channels only, whose file descriptors it reads with {@link ChannelDescriptors}.
 *
 * <p>How it works, and why.
 * <ul>
 *   <li><b>Registrations</b> live in a map keyed by the channel, not by its descriptor: a channel closed without
 *       {@link #deregister} keeps its entry until the next poll drops it, and a new channel that the kernel gave
 *       the same descriptor meanwhile has an entry of its own.</li>
 *   <li><b>The {@code pollfd} array is rebuilt at every poll</b> from the map. {@code poll(2)} keeps no set in
 *       the kernel (each call passes every descriptor, unlike epoll or kqueue), so the array costs O(n) per poll
 *       anyway; rebuilding it makes {@link #register}, {@link #modify} and {@link #deregister} plain map
 *       updates, maps the interest afresh each time, and leaves out closed channels.</li>
 *   <li><b>Wake-up.</b> {@code poll(2)} has no wake-up of its own: slot 0 of the array is the read end of a pipe,
 *       and {@link #wakeup()} writes a byte to it unless one is pending. The poll that sees the byte drains the
 *       pipe and only then clears the pending flag, so no wake-up is lost.</li>
 *   <li><b>Errors and hang-ups.</b> {@code POLLERR} and {@code POLLHUP} are reported as every interest the
 *       channel has (the reader or writer then meets the error or end of stream).</li>
 *   <li><b>On a virtual thread</b> a blocking {@code poll(2)} would hold the carrier thread. The poller first
 *       polls without blocking and, if nothing is ready, hands the blocking call to a platform thread of its own
 *       while the virtual thread parks on the result; {@link #wakeup()} reaches that call through the pipe.</li>
 * </ul>
 */
public final class PollPoller implements Poller {
    private final IdentityHashMap<SelectableChannel, Registration> registrations = new IdentityHashMap<>();
    /** The registration behind slot {@code i + 1} of {@link #pollfds}, for the poll being run. */
    private final List<Registration> polled = new ArrayList<>();
    private MemorySegment pollfds = Arena.ofAuto().allocate(Libc.POLLFD, 16);
    private final MemorySegment callState = Libc.newCallState();

    private final Pipe wakePipe;
    private final int wakeFd;
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private final ByteBuffer drain = ByteBuffer.allocate(64);

    /** The platform thread that makes the blocking call for a virtual loop thread; started on first need. */
    private @Nullable ExecutorService waiter;
    private final MemorySegment waiterCallState = Libc.newCallState();
    private volatile boolean closed;

    /** One registered channel. */
    private static final class Registration {
        final SelectableChannel channel;
        final int fd;
        final Object attachment;
        int interest;

        Registration(SelectableChannel channel, int fd, Object attachment, int interest) {
            this.channel = channel;
            this.fd = fd;
            this.attachment = attachment;
            this.interest = interest;
        }
    }

    /**
     * Tells why this poller cannot be created in this JVM.
     *
     * @return empty when usable; else one sentence saying why and what to do: "not a POSIX system ...",
     *     "add --enable-native-access=ALL-UNNAMED to the JVM command line ...", "add --add-exports
     *     java.base/sun.nio.ch=ALL-UNNAMED to the JVM command line" (from {@link ChannelDescriptors}), or why
     *     {@code poll(2)} cannot be linked
     */
    public static Optional<String> unavailabilityCause() {
        return Libc.UNAVAILABLE.isPresent() ? Libc.UNAVAILABLE : ChannelDescriptors.unavailabilityCause();
    }

    /**
     * Opens the wake-up pipe.
     *
     * @throws IllegalStateException if {@code poll(2)} cannot be used in this JVM ({@link #unavailabilityCause()}
     *     says why)
     * @throws IOException if the pipe cannot be opened (for example, too many open files)
     */
    public PollPoller() throws IOException {
        Optional<String> cause = unavailabilityCause();
        if (cause.isPresent()) {
            throw new IllegalStateException("the poll(2) poller is unavailable: " + cause.get());
        }
        wakePipe = Pipe.open();
        try {
            // Non-blocking, both ends: a wake-up never blocks on a full pipe (a byte is pending then anyway),
            // the drain stops when the pipe is empty, and an interrupted caller cannot close the channel.
            wakePipe.source().configureBlocking(false);
            wakePipe.sink().configureBlocking(false);
            wakeFd = ChannelDescriptors.fd(wakePipe.source());
        } catch (IOException | RuntimeException e) {
            try {
                closePipe();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if {@code channel} is not one of the JDK's own channels (it has no file
     *     descriptor), or {@code interest} is not {@link #READ}, {@link #WRITE} or both
     * @throws IllegalStateException if the channel is registered already, or the poller is closed
     */
    @Override
    public void register(SelectableChannel channel, int interest, Object attachment) throws IOException {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(attachment, "attachment");
        checkInterest(interest);
        checkOpen();
        if (!channel.isOpen()) {
            throw new ClosedChannelException();
        }
        Registration added = new Registration(channel, ChannelDescriptors.fd(channel), attachment, interest);
        if (registrations.putIfAbsent(channel, added) != null) {
            throw new IllegalStateException("the channel " + channel + " is already registered with this poller;"
                    + " deregister it first, or modify its interest");
        }
    }

    /**
     * {@inheritDoc} Does nothing for a channel that is not registered.
     *
     * @throws IllegalArgumentException if {@code interest} is not {@link #READ}, {@link #WRITE} or both
     */
    @Override
    public void modify(SelectableChannel channel, int interest) {
        Objects.requireNonNull(channel, "channel");
        checkInterest(interest);
        Registration registration = registrations.get(channel);
        if (registration != null) {
            registration.interest = interest;
        }
    }

    @Override
    public void deregister(SelectableChannel channel) {
        registrations.remove(Objects.requireNonNull(channel, "channel"));
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException if the poller is closed
     */
    @Override
    public void poll(long timeoutNanos, EventSink sink) throws IOException {
        Objects.requireNonNull(sink, "sink");
        checkOpen();
        int count = fillPollfds();
        int timeoutMillis = toMillis(timeoutNanos);
        boolean virtual = Thread.currentThread().isVirtual();
        int ready = Libc.poll(pollfds, count, virtual ? 0 : timeoutMillis, callState);
        if (ready == 0 && virtual && timeoutMillis != 0) {
            ready = pollOnWaiter(count, timeoutMillis);
        }
        if (ready > 0) {
            report(count, sink);
        }
    }

    /** Writes slot 0 (the wake-up pipe) and one slot per open registered channel; returns the slot count. */
    private int fillPollfds() {
        registrations.values().removeIf(registration -> !registration.channel.isOpen());
        int count = registrations.size() + 1;
        if (pollfds.byteSize() < count * Libc.POLLFD_SIZE) {
            pollfds = Arena.ofAuto().allocate(Libc.POLLFD, 2L * count);
        }
        setSlot(0, wakeFd, Libc.POLLIN);
        polled.clear();
        int slot = 1;
        for (Registration registration : registrations.values()) {
            short events = 0;
            if ((registration.interest & READ) != 0) {
                events |= Libc.POLLIN;
            }
            if ((registration.interest & WRITE) != 0) {
                events |= Libc.POLLOUT;
            }
            setSlot(slot++, registration.fd, events);
            polled.add(registration);
        }
        return count;
    }

    private void setSlot(int slot, int fd, short events) {
        long base = slot * Libc.POLLFD_SIZE;
        pollfds.set(ValueLayout.JAVA_INT, base + Libc.FD_OFFSET, fd);
        pollfds.set(ValueLayout.JAVA_SHORT, base + Libc.EVENTS_OFFSET, events);
        pollfds.set(ValueLayout.JAVA_SHORT, base + Libc.REVENTS_OFFSET, (short) 0);
    }

    private short revents(int slot) {
        return pollfds.get(ValueLayout.JAVA_SHORT, slot * Libc.POLLFD_SIZE + Libc.REVENTS_OFFSET);
    }

    private void report(int count, EventSink sink) throws IOException {
        if (revents(0) != 0) {
            drainWakeups();
        }
        for (int slot = 1; slot < count; slot++) {
            short revents = revents(slot);
            Registration registration = polled.get(slot - 1);
            // The sink may have deregistered the channel earlier in this loop, and the channel may have been closed
            // since the array was built (POLLNVAL, or its descriptor already another's): report neither. The
            // interest is read now, as the sink may have modified it.
            if (revents == 0 || (revents & Libc.POLLNVAL) != 0
                    || registrations.get(registration.channel) != registration || !registration.channel.isOpen()) {
                continue;
            }
            int ops = (revents & (Libc.POLLERR | Libc.POLLHUP)) != 0 ? READ | WRITE : 0;
            if ((revents & Libc.POLLIN) != 0) {
                ops |= READ;
            }
            if ((revents & Libc.POLLOUT) != 0) {
                ops |= WRITE;
            }
            ops &= registration.interest;
            if (ops != 0) {
                sink.ready(registration.attachment, ops);
            }
        }
    }

    /** The blocking call on the waiter thread, while this virtual thread parks; an interrupt is a wake-up. */
    private int pollOnWaiter(int count, int timeoutMillis) throws IOException {
        ExecutorService executor = waiter;
        if (executor == null) {
            executor = Executors.newSingleThreadExecutor(
                    task -> Thread.ofPlatform().daemon().name("poll-loop-waiter").unstarted(task));
            waiter = executor;
        }
        MemorySegment fds = pollfds;
        Future<Integer> call = executor.submit(() -> Libc.poll(fds, count, timeoutMillis, waiterCallState));
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return call.get();
                } catch (InterruptedException e) {
                    // The array is in use until the call returns: make it return, then wait for it.
                    interrupted = true;
                    wakeup();
                }
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException failure) {
                throw failure;
            }
            throw new IllegalStateException("poll(2) on the waiter thread failed", e.getCause());
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void drainWakeups() throws IOException {
        do {
            drain.clear();
        } while (wakePipe.source().read(drain) > 0);
        wakePending.set(false);
    }

    /** Rounds up to whole milliseconds: never early, and a positive timeout never becomes 0 ("don't block"). */
    private static int toMillis(long timeoutNanos) {
        if (timeoutNanos < 0) {
            return -1;
        }
        return (int) Math.min(Math.ceilDiv(timeoutNanos, 1_000_000L), Integer.MAX_VALUE);
    }

    @Override
    public void wakeup() {
        if (closed || !wakePending.compareAndSet(false, true)) {
            return;
        }
        try {
            wakePipe.sink().write(ByteBuffer.allocate(1));
        } catch (IOException e) {
            // Closed meanwhile: nothing to wake.
        }
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        registrations.clear();
        polled.clear();
        ExecutorService executor = waiter;
        if (executor != null) {
            executor.shutdown();
        }
        closePipe();
    }

    private void closePipe() throws IOException {
        try {
            wakePipe.sink().close();
        } finally {
            wakePipe.source().close();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this poll(2) poller is closed");
        }
    }

    private static void checkInterest(int interest) {
        if (interest == 0 || (interest & ~(READ | WRITE)) != 0) {
            throw new IllegalArgumentException("interest must be Poller.READ, Poller.WRITE or both, not " + interest);
        }
    }
}
