package dev.asyncloop.tck;

import dev.asyncloop.Coroutine;
import dev.asyncloop.EventLoop;
import dev.asyncloop.spi.Capability;
import dev.asyncloop.spi.EventLoopProvider;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
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
 * <p>Each nested group checks one feature and carries a JUnit tag of its name ({@code "timers"}, {@code "tls"},
 * ...; the networking groups also {@code "networking"}), so one group can be run alone, e.g. with Maven
 * {@code -Dgroups=tls}. Every test's display name starts with the ID of the rule it checks
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

    /**
     * Rule K1.0, checked once before every group: the coroutine engine starts. When it cannot (an engine forced
     * with {@code -Dasyncloop.coroutines} whose JVM flag is missing, or a name that is no engine), the run fails
     * here, once, with the reason, where otherwise every test that creates a task would fail with it.
     */
    @BeforeAll
    static void coroutineEngineStarts() {
        try {
            Coroutine.engineName();
        } catch (RuntimeException e) {
            throw new AssertionError("[K1.0] the coroutine engine cannot start, so no task can run and no group was"
                    + " run: " + e.getMessage() + ". Give the JVM what the reason names, or leave"
                    + " -Dasyncloop.coroutines unset so that asyncloop chooses an engine it can start", e);
        }
    }

    // ------------------------------------------------------------------ groups

    @Nested
    @Order(1)
    @DisplayName("callbacks & ordering")
    @Tag("callbacks")
    class Callbacks extends CallbackRules {
        Callbacks() {
            super(EventLoopConformanceSuite.this);
        }
    }

    @Nested
    @Order(2)
    @DisplayName("timers")
    @Tag("timers")
    class Timers extends TimerRules {
        Timers() {
            super(EventLoopConformanceSuite.this);
        }
    }

    @Nested
    @Order(3)
    @DisplayName("threadsafe")
    @Tag("threadsafe")
    class Threadsafe extends ThreadsafeRules {
        Threadsafe() {
            super(EventLoopConformanceSuite.this);
        }
    }

    @Nested
    @Order(4)
    @DisplayName("lifecycle & stop")
    @Tag("lifecycle")
    class Lifecycle extends LifecycleRules {
        Lifecycle() {
            super(EventLoopConformanceSuite.this);
        }
    }

    @Nested
    @Order(5)
    @DisplayName("runUntilComplete")
    @Tag("run-until-complete")
    class RunUntilComplete extends RunUntilCompleteRules {
        RunUntilComplete() {
            super(EventLoopConformanceSuite.this);
        }
    }

    @Nested
    @Order(6)
    @DisplayName("exception handler")
    @Tag("exception-handler")
    class ExceptionHandler extends ExceptionHandlerRules {
        ExceptionHandler() {
            super(EventLoopConformanceSuite.this);
        }
    }

    @Nested
    @Order(7)
    @DisplayName("debug mode")
    @Tag("debug")
    class Debug extends DebugRules {
        Debug() {
            super(EventLoopConformanceSuite.this);
        }
    }

    @Nested
    @Order(8)
    @DisplayName("executor")
    @Tag("executor")
    class Executor extends ExecutorRules {
        Executor() {
            super(EventLoopConformanceSuite.this);
        }
    }

    @Nested
    @Order(9)
    @DisplayName("provider & selection")
    @Tag("provider")
    class Provider extends ProviderRules {
        Provider() {
            super(EventLoopConformanceSuite.this);
        }
    }

    // ------------------------------------------------------------------ futures, tasks, coroutines, context, registry

    @Nested
    @Order(10)
    @DisplayName("futures")
    @Tag("futures")
    class Futures extends FutureRules {
        Futures() {
            super(EventLoopConformanceSuite.this);
        }
    }

    @Nested
    @Order(11)
    @DisplayName("tasks & cancellation")
    @Tag("tasks")
    class Tasks extends TaskRules {
        Tasks() {
            super(EventLoopConformanceSuite.this);
        }
    }

    @Nested
    @Order(12)
    @DisplayName("coroutines")
    @Tag("coroutines")
    class Coroutines extends CoroutineRules {
        Coroutines() {
            super(EventLoopConformanceSuite.this);
        }
    }

    @Nested
    @Order(13)
    @DisplayName("context")
    @Tag("context")
    class Contexts extends ContextRules {
        Contexts() {
            super(EventLoopConformanceSuite.this);
        }
    }

    @Nested
    @Order(14)
    @DisplayName("registry")
    @Tag("registry")
    class Registry extends RegistryRules {
        Registry() {
            super(EventLoopConformanceSuite.this);
        }
    }

    // ------------------------------------------------------------------ the asyncio library

    @Nested
    @Order(15)
    @DisplayName("library")
    @Tag("library")
    class Library extends LibraryRules {
        Library() {
            super(EventLoopConformanceSuite.this);
        }
    }

    // ------------------------------------------------------------------ networking (Capability.TCP)

    @Nested
    @Order(16)
    @DisplayName("reader & writer callbacks")
    @Tag("reader-writer")
    @Tag("networking")
    class ReaderWriter extends ReaderWriterRules {
        ReaderWriter() {
            super(EventLoopConformanceSuite.this);
        }
    }

    @Nested
    @Order(17)
    @DisplayName("sock operations")
    @Tag("sock")
    @Tag("networking")
    class Sock extends SockRules {
        Sock() {
            super(EventLoopConformanceSuite.this);
        }
    }

    @Nested
    @Order(18)
    @DisplayName("TCP transports & protocols")
    @Tag("tcp")
    @Tag("networking")
    class TcpTransports extends TcpTransportRules {
        TcpTransports() {
            super(EventLoopConformanceSuite.this);
        }
    }

    @Nested
    @Order(19)
    @DisplayName("servers")
    @Tag("servers")
    @Tag("networking")
    class Servers extends ServerRules {
        Servers() {
            super(EventLoopConformanceSuite.this);
        }
    }

    @Nested
    @Order(20)
    @DisplayName("flow control")
    @Tag("flow-control")
    @Tag("networking")
    class FlowControl extends FlowControlRules {
        FlowControl() {
            super(EventLoopConformanceSuite.this);
        }
    }

    @Nested
    @Order(21)
    @DisplayName("network error paths")
    @Tag("net-errors")
    @Tag("networking")
    class NetErrors extends NetErrorRules {
        NetErrors() {
            super(EventLoopConformanceSuite.this);
        }
    }

    @Nested
    @Order(22)
    @DisplayName("streams")
    @Tag("streams")
    @Tag("networking")
    class StreamsGroup extends StreamRules {
        StreamsGroup() {
            super(EventLoopConformanceSuite.this);
        }
    }

    @Nested
    @Order(23)
    @DisplayName("DNS")
    @Tag("dns")
    @Tag("networking")
    class Dns extends DnsRules {
        Dns() {
            super(EventLoopConformanceSuite.this);
        }
    }

    @Nested
    @Order(24)
    @DisplayName("UDP")
    @Tag("udp")
    @Tag("networking")
    class Udp extends UdpRules {
        Udp() {
            super(EventLoopConformanceSuite.this);
        }
    }

    @Nested
    @Order(25)
    @DisplayName("Unix sockets")
    @Tag("unix-sockets")
    @Tag("networking")
    class UnixSockets extends UnixSocketRules {
        UnixSockets() {
            super(EventLoopConformanceSuite.this);
        }
    }

    @Nested
    @Order(26)
    @DisplayName("sendfile")
    @Tag("sendfile")
    @Tag("networking")
    class Sendfile extends SendfileRules {
        Sendfile() {
            super(EventLoopConformanceSuite.this);
        }
    }

    @Nested
    @Order(27)
    @DisplayName("pipes")
    @Tag("pipes")
    @Tag("networking")
    class Pipes extends PipeRules {
        Pipes() {
            super(EventLoopConformanceSuite.this);
        }
    }

    @Nested
    @Order(28)
    @DisplayName("subprocesses")
    @Tag("subprocesses")
    @Tag("networking")
    class Subprocesses extends SubprocessRules {
        Subprocesses() {
            super(EventLoopConformanceSuite.this);
        }
    }

    @Nested
    @Order(29)
    @DisplayName("signals")
    @Tag("signals")
    class Signals extends SignalRules {
        Signals() {
            super(EventLoopConformanceSuite.this);
        }
    }

    @Nested
    @Order(30)
    @DisplayName("TLS")
    @Tag("tls")
    @Tag("networking")
    class Tls extends TlsRules {
        Tls() {
            super(EventLoopConformanceSuite.this);
        }
    }

    @Nested
    @Order(31)
    @DisplayName("cancelled awaiters")
    @Tag("cancelled-awaiters")
    @Tag("networking")
    class CancelledAwaiters extends CancelledAwaiterRules {
        CancelledAwaiters() {
            super(EventLoopConformanceSuite.this);
        }
    }

    @Nested
    @Order(32)
    @DisplayName("poller registrations")
    @Tag("poller")
    @Tag("networking")
    class PollerRegistrations extends PollerRules {
        PollerRegistrations() {
            super(EventLoopConformanceSuite.this);
        }
    }

    @Nested
    @Order(33)
    @DisplayName("asyncio parity")
    @Tag("asyncio-parity")
    @Tag("networking")
    class AsyncioParity extends ParityRules {
        AsyncioParity() {
            super(EventLoopConformanceSuite.this);
        }
    }
}
