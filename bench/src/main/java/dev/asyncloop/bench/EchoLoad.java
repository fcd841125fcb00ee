package dev.asyncloop.bench;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Background load for a soak: a few connections, each on a thread of its own, sending chunks of 1 byte to
 * 32 KiB and checking that every echoed byte comes back, until {@link #close()}. The connections stay open
 * throughout, so they are part of the server's baseline.
 */
final class EchoLoad implements AutoCloseable {
    private static final int MAX_CHUNK = 32 * 1024;
    private static final int READ_TIMEOUT_MS = 30_000;

    private final List<Thread> threads = new ArrayList<>();
    private final List<Socket> sockets = new ArrayList<>();
    private final AtomicLong roundTrips = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private volatile boolean stopping;
    private volatile String firstError;

    /**
     * Connects {@code connections} clients and starts them.
     *
     * @throws IOException if a connection fails
     */
    EchoLoad(int port, int connections) throws IOException {
        for (int i = 0; i < connections; i++) {
            Socket s = new Socket();
            s.setSoTimeout(READ_TIMEOUT_MS);
            s.connect(new InetSocketAddress("127.0.0.1", port), READ_TIMEOUT_MS);
            sockets.add(s);
            long seed = i;
            Thread t = new Thread(() -> echo(s, seed), "soak-load-" + i);
            t.setDaemon(true);
            threads.add(t);
        }
        threads.forEach(Thread::start);
    }

    private void echo(Socket s, long seed) {
        Random random = new Random(seed);
        byte[] out = new byte[MAX_CHUNK];
        byte[] in = new byte[MAX_CHUNK];
        try {
            OutputStream o = s.getOutputStream();
            DataInputStream i = new DataInputStream(s.getInputStream());
            while (!stopping) {
                int n = 1 + random.nextInt(MAX_CHUNK);
                random.nextBytes(out);
                o.write(out, 0, n);
                i.readFully(in, 0, n);
                if (!Arrays.equals(out, 0, n, in, 0, n)) {
                    throw new IOException("the echo of " + n + " bytes differs from what was sent");
                }
                roundTrips.incrementAndGet();
                bytes.addAndGet(n);
            }
        } catch (IOException e) {
            if (!stopping) {
                errors.incrementAndGet();
                firstError = e.toString();
            }
        }
    }

    long roundTrips() {
        return roundTrips.get();
    }

    long bytes() {
        return bytes.get();
    }

    /** Failures while the load was meant to run: a lost connection or a wrong echo. */
    long errors() {
        return errors.get();
    }

    String firstError() {
        return firstError;
    }

    /** Stops the clients (each finishes its round trip) and closes their connections. */
    @Override
    public void close() {
        stopping = true;
        try {
            for (Thread t : threads) {
                t.join(READ_TIMEOUT_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the sockets are closed below all the same
        }
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // Closing is all that is left to do with it.
            }
        }
    }
}
