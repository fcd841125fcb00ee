package dev.asyncloop.testsupport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/** Reads a blocking channel to its end and throws the bytes away: a peer that only keeps the connection moving. */
public final class Drain {
    private Drain() {
    }

    /**
     * Reads {@code channel} until EOF on the calling thread.
     *
     * @param channel a blocking channel; left open
     * @return how many bytes it read
     * @throws IOException if a read fails (a reset, for one)
     */
    public static long untilEof(ReadableByteChannel channel) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        long total = 0;
        for (int n; (n = channel.read(buf.clear())) >= 0; ) {
            total += n;
        }
        return total;
    }

    /**
     * Starts a platform thread named {@code name} that reads {@code channel} until EOF or a failed read (an aborted
     * peer resets the connection: what was sent is not the point of a drain) and then closes it.
     *
     * @param name the thread's name
     * @param channel a blocking channel; the thread closes it
     * @return the started thread, for the test to join
     */
    public static Thread inBackground(String name, ReadableByteChannel channel) {
        return Thread.ofPlatform().name(name).start(() -> {
            try (channel) {
                untilEof(channel);
            } catch (IOException ignored) {
                // a reset ends the drain too
            }
        });
    }
}
