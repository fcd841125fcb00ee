package dev.asyncloop.examples;

import dev.asyncloop.ServerOptions;
import dev.asyncloop.Streams;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

/**
 * TLS echo server written with streams: {@link StreamsEchoServer}'s handler behind
 * {@code ServerOptions.builder().ssl(context)} (asyncio's {@code start_server(..., ssl=context)}). Each connection
 * runs the server side of a TLS handshake first; a client that fails it is dropped and the server goes on.
 *
 * <p>{@code TlsEchoServer [--host HOST] [--port PORT] [--keystore PATH --password P]} (default 127.0.0.1:8443;
 * port 0 = ephemeral) prints {@code READY <port>} once listening and stops on SIGTERM or Ctrl-C.
 *
 * <p><b>The key.</b> With {@code --keystore} the server's key and certificate chain come from that keystore (PKCS12
 * or JKS, told apart by its content), whose store and key password is {@code P}; a password on the command line
 * is visible to other local users ({@code ps}), so keep such keystores for testing. Without it the server uses a
 * self-signed test key shipped in this module's resources ({@code tls-echo-test.p12}, CN=localhost, valid for
 * {@code localhost}, {@code 127.0.0.1} and {@code ::1}; see the README next to it). The JDK has no public API that
 * makes a certificate (only {@code keytool}, a separate program), so the key was made once with {@code keytool}
 * and is shipped rather than generated at start-up. It is public: clients must trust it explicitly, and it
 * protects nothing. Try it with
 * {@code openssl s_client -connect 127.0.0.1:8443 -CAfile cert.pem}, the certificate exported with
 * {@code keytool -exportcert -rfc -alias localhost -keystore tls-echo-test.p12 -storepass asyncloop}.
 */
public final class TlsEchoServer {
    /** The port without {@code --port}. */
    public static final int DEFAULT_PORT = 8443;
    /** The resource name of the shipped test keystore, next to this class. */
    static final String TEST_KEYSTORE = "tls-echo-test.p12";
    /** The store and key password of the shipped test keystore. */
    static final String TEST_PASSWORD = "asyncloop";

    private TlsEchoServer() {
    }

    /**
     * Runs the server until SIGTERM or Ctrl-C. A bad option, or a keystore that cannot be read, prints the reason
     * and exits with status 2.
     *
     * @param args {@code --host HOST --port PORT --keystore PATH --password P}
     */
    public static void main(String[] args) {
        SSLContext context;
        List<String> rest;
        try {
            KeyArgs keys = KeyArgs.parse(args);
            rest = keys.rest();
            Path keystore = keys.keystore();
            String password = keys.password();
            if (keystore == null || password == null) { // parse gives both or neither
                context = testServerContext();
                System.err.println("TlsEchoServer: no --keystore given: serving with the shipped self-signed test"
                        + " key (CN=localhost); clients must trust it explicitly, and it protects nothing");
            } else {
                context = serverContext(keystore, password.toCharArray());
            }
        } catch (IllegalArgumentException | IOException | GeneralSecurityException e) {
            System.err.println("TlsEchoServer: " + e.getMessage());
            System.exit(2);
            return;
        }
        app(context).runMain(rest.toArray(String[]::new), DEFAULT_PORT);
    }

    /**
     * Returns a runnable instance serving TLS with {@code context}, for tests and embedding.
     *
     * @param context the server's TLS context, with its key material
     * @return the app
     */
    public static ServerApp app(SSLContext context) {
        ServerOptions options = ServerOptions.builder().ssl(context).build();
        return new ServerApp("TlsEchoServer", (host, port) -> Streams.startServer(StreamsEchoServer::serve, host, port,
                options, StreamsEchoServer.CHUNK));
    }

    /**
     * Makes a server context from a keystore file.
     *
     * @param keystore a PKCS12 or JKS keystore holding the server's private key and certificate chain
     * @param password the store's password, also the key's
     * @return the initialized context
     * @throws IOException if the file cannot be read, or the password is wrong; the message names the file
     * @throws GeneralSecurityException if the keystore's content cannot be used
     * @throws IllegalArgumentException if the keystore holds no private key
     */
    public static SSLContext serverContext(Path keystore, char[] password) throws IOException,
            GeneralSecurityException {
        KeyStore store;
        try {
            store = KeyStore.getInstance(keystore.toFile(), password);
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new IOException("keystore " + keystore + " not found", e);
        } catch (IOException e) {
            throw new IOException("cannot read keystore " + keystore + ": " + e.getMessage(), e);
        }
        return context(store, password, keystore.toString());
    }

    /**
     * Makes a server context with the shipped self-signed test key; see the class documentation.
     *
     * @return the initialized context
     * @throws IOException if the resource cannot be read
     * @throws GeneralSecurityException if the keystore's content cannot be used
     */
    public static SSLContext testServerContext() throws IOException, GeneralSecurityException {
        return context(testKeyStore(), TEST_PASSWORD.toCharArray(), "the shipped test keystore");
    }

    /** The shipped test keystore; clients in tests trust its certificate. */
    static KeyStore testKeyStore() throws IOException, GeneralSecurityException {
        try (InputStream in = TlsEchoServer.class.getResourceAsStream(TEST_KEYSTORE)) {
            if (in == null) {
                throw new IOException("resource " + TEST_KEYSTORE + " is missing next to " + TlsEchoServer.class);
            }
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, TEST_PASSWORD.toCharArray());
            return store;
        }
    }

    private static SSLContext context(KeyStore store, char[] password, String what)
            throws GeneralSecurityException {
        boolean hasKey = false;
        for (String alias : Collections.list(store.aliases())) {
            hasKey |= store.isKeyEntry(alias);
        }
        if (!hasKey) {
            throw new IllegalArgumentException(what + " holds no private key; a server needs its key and"
                    + " certificate chain (keytool -genkeypair, or -importkeystore from a PKCS12 file)");
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, password);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return context;
    }

    /**
     * The key options of the command line, taken out of it; the rest goes to {@link CommandLine}.
     *
     * @param keystore the keystore, or null for the shipped test key
     * @param password its password, or null
     * @param rest the other arguments, in order
     */
    record KeyArgs(@Nullable Path keystore, @Nullable String password, List<String> rest) {
        /**
         * Parses {@code --keystore PATH} and {@code --password P} (also {@code --name=value}).
         *
         * @throws IllegalArgumentException if a value is missing, or only one of the two is given
         */
        static KeyArgs parse(String[] args) {
            CommandLine.Taken options = CommandLine.take(args, Set.of("--keystore", "--password"));
            String keystore = options.values().get("--keystore");
            String password = options.values().get("--password");
            List<String> rest = options.rest();
            if ((keystore == null) != (password == null)) {
                throw new IllegalArgumentException("--keystore and --password go together: give both, or neither"
                        + " to use the shipped self-signed test key");
            }
            if (keystore != null && !Files.exists(Path.of(keystore))) {
                throw new IllegalArgumentException("--keystore " + keystore + ": no such file");
            }
            return new KeyArgs(keystore == null ? null : Path.of(keystore), password, rest);
        }
    }
}
