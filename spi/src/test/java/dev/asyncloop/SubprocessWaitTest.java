package dev.asyncloop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.OptionalInt;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link Subprocess#waitFor()} over a child transport the test controls: asyncio 3.15 (gh-119710) answers
 * {@code wait()} once the child exited, whatever its pipes do; the output still arrives after.
 */
class SubprocessWaitTest extends LoopFixture {

    /** A child with a stdout pipe: the test says when it exits and when the pipe ends. */
    private static final class FakeChild implements SubprocessTransport {
        final FakeStreamTransport stdout = new FakeStreamTransport();
        @Nullable Integer code;
        boolean closing;
        @Nullable SubprocessProtocol protocol;

        @Override
        public long pid() {
            return 4242;
        }

        @Override
        public OptionalInt returnCode() {
            return code == null ? OptionalInt.empty() : OptionalInt.of(code);
        }

        @Override
        public Optional<Transport> getPipeTransport(int fd) {
            return fd == SubprocessProtocol.STDOUT ? Optional.of(stdout) : Optional.empty();
        }

        @Override
        public void terminate() {
        }

        @Override
        public void kill() {
        }

        @Override
        public void sendSignal(String signal) {
        }

        @Override
        public void close() {
            closing = true;
        }

        @Override
        public boolean isClosing() {
            return closing;
        }

        @Override
        public Optional<Object> getExtraInfo(String key) {
            return Optional.empty();
        }

        @Override
        public void setProtocol(SubprocessProtocol protocol) {
            this.protocol = protocol;
        }

        @Override
        public SubprocessProtocol getProtocol() {
            if (protocol == null) {
                throw new IllegalStateException("no protocol yet");
            }
            return protocol;
        }
    }

    @Test
    @DisplayName("waitFor() is done at the exit while stdout is still open (a grandchild holds it); the output"
            + " that comes later is read to its end")
    void waitForAnswersAtTheExit() {
        FakeChild child = new FakeChild();
        SubprocessStreamProtocol protocol = new SubprocessStreamProtocol(loop, StreamReader.DEFAULT_LIMIT);
        child.setProtocol(protocol);
        protocol.connectionMade(child);
        Subprocess p = new Subprocess(loop, child, protocol);
        run(() -> {
            Future<Integer> waiting = p.waitFor();
            spin(1);
            assertFalse(waiting.isDone(), "the child runs");
            child.code = 3;
            protocol.processExited();
            assertEquals(3, Tasks.waitFor(waiting, java.time.Duration.ofSeconds(5)), "the exit, with the pipe still open");
            assertEquals(3, Async.await(p.waitFor()), "asked again");
            assertFalse(child.closing, "the transport stays open while a pipe does");
            protocol.pipeDataReceived(SubprocessProtocol.STDOUT, java.nio.ByteBuffer.wrap(new byte[] {'x'}));
            protocol.pipeConnectionLost(SubprocessProtocol.STDOUT, null);
            assertTrue(child.closing, "closed once the exit was seen and every pipe ended");
            protocol.connectionLost(null);
            assertEquals(1, Async.await(p.stdout().orElseThrow().read()).length);
            return null;
        });
    }
}
