package dev.asyncloop.spi;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;

/**
 * Sends bytes from a heap array to a socket without copying them to direct memory first: an optional
 * capability a loop hands to {@link ReadinessEventLoop#ReadinessEventLoop(Poller, HeapWriter)}.
 *
 * <p>A JDK channel writes a heap buffer by copying its bytes into a temporary direct buffer and writing that;
 * the readiness base does the same through one scratch buffer per loop. For large writes (a stream echoing
 * 16 KiB messages) that copy is a pass over every byte sent. A loop that can hand the kernel the array itself,
 * for instance through a {@linkplain java.lang.foreign.Linker.Option#critical(boolean) critical} foreign
 * downcall with heap access, implements this; the base then sends heap buffers of its stream transports
 * through it and keeps the scratch buffer for gathering small queued writes into one system call.
 *
 * <p><b>Contract.</b> Called on the loop thread only, with a connected, non-blocking {@link SocketChannel}
 * (TCP or Unix domain) that the loop's transport owns. The call must never block and must not write to a
 * descriptor the channel no longer owns: a concurrent {@link SocketChannel#close()} from another thread must
 * either happen before (then {@link ClosedChannelException}) or wait until the bytes are handed over, as the
 * channel's own {@code write} guarantees.
 */
@FunctionalInterface
public interface HeapWriter {
    /**
     * Writes what the socket takes of {@code bytes[offset, offset + length)}.
     *
     * @param channel the connected, non-blocking socket
     * @param bytes the array
     * @param offset index of the first byte to send
     * @param length bytes to send, {@code > 0}
     * @return the bytes the socket took, from 0 (it would block) to {@code length}
     * @throws ClosedChannelException if the channel is closed
     * @throws IOException if the system call fails, as {@link SocketChannel#write} would (a reset or broken
     *     connection), with the system's error text as the message
     */
    int write(SocketChannel channel, byte[] bytes, int offset, int length) throws IOException;
}
