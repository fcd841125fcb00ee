package dev.asyncloop.tck.mutants;

import dev.asyncloop.Async;
import dev.asyncloop.CancelledError;
import dev.asyncloop.ConnectOptions;
import dev.asyncloop.Connection;
import dev.asyncloop.DatagramProtocol;
import dev.asyncloop.DatagramTransport;
import dev.asyncloop.EventLoop;
import dev.asyncloop.Future;
import dev.asyncloop.Protocol;
import dev.asyncloop.Server;
import dev.asyncloop.ServerOptions;
import dev.asyncloop.SubprocessConnection;
import dev.asyncloop.SubprocessOptions;
import dev.asyncloop.SubprocessProtocol;
import dev.asyncloop.SubprocessTransport;
import dev.asyncloop.Tasks;
import dev.asyncloop.Transport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectableChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/** The networking mutants of {@link Mutants}: each a {@link ForwardingNetworkLoop} that gets one rule wrong. */
final class NetworkMutants {
    private NetworkMutants() {
    }

    /** Passes every callback on to the application's protocol; a mutant overrides the one it breaks. */
    static class ProtocolRelay implements Protocol {
        final Protocol application;

        ProtocolRelay(Protocol application) {
            this.application = application;
        }

        @Override
        public void connectionMade(Transport transport) {
            application.connectionMade(transport);
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            application.dataReceived(data);
        }

        @Override
        public boolean eofReceived() {
            return application.eofReceived();
        }

        @Override
        public void connectionLost(Throwable exception) {
            application.connectionLost(exception);
        }

        @Override
        public void pauseWriting() {
            application.pauseWriting();
        }

        @Override
        public void resumeWriting() {
            application.resumeWriting();
        }
    }

    /** Broken N3.13: connectionMade reaches the protocol 100 ms late, after data that was already waiting. */
    static final class DataBeforeConnectionMade extends ForwardingNetworkLoop {
        @Override
        protected Protocol protocol(Protocol application) {
            return new ProtocolRelay(application) {
                @Override
                public void connectionMade(Transport transport) {
                    delegate.callLater(Duration.ofMillis(100), () -> application.connectionMade(transport));
                }
            };
        }
    }

    /** Broken N15.1: a connection whose only awaiting task was cancelled before it resumed stays open. */
    static final class UndeliveredConnectionLeaks extends ForwardingNetworkLoop {
        @Override
        protected void closeUndelivered(Object result) {
            if (!(result instanceof dev.asyncloop.Connection<?>)) {
                super.closeUndelivered(result);
            }
        }
    }

    /** Broken N3.3: connectionLost is called twice. */
    static final class ConnectionLostTwice extends ForwardingNetworkLoop {
        @Override
        protected Protocol protocol(Protocol application) {
            return new ProtocolRelay(application) {
                @Override
                public void connectionLost(Throwable exception) {
                    application.connectionLost(exception);
                    application.connectionLost(exception);
                }
            };
        }
    }

    /** Broken N3.4: eofReceived never reaches the protocol (the transport closes as if it had answered false). */
    static final class EofReceivedSkipped extends ForwardingNetworkLoop {
        @Override
        protected Protocol protocol(Protocol application) {
            return new ProtocolRelay(application) {
                @Override
                public boolean eofReceived() {
                    return false;
                }
            };
        }
    }

    /** Broken N6.2 (and N6.1): exceptions of the protocol's callbacks are swallowed: no report, the transport stays open. */
    static final class SwallowedProtocolErrors extends ForwardingNetworkLoop {
        @Override
        protected Protocol protocol(Protocol application) {
            return new ProtocolRelay(application) {
                @Override
                public void connectionMade(Transport transport) {
                    quietly(() -> application.connectionMade(transport));
                }

                @Override
                public void dataReceived(ByteBuffer data) {
                    quietly(() -> application.dataReceived(data));
                }

                @Override
                public boolean eofReceived() {
                    try {
                        return application.eofReceived();
                    } catch (RuntimeException ignored) {
                        return true;
                    }
                }
            };
        }

        private static void quietly(Runnable callback) {
            try {
                callback.run();
            } catch (RuntimeException ignored) {
                // the mutation
            }
        }
    }

