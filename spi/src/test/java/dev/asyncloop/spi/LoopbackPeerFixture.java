package dev.asyncloop.spi;

import dev.asyncloop.Connection;
import dev.asyncloop.ExceptionContext;
import dev.asyncloop.Future;
import dev.asyncloop.Protocol;
import dev.asyncloop.testsupport.LoopWaits;
import dev.asyncloop.testsupport.SocketPair;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/**
 * The fixture of the spi tests that drive one socket transport from a plain blocking channel: a loop on a selector,
 * {@link #peer} (the other end of the last connection), the exception handler's {@link #reports} once
 * {@link #collectReports()} is called, and {@link #toClose}, closed in reverse order after the loop at the end of
 * each test.
 */
abstract class LoopbackPeerFixture {
    /** The bound of every wait. */
    static final Duration WAIT = Duration.ofSeconds(10);

    final ReadinessEventLoop loop = SelectorLoops.newLoop();
    final List<ExceptionContext> reports = new ArrayList<>();
    final List<AutoCloseable> toClose = new ArrayList<>();
    SocketChannel peer;

    @AfterEach
    void closeLoopAndChannels() throws Exception {
        loop.close();
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
    }

    /** From now on the loop's exception handler adds what it gets to {@link #reports}. */
    void collectReports() {
        loop.setExceptionHandler((l, context) -> reports.add(context));
    }

    /** A new loopback connection, closed after the test: {@link #peer} is the accepted end; returns the other. */
    SocketChannel openPeer() throws IOException {
        SocketPair ends = SocketPair.open();
        toClose.add(ends);
        peer = ends.peer();
        return ends.ours();
    }

    /** Connects {@code protocol} on the loop to a new {@link #peer}. */
    <P extends Protocol> Connection<P> connectToPeer(P protocol) throws IOException {
        SocketChannel ours = openPeer();
        ours.configureBlocking(false);
        return loop.runUntilComplete(loop.connectAcceptedSocket(() -> protocol, ours));
    }

    /** Runs the loop until {@code future} is done, {@link #WAIT} at most. */
    <T> T await(Future<T> future) {
        return LoopWaits.await(loop, future, WAIT);
    }
}
