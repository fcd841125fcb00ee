package dev.asyncloop.tck;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.Async;
import dev.asyncloop.Protocol;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Rules P1.x: behaviour a user moving from asyncio compares side by side, found by running the same programs on
 * both. P1.1–P1.2: a refused connection names the address it was refused at, as asyncio's
 * {@code _sock_connect_cb} does ("Connect call failed ('127.0.0.1', 8080)"), so that a program connecting to
 * several services can tell which one is down.
 */
abstract class ParityRules extends NetworkGroup {
    ParityRules(EventLoopConformanceSuite suite) {
        super(suite);
    }

    @Test
    @DisplayName("P1.1 a refused sockConnect fails with ConnectException naming the address and keeping the system's text")
    void required_P1_1_refusedSockConnectNamesAddress() throws Exception {
        int port = closedPort();
        SocketChannel client = track(SocketChannel.open());
        client.configureBlocking(false);
        Throwable error = run("P1.1", () -> failure(() -> {
            Async.await(loop.sockConnect(client, new InetSocketAddress(LOOPBACK, port)));
            return null;
        }));
        assertRefusalNamed("P1.1", "sockConnect", error, port);
    }

    @Test
    @DisplayName("P1.2 a refused createConnection fails with ConnectException naming the address and keeping the system's text")
    void required_P1_2_refusedCreateConnectionNamesAddress() throws Exception {
        int port = closedPort();
        Throwable error = run("P1.2", () -> failure(() -> Async.await(loop.createConnection(() -> new Protocol() { },
                HOST, port))));
        assertRefusalNamed("P1.2", "createConnection", error, port);
    }

    private static Throwable failure(dev.asyncloop.AsyncCallable<?> body) throws Exception {
        try {
            body.call();
            return null;
        } catch (CompletionException e) {
            return e.getCause();
        } catch (RuntimeException e) {
            return e;
        }
    }

    private static void assertRefusalNamed(String rule, String call, Throwable error, int port) {
        assertInstanceOf(ConnectException.class, error, msg(rule, call + " to a closed port gave " + error
                + "; expected the ConnectException of the refusal (asyncio: ConnectionRefusedError)"));
        String text = String.valueOf(error.getMessage());
        assertTrue(text.contains(HOST) && text.contains(":" + port), msg(rule, call + "'s error \"" + text
                + "\" does not name " + HOST + ":" + port + "; asyncio says \"Connect call failed ('" + HOST + "', "
                + port + ")\": wrap finishConnect's error in one that names the address"));
        assertTrue(text.contains("refused"), msg(rule, call + "'s error \"" + text + "\" lost the system's"
                + " text (\"Connection refused\")"));
    }
}
