package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.asyncloop.ExceptionContext;
import dev.asyncloop.ReadTransport;
import dev.asyncloop.testsupport.RecordingStreamProtocol;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link InputStreamTransport} (a child's stdout or stderr) with a protocol whose callbacks throw, as one an
 * application sets with {@code getPipeTransport(fd).setProtocol(...)} may: each failure goes to the exception
 * handler, naming the callback and the transport, and the transport goes on to its end as the socket transports
 * do. And a read error ends it with that error.
 */
class InputStreamTransportFailureTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final ReadinessEventLoop loop = SelectorLoops.newLoop();
    private final List<ExceptionContext> reports = new ArrayList<>();

    InputStreamTransportFailureTest() {
        loop.setExceptionHandler((l, c) -> reports.add(c));
    }

    @AfterEach
    void close() {
        loop.close();
    }

    @Test
    @DisplayName("a throwing dataReceived is reported for each chunk; the next chunks, eof and lost still come")
    void dataReceivedThrows() {
        Failing protocol = new Failing(Set.of("data"));
        InputStreamTransport t = start(new Chunks("one", "two"), protocol);
        assertNull(protocol.awaitLost(loop, WAIT));
        assertEquals(List.of("made", "data one", "data two", "eof", "lost"), protocol.events());
        assertEquals(List.of("protocol.dataReceived() failed", "protocol.dataReceived() failed"),
                reports.stream().map(ExceptionContext::message).toList());
        assertSame(protocol.thrown.get(0), reports.get(0).exception().orElseThrow());
        assertSame(t, reports.get(0).transport().orElseThrow());
        assertSame(protocol, reports.get(0).protocol().orElseThrow());
    }

    @Test
    @DisplayName("a throwing eofReceived is reported; connectionLost(null) still comes, once")
    void eofReceivedThrows() {
        Failing protocol = new Failing(Set.of("eof"));
        start(new Chunks("only"), protocol);
        assertNull(protocol.awaitLost(loop, WAIT));
        assertEquals(List.of("made", "data only", "eof", "lost"), protocol.events());
        assertEquals(1, protocol.lostCalls());
        assertEquals(List.of("protocol.eofReceived() failed"), reports.stream().map(ExceptionContext::message).toList());
    }

    @Test
    @DisplayName("a throwing connectionLost is reported, and the loop goes on")
    void connectionLostThrows() {
        Failing protocol = new Failing(Set.of("lost"));
        start(new Chunks(), protocol);
        assertNull(protocol.awaitLost(loop, WAIT));
        assertEquals(List.of("made", "eof", "lost"), protocol.events());
        assertEquals(List.of("protocol.connectionLost() failed"),
                reports.stream().map(ExceptionContext::message).toList());
        assertEquals("after", loop.runUntilComplete(() -> "after"));
    }

    @Test
    @DisplayName("a read error ends the transport: connectionLost gets that error, no eofReceived, nothing reported")
    void readErrorIsTheLoss() {
        Failing protocol = new Failing(Set.of());
        IOException broken = new IOException("pipe broke");
        start(new Chunks("first").thenFail(broken), protocol);
        assertSame(broken, protocol.awaitLost(loop, WAIT));
        assertEquals(List.of("made", "data first", "lost"), protocol.events());
        assertEquals(List.of(), reports);
    }

    private InputStreamTransport start(InputStream in, Failing protocol) {
        InputStreamTransport t = new InputStreamTransport(loop, in, protocol, "test-stdout", () -> { });
        loop.runUntilComplete(() -> {
            protocol.connectionMade(t);
            t.start();
            return null;
        });
        return t;
    }

    /** Records every callback, then throws from the ones named. */
    private final class Failing extends RecordingStreamProtocol<ReadTransport> {
        private final Set<String> throwing;
        final List<RuntimeException> thrown = new ArrayList<>();

        Failing(Set<String> throwing) {
            super(loop, ReadTransport.class);
            this.throwing = throwing;
        }

        private void maybeThrow(String callback) {
            if (throwing.contains(callback)) {
                RuntimeException e = new IllegalStateException(callback + " failed on purpose");
                thrown.add(e);
                throw e;
            }
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            record("data " + StandardCharsets.UTF_8.decode(data));
            maybeThrow("data");
        }

        @Override
        public boolean eofReceived() {
            super.eofReceived();
            maybeThrow("eof");
            return false;
        }

        @Override
        public void connectionLost(@Nullable Throwable exception) {
            super.connectionLost(exception);
            maybeThrow("lost");
        }
    }

    /** Returns one chunk per read, then the end, or the failure set with {@link #thenFail}. */
    private static final class Chunks extends InputStream {
        private final Deque<byte[]> chunks = new ArrayDeque<>();
        private @Nullable IOException failure;

        Chunks(String... chunks) {
            for (String c : chunks) {
                this.chunks.add(c.getBytes(StandardCharsets.UTF_8));
            }
        }

        Chunks thenFail(IOException e) {
            failure = e;
            return this;
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) throws IOException {
            byte[] next = chunks.poll();
            if (next != null) {
                System.arraycopy(next, 0, b, off, next.length);
                return next.length;
            }
            if (failure != null) {
                throw failure;
            }
            return -1;
        }

        @Override
        public int read() {
            throw new UnsupportedOperationException("reads go through read(byte[], int, int)");
        }
    }
}
