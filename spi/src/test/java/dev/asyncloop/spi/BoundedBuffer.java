package dev.asyncloop.spi;

import dev.asyncloop.BufferedProtocol;
import dev.asyncloop.StreamTransport;
import dev.asyncloop.Transport;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A buffered protocol with a bounded buffer that pauses reading when the buffer is full (the usual back pressure of
 * a {@code BufferedProtocol}); the test drains it with {@link #drain()} and resumes the transport. Loop thread only.
 */
final class BoundedBuffer implements BufferedProtocol {
    final ByteBuffer buffer;
    final ByteArrayOutputStream data = new ByteArrayOutputStream();
    final List<String> events = new ArrayList<>();
    @Nullable StreamTransport transport;
    @Nullable Throwable lostWith;
    /** How many updates came while reading was paused (asyncio hands on nothing then: must stay 0). */
    int updatesWhilePaused;

    BoundedBuffer(int capacity) {
        buffer = ByteBuffer.allocate(capacity);
    }

    @Override
    public void connectionMade(Transport t) {
        transport = (StreamTransport) t;
        events.add("made");
    }

    @Override
    public ByteBuffer getBuffer(int sizeHint) {
        return buffer;
    }

    @Override
    public void bufferUpdated(int nbytes) {
        StreamTransport t = Objects.requireNonNull(transport);
        if (!t.isReading()) {
            updatesWhilePaused++;
        }
        if (!buffer.hasRemaining()) {
            t.pauseReading();
        }
    }

    /** Moves what the buffer holds into {@link #data} and empties it. */
    void drain() {
        data.write(buffer.array(), 0, buffer.position());
        buffer.clear();
    }

    @Override
    public boolean eofReceived() {
        events.add("eof");
        return false;
    }

    @Override
    public void connectionLost(@Nullable Throwable exception) {
        lostWith = exception;
        events.add("lost");
    }
}
