package dev.asyncloop.epoll;

import dev.asyncloop.spi.Poller;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link Poller} driving Linux epoll directly, level-triggered, with no {@link java.nio.channels.Selector} and
 * no {@link java.nio.channels.SelectionKey}: the poller of {@link EpollEventLoop}. Loop thread only, except
 * {@link #wakeup()}. Watches only channels of the JDK's default {@link java.nio.channels.spi.SelectorProvider}
 * (it needs their file descriptors).
 *
 * <p>Implementation overview.
 * <ul>
 *   <li><b>Registrations</b> are three arrays indexed by file descriptor (channel, attachment, interest), grown
 *       to the largest descriptor seen: an event's descriptor finds its attachment with one array load, no map
 *       and no boxing. A slot remembers its channel, so a descriptor the kernel reused after a watched channel
 *       was closed (without {@link #deregister}) is recognised and the stale slot replaced.</li>
 *   <li><b>Interest.</b> {@link Poller#READ} is {@code EPOLLIN} (data, end of stream, or a connection to
 *       accept), {@link Poller#WRITE} is {@code EPOLLOUT} (writable, or a pending connect finished, either way).
 *       {@code EPOLLERR}/{@code EPOLLHUP}, which the kernel always reports, are delivered as every interest the
 *       channel has, so the reader or writer meets the error or end of stream on its next call. A
 *       {@link #modify} to the current interest makes no system call.</li>
 *   <li><b>Level-triggered</b> (measured against edge-triggered; see docs/architecture.md): a channel whose
 *       readiness is not consumed is reported again by the next poll, as {@link Poller} requires, so the
 *       transports may read once per event and a busy connection cannot starve the others.</li>
 *   <li><b>Polling</b> waits with the timeout rounded up to whole milliseconds (never early) for at most 1024
 *       events, as the JDK's selector does; with more ready channels, level-triggering reports the others on the
 *       next polls (the kernel moves reported channels to the back of its ready list). A larger array was
 *       measured slower per event with 10,000 ready channels (cache footprint), see docs/performance.md.</li>
 *   <li><b>Wake-up</b> is an eventfd in the epoll set: {@link #wakeup()} adds 1 to its counter (sticky until
 *       drained), the poll that reports it reads it back to 0. Wake-up and {@link #close()} share a lock, so a
 *       late wake-up never writes to a closed (and possibly reused) descriptor; the loop's wake-up protocol
 *       calls {@code wakeup} at most once per sleep, so the lock is cold.</li>
 *   <li><b>On a virtual thread</b> a poll that may block checks without blocking and then parks until the epoll
 *       descriptor is readable, through the JDK's own poller, as the JDK's selector does: a blocking
 *       {@code epoll_wait} would hold the carrier thread.</li>
 * </ul>
 */
public final class EpollPoller implements Poller {
    /** Events per wait, as the JDK's selector; measured faster than 4096 or 16384 with 10,000 ready channels. */
    private static final int MAX_EVENTS = 1024;
    private static final int EEXIST = 17;

    private final int epfd;
    private final Object wakeEventFd;
    private final int wakeFd;
    private final Object wakeLock = new Object();
    private boolean closed;

    private long events;

    private SelectableChannel[] channels = new SelectableChannel[256];
    private Object[] attachments = new Object[256];
    private int[] interests = new int[256];
    private int registered;

    /**
     * Tells why this poller cannot be created in this JVM.
     *
     * @return empty when usable; else one sentence saying why and what to do
     */
    public static Optional<String> unavailabilityCause() {
        return EpollNative.UNAVAILABLE;
    }

    /**
     * Creates an epoll instance and its wake-up eventfd.
     *
     * @throws IllegalStateException if epoll is unavailable here ({@link #unavailabilityCause()} says why)
     * @throws IOException if the kernel refuses a descriptor (for example, too many open files)
     */
    public EpollPoller() throws IOException {
        EpollNative.ensureAvailable();
        this.epfd = EpollNative.create();
        Object eventFd = null;
        try {
            eventFd = EpollNative.newEventFd();
            this.wakeFd = EpollNative.eventFdValue(eventFd);
            EpollNative.configureNonBlocking(wakeFd);
            int rc = EpollNative.ctl(epfd, EpollNative.EPOLL_CTL_ADD, wakeFd, EpollNative.EPOLLIN);
            if (rc != 0) {
                throw new IOException("epoll_ctl(ADD) of the wake-up eventfd failed: errno " + rc);
            }
            this.events = EpollNative.allocate(MAX_EVENTS);
        } catch (IOException | RuntimeException | Error e) {
            Object made = eventFd;
            if (made != null) {
                closeQuietly(() -> EpollNative.eventFdClose(made), e);
            }
            closeQuietly(() -> EpollNative.close(epfd), e);
            throw e;
        }
        this.wakeEventFd = eventFd;
    }

    @Override
    public void register(SelectableChannel channel, int interest, Object attachment) throws IOException {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(attachment, "attachment");
        checkInterest(interest);
        checkOpen();
        if (!channel.isOpen()) {
            throw new ClosedChannelException();
        }
        int fd = EpollNative.fd(channel);
        ensureSlot(fd);
        SelectableChannel old = channels[fd];
        if (old == channel) {
            throw new IllegalStateException("the channel " + channel + " is already registered with " + this
                    + "; deregister it first, or modify its interest");
        }
        if (old != null) {
            // The old channel was closed without deregister and the kernel reused its descriptor.
            clear(fd);
        }
        int bits = toEpoll(interest);
        int rc = EpollNative.ctl(epfd, EpollNative.EPOLL_CTL_ADD, fd, bits);
        if (rc == EEXIST) {
            rc = EpollNative.ctl(epfd, EpollNative.EPOLL_CTL_MOD, fd, bits);
        }
        if (rc != 0) {
            if (!channel.isOpen()) {
                throw new ClosedChannelException();
            }
            throw new IOException("epoll_ctl(ADD) of " + channel + " (fd " + fd + ") failed: errno " + rc);
        }
        channels[fd] = channel;
        attachments[fd] = attachment;
        interests[fd] = interest;
        registered++;
    }

    @Override
    public void modify(SelectableChannel channel, int interest) throws IOException {
        Objects.requireNonNull(channel, "channel");
        checkInterest(interest);
        int fd = EpollNative.fd(channel);
        if (fd < 0 || fd >= channels.length || channels[fd] != channel || interests[fd] == interest) {
            return;
        }
        int rc = EpollNative.ctl(epfd, EpollNative.EPOLL_CTL_MOD, fd, toEpoll(interest));
        if (rc != 0 && channel.isOpen()) {
            throw new IOException("epoll_ctl(MOD) of " + channel + " (fd " + fd + ") failed: errno " + rc);
        }
        interests[fd] = interest;
    }

    @Override
    public void deregister(SelectableChannel channel) {
        Objects.requireNonNull(channel, "channel");
        int fd = EpollNative.fd(channel);
        if (fd < 0 || fd >= channels.length || channels[fd] != channel) {
            return;
        }
        clear(fd);
        // Also for a closed channel: the JDK keeps its descriptor open while a Selector still knows it, and the
        // set would report it on every wait. If the descriptor was really closed, the call fails (EBADF, or
        // ENOENT if the number now names another file, which this poller cannot be watching: registering it
        // would have replaced this channel's slot), and nothing changes.
        EpollNative.ctl(epfd, EpollNative.EPOLL_CTL_DEL, fd, 0);
    }

    @SuppressWarnings("NullAway") // a cleared slot is free; only registered descriptors' slots are read
    private void clear(int fd) {
        channels[fd] = null;
        attachments[fd] = null;
        interests[fd] = 0;
        registered--;
    }

    @Override
    public void poll(long timeoutNanos, EventSink sink) throws IOException {
        Objects.requireNonNull(sink, "sink");
        checkOpen();
        int millis;
        if (timeoutNanos == 0) {
            if (registered == 0) {
                return; // Nothing registered: a non-blocking wait could only find nothing (or a stale wake-up).
            }
            millis = 0;
        } else if (timeoutNanos < 0) {
            millis = -1;
        } else {
            // Rounded up without adding first, which would overflow for the longest timeouts.
            long ceilMillis = timeoutNanos / 1_000_000 + (timeoutNanos % 1_000_000 == 0 ? 0 : 1);
            millis = (int) Math.min(Integer.MAX_VALUE, ceilMillis);
        }
        int n = millis != 0 && Thread.currentThread().isVirtual() && !Thread.currentThread().isInterrupted()
                && EpollNative.canParkUntilReady()
                ? waitParked(timeoutNanos)
                : EpollNative.wait(epfd, events, MAX_EVENTS, millis);
        for (int i = 0; i < n; i++) { // n < 0: interrupted by a signal, nothing to report
            int fd = EpollNative.descriptor(events, i);
            if (fd == wakeFd) {
                EpollNative.eventFdReset(wakeEventFd);
                continue;
            }
            if (fd >= attachments.length) {
                continue;
            }
            Object attachment = attachments[fd];
            if (attachment == null) {
                continue; // deregistered by an earlier event's handling in this batch
            }
            int ready = readyOps(EpollNative.events(events, i), interests[fd]);
            if (ready != 0) {
                sink.ready(attachment, ready);
            }
        }
    }

    /**
     * On a virtual thread: a blocking epoll_wait would hold the carrier for the whole wait (a native call pins
     * it), and enough loops on virtual threads would starve every other virtual thread. So, as the JDK's
     * selector does, check without blocking and park until the epoll descriptor is readable, then check again.
     * An interrupted thread would not park; it takes the blocking path instead.
     */
    private int waitParked(long timeoutNanos) throws IOException {
        long start = System.nanoTime();
        int n = EpollNative.wait(epfd, events, MAX_EVENTS, 0);
        while (n == 0 && !Thread.currentThread().isInterrupted()) {
            long park = 0; // no limit
            if (timeoutNanos > 0) {
                park = timeoutNanos - (System.nanoTime() - start);
                if (park <= 0) {
                    break;
                }
            }
            EpollNative.parkUntilReady(epfd, park);
            n = EpollNative.wait(epfd, events, MAX_EVENTS, 0);
        }
        return n;
    }

    private static int readyOps(int bits, int interest) {
        int ops = 0;
        if ((bits & (EpollNative.EPOLLIN | EpollNative.EPOLLERR | EpollNative.EPOLLHUP)) != 0) {
            ops |= READ;
        }
        if ((bits & (EpollNative.EPOLLOUT | EpollNative.EPOLLERR | EpollNative.EPOLLHUP)) != 0) {
            ops |= WRITE;
        }
        return ops & interest;
    }

    private static int toEpoll(int interest) {
        return ((interest & READ) != 0 ? EpollNative.EPOLLIN : 0) | ((interest & WRITE) != 0 ? EpollNative.EPOLLOUT : 0);
    }

    private static void checkInterest(int interest) {
        if (interest == 0 || (interest & ~(READ | WRITE)) != 0) {
            throw new IllegalArgumentException("interest must be Poller.READ, Poller.WRITE or both, got " + interest);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the poller " + this + " is closed");
        }
    }

    private void ensureSlot(int fd) {
        if (fd < 0) {
            throw new IllegalArgumentException("a channel without a file descriptor (fd " + fd + ") cannot be watched");
        }
        if (fd >= channels.length) {
            int length = Math.max(fd + 1, channels.length * 2);
            channels = Arrays.copyOf(channels, length);
            attachments = Arrays.copyOf(attachments, length);
            interests = Arrays.copyOf(interests, length);
        }
    }

    @Override
    public void wakeup() {
        synchronized (wakeLock) {
            if (closed) {
                return;
            }
            try {
                EpollNative.eventFdSet(wakeEventFd);
            } catch (IOException e) {
                // Only fails if the counter would overflow: then the loop is awake anyway.
            }
        }
    }

    /** Closes the epoll instance and the eventfd and frees the event array; idempotent. */
    @Override
    public void close() throws IOException {
        synchronized (wakeLock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        Arrays.fill(channels, null);
        Arrays.fill(attachments, null);
        registered = 0;
        EpollNative.free(events);
        events = 0;
        try {
            EpollNative.eventFdClose(wakeEventFd);
        } finally {
            EpollNative.close(epfd);
        }
    }

    @Override
    public String toString() {
        return "EpollPoller[epfd=" + epfd + (closed ? ", closed" : ", registered=" + registered) + "]";
    }

    @FunctionalInterface
    private interface Closer {
        void close() throws IOException;
    }

    private static void closeQuietly(Closer closer, Throwable primary) {
        try {
            closer.close();
        } catch (IOException | RuntimeException e) {
            primary.addSuppressed(e);
        }
    }
}
