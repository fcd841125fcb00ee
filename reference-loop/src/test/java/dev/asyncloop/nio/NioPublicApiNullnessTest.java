package dev.asyncloop.nio;

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
 * The public constructors and methods of {@code dev.asyncloop.nio} reject {@code null} with a
 * {@link NullPointerException} (Guava's {@link NullPointerTester}; parameters marked {@code @Nullable} are left
 * out), the {@link EventLoop} methods included on a real {@link NioEventLoop}.
 */
class NioPublicApiNullnessTest {
    private final List<AutoCloseable> closeLater = new ArrayList<>();
    private NullPointerTester tester;

    @BeforeEach
    void setUp() throws IOException {
        NioEventLoop loop = new NioEventLoop();
        closeLater.add(loop);
        tester = LoopNullPointerTester.of(loop, NioEventLoop.class, closeLater);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closeLater.reversed()) {
            c.close();
        }
    }

    @Test
    void staticMethodsAndConstructors() {
        for (Class<?> type : List.of(NioEventLoop.class, NioEventLoopProvider.class)) {
            tester.testAllPublicStaticMethods(type);
            tester.testAllPublicConstructors(type);
        }
    }

    @Test
    void providerMethods() {
        tester.testAllPublicInstanceMethods(new NioEventLoopProvider());
    }

    @Test
    void loopMethods() throws IOException {
        NioEventLoop loop = new NioEventLoop();
        closeLater.add(loop);
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> tester.testAllPublicInstanceMethods(loop),
                "a method of NioEventLoop did not return");
    }
}
