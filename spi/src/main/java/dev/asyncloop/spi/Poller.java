package dev.asyncloop.spi;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;

/**
 * The readiness primitive under {@link ReadinessEventLoop}: watches channels for "readable" and "writable" and
 * reports them, level-triggered (a channel that stays ready is reported again by the next {@link #poll}).
 * A {@link java.nio.channels.Selector} is one; an epoll or kqueue loop writes its own.
 *
 * <p><b>Threads.</b> Everything is called on the loop thread only, except {@link #wakeup()}, which any thread
 * may call at any time, also concurrently with {@link #poll} and after {@link #close()}. The loop thread may be
 * a virtual thread: a poll must then wait without holding the carrier (a {@code Selector} parks; a native wait
 * would pin it).
 *
 * <p><b>Interest.</b> {@link #READ} means "readable, or for a server channel: a connection to accept";
 * {@link #WRITE} means "writable, or for a connecting socket: the connection attempt finished (successfully or
 * not)". Mapping these onto the primitive's own flags is the poller's job, and it depends on the channel's state
 * at each poll, not only at registration: a {@code WRITE} interest registered while a connect was pending stays
 * registered after the connect finished and must then report writability (a {@link java.nio.channels.Selector}
 * reports a pending connect only for {@code OP_CONNECT} and a connected socket's writability only for
 * {@code OP_WRITE}, so a Selector-based poller switches the key once the connect is done). The channels are server and
 * client sockets (TCP and Unix domain) and datagram channels of the loop's own, and whatever non-blocking
 * {@link SelectableChannel} the application hands to {@code addReader}/{@code addWriter} (a
 * {@link java.nio.channels.Pipe} end, for instance). An error or hang-up condition (a reset, a refused connect; {@code POLLERR}/{@code POLLHUP}
 * in {@code poll(2)} terms) is reported as every interest the channel has, so its reader or writer meets the
 * error on its next call. A write pipe transport registers its pipe's write end for {@link #READ} to learn that
 * the read end was closed (asyncio's trick): such a channel never becomes readable, only its error condition can
 * be reported. A poller that cannot watch a channel for an interest the channel does not offer (a
 * {@code Selector}: {@code validOps}) registers it without that interest and reports nothing for it.
 *
 * <p><b>Registration lifetime.</b> A channel is registered at most once at a time; the loop deregisters it
 * before registering it again, and may register it again right after {@link #deregister}, within the same
 * iteration (a Selector throws {@link java.nio.channels.CancelledKeyException} for a channel whose cancelled
 * key no select has flushed yet). The loop deregisters the channels of its own transports and servers before
 * closing them, but a channel the application closes while a reader, a writer or a pending {@code sock*}
 * operation is on it is closed without {@link #deregister}: a poller keyed by file descriptor must recognise a
 * descriptor the kernel reuses for a new channel, and must not report the closed one. Conversely a channel
 * closed right after {@link #deregister} must be released at once, also when the sink deregistered it and it is
 * closed after {@link #poll} returned: a Selector keeps the descriptor of a channel whose key is cancelled open
 * until its next select (a closed listening socket keeps accepting).
 *
 * <p><b>Errors.</b> An {@link IOException} from {@link #register} or {@link #modify} reaches the application
 * as an {@link java.io.UncheckedIOException} "the poller of LOOP cannot watch CHANNEL" (with this exception as
 * its cause) from whatever loop call watched the channel; one from {@link #poll} stops the loop. Any other
 * exception from {@link #register} or {@link #modify} breaks this contract; the loop passes it on as an
 * {@link IllegalStateException} naming the poller, the channel and the interest.
 *
 * <p><b>Closed channels.</b> A channel closed while registered, without {@link #deregister}, is no longer
 * reported, and the system may give its file descriptor to a new channel: registering that new channel must
 * work, its events go to its own attachment only, and a later {@link #deregister} of the closed channel leaves
 * it alone.
 *
 * <p><b>After {@link #close()}</b> {@link #register} and {@link #poll} throw {@link IllegalStateException};
 * {@link #modify} and {@link #deregister} do nothing; {@link #wakeup()} does nothing.
 *
 * <p><b>Testing.</b> {@code dev.asyncloop.tck.PollerContractSuite} (module {@code asyncloop-tck}) checks every
 * clause above on a poller alone (rules PC1.x); run it before the loop's conformance suite.
 */
