package dev.asyncloop.nio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.asyncloop.EventLoopGroup;
import dev.asyncloop.GroupServer;
import dev.asyncloop.Protocol;
import dev.asyncloop.ServerOptions;
import dev.asyncloop.StreamTransport;
import dev.asyncloop.Transport;
import dev.asyncloop.testsupport.TlsTestContexts;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** An {@link EventLoopGroup} server with {@link ServerOptions#ssl()}: TLS in both modes, on every loop. */
class GroupTlsServerTest {
    private static final long WAIT = 10;
    private EventLoopGroup group;

    @BeforeEach
    void start() {
        group = EventLoopGroup.create(2, NioEventLoop::new);
    }

    @AfterEach
    void stop() {
        group.close();
    }

    @ParameterizedTest
    @EnumSource(GroupServer.Mode.class)
    void everyConnectionRunsTls(GroupServer.Mode mode) throws Exception {
        Assumptions.assumeTrue(mode != GroupServer.Mode.REUSE_PORT || EventLoopGroup.reusePortSupported(),
                "SO_REUSEPORT not available here");
        SSLContext[] contexts = TlsTestContexts.contexts("TLS");
        SSLContext server = contexts[0];
        SSLContext client = contexts[1];

        AtomicInteger overTls = new AtomicInteger();
        GroupServer gs = group.createServer(() -> new Protocol() {
            private StreamTransport transport;

            @Override
            public void connectionMade(Transport t) {
                transport = (StreamTransport) t;
                if (t.getExtraInfo(Transport.SSL_OBJECT).isPresent()) {
                    overTls.incrementAndGet();
                }
            }

            @Override
            public void dataReceived(ByteBuffer data) {
                transport.write(data);
            }
        }, "127.0.0.1", 0, ServerOptions.builder().ssl(server).build(), mode).get(WAIT, TimeUnit.SECONDS);
        InetSocketAddress address = gs.addresses().getFirst();
        for (int i = 0; i < 4; i++) {
            byte[] message = ("tls-" + i + "\n").getBytes(StandardCharsets.US_ASCII);
            try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket(address.getAddress(),
                    address.getPort())) {
                s.setSoTimeout((int) TimeUnit.SECONDS.toMillis(WAIT));
                OutputStream out = s.getOutputStream();
                out.write(message);
                out.flush();
                assertArrayEquals(message, s.getInputStream().readNBytes(message.length), "connection " + i);
            }
        }
        assertEquals(4, overTls.get(), "every connection's protocol must see a TLS transport");
        gs.close();
        gs.waitClosed().get(WAIT, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @EnumSource(GroupServer.Mode.class)
    void theEngineParametersReachEveryLoopsConnections(GroupServer.Mode mode) throws Exception {
        Assumptions.assumeTrue(mode != GroupServer.Mode.REUSE_PORT || EventLoopGroup.reusePortSupported(),
                "SO_REUSEPORT not available here");
        SSLContext[] contexts = TlsTestContexts.contexts("TLS");
        Set<Object> configuredOn = ConcurrentHashMap.newKeySet();
        AtomicInteger configured = new AtomicInteger();
        ServerOptions options = ServerOptions.builder().ssl(contexts[0]).sslParameters(p -> {
            configured.incrementAndGet();
            configuredOn.add(dev.asyncloop.spi.RunningLoops.current().map(Object.class::cast).orElse("no loop"));
            p.setApplicationProtocols(new String[] {"h2", "http/1.1"});
        }).build();
        GroupServer gs = group.createServer(() -> new Protocol() { }, "127.0.0.1", 0, options, mode)
                .get(WAIT, TimeUnit.SECONDS);
        InetSocketAddress address = gs.addresses().getFirst();
        for (int i = 0; i < 4; i++) {
            try (SSLSocket s = (SSLSocket) contexts[1].getSocketFactory().createSocket(address.getAddress(),
                    address.getPort())) {
                s.setSoTimeout((int) TimeUnit.SECONDS.toMillis(WAIT));
                SSLParameters parameters = s.getSSLParameters();
                parameters.setApplicationProtocols(new String[] {"http/1.1"});
                s.setSSLParameters(parameters);
                s.startHandshake();
                assertEquals("http/1.1", s.getApplicationProtocol(), "connection " + i + ": the server's engine"
                        + " must offer the ALPN protocols its sslParameters configurer set");
            }
        }
        assertEquals(4, configured.get(), "the configurer runs once per connection's engine");
        assertEquals(Set.of(), configuredOn.stream().filter(l -> !group.loops().contains(l)).collect(
                java.util.stream.Collectors.toSet()), "the configurer runs on the group's loops");
        gs.close();
        gs.waitClosed().get(WAIT, TimeUnit.SECONDS);
    }
}
