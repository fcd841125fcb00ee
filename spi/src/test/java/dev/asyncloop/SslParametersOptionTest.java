package dev.asyncloop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.NoSuchAlgorithmException;
import java.util.Optional;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.Test;

/** The {@code sslParameters} option: carried from the connect and server options into the TLS options, refused without ssl. */
class SslParametersOptionTest {
    private final Consumer<SSLParameters> alpn = p -> p.setApplicationProtocols(new String[] {"h2"});

    @Test
    void theConfigurerReachesTheTlsOptions() throws NoSuchAlgorithmException {
        SSLContext context = SSLContext.getDefault();
        ConnectOptions connect = ConnectOptions.builder().ssl(context).sslParameters(alpn).build();
        assertSame(alpn, connect.sslParameters().orElseThrow());
        assertSame(alpn, connect.tlsOptions("example.org").orElseThrow().sslParameters().orElseThrow());
        ServerOptions server = ServerOptions.builder().ssl(context).sslParameters(alpn).build();
        assertSame(alpn, server.tlsOptions().orElseThrow().sslParameters().orElseThrow());
        assertEquals(Optional.empty(), TlsOptions.server().sslParameters());
        assertTrue(TlsOptions.builder().sslParameters(alpn).build().toString().contains("sslParameters="));
        assertTrue(connect.toString().contains("sslParameters=" + alpn), connect.toString());
        assertTrue(server.toString().contains("sslParameters=" + alpn), server.toString());
        assertFalse(ConnectOptions.builder().ssl(context).build().toString().contains("sslParameters"));
    }

    @Test
    void aConfigurerWithoutSslIsRefused() {
        IllegalArgumentException c = assertThrows(IllegalArgumentException.class,
                () -> ConnectOptions.builder().sslParameters(alpn).build());
        assertTrue(c.getMessage().startsWith("sslParameters is only meaningful with ssl"), c.getMessage());
        IllegalArgumentException s = assertThrows(IllegalArgumentException.class,
                () -> ServerOptions.builder().sslParameters(alpn).build());
        assertTrue(s.getMessage().startsWith("sslParameters is only meaningful with ssl"), s.getMessage());
    }
}