    /** Broken N5.1: pauseWriting and resumeWriting never reach the protocol. */
    static final class PauseWritingNever extends ForwardingNetworkLoop {
        @Override
        protected Protocol protocol(Protocol application) {
            return new ProtocolRelay(application) {
                @Override
                public void pauseWriting() {
                }

                @Override
                public void resumeWriting() {
                }
            };
        }
    }

    /**
     * Broken N5.5: when the protocol closes or aborts its transport inside {@code resumeWriting}, the writer calls
     * connectionLost itself as well as the one close/abort scheduled (the transport's writer callback seeing an empty,
     * closing transport after resumeWriting returns).
     */
    static final class LostTwiceWhenEndedInResume extends ForwardingNetworkLoop {
        @Override
        protected Protocol protocol(Protocol application) {
            return new ProtocolRelay(application) {
                private @Nullable Transport transport;

                @Override
                public void connectionMade(Transport made) {
                    transport = made;
                    application.connectionMade(made);
                }

                @Override
                public void resumeWriting() {
                    application.resumeWriting();
                    if (transport != null && transport.isClosing()) {
                        application.connectionLost(null);
                    }
                }
            };
        }
    }

    /** Broken N13.2: a read pipe's end of stream skips eofReceived (the transport closes without it). */
    static final class PipeEofSkipped extends ForwardingNetworkLoop {
        @Override
        protected Protocol pipeProtocol(Protocol application) {
            return new ProtocolRelay(application) {
                @Override
                public boolean eofReceived() {
                    return false;
                }
            };
        }
    }

    /** Broken N13.5: a pipe transport calls connectionLost twice. */
    static final class PipeConnectionLostTwice extends ForwardingNetworkLoop {
        @Override
        protected Protocol pipeProtocol(Protocol application) {
            return new ProtocolRelay(application) {
                @Override
                public void connectionLost(Throwable exception) {
                    application.connectionLost(exception);
                    application.connectionLost(exception);
                }
            };
        }
    }

    /** Broken N13.9: a write pipe never pauses (nor resumes) its protocol, whatever it queues. */
    static final class PipeWriterNeverPauses extends ForwardingNetworkLoop {
        @Override
        protected Protocol pipeProtocol(Protocol application) {
            return new ProtocolRelay(application) {
                @Override
                public void pauseWriting() {
                }

                @Override
                public void resumeWriting() {
                }
            };
        }
    }

    /** Broken N1.1: removeReader answers true but leaves the reader registered, so it keeps being called. */
    static final class RemovedReaderStillCalled extends ForwardingNetworkLoop {
        @Override
        public boolean removeReader(SelectableChannel channel) {
            return true;
        }
    }

    /** Broken N4.5: the server's abortClients does nothing, so accepted connections outlive it. */
    static final class AbortClientsLeaks extends ForwardingNetworkLoop {
        @Override
        protected Server server(Server real) {
            return new ServerRelay(real) {
                @Override
                public void abortClients() {
                }
            };
        }
    }

