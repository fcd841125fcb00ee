package dev.asyncloop.epoll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

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
}
