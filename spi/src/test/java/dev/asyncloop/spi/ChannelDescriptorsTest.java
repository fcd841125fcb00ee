package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.testsupport.ForkedJvm;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.channels.SelectableChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.AbstractSelectableChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ChannelDescriptors} in this JVM, which exports {@code sun.nio.ch} to the class path (surefire's argLine),
 * and in a forked JVM without the flag.
 */
class ChannelDescriptorsTest {
    private static final String FLAG_CAUSE =
            "add --add-exports java.base/sun.nio.ch=ALL-UNNAMED to the JVM command line";
    private static final Path PROC_FD = Path.of("/proc/self/fd");

    @TempDir
    Path dir;

    private final List<SelectableChannel> opened = new ArrayList<>();

    @AfterEach
    void closeAll() throws IOException {
        for (SelectableChannel c : opened) {
            c.close();
        }
    }

    private <C extends SelectableChannel> C open(C channel) {
        opened.add(channel);
        return channel;
    }

    @Test
    @DisplayName("every kind of JDK channel has its own descriptor, the one /proc/self/fd shows as a socket or pipe")
    void everyKindOfJdkChannel() throws IOException {
        assertEquals("", ChannelDescriptors.unavailabilityCause().orElse(""));
        ServerSocketChannel server = open(ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
        SocketChannel client = open(SocketChannel.open(server.getLocalAddress()));
        SocketChannel accepted = open(server.accept());
        DatagramChannel datagram = open(DatagramChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
        Pipe pipe = Pipe.open();
        Pipe.SourceChannel source = open(pipe.source());
        Pipe.SinkChannel sink = open(pipe.sink());
        Path socketFile = dir.resolve("s");
        ServerSocketChannel unixServer = open(ServerSocketChannel.open(StandardProtocolFamily.UNIX)
                .bind(UnixDomainSocketAddress.of(socketFile)));
        SocketChannel unixClient = open(SocketChannel.open(UnixDomainSocketAddress.of(socketFile)));

        Map<String, SelectableChannel> sockets = new LinkedHashMap<>();
        sockets.put("server", server);
        sockets.put("client", client);
        sockets.put("accepted", accepted);
        sockets.put("datagram", datagram);
        sockets.put("unix server", unixServer);
        sockets.put("unix client", unixClient);
        Set<Integer> seen = new HashSet<>();
        for (Map.Entry<String, SelectableChannel> e : sockets.entrySet()) {
            int fd = ChannelDescriptors.fd(e.getValue());
            assertTrue(fd >= 0, e.getKey() + ": " + fd);
            assertTrue(seen.add(fd), e.getKey() + " shares descriptor " + fd + " with another channel");
            procLink(fd).ifPresent(link -> assertTrue(link.startsWith("socket:["), e.getKey() + ": " + link));
        }
        int sourceFd = ChannelDescriptors.fd(source);
        int sinkFd = ChannelDescriptors.fd(sink);
        assertTrue(sourceFd >= 0 && seen.add(sourceFd), "pipe source: " + sourceFd + ", others " + seen);
        assertTrue(sinkFd >= 0 && seen.add(sinkFd), "pipe sink: " + sinkFd + ", others " + seen);
        Optional<String> sourceLink = procLink(sourceFd);
        if (sourceLink.isPresent()) {
            assertTrue(sourceLink.get().startsWith("pipe:["), "pipe source: " + sourceLink.get());
            assertEquals(sourceLink.get(), procLink(sinkFd).orElseThrow(), "the two ends of one pipe");
        }
    }

    /** What {@code /proc/self/fd/N} links to, where there is a {@code /proc} (Linux); empty elsewhere. */
    private static Optional<String> procLink(int fd) throws IOException {
        if (!Files.isDirectory(PROC_FD)) {
            return Optional.empty();
        }
        return Optional.of(Files.readSymbolicLink(PROC_FD.resolve(Integer.toString(fd))).toString());
    }

    @Test
    @DisplayName("a closed channel still returns the number it had (which the system may give to another)")
    void closedChannelKeepsItsNumber() throws IOException {
        SocketChannel channel = SocketChannel.open();
        int fd = ChannelDescriptors.fd(channel);
        channel.close();
        assertEquals(fd, ChannelDescriptors.fd(channel));
    }

    @Test
    @DisplayName("a channel that is not one of the JDK's own is refused with an IllegalArgumentException naming it")
    void foreignChannel() {
        ForeignChannel foreign = new ForeignChannel();
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> ChannelDescriptors.fd(foreign));
        assertTrue(e.getMessage().contains(ForeignChannel.class.getName())
                && e.getMessage().contains("not one of the JDK's own channels"), e.getMessage());
    }

    /** A channel of the application's own: a JDK Selector would not take it either. */
    static final class ForeignChannel extends AbstractSelectableChannel {
        ForeignChannel() {
            super(SelectorProvider.provider());
        }

        @Override
        protected void implCloseSelectableChannel() {
        }

        @Override
        protected void implConfigureBlocking(boolean block) {
        }

        @Override
        public int validOps() {
            return 0;
        }
    }

    /** Runs in the forked JVM: prints the cause, then what fd() throws for a JDK channel and a foreign one. */
    public static final class NoFlagProbe {
        private NoFlagProbe() {
        }

        /**
         * Prints the facts, one per line.
         *
         * @param args ignored
         * @throws IOException if a channel cannot be opened
         */
        public static void main(String[] args) throws IOException {
            System.out.println("cause=" + ChannelDescriptors.unavailabilityCause().orElse("<none>"));
            try (SocketChannel channel = SocketChannel.open()) {
                System.out.println("jdk=" + ChannelDescriptors.fd(channel));
            } catch (RuntimeException e) {
                System.out.println("jdk=" + e.getClass().getSimpleName() + ": " + e.getMessage());
            }
            try {
                System.out.println("foreign=" + ChannelDescriptors.fd(new ForeignChannel()));
            } catch (RuntimeException e) {
                System.out.println("foreign=" + e.getClass().getSimpleName());
            }
        }
    }

    @Test
    @DisplayName("without --add-exports java.base/sun.nio.ch: the cause names the flag, fd() throws with it")
    void withoutTheFlag() throws Exception {
        String out = ForkedJvm.of(NoFlagProbe.class).moduleFlags().withoutSettingsFromEnvironment().stderrIntoStdout()
                .run().expectExit(0).stdout();
        List<String> facts = out.lines().filter(l -> l.matches("^(cause|jdk|foreign)=.*")).toList();
        assertEquals(3, facts.size(), "expected three lines from the probe, got " + out);
        assertEquals("cause=" + FLAG_CAUSE, facts.get(0));
        assertTrue(facts.get(1).startsWith("jdk=IllegalStateException: cannot read the file descriptor of ")
                && facts.get(1).endsWith(": " + FLAG_CAUSE), facts.get(1));
        assertEquals("foreign=IllegalArgumentException", facts.get(2), "a foreign channel is refused, flag or not");
    }
}
