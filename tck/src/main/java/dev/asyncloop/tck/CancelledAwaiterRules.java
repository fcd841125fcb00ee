package dev.asyncloop.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.Async;
import dev.asyncloop.CancelledError;
import dev.asyncloop.Connection;
import dev.asyncloop.DatagramConnection;
import dev.asyncloop.DatagramOptions;
import dev.asyncloop.Future;
import dev.asyncloop.PipeConnection;
import dev.asyncloop.ReadTransport;
import dev.asyncloop.Server;
import dev.asyncloop.ServerOptions;
import dev.asyncloop.StreamPair;
import dev.asyncloop.Streams;
import dev.asyncloop.Subprocess;
import dev.asyncloop.SubprocessConnection;
import dev.asyncloop.SubprocessOptions;
import dev.asyncloop.SubprocessPipeline;
import dev.asyncloop.Subprocesses;
import dev.asyncloop.StreamTransport;
import dev.asyncloop.Task;
import dev.asyncloop.TlsOptions;
import dev.asyncloop.spi.Capability;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Rules N15.x: a resource nobody takes is closed. asyncio's {@code create_connection}, {@code open_connection},
 * {@code create_server}, {@code subprocess_exec} and the like are coroutines that run inside the awaiting task:
 * when that task is cancelled after the resource was made but before the task resumed, the coroutine gets the
 * {@code CancelledError} and closes what it made. Here they are futures; the loop must close the result in the
 * same case (the only task awaiting it cancelled in that gap), and must not when someone else also awaits it.
 */
abstract class CancelledAwaiterRules extends NetworkGroup {
    private static final Duration WAIT = Duration.ofSeconds(5);

    CancelledAwaiterRules(EventLoopConformanceSuite suite) {
        super(suite);
    }

    /**
     * Inside a task: makes {@code op}'s future in a task of its own that awaits it, and cancels that task after
     * the future is done but before the task resumes: a callback re-queued every iteration watches the future,
     * and a done-callback's wake-up always runs an iteration after the completion it follows. {@code op} must
     * answer a pending future (awaiting a done one does not suspend, as in asyncio: there is no gap).
     *
     * @return the operation's future, done
     */
    final <T extends @Nullable Object> Future<T> cancelBeforeResuming(String rule, Supplier<Future<T>> op) {
        List<Future<T>> made = new ArrayList<>(1);
        Task<T> awaiting = loop.createTask(() -> {
            Future<T> f = op.get();
            made.add(f);
            return Async.await(f);
        }, "awaiting " + rule);
        Runnable[] watch = new Runnable[1];
        watch[0] = () -> {
            if (!made.isEmpty() && made.getFirst().isDone()) {
                awaiting.cancel();
            } else if (!awaiting.isDone()) {
                loop.callSoon(watch[0]);
            }
        };
        loop.callSoon(watch[0]);
        try {
            Async.await(awaiting);
        } catch (CancelledError expected) {
            // the awaiting task's end: checked below
        }
        assertTrue(awaiting.isCancelled(), msg(rule, "the awaiting task, cancelled after the operation's future was"
                + " done and before it resumed, must end cancelled (a task cancelled while its wake-up is pending"
                + " gets CancelledError at its await), got " + awaiting));
        Future<T> f = made.getFirst();
        assertTrue(f.isDone() && !f.isCancelled() && f.exception().isEmpty(), msg(rule, "the operation itself"
                + " must have succeeded, got " + f));
        return f;
    }

    @Test
    @DisplayName("N15.1 createConnection: the connection of a task cancelled before it resumed is closed")
    void required_N15_1_connectionClosed() {
        run("N15.1", () -> {
            Server server = startServer(false);
            int port = port(server);
            Future<Connection<RecordingProtocol>> f = cancelBeforeResuming("N15.1",
                    () -> loop.createConnection(() -> new RecordingProtocol(loop), HOST, port));
            Connection<RecordingProtocol> c = f.result();
            assertTrue(c.transport().isClosing(), msg("N15.1", "nobody can reach the connection any more; the loop"
                    + " must close its transport (asyncio's create_connection closes it on CancelledError)"));
            assertTrue(awaitDone(c.protocol().lost, WAIT), msg("N15.1", "the closed connection's protocol must get"
                    + " connectionLost"));
            RecordingProtocol peer = awaitAccepted("N15.1", 0);
            assertTrue(awaitDone(peer.eof, WAIT) || awaitDone(peer.lost, WAIT), msg("N15.1", "the server side must"
                    + " see the connection end"));
            server.close();
            return null;
        });
    }

