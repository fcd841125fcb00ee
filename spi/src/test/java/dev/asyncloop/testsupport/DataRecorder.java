package dev.asyncloop.testsupport;

import dev.asyncloop.EventLoop;
import dev.asyncloop.StreamTransport;
import java.nio.ByteBuffer;

/**
 * A {@link RecordingStreamProtocol} on a stream transport that records each {@code dataReceived} as {@code "data"}
 * and keeps its bytes, and answers {@code eofReceived} with false (the transport closes itself) unless
 * {@linkplain #keepOpenAfterEof() told} to keep the connection open. Its methods run on the loop's thread.
 */
public class DataRecorder extends RecordingStreamProtocol<StreamTransport> {
    private boolean keepOpen;

    /**
     * A recorder on {@code loop}.
     *
     * @param loop the loop whose future {@link #lost()} is
     */
    public DataRecorder(EventLoop loop) {
        super(loop, StreamTransport.class);
    }

    /**
     * From now on {@code eofReceived} returns true: the transport stays open for writing after the peer's EOF.
     *
     * @return this recorder
     */
    public final DataRecorder keepOpenAfterEof() {
        keepOpen = true;
        return this;
    }

    /** Records "data" and keeps the bytes. */
    @Override
    public void dataReceived(ByteBuffer data) {
        record("data");
        byte[] b = new byte[data.remaining()];
        data.get(b);
        keep(b);
    }

    /** Records "eof" as {@link RecordingStreamProtocol} does; returns whether to keep the connection open. */
    @Override
    public boolean eofReceived() {
        super.eofReceived();
        return keepOpen;
    }
}
