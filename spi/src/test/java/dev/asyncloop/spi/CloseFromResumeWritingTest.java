package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.asyncloop.PipeConnection;
import dev.asyncloop.WriteTransport;
import dev.asyncloop.testsupport.Drain;
import dev.asyncloop.testsupport.LoopWaits;
import dev.asyncloop.testsupport.RecordingStreamProtocol;
import java.nio.channels.Pipe;
import java.nio.channels.ReadableByteChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A protocol that closes (or aborts) its transport from {@code resumeWriting}, called as the write buffer has
 * just been sent completely (low mark 0), gets exactly one {@code connectionLost}: the transport's writer must not
 * end the connection a second time after the callback already did.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CloseFromResumeWritingTest extends LoopbackPeerFixture {
    private static final int BIG = 16 << 20; // more than loopback's socket buffers take when nobody reads

    /** Ends its transport from resumeWriting; records the calls. */
    static final class EndsOnResume extends RecordingStreamProtocol<WriteTransport> {
        final boolean abort;

        EndsOnResume(ReadinessEventLoop loop, boolean abort) {
            super(loop, WriteTransport.class);
            this.abort = abort;
        }

        @Override
        public void resumeWriting() {
            super.resumeWriting();
            if (abort) {
                transport().abort();
            } else {
                transport().close();
            }
        }
    }

    private void fillThenDrain(EndsOnResume protocol, ReadableByteChannel peer) throws Exception {
        protocol.transport().setWriteBufferLimits(0, 0);
        protocol.transport().write(new byte[BIG]);
        assertEquals(List.of("made", "pause"), protocol.events(), "the buffer holds the rest: paused");
        Thread reader = Drain.inBackground("drain", peer);
        await(protocol.lost());
        LoopWaits.settle(loop, Duration.ofMillis(20)); // a second one?
        reader.join(WAIT.toMillis());
        assertEquals(List.of("made", "pause", "resume", "lost"), protocol.events());
        assertEquals(List.of(), reports, "exception handler reports");
    }

    private void overSocket(boolean abort) throws Exception {
        collectReports();
        EndsOnResume protocol = new EndsOnResume(loop, abort);
        fillThenDrain(connectToPeer(protocol).protocol(), peer);
    }

    private void overPipe(boolean abort) throws Exception {
        collectReports();
        Pipe pipe = Pipe.open();
        toClose.add(pipe.source());
        pipe.sink().configureBlocking(false);
        EndsOnResume protocol = new EndsOnResume(loop, abort);
        PipeConnection<WriteTransport, EndsOnResume> c = loop.runUntilComplete(
                loop.connectWritePipe(() -> protocol, pipe.sink()));
        fillThenDrain(c.protocol(), pipe.source());
    }

    @Test
    void socketClosedFromResumeWriting() throws Exception {
        overSocket(false);
    }

    @Test
    void socketAbortedFromResumeWriting() throws Exception {
        overSocket(true);
    }

    @Test
    void pipeClosedFromResumeWriting() throws Exception {
        overPipe(false);
    }

    @Test
    void pipeAbortedFromResumeWriting() throws Exception {
        overPipe(true);
    }
}
