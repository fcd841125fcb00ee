package dev.asyncloop.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.EventLoopGroup;
import dev.asyncloop.GroupServer;
import java.io.DataInputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link GroupEchoServer}: both modes echo on every connection, and closing releases the port. */
class GroupEchoServerTest {

    private static void echoesOnManyConnections(GroupServer.Mode mode) throws Exception {
        int port;
        try (GroupEchoServer server = GroupEchoServer.start(2, mode, "127.0.0.1", 0)) {
            port = server.port();
            assertEquals(mode, server.server().mode());
            assertEquals(2, server.group().size());
            List<Socket> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 8; i++) {
                    Socket s = new Socket();
                    s.setSoTimeout((int) RunningServer.WAIT.toMillis());
                    s.connect(new InetSocketAddress("127.0.0.1", port));
                    clients.add(s);
                }
                for (int i = 0; i < clients.size(); i++) {
                    byte[] message = ("message " + i + " over " + mode).getBytes();
                    clients.get(i).getOutputStream().write(message);
                    byte[] back = new byte[message.length];
                    new DataInputStream(clients.get(i).getInputStream()).readFully(back);
                    assertArrayEquals(message, back, "connection " + i);
                }
            } finally {
                for (Socket s : clients) {
                    s.close();
                }
            }
        }
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close(),
                "nothing listens after close()");
    }

    @Test
    void handOffEchoes() throws Exception {
        echoesOnManyConnections(GroupServer.Mode.HAND_OFF);
    }

    @Test
    void reusePortEchoes() throws Exception {
        if (!EventLoopGroup.reusePortSupported()) {
            org.junit.jupiter.api.Assumptions.abort("SO_REUSEPORT is not offered on this platform");
        }
        echoesOnManyConnections(GroupServer.Mode.REUSE_PORT);
    }

    @Test
    void badArgumentsAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GroupEchoServer.parseLoops("0"));
        assertTrue(e.getMessage().contains("--loops"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GroupEchoServer.parseMode("round-robin"));
        assertTrue(e.getMessage().contains("reuse-port or hand-off"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GroupEchoServer.start(0, null, "127.0.0.1", 0));
    }
}
