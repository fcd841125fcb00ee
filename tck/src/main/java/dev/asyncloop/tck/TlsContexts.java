package dev.asyncloop.tck;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS contexts of the TLS group, made from the two test keystores shipped with the kit (see README.txt next
 * to them): {@code tls-server.p12}, whose certificate the client contexts trust, and {@code tls-untrusted.p12},
 * whose certificate only {@link #clientTrustingUntrusted()} trusts. Both are for CN=localhost with the
 * subject alternative names localhost, 127.0.0.1 and ::1.
 */
final class TlsContexts {
    private static final char[] PASSWORD = "asyncloop".toCharArray();

    private TlsContexts() {
    }

    /** A server context with the trusted certificate. */
    static SSLContext server() {
        return serverWith("tls-server.p12");
    }

    /** A server context with a certificate the ordinary client does not trust. */
    static SSLContext untrustedServer() {
        return serverWith("tls-untrusted.p12");
    }

    /** A client context that trusts the server certificate only. */
    static SSLContext client() {
        return clientTrusting("tls-server.p12");
    }

    /** A client context that trusts the untrusted certificate only (so it rejects the ordinary server). */
    static SSLContext clientTrustingUntrusted() {
        return clientTrusting("tls-untrusted.p12");
    }

    /**
     * A server context with the trusted certificate that trusts, as client certificates, the untrusted keystore's
     * certificate only (for client authentication).
     */
    static SSLContext serverTrustingClients() {
        return context("tls-server.p12", "tls-untrusted.p12");
    }

    /** A client context that trusts the server certificate and presents the untrusted keystore's as its own. */
    static SSLContext clientWithCertificate() {
        return context("tls-untrusted.p12", "tls-server.p12");
    }

    /** The certificate of {@code keystore}'s one entry. */
    static Certificate certificateOf(String keystore) {
        try {
            KeyStore keys = load(keystore);
            return keys.getCertificate(keys.aliases().nextElement());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("[TCK] cannot read the certificate of " + keystore, e);
        }
    }

    /** A context with {@code ownKeystore}'s key and certificate that trusts {@code trustedKeystore}'s certificate. */
    private static SSLContext context(String ownKeystore, String trustedKeystore) {
        try {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(load(ownKeystore), PASSWORD);
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            trusted.setCertificateEntry("trusted", certificateOf(trustedKeystore));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("[TCK] cannot make a TLS context of " + ownKeystore + " trusting "
                    + trustedKeystore, e);
        }
    }

    private static SSLContext serverWith(String keystore) {
        try {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(load(keystore), PASSWORD);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("[TCK] cannot make a server TLS context from " + keystore, e);
        }
    }

    private static SSLContext clientTrusting(String keystore) {
        try {
            KeyStore keys = load(keystore);
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            String alias = keys.aliases().nextElement();
            Certificate certificate = keys.getCertificate(alias);
            trusted.setCertificateEntry(alias, certificate);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("[TCK] cannot make a client TLS context trusting " + keystore, e);
        }
    }

    private static KeyStore load(String name) throws GeneralSecurityException {
        try (InputStream in = TlsContexts.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("[TCK] test keystore " + name + " is missing from the kit's jar");
            }
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, PASSWORD);
            return store;
        } catch (IOException e) {
            throw new UncheckedIOException("[TCK] cannot read test keystore " + name, e);
        }
    }
}
