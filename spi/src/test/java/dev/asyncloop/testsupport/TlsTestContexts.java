package dev.asyncloop.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.util.Base64;
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
        KeyStore keys = keyStore();
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

    /**
     * Writes the server's certificate and its unencrypted private key as PEM files, for a TLS peer that is not the
     * JDK (OpenSSL's {@code -cert} and {@code -key}, {@code -CAfile} on its client side).
     *
     * @param dir an existing directory, a test's temporary one: the key is written unprotected
     * @return {@code {certificate, key}}: {@code dir/server-cert.pem} and {@code dir/server-key.pem}
     * @throws GeneralSecurityException if the key store's entry cannot be read
     * @throws IOException if the key store cannot be read or the files cannot be written
     */
    public static Path[] writePem(Path dir) throws GeneralSecurityException, IOException {
        KeyStore keys = keyStore();
        String alias = keys.aliases().nextElement();
        Key key = keys.getKey(alias, PASSWORD);
        Path cert = Files.writeString(dir.resolve("server-cert.pem"),
                pem("CERTIFICATE", keys.getCertificate(alias).getEncoded()), StandardCharsets.US_ASCII);
        Path keyFile = Files.writeString(dir.resolve("server-key.pem"), pem("PRIVATE KEY", key.getEncoded()),
                StandardCharsets.US_ASCII);
        return new Path[] {cert, keyFile};
    }

    private static String pem(String label, byte[] der) {
        String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
        return "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n";
    }

    private static KeyStore keyStore() throws GeneralSecurityException, IOException {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = TlsTestContexts.class.getResourceAsStream(KEY_STORE)) {
            if (in == null) {
                throw new IOException(KEY_STORE + " is not on the class path beside " + TlsTestContexts.class);
            }
            keys.load(in, PASSWORD);
        }
        return keys;
    }
}
