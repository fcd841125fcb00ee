package dev.asyncloop.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Client threads (plain blocking sockets, one non-blocking channel per flooding connection; never on the loop)
 * that open connections to an echo server in batches and end every one of them abruptly. Connection {@code i}
 * does what {@link Mode} {@code i % 5} says; a batch's connections are all open at once.
 */
final class AbruptClients {
    private static final int CONNECT_TIMEOUT_MS = 30_000;
    private static final int FLOOD_CAP = 16 * 1024 * 1024;
    private static final int STALLED_AFTER_ZERO_WRITES = 20;

    /** How a connection ends; all but {@link #HALF_CLOSE} reset it (SO_LINGER 0). */
    enum Mode {
        /** Connects and resets at once, often before the server has accepted. */
        CONNECT_RESET,
        /** Writes 1 byte to 8 KiB and resets at once, while the echo is on its way. */
        WRITE_RESET,
        /**
         * Writes without reading until its writes stall (at most 16 MiB), that is until the server holds a full
         * write buffer and has paused reading from it, then resets.
         */
        QUEUED_RESET,
        /** Writes 1 byte to 64 KiB, shuts its output down (FIN), and closes without reading the echo. */
        HALF_CLOSE,
        /** Writes 64 KiB, reads part of the echo, and resets. */
        MID_READ_RESET
    }

    private static final byte[] PAYLOAD = new byte[64 * 1024];

    static {
        new Random(1).nextBytes(PAYLOAD);
    }

    private final int port;
    private final AtomicLongArray perMode = new AtomicLongArray(Mode.values().length);
    private final AtomicLong floodBytes = new AtomicLong();
    private final AtomicLong floodStalls = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private volatile String firstError;

    AbruptClients(int port) {
        this.port = port;
    }

    /**
     * Opens and ends {@code connections} connections from {@code threads} threads, {@code batch} at a time per
     * thread, and returns when all are done.
     */
    void run(int connections, int threads, int batch) throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread w = new Thread(() -> work(next, connections, batch), "soak-client-" + t);
            w.setDaemon(true);
            workers.add(w);
            w.start();
        }
        for (Thread w : workers) {
            w.join();
        }
    }

    private void work(AtomicInteger next, int connections, int batch) {
        Random random = new Random(Thread.currentThread().threadId());
        List<Integer> ids = new ArrayList<>(batch);
        List<Object> open = new ArrayList<>(batch);
        while (true) {
            ids.clear();
            for (int k = 0; k < batch; k++) {
                int i = next.getAndIncrement();
                if (i >= connections) {
                    break;
                }
                ids.add(i);
            }
            if (ids.isEmpty()) {
                return;
            }
            open.clear();
            for (int i : ids) {
                try {
                    open.add(connect(mode(i)));
                } catch (IOException e) {
                    failed(e);
                }
            }
            for (Object c : open) {
                try {
                    if (c instanceof SocketChannel flood) {
                        flood(flood);
                    } else {
                        act((Tagged) c, random);
                    }
                } catch (IOException e) {
                    failed(e);
                }
            }
        }
    }

    private static Mode mode(int i) {
        return Mode.values()[i % Mode.values().length];
    }

    private Object connect(Mode mode) throws IOException {
        perMode.incrementAndGet(mode.ordinal());
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
        if (mode == Mode.QUEUED_RESET) {
            SocketChannel ch = SocketChannel.open();
            try {
                ch.setOption(StandardSocketOptions.SO_RCVBUF, 4096); // before connect: a small window
                ch.connect(address);
                ch.configureBlocking(false);
            } catch (IOException e) {
                ch.close();
                throw e;
            }
            return ch;
        }
        Socket s = new Socket();
        s.setSoTimeout(CONNECT_TIMEOUT_MS);
        try {
            s.connect(address, CONNECT_TIMEOUT_MS);
        } catch (IOException e) {
            s.close();
            throw e;
        }
        s.setTcpNoDelay(true);
        return new Tagged(s, mode);
    }

    /** Does what the connection's mode says, then ends it. */
    private static void act(Tagged c, Random random) throws IOException {
        Socket s = c.socket();
        try (s) {
            switch (c.mode()) {
                case CONNECT_RESET -> s.setSoLinger(true, 0);
                case WRITE_RESET -> {
                    s.getOutputStream().write(PAYLOAD, 0, 1 + random.nextInt(8 * 1024));
                    s.setSoLinger(true, 0);
                }
                case HALF_CLOSE -> {
                    s.getOutputStream().write(PAYLOAD, 0, 1 + random.nextInt(PAYLOAD.length));
                    s.shutdownOutput();
                }
                case MID_READ_RESET -> {
                    s.getOutputStream().write(PAYLOAD);
                    InputStream in = s.getInputStream();
                    byte[] back = new byte[1 + random.nextInt(PAYLOAD.length / 2)];
                    int got = 0;
                    while (got < back.length) {
                        int n = in.read(back, got, back.length - got);
                        if (n < 0) {
                            throw new IOException("the server closed after " + got + " echoed bytes");
                        }
                        got += n;
                    }
                    s.setSoLinger(true, 0);
                }
                case QUEUED_RESET -> throw new AssertionError("flooding connections are channels");
            }
        }
    }

    private void failed(IOException e) {
        if (errors.incrementAndGet() == 1) {
            firstError = e.toString();
        }
    }

    /** Writes until the server stops taking bytes, then resets. */
    private void flood(SocketChannel ch) throws IOException {
        try (ch) {
            ByteBuffer out = ByteBuffer.wrap(PAYLOAD);
            long sent = 0;
            int zeros = 0;
            while (sent < FLOOD_CAP) {
                if (!out.hasRemaining()) {
                    out.clear();
                }
                int n = ch.write(out);
                if (n > 0) {
                    sent += n;
                    zeros = 0;
                } else if (++zeros >= STALLED_AFTER_ZERO_WRITES) {
                    floodStalls.incrementAndGet();
                    break;
                } else {
                    sleepMillis(1);
                }
            }
            floodBytes.addAndGet(sent);
            ch.setOption(StandardSocketOptions.SO_LINGER, 0);
        }
    }

    private static void sleepMillis(long ms) throws IOException {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** How many connections were opened with {@code mode} (attempted, including failed connects). */
    long count(Mode mode) {
        return perMode.get(mode.ordinal());
    }

    /** Connections ended with a reset (SO_LINGER 0). */
    long resets() {
        long n = 0;
        for (Mode m : Mode.values()) {
            if (m != Mode.HALF_CLOSE) {
                n += count(m);
            }
        }
        return n;
    }

    /** Bytes the flooding connections pushed before their writes stalled. */
    long floodBytes() {
        return floodBytes.get();
    }

    /** Flooding connections whose writes stalled: the server had a full write buffer for them. */
    long floodStalls() {
        return floodStalls.get();
    }

    /** Client-side failures (a refused or timed-out connect, a failed write). */
    long errors() {
        return errors.get();
    }

    String firstError() {
        return firstError;
    }

    /** A connection and what it is to do. */
    private record Tagged(Socket socket, Mode mode) {
    }
}
