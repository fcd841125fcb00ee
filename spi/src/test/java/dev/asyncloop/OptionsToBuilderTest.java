package dev.asyncloop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ProcessBuilder.Redirect;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.Test;

/**
 * {@code toBuilder()} of every options class copies every field: for each class, samples that between them set
 * every field away from its default (checked field by field, so that a field added later without a sample fails
 * here), and {@code toBuilder().build()} of each holds the same value in every field and answers every accessor
 * the same.
 */
class OptionsToBuilderTest {
    private static final Consumer<SSLParameters> ALPN = p -> p.setApplicationProtocols(new String[] {"h2"});

    private static SSLContext tls() throws NoSuchAlgorithmException {
        return SSLContext.getDefault();
    }

    /** The instance fields of {@code type}, readable. */
    private static List<Field> fields(Class<?> type) {
        List<Field> out = new ArrayList<>();
        for (Field f : type.getDeclaredFields()) {
            if (!Modifier.isStatic(f.getModifiers())) {
                f.setAccessible(true);
                out.add(f);
            }
        }
        return out;
    }

    private static Object read(Field f, Object o) {
        try {
            return f.get(o);
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
    }

    /** The public no-argument accessors of {@code type} (not toString, toBuilder and the like). */
    private static List<java.lang.reflect.Method> accessors(Class<?> type) {
        List<java.lang.reflect.Method> out = new ArrayList<>();
        for (java.lang.reflect.Method m : type.getDeclaredMethods()) {
            if (Modifier.isPublic(m.getModifiers()) && !Modifier.isStatic(m.getModifiers())
                    && m.getParameterCount() == 0 && !m.getName().startsWith("to")) {
                out.add(m);
            }
        }
        return out;
    }

    /** An accessor's answer, compared as text when it is itself an options object (they have no equals). */
    private static Object comparable(Object answer) {
        return answer instanceof Optional<?> o && o.orElse(null) instanceof TlsOptions t ? "TlsOptions " + t : answer;
    }

    private static <T> void assertCopies(Class<T> type, T defaults, List<T> samples, UnaryOperator<T> copy)
            throws ReflectiveOperationException {
        for (Field f : fields(type)) {
            Object byDefault = read(f, defaults);
            assertTrue(samples.stream().anyMatch(s -> !Objects.equals(read(f, s), byDefault)),
                    type.getSimpleName() + "." + f.getName() + " is at its default in every sample; add one that"
                            + " sets it");
        }
        for (T sample : samples) {
            T copied = copy.apply(sample);
            for (Field f : fields(type)) {
                assertEquals(read(f, sample), read(f, copied), type.getSimpleName() + "." + f.getName()
                        + " not copied from " + sample);
            }
            for (java.lang.reflect.Method m : accessors(type)) {
                assertEquals(comparable(m.invoke(sample)), comparable(m.invoke(copied)),
                        type.getSimpleName() + "." + m.getName() + "()");
            }
        }
        assertEquals(String.valueOf(defaults), String.valueOf(copy.apply(defaults)));
    }

    @Test
    void addrInfoOptions() throws Exception {
        assertCopies(AddrInfoOptions.class, AddrInfoOptions.defaults(), List.of(AddrInfoOptions.builder()
                .family(StandardProtocolFamily.INET6).numericHost(true).canonicalName(true).passive(true).build()),
                o -> o.toBuilder().build());
    }

    @Test
    void connectOptions() throws Exception {
        assertCopies(ConnectOptions.class, ConnectOptions.defaults(), List.of(ConnectOptions.builder()
                .localAddress(new InetSocketAddress("127.0.0.1", 0)).happyEyeballsDelay(Duration.ofMillis(250))
                .interleave(2).ssl(tls()).serverHostname("example.org").sslHandshakeTimeout(Duration.ofSeconds(5))
                .sslShutdownTimeout(Duration.ofSeconds(6)).sslParameters(ALPN).family(StandardProtocolFamily.INET)
                .build()), o -> o.toBuilder().build());
    }

    @Test
    void connectOptionsKeepAnUnsetValueUnset() {
        ConnectOptions derived = ConnectOptions.defaults().toBuilder().happyEyeballsDelay(Duration.ofMillis(250))
                .build();
        assertEquals(1, derived.interleave(), "an unset interleave follows the Happy Eyeballs delay");
        assertEquals(TlsOptions.DEFAULT_HANDSHAKE_TIMEOUT, derived.toBuilder().ssl(null).build().sslHandshakeTimeout());
    }

    @Test
    void serverOptions() throws Exception {
        assertCopies(ServerOptions.class, ServerOptions.defaults(), List.of(ServerOptions.builder().backlog(7)
                .reuseAddress(false).startServing(false).cleanupSocket(false).reusePort(true).ssl(tls())
                .sslHandshakeTimeout(Duration.ofSeconds(5)).sslShutdownTimeout(Duration.ofSeconds(6))
                .sslParameters(ALPN).keepAlive(true).family(StandardProtocolFamily.INET6).build()),
                o -> o.toBuilder().build());
    }

    @Test
    void datagramOptions() throws Exception {
        try (DatagramChannel channel = DatagramChannel.open()) {
            assertCopies(DatagramOptions.class, DatagramOptions.defaults(), List.of(
                    DatagramOptions.builder().localAddress(new InetSocketAddress("127.0.0.1", 0))
                            .remoteAddress(new InetSocketAddress("127.0.0.1", 9)).family(StandardProtocolFamily.INET)
                            .reuseAddress(true).reusePort(true).allowBroadcast(true).build(),
                    DatagramOptions.builder().channel(channel).build()), o -> o.toBuilder().build());
        }
    }

    @Test
    void datagramDefaultsAreTheBuildersDefaults() {
        DatagramOptions built = DatagramOptions.builder().build();
        for (Field f : fields(DatagramOptions.class)) {
            assertEquals(read(f, built), read(f, DatagramOptions.defaults()), f.getName());
        }
        assertSame(DatagramOptions.defaults(), DatagramOptions.defaults(), "one shared instance");
    }

    @Test
    void tlsOptions() throws Exception {
        assertCopies(TlsOptions.class, TlsOptions.builder().build(), List.of(
                TlsOptions.builder().serverHostname("example.org").handshakeTimeout(Duration.ofSeconds(5))
                        .shutdownTimeout(Duration.ofSeconds(6)).sslParameters(ALPN).build(),
                TlsOptions.server()), o -> o.toBuilder().build());
    }

    @Test
    void subprocessOptions() throws Exception {
        SubprocessOptions full = SubprocessOptions.builder().stdin(Redirect.DISCARD)
                .stdout(Redirect.to(Path.of("out.txt").toFile())).stderr(Redirect.INHERIT).stderrToStdout()
                .cwd(Path.of("/")).environment(Map.of("A", "1")).putEnvironment("B", "2").build();
        assertCopies(SubprocessOptions.class, SubprocessOptions.defaults(), List.of(full),
                o -> o.toBuilder().build());
    }

    @Test
    void aChangedSubprocessBuilderLeavesTheOptionsAsTheyAre() {
        SubprocessOptions original = SubprocessOptions.builder().environment(Map.of("A", "1"))
                .putEnvironment("B", "2").build();
        SubprocessOptions changed = original.toBuilder().putEnvironment("C", "3").build();
        assertEquals(Map.of("B", "2"), original.extraEnvironment());
        assertEquals(Map.of("B", "2", "C", "3"), changed.extraEnvironment());
        assertEquals(Map.of("A", "1"), changed.environment().orElseThrow());
        assertFalse(original.toBuilder().stderr(Redirect.PIPE).build().stderrToStdout(),
                "stderr(...) on the copy undoes stderrToStdout, as on a new builder");
    }
}
