package dev.asyncloop.spi;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;

/**
 * Reads and writes a socket straight from and into a heap array, without the JDK's copy through direct memory: an
 * optional capability a loop hands to {@link ReadinessEventLoop#ReadinessEventLoop(Poller, HeapIo)}.
 *
 * <p>A JDK channel reads into, or writes from, a heap buffer by way of a temporary direct buffer and a copy; the
 * readiness base reads into a direct buffer of its own and stages heap writes through another. For large messages
 * (a stream echoing 16 KiB ones) each copy is a pass over every byte. A loop that can hand the kernel the array
 * itself, for instance through a {@linkplain java.lang.foreign.Linker.Option#critical(boolean) critical} foreign
 * downcall with heap access, implements this; the base then reads into a heap buffer (what
 * {@link dev.asyncloop.Protocol#dataReceived} receives), reads into a {@link dev.asyncloop.BufferedProtocol}'s
 * heap buffers directly, writes heap buffers of its stream transports directly, and keeps a direct scratch buffer
 * only for gathering small queued writes into one system call.
 *
 * <p><b>Contract.</b> Called on the loop thread only, with a connected, non-blocking {@link SocketChannel}
 * (TCP or Unix domain) that the loop's transport owns. A call must never block and must not touch a descriptor
 * the channel no longer owns: a concurrent {@link SocketChannel#close()} from another thread must either happen
 * before (then {@link ClosedChannelException}) or wait until the call is over, as the channel's own
 * {@code read} and {@code write} guarantee. Errors are those the channel's methods would throw.
 */
public interface HeapIo {
    /**
     * Reads what the socket has, at most {@code length} bytes, into {@code bytes[offset, offset + length)}.
     *
     * @param channel the connected, non-blocking socket
     * @param bytes the array
     * @param offset index of the first byte to fill
     * @param length room, {@code > 0}
     * @return the bytes read, 0 if none are waiting, -1 at end of stream
     * @throws ClosedChannelException if the channel is closed
     * @throws IOException if the system call fails, as {@link SocketChannel#read} would (a reset connection is a
     *     {@link java.net.SocketException} "Connection reset")
     */
    int read(SocketChannel channel, byte[] bytes, int offset, int length) throws IOException;

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
