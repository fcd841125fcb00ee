package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.asyncloop.Future;
import dev.asyncloop.Protocol;
import dev.asyncloop.Transport;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The pump of a process's output: a read error after the child ended is the JDK closing the pipe under the pump
 * while it drains what was left (ProcessImpl's processExited); the pump reads again and gets those bytes and
 * the end, where a read error of a live source ends the transport with that error.
 */
class InputStreamTransportTest {
    private final ReadinessEventLoop loop = SelectorLoops.newLoop();

    @AfterEach
    void close() {
        loop.close();
    }

    /** Fails its first read with "Stream Closed", then serves {@code rest}, as a drained process pipe does. */
    private static InputStream closedUnderTheReader(String rest) {
        return new InputStream() {
            private boolean failed;
            private final InputStream drained = new ByteArrayInputStream(rest.getBytes(StandardCharsets.US_ASCII));

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0];
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (!failed) {
                    failed = true;
                    throw new IOException("Stream Closed");
                }
                return drained.read(b, off, len);
            }
        };
    }

    private List<Object> pump(InputStream in, boolean sourceEnded) {
        List<Object> events = new ArrayList<>();
        Future<Void> lost = loop.createFuture();
        InputStreamTransport t = new InputStreamTransport(loop, in, new Protocol() {
            @Override
            public void connectionMade(Transport transport) {
            }

            @Override
            public void dataReceived(ByteBuffer data) {
                events.add(StandardCharsets.US_ASCII.decode(data).toString());
            }

            @Override
            public boolean eofReceived() {
                events.add("eof");
                return false;
            }

            @Override
            public void connectionLost(Throwable exception) {
                events.add(exception == null ? "lost" : exception);
                lost.setResult(null);
            }
        }, "test", () -> { }, () -> sourceEnded);
        loop.callSoon(t::start);
        loop.runUntilComplete(lost);
        return events;
    }

    @Test
    void aReadErrorAfterTheSourceEndedIsRetriedAndTheDrainedBytesArrive() {
        assertEquals(List.of("straggler", "eof", "lost"), pump(closedUnderTheReader("straggler"), true));
    }

    @Test
    void aReadErrorOfALiveSourceEndsTheTransportWithIt() {
        List<Object> events = pump(closedUnderTheReader("never read"), false);
        assertEquals(1, events.size(), events::toString);
        assertEquals("Stream Closed", assertInstanceOf(IOException.class, events.getFirst()).getMessage());
    }
}