    @Test
    @DisplayName("N15.2 another task awaiting the same connection keeps it open")
    void required_N15_2_sharedResultKept() {
        run("N15.2", () -> {
            Server server = startServer(false);
            int port = port(server);
            List<Task<Connection<RecordingProtocol>>> other = new ArrayList<>(1);
            cancelBeforeResuming("N15.2", () -> {
                Future<Connection<RecordingProtocol>> connecting = loop.createConnection(
                        () -> new RecordingProtocol(loop), HOST, port);
                other.add(loop.createTask(() -> Async.await(connecting), "second awaiter"));
                return connecting;
            });
            Connection<RecordingProtocol> c = Async.await(other.getFirst());
            assertFalse(c.transport().isClosing(), msg("N15.2", "a second task also awaited the connection and took"
                    + " it; the first one's cancellation must not close it"));
            c.transport().close();
            server.close();
            return null;
        });
    }

    @Test
    @DisplayName("N15.3 createServer: the server of a task cancelled before it resumed is closed")
    void required_N15_3_serverClosed() {
        run("N15.3", () -> {
            Future<Server> f = cancelBeforeResuming("N15.3",
                    () -> loop.createServer(() -> new RecordingProtocol(loop), HOST, 0));
            assertFalse(f.result().isServing(), msg("N15.3", "nobody can reach the server any more; the loop must"
                    + " close it"));
            return null;
        });
    }

    @Test
    @DisplayName("N15.4 Streams.openConnection: the streams of a task cancelled before it resumed are closed")
    void required_N15_4_streamsClosed() {
        run("N15.4", () -> {
            Server server = startServer(false);
            int port = port(server);
            Future<StreamPair> f = cancelBeforeResuming("N15.4", () -> Streams.openConnection(HOST, port));
            assertTrue(f.result().writer().isClosing(), msg("N15.4", "nobody can reach the streams any more; the"
                    + " connection must be closed (asyncio's open_connection runs inside the cancelled task)"));
            RecordingProtocol peer = awaitAccepted("N15.4", 0);
            assertTrue(awaitDone(peer.eof, WAIT) || awaitDone(peer.lost, WAIT), msg("N15.4", "the server side must"
                    + " see the connection end"));
            server.close();
            return null;
        });
    }

    @Test
    @DisplayName("N15.5 sockAccept: the channel accepted for a task cancelled before it resumed is closed")
    void required_N15_5_acceptedChannelClosed() throws IOException {
        ServerSocketChannel server = listener();
        SocketChannel[] client = new SocketChannel[1];
        run("N15.5", () -> {
            Future<SocketChannel> f = cancelBeforeResuming("N15.5", () -> {
                Future<SocketChannel> accepting = loop.sockAccept(server);
                // Connect only now, so that the accept completes in a later iteration than the await.
                loop.callSoon(() -> client[0] = connectBlocking(server));
                return accepting;
            });
            assertFalse(f.result().isOpen(), msg("N15.5", "nobody can reach the accepted channel any more; the loop"
                    + " must close it"));
            return null;
        });
        client[0].configureBlocking(true);
        assertEquals(-1, client[0].read(ByteBuffer.allocate(1)), msg("N15.5", "the client must see the accepted"
                + " channel closed (end of stream)"));
    }

