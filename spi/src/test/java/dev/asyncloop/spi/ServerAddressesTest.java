package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.Protocol;
import dev.asyncloop.Server;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code Server.addresses()} and {@code port()} beyond TCP (TCK rule N4.13 checks TCP servers on every loop). */
class ServerAddressesTest {
    private final ReadinessEventLoop loop = SelectorLoops.newLoop();

    @AfterEach
    void close() {
        loop.close();
    }

    @Test
    void aUnixServerHasAnAddressButNoPort(@TempDir Path dir) {
        Path path = dir.resolve("s.sock");
        try (Server server = loop.runUntilComplete(loop.createUnixServer(() -> new Protocol() { }, path))) {
            assertEquals(path, assertInstanceOf(UnixDomainSocketAddress.class, server.addresses().getFirst())
                    .getPath());
            IllegalStateException e = assertThrows(IllegalStateException.class, server::port);
            assertTrue(e.getMessage().contains("which has no port (a Unix domain server); use addresses()"),
                    e.getMessage());
        }
        assertTrue(Files.notExists(path), "the socket file is removed with the server");
    }

    @Test
    void aListeningSocketClosedBehindTheServersBackIsNamed() throws Exception {
        try (Server server = loop.runUntilComplete(loop.createServer(() -> new Protocol() { }, "127.0.0.1", 0))) {
            server.sockets().getFirst().close();
            IllegalStateException e = assertThrows(IllegalStateException.class, server::addresses);
            assertTrue(e.getMessage().contains("was closed without closing the server; close the server instead"),
                    e.getMessage());
        }
    }
}
