package dev.asyncloop.testsupport;

import com.google.common.testing.NullPointerTester;
import dev.asyncloop.Context;
import dev.asyncloop.EventLoop;
import dev.asyncloop.Protocol;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Guava's {@link NullPointerTester} set up for a loop module's public API: a non-null default for each parameter
 * type its methods take (the loop itself, fresh unconnected channels, an open file, an unused address), so that
 * each test sees only the {@code null} it passes.
 */
public final class LoopNullPointerTester {
    private LoopNullPointerTester() {
    }

    /**
     * A tester whose defaults are {@code loop} (as {@link EventLoop} and as {@code loopType}) and new channels.
     *
     * @param loop the loop to pass where a loop is wanted
     * @param loopType the loop's own class
     * @param closeLater where the channels, the file and the file's deletion go, for the test to close after
     * @param <L> the loop's class
     * @return the tester
     * @throws IOException if a channel or the temporary file cannot be made
     */
    public static <L extends EventLoop> NullPointerTester of(L loop, Class<L> loopType,
            List<AutoCloseable> closeLater) throws IOException {
        SocketChannel socket = SocketChannel.open();
        closeLater.add(socket);
        ServerSocketChannel server = ServerSocketChannel.open();
        closeLater.add(server);
        DatagramChannel datagram = DatagramChannel.open();
        closeLater.add(datagram);
        Path file = Files.createTempFile("nullness", ".txt");
        closeLater.add(() -> Files.delete(file));
        FileChannel fileChannel = FileChannel.open(file);
        closeLater.add(fileChannel);
        InetSocketAddress unused = new InetSocketAddress("127.0.0.1", 9);
        return new NullPointerTester()
                .setDefault(EventLoop.class, loop)
                .setDefault(loopType, loop)
                .setDefault(Duration.class, Duration.ofSeconds(1))
                .setDefault(Context.class, new Context())
                .setDefault(Protocol.class, new Protocol() { })
                .setDefault(SocketAddress.class, unused)
                .setDefault(InetSocketAddress.class, unused)
                .setDefault(Path.class, Path.of("nullness-test-path-that-is-not-there"))
                .setDefault(SocketChannel.class, socket)
                .setDefault(SelectableChannel.class, socket)
                .setDefault(ServerSocketChannel.class, server)
                .setDefault(DatagramChannel.class, datagram)
                .setDefault(FileChannel.class, fileChannel);
    }
}
