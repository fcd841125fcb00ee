package dev.asyncloop.epoll;

import dev.asyncloop.spi.ReadinessEventLoop;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The Linux loop: {@link ReadinessEventLoop} over an {@link EpollPoller}, with TCP, UDP, Unix-domain sockets,
 * sendfile, pipes, DNS, reader/writer callbacks and the {@code sock*} operations, behaving as the NIO reference loop
 * does (the same conformance kit passes on both). Unlike a Selector, epoll sees the reader of a write pipe go away
 * while nothing is queued, as asyncio does.
 *
 * <p>Implementation overview. The loop is the readiness base plus one {@link EpollPoller}: polling is one
 * level-triggered {@code epoll_wait} with the timeout rounded up to whole milliseconds (never early); waking up
 * writes an eventfd watched by the same epoll set, sticky until the next poll drains it. The JVM must run with
 * {@code --add-opens java.base/sun.nio.ch=ALL-UNNAMED} ({@code =dev.asyncloop.epoll} on the module path);
 * {@link EpollEventLoopProvider#unavailabilityCause()} says so when it does not. The loop owns its epoll instance
 * and closes it in {@link #close()}. Threading and every other rule are {@link dev.asyncloop.spi.BaseEventLoop}'s.
 *
 * <p>With native access ({@code --enable-native-access=ALL-UNNAMED}, {@code =dev.asyncloop.epoll} on the module
 * path) the loop's stream transports read into a heap buffer (what {@code dataReceived} receives; a
 * {@code BufferedProtocol}'s heap buffers are filled directly too) and send heap bytes ({@code write(byte[])}, heap
 * {@code ByteBuffer}s, what they queue) straight from the Java array, through critical foreign downcalls of
 * {@code recv(2)} and {@code send(2)}: no copy through direct memory. Without it they read into a direct buffer
 * and stage heap writes, as the NIO loop does. Behaviour is the same either way.
 */
public final class EpollEventLoop extends ReadinessEventLoop {
    /**
     * Opens a loop with a new epoll instance.
     *
     * @throws IllegalStateException if epoll is unavailable in this JVM (the message says why and what to do)
     * @throws UncheckedIOException if the kernel refuses the epoll or eventfd descriptor
     */
    public EpollEventLoop() {
        super(openPoller(), EpollHeapIo.create().orElse(null));
    }

    private static EpollPoller openPoller() {
        try {
            return new EpollPoller();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open an epoll instance for the event loop", e);
        }
    }
}
