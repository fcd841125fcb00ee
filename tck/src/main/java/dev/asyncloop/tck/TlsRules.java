package dev.asyncloop.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.asyncloop.Async;
import dev.asyncloop.AsyncQueue;
import dev.asyncloop.ConnectOptions;
import dev.asyncloop.Connection;
import dev.asyncloop.EventLoop;
import dev.asyncloop.Future;
import dev.asyncloop.Server;
import dev.asyncloop.ServerOptions;
import dev.asyncloop.StreamPair;
import dev.asyncloop.StreamTransport;
import dev.asyncloop.Streams;
import dev.asyncloop.TlsOptions;
import dev.asyncloop.Transport;
import dev.asyncloop.spi.Capability;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Rules N12.x: TLS over stream transports (asyncio's sslproto, {@code start_tls}, {@code ssl=} on connections,
 * servers and streams). Runs when the loop claims {@link Capability#TLS}; the certificates come from
 * {@link TlsContexts}.
 */
abstract class TlsRules extends NetworkGroup {
    private static final SSLContext SERVER = TlsContexts.server();
    private static final SSLContext CLIENT = TlsContexts.client();

    TlsRules(EventLoopConformanceSuite suite) {
        super(suite);
    }

    @BeforeEach
    final void requireTls() {
        requireCapability(Capability.TLS);
    }

    static ServerOptions tlsServerOptions(SSLContext context) {
        return ServerOptions.builder().ssl(context).build();
    }

    static ConnectOptions tlsClientOptions() {
        return ConnectOptions.builder().ssl(CLIENT).build();
    }

    /** Inside a task: a TLS server on an ephemeral loopback port whose protocols go to {@link #accepted}. */
    final Server tlsServer(boolean echo) {
        return Async.await(loop.createServer(acceptedProtocols(echo), HOST, 0, tlsServerOptions(SERVER)));
    }

    /** Inside a task: a TLS client connection to {@code port} with {@code options}. */
    final Connection<RecordingProtocol> tlsConnect(int port, ConnectOptions options) {
        return Async.await(loop.createConnection(() -> new RecordingProtocol(loop), HOST, port, options));
    }

    /** Inside a task: the failure of {@code f}, which must fail; fails the test otherwise. */
    static Throwable failureOf(String rule, Future<?> f, String what) {
        try {
            Async.await(f);
        } catch (CompletionException e) {
            return e.getCause() != null ? e.getCause() : e;
        } catch (RuntimeException e) {
            return e;
        }
        throw new AssertionError(msg(rule, what + " succeeded; it must fail"));
    }

    static SSLEngine engineOf(String rule, Transport transport) {
        Object engine = transport.getExtraInfo(Transport.SSL_OBJECT).orElse(null);
        return assertInstanceOf(SSLEngine.class, engine, msg(rule, "getExtraInfo(\"ssl_object\") must be the"
                + " connection's SSLEngine, got " + engine));
    }

    @Test
    @DisplayName("N12.1 a TLS server and a TLS client carry bytes both ways after the handshake")
    void required_N12_1_echo() {
        String echoed = run("N12.1", () -> {
            Server server = tlsServer(true);
            Connection<RecordingProtocol> c = tlsConnect(port(server), tlsClientOptions());
            c.transport().write(bytes("hello over TLS"));
            Async.await(c.protocol().received(14));
            c.transport().close();
            Async.await(c.protocol().lost);
            server.close();
            return c.protocol().text();
        });
        assertEquals("hello over TLS", echoed, msg("N12.1", "the TLS echo server must send back what it got"));
    }

    @Test
    @DisplayName("N12.37 ALPN: the protocols the engines' parameters offer are negotiated, seen through ssl_object")
    void required_N12_37_alpn() {
        List<String> chosen = run("N12.37", () -> {
            ServerOptions serverOptions = ServerOptions.builder().ssl(SERVER)
                    .sslParameters(p -> p.setApplicationProtocols(new String[] {"h2", "http/1.1"})).build();
            Server server = Async.await(loop.createServer(acceptedProtocols(true), HOST, 0, serverOptions));
            ConnectOptions clientOptions = ConnectOptions.builder().ssl(CLIENT)
                    .sslParameters(p -> p.setApplicationProtocols(new String[] {"http/1.1"})).build();
            Connection<RecordingProtocol> c = tlsConnect(port(server), clientOptions);
            RecordingProtocol peer = awaitAccepted("N12.37", 0);
            String client = engineOf("N12.37", c.transport()).getApplicationProtocol();
            String serverSide = engineOf("N12.37", peer.transport).getApplicationProtocol();
            c.transport().close();
            Async.await(c.protocol().lost);
            server.close();
            return List.of(String.valueOf(client), String.valueOf(serverSide));
        });
        assertEquals(List.of("http/1.1", "http/1.1"), chosen, msg("N12.37", "the engines must be configured with the"
                + " options' sslParameters (ALPN: the client offers http/1.1 only, the server accepts h2 and"
                + " http/1.1), client and server side"));
    }

    @Test
    @DisplayName("N12.38 client authentication: a server that needs a client certificate refuses a client without one")
    void required_N12_38_clientAuthentication() {
        run("N12.38", () -> {
            ServerOptions serverOptions = ServerOptions.builder().ssl(TlsContexts.serverTrustingClients())
                    .sslParameters(p -> {
                        p.setNeedClientAuth(true);
                        // Under TLS 1.2 the refusal ends the client's handshake; under 1.3 it comes after it.
                        p.setProtocols(new String[] {"TLSv1.2"});
                    }).build();
            Server server = Async.await(loop.createServer(acceptedProtocols(true), HOST, 0, serverOptions));
            int port = port(server);
            Future<Connection<RecordingProtocol>> anonymous = loop.createConnection(() -> new RecordingProtocol(loop),
                    HOST, port, tlsClientOptions());
            Throwable refused = failureOf("N12.38", anonymous, "a TLS client without a certificate, to a server"
                    + " that needs one,");
            assertInstanceOf(javax.net.ssl.SSLException.class, refused, msg("N12.38", "the handshake must fail with"
                    + " an SSLException, got " + refused));
            Connection<RecordingProtocol> c = tlsConnect(port, ConnectOptions.builder()
                    .ssl(TlsContexts.clientWithCertificate()).build());
            c.transport().write(bytes("certified"));
            Async.await(c.protocol().received(9));
            RecordingProtocol peer = accepted.getLast();
            Object peerCert = peer.transport.getExtraInfo(Transport.PEERCERT).orElse(null);
            assertEquals(List.of(TlsContexts.certificateOf("tls-untrusted.p12")), peerCert, msg("N12.38", "the"
                    + " server's getExtraInfo(\"peercert\") must be the client's certificate chain"));
            c.transport().close();
            Async.await(c.protocol().lost);
            server.close();
            return null;
        });
    }

    @Test
    @DisplayName("N12.39 a parameters configurer that throws fails the connect future with its exception")
    void required_N12_39_configurerThrows() {
        run("N12.39", () -> {
            Server server = tlsServer(true);
            IllegalStateException boom = new IllegalStateException("no such cipher here");
            Future<Connection<RecordingProtocol>> f = loop.createConnection(() -> new RecordingProtocol(loop), HOST,
                    port(server), ConnectOptions.builder().ssl(CLIENT).sslParameters(p -> {
                        throw boom;
                    }).build());
            Throwable failure = failureOf("N12.39", f, "a connection whose sslParameters configurer throws");
            assertSame(boom, failure, msg("N12.39", "the connect future must fail with the configurer's exception,"
                    + " got " + failure));
            server.close();
            return null;
        });
    }

    /** Records what the transport tells at connectionMade. */
    static final class HandshakeWitness extends RecordingProtocol {
        @Nullable Object cipherAtMade;
        @Nullable HandshakeStatus statusAtMade;
        boolean engineAtMade;

        HandshakeWitness(dev.asyncloop.EventLoop loop) {
            super(loop);
        }

        @Override
        public void connectionMade(Transport transport) {
            cipherAtMade = transport.getExtraInfo(Transport.CIPHER).orElse(null);
            Object engine = transport.getExtraInfo(Transport.SSL_OBJECT).orElse(null);
            engineAtMade = engine instanceof SSLEngine;
            if (engine instanceof SSLEngine e) {
                statusAtMade = e.getHandshakeStatus();
            }
            super.connectionMade(transport);
        }
    }

    @Test
    @DisplayName("N12.2 connectionMade comes only after the handshake, on both sides; the future after it")
    void required_N12_2_madeAfterHandshake() {
        List<HandshakeWitness> servers = new ArrayList<>();
        HandshakeWitness[] client = new HandshakeWitness[1];
        run("N12.2", () -> {
            Server server = Async.await(loop.createServer(() -> {
                HandshakeWitness w = new HandshakeWitness(loop);
                servers.add(w);
                return w;
            }, HOST, 0, tlsServerOptions(SERVER)));
            Connection<HandshakeWitness> c = Async.await(loop.createConnection(() -> {
                client[0] = new HandshakeWitness(loop);
                return client[0];
            }, HOST, port(server), tlsClientOptions()));
            assertTrue(c.protocol().made.isDone(), msg("N12.2", "the connect future must be done only after"
                    + " connectionMade"));
            c.transport().write(bytes("x"));
            long end = System.nanoTime() + defaultWait().toNanos();
            while ((servers.isEmpty() || !servers.getFirst().made.isDone()) && System.nanoTime() < end) {
                Async.sleep(Duration.ofMillis(2));
            }
            c.transport().close();
            Async.await(c.protocol().lost);
            server.close();
            return null;
        });
        assertTrue(client[0].engineAtMade, msg("N12.2", "at the client's connectionMade the transport must already"
                + " have its ssl_object"));
        assertNotNull(client[0].cipherAtMade, msg("N12.2", "at the client's connectionMade the cipher must be"
                + " negotiated already: connectionMade must come after the handshake"));
        assertFalse(servers.isEmpty() || !servers.getFirst().made.isDone(), msg("N12.2", "the server's protocol"
                + " must get connectionMade after its handshake"));
        assertNotNull(servers.getFirst().cipherAtMade, msg("N12.2", "at the server's connectionMade the cipher must"
                + " be negotiated already"));
    }

    @Test
    @DisplayName("N12.3 an untrusted server certificate fails the connect future with the SSLException; nothing is made")
    void required_N12_3_untrusted() {
        List<Object> out = run("N12.3", () -> {
            Server server = Async.await(loop.createServer(acceptedProtocols(false), HOST, 0,
                    tlsServerOptions(TlsContexts.untrustedServer())));
            List<RecordingProtocol> made = new ArrayList<>();
            Throwable e = failureOf("N12.3", loop.createConnection(() -> {
                RecordingProtocol p = new RecordingProtocol(loop);
                made.add(p);
                return p;
            }, HOST, port(server), tlsClientOptions()), "a connection to a server with an untrusted certificate");
            server.close();
            Async.await(server.waitClosed());
            return List.of(e, made.isEmpty() ? List.of() : made.getFirst().events);
        });
        assertInstanceOf(SSLException.class, out.get(0), msg("N12.3", "the connect future must fail with the"
                + " handshake's SSLException, got " + out.get(0)));
        assertEquals(List.of(), out.get(1), msg("N12.3", "the client's protocol must hear nothing of a failed"
                + " handshake"));
        for (RecordingProtocol p : accepted) {
            assertFalse(p.made.isDone(), msg("N12.3", "the server's protocol must not be made when the handshake"
                    + " failed"));
        }
    }

    @Test
    @DisplayName("N12.4 the server certificate must match serverHostname (default: the host); \"\" verifies no name")
    void required_N12_4_hostname() {
        List<Object> out = run("N12.4", () -> {
            Server server = tlsServer(true);
            Throwable wrong = failureOf("N12.4", loop.createConnection(() -> new RecordingProtocol(loop), HOST,
                    port(server), ConnectOptions.builder().ssl(CLIENT).serverHostname("wrong.example").build()),
                    "a connection whose serverHostname the certificate does not name");
            Connection<RecordingProtocol> none = tlsConnect(port(server),
                    ConnectOptions.builder().ssl(CLIENT).serverHostname("").build());
            none.transport().close();
            Connection<RecordingProtocol> named = tlsConnect(port(server),
                    ConnectOptions.builder().ssl(CLIENT).serverHostname("localhost").build());
            named.transport().close();
            Async.await(none.protocol().lost);
            Async.await(named.protocol().lost);
            server.close();
            return List.of(wrong);
        });
        assertInstanceOf(SSLException.class, out.get(0), msg("N12.4", "a certificate that does not name the server"
                + " host must fail the handshake with an SSLException, got " + out.get(0)));
    }

    @Test
    @DisplayName("N12.5 a server that never answers the handshake fails it after sslHandshakeTimeout and aborts")
    void required_N12_5_handshakeTimeout() {
        List<Object> out = run("N12.5", () -> {
            Server silent = startServer(false);
            Throwable e = failureOf("N12.5", loop.createConnection(() -> new RecordingProtocol(loop), HOST,
                    port(silent), ConnectOptions.builder().ssl(CLIENT).sslHandshakeTimeout(Duration.ofMillis(300))
                            .build()), "a handshake with a silent server");
            RecordingProtocol peer = awaitAccepted("N12.5", 0);
            Async.await(peer.lost);
            silent.close();
            return List.of(e);
        });
        assertInstanceOf(SocketTimeoutException.class, out.get(0), msg("N12.5", "a handshake timeout must fail the"
                + " future with SocketTimeoutException, got " + out.get(0)));
    }

    /** A plain protocol that answers "STARTTLS" with "OK" and upgrades its side (server) to TLS. */
    final class StartTlsServer extends RecordingProtocol {
        @Nullable Future<StreamTransport> upgraded;

        StartTlsServer() {
            super(TlsRules.this.loop);
            echo = false;
        }

        @Override
        public void dataReceived(ByteBuffer bytes) {
            if (upgraded == null) {
                byte[] b = new byte[bytes.remaining()];
                bytes.get(b);
                transport.write(bytes("OK"));
                upgraded = loop.startTls(transport, this, SERVER, TlsOptions.server());
                return;
            }
            byte[] b = new byte[bytes.remaining()];
            bytes.get(b);
            data.writeBytes(b);
            // Data may arrive with the handshake's end, before a callback of the future could run.
            upgraded.result().write(b);
        }
    }

    @Test
    @DisplayName("N12.6 startTls upgrades an open plain connection on both sides; bytes then go over TLS")
    void required_N12_6_startTls() {
        List<Object> out = run("N12.6", () -> {
            List<StartTlsServer> servers = new ArrayList<>();
            Server server = Async.await(loop.createServer(() -> {
                StartTlsServer s = new StartTlsServer();
                servers.add(s);
                return s;
            }, HOST, 0));
            Connection<RecordingProtocol> c = Async.await(loop.createConnection(() -> new RecordingProtocol(loop),
                    HOST, port(server)));
            c.transport().write(bytes("STARTTLS"));
            Async.await(c.protocol().received(2));
            StreamTransport tls = Async.await(loop.startTls(c.transport(), c.protocol(), CLIENT,
                    TlsOptions.client(HOST)));
            tls.write(bytes("secret"));
            Async.await(c.protocol().received(8));
            Object engine = tls.getExtraInfo(Transport.SSL_OBJECT).orElse(null);
            StreamTransport serverSide = Async.await(java.util.Objects.requireNonNull(servers.getFirst().upgraded));
            Object serverEngine = serverSide.getExtraInfo(Transport.SSL_OBJECT).orElse(null);
            tls.close();
            Async.await(c.protocol().lost);
            server.close();
            return List.of(c.protocol().text(), engine instanceof SSLEngine, serverEngine instanceof SSLEngine,
                    c.protocol().events);
        });
        assertEquals("OKsecret", out.get(0), msg("N12.6", "after startTls on both sides the server's echo must"
                + " arrive over TLS"));
        assertEquals(true, out.get(1), msg("N12.6", "the transport startTls returns must be a TLS transport"));
        assertEquals(true, out.get(2), msg("N12.6", "the server side's startTls must give a TLS transport"));
        @SuppressWarnings("unchecked")
        List<String> events = (List<String>) out.get(3);
        assertEquals("made", events.getFirst(), msg("N12.6", "startTls must not call connectionMade again: "
                + events));
        assertEquals(1, events.stream().filter("made"::equals).count(), msg("N12.6", "startTls must not call"
                + " connectionMade again: " + events));
    }

    @Test
    @DisplayName("N12.7 close flushes, sends close_notify; the peer sees all data, eofReceived, connectionLost(null)")
    void required_N12_7_closeNotify() {
        byte[] payload = pattern(200_000);
        List<Object> out = run("N12.7", () -> {
            Server server = tlsServer(false);
            Connection<RecordingProtocol> c = tlsConnect(port(server), tlsClientOptions());
            RecordingProtocol peer = awaitAccepted("N12.7", 0);
            c.transport().write(payload);
            c.transport().close();
            assertTrue(c.transport().isClosing(), msg("N12.7", "isClosing() must be true right after close()"));
            Throwable lost = Async.await(peer.lost);
            Throwable clientLost = Async.await(c.protocol().lost);
            boolean inboundDone = engineOf("N12.7", peer.transport).isInboundDone();
            server.close();
            return java.util.Arrays.asList(peer.data.toByteArray(), peer.events, lost, clientLost, inboundDone);
        });
        assertArrayEquals(payload, (byte[]) out.get(0), msg("N12.7", "every byte written before close() must"
                + " reach the peer"));
        @SuppressWarnings("unchecked")
        List<String> events = (List<String>) out.get(1);
        assertEquals(List.of("made", "data", "eof", "lost"), events, msg("N12.7", "the peer must see data, then"
                + " eofReceived (close_notify), then connectionLost"));
        assertNull(out.get(2), msg("N12.7", "the peer's connectionLost must get null after a regular close"));
        assertNull(out.get(3), msg("N12.7", "the closing side's connectionLost must get null"));
        assertEquals(true, out.get(4), msg("N12.7", "the peer's engine must have received close_notify"
                + " (isInboundDone); close() must not just drop the socket"));
    }

    @Test
    @DisplayName("N12.8 abort closes at once without close_notify; both protocols get connectionLost")
    void required_N12_8_abort() {
        List<Object> out = run("N12.8", () -> {
            Server server = tlsServer(false);
            Connection<RecordingProtocol> c = tlsConnect(port(server), tlsClientOptions());
            RecordingProtocol peer = awaitAccepted("N12.8", 0);
            c.transport().abort();
            assertTrue(c.transport().isClosing(), msg("N12.8", "isClosing() must be true right after abort()"));
            Throwable clientLost = Async.await(c.protocol().lost);
            Async.await(peer.lost);
            boolean inboundDone = engineOf("N12.8", peer.transport).isInboundDone();
            server.close();
            return java.util.Arrays.asList(clientLost, inboundDone, c.protocol().events);
        });
        assertNull(out.get(0), msg("N12.8", "abort() must end with connectionLost(null)"));
        assertEquals(false, out.get(1), msg("N12.8", "abort() must not send close_notify"));
        assertEquals(List.of("made", "lost"), out.get(2), msg("N12.8", "the aborting side must get connectionLost"
                + " exactly once, nothing else"));
    }

    @Test
    @DisplayName("N12.9 a peer that does not read makes pauseWriting fire; resumeWriting follows; nothing is lost")
    void required_N12_9_flowControl() {
        List<Object> out = run("N12.9", Duration.ofSeconds(20), () -> {
            Server server = tlsServer(false);
            Connection<RecordingProtocol> c = tlsConnect(port(server), tlsClientOptions());
            RecordingProtocol peer = awaitAccepted("N12.9", 0);
            peer.transport.pauseReading();
            byte[] chunk = pattern(256 * 1024);
            long sent = 0;
            int maxChunks = 512;
            for (int i = 0; i < maxChunks && !c.protocol().events.contains("pause"); i++) {
                c.transport().write(chunk);
                sent += chunk.length;
                Async.sleep(Duration.ZERO);
            }
            boolean paused = c.protocol().events.contains("pause");
            int buffered = c.transport().getWriteBufferSize();
            peer.transport.resumeReading();
            Async.await(peer.received((int) sent));
            long end = System.nanoTime() + defaultWait().toNanos();
            while (!c.protocol().events.contains("resume") && System.nanoTime() < end) {
                Async.sleep(Duration.ofMillis(2));
            }
            c.transport().close();
            Async.await(c.protocol().lost);
            server.close();
            return List.of(paused, buffered, peer.data.size() == sent, c.protocol().events.contains("resume"));
        });
        assertEquals(true, out.get(0), msg("N12.9", "writing to a peer that does not read must make the TLS"
                + " transport call pauseWriting"));
        assertTrue((Integer) out.get(1) > 0, msg("N12.9", "getWriteBufferSize() must count the bytes not yet sent"
                + " while paused, got " + out.get(1)));
        assertEquals(true, out.get(2), msg("N12.9", "every byte must arrive once the peer reads again"));
        assertEquals(true, out.get(3), msg("N12.9", "resumeWriting must follow when the buffer drains"));
    }

    @Test
    @DisplayName("N12.10 large writes (a 3 MiB write, a writeLines batch) arrive intact and in order")
    void required_N12_10_largeWrites() {
        byte[] big = pattern(3 * 1024 * 1024);
        byte[] echoed = run("N12.10", Duration.ofSeconds(20), () -> {
            Server server = tlsServer(true);
            Connection<RecordingProtocol> c = tlsConnect(port(server), tlsClientOptions());
            c.transport().write(big);
            List<ByteBuffer> lines = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                lines.add(ByteBuffer.wrap(("line " + i + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
            }
            int linesSize = lines.stream().mapToInt(ByteBuffer::remaining).sum();
            c.transport().writeLines(lines);
            Async.await(c.protocol().received(big.length + linesSize));
            c.transport().close();
            Async.await(c.protocol().lost);
            server.close();
            return c.protocol().data.toByteArray();
        });
        byte[] expected = new byte[echoed.length];
        System.arraycopy(big, 0, expected, 0, big.length);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            sb.append("line ").append(i).append('\n');
        }
        byte[] tail = sb.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertEquals(big.length + tail.length, echoed.length, msg("N12.10", "every byte must come back"));
        System.arraycopy(tail, 0, expected, big.length, tail.length);
        assertArrayEquals(expected, echoed, msg("N12.10", "the bytes must come back intact and in order"));
    }

    @Test
    @DisplayName("N12.11 pauseReading stops dataReceived on a TLS transport; resumeReading delivers what waited")
    void required_N12_11_pauseReading() {
        List<Object> out = run("N12.11", () -> {
            Server server = tlsServer(false);
            Connection<RecordingProtocol> c = tlsConnect(port(server), tlsClientOptions());
            RecordingProtocol peer = awaitAccepted("N12.11", 0);
            c.transport().pauseReading();
            boolean readingWhilePaused = c.transport().isReading();
            peer.transport.write(bytes("while paused"));
            Async.sleep(Duration.ofMillis(100));
            int whilePaused = c.protocol().data.size();
            c.transport().resumeReading();
            Async.await(c.protocol().received(12));
            boolean readingAfter = c.transport().isReading();
            c.transport().close();
            Async.await(c.protocol().lost);
            server.close();
            return List.of(readingWhilePaused, whilePaused, readingAfter, c.protocol().text());
        });
        assertEquals(false, out.get(0), msg("N12.11", "isReading() must be false after pauseReading()"));
        assertEquals(0, out.get(1), msg("N12.11", "no data may reach the protocol while reading is paused"));
        assertEquals(true, out.get(2), msg("N12.11", "isReading() must be true after resumeReading()"));
        assertEquals("while paused", out.get(3), msg("N12.11", "the data must arrive after resumeReading()"));
    }

    @Test
    @DisplayName("N12.12 getExtraInfo: sslcontext, ssl_object, peercert, cipher, and the socket's own keys")
    void required_N12_12_extraInfo() {
        List<Object> out = run("N12.12", () -> {
            Server server = tlsServer(false);
            Connection<RecordingProtocol> c = tlsConnect(port(server), tlsClientOptions());
            RecordingProtocol peer = awaitAccepted("N12.12", 0);
            StreamTransport t = c.transport();
            List<Object> values = java.util.Arrays.asList(
                    t.getExtraInfo(Transport.SSL_CONTEXT).orElse(null),
                    t.getExtraInfo(Transport.SSL_OBJECT).orElse(null),
                    t.getExtraInfo(Transport.PEERCERT).orElse(null),
                    t.getExtraInfo(Transport.CIPHER).orElse(null),
                    t.getExtraInfo(Transport.PEERNAME).orElse(null),
                    t.getExtraInfo(Transport.SOCKNAME).orElse(null),
                    t.getExtraInfo(Transport.SOCKET).orElse(null),
                    peer.transport.getExtraInfo(Transport.PEERCERT).orElse(null),
                    t.getExtraInfo("no such key").orElse(null));
            t.close();
            Async.await(c.protocol().lost);
            server.close();
            return values;
        });
        assertSame(CLIENT, out.get(0), msg("N12.12", "\"sslcontext\" must be the context the connection was made"
                + " with"));
        SSLEngine engine = assertInstanceOf(SSLEngine.class, out.get(1), msg("N12.12", "\"ssl_object\" must be the"
                + " SSLEngine"));
        List<?> certs = assertInstanceOf(List.class, out.get(2), msg("N12.12", "\"peercert\" must be a list of"
                + " certificates"));
        assertFalse(certs.isEmpty(), msg("N12.12", "the client's \"peercert\" must hold the server's chain"));
        X509Certificate first = assertInstanceOf(X509Certificate.class, certs.getFirst(), msg("N12.12",
                "\"peercert\" must hold X.509 certificates"));
        assertTrue(first.getSubjectX500Principal().getName().contains("CN=localhost"), msg("N12.12",
                "\"peercert\" must be the server's certificate, got " + first.getSubjectX500Principal()));
        assertEquals(engine.getSession().getCipherSuite(), out.get(3), msg("N12.12", "\"cipher\" must be the"
                + " negotiated cipher suite"));
        assertNotNull(out.get(4), msg("N12.12", "\"peername\" must come from the socket"));
        assertNotNull(out.get(5), msg("N12.12", "\"sockname\" must come from the socket"));
        assertNotNull(out.get(6), msg("N12.12", "\"socket\" must come from the socket"));
        assertEquals(List.<Certificate>of(), out.get(7), msg("N12.12", "the server's \"peercert\" must be empty when"
                + " the client sent no certificate"));
        assertNull(out.get(8), msg("N12.12", "an unknown key must give empty"));
    }

    @Test
    @DisplayName("N12.13 a failed server-side handshake closes that connection only; the server goes on")
    void required_N12_13_serverGoesOn() {
        String echoed = run("N12.13", () -> {
            Server server = tlsServer(true);
            Throwable e = failureOf("N12.13", loop.createConnection(() -> new RecordingProtocol(loop), HOST,
                    port(server), ConnectOptions.builder().ssl(TlsContexts.clientTrustingUntrusted()).build()),
                    "a client that rejects the server's certificate");
            assertInstanceOf(SSLException.class, e, msg("N12.13", "the rejecting client must fail with an"
                    + " SSLException, got " + e));
            Connection<RecordingProtocol> good = tlsConnect(port(server), tlsClientOptions());
            good.transport().write(bytes("still serving"));
            Async.await(good.protocol().received(13));
            good.transport().close();
            Async.await(good.protocol().lost);
            boolean serving = server.isServing();
            server.close();
            assertTrue(serving, msg("N12.13", "the server must still be serving"));
            return good.protocol().text();
        });
        assertEquals("still serving", echoed, msg("N12.13", "a connection after a failed handshake must work"));
    }

    @Test
    @DisplayName("N12.14 TLS over Unix-domain sockets (when UNIX_SOCKETS is claimed too); serverHostname required")
    void required_N12_14_unix() throws IOException {
        requireCapability(Capability.UNIX_SOCKETS);
        Path dir = Files.createTempDirectory("al-tls");
        Path path = dir.resolve("s.sock");
        try {
            String echoed = run("N12.14", () -> {
                Server server = Async.await(loop.createUnixServer(acceptedProtocols(true), path,
                        tlsServerOptions(SERVER)));
                assertThrows(IllegalArgumentException.class, () -> loop.createUnixConnection(
                        () -> new RecordingProtocol(loop), path, ConnectOptions.builder().ssl(CLIENT).build()),
                        msg("N12.14", "a Unix TLS connection without serverHostname must be refused at the call"));
                Connection<RecordingProtocol> c = Async.await(loop.createUnixConnection(
                        () -> new RecordingProtocol(loop), path,
                        ConnectOptions.builder().ssl(CLIENT).serverHostname("localhost").build()));
                engineOf("N12.14", c.transport());
                c.transport().write(bytes("unix tls"));
                Async.await(c.protocol().received(8));
                c.transport().close();
                Async.await(c.protocol().lost);
                server.close();
                Async.await(server.waitClosed());
                return c.protocol().text();
            });
            assertEquals("unix tls", echoed, msg("N12.14", "bytes must go both ways over TLS on a Unix socket"));
        } finally {
            Files.deleteIfExists(path);
            Files.deleteIfExists(dir);
        }
    }

    @Test
    @DisplayName("N12.15 Streams.openConnection/startServer run TLS through their options; drain waits on TLS")
    void required_N12_15_streams() {
        List<Object> out = run("N12.15", Duration.ofSeconds(20), () -> {
            AsyncQueue<StreamPair> pairs = new AsyncQueue<>();
            Server server = Async.await(Streams.startServer((r, w) -> pairs.put(new StreamPair(r, w)), HOST, 0,
                    tlsServerOptions(SERVER)));
            StreamPair client = Async.await(Streams.openConnection(HOST, port(server), tlsClientOptions()));
            StreamPair peer = pairs.get();
            client.writer().write(bytes("line one\n"));
            byte[] line = Async.await(peer.reader().readLine());
            byte[] big = pattern(8 * 1024 * 1024);
            client.writer().write(big);
            Future<@Nullable Void> drain = client.writer().drain();
            boolean drainWaited = !drain.isDone();
            byte[] got = Async.await(peer.reader().readExactly(big.length));
            Async.await(drain);
            Object engine = client.writer().getExtraInfo(Transport.SSL_OBJECT).orElse(null);
            client.writer().close();
            Async.await(client.writer().waitClosed());
            peer.writer().close();
            server.close();
            return List.of(new String(line, java.nio.charset.StandardCharsets.US_ASCII), drainWaited,
                    java.util.Arrays.equals(big, got), engine instanceof SSLEngine);
        });
        assertEquals("line one\n", out.get(0), msg("N12.15", "a line must cross a TLS stream"));
        assertEquals(true, out.get(1), msg("N12.15", "drain() after writing 8 MiB to a peer not reading must wait"));
        assertEquals(true, out.get(2), msg("N12.15", "8 MiB must cross a TLS stream intact"));
        assertEquals(true, out.get(3), msg("N12.15", "the stream's transport must be the TLS one"));
    }

    @Test
    @DisplayName("N12.16 StreamWriter.startTls upgrades open streams on both sides")
    void required_N12_16_writerStartTls() {
        List<Object> out = run("N12.16", () -> {
            Future<String> serverSaw = loop.createFuture();
            Server server = Async.await(Streams.startServer((r, w) -> {
                Async.await(r.readLine());
                w.write(bytes("OK\n"));
                Async.await(w.startTls(SERVER, TlsOptions.server()));
                byte[] secret = Async.await(r.readLine());
                serverSaw.setResult(new String(secret, java.nio.charset.StandardCharsets.US_ASCII));
                w.write(secret);
                Async.await(w.drain());
            }, HOST, 0));
            StreamPair c = Async.await(Streams.openConnection(HOST, port(server)));
            c.writer().write(bytes("STARTTLS\n"));
            byte[] ok = Async.await(c.reader().readLine());
            assertThrows(IllegalArgumentException.class, () -> c.writer().startTls(CLIENT, TlsOptions.server()),
                    msg("N12.16", "a client stream must refuse server-side options"));
            Async.await(c.writer().startTls(CLIENT, TlsOptions.client(HOST)));
            c.writer().write(bytes("secret\n"));
            byte[] back = Async.await(c.reader().readLine());
            Object engine = c.writer().transport().getExtraInfo(Transport.SSL_OBJECT).orElse(null);
            c.writer().close();
            Async.await(c.writer().waitClosed());
            server.close();
            return List.of(new String(ok, java.nio.charset.StandardCharsets.US_ASCII), Async.await(serverSaw),
                    new String(back, java.nio.charset.StandardCharsets.US_ASCII), engine instanceof SSLEngine);
        });
        assertEquals("OK\n", out.get(0), msg("N12.16", "the plain exchange before startTls must work"));
        assertEquals("secret\n", out.get(1), msg("N12.16", "the server must read over TLS after startTls"));
        assertEquals("secret\n", out.get(2), msg("N12.16", "the client must read over TLS after startTls"));
        assertEquals(true, out.get(3), msg("N12.16", "writer.transport() must be the TLS transport after startTls"));
    }

    @Test
    @DisplayName("N12.40 StreamWriter.startTls hands the bytes the reader already holds to the TLS layer")
    void required_N12_40_startTlsTakesHeldBytes() {
        List<Object> out = run("N12.40", () -> {
            Future<String> line = loop.createFuture();
            Server server = Async.await(Streams.startServer((r, w) -> {
                line.setResult(new String(Async.await(r.readLine()), java.nio.charset.StandardCharsets.US_ASCII));
                Async.await(w.startTls(SERVER, TlsOptions.server()));
            }, HOST, 0));
            SSLEngine client = CLIENT.createSSLEngine(HOST, port(server));
            client.setUseClientMode(true);
            ByteBuffer hello = ByteBuffer.allocate(client.getSession().getPacketBufferSize());
            client.wrap(ByteBuffer.allocate(0), hello);
            hello.flip();
            ByteBuffer both = ByteBuffer.allocate(9 + hello.remaining()).put(bytes("STARTTLS\n")).put(hello).flip();
            try (SocketChannel raw = SocketChannel.open()) {
                raw.configureBlocking(false);
                Async.await(loop.sockConnect(raw, new java.net.InetSocketAddress(HOST, port(server))));
                // The line and the ClientHello in one write: the server's reader holds the hello when it has the line.
                Async.await(loop.sockSendAll(raw, both));
                byte[] answer = dev.asyncloop.Tasks.waitFor(loop.sockRecv(raw, 5), Duration.ofSeconds(5));
                server.close();
                return List.of(Async.await(line), answer.length > 0 && answer[0] == 0x16);
            }
        });
        assertEquals("STARTTLS\n", out.get(0), msg("N12.40", "the server must read the plain line"));
        assertEquals(true, out.get(1), msg("N12.40", "the server's TLS layer must answer the ClientHello the reader"
                + " held when startTls was called with a handshake record"));
    }

    @Test
    @DisplayName("N12.17 bad TLS arguments are refused at the call with IllegalArgumentException / IllegalStateException")
    void required_N12_17_badInput() {
        assertThrows(IllegalArgumentException.class, () -> ConnectOptions.builder().serverHostname("x").build(),
                msg("N12.17", "serverHostname without ssl must be refused"));
        assertThrows(IllegalArgumentException.class,
                () -> ConnectOptions.builder().sslHandshakeTimeout(Duration.ofSeconds(1)).build(),
                msg("N12.17", "a handshake timeout without ssl must be refused"));
        assertThrows(IllegalArgumentException.class,
                () -> ConnectOptions.builder().sslHandshakeTimeout(Duration.ZERO), msg("N12.17",
                        "a zero handshake timeout must be refused"));
        assertThrows(IllegalArgumentException.class,
                () -> ServerOptions.builder().sslShutdownTimeout(Duration.ofSeconds(-1)), msg("N12.17",
                        "a negative shutdown timeout must be refused"));
        assertThrows(IllegalArgumentException.class,
                () -> TlsOptions.builder().serverSide(true).serverHostname("x").build(), msg("N12.17",
                        "a server host name on the server side must be refused"));
        run("N12.17", () -> {
            Server server = startServer(false);
            Connection<RecordingProtocol> c = Async.await(loop.createConnection(() -> new RecordingProtocol(loop),
                    HOST, port(server)));
            assertThrows(IllegalArgumentException.class, () -> loop.startTls(c.transport(), c.protocol(), CLIENT,
                    TlsOptions.builder().build()), msg("N12.17", "client-side startTls without serverHostname must"
                    + " be refused"));
            assertTrue(c.transport().isReading(), msg("N12.17", "a refused startTls must leave the transport as it"
                    + " was"));
            c.transport().close();
            assertThrows(IllegalStateException.class, () -> loop.startTls(c.transport(), c.protocol(), CLIENT,
                    TlsOptions.client(HOST)), msg("N12.17", "startTls on a closing transport must be refused"));
            Async.await(c.protocol().lost);
            server.close();
            return null;
        });
    }

    @Test
    @DisplayName("N12.18 a TLS transport cannot half-close: canWriteEof() false, writeEof() throws; writes after close are dropped")
    void required_N12_18_noWriteEof() {
        List<Object> out = run("N12.18", () -> {
            Server server = tlsServer(false);
            Connection<RecordingProtocol> c = tlsConnect(port(server), tlsClientOptions());
            boolean can = c.transport().canWriteEof();
            Throwable e = null;
            try {
                c.transport().writeEof();
            } catch (RuntimeException thrown) {
                e = thrown;
            }
            c.transport().close();
            c.transport().write(bytes("dropped"));
            Async.await(c.protocol().lost);
            server.close();
            return java.util.Arrays.asList(can, e);
        });
        assertEquals(false, out.get(0), msg("N12.18", "canWriteEof() must be false for TLS (asyncio)"));
        assertInstanceOf(UnsupportedOperationException.class, out.get(1), msg("N12.18", "writeEof() must throw"
                + " UnsupportedOperationException"));
    }

    /** Writes a greeting in connectionMade, before any byte from the peer. */
    final class Greeter extends RecordingProtocol {
        Greeter() {
            super(TlsRules.this.loop);
        }

        @Override
        public void connectionMade(Transport transport) {
            super.connectionMade(transport);
            this.transport.write(bytes("hi"));
        }
    }

    @Test
    @DisplayName("N12.19 data written in connectionMade on both sides arrives (even in the handshake's last read)")
    void required_N12_19_writeInConnectionMade() {
        List<Object> out = run("N12.19", () -> {
            List<Greeter> servers = new ArrayList<>();
            Server server = Async.await(loop.createServer(() -> {
                Greeter g = new Greeter();
                servers.add(g);
                return g;
            }, HOST, 0, tlsServerOptions(SERVER)));
            Connection<Greeter> c = Async.await(loop.createConnection(Greeter::new, HOST, port(server),
                    tlsClientOptions()));
            Async.await(c.protocol().received(2));
            long end = System.nanoTime() + defaultWait().toNanos();
            while (servers.isEmpty() && System.nanoTime() < end) {
                Async.sleep(Duration.ofMillis(2));
            }
            Async.await(servers.getFirst().received(2));
            c.transport().close();
            Async.await(c.protocol().lost);
            server.close();
            return List.of(c.protocol().text(), servers.getFirst().text());
        });
        assertEquals("hi", out.get(0), msg("N12.19", "the server's greeting must reach the client"));
        assertEquals("hi", out.get(1), msg("N12.19", "the client's greeting must reach the server"));
    }

    @Test
    @DisplayName("N12.20 startTls against a peer with an untrusted certificate fails with the SSLException and closes")
    void required_N12_20_startTlsFailure() {
        List<Object> out = run("N12.20", () -> {
            Server server = startServer(false);
            Connection<RecordingProtocol> c = Async.await(loop.createConnection(() -> new RecordingProtocol(loop),
                    HOST, port(server)));
            RecordingProtocol peer = awaitAccepted("N12.20", 0);
            Future<StreamTransport> serverSide = loop.startTls(peer.transport, peer, TlsContexts.untrustedServer(),
                    TlsOptions.server());
            Throwable e = failureOf("N12.20", loop.startTls(c.transport(), c.protocol(), CLIENT,
                    TlsOptions.client(HOST)), "startTls against an untrusted certificate");
            Throwable serverError = failureOf("N12.20", serverSide, "the server side of a rejected handshake");
            Async.await(c.protocol().lost);
            server.close();
            return List.of(e, serverError, c.transport().isClosing());
        });
        assertInstanceOf(SSLException.class, out.get(0), msg("N12.20", "startTls must fail with the SSLException,"
                + " got " + out.get(0)));
        assertInstanceOf(SSLException.class, out.get(1), msg("N12.20", "the rejected server side must fail with an"
                + " SSLException too, got " + out.get(1)));
        assertEquals(true, out.get(2), msg("N12.20", "a failed startTls must close the transport"));
    }

    @Test
    @DisplayName("N12.21 the peer's close_notify reaches the protocol as eofReceived, then connectionLost(null)")
    void required_N12_21_peerCloses() {
        List<Object> out = run("N12.21", () -> {
            Server server = tlsServer(false);
            Connection<RecordingProtocol> c = tlsConnect(port(server), tlsClientOptions());
            RecordingProtocol peer = awaitAccepted("N12.21", 0);
            peer.transport.write(bytes("bye"));
            peer.transport.close();
            Throwable lost = Async.await(c.protocol().lost);
            Async.await(peer.lost);
            boolean inboundDone = engineOf("N12.21", c.transport()).isInboundDone();
            server.close();
            return java.util.Arrays.asList(c.protocol().events, lost, c.protocol().text(), c.transport().isClosing(),
                    inboundDone);
        });
        assertEquals(List.of("made", "data", "eof", "lost"), out.get(0), msg("N12.21", "the client must see data,"
                + " eofReceived, connectionLost"));
        assertNull(out.get(1), msg("N12.21", "connectionLost must get null after the peer's regular close"));
        assertEquals("bye", out.get(2), msg("N12.21", "data sent before close_notify must arrive"));
        assertEquals(true, out.get(3), msg("N12.21", "the transport must be closing after the peer closed"));
        assertEquals(true, out.get(4), msg("N12.21", "the peer's close() must send close_notify (the engine's"
                + " isInboundDone)"));
    }

    @Test
    @DisplayName("N12.22 a peer that closes the socket without close_notify: eofReceived, then connectionLost(null)")
    void required_N12_22_raggedEof() {
        List<Object> out = run("N12.22", () -> {
            Server server = tlsServer(true);
            Connection<RecordingProtocol> plain = Async.await(loop.createConnection(() -> new RecordingProtocol(loop),
                    HOST, port(server)));
            StreamTransport tls = Async.await(loop.startTls(plain.transport(), plain.protocol(), CLIENT,
                    TlsOptions.client(HOST)));
            RecordingProtocol peer = awaitAccepted("N12.22", 0);
            tls.write(bytes("ping"));
            Async.await(plain.protocol().received(4));
            // Close the socket under the TLS layer: a FIN without close_notify.
            plain.transport().close();
            Throwable lost = Async.await(peer.lost);
            boolean inboundDone = engineOf("N12.22", peer.transport).isInboundDone();
            server.close();
            return java.util.Arrays.asList(peer.events, lost, inboundDone);
        });
        assertEquals(List.of("made", "data", "eof", "lost"), out.get(0), msg("N12.22", "a socket closed without"
                + " close_notify must reach the protocol as eofReceived then connectionLost (asyncio)"));
        assertNull(out.get(1), msg("N12.22", "connectionLost must get null, as in asyncio"));
        assertEquals(false, out.get(2), msg("N12.22", "no close_notify was sent, so the engine must not have"
                + " seen one"));
    }

    /** A protocol that stops reading as soon as it is made. */
    final class Deaf extends RecordingProtocol {
        Deaf() {
            super(TlsRules.this.loop);
        }

        @Override
        public void connectionMade(Transport transport) {
            super.connectionMade(transport);
            this.transport.pauseReading();
        }
    }

    @Test
    @DisplayName("N12.23 close waits for the peer's close_notify at most sslShutdownTimeout, then aborts: TimeoutError")
    void required_N12_23_shutdownTimeout() {
        List<Object> out = run("N12.23", () -> {
            Server server = Async.await(loop.createServer(Deaf::new, HOST, 0, tlsServerOptions(SERVER)));
            Connection<RecordingProtocol> c = tlsConnect(port(server), ConnectOptions.builder().ssl(CLIENT)
                    .sslShutdownTimeout(Duration.ofMillis(300)).build());
            long start = System.nanoTime();
            c.transport().close();
            Throwable lost = Async.await(c.protocol().lost);
            long waitedMillis = (System.nanoTime() - start) / 1_000_000;
            server.close();
            server.closeClients();
            return java.util.Arrays.asList(lost, waitedMillis);
        });
        assertInstanceOf(dev.asyncloop.TimeoutError.class, out.get(0), msg("N12.23", "a peer that never answers"
                + " close_notify must make connectionLost get a TimeoutError after the shutdown timeout, got "
                + out.get(0)));
        assertTrue((Long) out.get(1) >= 250, msg("N12.23", "close must wait for the peer's close_notify until the"
                + " shutdown timeout, waited only " + out.get(1) + " ms"));
    }
    /** A buffered protocol with a 1000-byte buffer that pauses reading whenever the buffer is full. */
    static final class BoundedBuffered implements dev.asyncloop.BufferedProtocol {
        final EventLoop loop;
        final ByteBuffer buffer = ByteBuffer.allocate(1000);
        final java.io.ByteArrayOutputStream data = new java.io.ByteArrayOutputStream();
        final Future<@Nullable Throwable> lost;
        StreamTransport transport;
        Future<@Nullable Void> paused;
        int updatesWhilePaused;

        BoundedBuffered(EventLoop loop) {
            this.loop = loop;
            this.lost = loop.createFuture();
            this.paused = loop.createFuture();
        }

        @Override
        public void connectionMade(Transport transport) {
            this.transport = (StreamTransport) transport;
        }

        @Override
        public ByteBuffer getBuffer(int sizeHint) {
            return buffer;
        }

        @Override
        public void bufferUpdated(int nbytes) {
            if (!transport.isReading()) {
                updatesWhilePaused++;
            }
            if (!buffer.hasRemaining()) {
                transport.pauseReading();
                paused.setResult(null);
            }
        }

        /** Takes what the buffer holds and reads on. */
        void drainAndResume() {
            data.write(buffer.array(), 0, buffer.position());
            buffer.clear();
            paused = loop.createFuture();
            transport.resumeReading();
        }

        @Override
        public void connectionLost(@Nullable Throwable exception) {
            lost.setResult(exception);
        }
    }

    @Test
    @DisplayName("N12.24 a BufferedProtocol that pauses reading when its buffer is full gets no more until it resumes")
    void required_N12_24_bufferedPause() {
        byte[] big = new byte[20_000];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 13 + (i >> 7));
        }
        List<Object> out = run("N12.24", () -> {
            Server server = tlsServer(false);
            Connection<BoundedBuffered> c = Async.await(loop.createConnection(() -> new BoundedBuffered(loop),
                    HOST, port(server), tlsClientOptions()));
            RecordingProtocol peer = awaitAccepted("N12.24", 0);
            peer.transport.write(ByteBuffer.wrap(big));
            BoundedBuffered p = c.protocol();
            Async.await(p.paused);
            Async.sleep(Duration.ofMillis(50));
            int heldWhilePaused = p.buffer.position();
            boolean lostWhilePaused = p.lost.isDone();
            while (p.data.size() + p.buffer.position() < big.length && !p.lost.isDone()) {
                p.drainAndResume();
                Async.await(p.paused); // 20 000 bytes: every round fills the buffer exactly
            }
            p.data.write(p.buffer.array(), 0, p.buffer.position());
            boolean lostBeforeClose = p.lost.isDone();
            c.transport().close();
            Throwable lost = Async.await(p.lost);
            server.close();
            return java.util.Arrays.asList(heldWhilePaused, lostWhilePaused, p.updatesWhilePaused, lostBeforeClose,
                    lost, p.data.toByteArray());
        });
        assertEquals(1000, out.get(0), msg("N12.24", "while paused, the protocol must hold exactly the one buffer"
                + " it filled"));
        assertEquals(false, out.get(1), msg("N12.24", "a paused buffered protocol with a record larger than its"
                + " buffer must keep its connection"));
        assertEquals(0, out.get(2), msg("N12.24", "no bufferUpdated may come while reading is paused"));
        assertEquals(false, out.get(3), msg("N12.24", "the connection must stay up until closed"));
        assertNull(out.get(4), msg("N12.24", "close() must end the connection cleanly"));
        assertArrayEquals(big, (byte[]) out.get(5), msg("N12.24", "every byte must arrive, in order"));
    }

    // ------------------------------------------------------------------ TLS on accepted sockets (N12.25-N12.32)

    /**
     * Inside a task: connects a TLS client to {@code listener}, accepts with sockAccept, and serves the accepted
     * channel with connectAcceptedSocket over TLS, protocols from {@code factory}; returns {server, client}.
     */
    final <P extends RecordingProtocol> List<Connection<? extends RecordingProtocol>> acceptTls(
            ServerSocketChannel listener, java.util.function.Supplier<P> factory) throws IOException {
        Future<Connection<RecordingProtocol>> client = loop.createConnection(() -> new RecordingProtocol(loop), HOST,
                port(listener), tlsClientOptions());
        SocketChannel channel = track(Async.await(loop.sockAccept(listener)));
        Connection<P> server = Async.await(loop.connectAcceptedSocket(factory, channel, SERVER, TlsOptions.server()));
        return List.of(server, Async.await(client));
    }

    /** Inside a task: waits (bounded) for {@code channel} to be closed; returns whether it is. */
    static boolean awaitClosed(java.nio.channels.Channel channel) {
        long end = System.nanoTime() + defaultWait().toNanos();
        while (channel.isOpen() && System.nanoTime() < end) {
            Async.sleep(Duration.ofMillis(2));
        }
        return !channel.isOpen();
    }

    @Test
    @DisplayName("N12.25 connectAcceptedSocket with ssl serves an accepted TCP connection over TLS: handshake, then echo")
    void required_N12_25_acceptedEcho() throws IOException {
        ServerSocketChannel listener = listener();
        List<Object> out = run("N12.25", () -> {
            List<Connection<? extends RecordingProtocol>> pair = acceptTls(listener, acceptedProtocols(true));
            Connection<? extends RecordingProtocol> server = pair.get(0);
            Connection<? extends RecordingProtocol> client = pair.get(1);
            client.transport().write(bytes("accepted over TLS"));
            Async.await(client.protocol().received(17));
            Object engine = server.transport().getExtraInfo(Transport.SSL_OBJECT).orElse(null);
            boolean sameProtocol = !accepted.isEmpty() && server.protocol() == accepted.getFirst();
            client.transport().close();
            Async.await(client.protocol().lost);
            Async.await(server.protocol().lost);
            return List.of(client.protocol().text(), server.protocol().text(), engine instanceof SSLEngine e
                    && !e.getUseClientMode(), sameProtocol);
        });
        assertEquals("accepted over TLS", out.get(0), msg("N12.25", "the TLS client must get its bytes echoed by"
                + " the protocol of the accepted connection; check that connectAcceptedSocket with a context runs"
                + " TLS over the channel"));
        assertEquals("accepted over TLS", out.get(1), msg("N12.25", "the accepted connection's protocol must"
                + " receive the decrypted bytes"));
        assertEquals(true, out.get(2), msg("N12.25", "the accepted connection's transport must be a TLS transport"
                + " whose ssl_object is a server-side SSLEngine"));
        assertEquals(true, out.get(3), msg("N12.25", "the Connection must carry the protocol the factory made"));
    }

    @Test
    @DisplayName("N12.26 connectAcceptedSocket with ssl is done after the handshake and connectionMade, with the TLS transport")
    void required_N12_26_acceptedDoneAfterHandshake() throws IOException {
        ServerSocketChannel listener = listener();
        List<HandshakeWitness> made = new ArrayList<>();
        List<Object> out = run("N12.26", () -> {
            List<Connection<? extends RecordingProtocol>> pair = acceptTls(listener, () -> {
                HandshakeWitness w = new HandshakeWitness(loop);
                made.add(w);
                return w;
            });
            Connection<? extends RecordingProtocol> server = pair.get(0);
            boolean madeAtDone = server.protocol().made.isDone();
            boolean sameTransport = server.transport() == server.protocol().transport;
            boolean tlsTransport = server.transport().getExtraInfo(Transport.SSL_OBJECT).isPresent();
            pair.get(1).transport().close();
            Async.await(pair.get(1).protocol().lost);
            Async.await(server.protocol().lost);
            return List.of(madeAtDone, sameTransport, tlsTransport);
        });
        assertEquals(true, out.get(0), msg("N12.26", "the future must be done only after the protocol's"
                + " connectionMade"));
        assertEquals(true, out.get(1), msg("N12.26", "the Connection's transport must be the one connectionMade got"));
        assertEquals(true, out.get(2), msg("N12.26", "the Connection's transport must be the TLS transport"
                + " (ssl_object present), not the raw socket transport"));
        assertFalse(made.isEmpty(), msg("N12.26", "the factory was never called"));
        assertTrue(made.getFirst().engineAtMade, msg("N12.26", "at connectionMade the transport must already have"
                + " its ssl_object"));
        assertNotNull(made.getFirst().cipherAtMade, msg("N12.26", "at connectionMade the cipher must be negotiated:"
                + " connectionMade must come after the handshake"));
    }

    @Test
    @DisplayName("N12.27 a failed handshake on an accepted socket fails the future with the SSLException and closes the channel")
    void required_N12_27_acceptedHandshakeFails() throws IOException {
        ServerSocketChannel listener = listener();
        List<Object> out = run("N12.27", () -> {
            Future<Connection<RecordingProtocol>> client = loop.createConnection(() -> new RecordingProtocol(loop),
                    HOST, port(listener), ConnectOptions.builder().ssl(TlsContexts.clientTrustingUntrusted())
                            .build());
            SocketChannel channel = track(Async.await(loop.sockAccept(listener)));
            Throwable e = failureOf("N12.27", loop.connectAcceptedSocket(acceptedProtocols(false), channel, SERVER,
                    TlsOptions.server()), "serving a client that rejects the server's certificate");
            failureOf("N12.27", client, "a client that rejects the server's certificate");
            boolean closed = awaitClosed(channel);
            boolean made = !accepted.isEmpty() && accepted.getFirst().made.isDone();
            return java.util.Arrays.asList(e, closed, made);
        });
        assertInstanceOf(SSLException.class, out.get(0), msg("N12.27", "the future must fail with the handshake's"
                + " SSLException, got " + out.get(0)));
        assertEquals(true, out.get(1), msg("N12.27", "a failed handshake must close the accepted channel"));
        assertEquals(false, out.get(2), msg("N12.27", "the protocol must not be made when the handshake failed"));
    }

    @Test
    @DisplayName("N12.28 a peer that never sends its ClientHello fails the accepted handshake after its timeout; the channel is closed")
    void required_N12_28_acceptedHandshakeTimeout() throws IOException {
        SocketChannel[] p = socketPair();
        List<Object> out = run("N12.28", () -> {
            long start = System.nanoTime();
            Throwable e = failureOf("N12.28", loop.connectAcceptedSocket(acceptedProtocols(false), p[0], SERVER,
                    TlsOptions.builder().serverSide(true).handshakeTimeout(Duration.ofMillis(300)).build()),
                    "a handshake with a silent peer");
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            boolean closed = awaitClosed(p[0]);
            byte[] got = Async.await(loop.sockRecv(p[1], 100));
            return java.util.Arrays.asList(e, elapsedMs, closed, got.length, accepted.size() == 1
                    && accepted.getFirst().made.isDone());
        });
        assertInstanceOf(SocketTimeoutException.class, out.get(0), msg("N12.28", "a handshake timeout must fail the"
                + " future with SocketTimeoutException, got " + out.get(0)));
        assertTrue((Long) out.get(1) >= 250, msg("N12.28", "the handshake must not time out before its 300 ms"
                + " timeout, it failed after " + out.get(1) + " ms"));
        assertEquals(true, out.get(2), msg("N12.28", "a timed-out handshake must close the accepted channel"));
        assertEquals(0, out.get(3), msg("N12.28", "the peer must see end of stream and no bytes (the server side"
                + " sends nothing before the ClientHello)"));
        assertEquals(false, out.get(4), msg("N12.28", "the protocol must not be made"));
    }

    @Test
    @DisplayName("N12.29 connectAcceptedSocket with ssl serves an accepted Unix-domain connection (when UNIX_SOCKETS is claimed)")
    void required_N12_29_acceptedUnix() throws IOException {
        requireCapability(Capability.UNIX_SOCKETS);
        Path dir = Files.createTempDirectory("al-tlsacc");
        Path path = dir.resolve("s.sock");
        try {
            ServerSocketChannel listener = track(ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX));
            listener.bind(java.net.UnixDomainSocketAddress.of(path));
            listener.configureBlocking(false);
            List<Object> out = run("N12.29", () -> {
                Future<Connection<RecordingProtocol>> client = loop.createUnixConnection(
                        () -> new RecordingProtocol(loop), path,
                        ConnectOptions.builder().ssl(CLIENT).serverHostname("localhost").build());
                SocketChannel channel = track(Async.await(loop.sockAccept(listener)));
                Connection<RecordingProtocol> server = Async.await(loop.connectAcceptedSocket(acceptedProtocols(true),
                        channel, SERVER, TlsOptions.server()));
                Connection<RecordingProtocol> c = Async.await(client);
                c.transport().write(bytes("unix accepted tls"));
                Async.await(c.protocol().received(17));
                boolean tls = server.transport().getExtraInfo(Transport.SSL_OBJECT).isPresent();
                c.transport().close();
                Async.await(c.protocol().lost);
                Async.await(server.protocol().lost);
                return List.of(c.protocol().text(), tls);
            });
            assertEquals("unix accepted tls", out.get(0), msg("N12.29", "bytes must go both ways over TLS on an"
                    + " accepted Unix-domain connection"));
            assertEquals(true, out.get(1), msg("N12.29", "the accepted Unix-domain connection's transport must be"
                    + " the TLS one"));
        } finally {
            Files.deleteIfExists(path);
            Files.deleteIfExists(dir);
        }
    }

    @Test
    @DisplayName("N12.30 the plain connectAcceptedSocket is unchanged: no TLS layer, the bytes cross as they are")
    void required_N12_30_acceptedPlain() throws IOException {
        SocketChannel[] p = socketPair();
        List<Object> out = run("N12.30", () -> {
            Connection<RecordingProtocol> c = Async.await(loop.connectAcceptedSocket(
                    () -> new RecordingProtocol(loop), p[0]));
            boolean tls = c.transport().getExtraInfo(Transport.SSL_OBJECT).isPresent()
                    || c.transport().getExtraInfo(Transport.SSL_CONTEXT).isPresent();
            c.transport().write(bytes("plain"));
            byte[] got = recvExactly(p[1], 5);
            Async.await(loop.sockSendAll(p[1], buf(bytes("back"))));
            Async.await(c.protocol().received(4));
            c.transport().close();
            Async.await(c.protocol().lost);
            return List.of(tls, new String(got, java.nio.charset.StandardCharsets.US_ASCII), c.protocol().text());
        });
        assertEquals(false, out.get(0), msg("N12.30", "a plain accepted connection must have no TLS extra info"));
        assertEquals("plain", out.get(1), msg("N12.30", "the peer must receive the bytes written, unencrypted"));
        assertEquals("back", out.get(2), msg("N12.30", "the protocol must receive the peer's bytes as sent"));
    }

    @Test
    @DisplayName("N12.31 connectAcceptedSocket with ssl refuses bad input at the call and leaves the channel as it was")
    @SuppressWarnings("NullAway") // passes null on purpose: the rule is that it is rejected
    void required_N12_31_acceptedBadInput() throws IOException {
        SocketChannel[] p = socketPair();
        SocketChannel unconnected = track(SocketChannel.open());
        SocketChannel closed = track(SocketChannel.open());
        closed.close();
        run("N12.31", () -> {
            java.util.function.Supplier<RecordingProtocol> factory = () -> new RecordingProtocol(loop);
            assertThrows(NullPointerException.class, () -> loop.connectAcceptedSocket(factory, p[0], null,
                    TlsOptions.server()), msg("N12.31", "a null context must be refused"));
            assertThrows(NullPointerException.class, () -> loop.connectAcceptedSocket(factory, p[0], SERVER, null),
                    msg("N12.31", "null options must be refused"));
            assertThrows(IllegalArgumentException.class, () -> loop.connectAcceptedSocket(factory, p[0], SERVER,
                    TlsOptions.client(HOST)), msg("N12.31", "client-side options must be refused: an accepted"
                    + " connection is the TLS server"));
            assertThrows(IllegalArgumentException.class, () -> loop.connectAcceptedSocket(factory, unconnected,
                    SERVER, TlsOptions.server()), msg("N12.31", "a channel that is not connected must be refused"));
            assertThrows(IllegalArgumentException.class, () -> loop.connectAcceptedSocket(factory, closed, SERVER,
                    TlsOptions.server()), msg("N12.31", "a closed channel must be refused"));
            assertTrue(p[0].isOpen(), msg("N12.31", "a refused call must leave the channel open"));
            Connection<RecordingProtocol> c = Async.await(loop.connectAcceptedSocket(factory, p[0]));
            c.transport().write(bytes("ok"));
            byte[] got = recvExactly(p[1], 2);
            c.transport().close();
            Async.await(c.protocol().lost);
            assertEquals("ok", new String(got, java.nio.charset.StandardCharsets.US_ASCII), msg("N12.31",
                    "a channel whose TLS call was refused must still be usable"));
            return null;
        });
    }

    @Test
    @DisplayName("N12.32 cancelling connectAcceptedSocket with ssl before the handshake ends closes the channel; nothing is made")
    void required_N12_32_acceptedCancelled() throws IOException {
        SocketChannel[] p = socketPair();
        List<Object> out = run("N12.32", () -> {
            Future<Connection<RecordingProtocol>> f = loop.connectAcceptedSocket(acceptedProtocols(false), p[0],
                    SERVER, TlsOptions.server());
            boolean cancelled = f.cancel();
            boolean closed = awaitClosed(p[0]);
            byte[] got = Async.await(loop.sockRecv(p[1], 100));
            return List.of(cancelled, closed, got.length, accepted.size() == 1 && accepted.getFirst().made.isDone());
        });
        assertEquals(true, out.get(0), msg("N12.32", "the future must still be pending (the peer never answered)"));
        assertEquals(true, out.get(1), msg("N12.32", "cancelling must close the channel the loop took over"));
        assertEquals(0, out.get(2), msg("N12.32", "the peer must see end of stream"));
        assertEquals(false, out.get(3), msg("N12.32", "the protocol must not be made"));
    }
}
