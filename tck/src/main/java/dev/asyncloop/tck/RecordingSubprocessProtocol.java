package dev.asyncloop.tck;

import dev.asyncloop.EventLoop;
import dev.asyncloop.Future;
import dev.asyncloop.SubprocessProtocol;
import dev.asyncloop.SubprocessTransport;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.jspecify.annotations.Nullable;

/**
 * A subprocess protocol that records every call, for the subprocess group: {@code events} holds "made",
 * "data1", "data2" (consecutive chunks of one pipe count once), "pipeLost0/1/2", "exited", "lost", "pause",
 * "resume" in order; futures tell when each happened. Loop thread only.
 */
class RecordingSubprocessProtocol implements SubprocessProtocol {
    final EventLoop loop;
    final List<String> events = new ArrayList<>();
    final ByteArrayOutputStream[] data = {null, new ByteArrayOutputStream(), new ByteArrayOutputStream()};
    final Future<SubprocessTransport> made;
    final Future<OptionalInt> exited;
    final Future<@Nullable Void> lost;
    /** "fd:exception" for each pipe lost with an error. */
    final List<String> pipeErrors = new ArrayList<>();
    SubprocessTransport transport;
    /** Run inside connectionMade, before the pumps start (e.g. to pause a pipe). */
    Runnable onMade = () -> { };
    /** Run inside processExited. */
    Runnable onExited = () -> { };
    private final Future<@Nullable Void>[] pipeLost;

    @SuppressWarnings("unchecked")
    RecordingSubprocessProtocol(EventLoop loop) {
        this.loop = loop;
        this.made = loop.createFuture();
        this.exited = loop.createFuture();
        this.lost = loop.createFuture();
        this.pipeLost = new Future[] {loop.createFuture(), loop.createFuture(), loop.createFuture()};
    }

    Future<@Nullable Void> pipeLost(int fd) {
        return pipeLost[fd];
    }

    byte[] bytes(int fd) {
        return data[fd].toByteArray();
    }

    String text(int fd) {
        return data[fd].toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    long count(String event) {
        return events.stream().filter(event::equals).count();
    }

    @Override
    public void connectionMade(SubprocessTransport transport) {
        events.add("made");
        this.transport = transport;
        onMade.run();
        if (!made.isDone()) {
            made.setResult(transport);
        }
    }

    @Override
    public void pipeDataReceived(int fd, ByteBuffer bytes) {
        String e = "data" + fd;
        if (events.isEmpty() || !events.getLast().equals(e)) {
            events.add(e);
        }
        byte[] copy = new byte[bytes.remaining()];
        bytes.get(copy);
        data[fd].writeBytes(copy);
    }

    @Override
    public void pipeConnectionLost(int fd, @Nullable Throwable exception) {
        events.add("pipeLost" + fd);
        if (exception != null) {
            pipeErrors.add(fd + ":" + exception);
        }
        if (!pipeLost[fd].isDone()) {
            pipeLost[fd].setResult(null);
        }
    }

    @Override
    public void processExited() {
        events.add("exited");
        onExited.run();
        if (!exited.isDone()) {
            exited.setResult(transport == null ? OptionalInt.empty() : transport.returnCode());
        }
    }

    @Override
    public void connectionLost(@Nullable Throwable exception) {
        events.add("lost");
        if (!lost.isDone()) {
            lost.setResult(null);
        }
    }

    @Override
    public void pauseWriting() {
        events.add("pause");
    }

    @Override
    public void resumeWriting() {
        events.add("resume");
    }
}