    /** A blocking loopback connect to {@code server}: immediate, the kernel completes it from the backlog. */
    private SocketChannel connectBlocking(ServerSocketChannel server) {
        try {
            return track(SocketChannel.open(server.getLocalAddress()));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    @DisplayName("N15.6 createDatagramEndpoint: the endpoint of a task cancelled before it resumed is closed")
    void required_N15_6_datagramEndpointClosed() {
        requireCapability(Capability.UDP);
        run("N15.6", () -> {
            Future<DatagramConnection<RecordingDatagramProtocol>> f = cancelBeforeResuming("N15.6",
                    () -> loop.createDatagramEndpoint(() -> new RecordingDatagramProtocol(loop),
                            DatagramOptions.builder().localAddress(new InetSocketAddress(LOOPBACK, 0)).build()));
            assertTrue(f.result().transport().isClosing(), msg("N15.6", "nobody can reach the endpoint any more;"
                    + " the loop must close it"));
            assertTrue(awaitDone(f.result().protocol().lost, WAIT), msg("N15.6", "the closed endpoint's protocol"
                    + " must get connectionLost"));
            return null;
        });
    }

    @Test
    @NeedsInsteadOfTcp(Capability.SUBPROCESS)
    @DisplayName("N15.7 Subprocesses.exec: the child of a task cancelled before it resumed is closed and ends")
    void required_N15_7_childClosed() {
        run("N15.7", () -> {
            Future<Subprocess> f = cancelBeforeResuming("N15.7", () -> Subprocesses.exec(List.of("cat")));
            Future<Integer> exit = f.result().waitFor();
            assertTrue(awaitDone(exit, WAIT), msg("N15.7", "nobody can reach the child any more; the loop must"
                    + " close its transport (which kills a running child, as asyncio's subprocess_exec does on"
                    + " CancelledError), but `cat` still ran after " + WAIT));
            return null;
        });
    }

    @Test
    @DisplayName("N15.8 connectAcceptedSocket: the connection of a task cancelled before it resumed is closed")
    void required_N15_8_acceptedSocketClosed() throws IOException {
        SocketChannel[] pair = socketPair();
        run("N15.8", () -> {
            Future<Connection<RecordingProtocol>> f = cancelBeforeResuming("N15.8",
                    () -> loop.connectAcceptedSocket(() -> new RecordingProtocol(loop), pair[0]));
            Connection<RecordingProtocol> c = f.result();
            assertTrue(c.transport().isClosing(), msg("N15.8", "nobody can reach the connection any more; the loop"
                    + " must close its transport (asyncio's connect_accepted_socket closes it on CancelledError)"));
            assertTrue(awaitDone(c.protocol().lost, WAIT), msg("N15.8", "the closed connection's protocol must get"
                    + " connectionLost"));
            return null;
        });
        pair[1].configureBlocking(true);
        assertEquals(-1, pair[1].read(ByteBuffer.allocate(1)), msg("N15.8", "the peer must see the connection"
                + " closed (end of stream)"));
    }

    @Test
    @DisplayName("N15.9 startTls: the connection of a task cancelled before it resumed is closed at once, the plain"
            + " transport under the TLS one, without a TLS shutdown")
    void required_N15_9_startTlsClosed() {
        requireCapability(Capability.TLS);
        run("N15.9", () -> {
            Server server = Async.await(loop.createServer(acceptedProtocols(false), HOST, 0,
                    ServerOptions.builder().ssl(TlsContexts.server()).build()));
            Connection<RecordingProtocol> c = Async.await(loop.createConnection(() -> new RecordingProtocol(loop),
                    HOST, port(server)));
            Future<StreamTransport> f = cancelBeforeResuming("N15.9", () -> loop.startTls(c.transport(),
                    c.protocol(), TlsContexts.client(), TlsOptions.client(HOST)));
            assertTrue(c.transport().isClosing(), msg("N15.9", "nobody can reach the TLS transport any more; the loop"
                    + " must close the plain transport it was upgraded from at once, as asyncio's start_tls does on"
                    + " CancelledError (transport.close() on the transport it was given), not close the TLS"
                    + " transport, whose close_notify waits for the peer's answer before the connection ends"));
            assertTrue(awaitDone(c.protocol().lost, WAIT), msg("N15.9", "the closed connection's protocol must get"
                    + " connectionLost"));
            assertTrue(f.result().isClosing(), msg("N15.9", "once the connection is lost the TLS transport must say"
                    + " it is closing"));
            server.close();
            return null;
        });
    }

    @Test
    @NeedsInsteadOfTcp(Capability.PIPES)
    @DisplayName("N15.10 connectReadPipe: the pipe transport of a task cancelled before it resumed is closed")
    void required_N15_10_readPipeClosed() throws IOException {
        Pipe pipe = Pipe.open();
        track(pipe.sink());
        track(pipe.source());
        run("N15.10", () -> {
            Future<PipeConnection<ReadTransport, PipeRules.PipeProtocol>> f = cancelBeforeResuming("N15.10",
                    () -> loop.connectReadPipe(() -> new PipeRules.PipeProtocol(loop), pipe.source()));
            PipeConnection<ReadTransport, PipeRules.PipeProtocol> c = f.result();
            assertTrue(c.transport().isClosing(), msg("N15.10", "nobody can reach the pipe transport any more; the"
                    + " loop must close it (asyncio's connect_read_pipe closes it on CancelledError)"));
            assertTrue(awaitDone(c.protocol().lost, WAIT), msg("N15.10", "the closed pipe's protocol must get"
                    + " connectionLost"));
            return null;
        });
        assertFalse(pipe.source().isOpen(), msg("N15.10", "the closed transport must close the pipe's channel"));
    }

    @Test
    @NeedsInsteadOfTcp(Capability.SUBPROCESS)
    @DisplayName("N15.11 subprocessExec: the child of a task cancelled before it resumed is closed and ends")
    void required_N15_11_loopChildClosed() {
        run("N15.11", () -> {
            Future<SubprocessConnection<RecordingSubprocessProtocol>> f = cancelBeforeResuming("N15.11",
                    () -> loop.subprocessExec(() -> new RecordingSubprocessProtocol(loop), List.of("cat"),
                            SubprocessOptions.defaults()));
            RecordingSubprocessProtocol p = f.result().protocol();
            assertTrue(awaitDone(p.exited, WAIT), msg("N15.11", "nobody can reach the child any more; the loop must"
                    + " close its transport, which kills a running child (asyncio's _make_subprocess_transport"
                    + " closes it on CancelledError), but `cat` still ran after " + WAIT));
            assertTrue(awaitDone(p.lost, WAIT), msg("N15.11", "the protocol must get connectionLost"));
            return null;
        });
    }

    @Test
    @NeedsInsteadOfTcp(Capability.SUBPROCESS)
    @DisplayName("N15.12 subprocessPipeline: every stage of a task cancelled before it resumed is closed and ends")
    void required_N15_12_loopPipelineClosed() {
        run("N15.12", () -> {
            Future<List<SubprocessConnection<RecordingSubprocessProtocol>>> f = cancelBeforeResuming("N15.12",
                    () -> loop.subprocessPipeline(() -> new RecordingSubprocessProtocol(loop),
                            List.of(List.of("cat"), List.of("cat")), SubprocessOptions.defaults()));
            List<SubprocessConnection<RecordingSubprocessProtocol>> stages = f.result();
            for (int i = 0; i < stages.size(); i++) {
                RecordingSubprocessProtocol p = stages.get(i).protocol();
                assertTrue(awaitDone(p.exited, WAIT), msg("N15.12", "nobody can reach the pipeline any more; the"
                        + " loop must close every stage's transport, which kills a running child, but stage " + i
                        + " (`cat`) still ran after " + WAIT));
                assertTrue(awaitDone(p.lost, WAIT), msg("N15.12", "stage " + i + "'s protocol must get"
                        + " connectionLost"));
            }
            return null;
        });
    }

    @Test
    @NeedsInsteadOfTcp(Capability.SUBPROCESS)
    @DisplayName("N15.13 Subprocesses.pipeline: every stage of a task cancelled before it resumed is closed and ends")
    void required_N15_13_pipelineClosed() {
        run("N15.13", () -> {
            Future<SubprocessPipeline> f = cancelBeforeResuming("N15.13",
                    () -> Subprocesses.pipeline(List.of(List.of("cat"), List.of("cat"), List.of("cat"))));
            List<Subprocess> stages = f.result().stages();
            for (int i = 0; i < stages.size(); i++) {
                assertTrue(awaitDone(stages.get(i).waitFor(), WAIT), msg("N15.13", "nobody can reach the pipeline"
                        + " any more; the loop must close every stage's transport (which kills a running child),"
                        + " but stage " + i + " (`cat`) still ran after " + WAIT));
            }
            return null;
        });
    }
}
