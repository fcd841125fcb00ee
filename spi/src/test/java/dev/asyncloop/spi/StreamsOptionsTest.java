package dev.asyncloop.spi;

import static dev.asyncloop.Async.await;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.ConnectOptions;
import dev.asyncloop.Server;
import dev.asyncloop.ServerOptions;
import dev.asyncloop.StreamPair;
import dev.asyncloop.StreamReader;
import dev.asyncloop.StreamWriter;
import dev.asyncloop.Streams;
import dev.asyncloop.Transport;
import dev.asyncloop.testsupport.TlsTestContexts;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stream functions' overloads with options hand them to the loop: a Unix-domain connection over TLS, its
 * IP-only options refused, and a server on a list of hosts that does not start serving when told not to.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StreamsOptionsTest {
    private final ReadinessEventLoop loop = SelectorLoops.newLoop();
    @TempDir
    Path dir;

    @AfterEach
    void tearDown() {
        loop.close();
    }

    private static void echoLine(StreamReader reader, StreamWriter writer) throws Exception {
        writer.write(await(reader.readLine()));
        await(writer.drain());
        writer.close();
    }

    @Test
    void aUnixConnectionWithTlsOptionsIsEncryptedEndToEnd() throws Exception {
        SSLContext[] ctx = TlsTestContexts.contexts("TLS");
        Path path = dir.resolve("tls.sock");
        ConnectOptions tls = ConnectOptions.builder().ssl(ctx[1]).serverHostname("localhost").build();
        List<Object> got = loop.runUntilComplete(() -> {
            Server server = await(Streams.startUnixServer(StreamsOptionsTest::echoLine, path,
                    ServerOptions.builder().ssl(ctx[0]).build()));
            StreamPair c = await(Streams.openUnixConnection(path, tls));
            c.writer().write("over tls\n".getBytes(US_ASCII));
            String line = new String(await(c.reader().readLine()), US_ASCII);
            Object cipher = c.writer().getExtraInfo(Transport.CIPHER).orElse("none");
            c.writer().close();
            await(c.writer().waitClosed());
            server.close();
            await(server.waitClosed());
            return List.of(line, cipher);
        });
        assertEquals("over tls\n", got.get(0));
        assertTrue(got.get(1).toString().startsWith("TLS_"), "a TLS cipher suite, was " + got.get(1));
    }

    @Test
    void aUnixConnectionRefusesALocalAddressAtTheCall() {
        ConnectOptions local = ConnectOptions.builder().localAddress(new InetSocketAddress(0)).build();
        IllegalArgumentException e = loop.runUntilComplete(() -> assertThrows(IllegalArgumentException.class,
                () -> await(Streams.openUnixConnection(dir.resolve("none.sock"), local))));
        assertTrue(e.getMessage().startsWith("localAddress and happyEyeballsDelay do not apply"), e.getMessage());
    }

    @Test
    void aServerOnAListOfHostsTakesItsOptions() {
        boolean[] serving = loop.runUntilComplete(() -> {
            Server server = await(Streams.startServer(StreamsOptionsTest::echoLine, List.of("127.0.0.1"), 0,
                    ServerOptions.builder().startServing(false).build()));
            boolean before = server.isServing();
            server.startServing();
            boolean after = server.isServing();
            server.close();
            await(server.waitClosed());
            return new boolean[] {before, after};
        });
        assertFalse(serving[0], "startServing(false) reached the server");
        assertTrue(serving[1]);
    }
}
