package dev.asyncloop.testsupport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * Two connected TCP channels over the loopback interface on an ephemeral port, both blocking: {@code ours}, the
 * end a test hands to the loop (after {@code configureBlocking(false)}), and {@code peer}, the accepted end the
 * test drives itself. The listener is closed once the peer is accepted.
 *
 * @param ours the connecting end
 * @param peer the accepted end
 */
public record SocketPair(SocketChannel ours, SocketChannel peer) implements AutoCloseable {
    /**
     * A connected pair with the system's buffer sizes.
     *
     * @return the pair; the caller closes it (or hands its ends on)
     * @throws IOException if the loopback interface refuses
     */
    public static SocketPair open() throws IOException {
        try (ServerSocketChannel listener = ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            SocketChannel ours = SocketChannel.open(listener.getLocalAddress());
            return new SocketPair(ours, listener.accept());
        }
    }

    /**
     * A connected pair with small kernel buffers, set before the connection is made so that they hold: the
     * transport's own buffer and flow control then take the load.
     *
     * @param peerReceiveBuffer the accepted end's {@code SO_RCVBUF}
     * @param oursSendBuffer the connecting end's {@code SO_SNDBUF}
     * @return the pair; the caller closes it (or hands its ends on)
     * @throws IOException if the loopback interface refuses
     */
    public static SocketPair withBuffers(int peerReceiveBuffer, int oursSendBuffer) throws IOException {
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.setOption(StandardSocketOptions.SO_RCVBUF, peerReceiveBuffer);
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            SocketChannel ours = SocketChannel.open();
            ours.setOption(StandardSocketOptions.SO_SNDBUF, oursSendBuffer);
            ours.connect(listener.getLocalAddress());
            return new SocketPair(ours, listener.accept());
        }
    }

    /** Closes both ends (closing an end the loop already closed does nothing). */
    @Override
    public void close() throws IOException {
        try (peer) {
            ours.close();
        }
    }
}
