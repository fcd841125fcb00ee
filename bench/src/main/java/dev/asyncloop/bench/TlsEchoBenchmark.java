package dev.asyncloop.bench;

import dev.asyncloop.Connection;
import dev.asyncloop.EventLoop;
import dev.asyncloop.Future;
import dev.asyncloop.Protocol;
import dev.asyncloop.Server;
import dev.asyncloop.StreamTransport;
import dev.asyncloop.Transport;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * TLS echo over loopback: one TLS connection, both ends on one loop (so every message is encrypted and decrypted
 * twice per round trip, on one thread), ping-pong of {@code size}-byte messages. One invocation is
 * {@value #ROUNDS} round trips in one {@code runUntilComplete}; the score is round trips per second (times
 * {@code size} for bytes per second each way). The connection, its handshake and the server live for the whole
 * trial, so the figure is the steady state of the TLS layer and the loop's transports. Run with {@code -prof gc}
 * to see the allocation per round trip: the TLS layer itself allocates no buffer in the steady state (the
 * {@code SSLEngine} still allocates its small result objects per wrap and unwrap).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED",
        "--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED", "-Dasyncloop.coroutines=continuation",
        "-Xms1g", "-Xmx1g"})
@State(Scope.Thread)
public class TlsEchoBenchmark {
    static final int ROUNDS = 100;

    /** Which loop. */
    @Param({"nio", "epoll"})
    public String loop;

    /** Bytes per message. */
    @Param({"1024", "16384"})
    public int size;

    private EventLoop subject;
    private Server server;
    private Driver driver;

    /** Opens the loop, the TLS server and the connection, and finishes the handshake. */
    @Setup(Level.Trial)
    public void open() {
        subject = TlsBench.newLoop(loop);
        server = subject.runUntilComplete(subject.createServer(TlsBench.Echo::new, TlsBench.HOST, 0,
                TlsBench.serverOptions()));
        int port = server.port();
        byte[] message = new byte[size];
        for (int i = 0; i < size; i++) {
            message[i] = (byte) i;
        }
        Connection<Driver> c = subject.runUntilComplete(subject.createConnection(() -> new Driver(message),
                TlsBench.HOST, port, TlsBench.clientOptions()));
        driver = c.protocol();
    }

    /** Closes the connection, the server and the loop. */
    @TearDown(Level.Trial)
    public void close() {
        driver.transport.close();
        server.close();
        subject.close();
    }

    /**
     * {@value #ROUNDS} round trips of one message.
     *
     * @return the bytes received back
     */
    @Benchmark
    @OperationsPerInvocation(ROUNDS)
    public long echo() {
        return subject.runUntilComplete(driver.run(subject, ROUNDS));
    }

    /** The client's side: sends the message, and the next one each time the echo has fully come back. */
    static final class Driver implements Protocol {
        private final ByteBuffer message;
        StreamTransport transport;
        private Future<Long> done;
        private int rounds;
        private int received;
        private long total;

        Driver(byte[] message) {
            this.message = ByteBuffer.wrap(message);
        }

        @Override
        public void connectionMade(Transport transport) {
            this.transport = (StreamTransport) transport;
        }

        Future<Long> run(EventLoop loop, int n) {
            done = loop.createFuture();
            rounds = n;
            total = 0;
            send();
            return done;
        }

        private void send() {
            transport.write(message.clear());
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            int n = data.remaining();
            data.position(data.limit());
            received += n;
            total += n;
            if (received < message.capacity()) {
                return;
            }
            if (received > message.capacity()) {
                done.setException(new IllegalStateException("the echo brought " + received + " bytes for a message"
                        + " of " + message.capacity()));
                return;
            }
            received = 0;
            if (--rounds == 0) {
                done.setResult(total);
            } else {
                send();
            }
        }

        @Override
        public void connectionLost(Throwable exception) {
            if (done != null && !done.isDone()) {
                done.setException(new IllegalStateException("the TLS connection was lost", exception));
            }
        }
    }
}
