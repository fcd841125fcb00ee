package dev.asyncloop.bench;

import dev.asyncloop.ConnectOptions;
import dev.asyncloop.EventLoop;
import dev.asyncloop.Protocol;
import dev.asyncloop.ServerOptions;
import dev.asyncloop.StreamTransport;
import dev.asyncloop.Transport;
import dev.asyncloop.epoll.EpollEventLoop;
import dev.asyncloop.nio.NioEventLoop;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * What the TLS benchmarks share: the loops by name, the contexts (a self-signed {@code localhost} certificate in
 * {@code tls-server.p12}, trusted by the client context), the echo server's protocol.
 */
final class TlsBench {
    static final String HOST = "127.0.0.1";
    private static final char[] PASSWORD = "asyncloop".toCharArray();

    private TlsBench() {
    }

    /** A new loop: {@code nio} ({@link NioEventLoop}) or {@code epoll} ({@link EpollEventLoop}). */
    static EventLoop newLoop(String name) {
        return switch (name) {
            case "nio" -> new NioEventLoop();
            case "epoll" -> new EpollEventLoop();
            default -> throw new IllegalArgumentException("loop must be nio or epoll, got " + name);
        };
    }

    static ServerOptions serverOptions() {
        return ServerOptions.builder().ssl(SERVER).build();
    }

    static ConnectOptions clientOptions() {
        return ConnectOptions.builder().ssl(CLIENT).serverHostname("localhost").build();
    }

    private static final SSLContext SERVER;
    private static final SSLContext CLIENT;

    static {
        try {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = TlsBench.class.getResourceAsStream("tls-server.p12")) {
                if (in == null) {
                    throw new IllegalStateException("tls-server.p12 is missing from the benchmarks jar");
                }
                keys.load(in, PASSWORD);
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, PASSWORD);
            SERVER = SSLContext.getInstance("TLS");
            SERVER.init(kmf.getKeyManagers(), null, null);
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            String alias = keys.aliases().nextElement();
            trusted.setCertificateEntry(alias, keys.getCertificate(alias));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trusted);
            CLIENT = SSLContext.getInstance("TLS");
            CLIENT.init(null, tmf.getTrustManagers(), null);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot make the benchmark's TLS contexts", e);
        }
    }

    /** The server's side: writes back what it receives. */
    static final class Echo implements Protocol {
        private StreamTransport transport;

        @Override
        public void connectionMade(Transport transport) {
            this.transport = (StreamTransport) transport;
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            transport.write(data);
        }
    }
}
