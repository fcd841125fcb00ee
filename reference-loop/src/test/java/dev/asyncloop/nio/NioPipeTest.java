package dev.asyncloop.nio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.asyncloop.Async;
import dev.asyncloop.Future;
import dev.asyncloop.PipeConnection;
import dev.asyncloop.Protocol;
import dev.asyncloop.Tasks;
import dev.asyncloop.WriteTransport;
import java.io.IOException;
import java.nio.channels.Pipe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The NIO loop's documented departure for pipes: a Selector cannot watch a pipe's write end for its reader going
 * away, so a write pipe whose read end closed while nothing was queued learns it at the next write.
 */
@Timeout(60)
class NioPipeTest {
    @Test
    @DisplayName("a write pipe whose read end closed while idle ends at the next write, with the broken pipe")
    void readerGoneSeenAtNextWrite() throws IOException {
        Pipe pipe = Pipe.open();
        List<Throwable> lostWith = new ArrayList<>();
        boolean[] lostBeforeWrite = new boolean[1];
        try (NioEventLoop loop = new NioEventLoop()) {
            Future<Void> lost = loop.createFuture();
            Protocol protocol = new Protocol() {
                @Override
                public void connectionLost(Throwable exception) {
                    lostWith.add(exception);
                    lost.setResult(null);
                }
            };
            loop.runUntilComplete(loop.createTask(() -> {
                PipeConnection<WriteTransport, Protocol> c = Async.await(loop.connectWritePipe(() -> protocol,
                        pipe.sink()));
                pipe.source().close();
                Async.sleep(Duration.ofMillis(50));
                lostBeforeWrite[0] = lost.isDone();
                c.transport().write(new byte[] {1});
                Tasks.waitFor(lost, Duration.ofSeconds(5));
                return null;
            }));
        } finally {
            pipe.source().close();
            pipe.sink().close();
        }
        assertFalse(lostBeforeWrite[0], "the Selector loop saw the reader go away without a write; if it now can,"
                + " update docs/architecture.md (pipes) and this test");
        assertEquals(1, lostWith.size(), "connectionLost calls: " + lostWith);
        assertInstanceOf(IOException.class, lostWith.getFirst(), "connectionLost's exception");
        assertFalse(pipe.sink().isOpen(), "the write end is open after connectionLost");
    }
}
