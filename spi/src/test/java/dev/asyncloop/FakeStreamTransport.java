package dev.asyncloop;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A stream transport for the streams tests: records pause/resume calls and writes, and does nothing else. */
final class FakeStreamTransport implements StreamTransport {
    /** "pause" and "resume", in call order. */
    final List<String> calls = new ArrayList<>();
    /** What was written, one string (ASCII) per write. */
    final List<String> writes = new ArrayList<>();
    /** When false, pauseReading throws UnsupportedOperationException (after recording the call). */
    boolean canPause = true;
    boolean reading = true;
    boolean closing;

    @Override
    public void pauseReading() {
        calls.add("pause");
        if (!canPause) {
            throw new UnsupportedOperationException("cannot pause");
        }
        reading = false;
    }

    @Override
    public void resumeReading() {
        calls.add("resume");
        reading = true;
    }

    @Override
    public boolean isReading() {
        return reading;
    }

    @Override
    public void write(ByteBuffer data) {
        byte[] x = new byte[data.remaining()];
        data.get(x);
        writes.add(new String(x, StandardCharsets.US_ASCII));
    }

    @Override
    public void writeEof() {
    }

    @Override
    public boolean canWriteEof() {
        return true;
    }

    @Override
    public void abort() {
        closing = true;
    }

    @Override
    public void setWriteBufferLimits(Integer high, Integer low) {
    }

    @Override
    public int getWriteBufferHighWater() {
        return 0;
    }

    @Override
    public int getWriteBufferLowWater() {
        return 0;
    }

    @Override
    public int getWriteBufferSize() {
        return 0;
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
    public void setProtocol(Protocol protocol) {
    }

    @Override
    public Protocol getProtocol() {
        return null;
    }
}