public interface Poller extends AutoCloseable {
    /** Interest in readability (or a pending accept). */
    int READ = 1;
    /** Interest in writability (or a finished connect). */
    int WRITE = 4;

    /**
     * Starts watching {@code channel}.
     *
     * @param channel a non-blocking channel not registered with this poller
     * @param interest {@link #READ}, {@link #WRITE} or both, never 0
     * @param attachment what {@link EventSink#ready} receives for this channel
     * @throws ClosedChannelException if the channel is closed
     * @throws IOException if the primitive fails
     */
    void register(SelectableChannel channel, int interest, Object attachment) throws IOException;

    /**
     * Changes what a registered channel is watched for. For a channel closed since it was registered, do nothing
     * or throw {@link ClosedChannelException} (the loop's caller then gets an {@link IllegalArgumentException}
     * saying the channel is closed).
     *
     * @param channel a registered channel
     * @param interest the new interest, never 0
     * @throws ClosedChannelException if the channel was closed since it was registered and the poller says so
     * @throws IOException if the primitive fails
     */
    void modify(SelectableChannel channel, int interest) throws IOException;

    /**
     * Stops watching {@code channel}; no event for it is reported after this returns, even one the current
     * {@link #poll} has already collected. Does nothing for a channel that is not registered; a channel closed
     * while registered is forgotten, without an error.
     *
     * @param channel the channel
     */
    void deregister(SelectableChannel channel);

    /**
     * Waits for readiness and reports each ready channel once to {@code sink}, with the ready subset of its
     * interest. The sink may call {@link #modify} and {@link #deregister}, not {@link #register} or
     * {@link #close()}; they apply to what the same poll reports after them, also for a channel it has already
     * collected (reported with its new interest, or not at all). May return with nothing reported before the
     * timeout (a wake-up, a signal interrupting the system call); the caller polls again.
     *
     * <p>An interrupt of the calling thread is not an error: {@code poll} does not throw for it, returns by the next
     * {@link #wakeup()} at the latest (at once, as from a wake-up, or when the wait ends otherwise; a native wait
     * that an interrupt does not end may go on), and leaves the thread's interrupt status set. The loop relies on
     * that: it clears the status before each blocking poll and sets it again when its run ends (TCK L4.9), so a
     * poller that clears it (or catches an {@link InterruptedException} without interrupting the thread again)
     * loses the interrupt.
     *
     * @param timeoutNanos -1 to wait until an event or {@link #wakeup()}; 0 not to block; otherwise the longest
     *     wait, up to {@link Long#MAX_VALUE} (a primitive with coarser resolution rounds up, never down, and never
     *     to its own "forever": a Selector's {@code select(0)} and {@code poll(2)}'s 0 mean "block until an event"
     *     and "don't block" respectively, so 1 ns becomes 1 ms)
     * @param sink receives the events
     * @throws IOException if the primitive fails
     */
    void poll(long timeoutNanos, EventSink sink) throws IOException;

    /**
     * Makes a blocked {@link #poll} return, or the next one return at once, whatever {@link #register},
     * {@link #modify} or {@link #deregister} calls come before it. Wake-ups do not accumulate: the poll that
     * returns for them consumes all that came before it. Any thread; never throws, also after {@link #close()}.
     */
    void wakeup();

    /**
     * Releases the primitive and every descriptor of its own, whatever is still registered; idempotent.
     * Registered channels are not closed.
     *
     * @throws IOException if the primitive cannot be released
     */
    @Override
    void close() throws IOException;

    /** Receives the events of one {@link #poll}. */
    @FunctionalInterface
    interface EventSink {
        /**
         * A registered channel is ready.
         *
         * @param attachment what the channel was registered with
         * @param readyOps {@link #READ}, {@link #WRITE} or both
         */
        void ready(Object attachment, int readyOps);
    }
}
