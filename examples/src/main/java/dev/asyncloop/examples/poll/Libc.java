package dev.asyncloop.examples.poll;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * {@code poll(2)} through {@code java.lang.foreign}: the {@code struct pollfd} layout, the event bits, and the
 * downcall, linked once with {@code errno} captured. Any thread.
 */
final class Libc {
    static final short POLLIN = 0x1;
    static final short POLLOUT = 0x4;
    static final short POLLERR = 0x8;
    static final short POLLHUP = 0x10;
    static final short POLLNVAL = 0x20;
    private static final int EINTR = 4;

    /** {@code struct pollfd { int fd; short events; short revents; }}. */
    static final StructLayout POLLFD = MemoryLayout.structLayout(
            ValueLayout.JAVA_INT.withName("fd"),
            ValueLayout.JAVA_SHORT.withName("events"),
            ValueLayout.JAVA_SHORT.withName("revents"));
    static final long POLLFD_SIZE = POLLFD.byteSize();
    static final long FD_OFFSET = POLLFD.byteOffset(PathElement.groupElement("fd"));
    static final long EVENTS_OFFSET = POLLFD.byteOffset(PathElement.groupElement("events"));
    static final long REVENTS_OFFSET = POLLFD.byteOffset(PathElement.groupElement("revents"));

    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(PathElement.groupElement("errno"));

    /** {@code (MemorySegment callState, MemorySegment fds, long nfds, int timeout) int}; null when unavailable. */
    private static final @Nullable MethodHandle POLL;
    /** Why {@link #POLL} cannot be called here, or empty. */
    static final Optional<String> UNAVAILABLE;

    static {
        MethodHandle poll = null;
        String cause = null;
        Module module = Libc.class.getModule();
        String os = System.getProperty("os.name", "");
        if (os.toLowerCase(Locale.ROOT).startsWith("windows")) {
            cause = "not a POSIX system (os.name=" + os + "): the poll loop calls POSIX poll(2)";
        } else if (!module.isNativeAccessEnabled()) {
            // Checked before linking: linking is a restricted method, which would print the JDK's warning.
            cause = "add --enable-native-access=" + (module.isNamed() ? module.getName() : "ALL-UNNAMED")
                    + " to the JVM command line (the poll loop calls poll(2) through java.lang.foreign)";
        } else {
            try {
                poll = link(os);
            } catch (RuntimeException | LinkageError e) {
                cause = "poll(2) cannot be linked through java.lang.foreign here: " + e;
            }
        }
        POLL = poll;
        UNAVAILABLE = Optional.ofNullable(cause);
    }

    private Libc() {
    }

    @SuppressWarnings("restricted") // called only once native access is known to be enabled
    private static MethodHandle link(String os) {
        Linker linker = Linker.nativeLinker();
        MemorySegment symbol = linker.defaultLookup().findOrThrow("poll");
        // nfds_t is an unsigned long on Linux and an unsigned int on macOS and the BSDs: link the C type, call
        // with a long either way.
        ValueLayout nfds = os.startsWith("Linux") ? ValueLayout.JAVA_LONG : ValueLayout.JAVA_INT;
        MethodHandle handle = linker.downcallHandle(symbol,
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, nfds, ValueLayout.JAVA_INT),
                Linker.Option.captureCallState("errno"));
        return MethodHandles.explicitCastArguments(handle, MethodType.methodType(int.class, MemorySegment.class,
                MemorySegment.class, long.class, int.class));
    }

    /** A segment for {@link #poll}'s {@code errno}; one per thread that calls it. */
    static MemorySegment newCallState() {
        return Arena.ofAuto().allocate(CALL_STATE);
    }

    /**
     * Calls {@code poll(fds, count, timeoutMillis)}.
     *
     * @param fds {@code count} {@link #POLLFD} structs
     * @param count how many
     * @param timeoutMillis -1 for no timeout, 0 not to block
     * @param callState from {@link #newCallState()}, used by one thread at a time
     * @return how many structs have {@code revents}; 0 also when a signal interrupted the call ({@code EINTR})
     * @throws IOException with the {@code errno} of any other failure
     */
    static int poll(MemorySegment fds, int count, int timeoutMillis, MemorySegment callState) throws IOException {
        MethodHandle poll = POLL;
        if (poll == null) {
            throw new IllegalStateException("poll(2) is unavailable: " + UNAVAILABLE.orElseThrow());
        }
        int ready;
        try {
            ready = (int) poll.invokeExact(callState, fds, (long) count, timeoutMillis);
        } catch (Throwable t) {
            throw new IllegalStateException("the poll(2) downcall threw", t);
        }
        if (ready >= 0) {
            return ready;
        }
        int errno = (int) ERRNO.get(callState, 0L);
        if (errno == EINTR) {
            return 0;
        }
        throw new IOException("poll(2) of " + count + " descriptors failed with errno " + errno);
    }
}
