package dev.asyncloop.epoll;

import dev.asyncloop.spi.HeapWriter;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The epoll loop's {@link HeapWriter}: {@code send(fd, bytes, length, MSG_NOSIGNAL)} through a foreign downcall
 * linked {@linkplain Linker.Option#critical(boolean) critical with heap access}, so the kernel copies straight
 * from the Java array and the JDK's copy into a temporary direct buffer is skipped.
 *
 * <p>The call holds the channel's own write lock, as {@link SocketChannel#write} does: a close from another thread
 * marks the channel closed and then waits for that lock before it releases the descriptor, so the descriptor is
 * the channel's for the whole call, and a channel found closed under the lock is {@link ClosedChannelException}.
 * A channel of another provider (no such lock) is written through its own {@code write}.
 *
 * <p>Availability: needs {@link EpollNative} (the {@code sun.nio.ch} opening) and native access for this module
 * ({@code --enable-native-access=ALL-UNNAMED}, or {@code =dev.asyncloop.epoll} on the module path). Without native
 * access {@link #create()} answers empty and the loop stages heap bytes through its direct buffer, as the NIO
 * loop does; {@link #UNAVAILABLE} says why. Loop thread only: an instance owns the segment errno is captured in.
 */
final class EpollHeapWriter implements HeapWriter {
    /** Why heap bytes are staged instead, in one sentence; empty when {@link #create()} gives a writer. */
    static final Optional<String> UNAVAILABLE;

    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle SEND;     // (capture, int fd, heap address, long length, int flags) long
    private static final MethodHandle STRERROR; // (int errno) address of a C string
    private static final VarHandle WRITE_LOCK;  // SocketChannelImpl.writeLock

    static {
        String cause = null;
        MethodHandle send = null;
        MethodHandle strerror = null;
        VarHandle writeLock = null;
        if (EpollNative.UNAVAILABLE.isPresent()) {
            cause = EpollNative.UNAVAILABLE.get();
        } else if (!EpollHeapWriter.class.getModule().isNativeAccessEnabled()) {
            Module m = EpollHeapWriter.class.getModule();
            cause = "add --enable-native-access=" + (m.isNamed() ? m.getName() : "ALL-UNNAMED")
                    + " to the JVM command line to let the epoll loop send heap bytes without copying them";
        } else {
            try {
                Linker linker = Linker.nativeLinker();
                send = linker.downcallHandle(linker.defaultLookup().findOrThrow("send"),
                        FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                                ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT),
                        Linker.Option.critical(true), Linker.Option.captureCallState("errno"));
                strerror = linker.downcallHandle(linker.defaultLookup().findOrThrow("strerror"),
                        FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
                Class<?> impl = Class.forName("sun.nio.ch.SocketChannelImpl");
                writeLock = MethodHandles.privateLookupIn(impl, MethodHandles.lookup())
                        .findVarHandle(impl, "writeLock", ReentrantLock.class);
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                cause = "JDK internals changed: " + e + " (heap bytes are staged through a direct buffer instead)";
            }
        }
        UNAVAILABLE = Optional.ofNullable(cause);
        SEND = send;
        STRERROR = strerror;
        WRITE_LOCK = writeLock;
    }

    private final MemorySegment errno = Arena.ofAuto().allocate(CAPTURE);

    private EpollHeapWriter() {
    }

    /** A writer for one loop, or empty when {@link #UNAVAILABLE} says why not. */
    static Optional<HeapWriter> create() {
        return UNAVAILABLE.isPresent() ? Optional.empty() : Optional.of(new EpollHeapWriter());
    }

    @Override
    public int write(SocketChannel channel, byte[] bytes, int offset, int length) throws IOException {
        ReentrantLock lock;
        try {
            lock = (ReentrantLock) WRITE_LOCK.get(channel);
        } catch (ClassCastException e) {
            return channel.write(ByteBuffer.wrap(bytes, offset, length)); // not a JDK channel
        }
        lock.lock();
        try {
            if (!channel.isOpen()) {
                throw new ClosedChannelException();
            }
            int fd = EpollNative.fd(channel);
            MemorySegment from = MemorySegment.ofArray(bytes).asSlice(offset, length);
            while (true) {
                long n = send(fd, from, length);
                if (n >= 0) {
                    return (int) n;
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

    private long send(int fd, MemorySegment from, int length) {
        try {
            return (long) SEND.invokeExact(errno, fd, from, (long) length, MSG_NOSIGNAL);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static String strerror(int error) {
        try {
            MemorySegment text = (MemorySegment) STRERROR.invokeExact(error);
            return text.equals(MemorySegment.NULL) ? "errno " + error : text.reinterpret(1024).getString(0);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
