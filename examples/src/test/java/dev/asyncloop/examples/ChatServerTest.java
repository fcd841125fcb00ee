package dev.asyncloop.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@link ChatServer} with three plain-socket clients. */
class ChatServerTest {

    /** A connected chat client. */
    record Client(Socket socket, BufferedReader in) implements AutoCloseable {
        static Client join(RunningServer server) throws IOException {
            Socket s = server.connect();
            Client c = new Client(s, RunningServer.lines(s));
            assertTrue(c.line().startsWith("* Welcome, guest-"), "no welcome line");
            return c;
        }

        void say(String text) throws IOException {
            socket.getOutputStream().write((text + "\n").getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
        }

        String line() throws IOException {
            return in.readLine();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void broadcastNickJoinLeave() throws Exception {
        try (RunningServer server = new RunningServer(ChatServer.app());
                Client alice = Client.join(server)) {
            alice.say("/nick alice");
            assertEquals("* you are now alice", alice.line());
            try (Client bob = Client.join(server)) {
                assertEquals("* guest-2 joined", alice.line());
                bob.say("/nick bob");
                assertEquals("* you are now bob", bob.line());
                assertEquals("* guest-2 is now known as bob", alice.line());
                bob.say("/nick alice");
                assertEquals("* nick 'alice' is not available", bob.line());
                try (Client carol = Client.join(server)) {
                    assertEquals("* guest-3 joined", alice.line());
                    assertEquals("* guest-3 joined", bob.line());
                    alice.say("hi all");
                    assertEquals("<alice> hi all", bob.line());
                    assertEquals("<alice> hi all", carol.line());
                    carol.say("x".repeat(ChatServer.MAX_LINE + 5));
                    assertTrue(carol.line().startsWith("* line too long"));
                    carol.say("/quit");
                    assertEquals("* Bye!", carol.line());
                    assertEquals(null, carol.line(), "not disconnected after /quit");
                }
                assertEquals("* guest-3 left", alice.line());
                assertEquals("* guest-3 left", bob.line());
                bob.say("still here");
                assertEquals("<bob> still here", alice.line(), "the sender does not get its own line");
            }
            assertEquals("* bob left", alice.line());
        }
    }

    @Test
    void resetClientLeavesQuietly() throws Exception {
        java.util.logging.Logger log = java.util.logging.Logger.getLogger("dev.asyncloop");
        java.util.List<String> logged = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        java.util.logging.Handler recorder = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                logged.add(r.getLevel() + " " + r.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(recorder);
        try (RunningServer server = new RunningServer(ChatServer.app());
                Client alice = Client.join(server)) {
            Client mallory = Client.join(server);
            assertEquals("* guest-2 joined", alice.line());
            mallory.socket().setSoLinger(true, 0); // close sends RST
            mallory.close();
            assertEquals("* guest-2 left", alice.line());
            alice.say("anyone?");
            try (Client bob = Client.join(server)) {
                assertEquals("* guest-3 joined", alice.line());
                alice.say("hi bob");
                assertEquals("<guest-1> hi bob", bob.line());
            }
        } finally {
            log.removeHandler(recorder);
        }
        assertEquals(java.util.List.of(), logged, "a client's reset was reported");
    }
}
