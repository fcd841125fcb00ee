package dev.asyncloop.tck;

import dev.asyncloop.EventLoop;
import dev.asyncloop.spi.Capability;
import dev.asyncloop.spi.EventLoopProvider;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestClassOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The conformance suite a loop author extends: one method, {@link #newLoop()}, and normally
 * {@link #provider()}.
 *
 * <pre>{@code
 * class MyLoopConformanceTest extends EventLoopConformanceSuite {
 *     @Override protected EventLoop newLoop() { return new MyLoop(); }
 *     @Override protected Optional<EventLoopProvider> provider() { return Optional.of(new MyLoopProvider()); }
 * }
 * }</pre>
 *
 * <p>With {@link #provider()} overridden, the provider is checked (group "provider &amp; selection") and the
 * groups of every capability it claims run. Without it nothing is claimed, so the groups of every capability (all
 * the networking groups for {@link Capability#TCP}) are skipped, not failed, unless {@link #capabilities()} is
 * overridden. Overriding both is allowed; rule S1.3 then fails when the two disagree.
 *
 * <p>Each nested group checks one feature; every test's display name starts with the ID of the rule it checks
 * (listed in {@code docs/tck-rules.md}) and every assertion message starts with {@code [ID]}. Tests are
 * deterministic: loopback only, bounded waits; a loop that hangs fails the test with the await that hung,
 * and the whole test is cut off after {@value #TEST_TIMEOUT_SECONDS} seconds at most.
 */
@TestClassOrder(ClassOrderer.OrderAnnotation.class)
@Timeout(value = EventLoopConformanceSuite.TEST_TIMEOUT_SECONDS, unit = TimeUnit.SECONDS,
        threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
public abstract class EventLoopConformanceSuite {
    /** The longest any one test may take. */
    public static final int TEST_TIMEOUT_SECONDS = 30;

    /** Creates the suite; JUnit calls this through the loop author's subclass. */
    protected EventLoopConformanceSuite() {
    }

    /**
     * Returns a new loop that is neither running nor closed. Called once per test, on the test's thread; the
     * suite closes it after the test.
     *
     * @return the loop under test
     */
    protected abstract EventLoop newLoop();

    /**
     * Returns the optional features the loop claims; the groups of unclaimed ones are skipped with that reason.
     * Called on the test's thread, once per test of a capability's group.
     *
     * @return the capabilities (default: the {@link #provider()}'s, or none when there is no provider)
     */
    protected Set<Capability> capabilities() {
        return provider().map(EventLoopProvider::capabilities).orElse(Set.of());
    }

    /**
     * Returns the provider of the loop under test, for the "provider &amp; selection" group (rules S1.x), which
     * is skipped when this is empty. The provider must be registered with {@link java.util.ServiceLoader}.
     *
     * @return the provider (default: none)
     */
    protected Optional<EventLoopProvider> provider() {
        return Optional.empty();
    }

    // ------------------------------------------------------------------ groups

    @Nested
    @Order(1)
    @DisplayName("callbacks & ordering")
    class Callbacks extends CallbackRules {
        Callbacks() {
            super(EventLoopConformanceSuite.this);
        }
    }

    @Nested
    @Order(2)
    @DisplayName("timers")
    class Timers extends TimerRules {
        Timers() {
            super(EventLoopConformanceSuite.this);
        }
    }

    @Nested
    @Order(3)
    @DisplayName("threadsafe")
    class Threadsafe extends ThreadsafeRules {
        Threadsafe() {
            super(EventLoopConformanceSuite.this);
        }
    }

    @Nested
    @Order(4)
    @DisplayName("lifecycle & stop")
    class Lifecycle extends LifecycleRules {
        Lifecycle() {
            super(EventLoopConformanceSuite.this);
        }
    }

    @Nested
    @Order(5)
    @DisplayName("runUntilComplete")
    class RunUntilComplete extends RunUntilCompleteRules {
        RunUntilComplete() {
            super(EventLoopConformanceSuite.this);
        }
    }

    @Nested
    @Order(6)
    @DisplayName("exception handler")
    class ExceptionHandler extends ExceptionHandlerRules {
        ExceptionHandler() {
            super(EventLoopConformanceSuite.this);
        }
    }

    @Nested
    @Order(7)
    @DisplayName("debug mode")
    class Debug extends DebugRules {
        Debug() {
            super(EventLoopConformanceSuite.this);
        }
    }

    @Nested
    @Order(8)
    @DisplayName("executor")
    class Executor extends ExecutorRules {
        Executor() {
            super(EventLoopConformanceSuite.this);
        }
    }

    @Nested
    @Order(9)
    @DisplayName("provider & selection")
    class Provider extends ProviderRules {
        Provider() {
            super(EventLoopConformanceSuite.this);
        }
    }

    // ------------------------------------------------------------------ futures, tasks, coroutines, context, registry

    @Nested
    @Order(10)
    @DisplayName("futures")
    class Futures extends FutureRules {
        Futures() {
            super(EventLoopConformanceSuite.this);
        }
    }

    @Nested
    @Order(11)
    @DisplayName("tasks & cancellation")
    class Tasks extends TaskRules {
        Tasks() {
            super(EventLoopConformanceSuite.this);
        }
    }

    @Nested
    @Order(12)
    @DisplayName("coroutines")
    class Coroutines extends CoroutineRules {
        Coroutines() {
            super(EventLoopConformanceSuite.this);
        }
    }

    @Nested
    @Order(13)
    @DisplayName("context")
    class Contexts extends ContextRules {
        Contexts() {
            super(EventLoopConformanceSuite.this);
        }
    }

    @Nested
    @Order(14)
    @DisplayName("registry")
    class Registry extends RegistryRules {
        Registry() {
            super(EventLoopConformanceSuite.this);
        }
    }

    // ------------------------------------------------------------------ the asyncio library

    @Nested
    @Order(15)
    @DisplayName("library")
    class Library extends LibraryRules {
        Library() {
            super(EventLoopConformanceSuite.this);
        }
    }

    // ------------------------------------------------------------------ networking (Capability.TCP)

    @Nested
    @Order(16)
    @DisplayName("reader & writer callbacks")
    class ReaderWriter extends ReaderWriterRules {
        ReaderWriter() {
            super(EventLoopConformanceSuite.this);
        }
    }

    @Nested
    @Order(17)
    @DisplayName("sock operations")
    class Sock extends SockRules {
        Sock() {
            super(EventLoopConformanceSuite.this);
        }
    }

    @Nested
    @Order(18)
    @DisplayName("TCP transports & protocols")
    class TcpTransports extends TcpTransportRules {
        TcpTransports() {
            super(EventLoopConformanceSuite.this);
        }
    }

    @Nested
    @Order(19)
    @DisplayName("servers")
    class Servers extends ServerRules {
        Servers() {
            super(EventLoopConformanceSuite.this);
        }
    }

    @Nested
    @Order(20)
    @DisplayName("flow control")
    class FlowControl extends FlowControlRules {
        FlowControl() {
            super(EventLoopConformanceSuite.this);
        }
    }

    @Nested
    @Order(21)
    @DisplayName("network error paths")
    class NetErrors extends NetErrorRules {
        NetErrors() {
            super(EventLoopConformanceSuite.this);
        }
    }

    @Nested
    @Order(22)
    @DisplayName("streams")
    class StreamsGroup extends StreamRules {
        StreamsGroup() {
            super(EventLoopConformanceSuite.this);
        }
    }

    @Nested
    @Order(23)
    @DisplayName("DNS")
    class Dns extends DnsRules {
        Dns() {
            super(EventLoopConformanceSuite.this);
        }
    }

    @Nested
    @Order(24)
    @DisplayName("UDP")
    class Udp extends UdpRules {
        Udp() {
            super(EventLoopConformanceSuite.this);
        }
    }

    @Nested
    @Order(25)
    @DisplayName("Unix sockets")
    class UnixSockets extends UnixSocketRules {
        UnixSockets() {
            super(EventLoopConformanceSuite.this);
        }
    }

    @Nested
    @Order(26)
    @DisplayName("sendfile")
    class Sendfile extends SendfileRules {
        Sendfile() {
            super(EventLoopConformanceSuite.this);
        }
    }

    @Nested
    @Order(27)
    @DisplayName("pipes")
    class Pipes extends PipeRules {
        Pipes() {
            super(EventLoopConformanceSuite.this);
        }
    }

    @Nested
    @Order(28)
    @DisplayName("subprocesses")
    class Subprocesses extends SubprocessRules {
        Subprocesses() {
            super(EventLoopConformanceSuite.this);
        }
    }

    @Nested
    @Order(29)
    @DisplayName("signals")
    class Signals extends SignalRules {
        Signals() {
            super(EventLoopConformanceSuite.this);
        }
    }

    @Nested
    @Order(30)
    @DisplayName("TLS")
    class Tls extends TlsRules {
        Tls() {
            super(EventLoopConformanceSuite.this);
        }
    }
}
