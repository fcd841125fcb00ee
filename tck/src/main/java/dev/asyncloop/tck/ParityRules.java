package dev.asyncloop.tck;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.asyncloop.Async;
import dev.asyncloop.DatagramOptions;
import dev.asyncloop.Protocol;
import dev.asyncloop.spi.Capability;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Rules M1.x: behaviour a user moving from asyncio compares side by side, found by running the same programs on
 * both. M1.1–M1.2: a refused connection names the address it was refused at, as asyncio's
 * {@code _sock_connect_cb} does ("Connect call failed ('127.0.0.1', 8080)"), so that a program connecting to
 * several services can tell which one is down. M1.3: likewise the ICMP "port unreachable" a connected datagram
 * endpoint gets names the peer (asyncio: "Connection refused"; the JDK's exception has no message at all).
 */
abstract class ParityRules extends NetworkGroup {
    ParityRules(EventLoopConformanceSuite suite) {
        super(suite);
    }

    @Test
    @DisplayName("M1.1 a refused sockConnect fails with ConnectException naming the address and keeping the system's text")
    void required_M1_1_refusedSockConnectNamesAddress() throws Exception {
        int port = closedPort();
        SocketChannel client = track(SocketChannel.open());
        client.configureBlocking(false);
        Throwable error = run("M1.1", () -> failure(() -> {
            Async.await(loop.sockConnect(client, new InetSocketAddress(LOOPBACK, port)));
            return null;
        }));
        assertRefusalNamed("M1.1", "sockConnect", error, port);
    }

    @Test
    @DisplayName("M1.2 a refused createConnection fails with ConnectException naming the address and keeping the system's text")
    void required_M1_2_refusedCreateConnectionNamesAddress() throws Exception {
        int port = closedPort();
        Throwable error = run("M1.2", () -> failure(() -> Async.await(loop.createConnection(() -> new Protocol() { },
                HOST, port))));
        assertRefusalNamed("M1.2", "createConnection", error, port);
    }

    @Test
    @DisplayName("M1.3 a connected endpoint's ICMP port-unreachable error says \"Connection refused\" and names the"
            + " peer (optional: needs UDP and an OS that reports ICMP errors)")
    void optional_M1_3_portUnreachableNamesPeer() throws IOException {
        requireCapability(Capability.UDP);
        SocketAddress dead;
        try (DatagramChannel probe = DatagramChannel.open()) {
            probe.bind(new InetSocketAddress(LOOPBACK, 0));
            dead = probe.getLocalAddress();
        }
        SocketAddress peer = dead;
        Object error = run("M1.3", () -> {
            var c = Async.await(loop.createDatagramEndpoint(() -> new RecordingDatagramProtocol(loop),
                    DatagramOptions.builder().remoteAddress(peer).build()));
            var first = c.protocol().firstError();
            for (int i = 0; i < 20 && !first.isDone(); i++) {
                c.transport().send(buf(bytes("anyone?")));
                awaitDone(first, Duration.ofMillis(100));
            }
            c.transport().close();
            Async.await(c.protocol().lost);
            return first.isDone() ? first.result() : null;
        });
        assumeTrue(error != null, "the OS reported no ICMP error within 2 s");
        assertInstanceOf(PortUnreachableException.class, error, msg("M1.3", "errorReceived got " + error));
        String text = String.valueOf(((Throwable) java.util.Objects.requireNonNull(error)).getMessage());
        int port = ((InetSocketAddress) dead).getPort();
        assertTrue(text.contains("refused") && text.contains(":" + port), msg("M1.3", "errorReceived's"
                + " PortUnreachableException says \"" + text + "\"; asyncio says \"Connection refused\": name the"
                + " peer (" + dead + ") and say it refused"));
    }

    private static @Nullable Throwable failure(dev.asyncloop.AsyncCallable<?> body) throws Exception {
        try {
            body.call();
            return null;
        } catch (CompletionException e) {
            return e.getCause();
        } catch (RuntimeException e) {
            return e;
        }
    }

    private static void assertRefusalNamed(String rule, String call, @Nullable Throwable error, int port) {
        Throwable refused = assertInstanceOf(ConnectException.class, error, msg(rule, call + " to a closed port gave "
                + error + "; expected the ConnectException of the refusal (asyncio: ConnectionRefusedError)"));
        String text = String.valueOf(refused.getMessage());
        assertTrue(text.contains(HOST) && text.contains(":" + port), msg(rule, call + "'s error \"" + text
                + "\" does not name " + HOST + ":" + port + "; asyncio says \"Connect call failed ('" + HOST + "', "
                + port + ")\": wrap finishConnect's error in one that names the address"));
        String system = systemRefusalText(port);
        assertTrue(text.contains(system), msg(rule, call + "'s error \"" + text + "\" lost the system's"
                + " text (\"" + system + "\")"));
    }

    /**
     * What the JDK says for a refused connect to {@code port} here: the C library's text, in the process's locale
     * ("Connection refused" in English, "Verbindungsaufbau abgelehnt" in German).
     */
    private static String systemRefusalText(int port) {
        try (SocketChannel probe = SocketChannel.open()) {
            probe.connect(new InetSocketAddress(LOOPBACK, port));
            throw new AssertionError("port " + port + " accepted a connection; it was meant to be closed");
        } catch (ConnectException e) {
            return String.valueOf(e.getMessage());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
