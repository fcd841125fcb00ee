package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.Async;
import dev.asyncloop.ExceptionContext;
import dev.asyncloop.Protocol;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * asyncio's {@code _accept_connection} on a resource error (EMFILE and the like): the error is reported, accepting
 * pauses, and resumes after the retry delay unless the server was closed meanwhile. A scripted poller and a
 * listening channel whose {@code accept} fails stand in for a process out of descriptors.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ServerAcceptErrorTest {
    private final FakePoller fake = new FakePoller();
    private final ReadinessEventLoop loop = new ReadinessEventLoop(fake) { };
    private final List<ExceptionContext> reports = new ArrayList<>();
    private final FailingListener listener = new FailingListener();

    @AfterEach
    void tearDown() {
        loop.close();
    }

    /** A listening channel whose every {@code accept} fails as a process out of descriptors does. */
    static final class FailingListener extends ServerSocketChannel {
        final IOException error = new IOException("Too many open files");
        int accepts;

        FailingListener() {
            super(SelectorProvider.provider());
        }

        @Override
        public SocketChannel accept() throws IOException {
            accepts++;
            throw error;
        }

        @Override
        public ServerSocketChannel bind(SocketAddress local, int backlog) {
            throw new UnsupportedOperationException();
        }

        @Override
        public <T> ServerSocketChannel setOption(SocketOption<T> name, T value) {
            throw new UnsupportedOperationException();
        }

        @Override
        public <T> T getOption(SocketOption<T> name) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Set<SocketOption<?>> supportedOptions() {
            return Set.of();
        }

        @Override
        public ServerSocket socket() {
            throw new UnsupportedOperationException();
        }

        @Override
        public SocketAddress getLocalAddress() {
            return null;
        }

        @Override
        protected void implCloseSelectableChannel() {
        }

        @Override
        protected void implConfigureBlocking(boolean block) {
        }
    }

    private ReadinessServer serving() {
        loop.setExceptionHandler((l, ctx) -> reports.add(ctx));
        ReadinessServer server = new ReadinessServer(loop, () -> new Protocol() { }, List.of(listener), 100, false);
        server.startServing();
        assertTrue(fake.attachments.containsKey(listener), "startServing() watches the listening socket");
        fake.emit(listener, Poller.READ);
        loop.stop();
        loop.runForever();
        return server;
    }

    private void sleepPastTheRetryDelay() {
        loop.runUntilComplete(() -> {
            Async.sleep(Duration.ofMillis(1100));
            return null;
        });
    }

    @Test
    void resourceErrorIsReportedAndAcceptingPausesThenResumes() {
        ReadinessServer server = serving();
        assertEquals(1, listener.accepts, "one failed accept ends the batch");
        assertEquals(1, reports.size(), reports.toString());
        assertSame(listener.error, reports.getFirst().exception().orElseThrow());
        assertSame(listener, reports.getFirst().socket().orElseThrow());
        assertFalse(fake.attachments.containsKey(listener), "accepting is paused after the error");
        assertTrue(server.isServing(), "the server still counts as serving while paused");
        sleepPastTheRetryDelay();
        assertTrue(fake.attachments.containsKey(listener), "accepting resumes after the retry delay");
        server.close();
    }

    @Test
    void serverClosedDuringThePauseIsNotWatchedAgain() {
        ReadinessServer server = serving();
        server.close();
        sleepPastTheRetryDelay();
        assertFalse(fake.attachments.containsKey(listener), "a closed server's socket was watched again");
        assertFalse(listener.isOpen());
    }
}
