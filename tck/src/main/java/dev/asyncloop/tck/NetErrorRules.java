package dev.asyncloop.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.Async;
import dev.asyncloop.ExceptionContext;
import dev.asyncloop.Future;
import dev.asyncloop.Server;
import dev.asyncloop.Transport;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Rules N6.x: error paths of transports and the networking methods. */
abstract class NetErrorRules extends NetworkGroup {
    NetErrorRules(EventLoopConformanceSuite suite) {
        super(suite);
    }

    @Test
    @DisplayName("N6.1 connectionMade that throws: reported, the transport closes, connectionLost gets the exception")
    void required_N6_1_connectionMadeThrows() throws Exception {
        expectReports();
        RuntimeException boom = new IllegalStateException("boom in connectionMade");
        SocketChannel[] p = socketPair();
        Object[] out = run("N6.1", () -> {
            RecordingProtocol proto = new RecordingProtocol(loop) {
                @Override
                public void connectionMade(Transport transport) {
                    super.connectionMade(transport);
                    throw boom;
                }
            };
            Throwable failed;
            try {
                Async.await(loop.connectAcceptedSocket(() -> proto, p[0]));
                failed = null;
            } catch (RuntimeException e) {
                failed = e;
            }
            return new Object[] {failed, Async.await(proto.lost)};
        });
        assertSame(boom, out[0], msg("N6.1", "connectAcceptedSocket did not fail with the exception: " + out[0]));
        assertSame(boom, out[1], msg("N6.1", "connectionLost got " + out[1]));
        assertEquals(1, reports().size(), msg("N6.1", "expected one report, got " + reports()));
    }

    @Test
    @DisplayName("N6.2 eofReceived that throws: reported with transport and protocol; connectionLost gets it")
    void required_N6_2_eofReceivedThrows() throws Exception {
        expectReports();
        RuntimeException boom = new IllegalStateException("boom in eofReceived");
        Throwable why = run("N6.2", () -> {
            Server server = Async.await(loop.createServer(() -> {
                RecordingProtocol p = new RecordingProtocol(loop) {
                    @Override
                    public boolean eofReceived() {
                        throw boom;
                    }
                };
                accepted.add(p);
                return p;
            }, HOST, 0));
            RecordingProtocol client = connect(port(server));
            RecordingProtocol srv = awaitAccepted("N6.2", 0);
            client.transport.writeEof();
            Throwable e = Async.await(srv.lost);
            Async.await(client.lost);
            server.close();
            return e;
        });
        assertSame(boom, why, msg("N6.2", "connectionLost got " + why));
        List<ExceptionContext> r = reports();
        assertEquals(1, r.size(), msg("N6.2", "expected one report, got " + r));
        assertTrue(r.getFirst().transport().isPresent() && r.getFirst().protocol().isPresent(),
                msg("N6.2", "the report lacks transport or protocol: " + r.getFirst()));
    }

    @Test
    @DisplayName("N6.3 write after writeEof throws IllegalStateException")
    void required_N6_3_writeAfterWriteEof() throws Exception {
        run("N6.3", () -> {
            Server server = startServer(false);
            RecordingProtocol client = connect(port(server));
            client.transport.writeEof();
            client.transport.writeEof();
            assertThrows(IllegalStateException.class, () -> client.transport.write(bytes("x")),
                    msg("N6.3", "write() after writeEof() did not throw"));
            client.transport.close();
            Async.await(client.lost);
            server.close();
            return null;
        });
    }

    @Test
    @DisplayName("N6.4 networking on a closed loop throws IllegalStateException")
    void required_N6_4_closedLoop() throws Exception {
        loop.close();
        assertThrows(IllegalStateException.class,
                () -> loop.createConnection(() -> new RecordingProtocol(loop), HOST, 1),
                msg("N6.4", "createConnection on a closed loop did not throw"));
        assertThrows(IllegalStateException.class,
                () -> loop.createServer(() -> new RecordingProtocol(loop), HOST, 0),
                msg("N6.4", "createServer on a closed loop did not throw"));
    }

    @Test
    @DisplayName("N6.5 writing to a reset peer ends the connection with connectionLost(IOException), not a report")
    void required_N6_5_writeToResetPeer() throws Exception {
        Throwable why = run("N6.5", () -> {
            var server = listener();
            Future<SocketChannel> accepted = loop.sockAccept(server);
            RecordingProtocol client = connect(port(server));
            SocketChannel peer = track(Async.await(accepted));
            client.transport.pauseReading();
            resetOnClose(peer);
            peer.close();
            byte[] chunk = pattern(64 * 1024);
            for (int i = 0; i < 1000 && !client.lost.isDone(); i++) {
                client.transport.write(chunk);
                Async.yieldNow();
            }
            return Async.await(client.lost);
        });
        assertInstanceOf(IOException.class, why, msg("N6.5", "connectionLost got " + why
                + "; check that a write error closes the transport with it"));
    }

    @Test
    @DisplayName("N6.6 createConnection to an unresolvable host fails with UnknownHostException (needs a resolver that answers .invalid promptly)")
    void optional_N6_6_unknownHost() throws Exception {
        Throwable error = run("N6.6", java.time.Duration.ofSeconds(25), () -> {
            try {
                Async.await(loop.createConnection(() -> new RecordingProtocol(loop), "no-such-host.invalid", 80));
                return null;
            } catch (CompletionException e) {
                return e.getCause();
            }
        });
        assertInstanceOf(java.net.UnknownHostException.class, error, msg("N6.6", "resolving an .invalid host gave "
                + error));
    }
}
