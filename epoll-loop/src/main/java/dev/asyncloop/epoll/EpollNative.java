package dev.asyncloop.epoll;

import dev.asyncloop.spi.ChannelDescriptors;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.channels.SelectableChannel;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Every access to JDK internals of the epoll loop: {@code sun.nio.ch.EPoll} (epoll_create/ctl/wait and the
 * native event array) and {@code sun.nio.ch.EventFD} (the wake-up counter), reached with
 * {@link MethodHandles#privateLookupIn} when the JVM opens {@code java.base/sun.nio.ch} to this module, and a
 * channel's file descriptor through the SPI's {@link ChannelDescriptors}, to which this class passes the opening
 * on (so that the one flag serves both modules on the module path).
 *
 * <p>The handles are looked up once, in the static initializer, which never throws: {@link #UNAVAILABLE} holds
 * why they could not be found, and every other method may only be called when it is empty.
 */
final class EpollNative {
    /** Why this class cannot be used here, in one sentence that says what to do; empty when usable. */
    static final Optional<String> UNAVAILABLE;

    static final int EPOLLIN;
    static final int EPOLLOUT;
    /** Not exported by {@code EPoll}; the Linux values, reported whether asked for or not. */
    static final int EPOLLERR = 0x008;
    static final int EPOLLHUP = 0x010;
    static final int EPOLL_CTL_ADD;
    static final int EPOLL_CTL_DEL;
    static final int EPOLL_CTL_MOD;

    private static final MethodHandle CREATE;      // () int
    private static final MethodHandle CTL;         // (int epfd, int op, int fd, int events) int errno
    private static final MethodHandle WAIT;        // (int epfd, long address, int max, int timeoutMillis) int
    private static final MethodHandle ALLOCATE;    // (int n) long
    private static final MethodHandle FREE;        // (long address) void
    private static final MethodHandle GET_EVENT;   // (long address, int i) long
    private static final MethodHandle DESCRIPTOR;  // (long eventAddress) int
    private static final MethodHandle EVENTS;      // (long eventAddress) int
    private static final MethodHandle NEW_EVENTFD; // () Object
    private static final MethodHandle EVENTFD_FD;  // (Object) int
    private static final MethodHandle EVENTFD_SET; // (Object) void
    private static final MethodHandle EVENTFD_RESET; // (Object) void
    private static final MethodHandle EVENTFD_CLOSE; // (Object) void
    private static final MethodHandle CLOSE_FD;    // (int) void: FileDispatcherImpl.closeIntFD
    private static final MethodHandle NON_BLOCKING; // (int) void: IOUtil.configureBlocking(IOUtil.newFD(fd), false)
    private static final @Nullable MethodHandle PARK_UNTIL_READY; // (int epfd, long nanos) void: Poller.pollSelector

    static {
        String cause = null;
        int in = 0;
        int out = 0;
        int add = 0;
        int del = 0;
        int mod = 0;
        MethodHandle[] h = new MethodHandle[15];
        MethodHandle parkUntilReady = null;
        String os = System.getProperty("os.name", "");
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
            cause = "not Linux (os.name=" + os + "); epoll exists only on Linux, use the nio loop";
        } else {
            try {
                Class<?> epoll = Class.forName("sun.nio.ch.EPoll");
                Module target = EpollNative.class.getModule();
                if (!epoll.getModule().isOpen("sun.nio.ch", target)) {
                    cause = "add --add-opens java.base/sun.nio.ch="
                            + (target.isNamed() ? target.getName() : "ALL-UNNAMED") + " to the JVM command line";
                } else {
                    MethodHandles.Lookup l = MethodHandles.privateLookupIn(epoll, MethodHandles.lookup());
                    in = (int) l.findStaticVarHandle(epoll, "EPOLLIN", int.class).get();
                    out = (int) l.findStaticVarHandle(epoll, "EPOLLOUT", int.class).get();
                    add = (int) l.findStaticVarHandle(epoll, "EPOLL_CTL_ADD", int.class).get();
                    del = (int) l.findStaticVarHandle(epoll, "EPOLL_CTL_DEL", int.class).get();
                    mod = (int) l.findStaticVarHandle(epoll, "EPOLL_CTL_MOD", int.class).get();
                    h[0] = l.findStatic(epoll, "create", MethodType.methodType(int.class));
                    h[1] = l.findStatic(epoll, "ctl",
                            MethodType.methodType(int.class, int.class, int.class, int.class, int.class));
                    h[2] = l.findStatic(epoll, "wait",
                            MethodType.methodType(int.class, int.class, long.class, int.class, int.class));
                    h[3] = l.findStatic(epoll, "allocatePollArray", MethodType.methodType(long.class, int.class));
                    h[4] = l.findStatic(epoll, "freePollArray", MethodType.methodType(void.class, long.class));
                    h[5] = l.findStatic(epoll, "getEvent", MethodType.methodType(long.class, long.class, int.class));
                    h[6] = l.findStatic(epoll, "getDescriptor", MethodType.methodType(int.class, long.class));
                    h[7] = l.findStatic(epoll, "getEvents", MethodType.methodType(int.class, long.class));
                    Class<?> eventFd = Class.forName("sun.nio.ch.EventFD");
                    h[8] = l.findConstructor(eventFd, MethodType.methodType(void.class))
                            .asType(MethodType.methodType(Object.class));
                    h[9] = l.findVirtual(eventFd, "efd", MethodType.methodType(int.class))
                            .asType(MethodType.methodType(int.class, Object.class));
                    h[10] = l.findVirtual(eventFd, "set", MethodType.methodType(void.class))
                            .asType(MethodType.methodType(void.class, Object.class));
                    h[11] = l.findVirtual(eventFd, "reset", MethodType.methodType(void.class))
                            .asType(MethodType.methodType(void.class, Object.class));
                    h[12] = l.findVirtual(eventFd, "close", MethodType.methodType(void.class))
                            .asType(MethodType.methodType(void.class, Object.class));
                    Class<?> dispatcher = Class.forName("sun.nio.ch.FileDispatcherImpl");
                    h[13] = l.findStatic(dispatcher, "closeIntFD", MethodType.methodType(void.class, int.class));
                    Class<?> ioUtil = Class.forName("sun.nio.ch.IOUtil");
                    MethodHandle newFd = l.findStatic(ioUtil, "newFD",
                            MethodType.methodType(java.io.FileDescriptor.class, int.class));
                    MethodHandle configure = l.findStatic(ioUtil, "configureBlocking",
                            MethodType.methodType(void.class, java.io.FileDescriptor.class, boolean.class));
                    h[14] = MethodHandles.filterArguments(
                            MethodHandles.insertArguments(configure, 1, false), 0, newFd);
                    parkUntilReady = optionalPollSelector(l);
                    cause = shareWithChannelDescriptors(epoll.getModule());
                }
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                cause = "JDK internals changed: " + e + " (the epoll loop was written against JDK 25's sun.nio.ch;"
                        + " use the nio loop)";
            }
        }
        UNAVAILABLE = Optional.ofNullable(cause);
        EPOLLIN = in;
        EPOLLOUT = out;
        EPOLL_CTL_ADD = add;
        EPOLL_CTL_DEL = del;
        EPOLL_CTL_MOD = mod;
        CREATE = h[0];
        CTL = h[1];
        WAIT = h[2];
        ALLOCATE = h[3];
        FREE = h[4];
        GET_EVENT = h[5];
        DESCRIPTOR = h[6];
        EVENTS = h[7];
        NEW_EVENTFD = h[8];
        EVENTFD_FD = h[9];
        EVENTFD_SET = h[10];
        EVENTFD_RESET = h[11];
        EVENTFD_CLOSE = h[12];
        CLOSE_FD = h[13];
        NON_BLOCKING = h[14];
        PARK_UNTIL_READY = parkUntilReady;
    }

    private EpollNative() {
    }

    /**
     * Opens {@code sun.nio.ch} to the SPI's module as well, when the JVM opened it to this module only (on the
     * module path, {@code =dev.asyncloop.epoll}), so that {@link ChannelDescriptors} reads descriptors; the JDK
     * lets a module that has a package opened to it open it to another. Returns why descriptors are still out of
     * reach, or null.
     */
    private static @Nullable String shareWithChannelDescriptors(Module javaBase) {
        Module spi = ChannelDescriptors.class.getModule();
        if (!javaBase.isExported("sun.nio.ch", spi)) {
            javaBase.addOpens("sun.nio.ch", spi);
        }
        return ChannelDescriptors.unavailabilityCause().orElse(null);
    }

    /**
     * {@code sun.nio.ch.Poller.pollSelector}, or null when this JDK lacks it: only loops on virtual threads use
     * it, and they fall back to a blocking wait (which holds the carrier) rather than making the provider
     * unavailable for every loop.
     */
    private static @Nullable MethodHandle optionalPollSelector(MethodHandles.Lookup lookup) {
        try {
            return lookup.findStatic(Class.forName("sun.nio.ch.Poller"), "pollSelector",
                    MethodType.methodType(void.class, int.class, long.class));
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return null;
        }
    }

    /** Whether a poll on a virtual thread can park instead of blocking its carrier in epoll_wait. */
    static boolean canParkUntilReady() {
        return PARK_UNTIL_READY != null;
    }

    /** Throws {@link IllegalStateException} with the cause when the internals are not reachable. */
    static void ensureAvailable() {
        if (UNAVAILABLE.isPresent()) {
            throw new IllegalStateException("the epoll loop is unavailable: " + UNAVAILABLE.get());
        }
    }

    /** epoll_create; the new epoll file descriptor. */
    static int create() throws IOException {
        try {
            return (int) CREATE.invokeExact();
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t);
        }
    }

    /** epoll_ctl; 0 or the errno. */
    static int ctl(int epfd, int op, int fd, int events) {
        try {
            return (int) CTL.invokeExact(epfd, op, fd, events);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** epoll_wait; the number of events, or a negative value when interrupted by a signal (EINTR). */
    static int wait(int epfd, long address, int max, int timeoutMillis) throws IOException {
        try {
            return (int) WAIT.invokeExact(epfd, address, max, timeoutMillis);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t);
        }
    }

    /** Allocates native memory for {@code n} epoll events. */
    static long allocate(int n) {
        try {
            return (long) ALLOCATE.invokeExact(n);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Frees what {@link #allocate} returned. */
    static void free(long address) {
        try {
            FREE.invokeExact(address);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** The file descriptor of the {@code i}-th event of the array at {@code address}. */
    static int descriptor(long address, int i) {
        try {
            return (int) DESCRIPTOR.invokeExact((long) GET_EVENT.invokeExact(address, i));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** The event bits of the {@code i}-th event of the array at {@code address}. */
    static int events(long address, int i) {
        try {
            return (int) EVENTS.invokeExact((long) GET_EVENT.invokeExact(address, i));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * The file descriptor of a JDK channel: {@link ChannelDescriptors#fd}.
     *
     * @throws IllegalArgumentException if the channel is not one of the JDK's own (another SelectorProvider's)
     */
    static int fd(SelectableChannel channel) {
        return ChannelDescriptors.fd(channel);
    }

    /** A new {@code sun.nio.ch.EventFD} (an eventfd, non-blocking). */
    static Object newEventFd() throws IOException {
        try {
            return (Object) NEW_EVENTFD.invokeExact();
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t);
        }
    }

    /** The eventfd's file descriptor. */
    static int eventFdValue(Object eventFd) {
        try {
            return (int) EVENTFD_FD.invokeExact(eventFd);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Adds 1 to the eventfd's counter, making it readable. */
    static void eventFdSet(Object eventFd) throws IOException {
        try {
            EVENTFD_SET.invokeExact(eventFd);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t);
        }
    }

    /** Reads the eventfd's counter back to 0. */
    static void eventFdReset(Object eventFd) throws IOException {
        try {
            EVENTFD_RESET.invokeExact(eventFd);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t);
        }
    }

    /** Closes the eventfd. */
    static void eventFdClose(Object eventFd) throws IOException {
        try {
            EVENTFD_CLOSE.invokeExact(eventFd);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t);
        }
    }

    /** Puts a raw file descriptor in non-blocking mode. */
    static void configureNonBlocking(int fd) throws IOException {
        try {
            NON_BLOCKING.invokeExact(fd);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t);
        }
    }

    /** Closes a raw file descriptor (the epoll one). */
    static void close(int fd) throws IOException {
        try {
            CLOSE_FD.invokeExact(fd);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t);
        }
    }

    /**
     * Parks the current virtual thread until the epoll descriptor is readable (an event is pending) or
     * {@code nanos} passed (0: no limit), without holding its carrier: what the JDK's own selector does on a
     * virtual thread. May return early.
     */
    @SuppressWarnings("NullAway") // callers ask canParkUntilReady() first
    static void parkUntilReady(int epfd, long nanos) throws IOException {
        try {
            PARK_UNTIL_READY.invokeExact(epfd, nanos);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t);
        }
    }
}