    /**
     * Broken N4.15: a server one of whose addresses no interface of this host holds fails, as every server did before
     * asyncio's bpo-30945 ("localhost" naming {@code ::1} where loopback has no IPv6).
     */
    static final class UnavailableAddressFailsServer extends ForwardingNetworkLoop {
        @Override
        public Future<Server> createServer(Supplier<? extends Protocol> protocolFactory, List<String> hosts, int port,
                ServerOptions options) {
            for (String host : hosts) {
                try {
                    InetAddress address = InetAddress.getByName(host);
                    if (!address.isAnyLocalAddress() && NetworkInterface.getByInetAddress(address) == null) {
                        Future<Server> refused = createFuture();
                        refused.setException(new BindException("Cannot assign requested address: " + host));
                        return refused;
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return super.createServer(protocolFactory, hosts, port, options);
        }
    }

    /** Broken N4.14: the server's serveForever, cancelled, also closes the accepted connections before it waits. */
    static final class ServeForeverClosesClients extends ForwardingNetworkLoop {
        @Override
        protected Server server(Server real) {
            return new ServerRelay(real) {
                @Override
                public Future<Void> serveForever() {
                    real.startServing();
                    Future<Void> forever = real.getLoop().createFuture();
                    return real.getLoop().createTask(() -> {
                        try {
                            return Async.await(forever);
                        } catch (CancelledError e) {
                            real.close();
                            real.closeClients();
                            Async.await(real.waitClosed());
                            throw e;
                        }
                    }, "serveForever");
                }
            };
        }
    }

    /** Passes every server call on to the loop's server; a mutant overrides the one it breaks. */
    static class ServerRelay implements Server {
        final Server real;

        ServerRelay(Server real) {
            this.real = real;
        }

        @Override
        public EventLoop getLoop() {
            return real.getLoop();
        }

        @Override
        public void close() {
            real.close();
        }

        @Override
        public Future<Void> waitClosed() {
            return real.waitClosed();
        }

        @Override
        public void closeClients() {
            real.closeClients();
        }

        @Override
        public void abortClients() {
            real.abortClients();
        }

        @Override
        public void startServing() {
            real.startServing();
        }

        @Override
        public Future<Void> serveForever() {
            return real.serveForever();
        }

        @Override
        public boolean isServing() {
            return real.isServing();
        }

        @Override
        public List<ServerSocketChannel> sockets() {
            return real.sockets();
        }
    }

    /** Broken N9.3: a datagram endpoint's connectionLost never reaches the protocol. */
    static final class DatagramConnectionLostNever extends ForwardingNetworkLoop {
        @Override
        protected DatagramProtocol datagramProtocol(DatagramProtocol application) {
            return new DatagramRelay(application) {
                @Override
                public void connectionLost(@Nullable Throwable exception) {
                    // dropped
                }
            };
        }
    }

    /** Passes every datagram callback on to the application's protocol; a mutant overrides the one it breaks. */
    static class DatagramRelay implements DatagramProtocol {
        final DatagramProtocol application;

        DatagramRelay(DatagramProtocol application) {
            this.application = application;
        }

        @Override
        public void connectionMade(DatagramTransport transport) {
            application.connectionMade(transport);
        }

        @Override
        public void datagramReceived(ByteBuffer data, SocketAddress address) {
            application.datagramReceived(data, address);
        }

        @Override
        public void errorReceived(Exception exception) {
            application.errorReceived(exception);
        }

        @Override
        public void connectionLost(@Nullable Throwable exception) {
            application.connectionLost(exception);
        }

        @Override
        public void pauseWriting() {
            application.pauseWriting();
        }

        @Override
        public void resumeWriting() {
            application.resumeWriting();
        }
    }

    /** Passes every subprocess callback on to the application's protocol; a mutant overrides the one it breaks. */
    static class SubprocessRelay implements SubprocessProtocol {
        final SubprocessProtocol application;

        SubprocessRelay(SubprocessProtocol application) {
            this.application = application;
        }

        @Override
        public void connectionMade(SubprocessTransport transport) {
            application.connectionMade(transport);
        }

        @Override
        public void pipeDataReceived(int fd, ByteBuffer data) {
            application.pipeDataReceived(fd, data);
        }

        @Override
        public void pipeConnectionLost(int fd, Throwable exception) {
            application.pipeConnectionLost(fd, exception);
        }

        @Override
        public void processExited() {
            application.processExited();
        }

        @Override
        public void connectionLost(Throwable exception) {
            application.connectionLost(exception);
        }

        @Override
        public void pauseWriting() {
            application.pauseWriting();
        }

        @Override
        public void resumeWriting() {
            application.resumeWriting();
        }
    }

    /** Broken N14.8: processExited reaches the protocol twice. */
    static final class ProcessExitedTwice extends ForwardingNetworkLoop {
        @Override
        protected SubprocessProtocol subprocessProtocol(SubprocessProtocol application) {
            return new SubprocessRelay(application) {
                @Override
                public void processExited() {
                    application.processExited();
                    application.processExited();
                }
            };
        }
    }

    /**
     * Broken N14.9: connectionLost follows processExited at once, before the pipes are closed (the real one is
     * dropped).
     */
    static final class ConnectionLostBeforePipesClosed extends ForwardingNetworkLoop {
        @Override
        protected SubprocessProtocol subprocessProtocol(SubprocessProtocol application) {
            return new SubprocessRelay(application) {
                @Override
                public void processExited() {
                    application.processExited();
                    application.connectionLost(null);
                }

                @Override
                public void connectionLost(Throwable exception) {
                }
            };
        }
    }

    /** Broken N14.18: the stdin pipe's pauseWriting/resumeWriting never reach the protocol. */
    static final class SubprocessPauseWritingNever extends ForwardingNetworkLoop {
        @Override
        protected SubprocessProtocol subprocessProtocol(SubprocessProtocol application) {
            return new SubprocessRelay(application) {
                @Override
                public void pauseWriting() {
                }

                @Override
                public void resumeWriting() {
                }
            };
        }
    }

    /** Broken N14.25: the transport the protocol gets sends SIGTERM whatever sendSignal is asked for. */
    static final class SendSignalAlwaysTerminates extends ForwardingNetworkLoop {
        @Override
        protected SubprocessProtocol subprocessProtocol(SubprocessProtocol application) {
            return new SubprocessRelay(application) {
                @Override
                public void connectionMade(SubprocessTransport transport) {
                    application.connectionMade(new TerminatingTransport(transport));
                }
            };
        }
    }

    /** Broken N14.28: each pipeline stage is started on its own with every pipe, not joined to the next stage. */
    static final class PipelineStagesUnconnected extends ForwardingNetworkLoop {
        @Override
        public <P extends SubprocessProtocol> Future<List<SubprocessConnection<P>>> subprocessPipeline(
                Supplier<P> protocolFactory, List<List<String>> commands, SubprocessOptions options) {
            List<Future<SubprocessConnection<P>>> stages = new ArrayList<>();
            for (List<String> command : commands) {
                stages.add(subprocessExec(protocolFactory, command, options));
            }
            return Tasks.gather(stages);
        }
    }

    /** Broken N14.30: a stage that cannot start fails the pipeline with the JDK's bare error, naming no stage. */
    static final class PipelineStartErrorUnnamed extends ForwardingNetworkLoop {
        @Override
        public <P extends SubprocessProtocol> Future<List<SubprocessConnection<P>>> subprocessPipeline(
                Supplier<P> protocolFactory, List<List<String>> commands, SubprocessOptions options) {
            Future<List<SubprocessConnection<P>>> real = super.subprocessPipeline(protocolFactory, commands, options);
            Future<List<SubprocessConnection<P>>> bare = createFuture();
            real.addDoneCallback(f -> {
                if (f.isCancelled()) {
                    bare.cancel();
                } else if (f.exception().isPresent()) {
                    Throwable e = f.exception().get();
                    bare.setException(e.getCause() != null ? e.getCause() : e);
                } else {
                    bare.setResult(f.result());
                }
            });
            return bare;
        }
    }

    /** Broken N15.12: the stages of a pipeline whose only awaiting task is cancelled before it resumes stay open. */
    static final class UndeliveredPipelineLeaks extends ForwardingNetworkLoop {
        @Override
        protected void closeUndelivered(Object result) {
            if (!(result instanceof List<?>)) {
                super.closeUndelivered(result);
            }
        }
    }

    /** Forwards every call to the real subprocess transport, except that sendSignal terminates. */
    private record TerminatingTransport(SubprocessTransport delegate) implements SubprocessTransport {
        @Override
        public void sendSignal(String signal) {
            delegate.terminate();
        }

        @Override
        public long pid() {
            return delegate.pid();
        }

        @Override
        public java.util.OptionalInt returnCode() {
            return delegate.returnCode();
        }

        @Override
        public java.util.Optional<Transport> getPipeTransport(int fd) {
            return delegate.getPipeTransport(fd);
        }

        @Override
        public void terminate() {
            delegate.terminate();
        }

        @Override
        public void kill() {
            delegate.kill();
        }

        @Override
        public void close() {
            delegate.close();
        }

        @Override
        public boolean isClosing() {
            return delegate.isClosing();
        }

        @Override
        public java.util.Optional<Object> getExtraInfo(String key) {
            return delegate.getExtraInfo(key);
        }

        @Override
        public void setProtocol(SubprocessProtocol protocol) {
            delegate.setProtocol(protocol);
        }

        @Override
        public SubprocessProtocol getProtocol() {
            return delegate.getProtocol();
        }
    }

    /**
     * Broken N2.13: sockRecv on a connected datagram channel skips empty datagrams, as a loop that reads with
     * {@code read()} (0 for nothing and for an empty datagram alike) would.
     */
    static final class DatagramRecvSkipsEmpty extends ForwardingNetworkLoop {
        @Override
        public Future<byte[]> sockRecv(java.nio.channels.DatagramChannel channel, int maxBytes) {
            Future<byte[]> out = createFuture();
            receiveNonEmpty(channel, maxBytes, out);
            return out;
        }

        private void receiveNonEmpty(java.nio.channels.DatagramChannel channel, int maxBytes, Future<byte[]> out) {
            super.sockRecv(channel, maxBytes).addDoneCallback(f -> {
                if (out.isDone()) {
                    return;
                }
                if (f.isCancelled()) {
                    out.cancel();
                } else if (f.exception().isPresent()) {
                    out.setException(f.exception().get());
                } else if (f.result().length == 0) {
                    receiveNonEmpty(channel, maxBytes, out);
                } else {
                    out.setResult(f.result());
                }
            });
        }
    }

    /**
     * Broken M1.1: sockConnect fails a refused connection with a bare "Connection refused" that does not say
     * where.
     */
    static final class UnnamedSockConnectRefusal extends ForwardingNetworkLoop {
        @Override
        public Future<Void> sockConnect(SocketChannel channel, SocketAddress address) {
            return withoutAddress(super.sockConnect(channel, address));
        }
    }

    /**
     * Broken M1.2: createConnection fails a refused connection with a bare "Connection refused" that does not say
     * where.
     */
    static final class UnnamedCreateConnectionRefusal extends ForwardingNetworkLoop {
        @Override
        public <P extends Protocol> Future<Connection<P>> createConnection(
                Supplier<P> protocolFactory, String host, int port,
                ConnectOptions options) {
            return withoutAddress(super.createConnection(protocolFactory, host, port, options));
        }
    }

    /**
     * Broken M1.3: a connected datagram endpoint's ICMP port-unreachable error reaches the protocol as the JDK
     * makes it, without a message.
     */
    static final class UnnamedPortUnreachable extends ForwardingNetworkLoop {
        @Override
        protected DatagramProtocol datagramProtocol(DatagramProtocol application) {
            return new DatagramRelay(application) {
                @Override
                public void errorReceived(Exception exception) {
                    application.errorReceived(exception instanceof PortUnreachableException
                            ? new PortUnreachableException() : exception);
                }
            };
        }
    }

    /** The future's outcome, with a refusal replaced by one whose message names no address. */
    private static <T> Future<T> withoutAddress(Future<T> from) {
        Future<T> to = from.getLoop().createFuture();
        from.addDoneCallback(done -> {
            if (done.isCancelled()) {
                to.cancel();
            } else if (done.exception().orElse(null) instanceof ConnectException) {
                to.setException(new ConnectException("Connection refused"));
            } else if (done.exception().isPresent()) {
                to.setException(done.exception().get());
            } else {
                to.setResult(done.result());
            }
        });
        return to;
    }

    /**
     * Broken N2.16: sockRecvInto answers 0 for a buffer with no space left without looking at the channel, so a
     * closed one reads as "nothing received" instead of failing.
     */
    static final class FullBufferHidesClosedChannel extends ForwardingNetworkLoop {
        @Override
        public Future<Integer> sockRecvInto(SocketChannel channel, ByteBuffer buffer) {
            return buffer.hasRemaining() ? super.sockRecvInto(channel, buffer) : zero();
        }

        @Override
        public Future<Integer> sockRecvInto(java.nio.channels.DatagramChannel channel, ByteBuffer buffer) {
            return buffer.hasRemaining() ? super.sockRecvInto(channel, buffer) : zero();
        }

        private Future<Integer> zero() {
            Future<Integer> f = createFuture();
            f.setResult(0);
            return f;
        }
    }
}
