package dev.asyncloop.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS contexts for tests over loopback: a server with the test key pair ({@code tls-server.p12} beside this
 * class, a self-signed certificate for {@code localhost}) and a client that trusts exactly that certificate.
 */
public final class TlsTestContexts {
    private static final String KEY_STORE = "tls-server.p12";
    private static final char[] PASSWORD = "asyncloop".toCharArray();

    private TlsTestContexts() {
    }

    /**
     * A server context and a client context that trusts it, both for {@code protocol}.
     *
     * @param protocol an {@link SSLContext} protocol name: {@code "TLS"}, {@code "TLSv1.2"}, {@code "TLSv1.3"}
     * @return {@code {server, client}}
     * @throws GeneralSecurityException if the JDK lacks the protocol or the key store's algorithms
     * @throws IOException if the key store cannot be read
     */
    public static SSLContext[] contexts(String protocol) throws GeneralSecurityException, IOException {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = TlsTestContexts.class.getResourceAsStream(KEY_STORE)) {
            if (in == null) {
                throw new IOException(KEY_STORE + " is not on the class path beside " + TlsTestContexts.class);
            }
            keys.load(in, PASSWORD);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, PASSWORD);
        SSLContext server = SSLContext.getInstance(protocol);
        server.init(kmf.getKeyManagers(), null, null);
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("server", keys.getCertificate(keys.aliases().nextElement()));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trusted);
        SSLContext client = SSLContext.getInstance(protocol);
        client.init(null, tmf.getTrustManagers(), null);
        return new SSLContext[] {server, client};
    }
}
