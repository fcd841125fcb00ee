package dev.asyncloop.spi;

import dev.asyncloop.Future;
import dev.asyncloop.Protocol;
import dev.asyncloop.StreamTransport;
import dev.asyncloop.Transport;
import java.io.IOException;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import org.jspecify.annotations.Nullable;

/**
 * asyncio's {@code loop.sendfile}: the zero-copy path for the loop's own socket transports, the read-and-write
 * fallback for any other transport. Loop thread only.
 */
final class Sendfile {
    static final int FALLBACK_BLOCK = 16 * 1024;

    private Sendfile() {
    }

    static void checkRange(long offset, long count) {
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be at least 0, got " + offset);
        }
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1 (Long.MAX_VALUE for the whole rest),"
                    + " got " + count);
        }
    }

    /** asyncio's {@code _sendfile_native}: drain the transport, pause reading, transfer, restore. */
    static Future<Long> nativeTransfer(ReadinessEventLoop loop, SocketTransport transport, FileChannel file,
            long offset, long count) {
        return loop.createTask(() -> {
            boolean resumeReading = transport.isReading();
            transport.pauseReading();
            Future<@Nullable Void> empty = transport.makeEmptyWaiter();
            try {
                ReadinessEventLoop.awaitChecked(empty);
                Future<Long> sending = loop.sendfileNative(transport.channel(), file, offset, count);
                transport.transferStarted(sending);
                return ReadinessEventLoop.awaitChecked(sending);
            } finally {
                transport.resetEmptyWaiter();
                if (resumeReading) {
                    transport.resumeReading();
                }
            }
        }, "sendfile");
    }

    /** asyncio's {@code _sendfile_fallback}: read blocks on the default executor, write them with flow control. */
    static Future<Long> fallback(BaseEventLoop loop, StreamTransport transport, FileChannel file, long offset,
            long count) {
        return loop.createTask(() -> {
            FallbackProtocol proto = new FallbackProtocol(loop, transport);
            long total = 0;
            try {
                ByteBuffer block = ByteBuffer.allocate((int) Math.min(count, FALLBACK_BLOCK));
                while (total < count) {
                    int want = (int) Math.min(block.capacity(), count - total);
                    block.clear().limit(want);
                    long at = offset + total;
                    int n = ReadinessEventLoop.awaitChecked(loop.runInExecutor(null, () -> file.read(block, at)));
                    if (n <= 0) {
                        break;
                    }
                    proto.drain();
                    block.flip();
                    transport.write(block);
                    total += n;
                }
                return total;
            } finally {
                if (total > 0) {
                    file.position(offset + total);
                }
                proto.restore();
            }
        }, "sendfile(fallback)");
    }

    /**
     * asyncio's {@code _SendfileFallbackProtocol}: stands in for the transport's protocol while the fallback
     * writes, turning pause/resume into a drain future; hands {@code connectionLost} on to the original.
     */
    static final class FallbackProtocol implements Protocol {
        private final BaseEventLoop loop;
        private final StreamTransport transport;
        private final Protocol original;
        private final boolean shouldResumeReading;
        private final boolean shouldResumeWriting;
        private @Nullable Future<@Nullable Void> writeReady;

        FallbackProtocol(BaseEventLoop loop, StreamTransport transport) {
            this.loop = loop;
            this.transport = transport;
            this.original = transport.getProtocol();
            this.shouldResumeReading = transport.isReading();
            this.shouldResumeWriting = transport instanceof SocketTransport st ? st.isProtocolPaused()
                    : transport.getWriteBufferSize() > transport.getWriteBufferHighWater();
            transport.pauseReading();
            transport.setProtocol(this);
            if (shouldResumeWriting) {
                writeReady = loop.createFuture();
            }
        }

        /** Inside a task: waits until the transport accepts more data. */
        void drain() throws Exception {
            if (transport.isClosing()) {
                throw new SocketException("Connection closed by peer");
            }
            Future<@Nullable Void> f = writeReady;
            if (f != null) {
                ReadinessEventLoop.awaitChecked(f);
            }
        }

        @Override
        public void connectionMade(Transport t) {
            throw new IllegalStateException("Invalid state: connection should have been established already.");
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            throw new IllegalStateException("Invalid state: reading should be paused during sendfile");
        }

        @Override
        public boolean eofReceived() {
            throw new IllegalStateException("Invalid state: reading should be paused during sendfile");
        }

        @Override
        public void pauseWriting() {
            if (writeReady == null) {
                writeReady = loop.createFuture();
            }
        }

        @Override
        public void resumeWriting() {
            Future<@Nullable Void> f = writeReady;
            writeReady = null;
            if (f != null && !f.isDone()) {
                f.setResult(null);
            }
        }

        @Override
        public void connectionLost(@Nullable Throwable exception) {
            Future<@Nullable Void> f = writeReady;
            if (f != null && !f.isDone()) {
                f.setException(exception != null ? exception : new SocketException("Connection is closed by peer"));
            }
            original.connectionLost(exception);
        }

        void restore() throws IOException {
            transport.setProtocol(original);
            if (shouldResumeReading) {
                transport.resumeReading();
            }
            Future<@Nullable Void> f = writeReady;
            writeReady = null;
            if (f != null && !f.isDone()) {
                f.cancel();
            }
            if (shouldResumeWriting) {
                original.resumeWriting();
            }
        }
    }
}
