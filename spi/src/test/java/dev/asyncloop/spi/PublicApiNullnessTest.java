package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.common.reflect.ClassPath;
import com.google.common.testing.NullPointerTester;
import dev.asyncloop.AddrInfoOptions;
import dev.asyncloop.Async;
import dev.asyncloop.AsyncCallable;
import dev.asyncloop.AsyncLifoQueue;
import dev.asyncloop.AsyncPriorityQueue;
import dev.asyncloop.AsyncQueue;
import dev.asyncloop.Barrier;
import dev.asyncloop.BoundedSemaphore;
import dev.asyncloop.Condition;
import dev.asyncloop.ConnectOptions;
import dev.asyncloop.Context;
import dev.asyncloop.ContextVar;
import dev.asyncloop.Coroutine;
import dev.asyncloop.DatagramConnection;
import dev.asyncloop.DatagramOptions;
import dev.asyncloop.DatagramProtocol;
import dev.asyncloop.Event;
import dev.asyncloop.EventLoop;
import dev.asyncloop.EventLoopGroup;
import dev.asyncloop.ExceptionContext;
import dev.asyncloop.Future;
import dev.asyncloop.Handle;
import dev.asyncloop.Lock;
import dev.asyncloop.Protocol;
import dev.asyncloop.Runner;
import dev.asyncloop.Semaphore;
import dev.asyncloop.Server;
import dev.asyncloop.ServerOptions;
import dev.asyncloop.StreamPair;
import dev.asyncloop.StreamReader;
import dev.asyncloop.StreamTransport;
import dev.asyncloop.StreamWriter;
import dev.asyncloop.Streams;
import dev.asyncloop.Subprocess;
import dev.asyncloop.SubprocessOptions;
import dev.asyncloop.SubprocessPipeline;
import dev.asyncloop.Subprocesses;
import dev.asyncloop.Task;
import dev.asyncloop.TaskGroup;
import dev.asyncloop.Tasks;
import dev.asyncloop.Timeout;
import dev.asyncloop.TimerHandle;
import dev.asyncloop.TlsOptions;
import dev.asyncloop.Transport;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/**
 * Every public constructor and method of the public types of {@code dev.asyncloop} and {@code dev.asyncloop.spi}
 * rejects {@code null} with a {@link NullPointerException}, unless the parameter is declared {@code @Nullable}
 * (Guava's {@link NullPointerTester} reads JSpecify's annotation). The types are found by scanning the main
 * classes, so a new public type is checked without editing this test: its static methods and constructors at
 * once, its instance methods once {@link #samples} holds an instance of it (the {@code everyTypeIsCoveredOrExcused}
 * test says which types lack one).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
final class PublicApiNullnessTest {
    private static final Duration PER_TYPE = Duration.ofSeconds(30);

    /**
     * Types whose instance methods are not checked here, each with the reason. Interfaces are covered through
     * their implementations among the samples, when one is there.
     */
    private static final Map<String, String> NO_INSTANCE = Map.ofEntries(
            Map.entry("dev.asyncloop.Coroutine", "implemented by users and engines; its methods are the engine's"),
            Map.entry("dev.asyncloop.AsyncCallable", "a user's functional interface"),
            Map.entry("dev.asyncloop.ExceptionHandler", "a user's functional interface"),
            Map.entry("dev.asyncloop.TaskFactory", "a user's functional interface"),
            Map.entry("dev.asyncloop.TaskGroup$Body", "a user's functional interface"),
            Map.entry("dev.asyncloop.ClientConnectedHandler", "a user's functional interface"),
            Map.entry("dev.asyncloop.Protocol", "implemented by users; the loop calls it"),
            Map.entry("dev.asyncloop.BufferedProtocol", "implemented by users; the loop calls it"),
            Map.entry("dev.asyncloop.DatagramProtocol", "implemented by users; the loop calls it"),
            Map.entry("dev.asyncloop.SubprocessProtocol", "implemented by users; the loop calls it"),
            Map.entry("dev.asyncloop.spi.EventLoopProvider", "implemented by loop authors; EventLoops calls it"),
            Map.entry("dev.asyncloop.spi.Poller", "implemented by loop authors; SelectorPoller is sampled"),
            Map.entry("dev.asyncloop.spi.Poller$EventSink", "implemented by ReadinessEventLoop; the poller calls it"),
            Map.entry("dev.asyncloop.spi.HeapIo", "implemented by loop authors (the epoll loop's EpollHeapIo)"));

    /** A loopback address nothing listens on (port 9, discard); never reached when the checks come first. */
    private static final InetSocketAddress UNUSED_ADDRESS = new InetSocketAddress("127.0.0.1", 9);

    private ReadinessEventLoop loop;
    private SocketChannel socketChannel;
    private ServerSocketChannel serverSocketChannel;
    private DatagramChannel datagramChannel;
    private FileChannel fileChannel;
    private StreamPair streams;
    private StreamTransport streamTransport;
    private final List<AutoCloseable> closeLater = new ArrayList<>();
    private Task<Object> sampleTask;
    private List<Object> samples;

    @BeforeAll
    void makeSamples() throws Exception {
        loop = SelectorLoops.newLoop();
        closeLater.add(loop);
        List<Object> s = new ArrayList<>();
        s.add(loop);
        socketChannel = SocketChannel.open();
        closeLater.add(socketChannel);
        serverSocketChannel = ServerSocketChannel.open();
        closeLater.add(serverSocketChannel);
        datagramChannel = DatagramChannel.open();
        closeLater.add(datagramChannel);
        Path file = Files.createTempFile("nullness", ".txt");
        closeLater.add(() -> Files.delete(file));
        fileChannel = FileChannel.open(file);
        closeLater.add(fileChannel);
        Server server = loop.runUntilComplete(
                () -> Async.await(Streams.startServer((reader, writer) -> { }, "127.0.0.1", 0)));
        closeLater.add(server);
        s.add(server);
        int port = ((InetSocketAddress) server.sockets().getFirst().getLocalAddress()).getPort();
        streams = loop.runUntilComplete(() -> Async.await(Streams.openConnection("127.0.0.1", port)));
        streamTransport = (StreamTransport) streams.writer().transport();
        closeLater.add(streamTransport::close);
        s.add(streams.reader());
        s.add(streams.writer());
        s.add(streamTransport);
        DatagramConnection<DatagramProtocol> udp = loop.runUntilComplete(loop.createDatagramEndpoint(
                () -> new DatagramProtocol() { },
                DatagramOptions.builder().localAddress(new InetSocketAddress("127.0.0.1", 0)).build()));
        closeLater.add(udp.transport()::close);
        s.add(udp.transport());
        Subprocess cat = loop.runUntilComplete(() -> Async.await(Subprocesses.exec(List.of("cat"))));
        closeLater.add(cat.transport()::close);
        closeLater.add(cat::kill);
        s.add(cat);
        s.add(cat.transport());
        SubprocessPipeline cats = loop.runUntilComplete(() -> Async.await(Subprocesses.pipeline(List.of(
                List.of("cat"), List.of("cat")))));
        closeLater.add(cats::kill);
        s.add(cats);
        Future<String> done = loop.createFuture();
        done.setResult("done");
        s.add(loop.runUntilComplete(() -> Tasks.asCompleted(List.of(done), null)));
        s.add(loop.runUntilComplete(() -> Timeout.never()));
        TaskGroup group = loop.runUntilComplete(() -> TaskGroup.open());
        s.add(group);
        EventLoopGroup loops = EventLoopGroup.create(1, SelectorLoops::newLoop);
        closeLater.add(loops);
        s.add(loops);
        s.add(loop.createFuture());
        Task<Object> task = loop.createTask(() -> null);
        sampleTask = task;
        // A task the loop never ran is reported when it is collected ("destroyed but it is pending"): run it.
        closeLater.add(() -> loop.runUntilComplete(Tasks.gather(List.of(task), true)));
        s.add(task);
        s.add(loop.callSoon(() -> { }));
        s.add(loop.callLater(Duration.ofHours(1), () -> { }));
        s.add(new Context());
        s.add(ContextVar.of("nullness"));
        s.add(ContextVar.of("nullness").set("value"));
        s.add(new AsyncQueue<>());
        s.add(new AsyncLifoQueue<>());
        s.add(new AsyncPriorityQueue<>());
        s.add(new Lock());
        s.add(new Event());
        s.add(new Condition());
        s.add(new Semaphore());
        s.add(new BoundedSemaphore(1));
        s.add(new Barrier(1));
        s.add(new StreamReader(loop));
        s.add(ConnectOptions.defaults());
        s.add(ConnectOptions.builder());
        s.add(ServerOptions.defaults());
        s.add(ServerOptions.builder());
        s.add(DatagramOptions.builder());
        s.add(DatagramOptions.builder().build());
        s.add(SubprocessOptions.defaults());
        s.add(SubprocessOptions.builder());
        s.add(TlsOptions.client("localhost"));
        s.add(TlsOptions.builder());
        s.add(AddrInfoOptions.defaults());
        s.add(AddrInfoOptions.builder());
        s.add(ExceptionContext.builder("message"));
        s.add(ExceptionContext.builder("message").build());
        Runner runner = Runner.builder().loopFactory(SelectorLoops::newLoop).build();
        closeLater.add(runner);
        s.add(runner);
        s.add(Runner.builder());
        SelectorPoller poller = new SelectorPoller();
        closeLater.add(poller);
        s.add(poller);
        samples = s;
    }

    @AfterAll
    void closeSamples() throws Exception {
        for (AutoCloseable c : closeLater.reversed()) {
            c.close();
        }
    }

    private NullPointerTester tester() {
        NullPointerTester t = new NullPointerTester();
        t.setDefault(EventLoop.class, loop);
        t.setDefault(BaseEventLoop.class, loop);
        t.setDefault(ReadinessEventLoop.class, loop);
        t.setDefault(Future.class, loop.createFuture());
        t.setDefault(Task.class, sampleTask);
        t.setDefault(Coroutine.class, Coroutine.of(() -> null));
        t.setDefault(AsyncCallable.class, () -> null);
        t.setDefault(Handle.class, loop.callLater(Duration.ofHours(1), () -> { }));
        t.setDefault(TimerHandle.class, loop.callLater(Duration.ofHours(1), () -> { }));
        t.setDefault(Duration.class, Duration.ofSeconds(1));
        t.setDefault(Context.class, new Context());
        t.setDefault(ContextVar.class, ContextVar.of("nullness-default"));
        t.setDefault(Lock.class, new Lock());
        t.setDefault(ConnectOptions.class, ConnectOptions.defaults());
        t.setDefault(ServerOptions.class, ServerOptions.defaults());
        t.setDefault(DatagramOptions.class, DatagramOptions.builder().build());
        t.setDefault(SubprocessOptions.class, SubprocessOptions.defaults());
        t.setDefault(TlsOptions.class, TlsOptions.client("localhost"));
        t.setDefault(AddrInfoOptions.class, AddrInfoOptions.defaults());
        t.setDefault(ExceptionContext.class, ExceptionContext.builder("default").build());
        t.setDefault(Protocol.class, new Protocol() { });
        t.setDefault(SocketAddress.class, UNUSED_ADDRESS);
        t.setDefault(InetSocketAddress.class, UNUSED_ADDRESS);
        t.setDefault(Path.class, Path.of("nullness-test-path-that-is-not-there"));
        t.setDefault(SocketChannel.class, socketChannel);
        t.setDefault(SelectableChannel.class, socketChannel);
        t.setDefault(ServerSocketChannel.class, serverSocketChannel);
        t.setDefault(DatagramChannel.class, datagramChannel);
        t.setDefault(FileChannel.class, fileChannel);
        t.setDefault(StreamWriter.class, streams.writer());
        t.setDefault(StreamReader.class, streams.reader());
        t.setDefault(StreamTransport.class, streamTransport);
        t.setDefault(Transport.class, streamTransport);
        try {
            t.setDefault(SSLContext.class, SSLContext.getDefault());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
        return t;
    }

    @TestFactory
    Stream<DynamicTest> staticMethodsAndConstructors() throws IOException, URISyntaxException {
        return publicTypes().stream().map(type -> DynamicTest.dynamicTest(type.getName(), () ->
                assertTimeoutPreemptively(PER_TYPE, () -> {
                    NullPointerTester t = tester();
                    List<Method> parametric = ignoreParametric(t, type, true);
                    t.testAllPublicStaticMethods(type);
                    testOtherParameters(t, null, parametric);
                    if (!type.isInterface() && !Modifier.isAbstract(type.getModifiers())) {
                        t.testAllPublicConstructors(type);
                    }
                }, () -> "static methods or constructors of " + type.getName() + " did not return")));
    }

    @TestFactory
    Stream<DynamicTest> instanceMethods() {
        return samples.stream().map(sample -> DynamicTest.dynamicTest(describe(sample), () ->
                assertTimeoutPreemptively(PER_TYPE, () -> {
                    NullPointerTester t = tester();
                    List<Method> parametric = ignoreParametric(t, sample.getClass(), false);
                    t.testAllPublicInstanceMethods(sample);
                    testOtherParameters(t, sample, parametric);
                }, () -> "an instance method of " + describe(sample) + " did not return")));
    }

    /**
     * Takes out of the tester's sweep the methods with a parameter of a type variable declared
     * {@code T extends @Nullable Object} (such as {@code Future.setResult(T)}): null is a valid value of such a
     * {@code T}, which the tester cannot see. Their other parameters are checked one by one afterwards.
     */
    private static List<Method> ignoreParametric(NullPointerTester t, Class<?> type, boolean statics) {
        List<Method> found = new ArrayList<>();
        for (Method m : type.getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) != statics || m.isSynthetic()
                    || (statics && m.getDeclaringClass() != type)) {
                continue;
            }
            if (Stream.of(m.getGenericParameterTypes()).anyMatch(PublicApiNullnessTest::nullableTypeVariable)) {
                found.add(m);
                for (Class<?> c : hierarchy(type)) {
                    try {
                        t.ignore(c.getDeclaredMethod(m.getName(), m.getParameterTypes()));
                    } catch (NoSuchMethodException e) {
                        // not declared at this level
                    }
                }
            }
        }
        return found;
    }

    private static void testOtherParameters(NullPointerTester t, Object instance, List<Method> methods) {
        for (Method m : methods) {
            Type[] types = m.getGenericParameterTypes();
            for (int i = 0; i < types.length; i++) {
                if (!m.getParameterTypes()[i].isPrimitive() && !nullableTypeVariable(types[i])
                        && !m.getAnnotatedParameterTypes()[i].isAnnotationPresent(Nullable.class)) {
                    t.testMethodParameter(instance, m, i);
                }
            }
        }
    }

    private static boolean nullableTypeVariable(Type type) {
        return type instanceof TypeVariable<?> v
                && Stream.of(v.getAnnotatedBounds()).anyMatch(b -> b.isAnnotationPresent(Nullable.class));
    }

    private static List<Class<?>> hierarchy(Class<?> type) {
        List<Class<?>> all = new ArrayList<>();
        List<Class<?>> todo = new ArrayList<>(List.of(type));
        while (!todo.isEmpty()) {
            Class<?> c = todo.removeFirst();
            if (c == null || all.contains(c)) {
                continue;
            }
            all.add(c);
            todo.add(c.getSuperclass());
            todo.addAll(List.of(c.getInterfaces()));
        }
        return all;
    }

    @Test
    void everyTypeIsCoveredOrExcused() throws IOException, URISyntaxException {
        TreeSet<String> missing = new TreeSet<>();
        for (Class<?> type : publicTypes()) {
            boolean hasReferenceParameters = Stream.of(type.getMethods())
                    .filter(m -> !Modifier.isStatic(m.getModifiers()) && m.getDeclaringClass() != Object.class)
                    .anyMatch(PublicApiNullnessTest::takesReference);
            if (!hasReferenceParameters || type.isEnum() || type.isRecord()
                    || Throwable.class.isAssignableFrom(type) || NO_INSTANCE.containsKey(type.getName())) {
                continue;
            }
            if (samples.stream().noneMatch(type::isInstance)) {
                missing.add(type.getName());
            }
        }
        if (!missing.isEmpty()) {
            fail("public types whose instance methods no sample checks (add a sample to makeSamples, or a reason"
                    + " to NO_INSTANCE): " + missing);
        }
    }

    /**
     * "Results are never null unless marked" (library.md): and marked only where null can come, since every caller
     * of a {@code @Nullable} result must check it (Kotlin sees {@code T?}). {@code ContextVar.get(fallback)} gives
     * back a null fallback; {@code Subprocess.Output}'s arrays are null for a stream that was not a pipe;
     * {@code TaskRegistry.swapCurrentTask} gives null when no task was current; {@code TaskGroup.run} gives null when
     * the group's {@code cancel()} (asyncio 3.15) ended the body before it returned.
     */
    @Test
    void nullableResultsAreThoseThatCanBeNull() throws IOException, URISyntaxException {
        TreeSet<String> nullable = new TreeSet<>();
        for (Class<?> type : publicTypes()) {
            for (Method m : type.getDeclaredMethods()) {
                if (Modifier.isPublic(m.getModifiers()) && !m.isSynthetic()
                        && m.getAnnotatedReturnType().isAnnotationPresent(Nullable.class)) {
                    nullable.add(type.getSimpleName() + "." + m.getName());
                }
            }
        }
        org.junit.jupiter.api.Assertions.assertEquals(
                new TreeSet<>(List.of("ContextVar.get", "Output.stderr", "Output.stdout", "TaskGroup.run",
                        "TaskRegistry.swapCurrentTask")), nullable,
                "public methods whose result is @Nullable");
    }

    /**
     * A generic method may not promise a type its result's class refuses: {@code <T extends @Nullable Object>
     * Foo<T> make()} where {@code Foo} is declared {@code Foo<T>} (non-null under {@code @NullMarked}) lets a
     * caller write {@code Foo<@Nullable String>}, which a nullness checker then rejects at the declaration. Our
     * own classes are read by reflection; of the JDK's, {@link java.util.Optional} is the one that holds no null.
     */
    @Test
    void genericResultsFitTheirClassBounds() throws IOException, URISyntaxException {
        TreeSet<String> wider = new TreeSet<>();
        for (Class<?> type : publicTypes()) {
            for (Method m : type.getDeclaredMethods()) {
                if (!Modifier.isPublic(m.getModifiers())
                        || !(m.getGenericReturnType() instanceof java.lang.reflect.ParameterizedType result)
                        || !(result.getRawType() instanceof Class<?> raw)) {
                    continue;
                }
                Type[] args = result.getActualTypeArguments();
                TypeVariable<?>[] declared = raw.getTypeParameters();
                for (int i = 0; i < args.length; i++) {
                    boolean nonNullClass = raw == java.util.Optional.class
                            || raw.getPackageName().startsWith("dev.asyncloop") && !nullableTypeVariable(declared[i]);
                    if (nullableTypeVariable(args[i]) && nonNullClass) {
                        wider.add(type.getSimpleName() + "." + m.getName() + " -> " + raw.getSimpleName());
                    }
                }
            }
        }
        org.junit.jupiter.api.Assertions.assertEquals(new TreeSet<>(), wider,
                "methods whose type variable is @Nullable-bounded where their result's class allows no null");
    }

    private static boolean takesReference(Method m) {
        return Stream.of(m.getParameterTypes()).anyMatch(p -> !p.isPrimitive());
    }

    private static String describe(Object sample) {
        Class<?> c = sample.getClass();
        while (c.isAnonymousClass() || !Modifier.isPublic(c.getModifiers())) {
            Class<?>[] interfaces = c.getInterfaces();
            c = interfaces.length > 0 && !c.isAnonymousClass() ? interfaces[0] : c.getSuperclass();
        }
        return c.getName() + " (" + sample.getClass().getName() + ")";
    }

    /** The public top-level and member types of the two API packages, from the main classes only. */
    static List<Class<?>> publicTypes() throws IOException, URISyntaxException {
        Path mainClasses = Path.of(EventLoop.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ClassPath classPath = ClassPath.from(EventLoop.class.getClassLoader());
        Map<String, Class<?>> found = new LinkedHashMap<>();
        for (String pkg : List.of("dev.asyncloop", "dev.asyncloop.spi")) {
            for (ClassPath.ClassInfo info : classPath.getTopLevelClasses(pkg)) {
                if (!Path.of(info.url().toURI()).startsWith(mainClasses)) {
                    continue;
                }
                addPublic(info.load(), found);
            }
        }
        return new ArrayList<>(found.values());
    }

    private static void addPublic(Class<?> type, Map<String, Class<?>> found) {
        if (!Modifier.isPublic(type.getModifiers())) {
            return;
        }
        found.put(type.getName(), type);
        for (Class<?> member : type.getDeclaredClasses()) {
            addPublic(member, found);
        }
    }
}
