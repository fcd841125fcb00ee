package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.ConnectOptions;
import dev.asyncloop.DatagramOptions;
import dev.asyncloop.DatagramProtocol;
import dev.asyncloop.Protocol;
import dev.asyncloop.ServerOptions;
import dev.asyncloop.testsupport.TlsTestContexts;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * A loop built on {@link BaseEventLoop} alone has no sockets: each networking call of {@link dev.asyncloop.EventLoop}
 * refuses with {@link UnsupportedOperationException} naming the call, the loop's class and what to use instead,
 * and the argument checks the interface's defaults make come first.
 */
class LoopWithoutNetworkingTest {
    private final TestLoop loop = new TestLoop();
    private final Supplier<Protocol> protocol = () -> new Protocol() { };

    @AfterEach
    void tearDown() {
        loop.close();
    }

    @Test
    void eachNetworkingCallNamesItselfTheLoopAndTheCapabilityToLookFor() throws IOException {
        try (SocketChannel tcp = SocketChannel.open(); DatagramChannel udp = DatagramChannel.open()) {
            Map<String, Executable> calls = Map.ofEntries(
                    Map.entry("addReader", () -> loop.addReader(tcp, () -> { })),
                    Map.entry("sockRecv", () -> loop.sockRecv(tcp, 1)),
                    Map.entry("sockConnect", () -> loop.sockConnect(tcp, new InetSocketAddress(0))),
                    Map.entry("createConnection", () -> loop.createConnection(protocol, "localhost", 1)),
                    Map.entry("createServer", () -> loop.createServer(protocol, "localhost", 0)),
                    Map.entry("getAddrInfo", () -> loop.getAddrInfo("localhost", 1)),
                    Map.entry("createDatagramEndpoint", () -> loop.createDatagramEndpoint(
                            () -> new DatagramProtocol() { }, DatagramOptions.defaults())),
                    Map.entry("sockRecvFrom", () -> loop.sockRecvFrom(udp, 1)),
                    Map.entry("createUnixConnection", () -> loop.createUnixConnection(protocol, Path.of("s"))),
                    Map.entry("createUnixServer", () -> loop.createUnixServer(protocol, Path.of("s"))));
            calls.forEach((name, call) -> {
                UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, call, name);
                assertEquals(name + " is not supported by " + TestLoop.class.getName() + "; use a loop that claims"
                        + " the matching Capability (TCP, UDP, UNIX_SOCKETS, SENDFILE; e.g. -Dasyncloop.loop=nio)",
                        e.getMessage());
            });
        }
    }

    @Test
    void serversOnSeveralHostsAreRefusedNamingTheHostsBeforeTheMissingTcp() {
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> loop.createServer(protocol, List.of("127.0.0.1", "::1"), 0, ServerOptions.defaults()));
        assertEquals("createServer takes exactly one host on " + TestLoop.class.getName()
                + ", got [127.0.0.1, ::1]; create one server per host", e.getMessage());
        UnsupportedOperationException one = assertThrows(UnsupportedOperationException.class,
                () -> loop.createServer(protocol, List.of("127.0.0.1"), 0, ServerOptions.defaults()));
        assertTrue(one.getMessage().startsWith("createServer is not supported by "), one.getMessage());
    }

    @Test
    void aUnixConnectionsOptionsAreCheckedBeforeTheMissingSupport() throws Exception {
        ConnectOptions local = ConnectOptions.builder().localAddress(new InetSocketAddress(0)).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> loop.createUnixConnection(protocol, Path.of("s"), local));
        assertTrue(e.getMessage().startsWith("localAddress and happyEyeballsDelay do not apply to a Unix-domain"),
                e.getMessage());
        ConnectOptions tls = ConnectOptions.builder().ssl(TlsTestContexts.contexts("TLS")[1])
                .serverHostname("localhost").build();
        UnsupportedOperationException u = assertThrows(UnsupportedOperationException.class,
                () -> loop.createUnixConnection(protocol, Path.of("s"), tls));
        assertTrue(u.getMessage().startsWith("createUnixConnection with TLS is not supported by "), u.getMessage());
    }
}
