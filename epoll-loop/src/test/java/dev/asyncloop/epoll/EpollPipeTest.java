package dev.asyncloop.epoll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.Async;
import dev.asyncloop.Future;
import dev.asyncloop.Protocol;
import dev.asyncloop.Tasks;
import java.io.IOException;
import java.nio.channels.Pipe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the epoll loop does better than a Selector for pipes: it sees the reader of a write pipe go away while
 * nothing is queued, as asyncio does, instead of at the next write.
 */
@Timeout(60)
class EpollPipeTest {
    @Test
    @DisplayName("a write pipe whose read end closes while idle gets connectionLost(null) without any write")
    void readerGoneSeenWithoutWrite() throws IOException {
        Pipe pipe = Pipe.open();
        List<Object> lostWith = new ArrayList<>();
        try (EpollEventLoop loop = new EpollEventLoop()) {
            Future<Void> lost = loop.createFuture();
            Protocol protocol = new Protocol() {
                @Override
                public void connectionLost(Throwable exception) {
                    lostWith.add(exception == null ? "null" : exception);
                    lost.setResult(null);
                }
            };
            loop.runUntilComplete(loop.createTask(() -> {
                Async.await(loop.connectWritePipe(() -> protocol, pipe.sink()));
                pipe.source().close();
                Tasks.waitFor(lost, Duration.ofSeconds(5));
                Async.sleep(Duration.ofMillis(20));
                return null;
            }));
        } finally {
            pipe.source().close();
            pipe.sink().close();
        }
        assertEquals(List.of("null"), lostWith, "connectionLost calls after the read end closed");
        assertFalse(pipe.sink().isOpen(), "the write end is open after connectionLost");
    }

    @Test
    @DisplayName("in debug mode, the reader's departure is logged (asyncio: \"%r was closed by peer\")")
    void readerGoneLoggedInDebugMode() throws IOException {
        java.util.logging.Logger jul = java.util.logging.Logger.getLogger("dev.asyncloop");
        List<String> records = new ArrayList<>();
        java.util.logging.Handler handler = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                records.add(r.getLevel() + " " + r.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        jul.addHandler(handler);
        Pipe pipe = Pipe.open();
        try (EpollEventLoop loop = new EpollEventLoop()) {
            loop.setDebug(true);
            Future<Void> lost = loop.createFuture();
            Protocol protocol = new Protocol() {
                @Override
                public void connectionLost(Throwable exception) {
                    lost.setResult(null);
                }
            };
            String transport = loop.runUntilComplete(loop.createTask(() -> {
                String name = Async.await(loop.connectWritePipe(() -> protocol, pipe.sink())).transport().toString();
                pipe.source().close();
                Tasks.waitFor(lost, Duration.ofSeconds(5));
                return name;
            }));
            assertTrue(records.contains("INFO " + transport + " was closed by peer"), records.toString());
        } finally {
            jul.removeHandler(handler);
            pipe.source().close();
            pipe.sink().close();
        }
    }
}
