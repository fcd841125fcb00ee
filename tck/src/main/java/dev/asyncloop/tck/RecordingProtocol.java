package dev.asyncloop.tck;

import dev.asyncloop.EventLoop;
import dev.asyncloop.Future;
import dev.asyncloop.Protocol;
import dev.asyncloop.StreamTransport;
import dev.asyncloop.Transport;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A protocol that records every call, for the networking groups: {@code events} holds "made", "data",
 * "eof", "lost", "pause", "resume" in order; futures tell when each happened. Loop thread only.
 */
class RecordingProtocol implements Protocol {
    final EventLoop loop;
    final List<String> events = new ArrayList<>();
    final ByteArrayOutputStream data = new ByteArrayOutputStream();
    final Future<@Nullable Void> made;
    final Future<@Nullable Void> eof;
    final Future<@Nullable Throwable> lost;
    StreamTransport transport;
    boolean keepOpenOnEof;
    boolean echo;
    /** Run inside {@code resumeWriting}, after it is recorded; null for nothing. */
    @Nullable Runnable onResume;
    private int waitingFor = -1;
    private @Nullable Future<@Nullable Void> enough;

    RecordingProtocol(EventLoop loop) {
        this.loop = loop;
        this.made = loop.createFuture();
        this.eof = loop.createFuture();
        this.lost = loop.createFuture();
    }

    /** A future done once {@code n} bytes in total have arrived. */
    Future<@Nullable Void> received(int n) {
        enough = loop.createFuture();
        waitingFor = n;
        check();
        return enough;
    }

    private void check() {
        if (enough != null && !enough.isDone() && data.size() >= waitingFor) {
            enough.setResult(null);
        }
    }

    @Override
    public void connectionMade(Transport transport) {
        events.add("made");
        this.transport = (StreamTransport) transport;
        made.setResult(null);
    }

    @Override
    public void dataReceived(ByteBuffer bytes) {
        if (!events.isEmpty() && !events.getLast().equals("data")) {
            events.add("data");
        } else if (events.isEmpty()) {
            events.add("data");
        }
        byte[] copy = new byte[bytes.remaining()];
        bytes.get(copy);
        data.writeBytes(copy);
        if (echo) {
            transport.write(copy);
        }
        check();
    }

    @Override
    public boolean eofReceived() {
        events.add("eof");
        eof.setResult(null);
        return keepOpenOnEof;
    }

    @Override
    public void connectionLost(@Nullable Throwable exception) {
        events.add("lost");
        if (lost.isDone()) {
            events.add("lost-again");
            return;
        }
        lost.setResult(exception);
    }

    @Override
    public void pauseWriting() {
        events.add("pause");
    }

    @Override
    public void resumeWriting() {
        events.add("resume");
        if (onResume != null) {
            onResume.run();
        }
    }

    String text() {
        return data.toString(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
