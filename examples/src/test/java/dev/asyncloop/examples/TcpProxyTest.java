package dev.asyncloop.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.testsupport.Poll;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** {@link TcpProxy} between plain blocking sockets: a test client and a test target, both on loopback. */
class TcpProxyTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private ServerSocket target;
    private TcpProxy proxy;
    private RunningServer running;

    @BeforeEach
    void start() throws Exception {
        target = new ServerSocket(0, 50, LOOPBACK);
        target.setSoTimeout((int) RunningServer.WAIT.toMillis());
        startProxy(target.getLocalPort(), Duration.ofSeconds(5));
    }

    private void startProxy(int targetPort, Duration connectTimeout) throws Exception {
        if (running != null) {
            running.close();
        }
        proxy = new TcpProxy(RunningServer.HOST, targetPort, connectTimeout,
                new PrintStream(logged, true, StandardCharsets.UTF_8));
        running = new RunningServer(proxy.app());
    }

    @AfterEach
    void stop() throws Exception {
        running.close();
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
        target.close();
    }

    private Socket accepted() throws IOException {
        Socket s = target.accept();
        s.setSoTimeout((int) RunningServer.WAIT.toMillis());
        toClose.add(s);
        return s;
    }

    private Socket client() throws IOException {
        Socket s = running.connect();
        toClose.add(s);
        return s;
    }

    private String log() {
        return logged.toString(StandardCharsets.UTF_8);
    }

    @Test
    void relaysBothWaysAndKeepsTheOtherWayOpenAfterAHalfClose() throws Exception {
        Socket client = client();
        Socket server = accepted();
        client.getOutputStream().write("request".getBytes(StandardCharsets.US_ASCII));
        client.shutdownOutput();
        assertEquals("request", new String(server.getInputStream().readAllBytes(), StandardCharsets.US_ASCII),
                "the target must get the bytes, then the client's EOF");
        // The client's EOF did not close the way back.
        server.getOutputStream().write("response".getBytes(StandardCharsets.US_ASCII));
        server.shutdownOutput();
        assertEquals("response", new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
        Poll.until(() -> proxy.relays() == 0, RunningServer.WAIT, "the relay must end once both directions ended");
    }

    @Test
    void aSlowReaderStopsTheProxyFromReadingInsteadOfBuffering() throws Exception {
        int total = 64 * 1024 * 1024;
        SocketChannel client = SocketChannel.open();
        toClose.add(client);
        client.setOption(java.net.StandardSocketOptions.SO_SNDBUF, 64 * 1024);
        client.connect(new InetSocketAddress(RunningServer.HOST, running.port));
        target.setReceiveBufferSize(64 * 1024);
        Socket server = accepted(); // and does not read yet
        long sent = pumpUntilStalled(client, total);
        assertTrue(sent < total, "the proxy took all " + total + " bytes from the client while the target read"
                + " nothing: it buffers without bound");
        long held = proxy.peakBuffered();
        assertTrue(held <= 64 * 1024 + TcpProxy.CHUNK, "the proxy's write buffer held " + held + " bytes");
        // Now the target reads: every byte the client sent arrives, in order, and nothing more.
        client.shutdownOutput();
        CompletableFuture<Long> received = CompletableFuture.supplyAsync(() -> readPattern(server));
        assertEquals(sent, received.get(RunningServer.WAIT.toMillis(), TimeUnit.MILLISECONDS));
    }

    /** Writes the byte pattern {@code i % 251} until {@code total} or until the peer takes nothing for 1 s. */
    private static long pumpUntilStalled(SocketChannel channel, long total) throws IOException {
        channel.configureBlocking(false);
        ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
        long sent = 0;
        try (Selector selector = Selector.open()) {
            channel.register(selector, SelectionKey.OP_WRITE);
            while (sent < total) {
                chunk.clear();
                for (int i = 0; i < chunk.capacity(); i++) {
                    chunk.put((byte) ((sent + i) % 251));
                }
                chunk.flip().limit((int) Math.min(chunk.capacity(), total - sent));
                int n = channel.write(chunk);
                if (n > 0) {
                    sent += n;
                } else if (selector.select(1000) == 0) {
                    break; // nothing taken for a second: the proxy stopped reading
                } else {
                    selector.selectedKeys().clear();
                }
            }
            channel.keyFor(selector).cancel();
        }
        channel.configureBlocking(true);
        return sent;
    }

    private static long readPattern(Socket s) {
        try (InputStream in = s.getInputStream()) {
            byte[] buffer = new byte[64 * 1024];
            long count = 0;
            for (int n; (n = in.read(buffer)) >= 0; ) {
                for (int i = 0; i < n; i++) {
                    if (buffer[i] != (byte) ((count + i) % 251)) {
                        throw new AssertionError("byte " + (count + i) + " is wrong");
                    }
                }
                count += n;
            }
            return count;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aResetOnOneSideClosesTheOther() throws Exception {
        Socket client = client();
        Socket server = accepted();
        client.getOutputStream().write("x".getBytes(StandardCharsets.US_ASCII));
        assertEquals('x', server.getInputStream().read());
        server.setSoLinger(true, 0);
        server.close(); // RST
        assertClosed(client);
        Poll.until(() -> proxy.relays() == 0, RunningServer.WAIT, "the relay must end after the reset");
        Poll.until(() -> log().contains("relay ended"), RunningServer.WAIT, "the reset must be reported: " + log());

        Socket client2 = client();
        Socket server2 = accepted();
        client2.setSoLinger(true, 0);
        client2.close();
        assertClosed(server2);
    }

    @Test
    void aRefusedTargetClosesTheClient() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK)) {
            closedPort = s.getLocalPort();
        }
        startProxy(closedPort, Duration.ofSeconds(5));
        assertClosed(client());
        Poll.until(() -> log().contains("relay ended"), RunningServer.WAIT,
                "the refused connect must be reported: " + log());
    }

    @Test
    @EnabledOnOs(OS.LINUX) // a full accept queue drops SYNs there, so the connect hangs
    void aTargetThatDoesNotAnswerIsGivenUpAfterTheConnectTimeout() throws Exception {
        ServerSocket full = new ServerSocket(0, 1, LOOPBACK);
        toClose.add(full);
        // Fill the accept queue: the connect that times out is the first one the kernel ignores.
        for (int i = 0; i < 8; i++) {
            Socket s = new Socket();
            toClose.add(s);
            try {
                s.connect(full.getLocalSocketAddress(), 200);
            } catch (java.net.SocketTimeoutException e) {
                break;
            }
        }
        startProxy(full.getLocalPort(), Duration.ofMillis(300));
        assertClosed(client());
        Poll.until(() -> log().contains("no connection to"), RunningServer.WAIT,
                "the timeout must be reported: " + log());
    }

    /** The peer closed {@code s}: EOF or a reset, within the bounded wait. */
    private static void assertClosed(Socket s) throws IOException {
        try {
            assertEquals(-1, s.getInputStream().read(), "no EOF");
        } catch (SocketException reset) {
            // a reset is a close too
        }
    }

    @Test
    void bytesPassUnchanged() throws Exception {
        Socket client = client();
        Socket server = accepted();
        byte[] data = new byte[300_000];
        new java.util.Random(1).nextBytes(data);
        CompletableFuture<byte[]> echoed = CompletableFuture.supplyAsync(() -> {
            try {
                return client.getInputStream().readNBytes(data.length);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        client.getOutputStream().write(data);
        server.getOutputStream().write(server.getInputStream().readNBytes(data.length));
        assertArrayEquals(data, echoed.get(RunningServer.WAIT.toMillis(), TimeUnit.MILLISECONDS));
    }
}
