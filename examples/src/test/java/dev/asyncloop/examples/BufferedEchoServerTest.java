package dev.asyncloop.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.Async;
import dev.asyncloop.BufferedProtocol;
import dev.asyncloop.Transport;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.NetworkChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** {@link BufferedEchoServer}, driven with plain sockets. */
class BufferedEchoServerTest {

    @Test
    void echoes() throws Exception {
        EchoServerTest.echoes(BufferedEchoServer.app());
    }

    /**
     * The client sends 16 MiB without reading for a while: the server's writes go out partly, the rest is queued
     * while the next reads refill the same buffer, and flow control pauses reading. Every byte must come back
     * in order, so the queued data cannot be the reused buffer. The server's send buffer is capped at 64 KiB, so a
     * few hundred KiB make its writes queue; left to the kernel's autotuning it took 4.5-5.7 MiB here, and how much
     * depends on the machine.
     */
    @Test
    void pipelinedPayloadSurvivesPartialWritesAndPauses() throws Exception {
        AtomicInteger pauses = new AtomicInteger();
        AtomicInteger accepted = new AtomicInteger();
        ServerApp app = new ServerApp("counting-buffered-echo", (host, port) -> Async.getRunningLoop()
                .createServer(() -> new CountingPauses(new BufferedEchoServer.BufferedEchoProtocol(), accepted, pauses),
                        host, port));
        byte[] big = new byte[16 * 1024 * 1024];
        new Random(7).nextBytes(big);
        try (RunningServer server = new RunningServer(app); Socket c = server.connect()) {
            c.setReceiveBufferSize(64 * 1024);
            AtomicReference<@Nullable Exception> writerFailed = new AtomicReference<>();
            AtomicLong sent = new AtomicLong();
            Thread writer = new Thread(() -> {
                try {
                    OutputStream out = c.getOutputStream();
                    for (int off = 0; off < big.length; off += 1000) { // many small sends: many reads and writes
                        int n = Math.min(1000, big.length - off);
                        out.write(big, off, n);
                        sent.addAndGet(n);
                    }
                    c.shutdownOutput();
                } catch (Exception e) {
                    writerFailed.set(e);
                }
            });
            writer.start();
            // Not reading until the server pauses: its socket send buffer fills and its writes queue past the
            // high-water mark. A fixed sleep instead let a slow writer thread send too little on a loaded machine for
            // any pause before reading began.
            long deadline = System.nanoTime() + RunningServer.WAIT.toNanos();
            while (pauses.get() == 0) {
                assertTrue(System.nanoTime() - deadline < 0, () -> "the write buffer never passed the high-water"
                        + " mark while the client was not reading: writes did not queue; connections made: "
                        + accepted.get() + ", the client had sent "
                        + sent.get() + " bytes, its writer " + (writer.isAlive() ? "still writing" : "ended")
                        + ", failure: " + writerFailed.get());
                Thread.sleep(1);
            }
            byte[] back = new byte[big.length];
            new DataInputStream(c.getInputStream()).readFully(back);
            writer.join(RunningServer.WAIT.toMillis());
            assertNull(writerFailed.get());
            assertArrayEquals(big, back);
            assertEquals(-1, c.getInputStream().read(), "the server closes after the client's EOF");
        }
        assertTrue(pauses.get() > 0, "the write buffer never passed the high-water mark: writes did not queue");
    }

    @Test
    void manyConnectionsAtOnce() throws Exception {
        int n = 64;
        try (RunningServer server = new RunningServer(BufferedEchoServer.app())) {
            List<Socket> clients = new ArrayList<>();
            try {
                for (int i = 0; i < n; i++) {
                    clients.add(server.connect());
                }
                byte[][] sent = new byte[n][];
                Random random = new Random(3);
                for (int i = 0; i < n; i++) {
                    sent[i] = new byte[1 + random.nextInt(100_000)];
                    random.nextBytes(sent[i]);
                }
                List<Thread> writers = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    Socket s = clients.get(i);
                    byte[] data = sent[i];
                    Thread t = new Thread(() -> {
                        try {
                            s.getOutputStream().write(data);
                        } catch (Exception e) {
                            throw new RuntimeException(e);
                        }
                    });
                    t.start();
                    writers.add(t);
                }
                for (int i = 0; i < n; i++) {
                    byte[] back = new byte[sent[i].length];
                    new DataInputStream(clients.get(i).getInputStream()).readFully(back);
                    assertArrayEquals(sent[i], back, "connection " + i);
                }
                for (Thread t : writers) {
                    t.join(RunningServer.WAIT.toMillis());
                }
            } finally {
                for (Socket s : clients) {
                    s.close();
                }
            }
        }
    }

    /** Caps the socket's send buffer, forwards to the echo protocol, counts connections and pauseWriting calls. */
    private record CountingPauses(BufferedProtocol echo, AtomicInteger made, AtomicInteger pauses)
            implements BufferedProtocol {
        @Override
        public void connectionMade(Transport transport) {
            made.incrementAndGet();
            try {
                transport.getExtraInfo(Transport.SOCKET, NetworkChannel.class).orElseThrow()
                        .setOption(StandardSocketOptions.SO_SNDBUF, 64 * 1024);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            echo.connectionMade(transport);
        }

        @Override
        public ByteBuffer getBuffer(int sizeHint) {
            return echo.getBuffer(sizeHint);
        }

        @Override
        public void bufferUpdated(int nbytes) {
            echo.bufferUpdated(nbytes);
        }

        @Override
        public void pauseWriting() {
            pauses.incrementAndGet();
            echo.pauseWriting();
        }

        @Override
        public void resumeWriting() {
            echo.resumeWriting();
        }

        @Override
        public void connectionLost(Throwable exc) {
            echo.connectionLost(exc);
        }
    }
}
