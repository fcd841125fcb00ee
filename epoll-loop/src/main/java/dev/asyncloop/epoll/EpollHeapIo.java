package dev.asyncloop.epoll;

import dev.asyncloop.spi.HeapIo;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * The epoll loop's {@link HeapIo}: {@code recv(fd, bytes, length, 0)} and {@code send(fd, bytes, length,
 * MSG_NOSIGNAL)} through foreign downcalls linked {@linkplain Linker.Option#critical(boolean) critical with heap
 * access}, so the kernel copies straight into and out of the Java array and the JDK's copies through temporary
 * direct buffers are skipped.
 *
 * <p>Each call holds the channel's own read or write lock, as {@link SocketChannel#read} and
 * {@link SocketChannel#write} do: a close from another thread marks the channel closed and then waits for both
 * locks before it releases the descriptor, so the descriptor is the channel's for the whole call, and a channel
 * found closed under the lock is {@link ClosedChannelException}. Answers are the JDK's, down to the channel's own
 * state, read and written under the same lock the JDK uses: a reset seen by a read is a {@link SocketException}
 * "Connection reset" and stays so for every later read (the channel's {@code connectionReset} flag is set, so its
 * own {@code read} agrees); a read after {@code shutdownInput()} is end of stream even with bytes waiting; a write
 * after {@code shutdownOutput()} is {@link AsynchronousCloseException}; any other failure is an
 * {@link IOException} with the system's text ("Broken pipe", "Connection reset by peer"); {@code EAGAIN} is 0
 * bytes, {@code EINTR} is retried, a read of 0 bytes is end of stream (-1). A channel of another provider (no such
 * locks), or one switched to blocking mode (outside {@link HeapIo}'s contract, where the JDK's close does not wait
 * for the locks), is read and written through its own methods. Unlike the channel's own methods, these calls emit
 * no {@code jdk.SocketRead}/{@code jdk.SocketWrite} JFR events.
 *
 * <p>Availability: needs {@link EpollNative} (the {@code sun.nio.ch} opening) and native access for this module
 * ({@code --enable-native-access=ALL-UNNAMED}, or {@code =dev.asyncloop.epoll} on the module path). Without native
 * access {@link #create()} answers empty and the loop uses direct buffers, as the NIO loop does;
 * {@link #unavailabilityCause()} says why. Loop thread only: an instance owns the segment errno is captured in.
 */
public final class EpollHeapIo implements HeapIo {
    /** Why the loop uses direct buffers instead, in one sentence; empty when {@link #create()} gives an instance. */
    static final Optional<String> UNAVAILABLE;

    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;
    private static final int EPIPE = 32;
    private static final int ECONNRESET = 104;
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final @Nullable MethodHandle RECV; // (capture, int fd, heap address, long length, int flags) long
    private static final @Nullable MethodHandle SEND; // (capture, int fd, heap address, long length, int flags) long
    private static final @Nullable MethodHandle STRERROR; // XSI strerror_r: (int errno, buffer, long size) int
    private static final @Nullable VarHandle READ_LOCK;   // SocketChannelImpl.readLock
    private static final @Nullable VarHandle WRITE_LOCK;  // SocketChannelImpl.writeLock
    private static final @Nullable VarHandle INPUT_CLOSED;     // SocketChannelImpl.isInputClosed (volatile)
    private static final @Nullable VarHandle OUTPUT_CLOSED;    // SocketChannelImpl.isOutputClosed (volatile)
    // SocketChannelImpl.connectionReset (guarded by readLock)
    private static final @Nullable VarHandle CONNECTION_RESET;

    static {
        String cause = null;
        MethodHandle recv = null;
        MethodHandle send = null;
        MethodHandle strerror = null;
        VarHandle readLock = null;
        VarHandle writeLock = null;
        VarHandle inputClosed = null;
        VarHandle outputClosed = null;
        VarHandle connectionReset = null;
        if (EpollNative.UNAVAILABLE.isPresent()) {
            cause = EpollNative.UNAVAILABLE.get();
        } else if (!EpollHeapIo.class.getModule().isNativeAccessEnabled()) {
            Module m = EpollHeapIo.class.getModule();
            cause = "add --enable-native-access=" + (m.isNamed() ? m.getName() : "ALL-UNNAMED")
                    + " to the JVM command line to let the epoll loop read and write heap arrays without copies";
        } else {
            try {
                Linker linker = Linker.nativeLinker();
                FunctionDescriptor io = FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
                        ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT);
                recv = linker.downcallHandle(linker.defaultLookup().findOrThrow("recv"), io,
                        Linker.Option.critical(true), Linker.Option.captureCallState("errno"));
                send = linker.downcallHandle(linker.defaultLookup().findOrThrow("send"), io,
                        Linker.Option.critical(true), Linker.Option.captureCallState("errno"));
                // strerror's text may live in a static buffer that another thread overwrites; the XSI strerror_r
                // fills ours. glibc exports it as __xpg_strerror_r (its strerror_r is the GNU variant), musl as
                // strerror_r.
                SymbolLookup libc = linker.defaultLookup();
                strerror = linker.downcallHandle(
                        libc.find("__xpg_strerror_r").or(() -> libc.find("strerror_r")).orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                                ValueLayout.JAVA_LONG));
                Class<?> impl = Class.forName("sun.nio.ch.SocketChannelImpl");
                MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(impl, MethodHandles.lookup());
                readLock = lookup.findVarHandle(impl, "readLock", ReentrantLock.class);
                writeLock = lookup.findVarHandle(impl, "writeLock", ReentrantLock.class);
                inputClosed = lookup.findVarHandle(impl, "isInputClosed", boolean.class);
                outputClosed = lookup.findVarHandle(impl, "isOutputClosed", boolean.class);
                connectionReset = lookup.findVarHandle(impl, "connectionReset", boolean.class);
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                cause = "JDK internals changed: " + e + " (the loop uses direct buffers instead)";
            }
        }
        UNAVAILABLE = Optional.ofNullable(cause);
        RECV = recv;
        SEND = send;
        STRERROR = strerror;
        READ_LOCK = readLock;
        WRITE_LOCK = writeLock;
        INPUT_CLOSED = inputClosed;
        OUTPUT_CLOSED = outputClosed;
        CONNECTION_RESET = connectionReset;
    }

    /** Room for any message of the C library (glibc's longest is under 60 bytes). */
    private static final int STRERROR_SIZE = 256;

    private final MemorySegment errno = Arena.ofAuto().allocate(CAPTURE);

    private EpollHeapIo() {
    }

    /**
     * A new instance for one loop (pass it to {@link dev.asyncloop.spi.ReadinessEventLoop}'s constructor, as
     * {@link EpollEventLoop} does), or empty when this JVM cannot have one ({@link #unavailabilityCause()} says
     * why). Any thread; the instance is then for that loop's thread only.
     *
     * @return the instance, or empty
     */
    public static Optional<HeapIo> create() {
        return UNAVAILABLE.isPresent() ? Optional.empty() : Optional.of(new EpollHeapIo());
    }

    /**
     * Why {@link #create()} answers empty here, in one sentence that says what to do (for instance "add
     * --enable-native-access=ALL-UNNAMED to the JVM command line ..."); empty when it gives instances.
     *
     * @return the reason, or empty
     */
    public static Optional<String> unavailabilityCause() {
        return UNAVAILABLE;
    }

    @Override
    @SuppressWarnings("NullAway") // the handles are set whenever an instance exists: create() makes one only then
    public int read(SocketChannel channel, byte[] bytes, int offset, int length) throws IOException {
        ReentrantLock lock = lockIfOpen(READ_LOCK, channel);
        if (lock == null) {
            return channel.read(ByteBuffer.wrap(bytes, offset, length));
        }
        try {
            if ((boolean) CONNECTION_RESET.get(channel)) {
                throw new SocketException("Connection reset");
            }
            if ((boolean) INPUT_CLOSED.getVolatile(channel)) {
                return -1;
            }
            MemorySegment into = MemorySegment.ofArray(bytes).asSlice(offset, length);
            int fd = EpollNative.fd(channel);
            while (true) {
                long n = recv(fd, into, length);
                if (n > 0) {
                    return (int) n;
                }
                if (n == 0) {
                    return -1;
                }
                int error = (int) ERRNO.get(errno, 0L);
                if ((boolean) INPUT_CLOSED.getVolatile(channel)) {
                    return -1; // as the JDK's read: shut down meanwhile
                }
                if (error == EAGAIN) {
                    return 0;
                }
                if (error == ECONNRESET || error == EPIPE) {
                    CONNECTION_RESET.set(channel, true); // sticky, as the JDK's read
                    throw new SocketException("Connection reset");
                }
                if (error != EINTR) {
                    throw new IOException(strerror(error));
                }
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    @SuppressWarnings("NullAway") // the handles are set whenever an instance exists: create() makes one only then
    public int write(SocketChannel channel, byte[] bytes, int offset, int length) throws IOException {
        ReentrantLock lock = lockIfOpen(WRITE_LOCK, channel);
        if (lock == null) {
            return channel.write(ByteBuffer.wrap(bytes, offset, length));
        }
        try {
            MemorySegment from = MemorySegment.ofArray(bytes).asSlice(offset, length);
            int fd = EpollNative.fd(channel);
            while (true) {
                long n = send(fd, from, length);
                if (n > 0) {
                    return (int) n;
                }
                if ((boolean) OUTPUT_CLOSED.getVolatile(channel)) {
                    throw new AsynchronousCloseException(); // as the JDK's write after shutdownOutput
                }
                if (n == 0) {
                    return 0;
                }
                int error = (int) ERRNO.get(errno, 0L);
                if (error == EAGAIN) {
                    return 0;
                }
                if (error != EINTR) {
                    throw new IOException(strerror(error));
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes the channel's read or write lock and returns it held, once the channel is known to be open and
     * non-blocking under it; null when the caller must use the channel's own method instead: a channel of another
     * provider (no such lock), or one in blocking mode (whose close does not wait for the lock).
     */
    private static @Nullable ReentrantLock lockIfOpen(VarHandle which,
            SocketChannel channel) throws ClosedChannelException {
        ReentrantLock lock;
        try {
            lock = (ReentrantLock) which.get(channel);
        } catch (ClassCastException e) {
            return null; // another provider's channel
        }
        lock.lock();
        if (!channel.isOpen()) {
            lock.unlock();
            throw new ClosedChannelException();
        }
        if (channel.isBlocking()) {
            lock.unlock();
            return null;
        }
        return lock;
    }

    @SuppressWarnings("NullAway") // the handles are set whenever an instance exists: create() makes one only then
    private long recv(int fd, MemorySegment into, int length) {
        try {
            return (long) RECV.invokeExact(errno, fd, into, (long) length, 0);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @SuppressWarnings("NullAway") // the handles are set whenever an instance exists: create() makes one only then
    private long send(int fd, MemorySegment from, int length) {
        try {
            return (long) SEND.invokeExact(errno, fd, from, (long) length, MSG_NOSIGNAL);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** The C library's text for {@code error} ("Broken pipe"), or "errno N" when it has none. */
    @SuppressWarnings("NullAway") // only called where the handles are set (read, write; tests with an instance)
    static String strerror(int error) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment text = arena.allocate(STRERROR_SIZE);
            int failed = (int) STRERROR.invokeExact(error, text, (long) STRERROR_SIZE);
            return failed != 0 || text.get(ValueLayout.JAVA_BYTE, 0) == 0 ? "errno " + error : text.getString(0);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
