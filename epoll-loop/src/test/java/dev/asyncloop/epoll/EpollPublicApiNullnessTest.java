package dev.asyncloop.epoll;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.google.common.testing.NullPointerTester;
import dev.asyncloop.EventLoop;
import dev.asyncloop.testsupport.LoopNullPointerTester;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The public constructors and methods of {@code dev.asyncloop.epoll} reject {@code null} with a
 * {@link NullPointerException} (Guava's {@link NullPointerTester}; parameters marked {@code @Nullable} are left
 * out), the {@link EventLoop} methods included on a real {@link EpollEventLoop}, and the poller's and heap I/O's.
 */
class EpollPublicApiNullnessTest {
    private final List<AutoCloseable> closeLater = new ArrayList<>();
    private NullPointerTester tester;

    @BeforeEach
    void setUp() throws IOException {
        EpollEventLoop loop = new EpollEventLoop();
        closeLater.add(loop);
        tester = LoopNullPointerTester.of(loop, EpollEventLoop.class, closeLater);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closeLater.reversed()) {
            c.close();
        }
    }

    @Test
    void staticMethodsAndConstructors() {
        for (Class<?> type : List.of(EpollEventLoop.class, EpollEventLoopProvider.class, EpollPoller.class,
                EpollHeapIo.class)) {
            tester.testAllPublicStaticMethods(type);
            tester.testAllPublicConstructors(type);
        }
    }

    @Test
    void providerMethods() {
        tester.testAllPublicInstanceMethods(new EpollEventLoopProvider());
    }

    @Test
    void pollerMethods() throws IOException {
        EpollPoller poller = new EpollPoller();
        closeLater.add(poller);
        tester.testAllPublicInstanceMethods(poller);
    }

    @Test
    void heapIoMethods() {
        tester.testAllPublicInstanceMethods(EpollHeapIo.create().orElseThrow(
                () -> new AssertionError("the tests run with native access: " + EpollHeapIo.unavailabilityCause())));
    }

    @Test
    void loopMethods() throws IOException {
        EpollEventLoop loop = new EpollEventLoop();
        closeLater.add(loop);
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> tester.testAllPublicInstanceMethods(loop),
                "a method of EpollEventLoop did not return");
    }
}
