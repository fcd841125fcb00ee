package dev.asyncloop.nio;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The public constructors and methods of {@code dev.asyncloop.nio} reject {@code null} with a
 * {@link NullPointerException} (Guava's {@link NullPointerTester}; parameters marked {@code @Nullable} are left
 * out), the {@link EventLoop} methods included on a real {@link NioEventLoop}.
 */
class NioPublicApiNullnessTest {
    private final List<AutoCloseable> closeLater = new ArrayList<>();
    private NullPointerTester tester;

    @BeforeEach
    void setUp() throws IOException {
        NioEventLoop loop = new NioEventLoop();
        closeLater.add(loop);
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
        tester = new NullPointerTester()
                .setDefault(EventLoop.class, loop)
                .setDefault(NioEventLoop.class, loop)
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

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closeLater.reversed()) {
            c.close();
        }
    }

    @Test
    void staticMethodsAndConstructors() {
        for (Class<?> type : List.of(NioEventLoop.class, NioEventLoopProvider.class)) {
            tester.testAllPublicStaticMethods(type);
            tester.testAllPublicConstructors(type);
        }
    }

    @Test
    void providerMethods() {
        tester.testAllPublicInstanceMethods(new NioEventLoopProvider());
    }

    @Test
    void loopMethods() throws IOException {
        NioEventLoop loop = new NioEventLoop();
        closeLater.add(loop);
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> tester.testAllPublicInstanceMethods(loop),
                "a method of NioEventLoop did not return");
    }
}
